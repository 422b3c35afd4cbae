//! `SyncBlinkAlloc`, the arena many threads allocate from at once, and
//! `LocalBlinkAlloc`, a thread's private view of it.

use core::{alloc::Layout, fmt, ptr::NonNull};

use allocator_api2::alloc::{AllocError, Allocator, Global};

use crate::{
    api::BlinkAllocator,
    arena::{
        chunk::{ChunkConfig, Stats},
        local::LocalArena,
        shim::{const_unless_loom, AtomicUsize},
        sync::SyncArena,
        Checkpoint,
    },
};

/// An arena allocator that many threads allocate from at once.
///
/// Each thread takes a block from the shared arena (one atomic
/// compare-and-swap) and then bumps through it with no atomic operation,
/// like a [`BlinkAlloc`](crate::BlinkAlloc) would; the block lives in a
/// thread-local slot, tagged with the arena's current cycle, so a reset
/// makes every thread's block stale at once. Blocks grow from 256 bytes to
/// 64 KiB (an eighth of the largest chunk, if that is less), and requests
/// larger than a quarter of that take a block of their own. When a chunk is
/// full, a thread takes a lock, checks again whether another thread has
/// already added a chunk, and only then adds one; so contention does not
/// multiply the memory held.
///
/// A [`LocalBlinkAlloc`] from [`local`](Self::local) is a thread's
/// explicit private view: it takes larger blocks, and can be reset on its
/// own.
///
/// `&SyncBlinkAlloc` implements the allocator-api2 `Allocator` trait. Like
/// every reset in this crate, [`reset`](Self::reset) takes `&mut self`, so it
/// only runs after every thread, local view and collection that borrows the
/// arena is gone. `SyncBlinkAlloc<A>` is `Send + Sync` when `A` is.
///
/// ```
/// use allocator_api2::vec::Vec;
/// use blink_alloc::SyncBlinkAlloc;
///
/// let mut shared = SyncBlinkAlloc::new();
/// for _round in 0..2 {
///     std::thread::scope(|s| {
///         for t in 0..4u64 {
///             let shared = &shared;
///             s.spawn(move || {
///                 let mut v = Vec::new_in(shared);
///                 v.extend((0..100).map(|i| i * t));
///                 assert_eq!(v[10], 10 * t);
///             });
///         }
///     });
///     shared.reset(); // every thread has joined: free it all at once
/// }
/// ```
///
/// The compiler rejects a reset while a local view lives:
///
/// ```compile_fail,E0502
/// let mut shared = blink_alloc::SyncBlinkAlloc::new();
/// let local = shared.local();
/// shared.reset();
/// drop(local);
/// ```
///
/// or while any allocation borrowed from the arena lives:
///
/// ```compile_fail,E0502
/// let mut shared = blink_alloc::SyncBlinkAlloc::new();
/// let mut v = allocator_api2::vec::Vec::new_in(&shared);
/// v.push(1u8);
/// shared.reset();
/// drop(v);
/// ```
///
/// and so does a reset while another thread may still use the arena:
///
/// ```compile_fail,E0502
/// let mut shared = blink_alloc::SyncBlinkAlloc::new();
/// std::thread::scope(|s| {
///     s.spawn(|| {
///         shared.allocate(core::alloc::Layout::new::<u64>()).unwrap();
///     });
///     shared.reset();
/// });
/// ```
///
/// A [`BlinkAlloc`](crate::BlinkAlloc) is not `Sync`: it cannot be shared
/// between threads (this is what `SyncBlinkAlloc` is for):
///
/// ```compile_fail,E0277
/// let blink = blink_alloc::BlinkAlloc::new();
/// std::thread::scope(|s| {
///     s.spawn(|| blink.allocate(core::alloc::Layout::new::<u64>()));
/// });
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "sync")))]
pub struct SyncBlinkAlloc<A: Allocator = Global> {
    /// Also used by the global allocator (`crate::global`).
    pub(crate) arena: SyncArena<A>,
    /// Size hint for the first chunk of new local views.
    max_local_alloc: AtomicUsize,
}

impl SyncBlinkAlloc<Global> {
    const_unless_loom! {
        /// An empty arena over the global allocator. Allocates nothing until
        /// its first use.
        ///
        /// ```
        /// let shared = blink_alloc::SyncBlinkAlloc::new();
        /// assert_eq!(shared.stats().allocated_bytes, 0);
        /// ```
        pub fn new() -> Self {
            Self::new_in(Global)
        }
    }

    const_unless_loom! {
        /// An empty arena over the global allocator whose chunks each hold at
        /// least `chunk_size` bytes of blocks (a chunk's header is on top).
        ///
        /// ```
        /// let shared = blink_alloc::SyncBlinkAlloc::with_chunk_size(1 << 16);
        /// shared.allocate(core::alloc::Layout::new::<u64>()).unwrap();
        /// assert!(shared.stats().capacity >= 1 << 16);
        /// ```
        pub fn with_chunk_size(chunk_size: usize) -> Self {
            Self::with_chunk_size_in(chunk_size, Global)
        }
    }

    /// A shared arena over the global allocator whose first chunk,
    /// allocated now, holds `bytes` bytes of blocks (alignment padding
    /// included).
    ///
    /// ```
    /// let shared = blink_alloc::SyncBlinkAlloc::with_capacity(1 << 16);
    /// assert_eq!(shared.stats().chunks, 1);
    /// assert!(shared.stats().capacity >= 1 << 16);
    /// ```
    ///
    /// # Panics
    ///
    /// Calls `handle_alloc_error` if the chunk cannot be allocated.
    pub fn with_capacity(bytes: usize) -> Self {
        Self::with_capacity_in(bytes, Global)
    }
}

impl<A: Allocator + Default> Default for SyncBlinkAlloc<A> {
    fn default() -> Self {
        Self::new_in(A::default())
    }
}

impl<A: Allocator> SyncBlinkAlloc<A> {
    const_unless_loom! {
        /// An empty arena over `allocator`.
        ///
        /// ```
        /// use core::alloc::Layout;
        /// use blink_alloc::{BlinkAlloc, SyncBlinkAlloc};
        ///
        /// let outer = BlinkAlloc::new();
        /// let shared = SyncBlinkAlloc::new_in(&outer);
        /// shared.allocate(Layout::new::<u64>()).unwrap();
        /// // The shared arena's chunk is a block of `outer`.
        /// assert!(outer.stats().used_bytes >= shared.stats().allocated_bytes);
        /// ```
        pub fn new_in(allocator: A) -> Self {
            Self::with_chunk_size_in(0, allocator)
        }
    }

    const_unless_loom! {
        /// An empty arena over `allocator` whose chunks each hold at least
        /// `chunk_size` bytes of blocks (a chunk's header is on top).
        ///
        /// ```
        /// use allocator_api2::alloc::Global;
        /// let shared = blink_alloc::SyncBlinkAlloc::with_chunk_size_in(8192, Global);
        /// shared.allocate(core::alloc::Layout::new::<u8>()).unwrap();
        /// assert!(shared.stats().capacity >= 8192);
        /// ```
        pub fn with_chunk_size_in(chunk_size: usize, allocator: A) -> Self {
            SyncBlinkAlloc {
                arena: SyncArena::new(ChunkConfig::new(chunk_size), allocator),
                max_local_alloc: AtomicUsize::new(0),
            }
        }
    }

    /// A shared arena over `allocator` whose first chunk, allocated now,
    /// holds `bytes` bytes of blocks (alignment padding included).
    ///
    /// ```
    /// use allocator_api2::alloc::Global;
    /// let shared = blink_alloc::SyncBlinkAlloc::with_capacity_in(4096, Global);
    /// assert!(shared.stats().capacity >= 4096);
    /// ```
    ///
    /// # Panics
    ///
    /// Calls `handle_alloc_error` if the chunk cannot be allocated.
    pub fn with_capacity_in(bytes: usize, allocator: A) -> Self {
        match Self::try_with_capacity_in(bytes, allocator) {
            Ok(arena) => arena,
            Err(AllocError) => crate::oom::handle_alloc_error(crate::local::capacity_layout(bytes)),
        }
    }

    /// Like [`with_capacity_in`](Self::with_capacity_in), or `AllocError`
    /// if the chunk cannot be allocated.
    ///
    /// ```
    /// use allocator_api2::alloc::Global;
    /// use blink_alloc::SyncBlinkAlloc;
    /// assert!(SyncBlinkAlloc::try_with_capacity_in(1 << 20, Global).is_ok());
    /// assert!(SyncBlinkAlloc::try_with_capacity_in(usize::MAX, Global).is_err());
    /// ```
    pub fn try_with_capacity_in(bytes: usize, allocator: A) -> Result<Self, AllocError> {
        let arena = Self::new_in(allocator);
        arena.reserve(bytes)?;
        Ok(arena)
    }

    /// Makes room for `bytes` more bytes of blocks (alignment padding
    /// included) in the current chunk, moving to a spare or a new chunk if
    /// it has not that much. Threads take the room in grants of up to
    /// 64 KiB for their own slots, and the end of a grant too small for the
    /// next request stays unused, so the chunk is given one grant more than
    /// `bytes`; a request the slots do not fit may still need a chunk.
    /// Other threads allocating meanwhile take from the same room.
    ///
    /// ```
    /// let shared = blink_alloc::SyncBlinkAlloc::new();
    /// shared.reserve(10_000).unwrap();
    /// assert!(shared.stats().capacity >= 10_000);
    /// assert!(shared.reserve(usize::MAX).is_err());
    /// ```
    pub fn reserve(&self, bytes: usize) -> Result<(), AllocError> {
        self.arena.reserve(bytes)
    }

    /// Caps the size that chunks grow to. A single request larger than the
    /// cap still gets a chunk of its own.
    ///
    /// ```
    /// use core::alloc::Layout;
    /// let shared = blink_alloc::SyncBlinkAlloc::new().max_chunk_size(4096);
    /// for _ in 0..1000 {
    ///     shared.allocate(Layout::new::<[u8; 100]>()).unwrap();
    /// }
    /// assert!(shared.stats().allocated_bytes / shared.stats().chunks <= 4096);
    /// ```
    pub fn max_chunk_size(mut self, max_chunk_size: usize) -> Self {
        self.arena.config_mut().max_chunk_size = max_chunk_size;
        self
    }

    /// Limits the bytes this arena may hold from the base allocator. A
    /// request that would pass the limit fails with `AllocError`.
    ///
    /// ```
    /// use core::alloc::Layout;
    /// let shared = blink_alloc::SyncBlinkAlloc::new().limit(1 << 20);
    /// assert!(shared.allocate(Layout::new::<[u8; 1000]>()).is_ok());
    /// assert!(shared.allocate(Layout::new::<[u8; 2 << 20]>()).is_err());
    /// ```
    pub fn limit(mut self, bytes: usize) -> Self {
        self.arena.config_mut().limit = bytes;
        self
    }

    /// The base allocator.
    ///
    /// ```
    /// use blink_alloc::{BlinkAlloc, SyncBlinkAlloc};
    /// let outer = BlinkAlloc::new();
    /// let shared = SyncBlinkAlloc::new_in(&outer);
    /// assert!(core::ptr::eq(*shared.inner(), &outer));
    /// ```
    #[inline]
    pub fn inner(&self) -> &A {
        self.arena.base()
    }

    /// Allocates a block for `layout`.
    ///
    /// The block is exactly `layout.size()` bytes and stays valid until it
    /// is freed, the arena is reset, or the arena is dropped. Fails only when
    /// the base allocator fails, a size computation overflows, or the
    /// [limit](Self::limit) is reached; a zero-sized layout never fails.
    ///
    /// ```
    /// use core::alloc::Layout;
    /// let shared = blink_alloc::SyncBlinkAlloc::new();
    /// std::thread::scope(|s| {
    ///     for t in 0..4u64 {
    ///         let shared = &shared;
    ///         s.spawn(move || {
    ///             let ptr = shared.allocate(Layout::new::<u64>()).unwrap().cast::<u64>();
    ///             // SAFETY: a block valid and aligned for a `u64`, this
    ///             // thread's alone, until a reset (which needs `&mut shared`).
    ///             unsafe { ptr.write(t) };
    ///             // SAFETY: written above.
    ///             assert_eq!(unsafe { ptr.read() }, t);
    ///         });
    ///     }
    /// });
    /// ```
    #[inline(always)]
    pub fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        let ptr = self.arena.alloc(layout)?;
        Ok(NonNull::slice_from_raw_parts(ptr, layout.size()))
    }

    /// Allocates a zero-filled block for `layout`.
    ///
    /// ```
    /// use core::alloc::Layout;
    /// let shared = blink_alloc::SyncBlinkAlloc::new();
    /// let block = shared.allocate_zeroed(Layout::new::<[u32; 4]>()).unwrap();
    /// // SAFETY: a live block of 16 bytes, aligned for `u32`.
    /// assert_eq!(unsafe { block.cast::<[u32; 4]>().read() }, [0; 4]);
    /// ```
    #[inline(always)]
    pub fn allocate_zeroed(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        let ptr = self.arena.alloc(layout)?;
        // SAFETY: `ptr` is a fresh block of `layout.size()` writable bytes.
        unsafe { ptr.as_ptr().write_bytes(0, layout.size()) };
        Ok(NonNull::slice_from_raw_parts(ptr, layout.size()))
    }

    /// Grows or shrinks a block.
    ///
    /// The last block this thread allocated grows and shrinks in place (its
    /// thread's block extends in its chunk if no other thread took the bytes
    /// after it), and so does the last block of the current chunk; any block
    /// shrinks in place when `ptr` already satisfies the new alignment.
    /// Otherwise the block moves and its first `min(old, new)` bytes are
    /// copied.
    ///
    /// # Safety
    ///
    /// `ptr` must be a live block of this arena allocated with `old_layout`
    /// (or last resized to it). On success the old block must not be used
    /// again, except through the returned pointer.
    ///
    /// # Example
    ///
    /// ```
    /// use core::alloc::Layout;
    /// let shared = blink_alloc::SyncBlinkAlloc::new();
    /// let old = Layout::new::<[u8; 4]>();
    /// let block = shared.allocate(old).unwrap().cast::<u8>();
    /// // SAFETY: a live block of 4 bytes.
    /// unsafe { block.cast::<[u8; 4]>().write(*b"sync") };
    /// // SAFETY: `block` is a live block of `shared` allocated with `old`,
    /// // used only through `grown` from now on.
    /// let grown = unsafe { shared.resize(block, old, Layout::new::<[u8; 64]>()) }.unwrap();
    /// assert_eq!(grown.len(), 64);
    /// // SAFETY: the first 4 bytes were kept.
    /// assert_eq!(unsafe { grown.cast::<[u8; 4]>().read() }, *b"sync");
    /// ```
    #[inline]
    pub unsafe fn resize(
        &self,
        ptr: NonNull<u8>,
        old_layout: Layout,
        new_layout: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        // SAFETY: forwarded from the caller.
        let ptr = unsafe { self.arena.resize(ptr, old_layout, new_layout)? };
        Ok(NonNull::slice_from_raw_parts(ptr, new_layout.size()))
    }

    /// [`resize`](Self::resize) to a layout no larger, for `Allocator::shrink`.
    ///
    /// # Safety
    ///
    /// As `resize`, and `new_layout.size() <= old_layout.size()`.
    #[inline(always)]
    pub(crate) unsafe fn shrink(
        &self,
        ptr: NonNull<u8>,
        old_layout: Layout,
        new_layout: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        // SAFETY: forwarded from the caller.
        let ptr = unsafe { self.arena.resize(ptr, old_layout, new_layout)? };
        Ok(NonNull::slice_from_raw_parts(ptr, new_layout.size()))
    }

    /// Frees a block. The memory is reused at once if it is the last block
    /// this thread allocated or the last block of the current chunk,
    /// otherwise at the next reset.
    ///
    /// # Safety
    ///
    /// `ptr` must be a live block of this arena of `size` bytes, and must
    /// not be used again.
    ///
    /// # Example
    ///
    /// ```
    /// use core::alloc::Layout;
    /// let shared = blink_alloc::SyncBlinkAlloc::new();
    /// let layout = Layout::new::<[u8; 32]>();
    /// let block = shared.allocate(layout).unwrap();
    /// // SAFETY: a live block of 32 bytes, not used again.
    /// unsafe { shared.deallocate(block.cast(), 32) };
    /// // It was this thread's last block: the next one takes its place.
    /// assert_eq!(shared.allocate(layout).unwrap(), block);
    /// ```
    #[inline]
    pub unsafe fn deallocate(&self, ptr: NonNull<u8>, size: usize) {
        // SAFETY: forwarded from the caller.
        unsafe { self.arena.dealloc(ptr, size) }
    }

    /// A private view for one thread: it takes blocks from this arena and
    /// bumps through them with no atomic operation. Its allocations live
    /// until this arena is reset.
    ///
    /// ```
    /// use core::alloc::Layout;
    /// let shared = blink_alloc::SyncBlinkAlloc::new();
    /// std::thread::scope(|s| {
    ///     for _ in 0..2 {
    ///         s.spawn(|| {
    ///             let local = shared.local();
    ///             let block = local.allocate(Layout::new::<u64>()).unwrap();
    ///             // SAFETY: a fresh block for a u64.
    ///             unsafe { block.cast::<u64>().write(7) };
    ///         });
    ///     }
    /// });
    /// ```
    #[inline]
    pub fn local(&self) -> LocalBlinkAlloc<'_, A> {
        let mut config = ChunkConfig::new(
            self.max_local_alloc
                .load(core::sync::atomic::Ordering::Relaxed),
        );
        config.keep_all = true;
        LocalBlinkAlloc {
            arena: LocalArena::new(config, SharedBlocks(self)),
        }
    }

    /// Raises the size of the first chunk of local views made from now on
    /// to at least `max_local_alloc` bytes. Local views raise it themselves
    /// to what they used when they are reset or dropped.
    ///
    /// ```
    /// use core::alloc::Layout;
    /// let shared = blink_alloc::SyncBlinkAlloc::new();
    /// shared.update_max_local_alloc(1 << 16);
    /// let local = shared.local();
    /// local.allocate(Layout::new::<u8>()).unwrap();
    /// assert!(local.stats().capacity >= 60_000);
    /// ```
    #[inline]
    pub fn update_max_local_alloc(&self, max_local_alloc: usize) {
        self.max_local_alloc
            .fetch_max(max_local_alloc, core::sync::atomic::Ordering::Relaxed);
    }

    /// Frees every allocation, so that the next cycle of the same work needs
    /// a single chunk: keeps one chunk if it is large enough for all of
    /// them; otherwise frees every chunk and makes the next one that large
    /// (a cycle larger than the [chunk size cap](Self::max_chunk_size)
    /// keeps all its chunks instead, to reuse them in order).
    ///
    /// ```
    /// use core::alloc::Layout;
    /// let mut shared = blink_alloc::SyncBlinkAlloc::new();
    /// for _round in 0..3 {
    ///     std::thread::scope(|s| {
    ///         for _ in 0..2 {
    ///             s.spawn(|| {
    ///                 shared.allocate(Layout::new::<[u8; 100]>()).unwrap();
    ///             });
    ///         }
    ///     });
    ///     shared.reset(); // every thread has joined
    ///     assert_eq!(shared.stats().used_bytes, 0);
    /// }
    /// ```
    #[inline]
    pub fn reset(&mut self) {
        // SAFETY: `&mut self` proves that no allocation, local view or other
        // thread borrows the arena.
        unsafe { self.arena.reset_mut() }
    }

    /// Frees every allocation and returns every chunk to the base allocator.
    ///
    /// ```
    /// use core::alloc::Layout;
    /// let mut shared = blink_alloc::SyncBlinkAlloc::new();
    /// shared.allocate(Layout::new::<u64>()).unwrap();
    /// shared.reset_final();
    /// assert_eq!(shared.stats(), Default::default());
    /// ```
    #[inline]
    pub fn reset_final(&mut self) {
        // SAFETY: as in `reset`.
        unsafe { self.arena.reset_final() }
    }

    /// Like [`reset`](Self::reset), through a shared reference.
    ///
    /// # Safety
    ///
    /// No block allocated from this arena (directly, or through a local view)
    /// may be used after this call; nothing may use the arena during the
    /// call (no other thread, and not the base allocator, re-entrantly); and
    /// every later use must happen after the call (for example after a
    /// barrier or a join).
    ///
    /// Every [`LocalBlinkAlloc`] view of this arena must have been *dropped*
    /// before the call, not merely left unused: a view's chunks are blocks
    /// of this arena, and a view that is still alive runs its `Drop` later,
    /// which walks those chunks' headers after this call freed them.
    ///
    /// # Example
    ///
    /// ```
    /// use core::alloc::Layout;
    /// let shared = blink_alloc::SyncBlinkAlloc::new();
    /// std::thread::scope(|s| {
    ///     s.spawn(|| {
    ///         shared.allocate(Layout::new::<u64>()).unwrap();
    ///     });
    /// });
    /// // SAFETY: the thread has joined, its block is not used again, and no
    /// // other thread or local view uses the arena.
    /// unsafe { shared.reset_unchecked() };
    /// assert_eq!(shared.stats().used_bytes, 0);
    /// ```
    #[inline]
    pub unsafe fn reset_unchecked(&self) {
        // SAFETY: forwarded from the caller.
        unsafe { self.arena.reset() }
    }

    /// How much memory the arena holds and uses. Takes the lock that adding
    /// a chunk takes.
    ///
    /// `used_bytes` counts the blocks that threads took for their own
    /// allocations whole, free ends included: per thread, the free end of
    /// its current block (up to 64 KiB), and what a refill could not use
    /// (less than the request that caused it).
    ///
    /// ```
    /// use core::alloc::Layout;
    /// let mut shared = blink_alloc::SyncBlinkAlloc::new();
    /// shared.allocate(Layout::new::<[u64; 4]>()).unwrap();
    /// assert!(shared.stats().used_bytes >= 32);
    /// shared.reset();
    /// assert_eq!(shared.stats().used_bytes, 0);
    /// ```
    pub fn stats(&self) -> Stats {
        self.arena.stats()
    }

    /// Frees every chunk and returns the base allocator.
    ///
    /// ```
    /// use blink_alloc::{BlinkAlloc, SyncBlinkAlloc};
    /// let outer = BlinkAlloc::new();
    /// let shared = SyncBlinkAlloc::new_in(&outer);
    /// shared.allocate(core::alloc::Layout::new::<u64>()).unwrap();
    /// let base: &BlinkAlloc = shared.into_inner();
    /// assert!(core::ptr::eq(base, &outer));
    /// ```
    pub fn into_inner(self) -> A {
        let this = core::mem::ManuallyDrop::new(self);
        // SAFETY: `self` is consumed, so no block can be used again and no
        // other thread holds it.
        unsafe { this.arena.reset_final() };
        // SAFETY: `this` is never used again nor dropped, so the allocator is
        // moved out exactly once; the rest of the arena holds no chunk after
        // `reset_final` (its lock and atomics are forgotten).
        unsafe { core::ptr::read(this.arena.base()) }
    }
}

impl<A: Allocator> Drop for SyncBlinkAlloc<A> {
    fn drop(&mut self) {
        self.reset_final();
    }
}

impl<A: Allocator> fmt::Debug for SyncBlinkAlloc<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SyncBlinkAlloc")
            .field("stats", &self.stats())
            .finish()
    }
}

// SAFETY: blocks are valid and disjoint until reset or drop (see
// `SyncArena`); reset and drop need `&mut SyncBlinkAlloc` or the value;
// `resize` keeps its contents and never moves an aligned shrink; `rewind`
// keeps the default (does nothing), since other threads may have allocated
// after a checkpoint.
unsafe impl<A: Allocator> BlinkAllocator for SyncBlinkAlloc<A> {
    forward_allocation_to!(SyncBlinkAlloc);

    #[inline]
    fn reset(&mut self) {
        SyncBlinkAlloc::reset(self)
    }
}

impl_allocator_for_ref!(SyncBlinkAlloc<A>);

/// A thread's private view of a [`SyncBlinkAlloc`].
///
/// It takes blocks from the shared arena (as its chunks) and bumps through
/// them with a plain cursor, exactly like [`BlinkAlloc`](crate::BlinkAlloc):
/// no atomic operation on the fast path. Its allocations live until the
/// shared arena is reset, which the borrow checker only allows after every
/// view is gone (dropping the view does not free them).
/// [`reset`](Self::reset) rewinds the view and reuses its own blocks; the
/// memory goes back to the system when the shared arena resets.
///
/// A view is `Send` (when `A: Send + Sync`), so it can move to the thread
/// that uses it, but never `Sync`:
///
/// ```compile_fail,E0277
/// fn is_sync<T: Sync>(_: &T) {}
/// let shared = blink_alloc::SyncBlinkAlloc::new();
/// is_sync(&shared.local());
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "sync")))]
pub struct LocalBlinkAlloc<'a, A: Allocator = Global> {
    arena: LocalArena<SharedBlocks<'a, A>>,
}

/// The base allocator of a local view: blocks straight from the shared
/// cursor. Not from the thread's slot: the view is itself a thread's block
/// cache, and its chunk requests would only churn the slot.
struct SharedBlocks<'a, A: Allocator>(&'a SyncBlinkAlloc<A>);

// SAFETY: blocks come from the shared arena's cursor, valid and disjoint
// until the arena resets, which it cannot while `'a` borrows it (and so
// while any `SharedBlocks<'a>` lives); `deallocate` gets a live block of
// this size from the trait's caller. `grow` and `shrink` keep the trait's
// defaults, built on these two.
unsafe impl<A: Allocator> Allocator for SharedBlocks<'_, A> {
    #[inline]
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        let ptr = self.0.arena.alloc_shared(layout)?;
        Ok(NonNull::slice_from_raw_parts(ptr, layout.size()))
    }

    #[inline]
    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        if layout.size() != 0 {
            // SAFETY: forwarded from the trait's caller.
            unsafe { self.0.arena.dealloc_shared(ptr, layout.size()) }
        }
    }
}

// SAFETY: a view owns its chunk list (nothing else points into its headers)
// and its `Cell`s are never shared: the view is `!Sync`, so only the thread
// that holds it touches them. The only other thing it holds is
// `&'a SyncBlinkAlloc<A>`, which may be sent because `SyncBlinkAlloc<A>` is
// `Sync` for `A: Send + Sync`.
unsafe impl<A: Allocator + Send + Sync> Send for LocalBlinkAlloc<'_, A> {}

impl<'a, A: Allocator> LocalBlinkAlloc<'a, A> {
    /// The shared arena this view takes its blocks from.
    ///
    /// ```
    /// let shared = blink_alloc::SyncBlinkAlloc::new();
    /// let local = shared.local();
    /// assert!(core::ptr::eq(local.shared(), &shared));
    /// ```
    #[inline]
    pub fn shared(&self) -> &'a SyncBlinkAlloc<A> {
        self.arena.base().0
    }

    /// Allocates a block for `layout`; see [`SyncBlinkAlloc::allocate`].
    ///
    /// ```
    /// use core::alloc::Layout;
    /// let shared = blink_alloc::SyncBlinkAlloc::new();
    /// let local = shared.local();
    /// let ptr = local.allocate(Layout::new::<u64>()).unwrap().cast::<u64>();
    /// // SAFETY: a block valid and aligned for a `u64` until `shared` resets.
    /// unsafe { ptr.write(7) };
    /// drop(local); // the block stays valid: it lives in `shared`
    /// // SAFETY: written above; `shared` was not reset.
    /// assert_eq!(unsafe { ptr.read() }, 7);
    /// ```
    #[inline(always)]
    pub fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        let ptr = self.arena.alloc(layout)?;
        Ok(NonNull::slice_from_raw_parts(ptr, layout.size()))
    }

    /// Allocates a zero-filled block for `layout`.
    ///
    /// ```
    /// use core::alloc::Layout;
    /// let shared = blink_alloc::SyncBlinkAlloc::new();
    /// let local = shared.local();
    /// let block = local.allocate_zeroed(Layout::new::<[u32; 4]>()).unwrap();
    /// // SAFETY: a live block of 16 bytes, aligned for `u32`.
    /// assert_eq!(unsafe { block.cast::<[u32; 4]>().read() }, [0; 4]);
    /// ```
    #[inline(always)]
    pub fn allocate_zeroed(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        let ptr = self.arena.alloc(layout)?;
        // SAFETY: `ptr` is a fresh block of `layout.size()` writable bytes.
        unsafe { ptr.as_ptr().write_bytes(0, layout.size()) };
        Ok(NonNull::slice_from_raw_parts(ptr, layout.size()))
    }

    /// Grows or shrinks a block, as [`BlinkAlloc::resize`](crate::BlinkAlloc::resize).
    ///
    /// # Safety
    ///
    /// `ptr` must be a live block of this view allocated with `old_layout`
    /// (or last resized to it). On success the old block must not be used
    /// again, except through the returned pointer.
    ///
    /// # Example
    ///
    /// ```
    /// use core::alloc::Layout;
    /// let shared = blink_alloc::SyncBlinkAlloc::new();
    /// let local = shared.local();
    /// let old = Layout::new::<[u8; 4]>();
    /// let block = local.allocate(old).unwrap().cast::<u8>();
    /// // SAFETY: a live block of 4 bytes.
    /// unsafe { block.cast::<[u8; 4]>().write(*b"view") };
    /// // SAFETY: `block` is a live block of `local` allocated with `old`,
    /// // used only through `grown` from now on.
    /// let grown = unsafe { local.resize(block, old, Layout::new::<[u8; 64]>()) }.unwrap();
    /// // SAFETY: the first 4 bytes were kept.
    /// assert_eq!(unsafe { grown.cast::<[u8; 4]>().read() }, *b"view");
    /// // The last block grew in place.
    /// assert_eq!(grown.cast::<u8>(), block);
    /// ```
    #[inline(always)]
    pub unsafe fn resize(
        &self,
        ptr: NonNull<u8>,
        old_layout: Layout,
        new_layout: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        // SAFETY: forwarded from the caller.
        let ptr = unsafe { self.arena.resize(ptr, old_layout, new_layout)? };
        Ok(NonNull::slice_from_raw_parts(ptr, new_layout.size()))
    }

    /// [`resize`](Self::resize) to a layout no larger, for `Allocator::shrink`.
    ///
    /// # Safety
    ///
    /// As `resize`, and `new_layout.size() <= old_layout.size()`.
    #[inline(always)]
    pub(crate) unsafe fn shrink(
        &self,
        ptr: NonNull<u8>,
        old_layout: Layout,
        new_layout: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        // SAFETY: forwarded from the caller.
        let ptr = unsafe { self.arena.shrink(ptr, old_layout, new_layout)? };
        Ok(NonNull::slice_from_raw_parts(ptr, new_layout.size()))
    }

    /// Frees a block; the memory is reused at once if it is the last block.
    ///
    /// # Safety
    ///
    /// `ptr` must be a live block of this view of `size` bytes, and must not
    /// be used again.
    ///
    /// # Example
    ///
    /// ```
    /// use core::alloc::Layout;
    /// let shared = blink_alloc::SyncBlinkAlloc::new();
    /// let local = shared.local();
    /// let layout = Layout::new::<[u8; 32]>();
    /// let block = local.allocate(layout).unwrap();
    /// // SAFETY: a live block of 32 bytes, not used again.
    /// unsafe { local.deallocate(block.cast(), 32) };
    /// assert_eq!(local.allocate(layout).unwrap(), block);
    /// ```
    #[inline(always)]
    pub unsafe fn deallocate(&self, ptr: NonNull<u8>, size: usize) {
        // SAFETY: forwarded from the caller; only the size is read.
        unsafe {
            self.arena
                .dealloc(ptr, Layout::from_size_align_unchecked(size, 1))
        }
    }

    /// Frees every allocation of this view and rewinds its blocks for reuse.
    /// Also tells the shared arena how much this view used, so that later
    /// views start with one block that large.
    ///
    /// ```
    /// use core::alloc::Layout;
    /// let shared = blink_alloc::SyncBlinkAlloc::new();
    /// let mut local = shared.local();
    /// let first = local.allocate(Layout::new::<[u8; 64]>()).unwrap();
    /// local.reset();
    /// assert_eq!(local.stats().used_bytes, 0);
    /// // The view's own block is reused.
    /// assert_eq!(local.allocate(Layout::new::<[u8; 64]>()).unwrap(), first);
    /// ```
    #[inline]
    pub fn reset(&mut self) {
        self.publish_size();
        // SAFETY: `&mut self` proves no allocation borrows the view.
        unsafe { self.arena.reset() }
    }

    /// Frees every allocation of this view and gives its blocks back to the
    /// shared arena (which reuses the last one at once if it is its tip; the
    /// rest comes back when the shared arena is reset).
    ///
    /// ```
    /// use core::alloc::Layout;
    /// let shared = blink_alloc::SyncBlinkAlloc::new();
    /// let mut local = shared.local();
    /// local.allocate(Layout::new::<u64>()).unwrap();
    /// local.reset_final();
    /// assert_eq!(local.stats(), Default::default());
    /// ```
    #[inline]
    pub fn reset_final(&mut self) {
        self.publish_size();
        // SAFETY: as in `reset`.
        unsafe { self.arena.reset_final() }
    }

    /// Like [`reset`](Self::reset), through a shared reference.
    ///
    /// # Safety
    ///
    /// No block allocated from this view may be used after this call.
    ///
    /// # Example
    ///
    /// ```
    /// use core::alloc::Layout;
    /// let shared = blink_alloc::SyncBlinkAlloc::new();
    /// let local = shared.local();
    /// let block = local.allocate(Layout::new::<u64>()).unwrap();
    /// // SAFETY: `block` is not used after the reset.
    /// unsafe { local.reset_unchecked() };
    /// assert_eq!(local.stats().used_bytes, 0);
    /// # let _ = block;
    /// ```
    #[inline]
    pub unsafe fn reset_unchecked(&self) {
        self.publish_size();
        // SAFETY: forwarded from the caller.
        unsafe { self.arena.reset() }
    }

    /// Marks the current position, to [`rewind`](Self::rewind) to later;
    /// see `rewind`'s example.
    #[inline]
    pub fn checkpoint(&self) -> Checkpoint {
        self.arena.checkpoint()
    }

    /// Frees every block allocated after `checkpoint`.
    ///
    /// # Safety
    ///
    /// `checkpoint` must come from this view, with no reset and no rewind to
    /// an earlier checkpoint since, and no block allocated after it may be
    /// used again.
    ///
    /// # Example
    ///
    /// ```
    /// use core::alloc::Layout;
    /// let shared = blink_alloc::SyncBlinkAlloc::new();
    /// let local = shared.local();
    /// let mark = local.checkpoint();
    /// let scratch = local.allocate(Layout::new::<[u8; 256]>()).unwrap();
    /// // SAFETY: `mark` is this view's, and `scratch` is not used after.
    /// unsafe { local.rewind(mark) };
    /// assert_eq!(local.allocate(Layout::new::<[u8; 256]>()).unwrap(), scratch);
    /// ```
    #[inline]
    pub unsafe fn rewind(&self, checkpoint: Checkpoint) {
        // SAFETY: forwarded from the caller.
        unsafe { self.arena.rewind(checkpoint) }
    }

    /// How much memory this view holds (as blocks of the shared arena) and
    /// uses.
    ///
    /// ```
    /// use core::alloc::Layout;
    /// let shared = blink_alloc::SyncBlinkAlloc::new();
    /// let local = shared.local();
    /// local.allocate(Layout::new::<[u64; 4]>()).unwrap();
    /// assert_eq!(local.stats().used_bytes, 32);
    /// assert!(shared.stats().used_bytes >= local.stats().allocated_bytes);
    /// ```
    pub fn stats(&self) -> Stats {
        self.arena.stats()
    }

    /// Tells the shared arena what this view used (not what it held: its
    /// chunks grew geometrically, and later views would start, and grow
    /// again, from that), with an eighth more for padding, so that a later
    /// view doing the same work needs one chunk.
    fn publish_size(&self) {
        let used = self.arena.stats().used_bytes;
        self.shared()
            .update_max_local_alloc(used.saturating_add(used / 8));
    }
}

/// Dropping a view leaves its blocks where they are, in the shared arena:
/// blocks it handed out stay valid until the shared arena is reset.
impl<A: Allocator> Drop for LocalBlinkAlloc<'_, A> {
    fn drop(&mut self) {
        // The chunks are blocks of the shared arena, which frees them at its
        // reset; the view's chunk list holds nothing else to free.
        self.publish_size();
    }
}

impl<A: Allocator> fmt::Debug for LocalBlinkAlloc<'_, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalBlinkAlloc")
            .field("stats", &self.stats())
            .finish()
    }
}

// SAFETY: the view is a `LocalArena`, as in `BlinkAlloc`: blocks are valid
// and disjoint until freed, rewound past or reset, and reset and drop need
// `&mut LocalBlinkAlloc` or the value. Its chunks are blocks of the shared
// arena, which outlives `'a` and is not reset while the view borrows it.
unsafe impl<A: Allocator> BlinkAllocator for LocalBlinkAlloc<'_, A> {
    forward_allocation_to!(LocalBlinkAlloc);

    #[inline]
    fn reset(&mut self) {
        LocalBlinkAlloc::reset(self)
    }

    #[inline(always)]
    fn allocate_known(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        let ptr = self.arena.alloc_known(layout)?;
        Ok(NonNull::slice_from_raw_parts(ptr, layout.size()))
    }

    #[inline(always)]
    fn allocate_known_fast(&self, layout: Layout) -> Option<NonNull<u8>> {
        self.arena.alloc_known_fast(layout)
    }

    #[inline(always)]
    fn allocate_at(&self, ptr: NonNull<u8>, layout: Layout) -> bool {
        self.arena.alloc_at(ptr, layout)
    }

    #[inline]
    fn checkpoint(&self) -> Checkpoint {
        LocalBlinkAlloc::checkpoint(self)
    }

    #[inline]
    unsafe fn rewind(&self, checkpoint: Checkpoint) {
        // SAFETY: forwarded from the caller.
        unsafe { LocalBlinkAlloc::rewind(self, checkpoint) }
    }
}

impl_allocator_for_ref!(LocalBlinkAlloc<'a, A>);
