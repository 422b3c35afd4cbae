//! The emplacer next to its peers: each measured iteration places a batch of
//! values and then resets (or drops) the arena, so arenas stay warm and
//! bounded. Run: `cargo bench -p blink-benches --bench blink`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

const N: usize = 1_000;

/// A value with drop glue whose `Drop` does almost nothing.
struct Noisy(u64);

impl Drop for Noisy {
    fn drop(&mut self) {
        black_box(self.0);
    }
}

fn words() -> Vec<String> {
    (0..N).map(|i| format!("word{i}")).collect()
}

fn put_plain(c: &mut Criterion) {
    let mut group = c.benchmark_group("put u64");
    group.throughput(Throughput::Elements(N as u64));
    let mut blink = blink_alloc::Blink::new();
    group.bench_function("blink put", |b| {
        b.iter(|| {
            for i in 0..N as u64 {
                black_box(blink.put(i));
            }
            blink.reset();
        })
    });
    group.bench_function("blink put_no_drop", |b| {
        b.iter(|| {
            for i in 0..N as u64 {
                black_box(blink.put_no_drop(i));
            }
            blink.reset();
        })
    });
    let mut raw = blink_alloc::BlinkAlloc::new();
    group.bench_function("blink raw allocate", |b| {
        b.iter(|| {
            for i in 0..N as u64 {
                let ptr = raw.allocate(std::alloc::Layout::new::<u64>()).unwrap();
                // SAFETY: a fresh block for one u64.
                unsafe { ptr.cast::<u64>().write(i) };
                black_box(ptr);
            }
            raw.reset();
        })
    });
    let mut bump = bumpalo::Bump::new();
    group.bench_function("bumpalo alloc", |b| {
        b.iter(|| {
            for i in 0..N as u64 {
                black_box(bump.alloc(i));
            }
            bump.reset();
        })
    });
    let mut scope = bump_scope::Bump::<bump_scope::alloc::Global>::new();
    group.bench_function("bump-scope alloc", |b| {
        b.iter(|| {
            for i in 0..N as u64 {
                black_box(scope.alloc(i).into_mut());
            }
            scope.reset();
        })
    });
    let mut old = blink_alloc_04::Blink::new();
    group.bench_function("blink-alloc 0.4 put", |b| {
        b.iter(|| {
            for i in 0..N as u64 {
                black_box(old.put(i));
            }
            old.reset();
        })
    });
    group.bench_function("typed-arena alloc", |b| {
        b.iter(|| {
            let arena = typed_arena::Arena::with_capacity(N);
            for i in 0..N as u64 {
                black_box(arena.alloc(i));
            }
        })
    });
    group.finish();
}

fn put_drop(c: &mut Criterion) {
    let mut group = c.benchmark_group("put with drop, then reset");
    group.throughput(Throughput::Elements(N as u64));
    let mut blink = blink_alloc::Blink::new();
    group.bench_function("blink put", |b| {
        b.iter(|| {
            for i in 0..N as u64 {
                black_box(blink.put(Noisy(i)));
            }
            blink.reset();
        })
    });
    let mut bump = bumpalo::Bump::new();
    group.bench_function("bumpalo boxed::Box", |b| {
        b.iter(|| {
            let mut boxes = Vec::with_capacity(N);
            for i in 0..N as u64 {
                boxes.push(bumpalo::boxed::Box::new_in(Noisy(i), &bump));
            }
            drop(boxes);
            bump.reset();
        })
    });
    let mut scope = bump_scope::Bump::<bump_scope::alloc::Global>::new();
    group.bench_function("bump-scope BumpBox", |b| {
        b.iter(|| {
            let mut boxes = Vec::with_capacity(N);
            for i in 0..N as u64 {
                boxes.push(scope.alloc(Noisy(i)));
            }
            drop(boxes);
            scope.reset();
        })
    });
    let mut old = blink_alloc_04::Blink::new();
    group.bench_function("blink-alloc 0.4 put", |b| {
        b.iter(|| {
            for i in 0..N as u64 {
                black_box(old.put(Noisy(i)));
            }
            old.reset();
        })
    });
    group.bench_function("typed-arena alloc", |b| {
        b.iter(|| {
            let arena = typed_arena::Arena::with_capacity(N);
            for i in 0..N as u64 {
                black_box(arena.alloc(Noisy(i)));
            }
        })
    });
    group.finish();
}

fn copy_str(c: &mut Criterion) {
    let mut group = c.benchmark_group("copy_str");
    group.throughput(Throughput::Elements(N as u64));
    let words = words();
    let mut blink = blink_alloc::Blink::new();
    group.bench_function("blink copy_str", |b| {
        b.iter(|| {
            for w in &words {
                black_box(blink.copy_str(w));
            }
            blink.reset();
        })
    });
    let mut bump = bumpalo::Bump::new();
    group.bench_function("bumpalo alloc_str", |b| {
        b.iter(|| {
            for w in &words {
                black_box(bump.alloc_str(w));
            }
            bump.reset();
        })
    });
    let mut scope = bump_scope::Bump::<bump_scope::alloc::Global>::new();
    group.bench_function("bump-scope alloc_str", |b| {
        b.iter(|| {
            for w in &words {
                black_box(scope.alloc_str(w).into_mut());
            }
            scope.reset();
        })
    });
    let mut old = blink_alloc_04::Blink::new();
    group.bench_function("blink-alloc 0.4 copy_str", |b| {
        b.iter(|| {
            for w in &words {
                black_box(old.copy_str(w));
            }
            old.reset();
        })
    });
    group.bench_function("typed-arena alloc_str", |b| {
        b.iter(|| {
            let arena = typed_arena::Arena::<u8>::with_capacity(N * 8);
            for w in &words {
                black_box(arena.alloc_str(w));
            }
        })
    });
    group.finish();
}

/// Slices of `len` items, from an iterator with an exact hint and from one
/// whose hint is useless (`filter`).
fn from_iter(c: &mut Criterion) {
    for exact in [true, false] {
        let name = if exact {
            "from_iter exact"
        } else {
            "from_iter filter"
        };
        let mut group = c.benchmark_group(name);
        group.throughput(Throughput::Elements(N as u64));
        let keep = move |x: &u64| exact || *x != u64::MAX;
        let items = move || (0..N as u64).filter(keep);
        let exact_items = || (0..N as u32).map(|x| black_box(u64::from(x)));

        let mut blink = blink_alloc::Blink::new();
        group.bench_function(BenchmarkId::new("blink emplace", N), |b| {
            b.iter(|| {
                if exact {
                    black_box(blink.emplace().from_iter(exact_items()));
                } else {
                    black_box(blink.emplace().from_iter(items()));
                }
                blink.reset();
            })
        });
        let mut bump = bumpalo::Bump::new();
        group.bench_function(BenchmarkId::new("bumpalo", N), |b| {
            b.iter(|| {
                if exact {
                    black_box(bump.alloc_slice_fill_iter(exact_items()));
                } else {
                    let v = bumpalo::collections::Vec::from_iter_in(items(), &bump);
                    black_box(v.into_bump_slice());
                }
                bump.reset();
            })
        });
        let mut scope = bump_scope::Bump::<bump_scope::alloc::Global>::new();
        group.bench_function(BenchmarkId::new("bump-scope alloc_iter", N), |b| {
            b.iter(|| {
                if exact {
                    black_box(scope.alloc_iter_exact(exact_items()).into_mut());
                } else {
                    black_box(scope.alloc_iter(items()).into_mut());
                }
                scope.reset();
            })
        });
        let mut old = blink_alloc_04::Blink::new();
        group.bench_function(BenchmarkId::new("blink-alloc 0.4 emplace", N), |b| {
            b.iter(|| {
                if exact {
                    black_box(old.emplace().from_iter(exact_items()));
                } else {
                    black_box(old.emplace().from_iter(items()));
                }
                old.reset();
            })
        });
        group.bench_function(BenchmarkId::new("typed-arena alloc_extend", N), |b| {
            b.iter(|| {
                let arena = typed_arena::Arena::with_capacity(N);
                if exact {
                    black_box(arena.alloc_extend(exact_items()));
                } else {
                    black_box(arena.alloc_extend(items()));
                }
            })
        });
        group.finish();
    }
}

/// Enter a nested scope, place a few values, leave it: in a loop.
fn scope_loop(c: &mut Criterion) {
    const SCOPES: usize = 100;
    let mut group = c.benchmark_group("nested scope loop");
    group.throughput(Throughput::Elements(SCOPES as u64));
    let mut blink = blink_alloc::Blink::new();
    group.bench_function("blink scope", |b| {
        b.iter(|| {
            blink.scope(|outer| {
                outer.put(1u64);
                for i in 0..SCOPES as u64 {
                    outer.scope(|inner| {
                        for j in 0..8 {
                            black_box(inner.put(i + j));
                        }
                    });
                }
            })
        })
    });
    let mut scope = bump_scope::Bump::<bump_scope::alloc::Global>::new();
    group.bench_function("bump-scope scoped", |b| {
        b.iter(|| {
            scope.scoped(|outer| {
                outer.alloc(1u64);
                for i in 0..SCOPES as u64 {
                    outer.scoped(|inner| {
                        for j in 0..8 {
                            black_box(inner.alloc(i + j).into_mut());
                        }
                    });
                }
            })
        })
    });
    group.finish();
}

criterion_group!(benches, put_plain, put_drop, copy_str, from_iter, scope_loop);
criterion_main!(benches);
