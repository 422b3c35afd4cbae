//! A frame loop, the way a game, a simulation or a request handler uses an
//! arena: each frame parses some text into words, counts them in a hash
//! map, keeps owned strings with drop, then resets. The demo counts what
//! the arena asks of the base allocator, and times the same work against
//! the global allocator.
//!
//! Run: `cargo run --release --example demo`

use std::{
    alloc::Layout,
    hint::black_box,
    ptr::NonNull,
    sync::atomic::{AtomicUsize, Ordering},
    time::Instant,
};

use allocator_api2::{
    alloc::{AllocError, Allocator, Global},
    vec::Vec as ArenaVec,
};
use blink_alloc::{Blink, BlinkAlloc};

/// The global allocator, counting the calls the arena makes to it.
#[derive(Default)]
struct Counting {
    allocations: AtomicUsize,
    deallocations: AtomicUsize,
}

// SAFETY: forwards every call to `Global` unchanged.
unsafe impl Allocator for &Counting {
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        self.allocations.fetch_add(1, Ordering::Relaxed);
        Global.allocate(layout)
    }

    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        self.deallocations.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded from the caller; the block came from `Global`.
        unsafe { Global.deallocate(ptr, layout) }
    }
}

const FRAMES: usize = 2_000;
const TEXT: &str = "the quick brown fox jumps over the lazy dog while the arena \
                    hands out memory by moving a cursor and frees it all at once";

/// One frame of work in the arena; returns a checksum.
fn arena_frame<A: Allocator>(blink: &Blink<BlinkAlloc<A>>, frame: usize) -> usize {
    let arena = blink.allocator();
    let mut words = ArenaVec::new_in(arena);
    for _ in 0..8 {
        words.extend(TEXT.split(' ').map(|w| blink.copy_str(w)));
    }
    let mut counts = hashbrown::HashMap::new_in(arena);
    for word in &words {
        *counts.entry(&**word).or_insert(0usize) += 1;
    }
    // Owned values: dropped by the reset.
    let label = blink.put(format!("frame {frame}"));
    words.len() + counts.len() + label.len()
}

/// The same work on the global allocator.
fn global_frame(frame: usize) -> usize {
    let mut words = Vec::new();
    for _ in 0..8 {
        words.extend(TEXT.split(' ').map(String::from));
    }
    let mut counts = hashbrown::HashMap::new();
    for word in &words {
        *counts.entry(word.as_str()).or_insert(0usize) += 1;
    }
    let label = format!("frame {frame}");
    words.len() + counts.len() + label.len()
}

fn main() {
    let counting = Counting::default();
    let mut blink = Blink::new_in(BlinkAlloc::new_in(&counting));

    let start = Instant::now();
    let mut checksum = 0;
    let mut calls_after_warmup = 0;
    for frame in 0..FRAMES {
        let before = counting.allocations.load(Ordering::Relaxed);
        checksum += arena_frame(&blink, frame);
        let stats = blink.allocator().stats();
        blink.reset();
        if frame >= 2 {
            calls_after_warmup += counting.allocations.load(Ordering::Relaxed) - before;
        }
        if frame == FRAMES - 1 {
            println!(
                "last frame used {} bytes in {} chunk(s) of {} bytes",
                stats.used_bytes, stats.chunks, stats.capacity
            );
        }
    }
    let arena_time = start.elapsed();

    let start = Instant::now();
    let mut expected = 0;
    for frame in 0..FRAMES {
        expected += black_box(global_frame(frame));
    }
    let global_time = start.elapsed();
    assert_eq!(checksum, expected, "the arena and the heap must agree");

    drop(blink);
    let allocations = counting.allocations.load(Ordering::Relaxed);
    let deallocations = counting.deallocations.load(Ordering::Relaxed);
    println!("{FRAMES} frames, checksum {checksum}");
    println!(
        "base allocator: {allocations} allocations, {deallocations} deallocations, \
         {calls_after_warmup} after the first two frames"
    );
    println!(
        "per frame: arena {:.2} us, global allocator {:.2} us ({:.1}x)",
        arena_time.as_secs_f64() * 1e6 / FRAMES as f64,
        global_time.as_secs_f64() * 1e6 / FRAMES as f64,
        global_time.as_secs_f64() / arena_time.as_secs_f64(),
    );
    assert_eq!(allocations, deallocations, "every chunk goes back at drop");
}
