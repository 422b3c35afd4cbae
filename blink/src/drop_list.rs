//! The intrusive list of values to drop, living in the arena itself.
//!
//! Every value that needs drop is placed right after a [`DropHeader`] in the
//! same arena block; the headers link into a list, newest first. Types that
//! need no drop get no header and pay nothing.

use core::{
    alloc::Layout,
    cell::Cell,
    mem::{needs_drop, size_of},
    ptr::{self, NonNull},
};

/// Header in front of one value or one slice of values to drop.
#[repr(C)]
pub(crate) struct DropHeader {
    next: Option<NonNull<DropHeader>>,
    /// Drops the `count` values that follow the header.
    drop: unsafe fn(NonNull<DropHeader>),
    count: usize,
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

/// Drops the `count` values of `T` that follow `header`.
///
/// # Safety
///
/// `header` must be a header written by [`DropList::push`] for values of `T`
/// whose block is still live, and the values must not have been dropped.
unsafe fn drop_values<T>(header: NonNull<DropHeader>) {
    // SAFETY: the header is live (caller) and was fully written by `push`.
    let count = unsafe { ptr::addr_of!((*header.as_ptr()).count).read() };
    let first = header
        .cast::<u8>()
        .as_ptr()
        .wrapping_add(value_offset::<T>())
        .cast::<T>();
    // SAFETY: `push` was given `count` initialised values of `T` at this
    // offset in the header's block (caller); they are dropped exactly once
    // because the list unlinks a header before dropping its values.
    unsafe { ptr::drop_in_place(ptr::slice_from_raw_parts_mut(first, count)) }
}

/// The list of headers, newest first.
#[derive(Default)]
pub(crate) struct DropList {
    head: Cell<Option<NonNull<DropHeader>>>,
}

/// A position in the list; values pushed after it are dropped by
/// [`DropList::drop_until`].
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct DropMark(Option<NonNull<DropHeader>>);

impl DropList {
    pub(crate) const fn new() -> Self {
        DropList {
            head: Cell::new(None),
        }
    }

    /// Links `count` values of `T`, stored `value_offset::<T>()` bytes after
    /// `header`, to be dropped later. Does nothing for types without drop.
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

    pub(crate) fn mark(&self) -> DropMark {
        DropMark(self.head.get())
    }

    /// Drops every value pushed after `mark`, newest first. If a drop panics,
    /// the others are still dropped and the first panic goes on.
    ///
    /// # Safety
    ///
    /// `mark` must come from this list, with no `drop_until` to an older
    /// mark since; the values pushed after it must not be used again.
    pub(crate) unsafe fn drop_until(&self, mark: DropMark) {
        /// Keeps dropping if a `Drop` panics.
        struct Continue<'a> {
            list: &'a DropList,
            mark: DropMark,
        }
        impl Drop for Continue<'_> {
            fn drop(&mut self) {
                // SAFETY: same list and mark as the interrupted call.
                unsafe { self.list.drop_until(self.mark) }
            }
        }

        let guard = Continue { list: self, mark };
        while let Some(header) = self.head.get() {
            if DropMark(Some(header)) == mark {
                break;
            }
            // Unlink first, so that a panicking drop never runs twice.
            // SAFETY: the header is live: its block outlives the list entry.
            let next = unsafe { ptr::addr_of!((*header.as_ptr()).next).read() };
            self.head.set(next);
            // SAFETY: as above; `drop` was written with the values' type.
            unsafe {
                let drop = ptr::addr_of!((*header.as_ptr()).drop).read();
                drop(header);
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
        // SAFETY: forwarded from the caller; the empty mark is the oldest.
        unsafe { self.drop_until(DropMark(None)) }
    }
}
