//! Every public method of `BlinkAlloc`, the `Allocator` trait through
//! `&BlinkAlloc`, and `BlinkAllocator` for `&BlinkAlloc` and `&mut BlinkAlloc`.

use crate::common;

use core::{alloc::Layout, ptr::NonNull};

use allocator_api2::{
    alloc::{Allocator, Global},
    vec::Vec,
};
use blink_alloc::{BlinkAlloc, BlinkAllocator, Checkpoint, Stats};
use common::{addr, check, fill, layout, scaled, CountingAlloc};

fn counted() -> (BlinkAlloc<CountingAlloc>, CountingAlloc) {
    let base = CountingAlloc::new();
    (BlinkAlloc::new_in(base.clone()), base)
}

fn u8_ptr(block: NonNull<[u8]>) -> NonNull<u8> {
    block.cast()
}

// ---------------------------------------------------------------- building

#[test]
fn new_allocates_nothing() {
    // `new` is usable in constant contexts.
    let blink = const { BlinkAlloc::new() };
    assert_eq!(blink.stats(), Stats::default());
    let (blink, base) = counted();
    assert_eq!(blink.stats(), Stats::default());
    assert_eq!(base.snapshot().calls(), 0);
    drop(blink);
    assert_eq!(base.snapshot().calls(), 0);
}

#[test]
fn default_is_new() {
    let blink: BlinkAlloc = BlinkAlloc::default();
    assert_eq!(blink.stats(), Stats::default());
    let b = blink.allocate(Layout::new::<u64>()).unwrap();
    // SAFETY: a fresh block of 8 bytes.
    unsafe { u8_ptr(b).cast::<u64>().as_ptr().write(7) };
    assert_eq!(blink.stats().chunks, 1);
}

#[test]
fn new_in_uses_the_base_allocator() {
    let (blink, base) = counted();
    blink.allocate(Layout::new::<u32>()).unwrap();
    let s = base.snapshot();
    assert_eq!(s.allocs, 1);
    assert_eq!(blink.stats().chunks, 1);
    assert_eq!(blink.stats().allocated_bytes, s.bytes_allocated);
    assert!(blink.inner().same_as(&base));
}

#[test]
fn with_chunk_size_sets_the_first_chunk() {
    let blink = BlinkAlloc::with_chunk_size(64 << 10);
    blink.allocate(Layout::new::<u8>()).unwrap();
    assert!(
        blink.stats().allocated_bytes >= 64 << 10,
        "{:?}",
        blink.stats()
    );

    let base = CountingAlloc::new();
    let blink = BlinkAlloc::with_chunk_size_in(100_000, base.clone());
    blink.allocate(Layout::new::<u8>()).unwrap();
    let requests = base.requests();
    assert_eq!(requests.len(), 1);
    assert!(requests[0].size() >= 100_000, "{requests:?}");
    // Later chunks are at least that large too.
    for _ in 0..3 {
        blink.allocate(layout(90_000, 1)).unwrap();
    }
    assert!(base.requests().iter().all(|l| l.size() >= 100_000));
}

#[test]
fn max_chunk_size_caps_growth() {
    let base = CountingAlloc::new();
    let blink = BlinkAlloc::new_in(base.clone()).max_chunk_size(4096);
    for _ in 0..scaled(1000, 200) {
        blink.allocate(layout(100, 4)).unwrap();
    }
    let requests = base.requests();
    assert!(requests.len() > 3);
    assert!(requests.iter().all(|l| l.size() <= 4096), "{requests:?}");
    // A single larger request still gets a chunk of its own.
    let big = blink.allocate(layout(10_000, 8)).unwrap();
    assert_eq!(big.len(), 10_000);
    let last = *base.requests().last().unwrap();
    assert!(last.size() >= 10_000);
    // And growth is capped again after it.
    for _ in 0..scaled(200, 50) {
        blink.allocate(layout(100, 4)).unwrap();
    }
    let after: std::vec::Vec<_> = base
        .requests()
        .into_iter()
        .skip(requests.len() + 1)
        .collect();
    assert!(after.iter().all(|l| l.size() <= 4096), "{after:?}");
}

#[test]
fn limit_and_set_limit() {
    let base = CountingAlloc::new();
    let mut blink = BlinkAlloc::new_in(base.clone()).limit(64 << 10);
    assert!(blink.allocate(layout(1000, 1)).is_ok());
    assert!(blink.allocate(layout(65 << 10, 1)).is_err());
    // Fill up to the limit: it fails before passing it, and never aborts.
    let mut failed = false;
    for _ in 0..1000 {
        if blink.allocate(layout(1000, 8)).is_err() {
            failed = true;
            break;
        }
    }
    assert!(failed);
    assert!(
        base.peak_live_bytes() <= 64 << 10,
        "{}",
        base.peak_live_bytes()
    );
    assert!(blink.stats().allocated_bytes <= 64 << 10);

    // Lifting the limit lets the same request through.
    blink.set_limit(None);
    assert!(blink.allocate(layout(65 << 10, 1)).is_ok());
    let held = blink.stats().allocated_bytes;
    assert!(held > 64 << 10);

    // A limit below what is held keeps the chunks but refuses new ones.
    blink.set_limit(Some(1024));
    assert_eq!(blink.stats().allocated_bytes, held);
    assert!(blink.allocate(layout(100_000, 1)).is_err());
    assert_eq!(blink.stats().allocated_bytes, held);
    drop(blink);
    base.assert_all_returned();
}

// ---------------------------------------------------------------- allocate

#[test]
fn allocate_gives_exact_aligned_disjoint_blocks() {
    let blink = BlinkAlloc::new();
    let mut blocks: std::vec::Vec<(NonNull<[u8]>, u8)> = std::vec::Vec::new();
    for i in 0..scaled(500, 60) {
        let size = (i * 37) % 200 + 1;
        let align = 1 << (i % 8);
        let block = blink.allocate(layout(size, align)).unwrap();
        assert_eq!(block.len(), size);
        assert_eq!(addr(block) % align, 0);
        // SAFETY: a fresh block of `size` bytes.
        unsafe { fill(u8_ptr(block), size, i as u8) };
        blocks.push((block, i as u8));
    }
    for &(block, seed) in &blocks {
        // SAFETY: live, initialised by `fill`.
        assert_eq!(unsafe { check(u8_ptr(block), block.len(), seed) }, Ok(()));
    }
    let mut ranges: std::vec::Vec<_> = blocks
        .iter()
        .map(|(b, _)| (addr(*b), addr(*b) + b.len()))
        .collect();
    ranges.sort();
    assert!(ranges.windows(2).all(|w| w[0].1 <= w[1].0));
}

#[test]
fn allocate_zeroed_zeroes_reused_memory() {
    let mut blink = BlinkAlloc::new();
    let dirty = blink.allocate(layout(300, 8)).unwrap();
    // SAFETY: a fresh block of 300 bytes.
    unsafe { u8_ptr(dirty).as_ptr().write_bytes(0xAB, 300) };
    let dirty_addr = addr(dirty);
    blink.reset();
    let zeroed = blink.allocate_zeroed(layout(300, 8)).unwrap();
    // The test only means something if the dirty memory came back.
    assert_eq!(addr(zeroed), dirty_addr);
    // SAFETY: a fresh, initialised block of 300 bytes.
    let bytes = unsafe { zeroed.as_ref() };
    assert!(bytes.iter().all(|&b| b == 0));
    assert!(blink.allocate_zeroed(layout(0, 64)).unwrap().is_empty());
}

// ---------------------------------------------------------------- resize

#[test]
fn grow_at_the_tip_is_in_place() {
    let blink = BlinkAlloc::with_chunk_size(4096);
    let a = blink.allocate(layout(16, 8)).unwrap();
    // SAFETY: fresh block.
    unsafe { fill(u8_ptr(a), 16, 1) };
    let used = blink.stats().used_bytes;
    // SAFETY: `a` is live with this layout.
    let b = unsafe { blink.resize(u8_ptr(a), layout(16, 8), layout(100, 8)) }.unwrap();
    assert_eq!(addr(b), addr(a));
    assert_eq!(b.len(), 100);
    assert_eq!(blink.stats().used_bytes, used + 84);
    // SAFETY: the grown block keeps its first 16 bytes and has 100.
    unsafe {
        assert_eq!(check(u8_ptr(b), 16, 1), Ok(()));
        fill(u8_ptr(b), 100, 2);
    }
    // The next block follows the grown one.
    let c = blink.allocate(layout(1, 1)).unwrap();
    assert_eq!(addr(c), addr(b) + 100);
}

#[test]
fn shrink_at_the_tip_gives_memory_back() {
    let blink = BlinkAlloc::new();
    let a = blink.allocate(layout(200, 8)).unwrap();
    // SAFETY: fresh block.
    unsafe { fill(u8_ptr(a), 200, 3) };
    let used = blink.stats().used_bytes;
    // SAFETY: `a` is live with this layout.
    let b = unsafe { blink.resize(u8_ptr(a), layout(200, 8), layout(40, 8)) }.unwrap();
    assert_eq!(addr(b), addr(a));
    assert_eq!(b.len(), 40);
    assert_eq!(blink.stats().used_bytes, used - 160);
    // SAFETY: the prefix is kept.
    assert_eq!(unsafe { check(u8_ptr(b), 40, 3) }, Ok(()));
    let c = blink.allocate(layout(8, 1)).unwrap();
    assert_eq!(addr(c), addr(a) + 40);
}

#[test]
fn shrink_elsewhere_keeps_the_pointer() {
    let blink = BlinkAlloc::new();
    let a = blink.allocate(layout(200, 8)).unwrap();
    let other = blink.allocate(layout(8, 8)).unwrap();
    // SAFETY: fresh blocks.
    unsafe {
        fill(u8_ptr(a), 200, 4);
        fill(u8_ptr(other), 8, 5);
    }
    let used = blink.stats().used_bytes;
    // SAFETY: `a` is live with this layout.
    let b = unsafe { blink.resize(u8_ptr(a), layout(200, 8), layout(10, 4)) }.unwrap();
    assert_eq!(addr(b), addr(a));
    assert_eq!(b.len(), 10);
    assert_eq!(blink.stats().used_bytes, used);
    // SAFETY: both blocks are live.
    unsafe {
        assert_eq!(check(u8_ptr(b), 10, 4), Ok(()));
        assert_eq!(check(u8_ptr(other), 8, 5), Ok(()));
    }
}

#[test]
fn grow_elsewhere_copies() {
    let blink = BlinkAlloc::new();
    let a = blink.allocate(layout(50, 2)).unwrap();
    let other = blink.allocate(layout(30, 1)).unwrap();
    // SAFETY: fresh blocks.
    unsafe {
        fill(u8_ptr(a), 50, 6);
        fill(u8_ptr(other), 30, 7);
    }
    // SAFETY: `a` is live with this layout.
    let b = unsafe { blink.resize(u8_ptr(a), layout(50, 2), layout(120, 2)) }.unwrap();
    assert_ne!(addr(b), addr(a));
    assert_eq!(b.len(), 120);
    assert_eq!(addr(b) % 2, 0);
    // SAFETY: `b` is live with its prefix copied; `other` untouched.
    unsafe {
        assert_eq!(check(u8_ptr(b), 50, 6), Ok(()));
        assert_eq!(check(u8_ptr(other), 30, 7), Ok(()));
        fill(u8_ptr(b), 120, 8);
        assert_eq!(check(u8_ptr(other), 30, 7), Ok(()));
    }
}

#[test]
fn grow_past_the_chunk_moves_to_a_new_chunk() {
    let (blink, base) = counted();
    let a = blink.allocate(layout(100, 8)).unwrap();
    // SAFETY: fresh block.
    unsafe { fill(u8_ptr(a), 100, 9) };
    let chunk = blink.stats().allocated_bytes;
    // SAFETY: `a` is live with this layout.
    let b = unsafe { blink.resize(u8_ptr(a), layout(100, 8), layout(chunk * 3, 8)) }.unwrap();
    assert_ne!(addr(b), addr(a));
    assert_eq!(blink.stats().chunks, 2);
    // SAFETY: prefix copied, new block writable.
    unsafe {
        assert_eq!(check(u8_ptr(b), 100, 9), Ok(()));
        fill(u8_ptr(b), chunk * 3, 10);
    }
    drop(blink);
    base.assert_all_returned();
}

#[test]
fn resize_to_a_bigger_alignment() {
    for (old_size, new_size) in [(24, 24), (24, 200), (24, 8), (0, 16)] {
        for tip in [true, false] {
            let blink = BlinkAlloc::new();
            // Push the cursor off every alignment above 1.
            blink.allocate(layout(1, 1)).unwrap();
            let a = blink.allocate(layout(old_size, 1)).unwrap();
            if !tip {
                blink.allocate(layout(1, 1)).unwrap();
            }
            // SAFETY: fresh block.
            unsafe { fill(u8_ptr(a), old_size, 11) };
            let new = layout(new_size, 256);
            // SAFETY: `a` is live with this layout.
            let b = unsafe { blink.resize(u8_ptr(a), layout(old_size, 1), new) }.unwrap();
            assert_eq!(addr(b) % 256, 0, "{old_size}->{new_size} tip={tip}");
            assert_eq!(b.len(), new_size);
            let kept = old_size.min(new_size);
            // SAFETY: `b` is live with the common prefix copied.
            unsafe {
                assert_eq!(check(u8_ptr(b), kept, 11), Ok(()));
                fill(u8_ptr(b), new_size, 12);
            }
        }
    }
}

#[test]
fn resize_to_the_same_layout_keeps_the_block() {
    let blink = BlinkAlloc::new();
    let a = blink.allocate(layout(64, 16)).unwrap();
    let _other = blink.allocate(layout(64, 16)).unwrap();
    // SAFETY: `a` is live with this layout.
    let b = unsafe { blink.resize(u8_ptr(a), layout(64, 16), layout(64, 16)) }.unwrap();
    assert_eq!(addr(a), addr(b));
}

// ---------------------------------------------------------------- deallocate

#[test]
fn deallocate_at_the_tip_frees() {
    let blink = BlinkAlloc::new();
    let _a = blink.allocate(layout(10, 1)).unwrap();
    let used = blink.stats().used_bytes;
    let b = blink.allocate(layout(40, 8)).unwrap();
    // SAFETY: `b` is live, 40 bytes, and not used again.
    unsafe { blink.deallocate(u8_ptr(b), 40) };
    // What is left is `a` plus the padding before `b`.
    assert!(blink.stats().used_bytes < used + 8);
    let c = blink.allocate(layout(40, 8)).unwrap();
    assert_eq!(addr(c), addr(b));
}

#[test]
fn deallocate_elsewhere_does_not_free() {
    let blink = BlinkAlloc::new();
    let a = blink.allocate(layout(40, 8)).unwrap();
    let b = blink.allocate(layout(8, 8)).unwrap();
    // SAFETY: fresh block.
    unsafe { fill(u8_ptr(b), 8, 13) };
    let used = blink.stats().used_bytes;
    // SAFETY: `a` is live, 40 bytes, and not used again.
    unsafe { blink.deallocate(u8_ptr(a), 40) };
    assert_eq!(blink.stats().used_bytes, used);
    let c = blink.allocate(layout(40, 8)).unwrap();
    assert_ne!(addr(c), addr(a));
    assert!(addr(c) >= addr(b) + 8 || addr(c) + 40 <= addr(b));
    // SAFETY: `b` is still live.
    assert_eq!(unsafe { check(u8_ptr(b), 8, 13) }, Ok(()));
}

#[test]
fn vec_churn_in_one_cycle_stays_bounded() {
    // A vector filled and dropped again and again, with no reset between:
    // each drop frees it at the tip, so the arena does not grow.
    let (blink, base) = counted();
    for round in 0..scaled(1000, 50) {
        let mut v = Vec::new_in(&blink);
        v.extend(0..200u64 + round as u64 % 7);
        assert_eq!(v[199], 199);
    }
    assert_eq!(blink.stats().used_bytes, 0);
    assert!(base.snapshot().allocs <= 2, "{:?}", base.snapshot());
}

#[test]
fn deallocate_all_in_reverse_frees_all() {
    let blink = BlinkAlloc::with_chunk_size(4096);
    blink.allocate(layout(1, 1)).unwrap();
    let start = blink.stats().used_bytes;
    let blocks: std::vec::Vec<_> = (0..20)
        .map(|i| (blink.allocate(layout(i * 3 + 1, 1)).unwrap(), i * 3 + 1))
        .collect();
    for &(b, size) in blocks.iter().rev() {
        // SAFETY: each is the tip when freed, live, and not used again.
        unsafe { blink.deallocate(u8_ptr(b), size) };
    }
    assert_eq!(blink.stats().used_bytes, start);
}

// ---------------------------------------------------------------- resets

#[test]
fn reset_frees_everything_and_reuses_memory() {
    let (mut blink, base) = counted();
    for i in 0..scaled(2000, 200) {
        blink.allocate(layout(i % 100 + 1, 8)).unwrap();
    }
    assert!(blink.stats().chunks > 1);
    blink.reset();
    let s = blink.stats();
    assert_eq!(s.used_bytes, 0);
    assert_eq!(s.chunks, base.live_blocks());
    assert!(s.chunks <= 1, "{s:?}");
    // The kept chunk (or the one merged chunk the reset asked for next)
    // holds the whole cycle again with at most one call.
    let calls = base.snapshot();
    for i in 0..scaled(2000, 200) {
        blink.allocate(layout(i % 100 + 1, 8)).unwrap();
    }
    assert!(base.snapshot().since(&calls).calls() <= 1);
    assert_eq!(blink.stats().chunks, 1);
    drop(blink);
    base.assert_all_returned();
}

#[test]
fn reset_final_returns_every_chunk() {
    let (mut blink, base) = counted();
    for i in 0..scaled(2000, 200) {
        blink.allocate(layout(i % 100 + 1, 8)).unwrap();
    }
    blink.reset_final();
    assert_eq!(blink.stats(), Stats::default());
    base.assert_all_returned();
    // Still usable afterwards.
    let a = blink.allocate(layout(10, 1)).unwrap();
    // SAFETY: fresh block.
    unsafe { fill(u8_ptr(a), 10, 14) };
    blink.reset_final();
    base.assert_all_returned();
}

#[test]
fn reset_unchecked_is_reset() {
    let (blink, base) = counted();
    for _ in 0..scaled(100, 20) {
        blink.allocate(layout(100, 8)).unwrap();
    }
    let chunks = blink.stats().chunks;
    assert!(chunks > 1);
    // SAFETY: no block is used after this.
    unsafe { blink.reset_unchecked() };
    assert_eq!(blink.stats().used_bytes, 0);
    assert!(blink.stats().chunks <= 1);
    assert_eq!(blink.stats().chunks, base.live_blocks());
    blink.allocate(layout(64, 8)).unwrap();
    assert_eq!(blink.stats().used_bytes, 64);
    drop(blink);
    base.assert_all_returned();
}

#[test]
fn reset_reuses_the_first_address_when_one_chunk_was_used() {
    let mut blink = BlinkAlloc::with_chunk_size(64 << 10);
    let a = blink.allocate(layout(100, 16)).unwrap();
    blink.allocate(layout(1000, 16)).unwrap();
    let a = addr(a);
    blink.reset();
    assert_eq!(addr(blink.allocate(layout(100, 16)).unwrap()), a);
}

// ---------------------------------------------------------------- checkpoints

#[test]
fn checkpoint_and_rewind_in_one_chunk() {
    let blink = BlinkAlloc::new();
    let keep = blink.allocate(layout(24, 8)).unwrap();
    // SAFETY: fresh block.
    unsafe { fill(u8_ptr(keep), 24, 15) };
    let mark = blink.checkpoint();
    let used = blink.stats().used_bytes;
    let scratch = blink.allocate(layout(100, 8)).unwrap();
    blink.allocate(layout(10, 1)).unwrap();
    // SAFETY: nothing allocated after `mark` is used again.
    unsafe { blink.rewind(mark) };
    assert_eq!(blink.stats().used_bytes, used);
    assert_eq!(addr(blink.allocate(layout(100, 8)).unwrap()), addr(scratch));
    // SAFETY: `keep` was allocated before the checkpoint.
    assert_eq!(unsafe { check(u8_ptr(keep), 24, 15) }, Ok(()));
}

#[test]
fn rewind_across_chunks_keeps_and_reuses_spares() {
    let (blink, base) = counted();
    let keep = blink.allocate(layout(24, 8)).unwrap();
    // SAFETY: fresh block.
    unsafe { fill(u8_ptr(keep), 24, 16) };
    let mark = blink.checkpoint();
    let used = blink.stats().used_bytes;

    let work = |seed: u8| {
        let mut first = None;
        for i in 0..scaled(300, 60) {
            let b = blink.allocate(layout(i % 90 + 10, 8)).unwrap();
            // SAFETY: fresh block.
            unsafe { fill(u8_ptr(b), b.len(), seed) };
            first.get_or_insert(addr(b));
        }
        first.unwrap()
    };
    let first_addr = work(1);
    let stats = blink.stats();
    assert!(stats.chunks > 2, "{stats:?}");
    let calls = base.snapshot();

    // SAFETY: nothing allocated after `mark` is used again.
    unsafe { blink.rewind(mark) };
    let rewound = blink.stats();
    assert_eq!(rewound.used_bytes, used);
    // Spare chunks are kept...
    assert_eq!(rewound.chunks, stats.chunks);
    assert_eq!(rewound.allocated_bytes, stats.allocated_bytes);
    // ...and reused: the same work needs no new chunk and starts at the same place.
    assert_eq!(work(2), first_addr);
    assert_eq!(base.snapshot(), calls);
    assert_eq!(blink.stats(), stats);
    // SAFETY: `keep` was allocated before the checkpoint.
    assert_eq!(unsafe { check(u8_ptr(keep), 24, 16) }, Ok(()));
    drop(blink);
    base.assert_all_returned();
}

#[test]
fn nested_checkpoints() {
    let blink = BlinkAlloc::new();
    let outer = blink.checkpoint();
    let a = blink.allocate(layout(100, 8)).unwrap();
    let inner = blink.checkpoint();
    let used_inner = blink.stats().used_bytes;
    for _ in 0..scaled(100, 20) {
        blink.allocate(layout(100, 8)).unwrap();
    }
    // SAFETY: nothing allocated after `inner` is used again.
    unsafe { blink.rewind(inner) };
    assert_eq!(blink.stats().used_bytes, used_inner);
    // SAFETY: nothing allocated after `outer` is used again.
    unsafe { blink.rewind(outer) };
    assert_eq!(blink.stats().used_bytes, 0);
    assert_eq!(addr(blink.allocate(layout(100, 8)).unwrap()), addr(a));
}

#[test]
fn rewind_to_an_empty_arena_reuses_the_chunks() {
    let (blink, base) = counted();
    let mark = blink.checkpoint();
    for _ in 0..scaled(100, 20) {
        blink.allocate(layout(100, 8)).unwrap();
    }
    let stats = blink.stats();
    let calls = base.snapshot();
    // SAFETY: nothing allocated after `mark` is used again.
    unsafe { blink.rewind(mark) };
    assert_eq!(blink.stats().used_bytes, 0);
    assert_eq!(blink.stats().chunks, stats.chunks);
    for _ in 0..scaled(100, 20) {
        blink.allocate(layout(100, 8)).unwrap();
    }
    assert_eq!(base.snapshot(), calls);
    assert_eq!(blink.stats(), stats);
}

#[test]
fn rewind_to_none_does_nothing() {
    let blink = BlinkAlloc::new();
    let a = blink.allocate(layout(100, 8)).unwrap();
    let used = blink.stats().used_bytes;
    // SAFETY: `NONE` frees nothing.
    unsafe { blink.rewind(Checkpoint::NONE) };
    assert_eq!(blink.stats().used_bytes, used);
    assert_ne!(addr(blink.allocate(layout(100, 8)).unwrap()), addr(a));
}

#[test]
fn spares_are_freed_by_reset_and_drop() {
    let (mut blink, base) = counted();
    let mark = blink.checkpoint();
    for _ in 0..scaled(200, 40) {
        blink.allocate(layout(100, 8)).unwrap();
    }
    // SAFETY: nothing allocated after `mark` is used again.
    unsafe { blink.rewind(mark) };
    blink.reset();
    assert_eq!(blink.stats().chunks, base.live_blocks());
    assert!(base.live_blocks() <= 1);
    let mark = blink.checkpoint();
    for _ in 0..scaled(200, 40) {
        blink.allocate(layout(100, 8)).unwrap();
    }
    // SAFETY: as above.
    unsafe { blink.rewind(mark) };
    drop(blink);
    base.assert_all_returned();
}

// ---------------------------------------------------------------- stats, into_inner, drop, debug

#[test]
fn stats_track_the_base_allocator() {
    let (mut blink, base) = counted();
    let mut requested = 0;
    for i in 0..scaled(500, 100) {
        let size = i % 150 + 1;
        requested += size;
        blink.allocate(layout(size, 1)).unwrap();
        let s = blink.stats();
        assert_eq!(s.chunks, base.live_blocks());
        assert_eq!(s.allocated_bytes, base.live_bytes());
        assert!(s.capacity < s.allocated_bytes);
        assert!(s.used_bytes <= s.capacity);
        assert_eq!(s.used_bytes, requested, "align 1 needs no padding");
    }
    blink.reset();
    let s = blink.stats();
    assert_eq!(s.used_bytes, 0);
    assert_eq!(s.allocated_bytes, base.live_bytes());
}

#[test]
fn into_inner_returns_every_chunk() {
    let (blink, base) = counted();
    for _ in 0..scaled(300, 60) {
        blink.allocate(layout(100, 8)).unwrap();
    }
    let mark = blink.checkpoint();
    blink.allocate(layout(100_000, 8)).unwrap();
    // SAFETY: the big block is not used again.
    unsafe { blink.rewind(mark) };
    assert!(base.live_blocks() > 1);
    let inner = blink.into_inner();
    assert!(inner.same_as(&base));
    base.assert_all_returned();
}

#[test]
fn drop_returns_every_chunk() {
    // Empty, one chunk, many chunks, after a reset, with spares, with a slack
    // base allocator that hands out more than asked.
    for slack in [0, 24, 1000] {
        for case in 0..5 {
            let base = CountingAlloc::with_slack(slack);
            let mut blink = BlinkAlloc::new_in(base.clone());
            if case >= 1 {
                blink.allocate(layout(10, 1)).unwrap();
            }
            if case >= 2 {
                for i in 0..scaled(500, 50) {
                    blink.allocate(layout(i % 300 + 1, 8)).unwrap();
                }
            }
            if case == 3 {
                blink.reset();
                blink.allocate(layout(10, 1)).unwrap();
            }
            if case == 4 {
                let mark = blink.checkpoint();
                blink.allocate(layout(50_000, 8)).unwrap();
                // SAFETY: the block is not used again.
                unsafe { blink.rewind(mark) };
            }
            let s = blink.stats();
            assert_eq!(s.chunks, base.live_blocks());
            drop(blink);
            base.assert_all_returned();
        }
    }
}

#[test]
fn debug_shows_the_stats() {
    let blink = BlinkAlloc::new();
    blink.allocate(layout(10, 1)).unwrap();
    let text = format!("{blink:?}");
    assert!(text.starts_with("BlinkAlloc"), "{text}");
    assert!(text.contains("used_bytes: 10"), "{text}");
    assert!(text.contains("chunks: 1"), "{text}");
}

// ---------------------------------------------------------------- Allocator through &BlinkAlloc

#[test]
fn vec_through_a_shared_reference() {
    let mut blink = BlinkAlloc::new();
    for cycle in 0..3u32 {
        let mut a = Vec::new_in(&blink);
        let mut b = Vec::new_in(&blink);
        for i in 0..scaled(5000, 300) as u32 {
            a.push(i ^ cycle);
            if i % 3 == 0 {
                b.push(u64::from(i) * 3);
            }
        }
        a.shrink_to_fit();
        b.truncate(10);
        b.shrink_to_fit();
        assert!(a.iter().enumerate().all(|(i, &x)| x == i as u32 ^ cycle));
        assert!(b.iter().enumerate().all(|(i, &x)| x == i as u64 * 9));
        drop((a, b));
        blink.reset();
    }
}

#[test]
fn hashbrown_map_in_the_arena() {
    let blink = BlinkAlloc::new();
    let mut map = hashbrown::HashMap::new_in(&blink);
    let n = scaled(5000, 300) as u64;
    for i in 0..n {
        map.insert(i, i * i);
    }
    for i in (0..n).step_by(2) {
        map.remove(&i);
    }
    assert_eq!(map.len() as u64, n / 2);
    assert!((1..n).step_by(2).all(|i| map[&i] == i * i));
    map.shrink_to_fit();
    assert!((1..n).step_by(2).all(|i| map[&i] == i * i));
    drop(map);
    assert!(blink.stats().used_bytes > 0);
}

#[test]
fn allocator_trait_methods() {
    let blink = BlinkAlloc::new();
    let a: &BlinkAlloc = &blink;
    let l = layout(40, 8);
    let b = Allocator::allocate(&a, l).unwrap();
    assert_eq!(b.len(), 40);
    // SAFETY: fresh block.
    unsafe { fill(u8_ptr(b), 40, 17) };
    // SAFETY: `b` is live with layout `l`.
    let g = unsafe { Allocator::grow(&a, u8_ptr(b), l, layout(80, 8)) }.unwrap();
    assert_eq!(g.len(), 80);
    // SAFETY: the prefix is kept; the block is live with 80 bytes.
    let s = unsafe {
        assert_eq!(check(u8_ptr(g), 40, 17), Ok(()));
        Allocator::shrink(&a, u8_ptr(g), layout(80, 8), layout(20, 8))
    }
    .unwrap();
    assert_eq!(s.len(), 20);
    // SAFETY: the prefix is kept; then the block is freed at the tip.
    unsafe {
        assert_eq!(check(u8_ptr(s), 20, 17), Ok(()));
        Allocator::deallocate(&a, u8_ptr(s), layout(20, 8));
    }
    let z = Allocator::allocate_zeroed(&a, layout(64, 8)).unwrap();
    // SAFETY: initialised block.
    assert!(unsafe { z.as_ref() }.iter().all(|&x| x == 0));
}

#[test]
fn grow_zeroed_really_zeroes() {
    let blink = BlinkAlloc::new();
    let a: &BlinkAlloc = &blink;
    // Dirty the memory, free it at the tip, and grow a block over it in place.
    let dirty = Allocator::allocate(&a, layout(256, 8)).unwrap();
    // SAFETY: fresh block, freed at the tip.
    unsafe {
        u8_ptr(dirty).as_ptr().write_bytes(0xEE, 256);
        Allocator::deallocate(&a, u8_ptr(dirty), layout(256, 8));
    }
    let small = Allocator::allocate(&a, layout(8, 8)).unwrap();
    assert_eq!(addr(small), addr(dirty), "the dirty memory came back");
    // SAFETY: fresh block.
    unsafe { fill(u8_ptr(small), 8, 18) };
    // SAFETY: `small` is live with this layout.
    let grown =
        unsafe { Allocator::grow_zeroed(&a, u8_ptr(small), layout(8, 8), layout(200, 8)) }.unwrap();
    assert_eq!(addr(grown), addr(small), "grown in place");
    // SAFETY: live, initialised block of 200 bytes.
    unsafe {
        assert_eq!(check(u8_ptr(grown), 8, 18), Ok(()));
        assert!(grown.as_ref()[8..].iter().all(|&x| x == 0));
    }
    // Also when the block moves (not at the tip).
    let _block = Allocator::allocate(&a, layout(8, 8)).unwrap();
    // SAFETY: `grown` is live with 200 bytes.
    let moved =
        unsafe { Allocator::grow_zeroed(&a, u8_ptr(grown), layout(200, 8), layout(300, 8)) }
            .unwrap();
    assert_ne!(addr(moved), addr(grown));
    // SAFETY: live, initialised block of 300 bytes.
    unsafe {
        assert_eq!(check(u8_ptr(moved), 8, 18), Ok(()));
        assert!(moved.as_ref()[8..].iter().all(|&x| x == 0));
    }
}

// ---------------------------------------------------------------- BlinkAllocator

fn generic_reset<B: BlinkAllocator>(mut b: B) {
    b.reset();
}

#[test]
fn blink_allocator_for_a_shared_reference_never_frees() {
    let blink = BlinkAlloc::new();
    let r: &BlinkAlloc = &blink;
    let b = BlinkAllocator::allocate(&r, layout(100, 8)).unwrap();
    // SAFETY: fresh block.
    unsafe { fill(u8_ptr(b), 100, 19) };
    let stats = blink.stats();
    generic_reset(r);
    assert_eq!(blink.stats(), stats);
    assert_eq!(BlinkAllocator::checkpoint(&r), Checkpoint::NONE);
    let mark = blink.checkpoint();
    BlinkAllocator::allocate(&r, layout(10, 1)).unwrap();
    let stats = blink.stats();
    // SAFETY: a shared reference's rewind is a no-op whatever the checkpoint.
    unsafe { BlinkAllocator::rewind(&r, mark) };
    assert_eq!(blink.stats(), stats);
    // SAFETY: `b` is still live.
    assert_eq!(unsafe { check(u8_ptr(b), 100, 19) }, Ok(()));
    // allocate_zeroed, resize and deallocate forward.
    let z = BlinkAllocator::allocate_zeroed(&r, layout(32, 8)).unwrap();
    // SAFETY: initialised block; then resized and freed at the tip.
    unsafe {
        assert!(z.as_ref().iter().all(|&x| x == 0));
        let g = BlinkAllocator::resize(&r, u8_ptr(z), layout(32, 8), layout(64, 8)).unwrap();
        assert_eq!(addr(g), addr(z));
        let before = blink.stats().used_bytes;
        BlinkAllocator::deallocate(&r, u8_ptr(g), 64);
        assert_eq!(blink.stats().used_bytes, before - 64);
    }
}

#[test]
fn blink_allocator_for_a_unique_reference_forwards() {
    let mut blink = BlinkAlloc::new();
    {
        let r: &mut BlinkAlloc = &mut blink;
        BlinkAllocator::allocate(&r, layout(100, 8)).unwrap();
        let mark = BlinkAllocator::checkpoint(&r);
        assert_ne!(mark, Checkpoint::NONE);
        let used = r.stats().used_bytes;
        BlinkAllocator::allocate(&r, layout(100, 8)).unwrap();
        // SAFETY: the second block is not used again.
        unsafe { BlinkAllocator::rewind(&r, mark) };
        assert_eq!(r.stats().used_bytes, used);
        generic_reset(r);
    }
    assert_eq!(blink.stats().used_bytes, 0);
    assert_eq!(blink.stats().chunks, 1);
    // And through the owned arena.
    BlinkAllocator::allocate(&blink, layout(100, 8)).unwrap();
    generic_reset(&mut blink);
    assert_eq!(blink.stats().used_bytes, 0);
    generic_reset(BlinkAlloc::new_in(Global));
}
