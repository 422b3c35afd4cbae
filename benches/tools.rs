//! The everyday tools next to their peers: `blink_format!` against
//! bumpalo's `format!` and bump-scope's `bump_format!`, and `BlinkVec`
//! pushes against bump-scope's `BumpVec` and bumpalo's `collections::Vec`.
//! Each measured iteration does a batch and resets the arena, so arenas
//! stay warm and bounded. Run:
//! `cargo bench -p blink-benches --bench tools`.

use std::hint::black_box;

use blink_alloc::{blink_format, Blink};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

/// Strings formatted, or vectors built, per iteration.
const N: usize = 1_000;
/// Values pushed per vector.
const PUSHES: usize = 1_000;

fn format(c: &mut Criterion) {
    let mut group = c.benchmark_group("format");
    group.throughput(Throughput::Elements(N as u64));
    let mut blink = Blink::new();
    group.bench_function("blink blink_format!", |b| {
        b.iter(|| {
            for i in 0..N {
                black_box(blink_format!(in &blink, "item {} of {}: {:x}", i, N, i * 31));
            }
            blink.reset();
        })
    });
    let mut bump = bumpalo::Bump::new();
    group.bench_function("bumpalo format!", |b| {
        b.iter(|| {
            for i in 0..N {
                let text = bumpalo::format!(in &bump, "item {} of {}: {:x}", i, N, i * 31);
                black_box(text.into_bump_str());
            }
            bump.reset();
        })
    });
    let mut scope = bump_scope::Bump::<bump_scope::alloc::Global>::new();
    group.bench_function("bump-scope bump_format!", |b| {
        b.iter(|| {
            for i in 0..N {
                let text = bump_scope::bump_format!(in &scope, "item {} of {}: {:x}", i, N, i * 31);
                black_box(text.into_str());
            }
            scope.reset();
        })
    });
    group.finish();
}

fn vec_push(c: &mut Criterion) {
    let mut group = c.benchmark_group("vec push u64");
    group.throughput(Throughput::Elements(PUSHES as u64));
    let mut blink = Blink::new();
    group.bench_function("blink BlinkVec", |b| {
        b.iter(|| {
            let mut values = blink.vec();
            for i in 0..PUSHES as u64 {
                values.push(black_box(i));
            }
            black_box(values.into_slice());
            blink.reset();
        })
    });
    let mut scope = bump_scope::Bump::<bump_scope::alloc::Global>::new();
    group.bench_function("bump-scope BumpVec", |b| {
        b.iter(|| {
            let mut values = bump_scope::BumpVec::new_in(&scope);
            for i in 0..PUSHES as u64 {
                values.push(black_box(i));
            }
            black_box(values.into_slice());
            scope.reset();
        })
    });
    let mut bump = bumpalo::Bump::new();
    group.bench_function("bumpalo collections::Vec", |b| {
        b.iter(|| {
            let mut values = bumpalo::collections::Vec::new_in(&bump);
            for i in 0..PUSHES as u64 {
                values.push(black_box(i));
            }
            black_box(values.into_bump_slice_mut());
            bump.reset();
        })
    });
    group.finish();
}

fn string_push(c: &mut Criterion) {
    let mut group = c.benchmark_group("string push_str");
    group.throughput(Throughput::Elements(PUSHES as u64));
    let mut blink = Blink::new();
    group.bench_function("blink BlinkString", |b| {
        b.iter(|| {
            let mut text = blink.string();
            for _ in 0..PUSHES {
                text.push_str(black_box("word "));
            }
            black_box(text.into_str());
            blink.reset();
        })
    });
    let mut scope = bump_scope::Bump::<bump_scope::alloc::Global>::new();
    group.bench_function("bump-scope BumpString", |b| {
        b.iter(|| {
            let mut text = bump_scope::BumpString::new_in(&scope);
            for _ in 0..PUSHES {
                text.push_str(black_box("word "));
            }
            black_box(text.into_str());
            scope.reset();
        })
    });
    let mut bump = bumpalo::Bump::new();
    group.bench_function("bumpalo collections::String", |b| {
        b.iter(|| {
            let mut text = bumpalo::collections::String::new_in(&bump);
            for _ in 0..PUSHES {
                text.push_str(black_box("word "));
            }
            black_box(text.into_bump_str());
            bump.reset();
        })
    });
    group.finish();
}

criterion_group!(benches, format, vec_push, string_push);
criterion_main!(benches);
