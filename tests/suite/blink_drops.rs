//! Drop accounting for every way of placing a value into a `Blink`: each
//! value placed with drop is dropped exactly once, in reverse order of
//! placement; `*_no_drop` forms never drop.

use crate::blink_common;

use blink_alloc::{Blink, BlinkAlloc, IteratorExt, SendBlink};
use blink_common::*;

#[test]
fn put_drops_in_reverse_order_on_reset() {
    start();
    let mut blink = Blink::new();
    for id in 0..10 {
        let value = blink.put(counted(id));
        value.assert_intact();
    }
    assert!(log().is_empty());
    blink.reset();
    assert_eq!(take_log(), (0..10).rev().collect::<Vec<_>>());
    assert_eq!(blink.allocator().stats().used_bytes, 0);
    // A second reset drops nothing again.
    blink.reset();
    assert!(take_log().is_empty());
}

#[test]
fn every_single_value_form_drops_once() {
    start();
    let mut blink = Blink::new();
    blink.put(counted(1));
    blink.try_put(counted(2)).unwrap();
    blink.emplace().value(counted(3));
    blink.emplace().try_value(counted(4)).unwrap();
    blink.emplace().with(|| counted(5));
    blink.emplace().try_with(|| counted(6)).ok().unwrap();
    blink
        .emplace()
        .with_fallible(|| Ok::<_, ()>(counted(7)))
        .unwrap();
    blink
        .emplace()
        .try_with_fallible(|| Ok::<_, ()>(counted(8)))
        .ok()
        .unwrap();
    blink.emplace_shared().value(counted(9));
    blink.emplace_shared().try_value(counted(10)).unwrap();
    blink.emplace_shared().with(|| counted(11));
    blink
        .emplace_shared()
        .try_with(|| counted(12))
        .ok()
        .unwrap();
    blink
        .emplace_shared()
        .with_fallible(|| Ok::<_, ()>(counted(13)))
        .unwrap();
    blink
        .emplace_shared()
        .try_with_fallible(|| Ok::<_, ()>(counted(14)))
        .ok()
        .unwrap();
    // SAFETY: `Counted::drop` reaches no other value of the arena.
    unsafe {
        blink.emplace_unchecked().value(counted(15));
        blink.emplace_unchecked().try_value(counted(16)).unwrap();
        blink.emplace_unchecked().with(|| counted(17));
        blink
            .emplace_unchecked()
            .try_with(|| counted(18))
            .ok()
            .unwrap();
        blink
            .emplace_unchecked()
            .with_fallible(|| Ok::<_, ()>(counted(19)))
            .unwrap();
        blink
            .emplace_unchecked()
            .try_with_fallible(|| Ok::<_, ()>(counted(20)))
            .ok()
            .unwrap();
    }
    assert!(log().is_empty());
    blink.reset();
    assert_eq!(take_log(), (1..=20).rev().collect::<Vec<_>>());
}

#[test]
fn no_drop_forms_never_drop() {
    start();
    let mut blink = Blink::new();
    blink.put_no_drop(counted(1)).assert_intact();
    blink.try_put_no_drop(counted(2)).unwrap().assert_intact();
    let e = blink.emplace_no_drop();
    e.value(counted(3));
    e.try_value(counted(4)).unwrap();
    e.with(|| counted(5));
    e.try_with(|| counted(6)).ok().unwrap();
    e.with_fallible(|| Ok::<_, ()>(counted(7))).unwrap();
    e.try_with_fallible(|| Ok::<_, ()>(counted(8)))
        .ok()
        .unwrap();
    e.from_iter((9..12).map(counted));
    e.try_from_iter((12..15).map(counted)).ok().unwrap();
    (15..18).map(counted).collect_to_blink_no_drop(&blink);
    (18..21)
        .map(counted)
        .try_collect_to_blink_no_drop(&blink)
        .ok()
        .unwrap();
    let uninit = blink.uninit::<Counted>();
    uninit.write(counted(21));
    blink.try_uninit::<Counted>().unwrap().write(counted(22));
    blink.reset();
    drop(blink);
    assert!(take_log().is_empty());
}

#[test]
fn slices_from_every_form_drop_once() {
    start();
    let mut blink = Blink::new();
    let a = blink.emplace().from_iter((0..5).map(counted));
    assert_eq!(a.len(), 5);
    blink
        .emplace()
        .try_from_iter((5..10).map(counted))
        .ok()
        .unwrap();
    blink.emplace_shared().from_iter((10..15).map(counted));
    blink
        .emplace_shared()
        .try_from_iter((15..20).map(counted))
        .ok()
        .unwrap();
    // SAFETY: `Counted::drop` reaches no other value of the arena.
    unsafe {
        blink.emplace_unchecked().from_iter((20..25).map(counted));
        blink
            .emplace_unchecked()
            .try_from_iter((25..30).map(counted))
            .ok()
            .unwrap();
    }
    let c = (30..35).map(counted).collect_to_blink(&blink);
    assert!(c.iter().map(|c| c.id).eq(30..35));
    let d = (35..40).map(counted).collect_to_blink_shared(&blink);
    assert!(d.iter().map(|c| c.id).eq(35..40));
    (40..45)
        .map(counted)
        .try_collect_to_blink(&blink)
        .ok()
        .unwrap();
    (45..50)
        .map(counted)
        .try_collect_to_blink_shared(&blink)
        .ok()
        .unwrap();
    assert!(log().is_empty());
    blink.reset();
    // Reverse order of placement: newest slice first, each back to front.
    let expected: Vec<u32> = (0..50).rev().collect();
    assert_eq!(take_log(), expected);
}

#[test]
fn mixed_values_and_slices_reverse_order() {
    start();
    let mut blink = Blink::new();
    blink.put(counted(1));
    blink.put_no_drop(counted(100));
    blink.emplace().from_iter([counted(2), counted(3)]);
    blink.put(5u64); // no drop glue: no header
    blink.put(String::from("owned")); // drop glue, not logged
    blink.put(counted(4));
    blink.reset();
    assert_eq!(take_log(), [4, 3, 2, 1]);
}

#[test]
fn zst_with_drop_glue_dropped_exactly_once() {
    start();
    let mut blink = Blink::new();
    blink.put(Zst);
    assert_eq!(zst_drops(), 0);
    blink.reset();
    assert_eq!(zst_drops(), 1);

    let slice = blink.emplace().from_iter((0..7).map(|_| Zst));
    assert_eq!(slice.len(), 7);
    assert_eq!(zst_drops(), 1);
    blink.reset();
    assert_eq!(zst_drops(), 1 + 7);

    // Empty iterators, with and without a hint of zero.
    let empty = blink.emplace().from_iter(core::iter::empty::<Zst>());
    assert!(empty.is_empty());
    let empty = blink
        .emplace()
        .from_iter((0..10).filter(|_| false).map(|_| Zst));
    assert!(empty.is_empty());
    blink.reset();
    assert_eq!(zst_drops(), 8);

    // Aligned ZSTs, single and slices, with drop and without.
    let kept = blink.emplace_no_drop().from_iter((0..4).map(|_| Zst));
    assert_eq!(kept.len(), 4);
    blink.put_no_drop(Zst);
    let mut expected = 8;
    if over_aligned_checkable() {
        let one = blink.put(ZstAligned);
        assert_eq!((one as *mut ZstAligned).addr() % 64, 0);
        let many = blink.emplace().from_iter((0..3).map(|_| ZstAligned));
        assert_eq!(many.as_ptr().addr() % 64, 0);
        expected += 4;
    }
    blink.reset();
    assert_eq!(zst_drops(), expected);

    // Lying hints on ZSTs.
    let lied = blink.emplace().from_iter(Lying {
        items: (0..5).map(|_| Zst),
        hint: (0, Some(0)),
    });
    assert_eq!(lied.len(), 5);
    let lied = blink.emplace().from_iter(Lying {
        items: (0..5).map(|_| Zst),
        hint: (usize::MAX, None),
    });
    assert_eq!(lied.len(), 5);
    drop(blink);
    assert_eq!(zst_drops(), expected + 10);
}

#[test]
fn drop_all_drops_but_keeps_memory() {
    start();
    let mut blink = Blink::new();
    blink.put(counted(1));
    blink.put(counted(2));
    let used = blink.allocator().stats().used_bytes;
    assert!(used > 0);
    blink.drop_all();
    assert_eq!(take_log(), [2, 1]);
    assert_eq!(blink.allocator().stats().used_bytes, used);
    blink.put(counted(3));
    blink.reset();
    assert_eq!(take_log(), [3]);
    assert_eq!(blink.allocator().stats().used_bytes, 0);
}

#[test]
fn dropping_the_blink_drops_values() {
    start();
    let blink = Blink::new();
    blink.put(counted(1));
    blink.emplace().from_iter((2..4).map(counted));
    blink.put_no_drop(counted(99));
    drop(blink);
    assert_eq!(take_log(), [3, 2, 1]);

    let blink: Blink = Blink::default();
    blink.put(counted(5));
    drop(blink);
    assert_eq!(take_log(), [5]);
}

#[test]
fn into_inner_drops_values_and_returns_allocator() {
    start();
    let blink = Blink::with_chunk_size(4096);
    blink.put(counted(1));
    blink.put(counted(2));
    let alloc: BlinkAlloc = blink.into_inner();
    assert_eq!(take_log(), [2, 1]);
    // The memory is the allocator's until it resets.
    assert!(alloc.stats().used_bytes > 0);
    assert!(alloc.stats().capacity >= 4000);
}

#[test]
fn blink_over_shared_allocator_reset_only_drops() {
    start();
    let alloc = BlinkAlloc::new();
    let mut blink = Blink::new_in(&alloc);
    blink.put(counted(1));
    blink.emplace().from_iter((2..4).map(counted));
    let used = alloc.stats().used_bytes;
    blink.reset();
    assert_eq!(take_log(), [3, 2, 1]);
    // `&BlinkAlloc` cannot reset the arena: other users may hold blocks.
    assert_eq!(alloc.stats().used_bytes, used);
    let second = Blink::new_in(&alloc);
    let a = blink.put(counted(4));
    let b = second.put(counted(5));
    a.assert_intact();
    b.assert_intact();
    drop(second);
    assert_eq!(take_log(), [5]);
    drop(blink);
    assert_eq!(take_log(), [4]);
}

#[test]
fn blink_over_unique_allocator_resets_it() {
    start();
    let mut alloc = BlinkAlloc::new();
    {
        let mut blink = Blink::new_in(&mut alloc);
        blink.put(counted(1));
        blink.put(counted(2));
        assert!(blink.allocator().stats().used_bytes > 0);
        blink.reset();
        assert_eq!(take_log(), [2, 1]);
        assert_eq!(blink.allocator().stats().used_bytes, 0);
        blink.put(counted(3));
    }
    assert_eq!(take_log(), [3]);
    // The allocator outlives the `Blink`, still holding the last block.
    assert!(alloc.stats().used_bytes > 0);
    alloc.reset();
    assert_eq!(alloc.stats().used_bytes, 0);
}

#[test]
fn send_blink_drops_before_moving() {
    start();
    let blink = Blink::new();
    blink.put(counted(1));
    blink.put(std::rc::Rc::new(counted(2)));
    let sendable = SendBlink::new(blink);
    assert_eq!(take_log(), [2, 1]);
    let dropped_there = std::thread::spawn(move || {
        start();
        let blink = sendable.into_inner();
        assert_eq!(blink.allocator().stats().used_bytes, 0);
        blink.put(counted(3)).assert_intact();
        drop(blink);
        take_log()
    })
    .join()
    .unwrap();
    assert_eq!(dropped_there, [3]);
    assert!(take_log().is_empty());
}

#[test]
fn copies_are_exact_and_never_dropped() {
    start();
    let mut blink = Blink::new();
    let words = blink.copy_str("blink arena");
    let numbers = blink.copy_slice(&[1u32, 2, 3]);
    let empty = blink.copy_slice::<u64>(&[]);
    let units = blink.copy_slice(&[(), (), ()]);
    let tried = blink.try_copy_str("tried").unwrap();
    let tried_slice = blink.try_copy_slice(&[7u16; 9]).unwrap();
    words.make_ascii_uppercase();
    numbers[1] = 20;
    assert_eq!(words, "BLINK ARENA");
    assert_eq!(numbers, [1, 20, 3]);
    assert!(empty.is_empty());
    assert_eq!(units.len(), 3);
    assert_eq!(tried, "tried");
    assert_eq!(tried_slice, [7; 9]);
    assert_eq!(numbers.as_ptr().addr() % 4, 0);
    let slot = blink.uninit::<u64>();
    slot.write(5);
    blink.reset();
    assert!(take_log().is_empty());
}

/// Short copies are done inline, with overlapping words: every length up
/// to past the inline limit copies exactly and leaves the block placed just
/// before it as it was. (Writes past the end are checked with guard bytes in
/// the unit test of `copy_bytes`.)
#[test]
fn copies_of_every_short_length_are_exact() {
    start();
    let mut blink = Blink::new();
    let text: String = (0..40u8).map(|i| char::from(b'a' + i % 26)).collect();
    let wide: Vec<u16> = (0..20).map(|i| 1000 + i).collect();
    for len in 0..=text.len() {
        let before = blink.copy_slice(&[0xEEu8; 3]);
        let copy = blink.copy_str(&text[..len]);
        assert_eq!(&*copy, &text[..len]);
        assert_eq!(*before, [0xEE; 3], "len {len}");
        let shorts = blink.copy_slice(&wide[..len / 2]);
        assert_eq!(&*shorts, &wide[..len / 2]);
        let odd = blink.try_copy_slice(&[[7u8, 8, 9]; 6][..len % 7]).unwrap();
        assert_eq!(&*odd, &[[7u8, 8, 9]; 6][..len % 7]);
        // A byte of padding in every item: its bytes are copied, uninit.
        let padded = [(1u8, 2u16); 6];
        assert_eq!(&*blink.copy_slice(&padded[..len % 7]), &padded[..len % 7]);
    }
    blink.reset();
    assert!(take_log().is_empty());
}

#[test]
fn try_forms_give_the_value_back_under_a_limit() {
    start();
    let mut blink = Blink::new_in(BlinkAlloc::new().limit(4096));
    let big = || (counted(1000), [0u8; 8192]);

    let (back, _) = blink.try_put(big()).unwrap_err();
    assert_eq!(back.id, 1000);
    drop(back);
    let (back, _) = blink.try_put_no_drop(big()).unwrap_err();
    drop(back);
    let (back, _) = blink.emplace().try_value(big()).unwrap_err();
    drop(back);
    assert_eq!(take_log(), [1000, 1000, 1000]);

    // The constructor is given back unused.
    let f = blink.emplace().try_with(big).err().unwrap();
    assert!(log().is_empty());
    drop(f());
    assert_eq!(take_log(), [1000]);
    match blink.emplace().try_with_fallible(|| Ok::<_, ()>(big())) {
        Err(Err(_unused)) => {}
        _ => panic!("expected an allocation failure"),
    }
    assert!(log().is_empty());
    assert!(blink.try_uninit::<[u8; 8192]>().is_none());
    assert!(blink.try_copy_slice(&[0u8; 8192]).is_none());
    assert!(blink.try_copy_str(&"x".repeat(8192)).is_none());

    // Fill the arena with small values until it refuses one.
    let mut placed = 0;
    let refused = loop {
        match blink.try_put(counted(placed)) {
            Ok(value) => value.assert_intact(),
            Err(back) => break back,
        }
        placed += 1;
    };
    assert!(placed > 10, "{placed}");
    assert_eq!(refused.id, placed);
    drop(refused);
    assert_eq!(take_log(), [placed]);
    blink.reset();
    assert_eq!(take_log(), (0..placed).rev().collect::<Vec<_>>());

    // A slice that does not fit: what was placed stays placed and is
    // dropped on reset; the item that did not fit comes back.
    let n = 1000;
    let (slice, rest) = blink
        .emplace()
        .try_from_iter((0..n).map(counted))
        .err()
        .unwrap();
    let kept = slice.len() as u32;
    assert!(kept < n);
    for (i, item) in slice.iter().enumerate() {
        assert_eq!(item.id, i as u32);
        item.assert_intact();
    }
    let rest = rest.unwrap();
    assert_eq!(rest.id, kept);
    drop(rest);
    assert_eq!(take_log(), [kept]);
    blink.reset();
    assert_dropped_once(take_log(), 0..kept);

    let (slice, rest) = (0..n)
        .map(counted)
        .try_collect_to_blink_no_drop(&blink)
        .err()
        .unwrap();
    let kept = slice.len() as u32;
    drop(rest);
    assert_eq!(take_log(), [kept]);
    blink.reset();
    assert!(take_log().is_empty());
}

/// The slot for a value made by a closure is reserved at the end of the
/// run of its type before the closure runs; when the closure links newer
/// runs over it, the value no longer joins that run (it used to, and was
/// dropped after what the closure placed): it starts a run of its own, the
/// newest, in the room reserved for that. See `blink_drop_order.rs`.
#[test]
fn with_reserved_at_a_run_that_its_closure_buried_drops_in_order() {
    start();
    let mut blink = Blink::new();
    for _ in 0..if cfg!(miri) { 8 } else { 64 } {
        let first: *const Counted = blink.put(counted(1));
        // The closure links two newer runs (2, and a zero-sized value)
        // over the run of 1.
        let third: *const Counted = blink.emplace().with(|| {
            blink.put(counted(2));
            blink.put(Zst);
            counted(3)
        });
        assert_ne!(third.addr(), first.addr() + size_of::<Counted>());
        assert_eq!(blink.drop_runs(), 4);
        blink.put(counted(4));
        // SAFETY: the values are alive until the reset.
        unsafe {
            (*first).assert_intact();
            (*third).assert_intact();
        }
        blink.reset();
        assert_eq!(take_log(), [4, 3, 2, 1]);
    }
    assert_eq!(zst_drops(), if cfg!(miri) { 8 } else { 64 });
}

#[test]
fn zero_sized_values_join_their_run_across_scopes() {
    start();
    let mut blink = Blink::new();
    blink.put(Zst);
    blink.put(5u64); // no drop glue: does not end the run of `Zst`
    blink.put(Zst);
    blink.scope(|frame| {
        frame.put(Zst);
        frame.put(Zst);
    });
    assert_eq!(zst_drops(), 2);
    blink.put(Zst);
    // One header (three words) for the run of four, and the `u64`: runs
    // join under Miri too.
    let used = blink.allocator().stats().used_bytes;
    assert!(used < 2 * 3 * size_of::<usize>() + 8);
    assert_eq!(blink.drop_runs(), 1);
    blink.reset();
    assert_eq!(zst_drops(), 2 + 3);
}
