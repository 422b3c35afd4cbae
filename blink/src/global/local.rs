//! `UnsafeGlobalBlinkAlloc`: a global allocator over a single-threaded
//! arena.

use core::{
    alloc::{GlobalAlloc, Layout},
    fmt,
    ptr::{self, NonNull},
    sync::atomic::{
        AtomicUsize,
        Ordering::{Acquire, Relaxed, Release},
    },
};

use allocator_api2::alloc::Allocator;

use super::{
    blink_layout, dealloc_direct, direct_layout, id_of, is_blink_block, realloc_direct,
    small_blink_layout, thread_mode, NO_ID,
};
use crate::arena::{chunk::ChunkConfig, local::LocalArena};

/// The owner of an arena that no thread uses.
const NO_OWNER: usize = 0;

macro_rules! unsafe_global_blink_alloc {
    ($($default:tt)*) => {
        /// A global allocator that serves one thread at a time in *blink
        /// mode* from a single-threaded arena, and every other thread (and
        /// that thread in direct mode) from the base allocator `A`.
        ///
        /// Like `GlobalBlinkAlloc` (feature `sync`), but its arena is the
        /// one of [`BlinkAlloc`](crate::BlinkAlloc): no atomic operation on
        /// any path of blink mode. In exchange, one thread at a time may be
        /// in blink mode (the *owner* of the arena; another thread's
        /// [`blink_mode`](Self::blink_mode) panics until the owner leaves),
        /// and only the owner touches the arena: a blink-mode block freed by
        /// another thread stays in the arena until the reset, and one grown
        /// by another thread moves to the base allocator.
        ///
        /// # Global allocators
        ///
        /// A thread's mode belongs to that thread; a block is always freed
        /// or resized by the allocator that made it, whatever the mode.
        ///
        /// ## Every block finds its owner
        ///
        /// `dealloc` and `realloc` go to the allocator that made the block,
        /// whatever the mode of the thread that calls them. The owner is
        /// read from the block's address, with no memory access:
        ///
        /// - A block of alignment `a` from **direct mode** is a block of
        ///   `A` for the same size with alignment `2a`: bit `a` of its
        ///   address is **0**.
        /// - A block of alignment `a` from **blink mode** starts `a` bytes
        ///   into an arena block of `size + a` bytes aligned to `2a`: it is
        ///   an *odd* multiple of `a`, so bit `a` of its address is **1**.
        ///
        /// `GlobalAlloc` gives `dealloc` and `realloc` the layout the block
        /// was made with (a realloc keeps the alignment), so both compute
        /// the same bit from the same `a`, whatever the modes, threads or
        /// resets. The cost: direct-mode blocks ask `A` for twice the
        /// alignment; blink-mode blocks take `a` more bytes, plus up to `a`
        /// of padding, in the arena.
        ///
        /// ## What is unsafe, and why
        ///
        /// `GlobalAlloc` hands out raw blocks with no lifetime: nothing ties
        /// a blink-mode block to the arena's next reset. So the calls that
        /// end blocks ([`reset`](Self::reset), [`direct_mode`](Self::direct_mode))
        /// and the one that starts making them ([`blink_mode`](Self::blink_mode))
        /// are `unsafe`: their callers promise that no blink-mode block is
        /// used after the reset. Beware of lazily initialised state of
        /// libraries (a `OnceLock`, a thread-local, `stdout`'s buffer) first
        /// used in blink mode: it dangles after the reset. Debug builds
        /// count the blink-mode blocks not yet freed and report them on
        /// stderr at the reset (see [`live_blink_blocks`](Self::live_blink_blocks)).
        ///
        /// `A` must not be routed through the global allocator (as
        /// `Global` is): direct mode would call it, and it the global
        /// allocator, forever. The modes live in thread-locals with a
        /// constant initialiser and no destructor; during a thread's
        /// teardown the thread is in direct mode.
        ///
        #[cfg_attr(feature = "std", doc = "```no_run")]
        #[cfg_attr(not(feature = "std"), doc = "```ignore")]
        /// use blink_alloc::UnsafeGlobalBlinkAlloc;
        ///
        /// #[global_allocator]
        /// // SAFETY: (with `std`) nothing beyond the methods' contracts.
        /// static GLOBAL: UnsafeGlobalBlinkAlloc = unsafe { UnsafeGlobalBlinkAlloc::new() };
        ///
        /// fn main() {
        ///     for frame in 0..10 {
        ///         // SAFETY: everything this thread allocates until
        ///         // `direct_mode` is dropped before it.
        ///         unsafe { GLOBAL.blink_mode() };
        ///         let words: Vec<String> = (0..100).map(|i| format!("w{i}")).collect();
        ///         assert_eq!(words.len(), 100 + frame - frame);
        ///         drop(words);
        ///         // SAFETY: the frame's blocks are all gone.
        ///         unsafe { GLOBAL.direct_mode() }; // resets the arena
        ///     }
        /// }
        /// ```
        pub struct UnsafeGlobalBlinkAlloc<A: Allocator $($default)*> {
            arena: LocalArena<A>,
            /// This allocator's id: the mode of its thread in blink mode.
            id: AtomicUsize,
            /// The token of the thread that may use the arena, or
            /// [`NO_OWNER`].
            owner: AtomicUsize,
            /// Blocks allocated in blink mode and not freed yet.
            #[cfg(debug_assertions)]
            live: core::sync::atomic::AtomicIsize,
        }
    };
}

#[cfg(feature = "std")]
unsafe_global_blink_alloc!(= std::alloc::System);
#[cfg(not(feature = "std"))]
unsafe_global_blink_alloc!();

// SAFETY: the arena's `Cell`s and chunks are only touched by the thread
// whose token is in `owner` (see `touches_arena`), taken with an `Acquire`
// compare-and-swap from `NO_OWNER` and given back with a `Release` store,
// so uses of the arena by successive owners never race. Without `std`, the
// constructors' caller promises a single thread. Other threads only use `A`
// (`Sync`) and atomics. Chunks are allocated and freed by whichever thread
// owns the arena, or drops it, which `A: Send` allows.
unsafe impl<A: Allocator + Send + Sync> Sync for UnsafeGlobalBlinkAlloc<A> {}

// SAFETY: moving the allocator moves its chunks' owner and `A`; no thread
// can be using it (moving needs it unborrowed), so a thread's token left in
// `owner` is that of a thread in blink mode, which the safety contract of
// `blink_mode` requires to switch back first. Needs `A: Send`.
unsafe impl<A: Allocator + Send> Send for UnsafeGlobalBlinkAlloc<A> {}

#[cfg(feature = "std")]
impl UnsafeGlobalBlinkAlloc<std::alloc::System> {
    /// A global allocator over `System`, in direct mode on every thread.
    ///
    /// # Safety
    ///
    /// Without feature `std`, every call must come from one thread (there
    /// are no thread-locals to tell threads apart). With `std` nothing more
    /// is required than the contracts of the `unsafe` methods; the
    /// constructors stay `unsafe` so that a program reads the same either
    /// way, as in blink-alloc 0.4.
    ///
    /// # Example
    ///
    #[cfg_attr(feature = "std", doc = "```")]
    #[cfg_attr(not(feature = "std"), doc = "```ignore")]
    /// use blink_alloc::UnsafeGlobalBlinkAlloc;
    /// // SAFETY: with `std`, nothing beyond the methods' contracts.
    /// static GLOBAL: UnsafeGlobalBlinkAlloc = unsafe { UnsafeGlobalBlinkAlloc::new() };
    /// assert!(!GLOBAL.is_blink_mode());
    /// ```
    pub const unsafe fn new() -> Self {
        // SAFETY: forwarded from the caller.
        unsafe { Self::new_in(std::alloc::System) }
    }

    /// Like [`new`](Self::new), with chunks that each hold at least
    /// `chunk_size` bytes of blocks.
    ///
    /// # Safety
    ///
    /// As for [`new`](Self::new).
    ///
    /// # Example
    ///
    #[cfg_attr(feature = "std", doc = "```")]
    #[cfg_attr(not(feature = "std"), doc = "```ignore")]
    /// use blink_alloc::UnsafeGlobalBlinkAlloc;
    /// // SAFETY: with `std`, nothing beyond the methods' contracts.
    /// static GLOBAL: UnsafeGlobalBlinkAlloc =
    ///     unsafe { UnsafeGlobalBlinkAlloc::with_chunk_size(1 << 20) };
    /// assert!(!GLOBAL.is_blink_mode());
    /// ```
    pub const unsafe fn with_chunk_size(chunk_size: usize) -> Self {
        // SAFETY: forwarded from the caller.
        unsafe { Self::with_chunk_size_in(chunk_size, std::alloc::System) }
    }
}

impl<A: Allocator> UnsafeGlobalBlinkAlloc<A> {
    /// A global allocator over `allocator`, in direct mode on every thread.
    /// `allocator` must not be routed through the global allocator.
    ///
    /// # Safety
    ///
    /// Without feature `std`, every call must come from one thread (there
    /// are no thread-locals to tell threads apart). With `std` nothing more
    /// is required than the contracts of the `unsafe` methods.
    ///
    /// # Example
    ///
    #[cfg_attr(feature = "std", doc = "```")]
    #[cfg_attr(not(feature = "std"), doc = "```ignore")]
    /// use blink_alloc::UnsafeGlobalBlinkAlloc;
    /// use std::alloc::System;
    /// // SAFETY: with `std`, nothing beyond the methods' contracts.
    /// static GLOBAL: UnsafeGlobalBlinkAlloc<System> =
    ///     unsafe { UnsafeGlobalBlinkAlloc::new_in(System) };
    /// assert_eq!(GLOBAL.live_blink_blocks().unwrap_or(0), 0);
    /// ```
    pub const unsafe fn new_in(allocator: A) -> Self {
        // SAFETY: forwarded from the caller.
        unsafe { Self::with_chunk_size_in(0, allocator) }
    }

    /// Like [`new_in`](Self::new_in), with chunks that each hold at least
    /// `chunk_size` bytes of blocks.
    ///
    /// # Safety
    ///
    /// As for [`new_in`](Self::new_in).
    ///
    /// # Example
    ///
    #[cfg_attr(feature = "std", doc = "```")]
    #[cfg_attr(not(feature = "std"), doc = "```ignore")]
    /// use blink_alloc::UnsafeGlobalBlinkAlloc;
    /// use std::alloc::System;
    /// // SAFETY: with `std`, nothing beyond the methods' contracts.
    /// static GLOBAL: UnsafeGlobalBlinkAlloc<System> =
    ///     unsafe { UnsafeGlobalBlinkAlloc::with_chunk_size_in(4096, System) };
    /// assert!(!GLOBAL.is_blink_mode());
    /// ```
    pub const unsafe fn with_chunk_size_in(chunk_size: usize, allocator: A) -> Self {
        UnsafeGlobalBlinkAlloc {
            arena: LocalArena::new(ChunkConfig::new(chunk_size), allocator),
            id: AtomicUsize::new(NO_ID),
            owner: AtomicUsize::new(NO_OWNER),
            #[cfg(debug_assertions)]
            live: core::sync::atomic::AtomicIsize::new(0),
        }
    }

    /// Whether the calling thread is in blink mode for this allocator.
    ///
    #[cfg_attr(feature = "std", doc = "```")]
    #[cfg_attr(not(feature = "std"), doc = "```ignore")]
    /// // SAFETY: with `std`, nothing beyond the methods' contracts.
    /// let global = unsafe { blink_alloc::UnsafeGlobalBlinkAlloc::new() };
    /// assert!(!global.is_blink_mode());
    /// ```
    #[inline(always)]
    pub fn is_blink_mode(&self) -> bool {
        // A thread's mode is never `NO_ID`.
        thread_mode::get() == self.id.load(Relaxed)
    }

    /// Whether the calling thread owns the arena (it is in blink mode, or
    /// resetting): then it alone may touch the arena's `Cell`s.
    #[inline(always)]
    fn touches_arena(&self) -> bool {
        // Only this thread stores its own token, and a store of another
        // value by another thread happens only when `owner` is `NO_OWNER`:
        // so `Relaxed` sees this thread's token exactly when it owns.
        self.owner.load(Relaxed) == thread_mode::token()
    }

    /// Makes the calling thread the arena's owner; returns whether it was
    /// already.
    fn take_arena(&self, what: &'static str) -> bool {
        let token = thread_mode::token();
        assert!(token != thread_mode::NO_THREAD, "{what}: thread is exiting");
        // `Acquire`: the last owner's uses of the arena happen before ours.
        match self
            .owner
            .compare_exchange(NO_OWNER, token, Acquire, Relaxed)
        {
            Ok(_) => false,
            Err(owner) if owner == token => true,
            Err(_) => panic!("{what}: another thread is in blink mode"),
        }
    }

    /// Switches the calling thread to blink mode: from now on its
    /// allocations come from the arena. Does nothing if it is in blink mode
    /// already.
    ///
    /// # Safety
    ///
    /// Every block this thread allocates in blink mode dies at the arena's
    /// next reset ([`reset`](Self::reset) or [`direct_mode`](Self::direct_mode));
    /// it must not be used (read, written, freed or resized) after the reset
    /// begins, on any thread. This includes memory that a library allocates
    /// lazily and keeps (a `OnceLock`, a thread-local, `stdout`'s buffer)
    /// when first used in blink mode. The thread must switch back with
    /// `direct_mode` before it ends.
    ///
    /// # Panics
    ///
    /// If another thread is in blink mode for this allocator, or this thread
    /// is for another global allocator of this crate.
    ///
    /// # Example
    ///
    #[cfg_attr(feature = "std", doc = "```")]
    #[cfg_attr(not(feature = "std"), doc = "```ignore")]
    /// // SAFETY: with `std`, nothing beyond the methods' contracts.
    /// let global = unsafe { blink_alloc::UnsafeGlobalBlinkAlloc::new() };
    /// // SAFETY: nothing is allocated in blink mode here.
    /// unsafe { global.blink_mode() };
    /// assert!(global.is_blink_mode());
    /// // SAFETY: as above.
    /// unsafe { global.direct_mode() };
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
        self.take_arena("blink-alloc: UnsafeGlobalBlinkAlloc::blink_mode");
        thread_mode::replace(id);
    }

    /// Switches the calling thread back to direct mode, and resets the arena
    /// unless another thread is in blink mode.
    ///
    /// # Safety
    ///
    /// Unless another thread is in blink mode, no block allocated in blink
    /// mode may be used after this call (see [`reset`](Self::reset)).
    ///
    /// # Example
    ///
    #[cfg_attr(feature = "std", doc = "```")]
    #[cfg_attr(not(feature = "std"), doc = "```ignore")]
    /// use core::alloc::{GlobalAlloc, Layout};
    /// // SAFETY: with `std`, nothing beyond the methods' contracts.
    /// let global = unsafe { blink_alloc::UnsafeGlobalBlinkAlloc::new() };
    /// let layout = Layout::new::<u64>();
    /// // SAFETY: the block is freed before `direct_mode`.
    /// unsafe {
    ///     global.blink_mode();
    ///     let block = global.alloc(layout);
    ///     global.dealloc(block, layout);
    ///     global.direct_mode();
    /// }
    /// ```
    pub unsafe fn direct_mode(&self) {
        let owned = if self.is_blink_mode() {
            thread_mode::replace(thread_mode::DIRECT);
            true
        } else {
            let token = thread_mode::token();
            token != thread_mode::NO_THREAD
                && self
                    .owner
                    .compare_exchange(NO_OWNER, token, Acquire, Relaxed)
                    .is_ok()
        };
        if owned {
            // SAFETY: this thread owns the arena; the caller promises that
            // no blink-mode block is used after the call.
            unsafe { self.reset_now() };
            // `Release`: this thread's uses of the arena happen before the
            // next owner's.
            self.owner.store(NO_OWNER, Release);
        }
    }

    /// Frees every block allocated in blink mode at once, keeping one chunk
    /// big enough for the work since the last reset. The calling thread
    /// keeps its mode.
    ///
    /// # Safety
    ///
    /// No block allocated in blink mode before this call may be used (read,
    /// written, freed or resized) after the call begins, on any thread.
    /// Blocks allocated in direct mode are not affected.
    ///
    /// # Panics
    ///
    /// If another thread is in blink mode.
    ///
    /// # Example
    ///
    #[cfg_attr(feature = "std", doc = "```")]
    #[cfg_attr(not(feature = "std"), doc = "```ignore")]
    /// use core::alloc::{GlobalAlloc, Layout};
    /// // SAFETY: with `std`, nothing beyond the methods' contracts.
    /// let global = unsafe { blink_alloc::UnsafeGlobalBlinkAlloc::new() };
    /// let layout = Layout::new::<[u8; 100]>();
    /// // SAFETY: the block is not used after the reset.
    /// unsafe {
    ///     global.blink_mode();
    ///     let _leaked = global.alloc(layout);
    ///     global.reset();
    ///     global.direct_mode();
    /// }
    /// ```
    pub unsafe fn reset(&self) {
        let was_owner = self.take_arena("blink-alloc: UnsafeGlobalBlinkAlloc::reset");
        // SAFETY: this thread owns the arena; the caller promises that no
        // blink-mode block is used after the call.
        unsafe { self.reset_now() };
        if !was_owner {
            self.owner.store(NO_OWNER, Release);
        }
    }

    /// # Safety
    ///
    /// This thread owns the arena, and no blink-mode block is used after.
    unsafe fn reset_now(&self) {
        #[cfg(debug_assertions)]
        {
            let live = self.live.swap(0, Relaxed);
            #[cfg(feature = "std")]
            if live != 0 {
                // Anything allocated while reporting goes to `A`.
                let mode = thread_mode::replace(thread_mode::DIRECT);
                super::report_live_blocks("UnsafeGlobalBlinkAlloc", live.unsigned_abs());
                thread_mode::replace(mode);
            }
            #[cfg(not(feature = "std"))]
            let _ = live;
        }
        // SAFETY: no block is used after the call (caller), and only this
        // thread, the owner, touches the arena.
        unsafe { self.arena.reset() };
    }

    /// In debug builds, how many blocks allocated in blink mode have not
    /// been freed since the last reset; `None` in release builds.
    ///
    #[cfg_attr(feature = "std", doc = "```")]
    #[cfg_attr(not(feature = "std"), doc = "```ignore")]
    /// // SAFETY: with `std`, nothing beyond the methods' contracts.
    /// let global = unsafe { blink_alloc::UnsafeGlobalBlinkAlloc::new() };
    /// assert!(matches!(global.live_blink_blocks(), Some(0) | None));
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

    /// A blink-mode block from the arena; the caller owns the arena.
    #[inline(always)]
    fn alloc_blink(&self, layout: Layout) -> *mut u8 {
        // Small layouts skip the overflow checks.
        let Some(arena_layout) = small_blink_layout(layout).or_else(|| blink_layout(layout)) else {
            return ptr::null_mut();
        };
        match self.arena.alloc(arena_layout) {
            Ok(block) => {
                self.count(1);
                // In bounds: the arena block has `size + a` bytes.
                block.as_ptr().wrapping_add(layout.align())
            }
            Err(_) => ptr::null_mut(),
        }
    }

    /// A block of `A` for `layout`, null on failure.
    #[inline(always)]
    fn alloc_direct(&self, layout: Layout, zeroed: bool) -> *mut u8 {
        let Some(direct) = direct_layout(layout) else {
            return ptr::null_mut();
        };
        let block = if zeroed {
            self.arena.base().allocate_zeroed(direct)
        } else {
            self.arena.base().allocate(direct)
        };
        block.map_or(ptr::null_mut(), |block| block.cast::<u8>().as_ptr())
    }

    /// # Safety
    ///
    /// `ptr` is a live blink-mode block allocated with `layout` and
    /// `new_size` is a valid size for it (as `GlobalAlloc::realloc`).
    unsafe fn realloc_blink(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let align = layout.align();
        let Ok(new_user) = Layout::from_size_align(new_size, align) else {
            return ptr::null_mut();
        };
        if !self.touches_arena() {
            // Another thread's arena: the block moves to `A`, and its old
            // bytes come back at the arena's reset.
            let moved = self.alloc_direct(new_user, false);
            if !moved.is_null() {
                // SAFETY: `ptr` is live for `layout.size()` bytes (caller),
                // `moved` is a fresh block of `new_size` bytes.
                unsafe {
                    ptr::copy_nonoverlapping(ptr, moved, layout.size().min(new_size));
                }
                self.count(-1);
            }
            return moved;
        }
        // SAFETY: `layout` made this block, so this was valid then.
        let old = unsafe { blink_layout(layout).unwrap_unchecked() };
        let Some(new) = blink_layout(new_user) else {
            return ptr::null_mut();
        };
        // SAFETY: an arena block is not at address 0, so `ptr - a` is not.
        let base = unsafe { NonNull::new_unchecked(ptr.wrapping_sub(align)) };
        if new.size() > old.size() {
            // At the tip with room: extend the block where it ends (only
            // addresses are compared), then rebuild it from the arena's
            // cursor with the chunk's provenance (a resize at the tip to
            // the same layout; it neither moves nor reads).
            let end = base.as_ptr().wrapping_add(old.size());
            // SAFETY: inside or one past the arena block, not at 0.
            let end = unsafe { NonNull::new_unchecked(end) };
            // SAFETY: `new.size() - old.size() <= new.size()`, a valid size.
            let more = unsafe { Layout::from_size_align_unchecked(new.size() - old.size(), 1) };
            if self.arena.alloc_at(end, more) {
                // SAFETY: `base` is now the arena's last block, of layout
                // `new`, which the cursor ends.
                return match unsafe { self.arena.resize(base, new, new) } {
                    Ok(block) => block.as_ptr().wrapping_add(align),
                    Err(_) => ptr::null_mut(),
                };
            }
            let Ok(moved) = self.arena.alloc(new) else {
                return ptr::null_mut();
            };
            let moved = moved.as_ptr().wrapping_add(align);
            // SAFETY: `ptr` is live for `layout.size()` bytes and `moved` is
            // a fresh, disjoint block of more; only the user's bytes are
            // read, through the user's pointer.
            unsafe { ptr::copy_nonoverlapping(ptr, moved, layout.size()) };
            // SAFETY: the old arena block is live with layout `old`, not
            // used again.
            unsafe { self.arena.dealloc(base, old) };
            return moved;
        }
        // SAFETY: `base` is a live arena block of layout `old`; an aligned
        // shrink is done in place, without moving or reading the block.
        match unsafe { self.arena.resize(base, old, new) } {
            Ok(block) => block.as_ptr().wrapping_add(align),
            Err(_) => ptr::null_mut(),
        }
    }
}

// SAFETY: every block this returns is valid for its layout until freed:
// direct-mode blocks are blocks of `A`, blink-mode blocks lie in arena
// blocks of `size + a` bytes, which live until the arena resets, and
// `reset`, `direct_mode` and `blink_mode` are `unsafe`, their callers
// promising that no blink-mode block is used after a reset. Blocks are
// disjoint: arena blocks are, and so are `A`'s, and the arena's chunks are
// blocks of `A`. `dealloc` and `realloc` find the allocator that made the
// block from its address (bit `a` is 1 exactly for blink-mode blocks) and
// give it the layout it was made with. Only the arena's owner thread
// touches the arena (blink mode implies ownership; frees and resizes by
// other threads never touch it).
unsafe impl<A: Allocator> GlobalAlloc for UnsafeGlobalBlinkAlloc<A> {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if self.is_blink_mode() {
            self.alloc_blink(layout)
        } else {
            self.alloc_direct(layout, false)
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if !self.is_blink_mode() {
            return self.alloc_direct(layout, true);
        }
        let block = self.alloc_blink(layout);
        if !block.is_null() {
            // SAFETY: a fresh block of `layout.size()` writable bytes.
            unsafe { block.write_bytes(0, layout.size()) };
        }
        block
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if is_blink_block(ptr, layout) {
            self.count(-1);
            if self.touches_arena() {
                // SAFETY: a live blink-mode block lies `a` bytes into a live
                // arena block of layout `blink_layout(layout)` (valid, since
                // it made the block), not used again; this thread owns the
                // arena.
                unsafe {
                    let base = NonNull::new_unchecked(ptr.wrapping_sub(layout.align()));
                    self.arena
                        .dealloc(base, blink_layout(layout).unwrap_unchecked());
                }
            }
        } else {
            // SAFETY: not a blink block, so (caller) a live direct-mode block
            // of the base allocator, made for `layout`, not used again.
            unsafe { dealloc_direct(self.arena.base(), ptr, layout) }
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
        unsafe { realloc_direct(self.arena.base(), ptr, layout, new_size) }
    }
}

impl<A: Allocator> Drop for UnsafeGlobalBlinkAlloc<A> {
    fn drop(&mut self) {
        // SAFETY: `&mut self`: no thread uses the allocator, and its blocks
        // die with it (as any allocator's).
        unsafe { self.arena.reset_final() };
    }
}

impl<A: Allocator> fmt::Debug for UnsafeGlobalBlinkAlloc<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnsafeGlobalBlinkAlloc")
            .field("in_blink_mode", &(self.owner.load(Relaxed) != NO_OWNER))
            .finish_non_exhaustive()
    }
}
