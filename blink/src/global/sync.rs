//! `GlobalBlinkAlloc`: a global allocator over the shared arena.

use core::{
    alloc::{GlobalAlloc, Layout},
    fmt,
    ptr::{self, NonNull},
    sync::atomic::{
        AtomicUsize,
        Ordering::{Acquire, Relaxed, Release},
    },
};
use std::alloc::System;

use allocator_api2::alloc::Allocator;

use super::{
    blink_layout, dealloc_direct, direct_layout, id_of, is_blink_block, realloc_direct,
    small_blink_layout, thread_mode, NO_ID,
};
use crate::{LocalBlinkAlloc, SyncBlinkAlloc};

/// Blocks this large, freed when they are not the newest of this thread's
/// slot, are tried at the shared chunk's tip (where blocks too large for a
/// slot are); smaller ones are left for the reset.
const SHARED_FREE_MIN: usize = 4096;

/// The bit of `state` that says a reset is under way.
const RESETTING: usize = 1 << (usize::BITS - 1);

/// A global allocator that serves the threads in *blink mode* from a shared
/// arena, and every other thread from the base allocator `A`.
///
/// Install it with `#[global_allocator]`; a thread calls
/// [`blink_mode`](Self::blink_mode) to have its `Box`es, `Vec`s and
/// `String`s (any library's) come from the arena, and
/// [`direct_mode`](Self::direct_mode) to switch back; when the last thread
/// leaves blink mode, the arena is reset and all its memory is reused by
/// the next frame. In blink mode, an allocation is a bump through this
/// thread's block of the arena (no atomic operation), freeing the newest
/// block gives it back, and the newest block grows in place; once warm, a
/// frame of blink-mode allocations makes no call to `A`.
///
/// The mode belongs to the calling thread, and a block is always freed or
/// resized by the allocator that made it, whatever the mode (see the
/// [module docs](crate::UnsafeGlobalBlinkAlloc#every-block-finds-its-owner)
/// of the global allocators for how, and for what is unsafe).
///
/// ```no_run
/// use blink_alloc::GlobalBlinkAlloc;
///
/// #[global_allocator]
/// static GLOBAL: GlobalBlinkAlloc = GlobalBlinkAlloc::new();
///
/// fn main() {
///     let kept = vec![1, 2, 3]; // direct mode: from `System`
///     for request in 0..10 {
///         // SAFETY: everything this thread allocates until `direct_mode`
///         // is dropped before it, and no other thread is in blink mode.
///         unsafe { GLOBAL.blink_mode() };
///         let reply = format!("request {request}: {kept:?}");
///         assert!(reply.starts_with("request"));
///         drop(reply);
///         // SAFETY: the frame's blocks are all gone.
///         unsafe { GLOBAL.direct_mode() }; // resets the arena
///     }
/// }
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "sync")))]
pub struct GlobalBlinkAlloc<A: Allocator = System> {
    blink: SyncBlinkAlloc<A>,
    /// This allocator's id: the mode of its threads in blink mode.
    id: AtomicUsize,
    /// How many threads are in blink mode, and [`RESETTING`] during a reset.
    state: AtomicUsize,
    /// Blocks allocated in blink mode and not freed yet.
    #[cfg(debug_assertions)]
    live: core::sync::atomic::AtomicIsize,
}

impl GlobalBlinkAlloc<System> {
    /// A global allocator over `System`, in direct mode on every thread.
    /// Allocates nothing until a thread allocates in blink mode.
    ///
    /// ```
    /// use blink_alloc::GlobalBlinkAlloc;
    /// static GLOBAL: GlobalBlinkAlloc = GlobalBlinkAlloc::new();
    /// assert_eq!(GLOBAL.blink().stats().allocated_bytes, 0);
    /// ```
    pub const fn new() -> Self {
        Self::new_in(System)
    }

    /// Like [`new`](Self::new), with chunks that each hold at least
    /// `chunk_size` bytes of blocks.
    ///
    /// ```
    /// use blink_alloc::GlobalBlinkAlloc;
    /// static GLOBAL: GlobalBlinkAlloc = GlobalBlinkAlloc::with_chunk_size(1 << 20);
    /// assert_eq!(GLOBAL.blink().stats().chunks, 0); // still lazy
    /// ```
    pub const fn with_chunk_size(chunk_size: usize) -> Self {
        Self::with_chunk_size_in(chunk_size, System)
    }
}

impl Default for GlobalBlinkAlloc<System> {
    fn default() -> Self {
        Self::new()
    }
}

impl<A: Allocator> GlobalBlinkAlloc<A> {
    /// A global allocator over `allocator`, in direct mode on every thread.
    ///
    /// `allocator` must not be routed through the global allocator (as
    /// `Global` is): direct mode would call it, and it would call the
    /// global allocator, forever.
    ///
    /// ```
    /// use blink_alloc::GlobalBlinkAlloc;
    /// use std::alloc::System;
    /// static GLOBAL: GlobalBlinkAlloc<System> = GlobalBlinkAlloc::new_in(System);
    /// assert_eq!(GLOBAL.blink().stats().chunks, 0);
    /// ```
    pub const fn new_in(allocator: A) -> Self {
        Self::with_chunk_size_in(0, allocator)
    }

    /// Like [`new_in`](Self::new_in), with chunks that each hold at least
    /// `chunk_size` bytes of blocks.
    ///
    /// ```
    /// use blink_alloc::GlobalBlinkAlloc;
    /// use std::alloc::System;
    /// static GLOBAL: GlobalBlinkAlloc = GlobalBlinkAlloc::with_chunk_size_in(4096, System);
    /// assert_eq!(GLOBAL.blink().stats().chunks, 0);
    /// ```
    pub const fn with_chunk_size_in(chunk_size: usize, allocator: A) -> Self {
        GlobalBlinkAlloc {
            blink: SyncBlinkAlloc::with_chunk_size_in(chunk_size, allocator),
            id: AtomicUsize::new(NO_ID),
            state: AtomicUsize::new(0),
            #[cfg(debug_assertions)]
            live: core::sync::atomic::AtomicIsize::new(0),
        }
    }

    /// The arena of blink mode, for its statistics or to allocate from it
    /// by hand.
    ///
    /// ```
    /// use blink_alloc::GlobalBlinkAlloc;
    /// let global = GlobalBlinkAlloc::new();
    /// assert_eq!(global.blink().stats().used_bytes, 0);
    /// ```
    pub fn blink(&self) -> &SyncBlinkAlloc<A> {
        &self.blink
    }

    /// A private view of the arena for this thread, as
    /// [`SyncBlinkAlloc::local`] gives: it allocates from the arena whatever
    /// the mode, with no atomic operation on its fast path. Its blocks live
    /// until the arena's next reset (a [`reset`](Self::reset), or a
    /// [`direct_mode`](Self::direct_mode) that leaves no thread in blink
    /// mode); the view must not be used after that either.
    ///
    /// ```
    /// use allocator_api2::vec::Vec;
    /// use blink_alloc::GlobalBlinkAlloc;
    ///
    /// let global = GlobalBlinkAlloc::new();
    /// let local = global.local();
    /// let mut squares = Vec::new_in(&local);
    /// squares.extend((0..10u32).map(|i| i * i));
    /// assert_eq!(squares[3], 9);
    /// ```
    pub fn local(&self) -> LocalBlinkAlloc<'_, A> {
        self.blink.local()
    }

    /// Switches the calling thread to blink mode: from now on its
    /// allocations come from the arena. Other threads are not affected.
    /// Does nothing if the thread is in blink mode already. Waits while
    /// another thread resets the arena.
    ///
    /// # Safety
    ///
    /// Every block this thread allocates in blink mode dies at the arena's
    /// next reset ([`reset`](Self::reset), or a
    /// [`direct_mode`](Self::direct_mode) that leaves no thread in blink
    /// mode), on whichever thread that happens; it must not be used (read,
    /// written, freed or resized) after the reset begins. This includes
    /// memory that a library allocates lazily and keeps (a `OnceLock`, a
    /// thread-local, `stdout`'s buffer) when first used in blink mode. The
    /// thread must switch back with `direct_mode` before it ends.
    ///
    /// # Panics
    ///
    /// If the thread is in blink mode for another global allocator of this
    /// crate.
    ///
    /// # Example
    ///
    /// ```
    /// use blink_alloc::GlobalBlinkAlloc;
    /// let global = GlobalBlinkAlloc::new();
    /// // SAFETY: nothing is allocated from the arena here.
    /// unsafe { global.blink_mode() };
    /// assert!(global.is_blink_mode());
    /// // SAFETY: as above.
    /// unsafe { global.direct_mode() };
    /// assert!(!global.is_blink_mode());
    /// ```
    pub unsafe fn blink_mode(&self) {
        let id = id_of(&self.id);
        let mode = thread_mode::get();
        if mode == id {
            return;
        }
        assert!(
            mode == thread_mode::DIRECT,
            "blink-alloc: this thread is in blink mode for another global allocator"
        );
        let mut state = self.state.load(Relaxed);
        loop {
            if state & RESETTING != 0 {
                std::thread::yield_now();
                state = self.state.load(Relaxed);
                continue;
            }
            // `Acquire`: the last reset happens before this thread's arena
            // use (it stores the state with `Release`).
            match self
                .state
                .compare_exchange_weak(state, state + 1, Acquire, Relaxed)
            {
                Ok(_) => break,
                Err(now) => state = now,
            }
        }
        thread_mode::replace(id);
    }

    /// Switches the calling thread back to direct mode (if it was in blink
    /// mode); then, if no thread is left in blink mode, resets the arena, as
    /// [`reset`](Self::reset) does.
    ///
    /// # Safety
    ///
    /// If no thread is left in blink mode, no block allocated in blink mode,
    /// by any thread, may be used after this call (see `reset`).
    ///
    /// # Example
    ///
    /// ```
    /// use blink_alloc::GlobalBlinkAlloc;
    /// use core::alloc::{GlobalAlloc, Layout};
    ///
    /// let global = GlobalBlinkAlloc::new();
    /// let layout = Layout::new::<u64>();
    /// // SAFETY: the block is freed before `direct_mode`.
    /// unsafe {
    ///     global.blink_mode();
    ///     let block = global.alloc(layout);
    ///     global.dealloc(block, layout);
    ///     global.direct_mode();
    /// }
    /// assert_eq!(global.blink().stats().used_bytes, 0);
    /// ```
    pub unsafe fn direct_mode(&self) {
        if self.is_blink_mode() {
            thread_mode::replace(thread_mode::DIRECT);
            // `Release`: this thread's arena use happens before a reset.
            self.state.fetch_sub(1, Release);
        }
        if self
            .state
            .compare_exchange(0, RESETTING, Acquire, Relaxed)
            .is_ok()
        {
            // SAFETY: no thread is in blink mode and no other reset runs
            // (`RESETTING` keeps both out until the store below); the caller
            // promises that no blink-mode block is used after this call.
            unsafe { self.reset_now() };
            self.state.store(0, Release);
        }
    }

    /// Frees every block allocated in blink mode at once, keeping one chunk
    /// big enough for the work since the last reset, so that the next frame
    /// makes no call to the base allocator. The calling thread keeps its
    /// mode.
    ///
    /// Debug builds report at the reset, on stderr, how many blink-mode
    /// blocks were not freed (see [`live_blink_blocks`](Self::live_blink_blocks)).
    ///
    /// # Safety
    ///
    /// No block allocated in blink mode before this call, by any thread,
    /// may be used (read, written, freed or resized) after the call begins;
    /// nor any [`local`](Self::local) view. Blocks allocated in direct mode
    /// are not affected.
    ///
    /// # Panics
    ///
    /// If another thread is in blink mode or resetting the arena: it would
    /// be allocating from the arena during the reset.
    ///
    /// # Example
    ///
    /// ```
    /// use blink_alloc::GlobalBlinkAlloc;
    /// use core::alloc::{GlobalAlloc, Layout};
    ///
    /// let global = GlobalBlinkAlloc::new();
    /// let layout = Layout::new::<[u8; 100]>();
    /// // SAFETY: the block is not used after the reset.
    /// unsafe {
    ///     global.blink_mode();
    ///     let _leaked = global.alloc(layout);
    ///     global.reset();
    /// }
    /// assert_eq!(global.blink().stats().used_bytes, 0);
    /// // SAFETY: nothing was allocated since the reset.
    /// unsafe { global.direct_mode() };
    /// ```
    pub unsafe fn reset(&self) {
        let me = usize::from(self.is_blink_mode());
        let entered = self
            .state
            .compare_exchange(me, me | RESETTING, Acquire, Relaxed)
            .is_ok();
        assert!(
            entered,
            "blink-alloc: GlobalBlinkAlloc::reset while another thread is in blink mode"
        );
        // SAFETY: no other thread is in blink mode and no other reset runs
        // (`RESETTING` keeps them out until the store below); the caller
        // promises that no blink-mode block is used after this call.
        unsafe { self.reset_now() };
        self.state.store(me, Release);
    }

    /// # Safety
    ///
    /// The caller holds [`RESETTING`] with no other thread in blink mode,
    /// and no block of the arena, nor a local view, is used after the call.
    unsafe fn reset_now(&self) {
        // Anything allocated while reporting goes to the base allocator.
        let mode = thread_mode::replace(thread_mode::DIRECT);
        #[cfg(debug_assertions)]
        {
            let live = self.live.swap(0, Relaxed);
            if live != 0 {
                super::report_live_blocks("GlobalBlinkAlloc", live.unsigned_abs());
            }
        }
        // SAFETY: no block is used after the call (caller); no thread is in
        // blink mode, so only callers that broke that promise could use the
        // arena during the call; later blink-mode threads acquire `state`
        // after the caller releases it, and the base allocator does not use
        // this arena.
        unsafe { self.blink.reset_unchecked() };
        thread_mode::replace(mode);
    }

    /// Whether the calling thread is in blink mode for this allocator.
    ///
    /// ```
    /// let global = blink_alloc::GlobalBlinkAlloc::new();
    /// assert!(!global.is_blink_mode());
    /// ```
    #[inline(always)]
    pub fn is_blink_mode(&self) -> bool {
        // A thread's mode is never `NO_ID`, so an allocator that has not
        // drawn its id has no thread in blink mode.
        thread_mode::get() == self.id.load(Relaxed)
    }

    /// In debug builds, how many blocks allocated in blink mode have not
    /// been freed since the last reset; `None` in release builds, which do
    /// not count.
    ///
    /// ```
    /// use blink_alloc::GlobalBlinkAlloc;
    /// use core::alloc::{GlobalAlloc, Layout};
    ///
    /// let global = GlobalBlinkAlloc::new();
    /// let layout = Layout::new::<u32>();
    /// // SAFETY: the block is freed before `direct_mode`.
    /// unsafe {
    ///     global.blink_mode();
    ///     let block = global.alloc(layout);
    ///     assert!(matches!(global.live_blink_blocks(), Some(1) | None));
    ///     global.dealloc(block, layout);
    ///     global.direct_mode();
    /// }
    /// ```
    pub fn live_blink_blocks(&self) -> Option<usize> {
        #[cfg(debug_assertions)]
        return Some(self.live.load(Relaxed).max(0).unsigned_abs());
        #[cfg(not(debug_assertions))]
        return None;
    }

    #[inline(always)]
    fn count(&self, _blocks: isize) {
        #[cfg(debug_assertions)]
        self.live.fetch_add(_blocks, Relaxed);
    }

    /// A blink-mode block for `layout`: `a` bytes into an arena block for
    /// [`blink_layout`]. Null on failure.
    ///
    /// The fast path bumps this thread's slot, inlined into `alloc`; it
    /// calls nothing, so it needs no switch to direct mode.
    #[inline(always)]
    fn alloc_blink(&self, layout: Layout) -> *mut u8 {
        if let Some(arena_layout) = small_blink_layout(layout) {
            if let Some(block) = self.blink.arena.alloc_in_slot(arena_layout) {
                self.count(1);
                // In bounds: the arena block has `size + a` bytes.
                return block.as_ptr().wrapping_add(layout.align());
            }
        }
        self.alloc_blink_slow(layout)
    }

    /// `alloc_blink` when this thread's slot has no room for `layout` (or
    /// the layout is large): through the arena's refill.
    #[cold]
    #[inline(never)]
    fn alloc_blink_slow(&self, layout: Layout) -> *mut u8 {
        let Some(arena_layout) = blink_layout(layout) else {
            return ptr::null_mut();
        };
        // Anything the arena's slow path allocates (a lazily boxed lock on
        // some targets) goes to the base allocator, not back here.
        let mode = thread_mode::replace(thread_mode::DIRECT);
        let block = self.blink.arena.alloc(arena_layout);
        thread_mode::replace(mode);
        match block {
            Ok(block) => {
                self.count(1);
                // In bounds: the arena block has `size + a` bytes.
                block.as_ptr().wrapping_add(layout.align())
            }
            Err(_) => ptr::null_mut(),
        }
    }

    /// Gives back the live arena block of `size` bytes at `base` (not used
    /// again) if it is the newest of this thread's slot: a resize to nothing
    /// there, by address only. Otherwise a large block goes back if it is
    /// the newest of the shared chunk; a small one waits for the reset,
    /// which saves an atomic compare-and-swap on most frees.
    ///
    /// # Safety
    ///
    /// `base` is a live arena block of `size` bytes, not used again.
    #[inline(always)]
    unsafe fn free_blink(&self, base: NonNull<u8>, size: usize) {
        let freed = self.blink.arena.resize_in_slot(base, size, 0).is_some();
        if !freed && size >= SHARED_FREE_MIN {
            // SAFETY: a live arena block of `size` bytes, not used again
            // (caller).
            unsafe { self.blink.arena.dealloc_shared(base, size) };
        }
    }

    /// # Safety
    ///
    /// `ptr` is a live blink-mode block allocated with `layout` and
    /// `new_size` is a valid size for it (as `GlobalAlloc::realloc`).
    #[inline(always)]
    unsafe fn realloc_blink(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let align = layout.align();
        // The arena block: `a` bytes before the user's block (only an
        // address: never read through this pointer).
        // SAFETY: `ptr - a >= 2a` (an arena block is not at address 0).
        let base = unsafe { NonNull::new_unchecked(ptr.wrapping_sub(align)) };
        // The newest block of this thread's slot grows or shrinks in place,
        // keeping its address (so its alignment): only addresses are
        // compared, and the block comes back with the chunk's provenance.
        // `GlobalAlloc::realloc` keeps `new_size` rounded up to `a` within
        // `isize::MAX`, so neither sum overflows.
        if let Some(block) =
            self.blink
                .arena
                .resize_in_slot(base, layout.size() + align, new_size + align)
        {
            return block.as_ptr().wrapping_add(align);
        }
        // SAFETY: forwarded from the caller.
        unsafe { self.realloc_blink_slow(ptr, layout, new_size) }
    }

    /// `realloc_blink` of a block that is not the newest of this thread's
    /// slot, or that the slot has no room to grow.
    ///
    /// # Safety
    ///
    /// As [`realloc_blink`](Self::realloc_blink).
    #[cold]
    #[inline(never)]
    unsafe fn realloc_blink_slow(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let align = layout.align();
        // SAFETY: `layout` made this block, so `blink_layout(layout)` was
        // valid; only the size changes below.
        let old = unsafe { blink_layout(layout).unwrap_unchecked() };
        let Ok(new_layout) = Layout::from_size_align(new_size, align) else {
            return ptr::null_mut();
        };
        // The arena block: `a` bytes before the user's block, in the same
        // arena block (only an address: never read through this pointer).
        // SAFETY: `ptr - a >= 2a` (an arena block is not at address 0).
        let base = unsafe { NonNull::new_unchecked(ptr.wrapping_sub(align)) };
        if new_size <= layout.size() {
            let Some(new) = blink_layout(new_layout) else {
                return ptr::null_mut();
            };
            // SAFETY: `base` is a live arena block with layout `old`, and
            // the arena shrinks an aligned block in place, never moving or
            // reading it.
            return match unsafe { self.blink.resize(base, old, new) } {
                Ok(block) => block.cast::<u8>().as_ptr().wrapping_add(align),
                Err(_) => ptr::null_mut(),
            };
        }
        // A new blink-mode block of the same alignment (counted as one more
        // live block, the old one is counted out below).
        let moved = self.alloc_blink(new_layout);
        if moved.is_null() {
            return moved;
        }
        // SAFETY: `ptr` is live for `layout.size()` bytes (caller), and
        // `moved` is a fresh block of more than that, disjoint from it. Only
        // the user's bytes are read, through the user's pointer.
        unsafe { ptr::copy_nonoverlapping(ptr, moved, layout.size()) };
        self.count(-1);
        // SAFETY: the old arena block is live with layout `old`, and not
        // used again.
        unsafe { self.blink.deallocate(base, old.size()) };
        moved
    }
}

// SAFETY: every block this returns is valid for its layout until freed:
// direct-mode blocks are blocks of `A` (an `Allocator`), blink-mode blocks
// lie in arena blocks of `size + a` bytes, which live until the arena
// resets, and `reset`, `direct_mode` and `blink_mode` are `unsafe`, their
// callers promising that no blink-mode block is used after a reset. Blocks
// are disjoint: arena blocks are, and so are `A`'s, and an arena's chunks
// are blocks of `A`. `dealloc` and `realloc` find the allocator that made
// the block from the block's address (module docs: bit `a` is 1 exactly for
// blink-mode blocks), and give it the layout it was made with: `A`'s
// blocks have `direct_layout(layout)`, the arena's `blink_layout(layout)`.
// A realloc keeps the alignment, so a block stays with its allocator.
unsafe impl<A: Allocator> GlobalAlloc for GlobalBlinkAlloc<A> {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if self.is_blink_mode() {
            return self.alloc_blink(layout);
        }
        match direct_layout(layout) {
            Some(direct) => self
                .blink
                .inner()
                .allocate(direct)
                .map_or(ptr::null_mut(), |block| block.cast::<u8>().as_ptr()),
            None => ptr::null_mut(),
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if self.is_blink_mode() {
            let block = self.alloc_blink(layout);
            if !block.is_null() {
                // SAFETY: a fresh block of `layout.size()` writable bytes.
                unsafe { block.write_bytes(0, layout.size()) };
            }
            return block;
        }
        match direct_layout(layout) {
            Some(direct) => self
                .blink
                .inner()
                .allocate_zeroed(direct)
                .map_or(ptr::null_mut(), |block| block.cast::<u8>().as_ptr()),
            None => ptr::null_mut(),
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if is_blink_block(ptr, layout) {
            self.count(-1);
            // SAFETY: an arena block is not at address 0, so `ptr - a` is not.
            let base = unsafe { NonNull::new_unchecked(ptr.wrapping_sub(layout.align())) };
            // SAFETY: the arena block behind the caller's live blink-mode
            // block, of `size + a` bytes, not used again.
            unsafe { self.free_blink(base, layout.size() + layout.align()) };
        } else {
            // SAFETY: not a blink block, so (caller) a live direct-mode block
            // of the base allocator, made for `layout`, not used again.
            unsafe { dealloc_direct(self.blink.inner(), ptr, layout) }
        }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if is_blink_block(ptr, layout) {
            // SAFETY: forwarded from the caller.
            return unsafe { self.realloc_blink(ptr, layout, new_size) };
        }
        // SAFETY: not a blink block, so (caller) a live direct-mode block
        // of the base allocator, made for `layout`.
        unsafe { realloc_direct(self.blink.inner(), ptr, layout, new_size) }
    }
}

impl<A: Allocator> fmt::Debug for GlobalBlinkAlloc<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GlobalBlinkAlloc")
            .field("blink", &self.blink)
            .field(
                "threads_in_blink_mode",
                &(self.state.load(Relaxed) & !RESETTING),
            )
            .finish()
    }
}
