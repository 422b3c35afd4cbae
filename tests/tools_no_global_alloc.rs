//! A frame loop using every everyday tool (`blink_format!`, `BlinkString`,
//! `BlinkVec`, `put_pin`, scopes, `with_capacity`) makes no global
//! allocation once warm. The test has its own global allocator, which
//! counts the calls made on this test's thread while it watches; the test
//! harness's own allocations, on other threads or outside the loop, are
//! not counted.

use core::{
    alloc::Layout,
    cell::Cell,
    fmt::Write,
    future::Future,
    task::{Context, Waker},
};
use std::alloc::{GlobalAlloc, System};

use blink_alloc::{blink_format, Blink};

struct Counting;

thread_local! {
    static WATCHING: Cell<bool> = const { Cell::new(false) };
    static CALLS: Cell<usize> = const { Cell::new(0) };
}

fn note() {
    // `try_with`: the allocator may run while thread-locals are torn down.
    let _ = WATCHING.try_with(|watching| {
        if watching.get() {
            let _ = CALLS.try_with(|calls| calls.set(calls.get() + 1));
        }
    });
}

// SAFETY: forwards every call to `System`, only counting them.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note();
        // SAFETY: forwarded from the caller.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        note();
        // SAFETY: forwarded from the caller.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note();
        // SAFETY: forwarded from the caller.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note();
        // SAFETY: forwarded from the caller.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Global allocations made by `f` on this thread.
fn count(f: impl FnOnce()) -> usize {
    CALLS.with(|calls| calls.set(0));
    WATCHING.with(|watching| watching.set(true));
    f();
    WATCHING.with(|watching| watching.set(false));
    CALLS.with(Cell::get)
}

// Drops count here, so that the drops the frame makes are seen.
thread_local! {
    static DROPS: Cell<usize> = const { Cell::new(0) };
}

struct Entity {
    id: u64,
    name: &'static str,
}

impl Drop for Entity {
    fn drop(&mut self) {
        DROPS.with(|drops| drops.set(drops.get() + 1));
    }
}

fn frame(blink: &mut Blink, frame_no: u64) -> usize {
    let size = if cfg!(miri) { 20 } else { 200 };
    let mut entities = blink.vec();
    for id in 0..size {
        entities.push(Entity {
            id: id + frame_no,
            name: "entity",
        });
    }
    let entities: &mut [Entity] = entities.into_slice();
    let mut report = blink.string();
    for entity in entities.iter().take(10) {
        write!(report, "{}#{} ", entity.name, entity.id).unwrap();
    }
    report.push('|');
    let report = report.into_str();
    let title = blink_format!(in &*blink, "frame {frame_no}: {} entities", entities.len());
    let mut task = blink.put_pin(async move { frame_no * 2 });
    let mut cx = Context::from_waker(Waker::noop());
    assert!(task.as_mut().poll(&mut cx).is_ready());
    let total = report.len() + title.len();
    let scoped = blink.scope(|scope| {
        let mut ids = scope.vec_no_drop();
        ids.extend((0..size).map(|i| i * 3));
        let ids = ids.into_slice();
        let line = blink_format!(in scope, "{} ids, last {:?}", ids.len(), ids.last());
        let pinned = scope.put_pin(Entity { id: 0, name: "s" });
        line.len() + pinned.name.len()
    });
    blink.reset();
    total + scoped
}

#[test]
fn warm_frame_loop_makes_no_global_allocation() {
    let mut blink = Blink::with_capacity(1 << 12);
    let mut work = 0;
    // Warm-up: the arena settles on one chunk that holds a frame.
    for frame_no in 0..3 {
        work += frame(&mut blink, frame_no);
    }
    DROPS.with(|drops| drops.set(0));
    let frames = if cfg!(miri) { 3 } else { 100 };
    let calls = count(|| {
        for frame_no in 0..frames {
            work += frame(&mut blink, frame_no);
        }
    });
    assert_eq!(calls, 0, "global allocations in warm frames");
    let size = if cfg!(miri) { 20 } else { 200 };
    // Every entity, and the one pinned in each scope, dropped once a frame.
    assert_eq!(DROPS.with(Cell::get), frames as usize * (size + 1));
    assert!(work > 0);
}

#[test]
fn counting_sees_global_allocations() {
    // The counter works: a `Vec` on this thread is seen.
    let calls = count(|| drop(std::hint::black_box(vec![1u8; 10])));
    assert_eq!(calls, 2);
}
