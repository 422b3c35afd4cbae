//! Hostile layouts: sizes near `isize::MAX`, large alignments, zero sizes at
//! every alignment, size computations that overflow, odd configurations and
//! a failing base allocator. Each request must give `AllocError` or a
//! well-aligned block; nothing may panic or abort.

use crate::common;

use core::{alloc::Layout, ptr::NonNull};

use allocator_api2::{alloc::Allocator, vec::Vec};
use blink_alloc::BlinkAlloc;
use common::{addr, check, fill, layout, CountingAlloc};

const MAX: usize = isize::MAX as usize;

/// Every power-of-two alignment a `Layout` accepts.
fn all_alignments() -> impl Iterator<Item = usize> {
    (0..usize::BITS).map(|shift| 1usize << shift)
}

/// Writes the first and last byte of a non-empty block and reads them back.
fn touch(block: NonNull<[u8]>) {
    let p = block.cast::<u8>().as_ptr();
    let n = block.len();
    // SAFETY: the block is live and `n` bytes long.
    unsafe {
        p.write(0x5A);
        p.add(n - 1).write(0xA5);
        assert_eq!(p.read(), if n == 1 { 0xA5 } else { 0x5A });
        assert_eq!(p.add(n - 1).read(), 0xA5);
    }
}

#[test]
fn sizes_near_isize_max_fail() {
    let base = CountingAlloc::new();
    let blink = BlinkAlloc::new_in(base.clone());
    blink.allocate(layout(10, 1)).unwrap();
    for align in (0..=20).map(|s| 1usize << s) {
        // The largest size a layout allows at this alignment, and a few below.
        let top = MAX - (align - 1);
        for size in [top, top - align, top / 2 + 1, MAX / 2 + 1] {
            let Ok(l) = Layout::from_size_align(size, align) else {
                continue;
            };
            assert!(blink.allocate(l).is_err(), "{l:?}");
            assert!(blink.allocate_zeroed(l).is_err(), "{l:?}");
        }
    }
    // Whatever reached the base allocator was a valid layout it refused.
    let s = base.snapshot();
    assert_eq!(s.allocs, 1, "{s:?}");
    assert!(base.requests().iter().skip(1).all(|l| l.size() > 1 << 40));
    drop(blink);
    base.assert_all_returned();
}

#[test]
fn large_alignments_are_honoured() {
    let blink = BlinkAlloc::new();
    for shift in 12..=20 {
        let align = 1usize << shift;
        for size in [1, 100, 5000] {
            // Before and after a small block that misaligns the cursor.
            for _ in 0..2 {
                let b = blink.allocate(layout(size, align)).unwrap();
                assert_eq!(addr(b) % align, 0, "{size}/{align}");
                assert_eq!(b.len(), size);
                touch(b);
                blink.allocate(layout(3, 1)).unwrap();
            }
        }
    }
}

#[test]
fn resize_to_a_large_alignment() {
    let blink = BlinkAlloc::new();
    blink.allocate(layout(3, 1)).unwrap();
    let a = blink.allocate(layout(40, 8)).unwrap();
    // SAFETY: fresh block.
    unsafe { fill(a.cast(), 40, 1) };
    let mut old = layout(40, 8);
    let mut ptr = a.cast::<u8>();
    for shift in 12..=20 {
        let new = layout(40 + shift, 1 << shift);
        // SAFETY: `ptr` is live with layout `old`.
        let b = unsafe { blink.resize(ptr, old, new) }.unwrap();
        assert_eq!(addr(b) % new.align(), 0);
        // SAFETY: the prefix was copied.
        assert_eq!(unsafe { check(b.cast(), 40, 1) }, Ok(()));
        ptr = b.cast();
        old = new;
    }
}

#[test]
fn zero_sizes_take_no_memory_on_an_empty_arena() {
    let base = CountingAlloc::new();
    let blink = BlinkAlloc::new_in(base.clone());
    for align in all_alignments() {
        let z = blink.allocate(layout(0, align)).unwrap();
        assert_eq!(z.len(), 0);
        assert_eq!(addr(z) % align, 0, "align {align}");
        let z = blink.allocate_zeroed(layout(0, align)).unwrap();
        assert_eq!(addr(z) % align, 0, "align {align}");
    }
    assert_eq!(base.snapshot().calls(), 0);
    assert_eq!(blink.stats().used_bytes, 0);
    assert_eq!(blink.stats().chunks, 0);
}

/// In a chunk whose cursor is at an odd address, a zero-sized block of any
/// alignment is aligned and moves nothing, and a one-byte block of any
/// alignment up to a page still takes memory.
#[test]
fn zero_sized_blocks_take_no_padding_in_a_chunk() {
    let blink = BlinkAlloc::new();
    blink.allocate(layout(1, 1)).unwrap();
    let used = blink.stats().used_bytes;
    for align in all_alignments() {
        let z = blink.allocate(layout(0, align)).unwrap();
        assert_eq!(z.len(), 0);
        assert_eq!(addr(z) % align, 0, "align {align}");
        assert_eq!(blink.stats().used_bytes, used, "align {align}");
    }
    for align in all_alignments().take_while(|&a| a <= 4096) {
        let block = blink.allocate(layout(1, align)).unwrap();
        assert_eq!(block.len(), 1);
        assert_eq!(addr(block) % align, 0, "align {align}");
        touch(block);
    }
    assert!(blink.stats().used_bytes > used);
}

/// A chunk is used up to its last byte and no further, for sizes on both
/// sides of the chunk alignment, and a zero-sized block needs no new chunk
/// even when the chunk is full.
#[test]
fn blocks_fill_a_chunk_to_its_last_byte() {
    for size in [1, 7, 8, 15, 16, 17, 100] {
        for short in [false, true] {
            let base = CountingAlloc::new();
            let blink = BlinkAlloc::new_in(base.clone());
            blink.allocate(layout(1, 1)).unwrap();
            let room = blink.stats().capacity - blink.stats().used_bytes;
            // Leave exactly `size` bytes, or one byte less.
            let left = if short { size - 1 } else { size };
            blink.allocate(layout(room - left, 1)).unwrap();
            assert_eq!(blink.stats().chunks, 1);
            let block = blink.allocate(layout(size, 1)).unwrap();
            touch(block);
            let chunks = if short { 2 } else { 1 };
            assert_eq!(blink.stats().chunks, chunks, "size {size}, short {short}");
            // Full or not, a zero-sized block needs no new chunk.
            let calls = base.snapshot().calls();
            let z = blink.allocate(layout(0, 1)).unwrap();
            assert_eq!(z.len(), 0);
            assert_eq!(base.snapshot().calls(), calls);
        }
    }
}

#[test]
fn zero_sized_blocks_resize_and_free() {
    for align in [1, 8, 4096, 1 << 13, 1 << 20] {
        let blink = BlinkAlloc::new();
        let a: &BlinkAlloc = &blink;
        let z = Allocator::allocate(&a, layout(0, align)).unwrap();
        // SAFETY: `z` is a live zero-sized block with this layout.
        let g =
            unsafe { Allocator::grow(&a, z.cast(), layout(0, align), layout(24, align)) }.unwrap();
        assert_eq!(addr(g) % align, 0);
        touch(g);
        // SAFETY: `g` is live with 24 bytes.
        let s = unsafe { Allocator::shrink(&a, g.cast(), layout(24, align), layout(0, align)) }
            .unwrap();
        assert_eq!(addr(s) % align, 0);
        // SAFETY: `s` is live and zero-sized.
        unsafe { Allocator::deallocate(&a, s.cast(), layout(0, align)) };
        let z = Allocator::allocate(&a, layout(0, align)).unwrap();
        // SAFETY: `z` is live and zero-sized.
        unsafe { Allocator::deallocate(&a, z.cast(), layout(0, align)) };
    }
}

#[test]
fn huge_array_layouts_fail() {
    let blink = BlinkAlloc::new_in(CountingAlloc::new());
    // `Layout::array` itself refuses counts whose size overflows...
    assert!(Layout::array::<u64>(usize::MAX / 4).is_err());
    // ...and the arena refuses the largest ones it accepts.
    for l in [
        Layout::array::<u64>(MAX / 8).unwrap(),
        Layout::array::<[u8; 3]>(MAX / 3).unwrap(),
        Layout::array::<u128>(MAX / 16).unwrap(),
    ] {
        assert!(blink.allocate(l).is_err(), "{l:?}");
    }
    // A collection reserving a huge count gets an error, not a panic.
    let mut v: Vec<u64, _> = Vec::new_in(&blink);
    v.push(1);
    assert!(v.try_reserve(MAX / 8 - 10).is_err());
    assert!(v.try_reserve(usize::MAX).is_err());
    assert!(v.try_reserve_exact(MAX / 16).is_err());
    assert_eq!(v[0], 1);
    v.push(2);
    assert_eq!(&v[..], &[1, 2]);
}

#[test]
fn resize_to_a_huge_size_fails_and_keeps_the_block() {
    for tip in [true, false] {
        let blink = BlinkAlloc::new_in(CountingAlloc::new());
        let a = blink.allocate(layout(64, 8)).unwrap();
        // SAFETY: fresh block.
        unsafe { fill(a.cast(), 64, 2) };
        if !tip {
            blink.allocate(layout(8, 8)).unwrap();
        }
        let used = blink.stats().used_bytes;
        for new in [
            layout(MAX - 4095, 4096),
            layout(MAX - 7, 8),
            layout(MAX / 2 + 1, 8),
            Layout::array::<u64>(MAX / 8).unwrap(),
        ] {
            // SAFETY: `a` is live with this layout; on failure it stays so.
            assert!(unsafe { blink.resize(a.cast(), layout(64, 8), new) }.is_err());
            let r: &BlinkAlloc<CountingAlloc> = &blink;
            // SAFETY: as above, through the `Allocator` trait.
            unsafe {
                assert!(Allocator::grow(&r, a.cast(), layout(64, 8), new).is_err());
                assert!(Allocator::grow_zeroed(&r, a.cast(), layout(64, 8), new).is_err());
            }
            // SAFETY: `a` is still live.
            assert_eq!(unsafe { check(a.cast(), 64, 2) }, Ok(()));
        }
        assert_eq!(blink.stats().used_bytes, used);
        // And it still grows normally.
        // SAFETY: `a` is live with this layout.
        let b = unsafe { blink.resize(a.cast(), layout(64, 8), layout(128, 8)) }.unwrap();
        // SAFETY: prefix kept.
        assert_eq!(unsafe { check(b.cast(), 64, 2) }, Ok(()));
    }
}

#[test]
fn alignments_too_large_to_serve_fail() {
    // A limit keeps the base allocator from being asked for terabytes.
    let base = CountingAlloc::new();
    let blink = BlinkAlloc::new_in(base.clone()).limit(16 << 20);
    for shift in 25..usize::BITS - 1 {
        let align = 1usize << shift;
        assert!(blink.allocate(layout(1, align)).is_err(), "align {align}");
        let z = blink.allocate(layout(0, align)).unwrap();
        assert_eq!(addr(z) % align, 0);
    }
    assert_eq!(base.snapshot().calls(), 0);
}

#[test]
fn odd_chunk_sizes_never_panic() {
    for chunk in [0, 1, 7, 100, 513, MAX / 2, MAX, usize::MAX] {
        for max in [0, 1, 100, 4096, 4097, MAX, usize::MAX] {
            let base = CountingAlloc::new();
            // The limit keeps absurd chunk sizes away from the real heap.
            let blink = BlinkAlloc::with_chunk_size_in(chunk, base.clone())
                .max_chunk_size(max)
                .limit(1 << 24);
            for size in [0, 1, 100, 5000, 70_000] {
                for align in [1, 16, 4096] {
                    if let Ok(b) = blink.allocate(layout(size, align)) {
                        assert_eq!(b.len(), size);
                        assert_eq!(addr(b) % align, 0);
                        if size > 0 {
                            touch(b);
                        }
                    }
                }
            }
            assert!(base.peak_live_bytes() <= 1 << 24);
            drop(blink);
            base.assert_all_returned();
        }
    }
}

#[test]
fn sane_configurations_always_serve_small_requests() {
    for chunk in [0, 1, 7, 100, 513] {
        for max in [0, 1, 100, 4096, 4097, MAX, usize::MAX] {
            let blink = BlinkAlloc::with_chunk_size(chunk).max_chunk_size(max);
            for size in [0, 1, 100, 5000] {
                let b = blink.allocate(layout(size, 16)).unwrap();
                assert_eq!(addr(b) % 16, 0);
            }
        }
    }
}

#[test]
fn a_zero_limit_serves_only_zero_sizes() {
    let base = CountingAlloc::new();
    let blink = BlinkAlloc::new_in(base.clone()).limit(0);
    assert!(blink.allocate(layout(1, 1)).is_err());
    assert!(blink.allocate_zeroed(layout(1, 1)).is_err());
    assert!(blink.allocate(layout(0, 64)).is_ok());
    let mut v: Vec<u8, _> = Vec::new_in(&blink);
    assert!(v.try_reserve(1).is_err());
    assert_eq!(base.snapshot().allocs, 0);
}

#[test]
fn a_failing_base_allocator_gives_errors() {
    let base = CountingAlloc::new();
    let mut blink = BlinkAlloc::new_in(base.clone());
    base.set_fail(true);
    assert!(blink.allocate(layout(8, 8)).is_err());
    assert!(blink.allocate(layout(0, 8)).is_ok());
    base.set_fail(false);
    let a = blink.allocate(layout(8, 8)).unwrap();
    // SAFETY: fresh block.
    unsafe { fill(a.cast(), 8, 3) };
    base.set_fail(true);
    // Fills the chunk, then fails on the next one.
    let mut failed = false;
    for _ in 0..10_000 {
        if blink.allocate(layout(64, 8)).is_err() {
            failed = true;
            break;
        }
    }
    assert!(failed);
    // A failed grow keeps the block.
    // SAFETY: `a` is live with this layout.
    assert!(unsafe { blink.resize(a.cast(), layout(8, 8), layout(1 << 20, 8)) }.is_err());
    // SAFETY: `a` is still live.
    assert_eq!(unsafe { check(a.cast(), 8, 3) }, Ok(()));
    base.set_fail(false);
    blink.reset();
    base.set_fail(true);
    drop(blink);
    base.assert_all_returned();
}
