//! Scopes: values placed in a scope are dropped at its exit (normal or by
//! panic), the memory is rewound, scopes nest, values may borrow from
//! outside, and a loop of scopes stops calling the base allocator.

use crate::blink_common;

use std::panic::{catch_unwind, AssertUnwindSafe};

use blink_alloc::{Blink, BlinkAlloc};
use blink_common::*;

#[test]
fn values_dropped_and_memory_rewound_at_exit() {
    start();
    let mut blink = Blink::new();
    blink.put(counted(1));
    blink.put_no_drop(0u64);
    let before = blink.allocator().stats().used_bytes;
    let sum = blink.scope(|s| {
        let a = s.put(counted(10));
        s.try_put(counted(11)).unwrap();
        s.emplace().with(|| counted(12));
        s.emplace_shared().value(counted(13));
        let slice = s.emplace().from_iter((14..17).map(counted));
        s.emplace()
            .with_fallible(|| Ok::<_, [u64; 8]>(counted(17)))
            .unwrap();
        s.put_no_drop(counted(200));
        s.try_put_no_drop(counted(201)).unwrap();
        s.emplace_no_drop().from_iter((202..205).map(counted));
        s.copy_str("scratch");
        s.copy_slice(&[1u8; 100]);
        s.uninit::<[u64; 4]>();
        assert!(s.allocator().stats().used_bytes > before);
        a.assert_intact();
        slice.iter().map(|c| c.id).sum::<u32>()
    });
    assert_eq!(sum, 14 + 15 + 16);
    assert_eq!(take_log(), [17, 16, 15, 14, 13, 12, 11, 10]);
    assert_eq!(blink.allocator().stats().used_bytes, before);
    blink.reset();
    assert_eq!(take_log(), [1]);
}

#[test]
fn nested_scopes() {
    start();
    let mut blink = Blink::new();
    let base = blink.allocator().stats().used_bytes;
    blink.scope(|outer| {
        let kept = outer.put(counted(1));
        let names = outer.emplace().from_iter((2..4).map(counted));
        let mark = outer.allocator().stats().used_bytes;
        outer.scope(|inner| {
            let inner_value = inner.put(counted(10));
            // Values of the enclosing scope stay readable and writable.
            kept.assert_intact();
            names[1].assert_intact();
            let borrowed = inner.put((&*kept, counted(11)));
            assert_eq!(borrowed.0.id, 1);
            inner.scope(|innermost| {
                innermost.put(counted(20));
                innermost.put(&*inner_value);
            });
            assert_eq!(take_log(), [20]);
            inner_value.assert_intact();
        });
        assert_eq!(take_log(), [11, 10]);
        assert_eq!(outer.allocator().stats().used_bytes, mark);
        // The outer scope allocates again after the inner one closed.
        let again = outer.put(counted(4));
        again.assert_intact();
        kept.assert_intact();
    });
    assert_eq!(take_log(), [4, 3, 2, 1]);
    assert_eq!(blink.allocator().stats().used_bytes, base);
}

/// A value whose `Drop` reads data borrowed from outside the scope.
struct Borrower<'a> {
    text: &'a str,
    id: u32,
}

impl Drop for Borrower<'_> {
    fn drop(&mut self) {
        assert_eq!(self.text, "outside");
        drop(counted(self.id));
    }
}

#[test]
fn values_may_borrow_from_outside_the_scope() {
    start();
    let outside = String::from("outside");
    let mut blink = Blink::new();
    blink.scope(|s| {
        s.put(Borrower {
            text: &outside,
            id: 1,
        });
        s.emplace()
            .from_iter((2..4).map(|id| Borrower { text: &outside, id }));
        s.scope(|inner| {
            inner.put(Borrower {
                text: outside.as_str(),
                id: 4,
            });
        });
        assert_eq!(take_log(), [4]);
    });
    assert_eq!(take_log(), [3, 2, 1]);
    drop(outside);
}

#[test]
fn panic_in_scope_drops_and_rewinds() {
    start();
    let mut blink = Blink::new();
    blink.put(counted(1));
    let before = blink.allocator().stats().used_bytes;
    let caught = catch_unwind(AssertUnwindSafe(|| {
        blink.scope(|s| {
            s.put(counted(2));
            s.scope(|inner| {
                inner.put(counted(3));
                inner.emplace().from_iter((4..6).map(counted));
                panic!("inside nested scope");
            });
        })
    }));
    assert!(caught.is_err());
    assert_eq!(take_log(), [5, 4, 3, 2]);
    assert_eq!(blink.allocator().stats().used_bytes, before);
    blink.put(counted(6)).assert_intact();
    blink.reset();
    assert_eq!(take_log(), [6, 1]);
}

#[test]
fn panicking_drop_at_scope_exit() {
    start();
    let mut blink = Blink::new();
    blink.put(counted(1));
    let before = blink.allocator().stats().used_bytes;
    let caught = catch_unwind(AssertUnwindSafe(|| {
        blink.scope(|s| {
            s.put(counted(2));
            s.put(Bomb(3));
            s.put(counted(4));
        })
    }));
    assert!(caught.is_err());
    assert_eq!(take_log(), [4, 3, 2]);
    assert_eq!(blink.allocator().stats().used_bytes, before);
    blink.reset();
    assert_eq!(take_log(), [1]);
}

#[test]
fn panicking_iterator_and_constructor_in_scope() {
    start();
    let mut blink = Blink::new();
    blink.scope(|s| {
        let kept = s.put(counted(1));
        let caught = catch_unwind(AssertUnwindSafe(|| {
            s.emplace().from_iter((10..20).map(|i| {
                if i == 15 {
                    panic!("iterator");
                }
                counted(i)
            }));
        }));
        assert!(caught.is_err());
        assert_dropped_once(take_log(), 10..15);
        let caught = catch_unwind(AssertUnwindSafe(|| {
            s.emplace::<Counted>().with(|| panic!("constructor"));
        }));
        assert!(caught.is_err());
        kept.assert_intact();
        s.put(counted(2));
    });
    assert_eq!(take_log(), [2, 1]);
}

#[test]
fn scope_loop_stops_calling_the_base_allocator() {
    start();
    let calls = CountingAlloc::default();
    let mut blink = Blink::new_in(BlinkAlloc::new_in(calls.clone()));
    let n = scale(3000, 200);
    let mut after_first = None;
    for round in 0..5u32 {
        blink.scope(|s| {
            for i in 0..n as u32 {
                s.put(counted(i));
            }
            s.emplace().from_iter((0..n as u64).filter(|_| true));
            s.scope(|inner| {
                inner.copy_slice(&vec![round; n]);
                inner.emplace().from_iter((0..n as u32).map(counted));
            });
            s.copy_str(&"x".repeat(n));
        });
        assert_eq!(take_log().len(), 2 * n);
        assert_eq!(blink.allocator().stats().used_bytes, 0);
        match after_first {
            None => after_first = Some(calls.0.allocs.get()),
            Some(allocs) => assert_eq!(calls.0.allocs.get(), allocs, "round {round}"),
        }
    }
    assert_eq!(calls.0.frees.get(), 0);
    drop(blink);
    assert_eq!(calls.0.allocs.get(), calls.0.frees.get());
    assert_eq!(calls.0.live_bytes.get(), 0);
}

#[test]
fn reset_loop_stops_calling_the_base_allocator() {
    start();
    let calls = CountingAlloc::default();
    let mut blink = Blink::new_in(BlinkAlloc::new_in(calls.clone()));
    let n = scale(3000, 200);
    let mut steady = None;
    for round in 0..6 {
        for i in 0..n as u32 {
            blink.put(counted(i));
        }
        blink.emplace().from_iter((0..n as u64).filter(|_| true));
        blink.reset();
        assert_eq!(take_log().len(), n);
        // The first reset merges the cycle into one chunk; from then on
        // nothing is allocated.
        if round >= 2 {
            let allocs = *steady.get_or_insert(calls.0.allocs.get());
            assert_eq!(calls.0.allocs.get(), allocs, "round {round}");
        }
    }
}

#[test]
fn scope_over_shared_allocator_drops_but_cannot_rewind() {
    start();
    let alloc = BlinkAlloc::new();
    let mut blink = Blink::new_in(&alloc);
    blink.scope(|s| {
        s.put(counted(1));
        s.emplace().from_iter((2..4).map(counted));
    });
    assert_eq!(take_log(), [3, 2, 1]);
    // Another user of the arena may have allocated after the checkpoint.
    assert!(alloc.stats().used_bytes > 0);
}

#[test]
fn scope_over_unique_allocator_rewinds() {
    start();
    let mut alloc = BlinkAlloc::new();
    let mut blink = Blink::new_in(&mut alloc);
    blink.put(counted(1));
    let before = blink.allocator().stats().used_bytes;
    blink.scope(|s| {
        s.put(counted(2));
        s.copy_slice(&[0u8; 1000]);
    });
    assert_eq!(take_log(), [2]);
    assert_eq!(blink.allocator().stats().used_bytes, before);
    drop(blink);
    assert_eq!(take_log(), [1]);
}
