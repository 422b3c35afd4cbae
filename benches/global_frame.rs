//! The frame of work that the global-allocator benches run, and the
//! `#[global_allocator]` that routes it to the system allocator, mimalloc,
//! or `GlobalBlinkAlloc` in blink mode. Included by `global.rs` (criterion
//! times) and `global_callgrind.rs` (instruction counts).
//!
//! A bench process has one `#[global_allocator]`, so this installs
//! `Dispatch`, which forwards every call to the allocator that `ROUTE`
//! names. The route is switched only inside a frame, and every block a
//! frame allocates is freed inside it, so a block is always freed by the
//! allocator that made it (the harness's own allocations, outside the
//! frames, go to the system allocator). The dispatch costs the three the
//! same: one relaxed load and a compare-and-branch per call (the three
//! allocators are inlined into `Dispatch`).
//!
//! The frame is what a request handler or a compiler pass does: format
//! strings, collect them in `Vec`s, group them in a `BTreeMap`, render a
//! reply, and drop it all.

use std::{
    alloc::{GlobalAlloc, Layout, System},
    collections::BTreeMap,
    hint::black_box,
    sync::atomic::{AtomicU8, Ordering::Relaxed},
};

use blink_alloc::GlobalBlinkAlloc;
use mimalloc::MiMalloc;

pub const SYSTEM: u8 = 0;
pub const MIMALLOC: u8 = 1;

const BLINK: u8 = 2;

static ROUTE: AtomicU8 = AtomicU8::new(SYSTEM);
static BLINK_ALLOC: GlobalBlinkAlloc = GlobalBlinkAlloc::new();

struct Dispatch;

// SAFETY: each call goes to one of three global allocators, chosen by
// `ROUTE`, which only changes between frames that free every block they
// allocate: a block is freed and resized by the allocator that made it.
unsafe impl GlobalAlloc for Dispatch {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded from the caller.
        unsafe {
            match ROUTE.load(Relaxed) {
                MIMALLOC => MiMalloc.alloc(layout),
                BLINK => BLINK_ALLOC.alloc(layout),
                _ => System.alloc(layout),
            }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded from the caller.
        unsafe {
            match ROUTE.load(Relaxed) {
                MIMALLOC => MiMalloc.alloc_zeroed(layout),
                BLINK => BLINK_ALLOC.alloc_zeroed(layout),
                _ => System.alloc_zeroed(layout),
            }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded from the caller; the route is the one that
        // allocated the block (see above).
        unsafe {
            match ROUTE.load(Relaxed) {
                MIMALLOC => MiMalloc.dealloc(ptr, layout),
                BLINK => BLINK_ALLOC.dealloc(ptr, layout),
                _ => System.dealloc(ptr, layout),
            }
        }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as in `dealloc`.
        unsafe {
            match ROUTE.load(Relaxed) {
                MIMALLOC => MiMalloc.realloc(ptr, layout, new_size),
                BLINK => BLINK_ALLOC.realloc(ptr, layout, new_size),
                _ => System.realloc(ptr, layout, new_size),
            }
        }
    }
}

#[global_allocator]
static GLOBAL: Dispatch = Dispatch;

/// Items per frame.
const ITEMS: usize = 200;

/// One request: parse `ITEMS` "key=value" pairs, group the values by key
/// in a `BTreeMap`, render a reply; everything is dropped at the end.
pub fn frame(seed: usize) -> usize {
    let request: Vec<String> = (0..ITEMS)
        .map(|i| format!("key{}=value-{}-{}", (i * 7 + seed) % 23, i, seed))
        .collect();
    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for pair in &request {
        let (key, value) = pair.split_once('=').unwrap();
        groups
            .entry(key.to_owned())
            .or_default()
            .push(value.to_owned());
    }
    let mut reply = String::new();
    for (key, values) in &groups {
        reply.push_str(key);
        reply.push(':');
        reply.push_str(&values.join(","));
        reply.push('\n');
    }
    reply.len() + groups.len()
}

/// Runs one frame with every allocation going to `route` (`SYSTEM` or
/// `MIMALLOC`).
#[inline(never)]
pub fn routed(route: u8, seed: usize) -> usize {
    ROUTE.store(route, Relaxed);
    let result = frame(black_box(seed));
    ROUTE.store(SYSTEM, Relaxed);
    result
}

/// Runs one frame in blink mode; the arena resets at its end.
#[inline(never)]
pub fn blink_frame(seed: usize) -> usize {
    ROUTE.store(BLINK, Relaxed);
    // SAFETY: every block of the frame is dropped inside it, before
    // `direct_mode` resets the arena; no other thread is in blink mode.
    unsafe { BLINK_ALLOC.blink_mode() };
    let result = frame(black_box(seed));
    // SAFETY: as above.
    unsafe { BLINK_ALLOC.direct_mode() };
    ROUTE.store(SYSTEM, Relaxed);
    result
}
