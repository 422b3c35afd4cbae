//! Task-based work: a small pool of std threads runs many tasks; each task
//! takes a warm `BlinkAlloc` from a shared `BlinkAllocCache`, allocates with
//! no synchronization, and gives it back (reset) when it is done.
//!
//! ```text
//! cargo run --release --example sync_task_cache
//! ```

use std::{
    sync::{
        atomic::{AtomicUsize, Ordering::Relaxed},
        mpsc, Arc, Mutex,
    },
    thread,
    time::Instant,
};

use allocator_api2::vec::Vec as AVec;
use blink_alloc::{BlinkAlloc, BlinkAllocCache};

/// One task: build a request's scratch data and answer with a checksum.
fn task(blink: &BlinkAlloc, id: u64) -> u64 {
    let mut lines = AVec::new_in(blink);
    for i in 0..(100 + id % 400) {
        let mut line = AVec::with_capacity_in(16, blink);
        line.extend((0..16u64).map(|j| (i * 31 + j + id) as u8));
        lines.push(line);
    }
    lines
        .iter()
        .map(|l| l.iter().map(|&b| u64::from(b)).sum::<u64>())
        .sum()
}

fn main() {
    let workers = 4;
    let tasks = 20_000u64;
    let cache = Arc::new(BlinkAllocCache::new());
    let created = Arc::new(AtomicUsize::new(0));
    let (send, recv) = mpsc::channel::<u64>();
    let recv = Arc::new(Mutex::new(recv));
    let start = Instant::now();
    let pool: Vec<_> = (0..workers)
        .map(|_| {
            let (cache, created, recv) = (cache.clone(), created.clone(), recv.clone());
            thread::spawn(move || {
                let mut sum = 0u64;
                loop {
                    let Ok(id) = recv.lock().unwrap().recv() else {
                        break sum;
                    };
                    let blink = cache.pop().unwrap_or_else(|| {
                        created.fetch_add(1, Relaxed);
                        BlinkAlloc::new()
                    });
                    sum = sum.wrapping_add(task(&blink, id));
                    cache.push(blink); // reset, stays warm
                }
            })
        })
        .collect();
    for id in 0..tasks {
        send.send(id).unwrap();
    }
    drop(send);
    let sum = pool
        .into_iter()
        .map(|h| h.join().unwrap())
        .fold(0u64, u64::wrapping_add);
    let elapsed = start.elapsed();
    let held: usize = std::iter::from_fn(|| cache.pop())
        .map(|b| b.stats().allocated_bytes)
        .sum();
    println!(
        "{tasks} tasks on {workers} threads in {:.2} ms ({:.0} ns/task), checksum {sum}; \
         {} arenas created, {held} bytes held by the cache at the end",
        elapsed.as_secs_f64() * 1e3,
        elapsed.as_nanos() as f64 / tasks as f64,
        created.load(Relaxed),
    );
}
