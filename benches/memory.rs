//! Peak memory over warm reset cycles: how many bytes each arena holds from
//! the system at its peak, against the bytes the work asks for.
//!
//! Each contender runs cycles of `n` blocks of mixed sizes (1-97 bytes) and
//! alignments (1-8), each cycle ended by a reset. The peak of live bytes
//! (counted by this binary's global allocator, which all the arenas' chunks
//! come from) is divided by the bytes one cycle asks for, over the cycles
//! after warm-up (`warm`) and over all of them (`from cold`): 1.00x would
//! hold exactly the work; chunk headers, padding and spare room are over it.
//!
//! Prints a Markdown table; `scripts/bench-report.sh` puts it in
//! `BENCHMARKS.md`. Run with `cargo bench -p blink-benches --bench memory`.

use std::{
    alloc::{GlobalAlloc, Layout, System},
    hint::black_box,
    sync::atomic::{AtomicUsize, Ordering::Relaxed},
};

use allocator_api2::alloc::Allocator;

/// The system allocator, counting live bytes and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(bytes: usize) {
    let live = LIVE.fetch_add(bytes, Relaxed) + bytes;
    PEAK.fetch_max(live, Relaxed);
}

// SAFETY: every call is forwarded to `System` unchanged; the counters do not
// touch the blocks.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        // SAFETY: forwarded from the caller.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        // SAFETY: forwarded from the caller.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Relaxed);
        // SAFETY: forwarded from the caller.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_sub(layout.size(), Relaxed);
        grew(new_size);
        // SAFETY: forwarded from the caller.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Cycles run before the peak is taken, and cycles it is taken over.
const WARM_CYCLES: usize = 3;
const MEASURED_CYCLES: usize = 5;

/// `n` layouts, sizes 1-97 and alignments 1-8, from a fixed LCG.
fn mixed_layouts(n: usize) -> Vec<Layout> {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    (0..n)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let bits = state >> 33;
            let size = 1 + (bits % 97) as usize;
            let align = 1 << ((bits >> 8) % 4);
            Layout::from_size_align(size, align).unwrap()
        })
        .collect()
}

/// Runs the cycles on an arena made by `new`, allocating with `alloc` and
/// resetting with `reset`; returns the peak of bytes held over all cycles
/// (from cold) and over the measured ones (warm).
fn peak_bytes<T>(
    layouts: &[Layout],
    new: impl FnOnce() -> T,
    alloc: impl Fn(&T, Layout),
    reset: impl Fn(&mut T),
) -> (usize, usize) {
    let before = LIVE.load(Relaxed);
    PEAK.store(before, Relaxed);
    let mut arena = new();
    let mut cold = 0;
    for cycle in 0..WARM_CYCLES + MEASURED_CYCLES {
        if cycle == WARM_CYCLES {
            cold = PEAK.load(Relaxed);
            PEAK.store(LIVE.load(Relaxed), Relaxed);
        }
        for &layout in layouts {
            alloc(&arena, layout);
        }
        reset(&mut arena);
    }
    let warm = PEAK.load(Relaxed);
    drop(arena);
    (cold.max(warm) - before, warm - before)
}

fn allocate(alloc: impl Allocator, layout: Layout) {
    black_box(alloc.allocate(layout).unwrap());
}

fn main() {
    // `cargo bench` passes `--bench`; there is nothing to filter.
    let mut rows = Vec::new();
    for n in [10_000, 1_000_000] {
        let layouts = mixed_layouts(n);
        let asked: usize = layouts.iter().map(Layout::size).sum();
        let peaks = [
            peak_bytes(
                &layouts,
                blink_alloc::BlinkAlloc::new,
                |a, l| allocate(a, l),
                |a| a.reset(),
            ),
            peak_bytes(
                &layouts,
                blink_alloc::SyncBlinkAlloc::new,
                |a, l| allocate(a, l),
                |a| a.reset(),
            ),
            peak_bytes(
                &layouts,
                bump_scope::Bump::<allocator_api2::alloc::Global>::new,
                |a, l| allocate(a, l),
                |a| a.reset(),
            ),
            peak_bytes(
                &layouts,
                bumpalo::Bump::new,
                |a, l| {
                    black_box(a.alloc_layout(l));
                },
                |a| a.reset(),
            ),
            peak_bytes(
                &layouts,
                blink_alloc_04::BlinkAlloc::new,
                |a, l| {
                    black_box(allocator_api2_04::alloc::Allocator::allocate(a, l).unwrap());
                },
                |a| a.reset(),
            ),
        ];
        rows.push((n, asked, peaks));
    }
    println!("| blocks per cycle | bytes asked per cycle | peak | blink | blink-sync | bump-scope | bumpalo | blink-alloc-0.4 |");
    println!("|---:|---:|---|---:|---:|---:|---:|---:|");
    for (n, asked, peaks) in rows {
        for (label, pick) in [("warm", 1), ("from cold", 0)] {
            let cells: Vec<String> = peaks
                .iter()
                .map(|&(cold, warm)| {
                    let peak = if pick == 0 { cold } else { warm };
                    format!("{:.2}x", peak as f64 / asked as f64)
                })
                .collect();
            println!("| {n} | {asked} | {label} | {} |", cells.join(" | "));
        }
    }
}
