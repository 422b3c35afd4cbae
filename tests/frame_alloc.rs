//! A loop of `blink_scope!` frames makes no base-allocator call after the
//! first frame. The base allocator of the pooled arenas is the global one,
//! so this binary counts every global allocation made by this thread.

use std::{
    alloc::{GlobalAlloc, Layout, System},
    cell::Cell,
};

use blink_alloc::blink_scope;

struct Counting;

std::thread_local! {
    static CALLS: Cell<usize> = const { Cell::new(0) };
}

fn count() {
    // `try_with`: the thread may be tearing down its locals.
    let _ = CALLS.try_with(|calls| calls.set(calls.get() + 1));
}

// SAFETY: forwards to `System`, only counting calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: forwarded from the caller.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        count();
        // SAFETY: forwarded from the caller.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: forwarded from the caller.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn calls() -> usize {
    CALLS.with(Cell::get)
}

/// One frame of work: a few thousand values, some with drop glue that owns
/// no heap memory, and nested frames.
fn frame_work(n: u64) -> u64 {
    blink_scope!(|frame| {
        let squares = frame.emplace().from_iter((0..n).map(|i| i * i));
        let text = frame.copy_str("frame text");
        let inner = blink_scope!(|inner| *inner.put(text.len() as u64));
        let nested = blink_scope!(frame, |scope| {
            scope.emplace().from_iter(0..n / 2).iter().sum::<u64>()
        });
        squares.iter().sum::<u64>() + inner + nested
    })
}

#[test]
fn frames_stop_calling_the_base_allocator_after_the_first() {
    let n = if cfg!(miri) { 200 } else { 5_000 };
    let expected = frame_work(n);
    let stats = blink_scope!(|frame| frame.allocator().stats());
    let after_first = calls();
    for _ in 0..if cfg!(miri) { 3 } else { 100 } {
        assert_eq!(frame_work(n), expected);
    }
    assert_eq!(
        calls(),
        after_first,
        "a warm frame called the base allocator"
    );
    assert_eq!(blink_scope!(|frame| frame.allocator().stats()), stats);
    assert!(stats.chunks >= 1);
}
