//! `BlinkAlloc`: the single-threaded arena allocator.

use core::{alloc::Layout, fmt, ptr::NonNull};

use allocator_api2::alloc::{AllocError, Allocator};

use crate::{
    api::BlinkAllocator,
    arena::{
        chunk::{ChunkConfig, Stats},
        local::LocalArena,
        Checkpoint,
    },
};

with_default_allocator! {
    /// A single-threaded arena allocator.
    ///
    /// Allocation moves a cursor through a chunk of memory taken from the
    /// base allocator `A`; [`reset`](Self::reset) frees every allocation at
    /// once and keeps one chunk large enough for the whole cycle, so that a
    /// loop of the same work stops calling the base allocator after a cycle
    /// or two.
    ///
    /// `&BlinkAlloc` implements the allocator-api2 `Allocator` trait, so it
    /// works with `allocator_api2::vec::Vec`, `hashbrown` and, with the
    /// `nightly` feature, the standard collections. Since they borrow the
    /// arena, `reset` cannot run while any of them lives.
    ///
    /// `BlinkAlloc` is `Send` when `A` is, and never `Sync`: use
    /// `SyncBlinkAlloc` to share an arena between threads.
    ///
    /// ```
    /// use allocator_api2::vec::Vec;
    /// use blink_alloc::BlinkAlloc;
    ///
    /// let mut blink = BlinkAlloc::new();
    /// let mut words = Vec::new_in(&blink);
    /// words.extend(["a", "blink", "arena"]);
    /// assert_eq!(words.len(), 3);
    /// drop(words);
    /// blink.reset();
    /// ```
    ///
    /// # Owned values: `Box<T, &BlinkAlloc>`
    ///
    /// allocator-api2's `Box` places one value in the arena and drops it
    /// with the box, as a `Box` does: the value is owned, can be moved
    /// around, passed by value and dropped early, and the borrow of the
    /// arena keeps any box from outliving a reset. Its memory comes back at
    /// once if it is the arena's last block, otherwise at the reset.
    /// [`Blink::put`](crate::Blink::put) is the other way in: it returns a
    /// `&mut T` and drops the value at the reset, with no `Drop` of a box
    /// to run early, and a `Blink` also takes slices, strings and scopes.
    /// A box that is forgotten (`mem::forget`, a cycle) never drops its
    /// value; a `Blink` drops every value it holds.
    ///
    /// ```
    /// use allocator_api2::boxed::Box;
    /// use blink_alloc::BlinkAlloc;
    ///
    /// let mut blink = BlinkAlloc::new();
    /// let mut name = Box::new_in(String::from("boxed"), &blink);
    /// name.push('!');
    /// let moved = name; // a box moves; its value stays in the arena
    /// assert_eq!(*moved, "boxed!");
    /// drop(moved); // drops the `String`; the block is the last, so it comes back
    /// assert_eq!(blink.stats().used_bytes, 0);
    /// blink.reset();
    /// ```
    ///
    /// A `Box<dyn Trait, &BlinkAlloc>` comes from a sized box through
    /// allocator-api2's `unsize_box!` (with the `nightly` feature, the
    /// compiler coerces it):
    ///
    #[cfg_attr(not(feature = "nightly"), doc = "```")]
    #[cfg_attr(feature = "nightly", doc = "```ignore")]
    /// use allocator_api2::{boxed::Box, unsize_box};
    /// use blink_alloc::BlinkAlloc;
    /// use core::fmt::Display;
    ///
    /// let blink = BlinkAlloc::new();
    /// let shown: Vec<Box<dyn Display, &BlinkAlloc>> = vec![
    ///     unsize_box!(Box::new_in(1u8, &blink)),
    ///     unsize_box!(Box::new_in("two", &blink)),
    ///     unsize_box!(Box::new_in(String::from("three"), &blink)),
    /// ];
    /// let text: Vec<String> = shown.iter().map(|v| v.to_string()).collect();
    /// assert_eq!(text, ["1", "two", "three"]);
    /// ```
    ///
    /// No box outlives a reset:
    ///
    /// ```compile_fail
    /// use allocator_api2::boxed::Box;
    /// let mut blink = blink_alloc::BlinkAlloc::new();
    /// let boxed = Box::new_in(1u64, &blink);
    /// blink.reset();
    /// assert_eq!(*boxed, 1);
    /// ```
    ///
    /// It cannot be shared between threads, nor sent when its base allocator
    /// cannot:
    ///
    /// ```compile_fail,E0277
    /// fn share<T: Sync>(_: &T) {}
    /// share(&blink_alloc::BlinkAlloc::new()); // not `Sync`
    /// ```
    ///
    /// ```compile_fail,E0277
    /// fn send<T: Send>(_: T) {}
    /// let outer = blink_alloc::BlinkAlloc::new();
    /// send(blink_alloc::BlinkAlloc::new_in(&outer)); // its base is not `Send`
    /// ```
    pub struct BlinkAlloc<A: Allocator = allocator_api2::alloc::Global> {
        arena: LocalArena<A>,
    }
}

// SAFETY: a `BlinkAlloc` owns its chunks and its base allocator; nothing in it
// is shared with another value, and every pointer handed out borrows it, so
// moving it to another thread moves all of it. It stays `!Sync` through its
// `Cell`s.
unsafe impl<A: Allocator + Send> Send for BlinkAlloc<A> {}

#[cfg(feature = "alloc")]
#[cfg_attr(docsrs, doc(cfg(feature = "alloc")))]
impl BlinkAlloc<allocator_api2::alloc::Global> {
    /// An empty arena over the global allocator. Allocates nothing until its
    /// first use.
    ///
    /// ```
    /// let blink = blink_alloc::BlinkAlloc::new();
    /// assert_eq!(blink.stats().allocated_bytes, 0);
    /// ```
    pub const fn new() -> Self {
        Self::new_in(allocator_api2::alloc::Global)
    }

    /// An empty arena over the global allocator whose chunks each hold at
    /// least `chunk_size` bytes of blocks (a chunk's header is on top).
    /// Allocates nothing until its first use.
    ///
    /// ```
    /// let blink = blink_alloc::BlinkAlloc::with_chunk_size(64 << 10);
    /// let _ = blink.allocate(core::alloc::Layout::new::<u64>()).unwrap();
    /// assert!(blink.stats().capacity >= 60 << 10);
    /// ```
    pub const fn with_chunk_size(chunk_size: usize) -> Self {
        Self::with_chunk_size_in(chunk_size, allocator_api2::alloc::Global)
    }

    /// An arena over the global allocator whose first chunk, allocated
    /// now, holds `bytes` bytes of blocks (alignment padding included).
    ///
    /// ```
    /// use core::alloc::Layout;
    /// let blink = blink_alloc::BlinkAlloc::with_capacity(1 << 16);
    /// let held = blink.stats().allocated_bytes;
    /// assert!(blink.stats().capacity >= 1 << 16);
    /// for _ in 0..1000 {
    ///     blink.allocate(Layout::new::<u64>()).unwrap();
    /// }
    /// assert_eq!(blink.stats().allocated_bytes, held); // no other chunk
    /// ```
    ///
    /// # Panics
    ///
    /// Calls `handle_alloc_error` if the chunk cannot be allocated.
    pub fn with_capacity(bytes: usize) -> Self {
        Self::with_capacity_in(bytes, allocator_api2::alloc::Global)
    }
}

impl<A: Allocator + Default> Default for BlinkAlloc<A> {
    fn default() -> Self {
        Self::new_in(A::default())
    }
}

impl<A: Allocator> BlinkAlloc<A> {
    /// An empty arena over `allocator`.
    ///
    /// Any allocator-api2 `Allocator` will do, another arena included:
    ///
    /// ```
    /// use core::alloc::Layout;
    /// use blink_alloc::BlinkAlloc;
    ///
    /// let outer = BlinkAlloc::new();
    /// let inner = BlinkAlloc::new_in(&outer);
    /// inner.allocate(Layout::new::<u64>()).unwrap();
    /// // The inner arena's chunk is a block of the outer one.
    /// assert!(outer.stats().used_bytes >= inner.stats().allocated_bytes);
    /// ```
    pub const fn new_in(allocator: A) -> Self {
        Self::with_chunk_size_in(0, allocator)
    }

    /// An empty arena over `allocator` whose chunks each hold at least
    /// `chunk_size` bytes of blocks (a chunk's header is on top).
    ///
    /// ```
    /// use allocator_api2::alloc::Global;
    /// let blink = blink_alloc::BlinkAlloc::with_chunk_size_in(8192, Global);
    /// blink.allocate(core::alloc::Layout::new::<u8>()).unwrap();
    /// assert!(blink.stats().capacity >= 8192);
    /// ```
    pub const fn with_chunk_size_in(chunk_size: usize, allocator: A) -> Self {
        BlinkAlloc {
            arena: LocalArena::new(ChunkConfig::new(chunk_size), allocator),
        }
    }

    /// An arena over `allocator` whose first chunk, allocated now, holds
    /// `bytes` bytes of blocks (alignment padding included).
    ///
    /// ```
    /// use allocator_api2::alloc::Global;
    /// let blink = blink_alloc::BlinkAlloc::with_capacity_in(4096, Global);
    /// assert_eq!(blink.stats().chunks, 1);
    /// assert!(blink.stats().capacity >= 4096);
    /// ```
    ///
    /// # Panics
    ///
    /// Calls `handle_alloc_error` if the chunk cannot be allocated.
    pub fn with_capacity_in(bytes: usize, allocator: A) -> Self {
        match Self::try_with_capacity_in(bytes, allocator) {
            Ok(arena) => arena,
            Err(AllocError) => crate::oom::handle_alloc_error(capacity_layout(bytes)),
        }
    }

    /// Like [`with_capacity_in`](Self::with_capacity_in), or `AllocError`
    /// if the chunk cannot be allocated.
    ///
    /// ```
    /// use allocator_api2::alloc::Global;
    /// use blink_alloc::BlinkAlloc;
    /// assert!(BlinkAlloc::try_with_capacity_in(1 << 20, Global).is_ok());
    /// assert!(BlinkAlloc::try_with_capacity_in(usize::MAX, Global).is_err());
    /// ```
    pub fn try_with_capacity_in(bytes: usize, allocator: A) -> Result<Self, AllocError> {
        let arena = Self::new_in(allocator);
        arena.reserve(bytes)?;
        Ok(arena)
    }

    /// Makes sure that `bytes` more bytes of blocks (alignment padding
    /// included) fit without another call to the base allocator: if the
    /// current chunk has not that much room left, moves to a chunk that
    /// has, a spare or a new one (the rest of the current chunk then stays
    /// unused until the reset).
    ///
    /// ```
    /// use core::alloc::Layout;
    /// let blink = blink_alloc::BlinkAlloc::new();
    /// blink.reserve(10_000).unwrap();
    /// let chunks = blink.stats().chunks;
    /// for _ in 0..100 {
    ///     blink.allocate(Layout::new::<[u8; 100]>()).unwrap();
    /// }
    /// assert_eq!(blink.stats().chunks, chunks);
    /// assert!(blink.reserve(usize::MAX).is_err());
    /// ```
    pub fn reserve(&self, bytes: usize) -> Result<(), AllocError> {
        self.arena.reserve(bytes)
    }

    /// Caps the size that chunks grow to. A single request larger than the
    /// cap still gets a chunk of its own.
    ///
    /// ```
    /// use core::alloc::Layout;
    /// let blink = blink_alloc::BlinkAlloc::new().max_chunk_size(4096);
    /// for _ in 0..1000 {
    ///     blink.allocate(Layout::new::<[u8; 100]>()).unwrap();
    /// }
    /// assert!(blink.stats().allocated_bytes / blink.stats().chunks <= 4096);
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
    /// let blink = blink_alloc::BlinkAlloc::new().limit(1 << 20);
    /// assert!(blink.allocate(Layout::new::<[u8; 1000]>()).is_ok());
    /// assert!(blink.allocate(Layout::new::<[u8; 2 << 20]>()).is_err());
    /// ```
    pub fn limit(mut self, bytes: usize) -> Self {
        self.set_limit(Some(bytes));
        self
    }

    /// Sets or removes the limit of [`limit`](Self::limit). Chunks already
    /// held are kept even when they pass a lower limit.
    ///
    /// ```
    /// use core::alloc::Layout;
    /// let mut blink = blink_alloc::BlinkAlloc::new();
    /// blink.set_limit(Some(1 << 10));
    /// assert!(blink.allocate(Layout::new::<[u8; 4096]>()).is_err());
    /// blink.set_limit(None);
    /// assert!(blink.allocate(Layout::new::<[u8; 4096]>()).is_ok());
    /// ```
    pub fn set_limit(&mut self, bytes: Option<usize>) {
        self.arena.config_mut().limit = bytes.unwrap_or(usize::MAX);
    }

    /// The base allocator.
    ///
    /// ```
    /// use blink_alloc::BlinkAlloc;
    /// let outer = BlinkAlloc::new();
    /// let inner = BlinkAlloc::new_in(&outer);
    /// assert!(core::ptr::eq(*inner.inner(), &outer));
    /// ```
    #[inline]
    pub fn inner(&self) -> &A {
        self.arena.base()
    }

    /// Allocates a block for `layout`.
    ///
    /// The block is exactly `layout.size()` bytes. It stays valid until it is
    /// freed, the arena is reset, or the arena is dropped. Fails only when
    /// the base allocator fails, a size computation overflows, or the
    /// [limit](Self::limit) is reached; a zero-sized layout never fails.
    ///
    /// ```
    /// use core::alloc::Layout;
    /// let blink = blink_alloc::BlinkAlloc::new();
    /// let block = blink.allocate(Layout::new::<u64>()).unwrap();
    /// assert_eq!(block.len(), 8);
    /// let ptr = block.cast::<u64>();
    /// // SAFETY: the block is valid and aligned for a `u64` until a reset,
    /// // which needs `&mut blink`.
    /// unsafe { ptr.write(42) };
    /// // SAFETY: written above.
    /// assert_eq!(unsafe { ptr.read() }, 42);
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
    /// let blink = blink_alloc::BlinkAlloc::new();
    /// let block = blink.allocate_zeroed(Layout::new::<[u32; 4]>()).unwrap();
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
    /// The last block grows and shrinks in place, giving back what it
    /// shrinks by; any block shrinks in place when `ptr` already satisfies
    /// the new alignment. Otherwise the block moves and its first
    /// `min(old, new)` bytes are copied.
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
    /// let blink = blink_alloc::BlinkAlloc::new();
    /// let old = Layout::new::<[u8; 4]>();
    /// let block = blink.allocate(old).unwrap().cast::<u8>();
    /// // SAFETY: a live block of 4 bytes.
    /// unsafe { block.cast::<[u8; 4]>().write(*b"blin") };
    /// // SAFETY: `block` is a live block of `blink` allocated with `old`,
    /// // used only through `grown` from now on.
    /// let grown = unsafe { blink.resize(block, old, Layout::new::<[u8; 64]>()) }.unwrap();
    /// assert_eq!(grown.len(), 64);
    /// // SAFETY: the first 4 bytes were kept.
    /// assert_eq!(unsafe { grown.cast::<[u8; 4]>().read() }, *b"blin");
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

    /// Frees a block. The memory is reused at once if it is the last block,
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
    /// let blink = blink_alloc::BlinkAlloc::new();
    /// let layout = Layout::new::<[u8; 32]>();
    /// let block = blink.allocate(layout).unwrap();
    /// // SAFETY: a live block of 32 bytes, not used again.
    /// unsafe { blink.deallocate(block.cast(), 32) };
    /// assert_eq!(blink.stats().used_bytes, 0);
    /// // It was the last block: the next one takes its place.
    /// assert_eq!(blink.allocate(layout).unwrap(), block);
    /// ```
    #[inline(always)]
    pub unsafe fn deallocate(&self, ptr: NonNull<u8>, size: usize) {
        // SAFETY: forwarded from the caller; only the size is read.
        unsafe {
            self.arena
                .dealloc(ptr, Layout::from_size_align_unchecked(size, 1))
        }
    }

    /// Frees every allocation, so that the next cycle of the same work needs
    /// a single chunk: keeps one chunk if it is large enough for all of
    /// them; otherwise frees every chunk and makes the next one that large
    /// (a cycle larger than the [chunk size cap](Self::max_chunk_size)
    /// keeps all its chunks instead, to reuse them in order).
    ///
    /// ```
    /// use core::alloc::Layout;
    /// use blink_alloc::BlinkAlloc;
    ///
    /// let work = |blink: &BlinkAlloc| {
    ///     for _ in 0..100 {
    ///         blink.allocate(Layout::new::<[u8; 1000]>()).unwrap();
    ///     }
    /// };
    /// let mut blink = BlinkAlloc::new();
    /// work(&blink);
    /// assert!(blink.stats().chunks > 1);
    /// blink.reset();
    /// assert_eq!(blink.stats().used_bytes, 0);
    /// work(&blink);
    /// assert_eq!(blink.stats().chunks, 1); // the same work fits in one chunk now
    /// ```
    #[inline]
    pub fn reset(&mut self) {
        // SAFETY: `&mut self` proves no allocation borrows the arena.
        unsafe { self.arena.reset() }
    }

    /// Frees every allocation and returns every chunk to the base allocator.
    ///
    /// ```
    /// use core::alloc::Layout;
    /// let mut blink = blink_alloc::BlinkAlloc::new();
    /// blink.allocate(Layout::new::<u64>()).unwrap();
    /// blink.reset_final();
    /// assert_eq!(blink.stats(), Default::default());
    /// ```
    #[inline]
    pub fn reset_final(&mut self) {
        // SAFETY: `&mut self` proves no allocation borrows the arena.
        unsafe { self.arena.reset_final() }
    }

    /// Like [`reset`](Self::reset), through a shared reference.
    ///
    /// # Safety
    ///
    /// No block allocated from this arena may be used after this call.
    ///
    /// # Example
    ///
    /// ```
    /// use core::alloc::Layout;
    /// let blink = blink_alloc::BlinkAlloc::new();
    /// let block = blink.allocate(Layout::new::<u64>()).unwrap();
    /// // SAFETY: `block` is not used after the reset.
    /// unsafe { blink.reset_unchecked() };
    /// assert_eq!(blink.stats().used_bytes, 0);
    /// # let _ = block;
    /// ```
    #[inline]
    pub unsafe fn reset_unchecked(&self) {
        // SAFETY: forwarded from the caller.
        unsafe { self.arena.reset() }
    }

    /// Marks the current position, to [`rewind`](Self::rewind) to later;
    /// see `rewind`'s example.
    #[inline]
    pub fn checkpoint(&self) -> Checkpoint {
        self.arena.checkpoint()
    }

    /// Frees every block allocated after `checkpoint`. Chunks added since are
    /// kept and reused.
    ///
    /// # Safety
    ///
    /// `checkpoint` must come from this arena, with no reset and no rewind to
    /// an earlier checkpoint since, and no block allocated after it may be
    /// used again.
    ///
    /// # Example
    ///
    /// ```
    /// use core::alloc::Layout;
    /// let blink = blink_alloc::BlinkAlloc::new();
    /// let keep = blink.allocate(Layout::new::<u64>()).unwrap();
    /// let mark = blink.checkpoint();
    /// let scratch = blink.allocate(Layout::new::<[u8; 256]>()).unwrap();
    /// // SAFETY: `scratch` is not used after the rewind.
    /// unsafe { blink.rewind(mark) };
    /// let again = blink.allocate(Layout::new::<[u8; 256]>()).unwrap();
    /// assert_eq!(again.cast::<u8>(), scratch.cast::<u8>());
    /// # let _ = keep;
    /// ```
    #[inline]
    pub unsafe fn rewind(&self, checkpoint: Checkpoint) {
        // SAFETY: forwarded from the caller.
        unsafe { self.arena.rewind(checkpoint) }
    }

    /// How much memory the arena holds and uses.
    ///
    /// ```
    /// use core::alloc::Layout;
    /// let mut blink = blink_alloc::BlinkAlloc::new();
    /// blink.allocate(Layout::new::<[u64; 4]>()).unwrap();
    /// assert_eq!(blink.stats().used_bytes, 32);
    /// assert_eq!(blink.stats().chunks, 1);
    /// blink.reset();
    /// assert_eq!(blink.stats().used_bytes, 0);
    /// ```
    pub fn stats(&self) -> Stats {
        self.arena.stats()
    }

    /// Frees every chunk and returns the base allocator.
    ///
    /// ```
    /// use core::alloc::Layout;
    /// use blink_alloc::BlinkAlloc;
    ///
    /// let outer = BlinkAlloc::new();
    /// let inner = BlinkAlloc::new_in(&outer);
    /// inner.allocate(Layout::new::<u64>()).unwrap();
    /// let base: &BlinkAlloc = inner.into_inner();
    /// assert!(core::ptr::eq(base, &outer));
    /// ```
    pub fn into_inner(self) -> A {
        let this = core::mem::ManuallyDrop::new(self);
        // SAFETY: `self` is consumed, so no block can be used again.
        unsafe { this.arena.reset_final() };
        // SAFETY: `this` is never used again nor dropped, so the allocator is
        // moved out exactly once; the rest of the arena holds no resource
        // after `reset_final`.
        unsafe { core::ptr::read(this.arena.base()) }
    }
}

impl<A: Allocator> Drop for BlinkAlloc<A> {
    fn drop(&mut self) {
        self.reset_final();
    }
}

impl<A: Allocator> fmt::Debug for BlinkAlloc<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlinkAlloc")
            .field("stats", &self.stats())
            .finish()
    }
}

// SAFETY: blocks come from the arena, which keeps them valid and disjoint
// until reset or drop, both of which need `&mut BlinkAlloc` or the value
// itself; `resize` and `rewind` keep the trait's promises (see `LocalArena`).
unsafe impl<A: Allocator> BlinkAllocator for BlinkAlloc<A> {
    forward_allocation_to!(BlinkAlloc);

    #[inline]
    fn reset(&mut self) {
        BlinkAlloc::reset(self)
    }

    #[inline(always)]
    fn allocate_at(&self, ptr: NonNull<u8>, layout: Layout) -> bool {
        self.arena.alloc_at(ptr, layout)
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

    #[inline]
    fn checkpoint(&self) -> Checkpoint {
        BlinkAlloc::checkpoint(self)
    }

    #[inline]
    unsafe fn rewind(&self, checkpoint: Checkpoint) {
        // SAFETY: forwarded from the caller.
        unsafe { BlinkAlloc::rewind(self, checkpoint) }
    }
}

impl_allocator_for_ref!(BlinkAlloc<A>);

/// The layout reported when a chunk for `bytes` cannot be allocated.
pub(crate) fn capacity_layout(bytes: usize) -> Layout {
    Layout::from_size_align(bytes, 1).unwrap_or(Layout::new::<u8>())
}
