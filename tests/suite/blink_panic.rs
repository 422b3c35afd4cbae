//! Panics in user code: a panicking `Drop` does not stop the others and the
//! arena is still reset; a panicking constructor or iterator leaks nothing it
//! placed and leaves the `Blink` usable.

use crate::blink_common;

use std::panic::{catch_unwind, AssertUnwindSafe};

use blink_alloc::{Blink, BlinkAlloc};
use blink_common::*;

#[test]
fn panicking_drop_during_reset_drops_the_rest_and_resets() {
    start();
    let mut blink = Blink::new();
    blink.put(counted(1));
    blink.put(Bomb(2));
    blink.put(counted(3));
    blink.emplace().from_iter([counted(4), counted(5)]);
    let caught = catch_unwind(AssertUnwindSafe(|| blink.reset()));
    assert!(caught.is_err());
    assert_eq!(take_log(), [5, 4, 3, 2, 1]);
    assert_eq!(blink.allocator().stats().used_bytes, 0);
    // Still usable, and nothing is dropped twice.
    blink.put(counted(6)).assert_intact();
    blink.reset();
    drop(blink);
    assert_eq!(take_log(), [6]);
}

#[test]
fn panicking_drop_in_drop_all_and_drop() {
    start();
    let mut blink = Blink::new();
    blink.put(counted(1));
    blink.put(Bomb(2));
    blink.put(counted(3));
    assert!(catch_unwind(AssertUnwindSafe(|| blink.drop_all())).is_err());
    assert_eq!(take_log(), [3, 2, 1]);

    blink.put(counted(4));
    blink.put(Bomb(5));
    blink.put(counted(6));
    // Dropping the Blink: the others are dropped and the chunks freed
    // (Miri reports a leak otherwise).
    assert!(catch_unwind(AssertUnwindSafe(move || drop(blink))).is_err());
    assert_eq!(take_log(), [6, 5, 4]);
}

#[test]
fn panicking_drop_in_into_inner_still_returns_chunks() {
    start();
    let calls = CountingAlloc::default();
    let blink = Blink::new_in(BlinkAlloc::new_in(calls.clone()));
    blink.put(counted(1));
    blink.put(Bomb(2));
    blink.put(counted(3));
    assert!(catch_unwind(AssertUnwindSafe(move || blink.into_inner())).is_err());
    assert_eq!(take_log(), [3, 2, 1]);
    assert_eq!(calls.0.allocs.get(), calls.0.frees.get());
    assert_eq!(calls.0.live_bytes.get(), 0);
}

#[test]
fn panicking_drop_inside_a_slice() {
    start();
    let mut blink = Blink::new();
    blink.put(counted(1));
    let slice = blink
        .emplace()
        .from_iter([Ok(counted(2)), Err(Bomb(3)), Ok(counted(4))]);
    assert_eq!(slice.len(), 3);
    blink.put(counted(5));
    assert!(catch_unwind(AssertUnwindSafe(|| blink.reset())).is_err());
    assert_eq!(take_log(), [5, 4, 3, 2, 1]);
    assert_eq!(blink.allocator().stats().used_bytes, 0);
}

#[test]
fn panicking_constructor_places_nothing() {
    start();
    let mut blink = Blink::new();
    blink.put(counted(1));
    let caught = catch_unwind(AssertUnwindSafe(|| {
        blink.emplace::<Counted>().with(|| panic!("constructor"));
    }));
    assert!(caught.is_err());
    let caught = catch_unwind(AssertUnwindSafe(|| {
        blink
            .emplace_no_drop::<Counted>()
            .with(|| panic!("constructor"));
    }));
    assert!(caught.is_err());
    let caught = catch_unwind(AssertUnwindSafe(|| {
        let _ = blink
            .emplace::<Counted>()
            .with_fallible::<_, ()>(|| panic!("fallible constructor"));
    }));
    assert!(caught.is_err());
    // A constructor that places values of its own before panicking.
    let caught = catch_unwind(AssertUnwindSafe(|| {
        blink.emplace::<Counted>().with(|| {
            blink.put(counted(2));
            let _inner = counted(3);
            panic!("constructor after placing");
        });
    }));
    assert!(caught.is_err());
    assert_eq!(take_log(), [3]);
    let after = blink.put(counted(4));
    after.assert_intact();
    blink.reset();
    assert_eq!(take_log(), [4, 2, 1]);
    assert_eq!(blink.allocator().stats().used_bytes, 0);
}

fn panicking_iterator(ids: core::ops::Range<u32>, panic_at: u32) -> impl Iterator<Item = Counted> {
    ids.map(move |id| {
        if id == panic_at {
            panic!("iterator at {id}");
        }
        counted(id)
    })
}

#[test]
fn panicking_iterator_drops_what_it_gave() {
    start();
    let mut blink = Blink::new();
    blink.put(counted(100));
    let n = scale(500, 40) as u32;
    for panic_at in [0, 1, 7, n / 2] {
        let caught = catch_unwind(AssertUnwindSafe(|| {
            blink
                .emplace()
                .from_iter(panicking_iterator(0..n, panic_at));
        }));
        assert!(caught.is_err());
        assert_dropped_once(take_log(), 0..panic_at);
        // Hinted, unhinted, shared, no-drop.
        let caught = catch_unwind(AssertUnwindSafe(|| {
            blink
                .emplace_shared()
                .from_iter(panicking_iterator(0..n, panic_at).filter(|_| true));
        }));
        assert!(caught.is_err());
        assert_dropped_once(take_log(), 0..panic_at);
        let caught = catch_unwind(AssertUnwindSafe(|| {
            blink
                .emplace_no_drop()
                .from_iter(panicking_iterator(0..n, panic_at));
        }));
        assert!(caught.is_err());
        // Never handed out, so not leaked either.
        assert_dropped_once(take_log(), 0..panic_at);
    }
    let ok = blink.emplace().from_iter((0..5).map(counted));
    assert_eq!(ok.len(), 5);
    blink.reset();
    assert_eq!(take_log(), [4, 3, 2, 1, 0, 100]);
    assert_eq!(blink.allocator().stats().used_bytes, 0);
}

#[test]
fn panicking_iterator_of_zsts() {
    start();
    let mut blink = Blink::new();
    let caught = catch_unwind(AssertUnwindSafe(|| {
        blink.emplace().from_iter((0..10).map(|i| {
            if i == 6 {
                panic!("zst iterator");
            }
            Zst
        }));
    }));
    assert!(caught.is_err());
    assert_eq!(zst_drops(), 6);
    blink.emplace().from_iter((0..3).map(|_| Zst));
    blink.reset();
    assert_eq!(zst_drops(), 9);
}

#[test]
fn panicking_iterator_that_allocates() {
    start();
    let mut blink = Blink::new();
    let caught = catch_unwind(AssertUnwindSafe(|| {
        blink.emplace().from_iter((0..50u32).map(|i| {
            blink.put(counted(1000 + i));
            if i == 30 {
                panic!("after allocating");
            }
            counted(i)
        }));
    }));
    assert!(caught.is_err());
    assert_dropped_once(take_log(), 0..30);
    blink.put(counted(2000)).assert_intact();
    blink.reset();
    let mut expected: Vec<u32> = (1000..1031).collect();
    expected.push(2000);
    assert_dropped_once(take_log(), expected);
}
