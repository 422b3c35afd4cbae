//! `BlinkVec`: a vector that grows at the arena's tip and becomes a slice
//! whose values are dropped with the arena's.

use core::{
    alloc::Layout,
    fmt,
    marker::PhantomData,
    mem::{align_of, needs_drop, size_of, ManuallyDrop},
    ops::{Deref, DerefMut},
    ptr::{self, NonNull},
};

use allocator_api2::alloc::AllocError;

use super::{
    tip::{grow_amortized, grow_block, slice_layout},
    Blink, BlinkScope,
};
use crate::{
    api::BlinkAllocator,
    arena::local::dangling,
    drop_list::{block_layout, value_offset},
    oom::handle_alloc_error,
};

/// Fewest values a vector's first block holds.
const MIN_CAPACITY: usize = 4;

/// A growable vector in an arena, made by [`Blink::vec`],
/// [`Blink::vec_no_drop`] or their [`BlinkScope`] twins.
///
/// Its block is the arena's last while nothing else is allocated after it,
/// so it grows in place through the allocator's `resize`, with no copy; if
/// another allocation lands after it, the next growth moves it (a copy).
/// [`into_slice`](Self::into_slice) hands the values out as a `&mut [T]`
/// that lives as long as the arena's values and, for [`Blink::vec`], links
/// them into the drop list, like [`Emplace::from_iter`](crate::Emplace::from_iter):
/// they are dropped at the reset or the scope's close. A vector dropped
/// before `into_slice` drops its values then, and gives its block back.
///
/// `'a` is the borrow of the arena the vector grows through; `'o` is how
/// long the slice from `into_slice` lives.
///
/// ```
/// let mut blink = blink_alloc::Blink::new();
/// let mut names = blink.vec();
/// names.push(String::from("b"));
/// names.extend(["c", "a"].map(String::from));
/// names.sort();
/// let names: &mut [String] = names.into_slice(); // dropped on reset
/// assert_eq!(names, ["a", "b", "c"]);
/// blink.reset();
/// ```
///
/// Neither the vector nor its slice outlives a reset:
///
/// ```compile_fail
/// let mut blink = blink_alloc::Blink::new();
/// let mut numbers = blink.vec();
/// numbers.push(1);
/// blink.reset();
/// numbers.push(2);
/// ```
pub struct BlinkVec<'a, 'o, T, A: BlinkAllocator> {
    blink: &'a Blink<A>,
    /// Start of the block; meaningful only while `block_size > 0`.
    block: NonNull<u8>,
    /// Bytes of the block; 0 while there is none.
    block_size: usize,
    /// The first value's slot: in the block, or a well-aligned dangling
    /// address while there is none or `T` is zero-sized.
    first: NonNull<T>,
    cap: usize,
    len: usize,
    /// Whether the block starts with a drop header, to link the values into
    /// the drop list at `into_slice`.
    with_header: bool,
    /// Invariant in `T`: a value with drop must not be able to shorten the
    /// lifetimes it holds once the vector's bound on them was checked.
    marker: PhantomData<VecMarker<'o, T>>,
}

/// Invariant in `T`, covariant in `'o`.
type VecMarker<'o, T> = (fn(T) -> T, &'o mut [T]);

impl<'a, 'o, T, A: BlinkAllocator> BlinkVec<'a, 'o, T, A> {
    /// An empty vector. The caller picks `'o` (the arena keeps blocks
    /// allocated through `blink` for `'o`) and `with_drop` (whether values
    /// left in it at `into_slice` are linked into the drop list, for which
    /// `T` must meet that list's bound).
    #[inline(always)]
    pub(crate) fn new(blink: &'a Blink<A>, with_drop: bool) -> Self {
        let with_header = with_drop && needs_drop::<T>();
        BlinkVec {
            blink,
            block: dangling(align_of::<T>()),
            block_size: 0,
            first: dangling(align_of::<T>()).cast(),
            // Zero-sized values need no room; only a header, once.
            cap: if size_of::<T>() == 0 && !with_header {
                usize::MAX
            } else {
                0
            },
            len: 0,
            with_header,
            marker: PhantomData,
        }
    }

    /// Values held.
    ///
    /// ```
    /// let blink = blink_alloc::Blink::new();
    /// let mut numbers = blink.vec();
    /// numbers.push(1);
    /// assert_eq!(numbers.len(), 1);
    /// ```
    #[inline(always)]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the vector is empty.
    ///
    /// ```
    /// let blink = blink_alloc::Blink::new();
    /// assert!(blink.vec::<u8>().is_empty());
    /// ```
    #[inline(always)]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Values the vector holds without growing.
    ///
    /// ```
    /// let blink = blink_alloc::Blink::new();
    /// let mut numbers = blink.vec::<u32>();
    /// assert_eq!(numbers.capacity(), 0);
    /// numbers.reserve(10);
    /// assert!(numbers.capacity() >= 10);
    /// ```
    #[inline(always)]
    pub fn capacity(&self) -> usize {
        self.cap
    }

    #[inline(always)]
    fn first(&self) -> *mut T {
        self.first.as_ptr()
    }

    /// The values.
    ///
    /// ```
    /// let blink = blink_alloc::Blink::new();
    /// let mut numbers = blink.vec();
    /// numbers.extend(1..=3);
    /// assert_eq!(numbers.as_slice(), [1, 2, 3]);
    /// ```
    #[inline(always)]
    pub fn as_slice(&self) -> &[T] {
        // SAFETY: the first `len` slots hold initialised values owned by the
        // vector; `first` is aligned and non-null.
        unsafe { &*ptr::slice_from_raw_parts(self.first(), self.len) }
    }

    /// The values, mutable.
    ///
    /// ```
    /// let blink = blink_alloc::Blink::new();
    /// let mut numbers = blink.vec();
    /// numbers.extend([3, 1, 2]);
    /// numbers.as_mut_slice().sort();
    /// assert_eq!(numbers.as_slice(), [1, 2, 3]);
    /// ```
    #[inline(always)]
    pub fn as_mut_slice(&mut self) -> &mut [T] {
        // SAFETY: as in `as_slice`; `&mut self` makes the borrow unique.
        unsafe { &mut *ptr::slice_from_raw_parts_mut(self.first(), self.len) }
    }

    /// The block layout for `cap` values, or `None` on overflow.
    #[inline(always)]
    fn layout_for(&self, cap: usize) -> Option<Layout> {
        slice_layout::<T>(self.with_header, cap)
    }

    /// The block layout of the current block.
    #[inline(always)]
    fn layout(&self) -> Layout {
        let align = if self.with_header {
            block_layout::<T>(0).map_or(align_of::<T>(), |(layout, _)| layout.align())
        } else {
            align_of::<T>()
        };
        // SAFETY: the block was allocated with a layout of this size and
        // alignment (`layout_for`), so the pair is valid.
        unsafe { Layout::from_size_align_unchecked(self.block_size, align) }
    }

    /// Makes room for `additional` more values, or fails, leaving the
    /// vector as it was.
    ///
    /// ```
    /// use blink_alloc::{Blink, BlinkAlloc};
    ///
    /// let blink = Blink::new();
    /// assert!(blink.vec::<u64>().try_reserve(100).is_ok());
    ///
    /// let full = Blink::new_in(BlinkAlloc::new().limit(0));
    /// assert!(full.vec::<u64>().try_reserve(1).is_err());
    /// ```
    #[inline]
    pub fn try_reserve(&mut self, additional: usize) -> Result<(), AllocError> {
        if additional <= self.cap - self.len {
            return Ok(());
        }
        self.grow(additional)
    }

    /// Makes room for `additional` more values.
    ///
    /// ```
    /// let blink = blink_alloc::Blink::new();
    /// let mut numbers = blink.vec();
    /// numbers.reserve(100);
    /// let cap = numbers.capacity();
    /// numbers.extend(0..100);
    /// assert_eq!(numbers.capacity(), cap);
    /// ```
    ///
    /// # Panics
    ///
    /// Calls `handle_alloc_error` if the arena cannot allocate.
    #[inline]
    pub fn reserve(&mut self, additional: usize) {
        if self.try_reserve(additional).is_err() {
            handle_alloc_error(Layout::new::<T>());
        }
    }

    /// Grows the block for `additional` more values: twice the capacity
    /// (4 at least) if the arena gives it, else less, down to just enough.
    #[cold]
    #[inline(never)]
    fn grow(&mut self, additional: usize) -> Result<(), AllocError> {
        if size_of::<T>() == 0 {
            // Here only with a header to place (else `cap` is `usize::MAX`
            // and a larger count overflows).
            if self.block_size != 0 || self.len.checked_add(additional).is_none() {
                return Err(AllocError);
            }
            return self.grow_to(usize::MAX);
        }
        let cap = self.cap;
        // `additional > cap - len`, so `least > 0`.
        let least = self.len.checked_add(additional).ok_or(AllocError)? - cap;
        grow_amortized(cap, least, MIN_CAPACITY, |step| {
            self.grow_to(cap.checked_add(step).ok_or(AllocError)?)
        })
    }

    fn grow_to(&mut self, cap: usize) -> Result<(), AllocError> {
        // Zero-sized values need only the header, whatever their count.
        let room = if size_of::<T>() == 0 { 0 } else { cap };
        let layout = self.layout_for(room).ok_or(AllocError)?;
        // SAFETY: while `block_size != 0`, `block` is the vector's live
        // block of `self.layout()`; its values move bitwise with it, which
        // is how Rust moves values, and are only used through the new block
        // on success.
        let block = unsafe { grow_block(&self.blink.alloc, self.block, self.layout(), layout)? };
        self.block = block.cast();
        self.block_size = layout.size();
        if size_of::<T>() != 0 {
            let offset = if self.with_header {
                value_offset::<T>()
            } else {
                0
            };
            // SAFETY: the first slot lies `offset` bytes into the non-null
            // block (`layout_for` puts it there).
            self.first = unsafe { block.cast::<u8>().add(offset).cast() };
        }
        self.cap = cap;
        Ok(())
    }

    /// Appends `value`, or gives it back if the arena cannot allocate.
    ///
    /// ```
    /// use blink_alloc::{Blink, BlinkAlloc};
    ///
    /// let blink = Blink::new();
    /// let mut names = blink.vec();
    /// assert!(names.try_push(String::from("a")).is_ok());
    ///
    /// let full = Blink::new_in(BlinkAlloc::new().limit(0));
    /// let mut names = full.vec();
    /// assert_eq!(names.try_push(String::from("back")), Err(String::from("back")));
    /// ```
    #[inline]
    pub fn try_push(&mut self, value: T) -> Result<(), T> {
        // Read once: growth keeps `len`.
        let len = self.len;
        if len == self.cap && self.grow(1).is_err() {
            return Err(value);
        }
        // SAFETY: `len < cap`, so slot `len` is inside the block (for a
        // zero-sized `T` every slot is a well-aligned address).
        unsafe { self.first().add(len).write(value) };
        self.len = len + 1;
        Ok(())
    }

    /// Appends `value`.
    ///
    /// ```
    /// let blink = blink_alloc::Blink::new();
    /// let mut numbers = blink.vec();
    /// for n in 0..1000 {
    ///     numbers.push(n);
    /// }
    /// assert_eq!(numbers.len(), 1000);
    /// ```
    ///
    /// # Panics
    ///
    /// Calls `handle_alloc_error` if the arena cannot allocate.
    #[inline]
    pub fn push(&mut self, value: T) {
        // Read once: growth keeps `len`.
        let len = self.len;
        if len == self.cap && self.grow(1).is_err() {
            handle_alloc_error(Layout::new::<T>());
        }
        // SAFETY: as in `try_push`.
        unsafe { self.first().add(len).write(value) };
        self.len = len + 1;
    }

    /// Removes the last value and returns it.
    ///
    /// ```
    /// let blink = blink_alloc::Blink::new();
    /// let mut numbers = blink.vec();
    /// numbers.extend([1, 2]);
    /// assert_eq!(numbers.pop(), Some(2));
    /// assert_eq!(numbers.pop(), Some(1));
    /// assert_eq!(numbers.pop(), None);
    /// ```
    #[inline]
    pub fn pop(&mut self) -> Option<T> {
        if self.len == 0 {
            return None;
        }
        self.len -= 1;
        // SAFETY: slot `len` held an initialised value, which the vector no
        // longer counts: it is moved out once.
        Some(unsafe { self.first().add(self.len).read() })
    }

    /// Drops the values past the first `len`; does nothing if there are not
    /// more. The capacity stays.
    ///
    /// ```
    /// let blink = blink_alloc::Blink::new();
    /// let mut words = blink.vec();
    /// words.extend(["a", "b", "c"].map(String::from));
    /// words.truncate(1);
    /// assert_eq!(words.as_slice(), ["a"]);
    /// ```
    #[inline]
    pub fn truncate(&mut self, len: usize) {
        if len >= self.len {
            return;
        }
        let tail = ptr::slice_from_raw_parts_mut(self.first().wrapping_add(len), self.len - len);
        // Forget the tail first: if a drop panics, the rest of the tail is
        // still dropped (by `drop_in_place`) and nothing is dropped twice.
        self.len = len;
        // SAFETY: the tail's values are initialised and no longer counted.
        unsafe { ptr::drop_in_place(tail) };
    }

    /// Drops every value. The capacity stays.
    ///
    /// ```
    /// let blink = blink_alloc::Blink::new();
    /// let mut numbers = blink.vec();
    /// numbers.extend(0..10);
    /// numbers.clear();
    /// assert!(numbers.is_empty());
    /// ```
    #[inline]
    pub fn clear(&mut self) {
        self.truncate(0);
    }

    /// The values, for as long as the arena keeps its values. For a vector
    /// from [`Blink::vec`] or [`BlinkScope::vec`] they are linked into the
    /// drop list and dropped at the reset or the scope's close; for a
    /// `vec_no_drop` they are never dropped. The unused capacity goes back
    /// to the arena when the block is its last.
    ///
    /// ```
    /// let blink = blink_alloc::Blink::new();
    /// let mut numbers = blink.vec::<u32>();
    /// numbers.reserve(1000);
    /// numbers.extend([1, 2, 3]);
    /// let numbers: &mut [u32] = numbers.into_slice();
    /// assert_eq!(numbers, [1, 2, 3]);
    /// assert_eq!(blink.allocator().stats().used_bytes, 12);
    /// ```
    #[inline]
    pub fn into_slice(self) -> &'o mut [T] {
        let mut this = ManuallyDrop::new(self);
        let len = this.len;
        if this.block_size != 0 {
            if len == 0 {
                // SAFETY: the vector's live block, holding no value.
                unsafe { this.blink.alloc.deallocate(this.block, this.block_size) };
                this.block_size = 0;
            } else {
                if size_of::<T>() != 0 && len < this.cap {
                    if let Some(layout) = this.layout_for(len) {
                        // A shrink that keeps the alignment stays in place
                        // and never fails (a `BlinkAllocator` promise),
                        // giving back the rest at the tip.
                        // SAFETY: the vector's live block of `layout()`.
                        let shrunk =
                            unsafe { this.blink.alloc.resize(this.block, this.layout(), layout) };
                        if let Ok(block) = shrunk {
                            // In place: `first` stays where it was.
                            debug_assert_eq!(block.cast::<u8>(), this.block);
                            this.block_size = layout.size();
                        }
                    }
                }
                if this.with_header {
                    // SAFETY: the block starts with room for a header and
                    // holds `len` initialised values at `value_offset`
                    // (`block_layout::<T>(len)` at least); the arena keeps it
                    // until the `Blink` resets or the scope closes, which
                    // drop the list first, and the values are reachable only
                    // through the slice returned below. The constructor's
                    // caller checked `T` against the list's bound.
                    unsafe { this.blink.drops.push::<T>(this.block.cast(), len) };
                }
            }
        }
        // SAFETY: `len` initialised values start at `first`, aligned and
        // non-null. The caller of the constructor chose `'o` so that the
        // arena keeps the block for it; the vector is consumed, so this is
        // the only reference to the values.
        unsafe { &mut *ptr::slice_from_raw_parts_mut(this.first(), len) }
    }
}

impl<T, A: BlinkAllocator> Drop for BlinkVec<'_, '_, T, A> {
    fn drop(&mut self) {
        /// Gives the block back after the values, also if one panics.
        struct Release<'v, 'a, 'o, T, A: BlinkAllocator>(&'v mut BlinkVec<'a, 'o, T, A>);
        impl<T, A: BlinkAllocator> Drop for Release<'_, '_, '_, T, A> {
            fn drop(&mut self) {
                if self.0.block_size != 0 {
                    // SAFETY: the vector's live block; its values are
                    // dropped, and it is never used again.
                    unsafe {
                        self.0
                            .blink
                            .alloc
                            .deallocate(self.0.block, self.0.block_size)
                    };
                }
            }
        }
        let release = Release(self);
        release.0.clear();
    }
}

impl<T, A: BlinkAllocator> Deref for BlinkVec<'_, '_, T, A> {
    type Target = [T];

    #[inline(always)]
    fn deref(&self) -> &[T] {
        self.as_slice()
    }
}

impl<T, A: BlinkAllocator> DerefMut for BlinkVec<'_, '_, T, A> {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut [T] {
        self.as_mut_slice()
    }
}

/// Reserves room for the iterator's lower size hint, then pushes each
/// item; the hint only sizes the first growth, every push checks room. A
/// panicking iterator leaves the items pushed so far in the vector.
impl<T, A: BlinkAllocator> Extend<T> for BlinkVec<'_, '_, T, A> {
    #[inline]
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        let iter = iter.into_iter();
        let (lower, _) = iter.size_hint();
        if lower > self.cap - self.len {
            // Only a guess: if it cannot be met, pushing one by one decides.
            let _ = self.try_reserve(lower);
        }
        iter.for_each(|item| self.push(item));
    }
}

impl<T: fmt::Debug, A: BlinkAllocator> fmt::Debug for BlinkVec<'_, '_, T, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_slice(), f)
    }
}

impl<A: BlinkAllocator> Blink<A> {
    /// A growable vector at the arena's tip; see [`BlinkVec`]. Values left
    /// in it at [`into_slice`](BlinkVec::into_slice) are dropped when the
    /// `Blink` resets, so, as for [`put`](Self::put), `T: 'static`; values
    /// that borrow go through [`vec_no_drop`](Self::vec_no_drop).
    ///
    /// ```
    /// let blink = blink_alloc::Blink::new();
    /// let mut lines = blink.vec();
    /// for i in 0..3 {
    ///     lines.push(format!("line {i}"));
    /// }
    /// assert_eq!(lines.pop().as_deref(), Some("line 2"));
    /// let lines = lines.into_slice();
    /// assert_eq!(lines.len(), 2);
    /// ```
    ///
    /// ```compile_fail
    /// let blink = blink_alloc::Blink::new();
    /// let text = String::from("x");
    /// let mut refs = blink.vec();
    /// refs.push(vec![text.as_str()]); // would be dropped at the reset
    /// ```
    #[inline(always)]
    pub fn vec<T: 'static>(&self) -> BlinkVec<'_, '_, T, A> {
        // The block lives until the `Blink` resets, which needs `&mut`, and
        // drops the list first; `T: 'static` is the list's bound.
        BlinkVec::new(self, true)
    }

    /// A growable vector whose values are never dropped once
    /// [`into_slice`](BlinkVec::into_slice) hands them out; they may
    /// borrow, the arena included. A vector dropped before `into_slice`
    /// still drops its values.
    ///
    /// ```
    /// let blink = blink_alloc::Blink::new();
    /// let text = blink.copy_str("a b c");
    /// let mut words = blink.vec_no_drop();
    /// words.extend(text.split(' '));
    /// assert_eq!(words.into_slice(), ["a", "b", "c"]);
    /// ```
    #[inline(always)]
    pub fn vec_no_drop<T>(&self) -> BlinkVec<'_, '_, T, A> {
        // The values are never linked into the list.
        BlinkVec::new(self, false)
    }
}

impl<'p, 's, A: BlinkAllocator> BlinkScope<'p, 's, A> {
    /// A growable vector in the scope; its values are dropped when the
    /// scope closes, so they may borrow anything that outlives the scope,
    /// as for [`emplace`](Self::emplace). It borrows the handle, so it
    /// cannot grow inside a nested scope; the slice from
    /// [`into_slice`](BlinkVec::into_slice) lives for the whole scope.
    ///
    /// ```
    /// let outside = String::from("borrowed");
    /// let mut blink = blink_alloc::Blink::new();
    /// blink.scope(|frame| {
    ///     let mut refs = frame.vec();
    ///     refs.push(vec![outside.as_str()]);
    ///     let refs = refs.into_slice();
    ///     frame.scope(|_inner| assert_eq!(refs[0], ["borrowed"]));
    /// });
    /// ```
    #[inline(always)]
    pub fn vec<T: 'p>(&self) -> BlinkVec<'_, 's, T, A> {
        // The block lives until the scope closes, which drops the scope's
        // values first; `T: 'p` is the scope's bound for values with drop.
        // The vector borrows the handle, so it cannot allocate inside a
        // nested scope, whose close would rewind it.
        BlinkVec::new(self.blink(), true)
    }

    /// A growable vector in the scope whose values are never dropped once
    /// handed out; they may borrow the scope. Like [`Blink::vec_no_drop`].
    ///
    /// ```
    /// let mut blink = blink_alloc::Blink::new();
    /// blink.scope(|frame| {
    ///     let word = frame.copy_str("scoped");
    ///     let mut refs = frame.vec_no_drop();
    ///     refs.push(&*word);
    ///     assert_eq!(refs.into_slice(), ["scoped"]);
    /// });
    /// ```
    #[inline(always)]
    pub fn vec_no_drop<T: 's>(&self) -> BlinkVec<'_, 's, T, A> {
        BlinkVec::new(self.blink(), false)
    }
}
