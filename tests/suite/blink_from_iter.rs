//! `from_iter` for any iterator whatever its `size_hint` says, growing in
//! place when nothing else allocates, and correct when the iterator itself
//! allocates from the same `Blink`.

use crate::blink_common;

use blink_alloc::{Blink, IteratorExt};
use blink_common::*;

const N: usize = scale(2000, 100);

fn check_ids(slice: &[Counted], ids: impl Iterator<Item = u32>) {
    assert!(slice.iter().map(|c| c.id).eq(ids));
    slice.iter().for_each(Counted::assert_intact);
}

/// Collects `ids` through an iterator with the given hint, in every mode.
fn collect_with_hint(hint: (usize, Option<usize>)) {
    start();
    let mut blink = Blink::new();
    let n = N as u32;
    let lying = |range: core::ops::Range<u32>| Lying {
        items: range.map(counted),
        hint,
    };
    let a = blink.emplace().from_iter(lying(0..n));
    let b = blink.emplace_no_drop().from_iter(lying(n..2 * n));
    let c = blink.emplace_shared().from_iter(lying(2 * n..3 * n));
    let d = blink.emplace().from_iter(Lying {
        items: (0..n as u64).map(|i| i * 3),
        hint,
    });
    let e = blink.emplace().from_iter(Lying {
        items: (0..n).map(|i| i.to_string()),
        hint,
    });
    check_ids(a, 0..n);
    check_ids(b, n..2 * n);
    check_ids(c, 2 * n..3 * n);
    assert!(d.iter().copied().eq((0..n as u64).map(|i| i * 3)));
    assert!(e.iter().map(|s| s.parse::<u32>().unwrap()).eq(0..n));
    blink.reset();
    let mut expected: Vec<u32> = (2 * n..3 * n).rev().collect();
    expected.extend((0..n).rev());
    assert_eq!(take_log(), expected);
}

#[test]
fn exact_hint() {
    collect_with_hint((N, Some(N)));
}

#[test]
fn too_small_hint() {
    collect_with_hint((1, Some(1)));
    collect_with_hint((0, Some(0)));
    collect_with_hint((0, None));
}

#[test]
fn too_large_hint() {
    collect_with_hint((usize::MAX / 2, None));
    collect_with_hint((usize::MAX, Some(usize::MAX)));
    collect_with_hint((N * 3, Some(N * 4)));
    // Exact-looking hints that promise more than the iterator gives.
    collect_with_hint((N + 1, Some(N + 1)));
    collect_with_hint((N * 2, Some(N * 2)));
}

#[test]
fn too_large_hint_gives_back_the_unused_room() {
    let blink = Blink::new();
    let slice = blink.emplace().from_iter(Lying {
        items: 0..3u64,
        hint: (usize::MAX / 2, None),
    });
    assert_eq!(slice, [0, 1, 2]);
    // The first block was sized by the hint; finishing shrinks it.
    assert_eq!(blink.allocator().stats().used_bytes, 3 * 8);
    let next = blink.put(7u64);
    assert_eq!(
        (next as *mut u64).addr(),
        slice.as_ptr().addr() + 3 * 8,
        "the next value follows the shrunk slice"
    );
}

#[test]
fn filter_without_hint() {
    start();
    let mut blink = Blink::new();
    let evens = blink
        .emplace()
        .from_iter((0..N as u32 * 2).filter(|i| i % 2 == 0).map(counted));
    check_ids(evens, (0..N as u32 * 2).step_by(2));
    let none = blink
        .emplace()
        .from_iter((0..100).filter(|_| false).map(counted));
    assert!(none.is_empty());
    let empty = blink.emplace().from_iter(core::iter::empty::<Counted>());
    assert!(empty.is_empty());
    blink.reset();
    assert_eq!(take_log().len(), N);
}

/// With nothing else allocating, the slice grows at the tip of one chunk:
/// no copies, so the bytes used are exactly the slice's.
#[test]
fn grows_in_place_when_alone() {
    start();
    let mut blink = Blink::with_chunk_size(scale(1 << 20, 1 << 16));
    let marker = blink.put_no_drop(0u64) as *mut u64;
    let before = blink.allocator().stats();
    let values = blink
        .emplace()
        .from_iter((0..N as u64).filter(|_| true).map(|i| i * i));
    assert!(values.iter().copied().eq((0..N as u64).map(|i| i * i)));
    let after = blink.allocator().stats();
    assert_eq!(after.chunks, 1, "{after:?}");
    assert_eq!(after.used_bytes - before.used_bytes, N * 8);
    assert_eq!(values.as_ptr().addr(), marker.addr() + 8);

    // With a drop header the same holds: one header, the items, no copy.
    let before = blink.allocator().stats();
    let items = blink
        .emplace()
        .from_iter((0..N as u32).filter(|_| true).map(counted));
    check_ids(items, 0..N as u32);
    let after = blink.allocator().stats();
    assert_eq!(after.chunks, 1, "{after:?}");
    let used = after.used_bytes - before.used_bytes;
    let payload = N * core::mem::size_of::<Counted>();
    assert!(
        used >= payload && used <= payload + 32,
        "{used} for {payload}"
    );
    blink.reset();
    assert_eq!(take_log().len(), N);
}

/// The iterator allocates from the same `Blink` between items: the slice
/// cannot grow in place and must move, keeping every item and every value
/// the iterator placed.
#[test]
fn iterator_that_allocates_from_the_same_blink() {
    start();
    let mut blink = Blink::new();
    let n = N as u32;
    let refs = blink
        .emplace_no_drop()
        .from_iter((0..N as u64).map(|i| &*blink.put(i * 3)));
    assert!(refs.iter().map(|r| **r).eq((0..N as u64).map(|i| i * 3)));

    let items = blink.emplace().from_iter((0..n).map(|i| {
        blink.put(counted(10_000 + i)).assert_intact();
        blink.copy_str("filler");
        counted(i)
    }));
    check_ids(items, 0..n);
    assert!(refs.iter().map(|r| **r).eq((0..N as u64).map(|i| i * 3)));

    // Nested collection inside the iterator.
    let nested = blink.emplace().from_iter((0..8u32).map(|i| {
        let inner = blink
            .emplace()
            .from_iter((0..i).map(|j| counted(20_000 + i * 100 + j)));
        inner.len()
    }));
    assert!(nested.iter().copied().eq(0..8));
    blink.reset();
    let dropped = take_log();
    let mut expected: Vec<u32> = (0..n).chain((0..n).map(|i| 10_000 + i)).collect();
    expected.extend((0..8).flat_map(|i| (0..i).map(move |j| 20_000 + i * 100 + j)));
    assert_dropped_once(dropped, expected);
}

#[test]
fn iterator_ext_all_six() {
    start();
    let mut blink = Blink::new();
    let a = (0..3).map(counted).collect_to_blink(&blink);
    let b = (3..6).map(counted).collect_to_blink_shared(&blink);
    let c = (6..9).map(counted).collect_to_blink_no_drop(&blink);
    let d = (9..12)
        .map(counted)
        .try_collect_to_blink(&blink)
        .ok()
        .unwrap();
    let e = (12..15)
        .map(counted)
        .try_collect_to_blink_shared(&blink)
        .ok()
        .unwrap();
    let f = (15..18)
        .map(counted)
        .try_collect_to_blink_no_drop(&blink)
        .ok()
        .unwrap();
    for (slice, start) in [(&*a, 0), (b, 3), (&*c, 6), (&*d, 9), (e, 12), (&*f, 15)] {
        check_ids(slice, start..start + 3);
    }
    blink.reset();
    assert_eq!(take_log(), [14, 13, 12, 11, 10, 9, 5, 4, 3, 2, 1, 0]);
}

#[test]
fn over_aligned_items() {
    #[derive(Debug, PartialEq)]
    #[repr(align(64))]
    struct Aligned(u64, String);

    if !over_aligned_checkable() {
        return;
    }
    let mut blink = Blink::new();
    blink.put(1u8);
    let slice = blink
        .emplace()
        .from_iter((0..10).filter(|_| true).map(|i| Aligned(i, i.to_string())));
    assert_eq!(slice.as_ptr().addr() % 64, 0);
    assert!(slice.iter().map(|a| a.0).eq(0..10));
    blink.put(2u8);
    let single = blink.put(Aligned(5, "five".into()));
    assert_eq!((single as *mut Aligned).addr() % 64, 0);
    blink.reset();
}
