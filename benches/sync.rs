//! Many threads allocating `u64`s: our shared `SyncBlinkAlloc`, our
//! `LocalBlinkAlloc` per thread, blink-alloc 0.4's shared `SyncBlinkAlloc`,
//! bumpalo-herd per thread, the global allocator, and our single-threaded
//! `BlinkAlloc` per thread as the baseline.
//!
//! ```text
//! cargo bench -p blink-benches --bench sync -- --warm-up-time 1 --measurement-time 2
//! ```
//!
//! One iteration is one allocation (and write) on every thread at once: the
//! reported time is per allocation per thread. Each thread times its own
//! loop of `ROUND` allocations after a barrier; a round's time is the
//! slowest thread's. Spawning, the barrier and the resets between rounds
//! are not timed.

use std::{
    alloc::Layout,
    hint::black_box,
    sync::Barrier,
    thread,
    time::{Duration, Instant},
};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};

/// Allocations per thread per round.
const ROUND: u64 = 50_000;

/// Times `f`.
#[inline(always)]
fn timed(f: impl FnOnce()) -> Duration {
    let start = Instant::now();
    f();
    start.elapsed()
}

/// Runs `work(thread)` (which times its own allocation loop) on `threads`
/// threads at once; returns the slowest thread's time.
fn round<F: Fn(usize) -> Duration + Sync>(threads: usize, work: F) -> Duration {
    let barrier = Barrier::new(threads);
    thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (barrier, work) = (&barrier, &work);
                s.spawn(move || {
                    barrier.wait();
                    work(t)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap())
            .max()
            .unwrap()
    })
}

/// Times `iters` allocations per thread as whole rounds.
fn rounds(iters: u64, mut one_round: impl FnMut() -> Duration) -> Duration {
    let n = iters.div_ceil(ROUND);
    let total: Duration = (0..n).map(|_| one_round()).sum();
    total.mul_f64(iters as f64 / (n * ROUND) as f64)
}

#[inline(always)]
fn write_u64(block: std::ptr::NonNull<[u8]>, i: u64) {
    let p = block.cast::<u64>();
    // SAFETY: a fresh block for a u64.
    unsafe { p.as_ptr().write(i) };
    black_box(p);
}

fn bench(c: &mut Criterion) {
    let layout = Layout::new::<u64>();
    for threads in [1usize, 2, 4] {
        let mut group = c.benchmark_group(format!("alloc_u64/{threads}_threads"));

        group.bench_function(BenchmarkId::from_parameter("BlinkAlloc_per_thread"), |b| {
            let arenas: Vec<_> = (0..threads)
                .map(|_| std::sync::Mutex::new(blink_alloc::BlinkAlloc::new()))
                .collect();
            b.iter_custom(|iters| {
                rounds(iters, || {
                    round(threads, |t| {
                        // On this thread's stack, like the other rows'
                        // allocators (behind the mutex, the opaque
                        // `black_box` would force a reload of the cursor).
                        let mut blink = std::mem::take(&mut *arenas[t].lock().unwrap());
                        let took = timed(|| {
                            for i in 0..ROUND {
                                write_u64(blink.allocate(layout).unwrap(), i);
                            }
                        });
                        blink.reset();
                        *arenas[t].lock().unwrap() = blink;
                        took
                    })
                })
            })
        });

        group.bench_function(
            BenchmarkId::from_parameter("ours_SyncBlinkAlloc_shared"),
            |b| {
                let mut shared = blink_alloc::SyncBlinkAlloc::new();
                b.iter_custom(|iters| {
                    rounds(iters, || {
                        let took = round(threads, |_| {
                            timed(|| {
                                for i in 0..ROUND {
                                    write_u64(shared.allocate(layout).unwrap(), i);
                                }
                            })
                        });
                        shared.reset();
                        took
                    })
                })
            },
        );

        group.bench_function(BenchmarkId::from_parameter("ours_LocalBlinkAlloc"), |b| {
            let mut shared = blink_alloc::SyncBlinkAlloc::new();
            b.iter_custom(|iters| {
                rounds(iters, || {
                    let took = round(threads, |_| {
                        let local = shared.local();
                        timed(|| {
                            for i in 0..ROUND {
                                write_u64(local.allocate(layout).unwrap(), i);
                            }
                        })
                    });
                    shared.reset();
                    took
                })
            })
        });

        group.bench_function(
            BenchmarkId::from_parameter("blink04_SyncBlinkAlloc_shared"),
            |b| {
                let mut shared = blink_alloc_04::SyncBlinkAlloc::new();
                b.iter_custom(|iters| {
                    rounds(iters, || {
                        let took = round(threads, |_| {
                            timed(|| {
                                for i in 0..ROUND {
                                    write_u64(shared.allocate(layout).unwrap(), i);
                                }
                            })
                        });
                        shared.reset();
                        took
                    })
                })
            },
        );

        group.bench_function(
            BenchmarkId::from_parameter("bumpalo_herd_per_thread"),
            |b| {
                let mut herd = bumpalo_herd::Herd::new();
                b.iter_custom(|iters| {
                    rounds(iters, || {
                        let took = round(threads, |_| {
                            let member = herd.get();
                            timed(|| {
                                for i in 0..ROUND {
                                    black_box(member.alloc(i));
                                }
                            })
                        });
                        herd.reset();
                        took
                    })
                })
            },
        );

        group.bench_function(BenchmarkId::from_parameter("global_Box"), |b| {
            b.iter_custom(|iters| {
                rounds(iters, || {
                    round(threads, |_| {
                        timed(|| {
                            for i in 0..ROUND {
                                black_box(Box::new(i));
                            }
                        })
                    })
                })
            })
        });

        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
