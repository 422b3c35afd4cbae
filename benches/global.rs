//! Global allocators on a real frame of work (see `global_frame.rs`): the
//! system allocator, mimalloc, and `GlobalBlinkAlloc` in blink mode, timed.
//! `global_callgrind.rs` counts the instructions of the same frame.

use criterion::{criterion_group, criterion_main, Criterion};

#[path = "global_frame.rs"]
mod global_frame;

use global_frame::{blink_frame, frame, routed, MIMALLOC, SYSTEM};

fn global_frame(c: &mut Criterion) {
    let expected = frame(1);
    assert_eq!(routed(MIMALLOC, 1), expected);
    assert_eq!(blink_frame(1), expected);

    let mut group = c.benchmark_group("global_frame");
    group.bench_function("system", |b| b.iter(|| routed(SYSTEM, 1)));
    group.bench_function("mimalloc", |b| b.iter(|| routed(MIMALLOC, 1)));
    group.bench_function("blink", |b| b.iter(|| blink_frame(1)));
    group.finish();
}

criterion_group!(benches, global_frame);
criterion_main!(benches);
