//! `Emplace`: the builder behind every way of putting values into a `Blink`.

use core::{
    alloc::Layout,
    marker::PhantomData,
    mem::{self, align_of, needs_drop, size_of, MaybeUninit},
    ptr::{self, NonNull},
};

use allocator_api2::alloc::AllocError;

use super::{tip::slice_layout, Blink};
use crate::{
    api::BlinkAllocator,
    arena::local::dangling,
    drop_list::{value_offset, DropHeader, DropMark},
    oom::handle_alloc_error,
};

mod sealed {
    pub trait Sealed {}
}

/// How a `&'a mut T` becomes what an [`Emplace`] returns: `&'a mut T` itself
/// or `&'a T`. Sealed: only those two implement it.
pub trait CoerceFromMut<'a, T: ?Sized + 'a>: sealed::Sealed {
    #[doc(hidden)]
    fn coerce(value: &'a mut T) -> Self;
}

impl<T: ?Sized> sealed::Sealed for &mut T {}
impl<T: ?Sized> sealed::Sealed for &T {}

impl<'a, T: ?Sized + 'a> CoerceFromMut<'a, T> for &'a mut T {
    #[inline(always)]
    fn coerce(value: &'a mut T) -> Self {
        value
    }
}

impl<'a, T: ?Sized + 'a> CoerceFromMut<'a, T> for &'a T {
    #[inline(always)]
    fn coerce(value: &'a mut T) -> Self {
        value
    }
}

/// Places values of `T` into a [`Blink`], made by [`Blink::emplace`] and its
/// siblings, which decide whether the values are dropped on reset and what
/// kind of reference comes back (`R` for one value, `S` for a slice).
///
/// ```
/// let blink = blink_alloc::Blink::new();
/// let name = blink.emplace().with(|| String::from("blink"));
/// let numbers = blink.emplace().from_iter((1..=4).filter(|n| n % 2 == 0));
/// assert_eq!((name.as_str(), &*numbers), ("blink", &[2, 4][..]));
/// ```
pub struct Emplace<'a, A: BlinkAllocator, T, R = &'a mut T, S = &'a mut [T]> {
    blink: &'a Blink<A>,
    with_drop: bool,
    marker: PhantomData<fn(T) -> (R, S)>,
}

impl<'a, A: BlinkAllocator, T, R, S> Emplace<'a, A, T, R, S> {
    pub(crate) fn new(blink: &'a Blink<A>, with_drop: bool) -> Self {
        Emplace {
            blink,
            with_drop,
            marker: PhantomData,
        }
    }
}

// The values live for the lifetimes named by `R` and `S` ('r and 'q), not
// for `'a`, the builder's borrow of the `Blink`. Only this crate makes an
// `Emplace`, and it picks them: a `Blink` names its own borrow, so 'r and 'q
// are 'a; a scope names the scope's lifetime while the builder borrows the
// scope handle, so that no builder of an outer scope can place values into
// an inner scope that would rewind them under it. `R` and `S` are covariant,
// so a user can only shorten them.
impl<'a, 'r, 'q, A, T, R, S> Emplace<'a, A, T, R, S>
where
    A: BlinkAllocator,
    T: 'r + 'q,
    R: CoerceFromMut<'r, T>,
    S: CoerceFromMut<'q, [T]>,
{
    /// Whether these values get a drop header.
    #[inline(always)]
    fn dropped(&self) -> bool {
        self.with_drop && needs_drop::<T>()
    }

    /// Reserves room for the value a closure will make.
    ///
    /// Values are dropped in reverse order of placement, and a value made
    /// by a closure is placed when the closure returns: whatever the closure
    /// places with drop (values of `T` included) comes before it, and must
    /// be dropped after it. So the value is registered for drop only once
    /// the closure has returned (by [`fill`](Self::fill)), and the room
    /// reserved here must do whatever the closure places.
    ///
    /// When the newest run holds values of sized `T` and the arena's next
    /// block starts at its end, the room starts there, and is large enough
    /// for a header and the value after it too ([`Slot::AtRunEnd`]): if the
    /// closure places nothing with drop, the value extends the run and the
    /// rest goes back; if it does, the value starts a run of its own behind
    /// that header, newer than what the closure placed. Otherwise the value
    /// gets a block of its own, behind a header when it has drop glue.
    #[inline(always)]
    fn slot(&self) -> Result<Slot<T>, AllocError> {
        // A zero-sized value takes no room at the end of a run, so it always
        // gets a header of its own.
        if self.dropped() && size_of::<T>() != 0 {
            let mark = self.blink.drops.mark();
            if let Some(end) = self.blink.drops.run_end::<T>() {
                if let Some(slot) = self.reserve_at_run_end(end, mark) {
                    return Ok(slot);
                }
            }
        }
        self.slot_apart()
            .map(|(header, value)| Slot::Apart { header, value })
    }

    /// Reserves room at `end`, the end of the newest run, a run of sized
    /// `T`, for a `T` there or for a [`DropItem<T>`] at the first address
    /// after it aligned for one, if the arena's next block starts at `end`.
    #[inline(always)]
    fn reserve_at_run_end(&self, end: *mut u8, mark: DropMark) -> Option<Slot<T>> {
        // SAFETY: as in `allocate_at`: the end of a run of sized values is
        // not null.
        let end = unsafe { NonNull::new_unchecked(end) };
        let size = item_pad::<T>(end).checked_add(size_of::<DropItem<T>>())?;
        let reserved = Layout::from_size_align(size, 1).ok()?;
        // The block may start anywhere: the value needs only `end`'s
        // alignment, which a run of `T` keeps, and the header finds its own.
        self.blink
            .alloc
            .allocate_at(end, reserved)
            .then_some(Slot::AtRunEnd {
                end,
                reserved,
                mark,
            })
    }

    /// Allocates room for a sized `T` at `end`, the end of a run of `T`, if
    /// the arena's next block starts there.
    #[inline(always)]
    fn allocate_at(&self, end: *mut u8) -> Option<NonNull<T>> {
        debug_assert!(size_of::<T>() != 0);
        // SAFETY: the end of a run of sized values is one past its last
        // value, in or at the end of the block that holds it, and so not
        // null: an allocation never ends at the last address (slice
        // iterators rely on the same).
        let end = unsafe { NonNull::new_unchecked(end) };
        // The end of a run of `T` is aligned for `T`: its first value is,
        // and each value adds `size_of::<T>()`, a multiple of the alignment.
        // So the arena need not check it.
        self.blink
            .alloc
            .allocate_at(end, unaligned_layout::<T>())
            .then(|| end.cast())
    }

    /// Reserves room for one value in a block of its own, after a drop
    /// header when the value has drop glue: the header (if any) and the
    /// value's place.
    #[inline(always)]
    fn slot_apart(&self) -> Result<(Option<NonNull<DropHeader>>, NonNull<T>), AllocError> {
        self.slot_apart_by(|layout| {
            let block = self.blink.alloc.allocate_known(layout).ok()?;
            Some(block.cast())
        })
        .ok_or(AllocError)
    }

    /// [`slot_apart`](Self::slot_apart) on the arena's fast path only:
    /// `None` where the arena would need its slow path.
    #[inline(always)]
    fn slot_apart_fast(&self) -> Option<(Option<NonNull<DropHeader>>, NonNull<T>)> {
        self.slot_apart_by(|layout| self.blink.alloc.allocate_known_fast(layout))
    }

    /// [`slot_apart`](Self::slot_apart) with the block from `allocate`.
    #[inline(always)]
    fn slot_apart_by(
        &self,
        allocate: impl FnOnce(Layout) -> Option<NonNull<u8>>,
    ) -> Option<(Option<NonNull<DropHeader>>, NonNull<T>)> {
        if self.dropped() {
            let header = allocate(Layout::new::<DropItem<T>>())?.cast::<DropHeader>();
            Some((Some(header), item_value::<T>(header)))
        } else if size_of::<T>() == 0 {
            Some((None, dangling(align_of::<T>()).cast()))
        } else {
            Some((None, allocate(Layout::new::<T>())?.cast()))
        }
    }

    /// [`value`](Self::value) once the arena's fast path missed: out of
    /// line, with the value moved in and the builder passed in registers,
    /// so that the caller keeps nothing live across the call.
    #[cold]
    #[inline(never)]
    fn value_slow(blink: &'a Blink<A>, with_drop: bool, value: T) -> R {
        let this = Self::new(blink, with_drop);
        match this.slot_apart() {
            Ok((header, slot)) => this.fill_apart(header, slot, value),
            Err(AllocError) => handle_alloc_error(Layout::new::<T>()),
        }
    }

    /// Places `value` at the end of the newest run if it holds values of
    /// `T` and the arena has room right after it; gives the value back
    /// otherwise.
    #[inline(always)]
    fn join_run(&self, value: T) -> Result<R, T> {
        if !self.dropped() {
            return Err(value);
        }
        let Some(end) = self.blink.drops.run_end::<T>() else {
            return Err(value);
        };
        let (slot, new_end) = if size_of::<T>() == 0 {
            // Zero-sized values take no room: the run just counts one more.
            (dangling(align_of::<T>()).cast::<T>(), end.wrapping_add(1))
        } else {
            match self.allocate_at(end) {
                Some(slot) => (slot, end.wrapping_add(size_of::<T>())),
                None => return Err(value),
            }
        };
        // SAFETY: `slot` is a fresh block for a `T` (or, for a zero-sized
        // `T`, a well-aligned address).
        unsafe { slot.as_ptr().write(value) };
        // SAFETY: the newest run holds values of `T` (`run_end`), and the
        // value just written is its next one: for a sized `T` at its end,
        // `new_end` derived from it; a zero-sized one moves the end by one
        // position. The arena keeps the memory until the `Blink` resets or
        // the scope closes, which drops the list first.
        unsafe { self.blink.drops.set_end(new_end) };
        // SAFETY: the value is initialised and only this reference reaches
        // it until the `Blink` is reset, which needs `&mut` to it.
        Ok(R::coerce(unsafe { &mut *slot.as_ptr() }))
    }

    /// Gives back a slot that will not be filled.
    #[inline(always)]
    fn release(&self, slot: Slot<T>) {
        let (ptr, size) = match slot {
            Slot::Apart {
                header: Some(header),
                ..
            } => (header.cast(), size_of::<DropItem<T>>()),
            Slot::Apart {
                header: None,
                value,
            } => (value.cast(), size_of::<T>()),
            Slot::AtRunEnd { end, reserved, .. } => (end, reserved.size()),
        };
        if size != 0 {
            // SAFETY: the block came from this arena with this size and holds
            // no value, so nothing refers to it.
            unsafe { self.blink.alloc.deallocate(ptr, size) }
        }
    }

    /// Moves `value` into the place `slot_apart` reserved and registers it
    /// for drop behind `header`, if any.
    #[inline(always)]
    fn fill_apart(&self, header: Option<NonNull<DropHeader>>, slot: NonNull<T>, value: T) -> R {
        // SAFETY: the slot is fresh, aligned and large enough for a `T`.
        unsafe { slot.as_ptr().write(value) };
        if let Some(header) = header {
            // SAFETY: the block holds a header and one initialised `T` at
            // `value_offset`; it lives until the `Blink` resets, which drops
            // the list first.
            unsafe { self.blink.drops.push::<T>(header, 1) };
        }
        // SAFETY: the value is initialised and only this reference reaches
        // it until the `Blink` is reset, which needs `&mut` to it.
        R::coerce(unsafe { &mut *slot.as_ptr() })
    }

    /// Moves `value`, made by a closure once `slot` was reserved, into it
    /// and registers it for drop, as the newest value of all.
    #[inline(always)]
    fn fill(&self, slot: Slot<T>, value: T) -> R {
        match slot {
            Slot::Apart { header, value: at } => self.fill_apart(header, at, value),
            Slot::AtRunEnd {
                end,
                reserved,
                mark,
            } => self.fill_at_run_end(end, reserved, mark, value),
        }
    }

    /// [`fill`](Self::fill) for a [`Slot::AtRunEnd`].
    #[inline(always)]
    fn fill_at_run_end(&self, end: NonNull<u8>, reserved: Layout, mark: DropMark, value: T) -> R {
        // The list only grows while a builder lives (a scope that could drop
        // part of it needs `&mut` to what the builder borrows), so an
        // unchanged list means the closure placed nothing with drop.
        if self.blink.drops.unchanged_since(mark) {
            // The run of `T` is still the newest and still ends at `end`:
            // the value extends it, and the rest of the room goes back.
            // SAFETY: `end` is a live block of `reserved` (`allocate_at`);
            // shrinking it to a `T` at its own alignment of 1 never fails
            // and never moves it.
            let shrunk = unsafe {
                self.blink
                    .alloc
                    .resize(end, reserved, unaligned_layout::<T>())
            };
            // Should a shrink fail anyway, the whole block stays ours.
            let slot = shrunk.map_or(end, NonNull::cast).cast::<T>();
            // SAFETY: `slot` is the block at `end`, the end of a run of `T`
            // and so aligned for one, with room for a `T`.
            unsafe { slot.as_ptr().write(value) };
            let new_end = slot.as_ptr().cast::<u8>().wrapping_add(size_of::<T>());
            // SAFETY: the newest run holds values of `T` and ends at `end`
            // (the list is unchanged since `run_end` said so), and the value
            // just written is its next one, in the block the arena placed
            // there; `new_end` is derived from that block's pointer. The
            // arena keeps the memory until the `Blink` resets or the scope
            // closes, which drops the list first.
            unsafe { self.blink.drops.set_end(new_end) };
            // SAFETY: the value is initialised and only this reference
            // reaches it until the `Blink` is reset, which needs `&mut` to it.
            R::coerce(unsafe { &mut *slot.as_ptr() })
        } else {
            // The closure placed values with drop: the run of `T` no longer
            // is the newest, and the value must be dropped before them. It
            // starts a run of its own, behind a header in the spare room.
            let header = end.as_ptr().wrapping_add(item_pad::<T>(end));
            // SAFETY: `header` is in the block at `end`, which is not null.
            let header = unsafe { NonNull::new_unchecked(header) }.cast::<DropHeader>();
            // `item_pad` aligned `header` for a `DropItem<T>`, and `reserved`
            // counted the pad and the whole item: the header and the value
            // fit in the block.
            self.fill_apart(Some(header), item_value::<T>(header), value)
        }
    }

    /// Places `value`, or gives it back if the arena cannot allocate.
    ///
    /// ```
    /// use blink_alloc::{Blink, BlinkAlloc};
    ///
    /// let blink = Blink::new();
    /// assert_eq!(*blink.emplace().try_value(1u32).unwrap(), 1);
    ///
    /// let full = Blink::new_in(BlinkAlloc::new().limit(0));
    /// assert_eq!(full.emplace().try_value(vec![1]), Err(vec![1]));
    /// ```
    #[inline(always)]
    pub fn try_value(&self, value: T) -> Result<R, T> {
        let value = match self.join_run(value) {
            Ok(placed) => return Ok(placed),
            Err(value) => value,
        };
        match self.slot_apart() {
            Ok((header, slot)) => Ok(self.fill_apart(header, slot, value)),
            Err(AllocError) => Err(value),
        }
    }

    /// Places `value`.
    ///
    /// ```
    /// let blink = blink_alloc::Blink::new();
    /// let text = blink.emplace().value(String::from("mutable"));
    /// text.push('!');
    /// let shared: &u32 = blink.emplace_shared().value(2);
    /// assert_eq!((text.as_str(), *shared), ("mutable!", 2));
    /// ```
    ///
    /// # Panics
    ///
    /// Calls `handle_alloc_error` if the arena cannot allocate.
    #[inline(always)]
    pub fn value(&self, value: T) -> R {
        let value = match self.join_run(value) {
            Ok(placed) => return placed,
            Err(value) => value,
        };
        match self.slot_apart_fast() {
            Some((header, slot)) => self.fill_apart(header, slot, value),
            None => Self::value_slow(self.blink, self.with_drop, value),
        }
    }

    /// Places the value `f` makes. `f` runs only once the room is reserved;
    /// if it cannot be, `f` comes back unused.
    ///
    /// The value is placed when `f` returns, so with drop it is dropped
    /// before anything that `f` placed; this holds for every closure form.
    ///
    /// ```
    /// let blink = blink_alloc::Blink::new();
    /// let outer = blink.emplace().try_with(|| {
    ///     let inner = blink.put(String::from("dropped second"));
    ///     vec![inner.len()] // dropped first
    /// });
    /// assert_eq!(outer.ok().map(|v| v[0]), Some(14));
    /// ```
    ///
    /// ```
    /// use core::cell::Cell;
    /// use blink_alloc::{Blink, BlinkAlloc};
    ///
    /// let blink = Blink::new();
    /// assert_eq!(blink.emplace().try_with(|| [7u8; 64]).ok().map(|a| a[63]), Some(7));
    ///
    /// let full = Blink::new_in(BlinkAlloc::new().limit(0));
    /// let ran = Cell::new(false);
    /// let back = full.emplace().try_with(|| {
    ///     ran.set(true);
    ///     vec![1, 2]
    /// });
    /// assert!(!ran.get()); // `f` came back unused
    /// assert_eq!(back.map_err(|f| f()), Err(vec![1, 2]));
    /// ```
    #[inline(always)]
    pub fn try_with<F: FnOnce() -> T>(&self, f: F) -> Result<R, F> {
        match self.slot() {
            Ok(slot) => Ok(self.fill_with(slot, f)),
            Err(AllocError) => Err(f),
        }
    }

    /// Places the value `f` makes. `f` runs after the room is reserved.
    ///
    /// ```
    /// let blink = blink_alloc::Blink::new();
    /// let table = blink.emplace().with(|| [1u64; 4096]);
    /// assert_eq!(table.iter().sum::<u64>(), 4096);
    /// ```
    ///
    /// # Panics
    ///
    /// Calls `handle_alloc_error` if the arena cannot allocate; lets a panic
    /// of `f` through, having placed nothing.
    #[inline(always)]
    pub fn with<F: FnOnce() -> T>(&self, f: F) -> R {
        match self.slot() {
            Ok(slot) => self.fill_with(slot, f),
            Err(AllocError) => handle_alloc_error(Layout::new::<T>()),
        }
    }

    #[inline(always)]
    fn fill_with<F: FnOnce() -> T>(&self, slot: Slot<T>, f: F) -> R {
        let value = f();
        self.fill(slot, value)
    }

    /// Places the value `f` makes, unless `f` fails. Gives `Err(Ok(error))`
    /// when `f` failed and `Err(Err(f))` when the room could not be reserved.
    ///
    /// ```
    /// let blink = blink_alloc::Blink::new();
    /// let parsed = blink.emplace().try_with_fallible(|| "42".parse::<u64>());
    /// assert_eq!(parsed.ok().copied(), Some(42));
    /// ```
    #[inline(always)]
    pub fn try_with_fallible<F, E>(&self, f: F) -> Result<R, Result<E, F>>
    where
        F: FnOnce() -> Result<T, E>,
    {
        let slot = match self.slot() {
            Ok(slot) => slot,
            Err(AllocError) => return Err(Err(f)),
        };
        // The result stays on the stack: the slot is sized for `T` alone, and
        // an error may be larger or more aligned than `T`.
        match f() {
            Ok(value) => Ok(self.fill(slot, value)),
            Err(error) => {
                self.release(slot);
                Err(Ok(error))
            }
        }
    }

    /// Places the value `f` makes, unless `f` fails.
    ///
    /// ```
    /// let blink = blink_alloc::Blink::new();
    /// let port = blink.emplace().with_fallible(|| "8080".parse::<u16>());
    /// assert_eq!(port.map(|p| *p), Ok(8080));
    /// assert!(blink.emplace().with_fallible(|| "x".parse::<u16>()).is_err());
    /// ```
    ///
    /// # Panics
    ///
    /// Calls `handle_alloc_error` if the arena cannot allocate.
    #[inline(always)]
    pub fn with_fallible<F, E>(&self, f: F) -> Result<R, E>
    where
        F: FnOnce() -> Result<T, E>,
    {
        match self.try_with_fallible(f) {
            Ok(value) => Ok(value),
            Err(Ok(error)) => Err(error),
            Err(Err(_)) => handle_alloc_error(Layout::new::<T>()),
        }
    }

    /// Places every item of `iter` in one slice, whatever its `size_hint`
    /// says. While nothing else allocates from the arena, the slice grows in
    /// place. If the arena runs out, gives the slice placed so far and the
    /// item that did not fit.
    ///
    /// ```
    /// use blink_alloc::{Blink, BlinkAlloc};
    ///
    /// let blink = Blink::new();
    /// assert_eq!(blink.emplace().try_from_iter(1..=3).unwrap(), [1, 2, 3]);
    ///
    /// let full = Blink::new_in(BlinkAlloc::new().limit(0));
    /// let (placed, left) = full.emplace().try_from_iter(1..=3).unwrap_err();
    /// assert_eq!((placed.len(), left), (0, Some(1)));
    /// ```
    #[inline]
    pub fn try_from_iter<I: IntoIterator<Item = T>>(&self, iter: I) -> Result<S, (S, Option<T>)> {
        let mut iter = iter.into_iter();
        let mut builder = SliceBuilder::<A, T>::new(self.blink, self.dropped());
        // A hint that names one length is taken as a guess of the length:
        // room for that many, a loop counted to it, and one more call to see
        // that the iterator agrees. Inlined, the counted loop lets the
        // compiler merge its bound with the iterator's own (ranges, slices
        // and maps of them), leaving one test per item. The iterator still
        // decides: it may end sooner, and items past the hint go on below.
        let (lower, upper) = iter.size_hint();
        if upper == Some(lower)
            && lower != 0
            && lower <= MAX_FIRST_CAPACITY
            && builder.reserve(lower).is_ok()
        {
            if !builder.fill_counted(&mut iter, lower) {
                return Ok(S::coerce(builder.finish()));
            }
            return match iter.next() {
                None => Ok(S::coerce(builder.finish())),
                Some(item) => self.collect_rest(builder, iter, Some(item)),
            };
        }
        self.collect_rest(builder, iter, None)
    }

    /// The general case of [`try_from_iter`](Self::try_from_iter): places
    /// `pending` (an item taken from `iter`) and the rest of `iter` after
    /// what `builder` holds, growing its block as needed.
    #[inline(never)]
    fn collect_rest<I: Iterator<Item = T>>(
        &self,
        mut builder: SliceBuilder<'a, A, T>,
        mut iter: I,
        pending: Option<T>,
    ) -> Result<S, (S, Option<T>)> {
        if let Some(item) = pending {
            // Not polled again if it returned `None`: only a `Some` is pending.
            if builder.len == builder.cap && builder.reserve_more().is_err() {
                return Err((S::coerce(builder.finish()), Some(item)));
            }
            builder.push(item);
        } else if builder.cap == 0 {
            let (lower, upper) = iter.size_hint();
            if upper != Some(0) {
                // The hint only sizes the first block; every write checks room.
                let first = lower.clamp(1, MAX_FIRST_CAPACITY);
                if builder.reserve(first).is_err() && builder.reserve(1).is_err() {
                    let item = iter.next();
                    if item.is_none() {
                        return Ok(S::coerce(builder.finish()));
                    }
                    return Err((S::coerce(builder.finish()), item));
                }
            }
        }
        // The iterator is not polled again once it returned `None`.
        while builder.fill(&mut iter) {
            let Some(item) = iter.next() else { break };
            if builder.reserve_more().is_err() {
                return Err((S::coerce(builder.finish()), Some(item)));
            }
            builder.push(item);
        }
        Ok(S::coerce(builder.finish()))
    }

    /// Places every item of `iter` in one slice.
    ///
    /// ```
    /// let blink = blink_alloc::Blink::new();
    /// let lines = blink.emplace().from_iter("a\nbb\nccc".lines().map(String::from));
    /// lines.reverse();
    /// assert_eq!(lines, ["ccc", "bb", "a"]);
    /// ```
    ///
    /// # Panics
    ///
    /// Calls `handle_alloc_error` if the arena cannot allocate; lets a panic
    /// of the iterator through, having dropped the items it gave so far.
    #[inline]
    pub fn from_iter<I: IntoIterator<Item = T>>(&self, iter: I) -> S {
        match self.try_from_iter(iter) {
            Ok(slice) => slice,
            Err(_) => handle_alloc_error(Layout::new::<T>()),
        }
    }
}

/// Most elements the first block of `from_iter` reserves from a size hint.
const MAX_FIRST_CAPACITY: usize = 1 << 16;

/// A header and one value, as one block.
#[repr(C)]
struct DropItem<T> {
    header: DropHeader,
    value: T,
}

/// Room reserved for a value that a closure makes; see [`Emplace::slot`].
enum Slot<T> {
    /// A block of its own: the value's place, after a drop header when
    /// `header` is some.
    Apart {
        header: Option<NonNull<DropHeader>>,
        value: NonNull<T>,
    },
    /// A block of `reserved` at `end`, where the newest run, of sized `T`,
    /// ended at `mark`: room for a `T` at `end`, or for a [`DropItem<T>`]
    /// `item_pad::<T>(end)` bytes after it.
    AtRunEnd {
        end: NonNull<u8>,
        reserved: Layout,
        mark: DropMark,
    },
}

/// Bytes from `at` to the first address after it aligned for a
/// [`DropItem<T>`].
#[inline(always)]
fn item_pad<T>(at: NonNull<u8>) -> usize {
    at.addr().get().wrapping_neg() & (align_of::<DropItem<T>>() - 1)
}

/// The place of the value of the [`DropItem<T>`] that starts at `header`.
#[inline(always)]
fn item_value<T>(header: NonNull<DropHeader>) -> NonNull<T> {
    let value = header
        .cast::<u8>()
        .as_ptr()
        .wrapping_add(value_offset::<T>());
    // SAFETY: `value` is inside the item's block, which is not null.
    unsafe { NonNull::new_unchecked(value) }.cast()
}

/// The layout of a `T` with an alignment of 1: for a place whose alignment
/// is known already (the end of a run of `T`).
#[inline(always)]
const fn unaligned_layout<T>() -> Layout {
    const {
        match Layout::from_size_align(size_of::<T>(), 1) {
            Ok(layout) => layout,
            Err(_) => panic!("a type's size is a valid layout size"),
        }
    }
}

/// A slice under construction at the end of the arena.
///
/// If it is dropped before `finish` (a panicking iterator), it drops the
/// items placed so far and gives its block back.
struct SliceBuilder<'a, A: BlinkAllocator, T> {
    blink: &'a Blink<A>,
    /// Whether the block starts with a drop header.
    with_header: bool,
    /// Start of the block; dangling until the first reserve.
    block: NonNull<u8>,
    /// Layout of the block, valid once `cap > 0` or `block_size > 0`.
    layout: Layout,
    cap: usize,
    len: usize,
    /// The builder owns the items placed so far.
    items: PhantomData<T>,
}

impl<'a, A: BlinkAllocator, T> SliceBuilder<'a, A, T> {
    fn new(blink: &'a Blink<A>, with_header: bool) -> Self {
        SliceBuilder {
            blink,
            with_header,
            block: dangling(align_of::<T>()),
            layout: Layout::new::<()>(),
            cap: if size_of::<T>() == 0 && !with_header {
                usize::MAX
            } else {
                0
            },
            len: 0,
            items: PhantomData,
        }
    }

    fn offset(&self) -> usize {
        if self.with_header {
            value_offset::<T>()
        } else {
            0
        }
    }

    fn layout_for(&self, cap: usize) -> Option<Layout> {
        slice_layout::<T>(self.with_header, cap)
    }

    /// Makes room for `additional` more items.
    fn reserve(&mut self, additional: usize) -> Result<(), AllocError> {
        if size_of::<T>() == 0 {
            // Values take no room; only a header, once.
            if self.cap == 0 {
                self.grow_to(usize::MAX)?;
            }
            return Ok(());
        }
        let cap = self.cap.checked_add(additional).ok_or(AllocError)?;
        self.grow_to(cap)
    }

    /// Makes room for one more item or more: doubles the capacity (4 at
    /// least) and, if the arena cannot give that much, asks for half as much
    /// more, down to one item. A slice at the tip of a chunk thus fills the
    /// chunk before it needs another: it never needs more free room than it
    /// ends up holding.
    fn reserve_more(&mut self) -> Result<(), AllocError> {
        let mut additional = self.cap.max(4);
        loop {
            match self.reserve(additional) {
                Err(error) if additional == 1 => return Err(error),
                Err(_) => additional /= 2,
                Ok(()) => return Ok(()),
            }
        }
    }

    fn grow_to(&mut self, cap: usize) -> Result<(), AllocError> {
        // Zero-sized items need only the header, whatever their count.
        let room = if size_of::<T>() == 0 { 0 } else { cap };
        let layout = self.layout_for(room).ok_or(AllocError)?;
        let block = if self.layout.size() == 0 {
            self.blink.alloc.allocate(layout)?
        } else {
            // SAFETY: `block` is our live block of `self.layout`; the items in
            // it are moved bitwise with it, which is how Rust moves values.
            unsafe { self.blink.alloc.resize(self.block, self.layout, layout)? }
        };
        self.block = block.cast();
        self.layout = layout;
        self.cap = cap;
        Ok(())
    }

    fn first(&self) -> *mut T {
        self.block.as_ptr().wrapping_add(self.offset()).cast()
    }

    /// Moves items from `iter` until the block is full (`true`) or `iter`
    /// is done (`false`).
    #[inline(always)]
    fn fill<I: Iterator<Item = T>>(&mut self, iter: &mut I) -> bool {
        let first = self.first();
        let cap = self.cap;
        let mut len = SetLenOnDrop::new(&mut self.len);
        if len.local >= cap {
            return true;
        }
        // Internal iteration (`try_fold`), which adapters such as `Filter`
        // compile to a tighter loop than repeated `next` calls.
        iter.try_for_each(|item| {
            // SAFETY: `len < cap` on entry and after every `Continue`, so
            // slot `len` is inside the block (for a zero-sized `T` every
            // slot is at a well-aligned address).
            unsafe { first.add(len.local).write(item) };
            len.local += 1;
            if len.local < cap {
                core::ops::ControlFlow::Continue(())
            } else {
                core::ops::ControlFlow::Break(())
            }
        })
        .is_break()
    }

    /// Moves up to `count` items from `iter`: `true` if it gave them all,
    /// `false` if it ended before.
    ///
    /// # Panics
    ///
    /// If the block has no room for `count` more items (a bug).
    #[inline(always)]
    fn fill_counted<I: Iterator<Item = T>>(&mut self, iter: &mut I, count: usize) -> bool {
        assert!(count <= self.cap - self.len);
        let first = self.first();
        let mut len = SetLenOnDrop::new(&mut self.len);
        for _ in 0..count {
            let Some(item) = iter.next() else {
                return false;
            };
            // SAFETY: at most `count` items are written, and the block had
            // room for `count` more (checked above), so slot `len` is inside
            // it (for a zero-sized `T` every slot is at a well-aligned
            // address).
            unsafe { first.add(len.local).write(item) };
            len.local += 1;
        }
        true
    }

    /// Appends an item; the caller has checked `len < cap`.
    fn push(&mut self, item: T) {
        debug_assert!(self.len < self.cap);
        // SAFETY: `len < cap`, so slot `len` is inside the block (for a
        // zero-sized `T` every slot is at a well-aligned address).
        unsafe { self.first().add(self.len).write(item) };
        self.len += 1;
    }

    /// Shrinks the block to the items, registers them for drop and hands
    /// them out for `'x`, which the caller chooses: the arena keeps them
    /// until the `Blink` resets or the scope that placed them closes.
    fn finish<'x>(mut self) -> &'x mut [T] {
        let len = self.len;
        let first = if self.layout.size() == 0 {
            self.first()
        } else if len == 0 {
            // SAFETY: our block, holding no item.
            unsafe { self.blink.alloc.deallocate(self.block, self.layout.size()) };
            dangling(align_of::<T>()).as_ptr().cast()
        } else {
            if size_of::<T>() != 0 {
                let layout = self.layout_for(len).unwrap_or(self.layout);
                // A shrink that keeps the alignment stays in place and never
                // fails (a `BlinkAllocator` promise), giving back the rest.
                // SAFETY: our live block of `self.layout`.
                let shrunk = unsafe { self.blink.alloc.resize(self.block, self.layout, layout) };
                if let Ok(block) = shrunk {
                    self.block = block.cast();
                }
            }
            let first = self.first();
            if self.with_header {
                // SAFETY: the block starts with room for a header followed by
                // `len` initialised items, and lives until the `Blink` resets,
                // which drops the list first.
                unsafe { self.blink.drops.push::<T>(self.block.cast(), len) };
            }
            first
        };
        mem::forget(self);
        // SAFETY: `len` initialised items start at `first`, which is aligned
        // and non-null; only this reference reaches them until a reset.
        unsafe { &mut *ptr::slice_from_raw_parts_mut(first, len) }
    }
}

/// The length of a [`SliceBuilder`], kept in a local while a loop fills it
/// and written back when the loop ends, by unwinding too: a panicking
/// iterator leaves the builder knowing which items to drop.
struct SetLenOnDrop<'a> {
    len: &'a mut usize,
    local: usize,
}

impl<'a> SetLenOnDrop<'a> {
    #[inline(always)]
    fn new(len: &'a mut usize) -> Self {
        let local = *len;
        SetLenOnDrop { len, local }
    }
}

impl Drop for SetLenOnDrop<'_> {
    #[inline(always)]
    fn drop(&mut self) {
        *self.len = self.local;
    }
}

impl<A: BlinkAllocator, T> Drop for SliceBuilder<'_, A, T> {
    fn drop(&mut self) {
        // Reached only by unwinding out of the iterator: the items placed so
        // far are dropped now, not leaked.
        // SAFETY: the first `len` items are initialised and not registered.
        unsafe { ptr::drop_in_place(ptr::slice_from_raw_parts_mut(self.first(), self.len)) };
        if self.layout.size() != 0 {
            // SAFETY: our block; its items are dropped.
            unsafe { self.blink.alloc.deallocate(self.block, self.layout.size()) };
        }
    }
}

/// An uninitialised slot, for [`Blink::uninit`]. Each call returns a fresh
/// block, so the `&mut` aliases nothing.
#[allow(clippy::mut_from_ref)]
pub(crate) fn uninit<A: BlinkAllocator, T>(
    blink: &Blink<A>,
) -> Result<&mut MaybeUninit<T>, AllocError> {
    let ptr = if size_of::<T>() == 0 {
        dangling(align_of::<T>())
    } else {
        blink.alloc.allocate_known(Layout::new::<T>())?.cast()
    };
    // SAFETY: a fresh block sized and aligned for `T`; `MaybeUninit` needs no
    // initialisation.
    Ok(unsafe { &mut *ptr.as_ptr().cast::<MaybeUninit<T>>() })
}
