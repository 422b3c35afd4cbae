//! Growing a block at the arena's tip: how `BlinkVec` and `BlinkString`
//! get more room, and the block layout they and `from_iter`'s slice
//! builder share.

use core::{alloc::Layout, ptr::NonNull};

use allocator_api2::alloc::AllocError;

use crate::{api::BlinkAllocator, drop_list::block_layout};

/// The layout of a block of `cap` values of `T`, after a drop header when
/// `with_header`, or `None` on overflow.
#[inline(always)]
pub(super) fn slice_layout<T>(with_header: bool, cap: usize) -> Option<Layout> {
    if with_header {
        block_layout::<T>(cap).map(|(layout, _)| layout)
    } else {
        Layout::array::<T>(cap).ok()
    }
}

/// A block of `new`: a fresh one while there is none (`old` of size 0),
/// else `block` resized, in place while it is the arena's last block.
///
/// # Safety
///
/// If `old.size() != 0`, `block` must be a live block of `alloc` allocated
/// (or last resized) with `old`. On success the old block must no longer be
/// used: what it held is in the new one, moved bitwise.
#[inline(always)]
pub(super) unsafe fn grow_block<A: BlinkAllocator>(
    alloc: &A,
    block: NonNull<u8>,
    old: Layout,
    new: Layout,
) -> Result<NonNull<[u8]>, AllocError> {
    if old.size() == 0 {
        alloc.allocate(new)
    } else {
        // SAFETY: forwarded from the caller.
        unsafe { alloc.resize(block, old, new) }
    }
}

/// Grows a capacity of `cap` by `least` or more through `grow_by`, which
/// is given the step: first the larger of `cap`, `min` and `least`; while
/// the arena cannot give that, half as much, down to `least`. A block at
/// the tip of a chunk thus fills the chunk before it needs another: it
/// never needs more free room than it ends up holding.
#[inline(always)]
pub(super) fn grow_amortized(
    cap: usize,
    least: usize,
    min: usize,
    mut grow_by: impl FnMut(usize) -> Result<(), AllocError>,
) -> Result<(), AllocError> {
    let mut step = cap.max(min).max(least);
    loop {
        match grow_by(step) {
            Err(error) if step == least => return Err(error),
            Err(_) => step = (step / 2).max(least),
            Ok(()) => return Ok(()),
        }
    }
}
