//! Fork-join with rayon: every worker allocates from its own
//! `LocalBlinkAlloc` view of one shared `SyncBlinkAlloc`, with no atomic
//! operation per allocation; the shared arena resets after the join.
//!
//! ```text
//! cargo run --release --example sync_fork_join
//! ```

use std::{sync::Mutex, time::Instant};

use allocator_api2::vec::Vec as AVec;
use blink_alloc::{LocalBlinkAlloc, SyncBlinkAlloc};
use rayon::prelude::*;

fn main() {
    let words: Vec<String> = (0..400_000u32)
        .map(|i| format!("w{}", i.wrapping_mul(2_654_435_761) % 50_000))
        .collect();
    let mut shared = SyncBlinkAlloc::new();
    let workers = rayon::current_num_threads();
    for round in 0..4 {
        let start = Instant::now();
        // One view per rayon worker, made before the parallel section.
        let locals: Vec<Mutex<LocalBlinkAlloc<'_>>> =
            (0..workers).map(|_| Mutex::new(shared.local())).collect();
        let (count, bytes) = words
            .par_chunks(4096)
            .map(|chunk| {
                let worker = rayon::current_thread_index().unwrap_or(0) % workers;
                let local = locals[worker].lock().unwrap();
                // Per-chunk scratch: upper-cased copies of the words, in the
                // worker's arena.
                let mut upper = AVec::with_capacity_in(chunk.len(), &*local);
                for word in chunk {
                    let mut copy = AVec::with_capacity_in(word.len(), &*local);
                    copy.extend(word.bytes().map(|b| b.to_ascii_uppercase()));
                    upper.push(copy);
                }
                let bytes: usize = upper.iter().map(|w| w.len()).sum();
                (upper.len(), bytes)
            })
            .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
        let held: usize = locals
            .iter()
            .map(|l| l.lock().unwrap().stats().allocated_bytes)
            .sum();
        drop(locals);
        let elapsed = start.elapsed();
        let stats = shared.stats();
        println!(
            "round {round}: {workers} workers, {count} words ({bytes} bytes) in {:.2} ms; \
             locals held {held} bytes; shared arena: {} chunks, {} bytes",
            elapsed.as_secs_f64() * 1e3,
            stats.chunks,
            stats.allocated_bytes,
        );
        assert_eq!(count, words.len());
        shared.reset(); // every view is gone: free the round at once
    }
}
