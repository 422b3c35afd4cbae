//! AddressSanitizer annotations: the one place that talks to the ASan
//! runtime.
//!
//! `build.rs` sets `cfg(blink_asan)` when the crate is built with
//! `-Zsanitizer=address` (cargo reports it as `CARGO_CFG_SANITIZE`). Then
//! the arenas poison every byte of their chunks' data that they do not hand
//! out, and unpoison exactly the blocks they hand out, so that ASan reports
//! a read of a block after a reset or a rewind, or past its end into free
//! chunk space. In every other build (Miri included) the functions here are
//! empty and [`ENABLED`] is `false`: the calls and the code they guard fold
//! away.
//!
//! # Granules
//!
//! ASan keeps one shadow byte per 8-byte *granule*: all 8 bytes addressable,
//! none, or only the first `k`. So:
//!
//! - [`unpoison`] always makes the whole range addressable, and may also
//!   make the bytes before it in its first granule addressable (a block that
//!   starts mid-granule); never bytes after its end, unless they already
//!   were.
//! - [`poison`] never touches a byte outside the range. It cannot poison the
//!   end of a range that ends mid-granule when the bytes after it are
//!   addressable (they are another live block): those few bytes stay
//!   addressable.
//!
//! The free space of a chunk is a suffix of it, which the shadow can always
//! express exactly: a read just past the last block, or of any byte a reset
//! or rewind gave back, is reported. Padding before an aligned block is
//! poisoned when the block starts a granule; a freed block followed by a
//! live one keeps its last `end % 8` bytes addressable.
//!
//! # Threads
//!
//! Shadow updates are plain read-modify-writes: two threads must never
//! update one granule at once, or one of them can undo the other's update
//! (and a live block read as poisoned). The shared arena keeps its threads'
//! reservations in distinct granules (see [`GRANULE`]); within one, only the
//! thread that owns it updates shared granules.

/// The granule size when ASan is on; 1 otherwise, where it folds away.
///
/// The shared arena starts every reservation from its shared cursor at a
/// multiple of this, so that blocks reserved by different threads never
/// share a granule.
#[cfg(feature = "sync")]
pub(crate) const GRANULE: usize = if ENABLED { 8 } else { 1 };

/// Whether the annotations are on. Code that only prepares an annotation
/// (walking the chunk list, an extra load) tests it, so that it folds away.
pub(crate) const ENABLED: bool = cfg!(blink_asan);

// SAFETY: the ASan runtime, which `-Zsanitizer=address` links, defines both
// functions with these signatures.
#[cfg(blink_asan)]
unsafe extern "C" {
    /// From the ASan runtime, which `-Zsanitizer=address` links.
    fn __asan_poison_memory_region(addr: *const core::ffi::c_void, size: usize);
    /// From the ASan runtime, which `-Zsanitizer=address` links.
    fn __asan_unpoison_memory_region(addr: *const core::ffi::c_void, size: usize);
}

/// Marks `[ptr, ptr + len)` as not to be accessed (as far as granules allow,
/// see the module docs). Nothing without ASan.
///
/// # Safety
///
/// The range must lie in one block this crate holds from a base allocator
/// (a chunk): ASan writes the shadow bytes of whatever range it is given.
/// The caller must also be the only thread updating the granules the range
/// touches (see the module docs), and must hand out none of its bytes.
#[inline(always)]
pub(crate) unsafe fn poison(ptr: *const u8, len: usize) {
    #[cfg(blink_asan)]
    {
        // SAFETY: the runtime is linked in ASan builds; it writes only
        // shadow memory, for a range of application memory (the caller's
        // promise).
        unsafe { __asan_poison_memory_region(ptr.cast(), len) }
    }
    let _ = (ptr, len);
}

/// Marks `[ptr, ptr + len)` as accessible. Nothing without ASan.
///
/// # Safety
///
/// As [`poison`], except that the range is being handed out.
#[inline(always)]
pub(crate) unsafe fn unpoison(ptr: *const u8, len: usize) {
    #[cfg(blink_asan)]
    {
        // SAFETY: as in `poison`.
        unsafe { __asan_unpoison_memory_region(ptr.cast(), len) }
    }
    let _ = (ptr, len);
}

/// Updates the shadow of a block resized in place from `old` to `new` bytes
/// at `start`: unpoisons what it grows by, poisons what it shrinks by.
///
/// # Safety
///
/// As [`poison`] and [`unpoison`]: the caller hands out the first
/// `new` bytes and gives back the rest of the first `old`.
#[inline(always)]
pub(crate) unsafe fn resize(start: *const u8, old: usize, new: usize) {
    // SAFETY: forwarded from the caller.
    unsafe {
        if new >= old {
            unpoison(start.wrapping_add(old), new - old);
        } else {
            poison(start.wrapping_add(new), old - new);
        }
    }
}

/// [`poison`] of `[from, to)`; nothing when `to` is not after `from`. The
/// length is only computed with ASan on.
///
/// # Safety
///
/// As [`poison`].
#[inline(always)]
pub(crate) unsafe fn poison_range(from: *const u8, to: *const u8) {
    if ENABLED {
        // SAFETY: forwarded from the caller.
        unsafe { poison(from, to.addr().saturating_sub(from.addr())) };
    }
}

/// Poisons only the whole granules inside `[ptr, ptr + len)`: for blocks of
/// the shared arena given back away from its tip, whose first and last
/// granules another thread may be updating for a neighbouring block.
///
/// # Safety
///
/// As [`poison`], except that only granules wholly inside the range are
/// updated, so another thread may update the others.
#[cfg(feature = "sync")]
#[inline(always)]
pub(crate) unsafe fn poison_inner(ptr: *const u8, len: usize) {
    if !ENABLED {
        return;
    }
    let start = ptr.addr().next_multiple_of(GRANULE);
    let end = (ptr.addr() + len) & !(GRANULE - 1);
    if start < end {
        // SAFETY: a part of the caller's range, made of whole granules.
        unsafe { poison(ptr.with_addr(start), end - start) };
    }
}
