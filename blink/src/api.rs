//! The `BlinkAllocator` trait: what `Blink` needs from an arena.

use core::{alloc::Layout, ptr::NonNull};

use allocator_api2::alloc::AllocError;

use crate::arena::Checkpoint;

/// An arena allocator: blocks stay valid until `reset`, which frees them all.
///
/// # Safety
///
/// An implementation must guarantee that
/// - a block returned by `allocate`, `allocate_zeroed` or `resize` is valid
///   for reads and writes of the requested size, aligned as requested, and
///   does not overlap any other live block;
/// - a block stays valid until it is deallocated, resized, rewound past or
///   reset, or the allocator is dropped, whichever comes first;
/// - `resize` keeps the contents up to the smaller of the two sizes, and a
///   resize to a smaller size with an alignment that `ptr` already satisfies
///   never fails and never moves the block;
/// - `rewind` either does nothing or frees exactly the blocks allocated
///   after the checkpoint;
/// - `allocate_at` returns `true` only if it allocated a block for `layout`
///   at `ptr`, as `allocate` would have, that may be used through `ptr`
///   itself. Callers pass the end of an earlier block of this allocator,
///   derived from that block's pointer, so the two blocks must lie in one
///   allocation of the allocator's own (as blocks bumped from one chunk do).
///
/// # Example
///
/// Every arena of this crate implements it, and so do references to one
/// (`reset` through `&A` does nothing). One example shows every method; each
/// method's documentation points here.
///
/// ```
/// use core::alloc::Layout;
/// use blink_alloc::{BlinkAlloc, BlinkAllocator};
///
/// fn cycle<A: BlinkAllocator>(arena: &mut A) {
///     let bytes = Layout::new::<[u8; 8]>();
///     let zeroed = arena.allocate_zeroed(bytes).unwrap();
///     // SAFETY: a live block of 8 bytes, zero-filled.
///     assert_eq!(unsafe { zeroed.cast::<[u8; 8]>().read() }, [0; 8]);
///
///     // SAFETY: `zeroed` is a live block of this allocator, allocated with
///     // `bytes`; it is only used through the result from now on.
///     let grown = unsafe { arena.resize(zeroed.cast(), bytes, Layout::new::<[u8; 16]>()) };
///     let grown = grown.unwrap();
///     // SAFETY: `resize` kept the first 8 bytes.
///     assert_eq!(unsafe { grown.cast::<[u8; 8]>().read() }, [0; 8]);
///
///     // The next block may go right after `grown`; the default says no.
///     // SAFETY: one past the end of `grown`, in the same block.
///     let end = unsafe { grown.cast::<u8>().add(16) };
///     let _joined: bool = arena.allocate_at(end, Layout::new::<u8>());
///
///     let mark = arena.checkpoint();
///     let scratch = arena.allocate(Layout::new::<u64>()).unwrap();
///     // SAFETY: a live block of 8 bytes, never used again.
///     unsafe { arena.deallocate(scratch.cast(), 8) };
///     // SAFETY: `mark` is this allocator's, with no reset or rewind since,
///     // and nothing allocated after it is used again.
///     unsafe { arena.rewind(mark) };
///
///     arena.reset(); // every block above is gone
/// }
///
/// let mut blink = BlinkAlloc::new();
/// cycle(&mut blink);
/// assert_eq!(blink.stats().used_bytes, 0);
/// ```
pub unsafe trait BlinkAllocator {
    /// Allocates a block for `layout`. See the [trait's
    /// example](BlinkAllocator#example).
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError>;

    /// Allocates a block for `layout`, like [`allocate`](Self::allocate),
    /// for a caller whose layout is known at compile time (`Blink` places
    /// its values this way): an arena may then take a shorter path. Any
    /// layout is correct. The default calls `allocate`.
    ///
    /// ```
    /// use core::alloc::Layout;
    /// use blink_alloc::{BlinkAlloc, BlinkAllocator};
    ///
    /// let arena = BlinkAlloc::new();
    /// let block = BlinkAllocator::allocate_known(&arena, Layout::new::<u64>()).unwrap();
    /// assert_eq!(block.len(), 8);
    /// ```
    #[inline(always)]
    fn allocate_known(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        self.allocate(layout)
    }

    /// Allocates a block for `layout`, known at compile time, if the arena
    /// can do so on its fast path; `None` when it would need its slow path
    /// (a new chunk, a call to its base allocator), which only
    /// [`allocate_known`](Self::allocate_known) takes. A caller can then
    /// keep everything a miss needs out of line. The default tries
    /// `allocate_known`.
    ///
    /// ```
    /// use core::alloc::Layout;
    /// use blink_alloc::{BlinkAlloc, BlinkAllocator};
    ///
    /// let arena = BlinkAlloc::new();
    /// let layout = Layout::new::<u64>();
    /// // A new arena has no chunk yet: its first block needs the slow path.
    /// assert!(BlinkAllocator::allocate_known_fast(&arena, layout).is_none());
    /// BlinkAllocator::allocate_known(&arena, layout).unwrap();
    /// assert!(BlinkAllocator::allocate_known_fast(&arena, layout).is_some());
    /// ```
    #[inline(always)]
    fn allocate_known_fast(&self, layout: Layout) -> Option<NonNull<u8>> {
        self.allocate_known(layout).ok().map(NonNull::cast)
    }

    /// Allocates a zero-filled block for `layout`. See the [trait's
    /// example](BlinkAllocator#example).
    #[inline]
    fn allocate_zeroed(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        let block = self.allocate(layout)?;
        // SAFETY: `block` is a fresh block of `block.len()` writable bytes.
        unsafe { block.cast::<u8>().as_ptr().write_bytes(0, block.len()) };
        Ok(block)
    }

    /// Grows or shrinks a block, in place when it can. See the [trait's
    /// example](BlinkAllocator#example).
    ///
    /// # Safety
    ///
    /// `ptr` must be a live block of this allocator allocated with
    /// `old_layout`. On success the old block must no longer be used.
    unsafe fn resize(
        &self,
        ptr: NonNull<u8>,
        old_layout: Layout,
        new_layout: Layout,
    ) -> Result<NonNull<[u8]>, AllocError>;

    /// Frees a block. The memory may only come back at the next reset. See
    /// the [trait's example](BlinkAllocator#example).
    ///
    /// # Safety
    ///
    /// `ptr` must be a live block of this allocator of `size` bytes, and must
    /// not be used again.
    unsafe fn deallocate(&self, ptr: NonNull<u8>, size: usize);

    /// Frees every block at once. See the [trait's
    /// example](BlinkAllocator#example).
    fn reset(&mut self);

    /// Allocates `layout` at exactly `ptr` if the next block would start
    /// there, and says whether it did. Lets `Blink` lay values of one type
    /// back to back under a single drop header, writing each new value
    /// through the end pointer of the previous one.
    ///
    /// The default never does. See the [trait's
    /// example](BlinkAllocator#example).
    #[inline(always)]
    fn allocate_at(&self, ptr: NonNull<u8>, layout: Layout) -> bool {
        let _ = (ptr, layout);
        false
    }

    /// Marks the current position, for [`rewind`](Self::rewind).
    ///
    /// The default marks nothing; an allocator that others may allocate from
    /// at the same time must keep it so. See the [trait's
    /// example](BlinkAllocator#example).
    #[inline]
    fn checkpoint(&self) -> Checkpoint {
        Checkpoint::NONE
    }

    /// Frees every block allocated after `checkpoint`, or does nothing. See
    /// the [trait's example](BlinkAllocator#example).
    ///
    /// # Safety
    ///
    /// `checkpoint` must come from this allocator's
    /// [`checkpoint`](Self::checkpoint), with no reset and no rewind to an
    /// earlier checkpoint since, and no block allocated after it may be used
    /// again.
    #[inline]
    unsafe fn rewind(&self, checkpoint: Checkpoint) {
        let _ = checkpoint;
    }
}

/// A shared reference allocates from the arena but cannot reset it: `reset`
/// does nothing, and so does `rewind`, since other users of the same arena
/// may have allocated after the checkpoint.
// SAFETY: every call forwards to `A`, except `reset` and `rewind`, which do
// nothing and so free nothing.
unsafe impl<A: BlinkAllocator + ?Sized> BlinkAllocator for &A {
    forward_allocation_to!(A);

    #[inline(always)]
    fn reset(&mut self) {}

    #[inline(always)]
    fn allocate_known(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        A::allocate_known(self, layout)
    }

    #[inline(always)]
    fn allocate_known_fast(&self, layout: Layout) -> Option<NonNull<u8>> {
        A::allocate_known_fast(self, layout)
    }

    #[inline(always)]
    fn allocate_at(&self, ptr: NonNull<u8>, layout: Layout) -> bool {
        A::allocate_at(self, ptr, layout)
    }
}

/// A unique reference does everything the arena does, reset included.
// SAFETY: every call forwards to `A`.
unsafe impl<A: BlinkAllocator + ?Sized> BlinkAllocator for &mut A {
    forward_allocation_to!(A);

    #[inline(always)]
    fn reset(&mut self) {
        A::reset(self)
    }

    #[inline(always)]
    fn allocate_known(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        A::allocate_known(self, layout)
    }

    #[inline(always)]
    fn allocate_known_fast(&self, layout: Layout) -> Option<NonNull<u8>> {
        A::allocate_known_fast(self, layout)
    }

    #[inline(always)]
    fn allocate_at(&self, ptr: NonNull<u8>, layout: Layout) -> bool {
        A::allocate_at(self, ptr, layout)
    }

    #[inline(always)]
    fn checkpoint(&self) -> Checkpoint {
        A::checkpoint(self)
    }

    #[inline(always)]
    unsafe fn rewind(&self, checkpoint: Checkpoint) {
        // SAFETY: forwarded from the caller.
        unsafe { A::rewind(self, checkpoint) }
    }
}
