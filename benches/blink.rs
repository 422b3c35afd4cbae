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

/// `Blink::emplace_no_drop().from_iter` of `(0..100).filter(x % 3 != 0)`
/// (67 items, a hint of `(0, Some(100))`), `CALLS` calls, then a reset.
fn from_iter_filter_100(c: &mut Criterion) {
    const CALLS: usize = 100;
    let mut group = c.benchmark_group("from_iter filter 100");
    group.throughput(Throughput::Elements(CALLS as u64));
    let items = || (0..black_box(100u64)).filter(|x| x % 3 != 0);
    let mut blink = blink_alloc::Blink::new();
    group.bench_function("blink emplace_no_drop", |b| {
        b.iter(|| {
            for _ in 0..CALLS {
                black_box(blink.emplace_no_drop().from_iter(items()));
            }
            blink.reset();
        })
    });
    let mut bump = bumpalo::Bump::new();
    group.bench_function("bumpalo Vec::from_iter_in", |b| {
        b.iter(|| {
            for _ in 0..CALLS {
                let v = bumpalo::collections::Vec::from_iter_in(items(), &bump);
                black_box(v.into_bump_slice());
            }
            bump.reset();
        })
    });
    let mut scope = bump_scope::Bump::<bump_scope::alloc::Global>::new();
    group.bench_function("bump-scope alloc_iter", |b| {
        b.iter(|| {
            for _ in 0..CALLS {
                black_box(scope.alloc_iter(items()).into_mut());
            }
            scope.reset();
        })
    });
    let mut old = blink_alloc_04::Blink::new();
    group.bench_function("blink-alloc 0.4 emplace_no_drop", |b| {
        b.iter(|| {
            for _ in 0..CALLS {
                black_box(old.emplace_no_drop().from_iter(items()));
            }
            old.reset();
        })
    });
    group.finish();
}

/// `String`s placed with drop, dropped by the reset (or by the boxes'
/// drops, or the arena's, for the peers that drop that way).
fn put_string(c: &mut Criterion) {
    let mut group = c.benchmark_group("put String, dropped at reset");
    group.throughput(Throughput::Elements(N as u64));
    let string = |i: usize| {
        let mut text = String::with_capacity(8);
        text.push(char::from(b'a' + (i % 26) as u8));
        text
    };
    let mut blink = blink_alloc::Blink::new();
    group.bench_function("blink put", |b| {
        b.iter(|| {
            for i in 0..N {
                black_box(blink.put(string(i)));
            }
            blink.reset();
        })
    });
    let mut bump = bumpalo::Bump::new();
    group.bench_function("bumpalo boxed::Box", |b| {
        b.iter(|| {
            let mut boxes = Vec::with_capacity(N);
            for i in 0..N {
                boxes.push(bumpalo::boxed::Box::new_in(string(i), &bump));
            }
            drop(boxes);
            bump.reset();
        })
    });
    let mut scope = bump_scope::Bump::<bump_scope::alloc::Global>::new();
    group.bench_function("bump-scope BumpBox", |b| {
        b.iter(|| {
            let mut boxes = Vec::with_capacity(N);
            for i in 0..N {
                boxes.push(scope.alloc(string(i)));
            }
            drop(boxes);
            scope.reset();
        })
    });
    let mut old = blink_alloc_04::Blink::new();
    group.bench_function("blink-alloc 0.4 put", |b| {
        b.iter(|| {
            for i in 0..N {
                black_box(old.put(string(i)));
            }
            old.reset();
        })
    });
    group.bench_function("typed-arena alloc", |b| {
        b.iter(|| {
            let arena = typed_arena::Arena::with_capacity(N);
            for i in 0..N {
                black_box(arena.alloc(string(i)));
            }
        })
    });
    group.finish();
}

/// A binary-trees node (the Benchmarks Game's program, its nodes in an arena).
struct Tree<'a> {
    children: Option<(&'a Tree<'a>, &'a Tree<'a>)>,
}

fn check(tree: &Tree<'_>) -> u32 {
    match tree.children {
        Some((left, right)) => 1 + check(left) + check(right),
        None => 1,
    }
}

/// binary-trees' depth in criterion: 12, about 4 ms a run (the callgrind
/// row runs depth 16, about 40 times the work). With the group's own
/// warm-up and measurement times the group takes about 8 s.
const TREE_DEPTH: u32 = 12;
const MIN_DEPTH: u32 = 4;

/// An arena the binary-trees program can place its nodes in.
trait TreeArena {
    fn new() -> Self;
    /// Places a node that is never dropped.
    fn node<'a>(&'a self, tree: Tree<'a>) -> &'a Tree<'a>;
    fn reset(&mut self);
}

impl TreeArena for blink_alloc::Blink {
    fn new() -> Self {
        blink_alloc::Blink::new()
    }
    #[inline(always)]
    fn node<'a>(&'a self, tree: Tree<'a>) -> &'a Tree<'a> {
        self.put_no_drop(tree)
    }
    fn reset(&mut self) {
        blink_alloc::Blink::reset(self)
    }
}

impl TreeArena for bumpalo::Bump {
    fn new() -> Self {
        bumpalo::Bump::new()
    }
    #[inline(always)]
    fn node<'a>(&'a self, tree: Tree<'a>) -> &'a Tree<'a> {
        self.alloc(tree)
    }
    fn reset(&mut self) {
        bumpalo::Bump::reset(self)
    }
}

impl TreeArena for bump_scope::Bump {
    fn new() -> Self {
        bump_scope::Bump::new()
    }
    #[inline(always)]
    fn node<'a>(&'a self, tree: Tree<'a>) -> &'a Tree<'a> {
        bump_scope::BumpBox::leak(self.alloc(tree))
    }
    fn reset(&mut self) {
        bump_scope::Bump::reset(self)
    }
}

impl TreeArena for blink_alloc_04::Blink {
    fn new() -> Self {
        blink_alloc_04::Blink::new()
    }
    #[inline(always)]
    fn node<'a>(&'a self, tree: Tree<'a>) -> &'a Tree<'a> {
        self.put_no_drop(tree)
    }
    fn reset(&mut self) {
        blink_alloc_04::Blink::reset(self)
    }
}

fn bottom_up<A: TreeArena>(arena: &A, depth: u32) -> &Tree<'_> {
    let children = if depth > 0 {
        Some((bottom_up(arena, depth - 1), bottom_up(arena, depth - 1)))
    } else {
        None
    };
    arena.node(Tree { children })
}

/// The Benchmarks Game's schedule: a stretch tree, a long-lived tree, and
/// for each depth from `MIN_DEPTH` up by two, `2^(max - depth + MIN_DEPTH)`
/// trees, each checked and then freed by a reset.
fn run_binary_trees<A: TreeArena>(max_depth: u32) -> u32 {
    let mut arena = A::new();
    let mut total = check(bottom_up(&arena, max_depth + 1));
    arena.reset();
    let long_lived_arena = A::new();
    let long_lived = bottom_up(&long_lived_arena, max_depth);
    let mut depth = MIN_DEPTH;
    while depth <= max_depth {
        for _ in 0..1u32 << (max_depth - depth + MIN_DEPTH) {
            total += check(bottom_up(&arena, depth));
            arena.reset();
        }
        depth += 2;
    }
    total + check(long_lived)
}

fn binary_trees(c: &mut Criterion) {
    let mut group = c.benchmark_group("binary-trees");
    group
        .sample_size(10)
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_millis(1500));
    group.bench_function(BenchmarkId::new("blink put_no_drop", TREE_DEPTH), |b| {
        b.iter(|| run_binary_trees::<blink_alloc::Blink>(black_box(TREE_DEPTH)))
    });
    group.bench_function(BenchmarkId::new("bumpalo alloc", TREE_DEPTH), |b| {
        b.iter(|| run_binary_trees::<bumpalo::Bump>(black_box(TREE_DEPTH)))
    });
    group.bench_function(BenchmarkId::new("bump-scope alloc", TREE_DEPTH), |b| {
        b.iter(|| run_binary_trees::<bump_scope::Bump>(black_box(TREE_DEPTH)))
    });
    group.bench_function(
        BenchmarkId::new("blink-alloc 0.4 put_no_drop", TREE_DEPTH),
        |b| b.iter(|| run_binary_trees::<blink_alloc_04::Blink>(black_box(TREE_DEPTH))),
    );
    group.finish();
}

criterion_group!(
    benches,
    put_plain,
    put_drop,
    put_string,
    copy_str,
    from_iter,
    from_iter_filter_100,
    scope_loop,
    binary_trees
);
criterion_main!(benches);
