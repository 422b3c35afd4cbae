//! Global allocators: serve every `Box`, `Vec`, `String` and `BTreeMap` of
//! the whole program, any library's included, from an arena while a thread
//! is in *blink mode*, and free it all at once.
//!
//! - `GlobalBlinkAlloc` (feature `sync`): a shared arena that every thread
//!   may switch to.
//! - [`UnsafeGlobalBlinkAlloc`]: a single-threaded arena (no atomic
//!   operation on its paths) that one thread at a time may switch to.
//!
//! Both start in *direct mode*, where every call goes to the base allocator
//! `A` (`System` by default). [`blink_mode`](UnsafeGlobalBlinkAlloc::blink_mode)
//! switches **the calling thread only**; other threads keep allocating from
//! `A` until they switch too. So a logger thread that allocates while `main`
//! is in blink mode gets memory from `A`, and a reset cannot free it.
//!
//! # Every block finds its owner
//!
//! `dealloc` and `realloc` go to the allocator that made the block, whatever
//! the mode of the thread that calls them: a `Vec` allocated in direct mode
//! may grow and be freed in blink mode (it stays with `A`), and a block
//! allocated in blink mode is never handed to `A`, whichever mode frees it.
//! The owner is read from the block's address, with one `and` and one
//! branch, and no memory access:
//!
//! - A block of alignment `a` from **direct mode** is a block of `A` for the
//!   same size with alignment `2a`: its address is a multiple of `2a`, so
//!   bit `a` of the address is **0**.
//! - A block of alignment `a` from **blink mode** starts `a` bytes into an
//!   arena block of `size + a` bytes with alignment `2a`: its address is an
//!   *odd* multiple of `a`, so bit `a` of the address is **1**.
//!
//! `GlobalAlloc` passes `dealloc` and `realloc` the layout the block was
//! allocated with (or last reallocated to, with the same alignment), so both
//! compute the same bit from the same `a`, and a block's address does not
//! change while it lives. Hence the test never mistakes one kind of block
//! for the other, whatever the modes, threads, resets or base allocator.
//!
//! The cost: direct-mode blocks ask `A` for twice the alignment (with
//! `System` on x86-64 glibc this is still a plain `malloc` for alignments up
//! to 8 and sizes of at least twice the alignment, and `posix_memalign`,
//! which is `malloc` for these small alignments, otherwise); blink-mode
//! blocks take `a` more bytes plus up to `a` bytes of padding in the arena.
//!
//! # What is unsafe, and why
//!
//! Implementing `GlobalAlloc` is the only way for these allocators to serve
//! `Box` and `Vec`, and `GlobalAlloc` hands out raw blocks with no lifetime:
//! nothing ties a block from blink mode to the arena's next reset. So the
//! calls that make blocks die are `unsafe`, and their callers promise that
//! no block from blink mode, of any thread, is used after the reset:
//!
//! - `blink_mode`: the blocks this thread allocates from now on die at the
//!   arena's next reset. Beware lazily initialised state of libraries (a
//!   `OnceLock`, a thread-local, the buffer of `stdout`): first used in blink
//!   mode, it would dangle after the reset.
//! - `direct_mode`: switches this thread back; when no thread is left in
//!   blink mode, resets the arena.
//! - `reset`: resets the arena now.
//!
//! Debug builds count the blocks allocated in blink mode and not yet freed
//! and, if a reset finds some, write how many to stderr (without
//! allocating): each is a block that the reset left dangling, or a leak.
//!
//! The base allocator `A` must not itself be routed through the global
//! allocator (`Global`, or an allocator built on it): in direct mode the
//! global allocator calls `A`, which would call the global allocator again,
//! forever. `System` is the default.
//!
//! The modes are thread-local variables with a constant initialiser and no
//! destructor (a global allocator cannot allocate to set up a thread-local),
//! so this needs a target where `std` keeps those in native thread-local
//! storage, which is every tier-1 target. During a thread's teardown, where
//! they may be gone, the thread is in direct mode.

use core::{
    alloc::Layout,
    ptr::NonNull,
    sync::atomic::{AtomicUsize, Ordering::Relaxed},
};

use allocator_api2::alloc::Allocator;

mod local;
#[cfg(feature = "sync")]
mod sync;

pub use self::local::UnsafeGlobalBlinkAlloc;
#[cfg(feature = "sync")]
pub use self::sync::GlobalBlinkAlloc;

/// The layout of the arena block behind a blink-mode block of `layout`: `a`
/// more bytes, aligned to `2a` (see the module docs), or `None` if that is
/// not a valid layout.
#[inline(always)]
pub(crate) fn blink_layout(layout: Layout) -> Option<Layout> {
    let align = layout.align();
    let double = align.checked_mul(2)?;
    let size = layout.size().checked_add(align)?;
    Layout::from_size_align(size, double).ok()
}

/// Sizes and alignments below this have their [`blink_layout`] built without
/// a check (see [`small_blink_layout`]); larger ones take the checked path.
const SMALL_LAYOUT: usize = 1 << 20;

/// [`blink_layout`] for a layout whose size and alignment are both below
/// [`SMALL_LAYOUT`] (one `or` and one compare), `None` for any other: the
/// fast path of blink-mode allocation, which sends the others to the
/// checked path.
#[inline(always)]
pub(crate) fn small_blink_layout(layout: Layout) -> Option<Layout> {
    let (size, align) = (layout.size(), layout.align());
    if size | align >= SMALL_LAYOUT {
        return None;
    }
    // SAFETY: `align` is a power of two (a `Layout`'s) below 2^20, so `2 *
    // align` is a power of two and does not overflow; `size + align` is
    // below 2^21, and rounded up to `2 * align` (at most 2^20) it stays
    // below 2^22, far below `isize::MAX`.
    Some(unsafe { Layout::from_size_align_unchecked(size + align, 2 * align) })
}

/// The layout of the base allocator's block behind a direct-mode block of
/// `layout`: the same size, aligned to `2a`, or `None` if that is not a
/// valid layout.
#[inline(always)]
pub(crate) fn direct_layout(layout: Layout) -> Option<Layout> {
    Layout::from_size_align(layout.size(), layout.align().checked_mul(2)?).ok()
}

/// Whether the block at `ptr`, allocated with `layout`'s alignment by one of
/// the global allocators, is a blink-mode block: bit `align` of its address
/// is set. See the module docs for the proof.
#[inline(always)]
pub(crate) fn is_blink_block(ptr: *mut u8, layout: Layout) -> bool {
    ptr.addr() & layout.align() != 0
}

/// Frees a direct-mode block of `layout` at `ptr` in the base allocator.
///
/// # Safety
///
/// `ptr` is a live direct-mode block of `base` made for `layout` (so with
/// `direct_layout(layout)`), never used again.
#[inline]
pub(crate) unsafe fn dealloc_direct<A: Allocator>(base: &A, ptr: *mut u8, layout: Layout) {
    // SAFETY: the caller's block, made with this valid layout; not null.
    unsafe {
        let direct = direct_layout(layout).unwrap_unchecked();
        base.deallocate(NonNull::new_unchecked(ptr), direct);
    }
}

/// Resizes a direct-mode block of `layout` at `ptr` to `new_size` bytes in
/// the base allocator: `GlobalAlloc::realloc` for the blocks it made.
///
/// # Safety
///
/// As for [`dealloc_direct`], and after a success the old block is used
/// only through the returned pointer.
#[inline]
pub(crate) unsafe fn realloc_direct<A: Allocator>(
    base: &A,
    ptr: *mut u8,
    layout: Layout,
    new_size: usize,
) -> *mut u8 {
    // SAFETY: as in `dealloc_direct`, the block is `base`'s with this layout.
    let (old, ptr) = unsafe {
        (
            direct_layout(layout).unwrap_unchecked(),
            NonNull::new_unchecked(ptr),
        )
    };
    let Some(new) = Layout::from_size_align(new_size, layout.align())
        .ok()
        .and_then(direct_layout)
    else {
        return core::ptr::null_mut();
    };
    // SAFETY: `ptr` is a live block of `base` with layout `old`; `grow`
    // gets a larger size and `shrink` a smaller one, as their contracts
    // ask, with the same alignment.
    let block = unsafe {
        match new.size().cmp(&old.size()) {
            core::cmp::Ordering::Greater => base.grow(ptr, old, new),
            core::cmp::Ordering::Less => base.shrink(ptr, old, new),
            core::cmp::Ordering::Equal => return ptr.as_ptr(),
        }
    };
    block.map_or(core::ptr::null_mut(), |block| block.cast::<u8>().as_ptr())
}

/// The id of an allocator that has not drawn one yet. No thread's mode is
/// ever this value.
pub(crate) const NO_ID: usize = usize::MAX;

/// Ids of allocators, drawn once each, never twice.
static NEXT_ID: AtomicUsize = AtomicUsize::new(1);

/// The id in `slot`, drawn now if it has none.
pub(crate) fn id_of(slot: &AtomicUsize) -> usize {
    let id = slot.load(Relaxed);
    if id != NO_ID {
        return id;
    }
    let fresh = NEXT_ID
        .fetch_update(Relaxed, Relaxed, |next| {
            (next < NO_ID - 1).then_some(next + 1)
        })
        .expect("blink-alloc: global allocator ids ran out");
    // Another thread may have drawn one meanwhile: use whichever won.
    match slot.compare_exchange(NO_ID, fresh, Relaxed, Relaxed) {
        Ok(_) => fresh,
        Err(won) => won,
    }
}

/// Which allocator, if any, the calling thread is in blink mode for.
pub(crate) mod thread_mode {
    /// The mode of a thread in direct mode for every allocator.
    pub(crate) const DIRECT: usize = 0;

    /// A thread token that no thread has.
    pub(crate) const NO_THREAD: usize = usize::MAX;

    #[cfg(feature = "std")]
    std::thread_local! {
        // `const` and drop-free: no lazy initialisation and no destructor,
        // so reading it never allocates, which a global allocator needs.
        static BLINK_FOR: core::cell::Cell<usize> = const { core::cell::Cell::new(DIRECT) };
    }

    /// The id of the allocator the calling thread is in blink mode for,
    /// or [`DIRECT`].
    #[cfg(feature = "std")]
    #[inline(always)]
    pub(crate) fn get() -> usize {
        BLINK_FOR.try_with(core::cell::Cell::get).unwrap_or(DIRECT)
    }

    /// Sets the calling thread's mode; returns the previous one. Does
    /// nothing during the thread's teardown.
    #[cfg(feature = "std")]
    #[inline(always)]
    pub(crate) fn replace(mode: usize) -> usize {
        BLINK_FOR
            .try_with(|cell| cell.replace(mode))
            .unwrap_or(DIRECT)
    }

    /// A number that no other live thread has, nor [`NO_THREAD`]: the
    /// address of this thread's mode variable.
    #[cfg(feature = "std")]
    #[inline(always)]
    pub(crate) fn token() -> usize {
        BLINK_FOR
            .try_with(|cell| core::ptr::from_ref(cell).addr())
            .unwrap_or(NO_THREAD)
    }

    // Without `std` there are no thread-locals; `UnsafeGlobalBlinkAlloc`,
    // the only allocator there, is then used by one thread (its
    // constructors' promise), so one mode for the program is its mode.
    #[cfg(not(feature = "std"))]
    static MODE: core::sync::atomic::AtomicUsize = core::sync::atomic::AtomicUsize::new(DIRECT);

    #[cfg(not(feature = "std"))]
    #[inline(always)]
    pub(crate) fn get() -> usize {
        MODE.load(core::sync::atomic::Ordering::Relaxed)
    }

    #[cfg(not(feature = "std"))]
    #[inline(always)]
    pub(crate) fn replace(mode: usize) -> usize {
        let old = get();
        MODE.store(mode, core::sync::atomic::Ordering::Relaxed);
        old
    }

    #[cfg(not(feature = "std"))]
    #[inline(always)]
    pub(crate) fn token() -> usize {
        1
    }
}

/// Writes "blink-alloc: <what> reset with <live> blink-mode blocks not
/// freed ..." to stderr from a stack buffer, so that nothing is allocated.
#[cfg(all(feature = "std", debug_assertions))]
pub(crate) fn report_live_blocks(what: &str, live: usize) {
    use std::io::Write;

    let mut buf = [0u8; 256];
    let mut len = 0;
    let mut push = |bytes: &[u8]| {
        let n = bytes.len().min(buf.len() - len);
        buf[len..len + n].copy_from_slice(&bytes[..n]);
        len += n;
    };
    push(b"blink-alloc: ");
    push(what.as_bytes());
    push(b" reset with ");
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = live;
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    push(&digits[at..]);
    push(b" blink-mode block(s) not freed: they dangle now (or were leaked)\n");
    let _ = std::io::stderr().write_all(&buf[..len]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bit_tells_the_owner() {
        for align in [1usize, 2, 4, 8, 16, 32, 4096] {
            let layout = Layout::from_size_align(24, align).unwrap();
            let arena = blink_layout(layout).unwrap();
            let direct = direct_layout(layout).unwrap();
            assert_eq!((arena.size(), arena.align()), (24 + align, 2 * align));
            assert_eq!((direct.size(), direct.align()), (24, 2 * align));
            for k in 0..4usize {
                // Every address a base block of `direct` may have.
                let d = core::ptr::without_provenance_mut::<u8>(2 * align * (k + 1));
                assert!(!is_blink_block(d, layout));
                // Every address a blink block may have: `a` into an arena
                // block aligned to `2a`.
                let b = core::ptr::without_provenance_mut::<u8>(2 * align * (k + 1) + align);
                assert!(is_blink_block(b, layout));
            }
        }
        for (size, align) in [(0, 1), (24, 8), (1000, 4096), ((1 << 20) - 1, 1 << 19)] {
            let layout = Layout::from_size_align(size, align).unwrap();
            assert_eq!(small_blink_layout(layout), blink_layout(layout));
        }
        for (size, align) in [(1 << 20, 8), (8, 1 << 20), (isize::MAX as usize, 1)] {
            let layout = Layout::from_size_align(size, align).unwrap();
            assert_eq!(small_blink_layout(layout), None);
        }
        let huge = Layout::from_size_align(1, 1 << (usize::BITS - 2)).unwrap();
        assert!(blink_layout(huge).is_none());
        assert!(direct_layout(huge).is_none());
    }

    #[test]
    fn ids_are_drawn_once() {
        let slot = AtomicUsize::new(NO_ID);
        let id = id_of(&slot);
        assert_ne!(id, NO_ID);
        assert_ne!(id, thread_mode::DIRECT);
        assert_eq!(id_of(&slot), id);
        assert_ne!(id_of(&AtomicUsize::new(NO_ID)), id);
    }
}
