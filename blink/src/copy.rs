//! Byte copies into fresh arena blocks.
//!
//! Most strings and slices copied into an arena are short: names, tokens,
//! keys. For those, a call to `memcpy` costs more than the copy itself: the
//! call, and the library's dispatch on the length. [`copy_bytes`] copies up
//! to [`INLINE_MAX`] bytes inline, with two loads and two stores of one
//! width that overlap in the middle, and leaves longer copies to `memcpy`.

use core::{mem::MaybeUninit, ptr};

/// The longest copy done inline: two overlapping `u64`s.
const INLINE_MAX: usize = 2 * size_of::<u64>();

/// Copies `len` bytes from `src` to `dst`.
///
/// # Safety
///
/// As [`ptr::copy_nonoverlapping`]: `src` valid for reading and `dst` for
/// writing `len` bytes, the two ranges disjoint.
#[inline(always)]
pub(crate) unsafe fn copy_bytes(src: *const u8, dst: *mut u8, len: usize) {
    // SAFETY: every branch copies exactly `len` bytes between the ranges the
    // caller vouches for, and meets `copy_two`'s bound on `len` for the
    // width it picks.
    unsafe {
        if len > INLINE_MAX {
            ptr::copy_nonoverlapping(src, dst, len);
        } else if len >= 8 {
            copy_two::<u64>(src, dst, len);
        } else if len >= 4 {
            copy_two::<u32>(src, dst, len);
        } else if len >= 2 {
            copy_two::<u16>(src, dst, len);
        } else if len == 1 {
            dst.cast::<MaybeUninit<u8>>()
                .write(src.cast::<MaybeUninit<u8>>().read());
        }
    }
}

/// Copies `len` bytes, `size_of::<W>() <= len <= 2 * size_of::<W>()`, as a
/// `W` at the start and a `W` at the end, overlapping when `len` is less
/// than two `W`s.
///
/// The words are moved as `MaybeUninit<W>`: the bytes may be padding of the
/// caller's values, which are uninitialised and must stay so, where an
/// integer would have to be initialised.
///
/// # Safety
///
/// As [`copy_bytes`], and `len` in the range above.
#[inline(always)]
unsafe fn copy_two<W: Copy>(src: *const u8, dst: *mut u8, len: usize) {
    let tail = len - size_of::<W>();
    let (src, dst) = (src.cast::<MaybeUninit<W>>(), dst.cast::<MaybeUninit<W>>());
    // SAFETY: both words lie within the first `len` bytes of `src` and of
    // `dst` (caller); loads come before stores, and the ranges are disjoint.
    // A `MaybeUninit` may hold any bytes, initialised or not.
    unsafe {
        let head_word = src.read_unaligned();
        let tail_word = src.byte_add(tail).read_unaligned();
        dst.write_unaligned(head_word);
        dst.byte_add(tail).write_unaligned(tail_word);
    }
}

#[cfg(test)]
mod tests {
    use super::copy_bytes;

    #[test]
    fn copies_every_length_exactly() {
        let source: [u8; 40] = core::array::from_fn(|i| i as u8 + 1);
        for len in 0..=source.len() {
            // Guard bytes around the destination show any stray write.
            let mut target = [0xAAu8; 48];
            // SAFETY: `len <= 40` bytes of `source`, into `target[4..]`,
            // which has 44; the arrays are distinct.
            unsafe { copy_bytes(source.as_ptr(), target.as_mut_ptr().add(4), len) };
            assert_eq!(&target[4..4 + len], &source[..len], "len {len}");
            assert!(target[..4].iter().all(|&b| b == 0xAA), "len {len}");
            assert!(target[4 + len..].iter().all(|&b| b == 0xAA), "len {len}");
        }
    }
}
