//! Instructions per frame of `global_frame.rs`'s frame of work, counted by
//! callgrind through gungraun, with the system allocator, mimalloc and
//! `GlobalBlinkAlloc` in blink mode (its `blink_mode` and the resetting
//! `direct_mode` included). A bench of its own because it installs its own
//! `#[global_allocator]`.
//!
//! Each benchmark warms its allocator with `WARM_FRAMES` frames, then
//! `entry_frames` runs `FRAMES` frames; callgrind counts only that function
//! and its callees, and `scripts/bench_report.py` divides by `FRAMES`. Run
//! with `cargo bench -p blink-benches --bench global_callgrind`, or
//! `scripts/bench-report.sh --callgrind-table` for the table.

use std::hint::black_box;

use gungraun::{main, Callgrind, EntryPoint, LibraryBenchmarkConfig};

#[path = "global_frame.rs"]
mod global_frame;

use global_frame::{blink_frame, frame, routed, MIMALLOC, SYSTEM};

/// Frames counted per benchmark; `scripts/bench_report.py` divides by it.
const FRAMES: usize = 10;
/// Frames run before counting, so that every allocator is warm.
const WARM_FRAMES: usize = 3;

/// Counts events in `entry_frames` and its callees only.
fn config() -> LibraryBenchmarkConfig {
    let mut config = LibraryBenchmarkConfig::default();
    config.tool(
        Callgrind::with_args(["branch-sim=yes"])
            .entry_point(EntryPoint::Custom("*::entry_frames".to_owned()))
            .clone(),
    );
    config
}

/// Runs `FRAMES` frames through `run`; the counted function.
#[inline(never)]
fn entry_frames(run: fn(usize) -> usize, frames: usize) -> usize {
    (0..frames).map(|seed| run(black_box(seed + 1))).sum()
}

/// Warms `run`, checks it against a frame of the system allocator, then
/// runs the counted frames.
fn measure(run: fn(usize) -> usize) -> usize {
    for seed in 0..WARM_FRAMES {
        assert_eq!(run(seed + 1), frame(seed + 1));
    }
    let f = black_box(entry_frames as fn(fn(usize) -> usize, usize) -> usize);
    black_box(f(black_box(run), black_box(FRAMES)))
}

/// One allocator's benchmark: a module with its `global_frame` and group.
macro_rules! global_bench {
    ($module:ident, $run:expr) => {
        mod $module {
            use gungraun::{library_benchmark, library_benchmark_group};

            #[library_benchmark(config = crate::config())]
            fn global_frame() -> usize {
                crate::measure($run)
            }

            library_benchmark_group!(name = group; benchmarks = global_frame);
        }
    };
}

global_bench!(system, |seed| crate::routed(crate::SYSTEM, seed));
global_bench!(mimalloc, |seed| crate::routed(crate::MIMALLOC, seed));
global_bench!(blink, crate::blink_frame);

use self::{
    blink::group as global_blink, mimalloc::group as global_mimalloc,
    system::group as global_system,
};

main!(
    library_benchmark_groups = global_system,
    global_mimalloc,
    global_blink
);
