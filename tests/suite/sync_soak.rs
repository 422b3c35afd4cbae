//! A bounded soak of the thread-safe arena: several threads, many reset
//! cycles, all three ways of sharing (the `SyncBlinkAlloc` itself, a
//! `LocalBlinkAlloc` view per thread, and `BlinkAlloc`s from a
//! `BlinkAllocCache`). Every block keeps its bytes until its cycle ends, and
//! the memory held from the base allocator stays within a stated bound of
//! what a cycle uses, however many cycles run.
#![cfg(feature = "sync")]

use crate::common;

use std::{alloc::Layout, sync::Barrier, thread};

use allocator_api2::vec::Vec as AVec;
use blink_alloc::{BlinkAllocCache, SyncBlinkAlloc};
use common::CountingAlloc;

const THREADS: usize = if cfg!(miri) { 2 } else { 4 };
const CYCLES: usize = if cfg!(miri) { 4 } else { 300 };
/// Blocks each thread places per cycle and per way of sharing.
const BLOCKS: usize = if cfg!(miri) { 12 } else { 400 };
/// Cycles left out of the bound while the arenas warm up.
const WARM_UP: usize = 2;

/// The most bytes a thread asks for in one cycle and one way of sharing:
/// sizes are 1 to 64 bytes, alignment padding at most 7 more.
const MAX_BYTES_PER_WAY: usize = BLOCKS * (64 + 7);

/// The most bytes a cycle asks for: three ways of sharing per thread, and
/// each thread's `Vec` of `BLOCKS` `u32`s with its doublings.
const MAX_BYTES_PER_CYCLE: usize = THREADS * (3 * MAX_BYTES_PER_WAY + 2 * 4 * BLOCKS);

/// The bound on what the shared arena and the cache hold together from the
/// base allocator, after warm-up: twice the most a cycle asks for, plus
/// 64 KiB for the chunks' minimum sizes and the threads' blocks. (Measured
/// here: about a quarter of it; an arena that kept each cycle's memory
/// would pass it within five cycles.)
const HELD_BOUND: usize = 2 * MAX_BYTES_PER_CYCLE + (64 << 10);

/// Places `BLOCKS` blocks through `allocate`, each filled with its own
/// byte, then checks them all: no block was overwritten by another.
fn churn(allocate: impl Fn(Layout) -> *mut u8, seed: usize) {
    let mut blocks = Vec::with_capacity(BLOCKS);
    for i in 0..BLOCKS {
        let size = 1 + (i * 29 + seed * 7) % 64;
        let align = 1 << ((i + seed) % 4);
        let ptr = allocate(Layout::from_size_align(size, align).unwrap());
        assert_eq!(ptr.addr() % align, 0, "misaligned block");
        let tag = (i as u8).wrapping_mul(31) ^ seed as u8;
        // SAFETY: a fresh block of `size` bytes.
        unsafe { ptr.write_bytes(tag, size) };
        blocks.push((ptr, size, tag));
    }
    for (ptr, size, tag) in blocks {
        // SAFETY: the block is live until the cycle's reset, after this.
        let bytes = unsafe { std::slice::from_raw_parts(ptr, size) };
        assert!(bytes.iter().all(|&b| b == tag), "a block was overwritten");
    }
}

#[test]
fn many_reset_cycles_keep_memory_bounded() {
    let base = CountingAlloc::new();
    let mut shared = SyncBlinkAlloc::new_in(base.clone());
    let cache = BlinkAllocCache::new();
    let start = Barrier::new(THREADS);
    let mut peak_after_warm_up = 0;

    for cycle in 0..CYCLES {
        thread::scope(|s| {
            for t in 0..THREADS {
                let (shared, cache, start, base) = (&shared, &cache, &start, &base);
                s.spawn(move || {
                    start.wait();
                    let seed = cycle * THREADS + t;
                    // The shared arena, from every thread at once.
                    churn(|l| shared.allocate(l).unwrap().as_ptr().cast(), seed);
                    // A thread's own view of it.
                    let local = shared.local();
                    churn(|l| local.allocate(l).unwrap().as_ptr().cast(), seed + 1);
                    let mut v = AVec::new_in(&local);
                    v.extend(0..BLOCKS as u32);
                    assert_eq!(v[BLOCKS - 1], BLOCKS as u32 - 1);
                    drop(v);
                    drop(local);
                    // A pooled arena of its own, given back at the end.
                    let arena = cache
                        .pop()
                        .unwrap_or_else(|| blink_alloc::BlinkAlloc::new_in(base.clone()));
                    churn(|l| arena.allocate(l).unwrap().as_ptr().cast(), seed + 2);
                    cache.push(arena);
                });
            }
        });
        shared.reset();
        if cycle >= WARM_UP {
            peak_after_warm_up = peak_after_warm_up.max(base.live_bytes());
        }
    }

    assert!(
        peak_after_warm_up <= HELD_BOUND,
        "after warm-up the arenas held {peak_after_warm_up} bytes, over the bound of \
         {HELD_BOUND}"
    );
    assert!(
        cache.len() <= THREADS,
        "the cache holds one arena per thread at most"
    );
    drop(cache);
    drop(shared);
    assert_eq!(
        base.live_blocks(),
        0,
        "every chunk goes back to the base allocator"
    );
}
