//! The intrusive list of values to drop, living in the arena itself.
//!
//! Every value that needs drop is placed after a [`DropHeader`] in the same
//! arena block; the headers link into a list, newest first. A header covers
//! a *run* of `count` values of one type laid out back to back: a slice from
//! `from_iter`, or values put one after another, which extend the newest run
//! when the arena places them right after it. Types that need no drop get no
//! header and pay nothing.
//!
//! Values are dropped in reverse order of placement: runs newest first, and
//! each run from its last value to its first.

use core::{
    alloc::Layout,
    cell::Cell,
    mem::{needs_drop, size_of},
    ptr::{self, NonNull},
};

/// Header in front of a run of values to drop.
#[repr(C)]
pub(crate) struct DropHeader {
    next: Option<NonNull<DropHeader>>,
    /// Drops the values with indices `from..to` that follow the header.
    drop: unsafe fn(NonNull<DropHeader>, usize, usize),
    count: usize,
}

impl DropHeader {
    fn count(header: NonNull<Self>) -> usize {
        // SAFETY: callers hold a header of the list, which is live and fully
        // written; only raw field pointers are used, keeping the provenance
        // of the whole block.
        unsafe { ptr::addr_of!((*header.as_ptr()).count).read() }
    }

    fn set_count(header: NonNull<Self>, count: usize) {
        // SAFETY: as in `count`; the list is the only writer.
        unsafe { ptr::addr_of_mut!((*header.as_ptr()).count).write(count) }
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

/// Address of value `index` of a run of `T` behind `header`, with the
/// provenance of the header's block.
#[inline(always)]
fn value_ptr<T>(header: NonNull<DropHeader>, index: usize) -> *mut T {
    header
        .as_ptr()
        .cast::<u8>()
        .wrapping_add(value_offset::<T>())
        .cast::<T>()
        .wrapping_add(index)
}

/// Drops values `from..to` of the run of `T` behind `header`, last first.
/// If one panics, the rest are still dropped.
///
/// # Safety
///
/// `header` must be a live header of a run of `T` whose values `from..to`
/// are initialised and not yet dropped; they must not be used again.
unsafe fn drop_values<T>(header: NonNull<DropHeader>, from: usize, to: usize) {
    /// On unwind, drops the values not yet reached.
    struct Rest<T> {
        first: *mut T,
        len: usize,
    }
    impl<T> Drop for Rest<T> {
        fn drop(&mut self) {
            // SAFETY: the values `first..first+len` are initialised and were
            // not dropped (the loop below stops before them).
            unsafe { ptr::drop_in_place(ptr::slice_from_raw_parts_mut(self.first, self.len)) }
        }
    }
    let mut rest = Rest {
        first: value_ptr::<T>(header, from),
        len: to - from,
    };
    while rest.len > 0 {
        rest.len -= 1;
        // SAFETY: value `from + len` is in the run (caller) and not dropped;
        // `rest` no longer covers it, so it is dropped exactly once.
        unsafe { ptr::drop_in_place(rest.first.add(rest.len)) };
    }
}

/// The list of headers, newest first.
#[derive(Default)]
pub(crate) struct DropList {
    head: Cell<Option<NonNull<DropHeader>>>,
}

/// A position in the list: the newest run and its length then. Values
/// placed after it are dropped by [`DropList::drop_until`].
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct DropMark {
    head: Option<NonNull<DropHeader>>,
    count: usize,
}

impl DropList {
    pub(crate) const fn new() -> Self {
        DropList {
            head: Cell::new(None),
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
                drop: drop_values::<T>,
                count,
            })
        };
        self.head.set(Some(header));
    }

    /// The newest run if it holds values of `T`, with the address right
    /// after its last value: where a value must land to extend it.
    ///
    /// Runs are told apart by their drop function. Should the compiler fold
    /// the functions of two types into one, their code is the same, stride
    /// included, so the run is still dropped exactly as each type would be.
    #[inline(always)]
    pub(crate) fn run_end<T>(&self) -> Option<(NonNull<DropHeader>, NonNull<u8>)> {
        let header = self.head.get()?;
        // SAFETY: the head is a live, fully written header.
        let drop = unsafe { ptr::addr_of!((*header.as_ptr()).drop).read() };
        let same = ptr::fn_addr_eq(drop, drop_values::<T> as unsafe fn(_, _, _));
        if !same {
            return None;
        }
        let end = value_ptr::<T>(header, DropHeader::count(header)).cast::<u8>();
        // SAFETY: the end of a run inside an allocation is not null.
        Some((header, unsafe { NonNull::new_unchecked(end) }))
    }

    /// Adds the value just written at the end of `header`'s run.
    ///
    /// # Safety
    ///
    /// `header` must be a run of `T` in this list, and an initialised value
    /// of `T` must sit right after its last value, in memory that lives as
    /// long as the run.
    #[inline(always)]
    pub(crate) unsafe fn extend_run(&self, header: NonNull<DropHeader>) {
        DropHeader::set_count(header, DropHeader::count(header) + 1);
    }

    pub(crate) fn mark(&self) -> DropMark {
        let head = self.head.get();
        DropMark {
            head,
            count: head.map_or(0, DropHeader::count),
        }
    }

    /// Drops every value placed after `mark`, newest first. If a drop
    /// panics, the others are still dropped and the first panic goes on.
    ///
    /// # Safety
    ///
    /// `mark` must come from this list, with no `drop_until` to an older
    /// mark since; the values placed after it must not be used again.
    pub(crate) unsafe fn drop_until(&self, mark: DropMark) {
        /// Keeps dropping if a `Drop` panics.
        struct Continue<'a> {
            list: &'a DropList,
            mark: DropMark,
        }
        impl Drop for Continue<'_> {
            fn drop(&mut self) {
                // SAFETY: same list and mark as the interrupted call, which
                // updated the list before each drop.
                unsafe { self.list.drop_until(self.mark) }
            }
        }

        let guard = Continue { list: self, mark };
        while let Some(header) = self.head.get() {
            let count = DropHeader::count(header);
            let from = if Some(header) == mark.head {
                // The run the mark saw: drop only what was added since.
                if count == mark.count {
                    break;
                }
                mark.count
            } else {
                0
            };
            // Detach the values first, so that a panicking drop never runs
            // them twice.
            if from == 0 {
                // SAFETY: a live header of the list.
                let next = unsafe { ptr::addr_of!((*header.as_ptr()).next).read() };
                self.head.set(next);
            } else {
                DropHeader::set_count(header, from);
            }
            // SAFETY: a live header; `drop` was written with the run's type
            // and `from..count` are its initialised values, now detached.
            unsafe {
                let drop = ptr::addr_of!((*header.as_ptr()).drop).read();
                drop(header, from, count);
            }
        }
        core::mem::forget(guard);
    }

    /// Drops every value in the list.
    ///
    /// # Safety
    ///
    /// No value in the list may be used again.
    pub(crate) unsafe fn drop_all(&self) {
        let empty = DropMark {
            head: None,
            count: 0,
        };
        // SAFETY: forwarded from the caller; the empty mark is the oldest.
        unsafe { self.drop_until(empty) }
    }
}
