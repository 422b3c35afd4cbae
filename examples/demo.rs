//! A request handler in a frame loop, with every allocation counted.
//!
//! Each frame handles one request: threads lower-case its words into a
//! `SyncBlinkAlloc`; a `blink_scope!` frame indexes them and promotes only
//! the top hits (`#[derive(BlinkPut)]`) into a request scope of a long-lived
//! `Blink`, which also holds `Rc` tags (values with drop) and opens a nested
//! scope to render the response. The same work runs on the global allocator
//! (`String`, `Vec`, `HashMap`); both must render the same bytes. A counting
//! `#[global_allocator]` sees every allocation, the arenas' chunks included;
//! those made to spawn threads are counted apart. Times include the counting.
//!
//! Run: `cargo run --release --example demo`

use std::{
    alloc::{GlobalAlloc, Layout, System},
    cell::Cell,
    cmp::Reverse,
    hint::black_box,
    io::Write as _,
    rc::Rc,
    sync::atomic::{AtomicU64, Ordering::Relaxed},
    time::Instant,
};

use allocator_api2::vec::Vec as AVec;
use blink_alloc::{blink_scope, Blink, BlinkPut, Stats, SyncBlinkAlloc};
use hashbrown::HashMap;

static ALLOCS: AtomicU64 = AtomicU64::new(0);
static BYTES: AtomicU64 = AtomicU64::new(0);
/// Allocations made to spawn and join threads, not by their work.
static SPAWN_ALLOCS: AtomicU64 = AtomicU64::new(0);
std::thread_local! {
    /// Allocations made by this thread.
    static MINE: Cell<u64> = const { Cell::new(0) };
}

/// `System`, counting every allocation and reallocation, in every thread.
struct Counting;

fn count(bytes: usize) {
    ALLOCS.fetch_add(1, Relaxed);
    BYTES.fetch_add(bytes as u64, Relaxed);
    let _ = MINE.try_with(|n| n.set(n.get() + 1));
}

// SAFETY: every call goes to `System` unchanged; counting allocates nothing.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        // SAFETY: forwarded from the caller.
        unsafe { System.alloc(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size);
        // SAFETY: forwarded from the caller.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded from the caller.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// The lines requests are made of, `WORDS` words each.
const TEXT: [&str; 8] = [
    "The quick brown Fox jumps over the Dog",
    "an Arena hands out memory with a cursor",
    "and a Reset frees the frame at once",
    "the Dog sleeps while the Fox counts frames",
    "every Request splits words and ranks the hits",
    "a Scope rewinds the arena when it closes",
    "threads share one Arena through their own blocks",
    "the heap frees each String and Vec alone",
];
const WORDS: usize = 8;
const LINES: usize = if cfg!(miri) { 16 } else { 256 };
const TOP: usize = 5;
const THREADS: usize = 2;
const BATCH: usize = if cfg!(miri) { TEXT.len() } else { 100 };
const BATCHES: usize = if cfg!(miri) { 1 } else { 20 };
const FRAMES: usize = BATCH * BATCHES;

/// Line `i` of request `frame`.
fn line(frame: usize, i: usize) -> &'static str {
    TEXT[(frame * 3 + i * 5) % TEXT.len()]
}

/// Runs `work(t)` on `THREADS` scoped threads; what spawning and joining
/// them allocates goes to `SPAWN_ALLOCS`.
fn on_threads<R: Send>(work: impl Fn(usize) -> R + Sync) -> [R; THREADS] {
    let (before, mine) = (ALLOCS.load(Relaxed), || MINE.with(Cell::get));
    let results = std::thread::scope(|s| {
        let work = &work;
        let spawn = |t| s.spawn(move || (mine(), work(t), mine()));
        std::array::from_fn(spawn).map(|thread| thread.join().unwrap())
    });
    let in_work: u64 = results.iter().map(|(start, _, end)| end - start).sum();
    SPAWN_ALLOCS.fetch_add(ALLOCS.load(Relaxed) - before - in_work, Relaxed);
    results.map(|(_, result, _)| result)
}

/// A search hit; the derive deep-copies it from one arena into another.
#[derive(BlinkPut)]
struct Hit<'a> {
    word: &'a str,
    lines: &'a [u32],
}

/// The arena path's long-lived arenas, and the stats of the frame arena,
/// the program and the shared arena at their peak in the last frame.
#[derive(Default)]
struct Arenas(Blink, SyncBlinkAlloc, [Stats; 3]);

fn arena_frame(arenas: &mut Arenas, frame: usize, tags: &[Rc<str>]) -> u64 {
    let Arenas(program, shared, held) = arenas;
    let arena = &*shared;
    let words = on_threads(|t| {
        // Reserved: in a shared arena, other threads' blocks land after it.
        let mut words = AVec::with_capacity_in(LINES / THREADS * WORDS, arena);
        for i in (t..LINES).step_by(THREADS) {
            for word in line(frame, i).split(' ') {
                let mut lower = AVec::with_capacity_in(word.len(), arena);
                lower.extend(word.bytes().map(|b| b.to_ascii_lowercase()));
                words.push((i as u32, std::str::from_utf8(lower.leak()).unwrap()));
            }
        }
        words
    });
    let sum = program.scope(|request| {
        let top: &[Hit] = blink_scope!(|scratch| {
            let alloc = scratch.allocator();
            let mut index = HashMap::new_in(alloc);
            for &(i, word) in words.iter().flatten() {
                let lines = index.entry(word).or_insert_with(|| AVec::new_in(alloc));
                lines.push(i);
            }
            let mut hits = AVec::new_in(alloc);
            hits.extend(index.iter().map(|(&word, lines)| Hit { word, lines }));
            hits.sort_unstable_by_key(|h| (Reverse(h.lines.len()), h.word));
            held[0] = alloc.stats();
            request.copy_deep(&&hits[..TOP]) // `put_in` for a scope
        });
        let tag = |r| Rc::clone(&tags[r % tags.len()]);
        let tagged = request.emplace().from_iter((0..TOP).map(tag));
        let before = request.allocator().stats().used_bytes;
        let sum = request.scope(|render| {
            let mut out = AVec::new_in(render.allocator());
            for (hit, tag) in top.iter().zip(&*tagged) {
                writeln!(out, "{tag} {} {:?}", hit.word, hit.lines).unwrap();
            }
            held[1] = render.allocator().stats();
            fnv(&out)
        });
        assert_eq!(request.allocator().stats().used_bytes, before);
        sum
    });
    // The scopes rewound the program arena and dropped the tags.
    assert_eq!(program.allocator().stats().used_bytes, 0);
    assert!(tags.iter().all(|t| Rc::strong_count(t) == 1));
    held[2] = shared.stats();
    drop(words);
    shared.reset();
    sum
}

fn heap_frame(frame: usize, tags: &[Rc<str>]) -> u64 {
    let words = on_threads(|t| {
        let mut words = Vec::with_capacity(LINES / THREADS * WORDS);
        for i in (t..LINES).step_by(THREADS) {
            for word in line(frame, i).split(' ') {
                words.push((i as u32, word.to_ascii_lowercase()));
            }
        }
        words
    });
    let mut index = HashMap::new();
    for (i, word) in words.iter().flatten() {
        index.entry(word.as_str()).or_insert_with(Vec::new).push(*i);
    }
    let mut hits: Vec<(&str, Vec<u32>)> = index.into_iter().collect();
    hits.sort_unstable_by_key(|(word, lines)| (Reverse(lines.len()), *word));
    let tag = |r| Rc::clone(&tags[r % tags.len()]);
    let tagged: Vec<Rc<str>> = (0..TOP).map(tag).collect();
    let mut out = Vec::new();
    for ((word, lines), tag) in hits[..TOP].iter().zip(&tagged) {
        writeln!(out, "{tag} {word} {lines:?}").unwrap();
    }
    fnv(&out)
}

fn fnv(bytes: &[u8]) -> u64 {
    let step = |h: u64, &b: &u8| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, step)
}

/// Runs both paths over the same frames, in alternating batches so that
/// the load of the machine falls on both alike; the first batch warms up.
/// Per path: time, allocations, those made to spawn threads and bytes
/// allocated per frame after warm-up; and a checksum of every frame.
fn measure(mut paths: [&mut dyn FnMut(usize) -> u64; 2]) -> [([f64; 4], u64); 2] {
    let start = Instant::now();
    let counters = || {
        let [a, s, b] = [&ALLOCS, &SPAWN_ALLOCS, &BYTES].map(|c| c.load(Relaxed) as f64);
        [start.elapsed().as_secs_f64() * 1e6, a, s, b]
    };
    let mut results = [([0.0; 4], 0); 2];
    for batch in 0..=BATCHES {
        for (path, (totals, sum)) in paths.iter_mut().zip(&mut results) {
            let before = counters();
            for f in batch * BATCH..(batch + 1) * BATCH {
                *sum ^= black_box(path(f)).rotate_left(f as u32);
            }
            let after = counters();
            if batch > 0 {
                *totals = std::array::from_fn(|i| totals[i] + after[i] - before[i]);
            }
        }
    }
    results.map(|(totals, sum)| (totals.map(|n| n / FRAMES as f64), sum))
}

fn main() {
    assert!(TEXT.iter().all(|line| line.split(' ').count() == WORDS));
    let tags: Vec<Rc<str>> = ["hot", "warm", "cool"].map(Rc::from).into();
    let mut arenas = Arenas::default();
    let arena_path = &mut |f| arena_frame(&mut arenas, f, &tags);
    let heap_path = &mut |f| heap_frame(f, &tags);
    let [(arena, arena_sum), (heap, heap_sum)] = measure([arena_path, heap_path]);
    assert_eq!(arena_sum, heap_sum, "both paths render the same bytes");
    assert_eq!(arena[1], arena[2], "the arena path allocates only to spawn");

    println!("{FRAMES} frames after {BATCH} to warm up; checksum {arena_sum:016x} on both paths");
    let row = |name, a: f64, h: f64, p| println!("{name:<24}{a:>12.p$}{h:>14.p$}");
    println!("{:<24}{:>12}{:>14}", "per frame", "arenas", "global heap");
    let names = ["time (us)", "allocations", "  to spawn threads", "bytes"];
    for (i, name) in names.iter().enumerate() {
        row(name, arena[i], heap[i], usize::from(i == 0));
    }
    println!("{:<24}{:>12}{:>14}", "arena, last frame", "held", "used");
    let names = ["blink_scope! frame", "program Blink", "SyncBlinkAlloc"];
    for (name, stats) in names.iter().zip(arenas.2) {
        row(name, stats.capacity as f64, stats.used_bytes as f64, 0);
    }
}
