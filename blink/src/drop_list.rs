//! The intrusive list of values to drop, living in the arena itself.
//!
//! Every value that needs drop is placed after a [`DropHeader`] in the same
//! arena block; the headers link into a list, newest first. A header covers
//! a *run* of values of one type laid out back to back: a slice from
//! `from_iter`, or values put one after another, which extend the newest run
//! when the arena places them right after it. Types that need no drop get no
//! header and pay nothing.
//!
//! A run is measured by *positions*: the position of value `i` of a run of
//! `T` is `i * size_of::<T>()` bytes past the run's first value (`i` bytes
//! for a zero-sized `T`, whose values are all at the first address), and
//! the run ends at the position after its last value. The list keeps the
//! newest run's end and drop function in itself, so that extending that run
//! touches no header: a header stores where the run *below* it ends.
//!
//! Values are dropped in reverse order of placement: runs newest first, and
//! each run from its last value to its first. Only the newest run ever
//! grows, and a value joins the list only once it is in place: a value made
//! by a closure (`Emplace::with`) after what the closure placed, a slice
//! from `from_iter` after what its iterator placed.

use core::{
    alloc::Layout,
    cell::Cell,
    mem::{needs_drop, size_of},
    ptr::{self, NonNull},
};

/// Drops the values of a run between two positions: from `from` (null for
/// the run's start) up to `to`.
type DropFn = unsafe fn(NonNull<DropHeader>, *mut u8, *mut u8);

/// Header in front of a run of values to drop.
#[repr(C)]
pub(crate) struct DropHeader {
    /// The run below this one.
    next: Option<NonNull<DropHeader>>,
    /// Where the run `next` ends; meaningless when `next` is `None`.
    next_end: *mut u8,
    /// Drops values of this run; `drop_values` of its type.
    drop: DropFn,
}

impl DropHeader {
    fn next(header: NonNull<Self>) -> (Option<NonNull<Self>>, *mut u8) {
        // SAFETY: callers hold a header of the list, which is live and fully
        // written; only raw field pointers are used, keeping the provenance
        // of the whole block.
        unsafe {
            (
                ptr::addr_of!((*header.as_ptr()).next).read(),
                ptr::addr_of!((*header.as_ptr()).next_end).read(),
            )
        }
    }

    fn drop_fn(header: NonNull<Self>) -> DropFn {
        // SAFETY: as in `next`.
        unsafe { ptr::addr_of!((*header.as_ptr()).drop).read() }
    }
}

/// Layout of a block that holds a header and `count` values of `T`, and the
/// offset of the first value in it. `None` on overflow.
#[inline(always)]
pub(crate) fn block_layout<T>(count: usize) -> Option<(Layout, usize)> {
    let values = Layout::array::<T>(count).ok()?;
    Layout::new::<DropHeader>().extend(values).ok()
}

/// Offset of the first value after a header, for values of `T`.
#[inline(always)]
pub(crate) const fn value_offset<T>() -> usize {
    let align = core::mem::align_of::<T>();
    (size_of::<DropHeader>() + align - 1) & !(align - 1)
}

/// Bytes between the positions of two neighbouring values of `T`.
#[inline(always)]
const fn stride<T>() -> usize {
    if size_of::<T>() == 0 {
        1
    } else {
        size_of::<T>()
    }
}

/// Address of the first value of a run of `T` behind `header`, with the
/// provenance of the header's block.
#[inline(always)]
fn first_value<T>(header: NonNull<DropHeader>) -> *mut u8 {
    header
        .as_ptr()
        .cast::<u8>()
        .wrapping_add(value_offset::<T>())
}

/// Position `index` of a run of `T` behind `header`.
#[inline(always)]
pub(crate) fn position<T>(header: NonNull<DropHeader>, index: usize) -> *mut u8 {
    first_value::<T>(header).wrapping_add(index.wrapping_mul(stride::<T>()))
}

/// Drops the values of the run of `T` behind `header` from position `from`
/// (null for the first value) up to position `to`, last first. If one
/// panics, the rest are still dropped.
///
/// # Safety
///
/// `header` must be a live header of a run of `T`; `from` (when not null)
/// and `to` positions of it, `from <= to`, derived from the header's block;
/// the values between them initialised, not yet dropped, and never used
/// again.
unsafe fn drop_values<T>(header: NonNull<DropHeader>, from: *mut u8, to: *mut u8) {
    /// On unwind, drops the values not yet reached, newest first as the
    /// loop below would have (a second panic aborts, as in a slice's drop).
    struct Rest<T> {
        first: *mut T,
        len: usize,
    }
    impl<T> Drop for Rest<T> {
        fn drop(&mut self) {
            while self.len > 0 {
                self.len -= 1;
                // SAFETY: the values `first..first+len` are initialised and
                // were not dropped (the loop below stops before them); each
                // leaves `len` before it is dropped, so it is dropped once.
                unsafe { ptr::drop_in_place(self.first.add(self.len)) };
            }
        }
    }
    let from = if from.is_null() {
        first_value::<T>(header)
    } else {
        from
    };
    let len = (to.addr() - from.addr()) / stride::<T>();
    // Zero-sized values all sit at the first (well-aligned) address.
    let first = if size_of::<T>() == 0 {
        first_value::<T>(header)
    } else {
        from
    };
    let mut rest = Rest {
        first: first.cast::<T>(),
        len,
    };
    while rest.len > 0 {
        rest.len -= 1;
        // SAFETY: value `len` from `from` is in the run (caller) and not
        // dropped; `rest` no longer covers it, so it is dropped exactly once.
        unsafe { ptr::drop_in_place(rest.first.add(rest.len)) };
    }
}

/// The drop function of an empty list. It is never called (an empty list
/// drops nothing), and panicking, it cannot share its code, and so its
/// address, with any `drop_values`: no type's run matches an empty list.
unsafe fn no_run(_: NonNull<DropHeader>, _: *mut u8, _: *mut u8) {
    unreachable!("blink: the empty drop list has no run to drop")
}

/// The drop function of runs of `T`, the key that runs are joined by.
///
/// A constant, not `drop_values::<T> as DropFn` at each use. A function
/// pointer made at run time may differ from another made for the same
/// function: a compiler may emit a generic function more than once, and
/// Miri models that by giving each such cast one of 32 addresses, so runs
/// joined about once in 32 tries under Miri and its tests barely reached
/// the joining paths. A constant is evaluated at compile time, where Miri
/// (as of nightly 2026-05) gives the function one address, so every use
/// reads the same pointer: runs of `T` join under Miri as natively, where
/// the function exists once per crate. `TypeId` would tell types apart
/// everywhere, but needs `'static`, which values in scopes and those of
/// `emplace_unchecked` are not; a key made of size and alignment would
/// not tell types apart at all.
///
/// Soundness does not rest on the key: equal pointers mean the same code,
/// whatever the type, and unequal pointers for one type only cost a join
/// (the value gets a header of its own).
struct RunOf<T>(core::marker::PhantomData<T>);

impl<T> RunOf<T> {
    const DROP: DropFn = drop_values::<T>;
}

/// Where the newest run of an empty list ends: never a run's end, and never
/// dereferenced.
const NO_END: *mut u8 = ptr::without_provenance_mut(1);

/// The address of a run's header, null for none: compares in one step.
#[inline(always)]
fn raw(header: Option<NonNull<DropHeader>>) -> *mut DropHeader {
    header.map_or(ptr::null_mut(), NonNull::as_ptr)
}

/// The list of runs, newest first.
pub(crate) struct DropList {
    head: Cell<Option<NonNull<DropHeader>>>,
    /// Where the newest run ends.
    end: Cell<*mut u8>,
    /// The drop function of the newest run.
    drop: Cell<DropFn>,
}

/// A position in the list: the newest run and its end then. Values placed
/// after it are dropped by [`DropList::drop_until`].
#[derive(Clone, Copy)]
pub(crate) struct DropMark {
    head: Option<NonNull<DropHeader>>,
    end: *mut u8,
}

impl Default for DropList {
    fn default() -> Self {
        Self::new()
    }
}

impl DropList {
    pub(crate) const fn new() -> Self {
        DropList {
            head: Cell::new(None),
            end: Cell::new(NO_END),
            drop: Cell::new(no_run),
        }
    }

    /// Links a run of `count` values of `T`, stored `value_offset::<T>()`
    /// bytes after `header`, to be dropped later. Does nothing for types
    /// without drop.
    ///
    /// # Safety
    ///
    /// `header` must start a block of at least `block_layout::<T>(count)`
    /// whose values are initialised, and the block and the values must stay
    /// valid and otherwise untouched by drops until the list drops them.
    #[inline(always)]
    pub(crate) unsafe fn push<T>(&self, header: NonNull<DropHeader>, count: usize) {
        if !needs_drop::<T>() {
            return;
        }
        // SAFETY: the block starts with room for a header (caller); a raw
        // write keeps the provenance of the whole block for the values.
        unsafe {
            header.as_ptr().write(DropHeader {
                next: self.head.get(),
                next_end: self.end.get(),
                drop: RunOf::<T>::DROP,
            })
        };
        self.head.set(Some(header));
        self.end.set(position::<T>(header, count));
        self.drop.set(RunOf::<T>::DROP);
    }

    /// Where the newest run ends, if it holds values of `T`: for a sized
    /// `T`, where the next value must land to extend it.
    ///
    /// Runs are told apart by their drop function, [`RunOf::DROP`]. Should
    /// the compiler fold the functions of two types into one, their code is
    /// the same, stride included, so the run is still dropped exactly as
    /// each type would be. An empty list has a drop function that matches
    /// no type's. Two pointers to one type's function that compare unequal
    /// only cost a join (the value gets a header of its own).
    #[inline(always)]
    pub(crate) fn run_end<T>(&self) -> Option<*mut u8> {
        let same = ptr::fn_addr_eq(self.drop.get(), RunOf::<T>::DROP);
        same.then(|| self.end.get())
    }

    /// Moves the end of the newest run, a run of `T`, to `end`, after
    /// placing values of `T` between the old end and `end`.
    ///
    /// # Safety
    ///
    /// The newest run must hold values of `T` (as `run_end` said), and `end`
    /// must be a later position of it, derived from its end or from the
    /// pointer of a block that the arena placed at its end (`allocate_at`,
    /// and a shrink in place of such a block), with initialised values from
    /// the old end up to it, in memory that lives as long as the run.
    #[inline(always)]
    pub(crate) unsafe fn set_end(&self, end: *mut u8) {
        self.end.set(end);
    }

    /// How many runs the list holds: one walk over their headers.
    pub(crate) fn run_count(&self) -> usize {
        let mut count = 0;
        let mut run = self.head.get();
        while let Some(header) = run {
            count += 1;
            run = DropHeader::next(header).0;
        }
        count
    }

    /// Where the list stands now.
    #[inline(always)]
    pub(crate) fn mark(&self) -> DropMark {
        DropMark {
            head: self.head.get(),
            end: self.end.get(),
        }
    }

    /// Whether no value was placed since `mark`, a mark of this list with
    /// no `drop_until` to an older mark since: the list only grows after a
    /// mark, so the same newest run with the same end means nothing new
    /// (ends only move forward).
    #[inline(always)]
    pub(crate) fn unchanged_since(&self, mark: DropMark) -> bool {
        // Both differences at once: one branch, not two.
        let head = raw(self.head.get()).addr() ^ raw(mark.head).addr();
        let end = self.end.get().addr() ^ mark.end.addr();
        head | end == 0
    }

    /// Drops every value placed after `mark`, newest first. If a drop
    /// panics, the others are still dropped and the first panic goes on.
    ///
    /// # Safety
    ///
    /// `mark` must come from this list, with no `drop_until` to an older
    /// mark since; the values placed after it must not be used again.
    #[inline(always)]
    pub(crate) unsafe fn drop_until(&self, mark: DropMark) {
        if !self.unchanged_since(mark) {
            // SAFETY: forwarded from the caller.
            unsafe { self.drop_until_slow(mark) }
        }
    }

    /// # Safety
    ///
    /// As [`drop_until`](Self::drop_until).
    #[cold]
    #[inline(never)]
    unsafe fn drop_until_slow(&self, mark: DropMark) {
        /// Keeps dropping if a `Drop` panics.
        struct Continue<'a> {
            list: &'a DropList,
            mark: DropMark,
        }
        impl Drop for Continue<'_> {
            fn drop(&mut self) {
                // SAFETY: same list and mark as the interrupted call, which
                // updated the list before each drop.
                unsafe { self.list.drop_until_slow(self.mark) }
            }
        }

        let guard = Continue { list: self, mark };
        while let Some(header) = self.head.get() {
            let end = self.end.get();
            let drop = self.drop.get();
            // Detach the values first, so that a panicking drop never runs
            // them twice.
            let from = if Some(header) == mark.head {
                // The run the mark saw: drop only what was added since.
                if end == mark.end {
                    break;
                }
                self.end.set(mark.end);
                mark.end
            } else {
                let (next, next_end) = DropHeader::next(header);
                self.head.set(next);
                self.end.set(next_end);
                self.drop
                    .set(next.map_or(no_run as DropFn, DropHeader::drop_fn));
                ptr::null_mut()
            };
            // SAFETY: `drop` is the run's `drop_values`, of its type; `from`
            // (or its start) and `end` are positions of the run derived from
            // its block, with the values between them initialised and now
            // detached from the list.
            unsafe { drop(header, from, end) };
        }
        core::mem::forget(guard);
    }

    /// Drops every value in the list.
    ///
    /// # Safety
    ///
    /// No value in the list may be used again.
    #[inline]
    pub(crate) unsafe fn drop_all(&self) {
        let empty = DropMark {
            head: None,
            end: NO_END,
        };
        if self.head.get().is_some() {
            // SAFETY: forwarded from the caller; the empty mark is the oldest.
            unsafe { self.drop_until_slow(empty) }
        }
    }
}
