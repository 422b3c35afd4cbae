//! Misuses of the arenas that AddressSanitizer must report, and a control.
//!
//! Run by `scripts/asan-check.sh`, built with `-Zsanitizer=address`:
//! `blink-asan-check <scenario>`. Each bad scenario reads, through a raw
//! pointer, a byte that the arena no longer (or never) handed out. The chunk
//! it lies in is still allocated, so the read is of live memory and
//! returns stale bytes silently in a normal build; under ASan the arena has
//! poisoned those bytes, and the read is reported (`use-after-poison`). The
//! control scenario does only valid accesses and must exit 0.

use std::{alloc::Layout, hint::black_box, process::ExitCode, ptr};

use blink_alloc::{Blink, BlinkAlloc, SyncBlinkAlloc};

const SCENARIOS: &[(&str, fn())] = &[
    ("control", control),
    ("after-reset", after_reset),
    ("after-scope", after_scope),
    ("past-end", past_end),
    ("sync-after-reset", sync_after_reset),
];

fn main() -> ExitCode {
    let arg = std::env::args().nth(1).unwrap_or_default();
    match SCENARIOS.iter().find(|(name, _)| *name == arg) {
        Some((_, run)) => {
            run();
            println!("{arg}: done, nothing reported");
            ExitCode::SUCCESS
        }
        None => {
            let names: Vec<_> = SCENARIOS.iter().map(|(name, _)| *name).collect();
            eprintln!("usage: blink-asan-check <{}>", names.join("|"));
            ExitCode::from(2)
        }
    }
}

/// Reads the byte at `at`, in a way the optimiser keeps.
///
/// # Safety
///
/// `at` must point into memory that is still allocated.
unsafe fn read(at: *const u8) -> u8 {
    // SAFETY: forwarded from the caller.
    black_box(unsafe { ptr::read_volatile(at) })
}

/// Fills a block, reads it back: what every scenario does with its blocks
/// while they are live.
fn fill(block: ptr::NonNull<[u8]>, byte: u8) -> *const u8 {
    let start = block.cast::<u8>().as_ptr();
    for i in 0..block.len() {
        // SAFETY: `i` is inside the live block.
        unsafe { start.add(i).write(byte) };
        // SAFETY: as above.
        assert_eq!(unsafe { read(start.add(i)) }, byte);
    }
    start
}

/// Only valid accesses: every byte of every block, at odd sizes and
/// alignments, across growth, shrinking, freeing, scopes, resets and
/// threads.
fn control() {
    let mut arena = BlinkAlloc::new();
    for round in 0..3u8 {
        let mut blocks = Vec::new();
        for size in 1..64 {
            for align in [1, 2, 8, 16] {
                let layout = Layout::from_size_align(size, align).unwrap();
                let block = arena.allocate(layout).unwrap();
                blocks.push((fill(block, round), size));
            }
        }
        // Grow the last block in place and by moving, then shrink it.
        let layout = Layout::from_size_align(5, 1).unwrap();
        let small = arena.allocate(layout).unwrap().cast::<u8>();
        // SAFETY: the last block, allocated with `layout`.
        let grown = unsafe { arena.resize(small, layout, Layout::new::<[u8; 13]>()) }.unwrap();
        fill(grown, 7);
        let other = arena.allocate(Layout::new::<[u8; 3]>()).unwrap();
        fill(other, 8);
        // SAFETY: `grown` is live with 13 bytes; no longer the last block, it moves.
        let moved = unsafe {
            arena.resize(
                grown.cast(),
                Layout::new::<[u8; 13]>(),
                Layout::new::<[u8; 9000]>(),
            )
        }
        .unwrap();
        fill(moved, 9);
        // SAFETY: `moved` is the last block, live with 9000 bytes.
        let shrunk = unsafe {
            arena.resize(
                moved.cast(),
                Layout::new::<[u8; 9000]>(),
                Layout::new::<[u8; 3]>(),
            )
        }
        .unwrap();
        fill(shrunk, 10);
        // SAFETY: the last block, 3 bytes, not used again.
        unsafe { arena.deallocate(shrunk.cast(), 3) };
        for &(start, size) in &blocks {
            for i in 0..size {
                // SAFETY: every block is live until the reset.
                assert_eq!(unsafe { read(start.add(i)) }, round);
            }
        }
        arena.reset();
    }

    let mut blink = Blink::new();
    let outer = blink.put(vec![1u8; 3]);
    outer.push(4);
    blink.scope(|scope| {
        let text = scope.copy_str("odd-length text");
        scope.scope(|inner| {
            let more = inner.put_no_drop([5u8; 7]);
            assert_eq!(more.iter().map(|&b| usize::from(b)).sum::<usize>(), 35);
        });
        assert_eq!(text.len(), 15);
    });
    assert_eq!(blink.put(2u64), &2);
    blink.reset();

    let mut shared = SyncBlinkAlloc::new();
    for _ in 0..2 {
        std::thread::scope(|threads| {
            for t in 0..4u8 {
                let shared = &shared;
                threads.spawn(move || {
                    for size in 1..200 {
                        let layout = Layout::from_size_align(size, 1).unwrap();
                        let block = shared.allocate(layout).unwrap();
                        fill(block, t);
                        if size % 3 == 0 {
                            // SAFETY: a live block of `size` bytes, not used again.
                            unsafe { shared.deallocate(block.cast(), size) };
                        }
                    }
                    let big = shared.allocate(Layout::new::<[u8; 100_000]>()).unwrap();
                    fill(big, t);
                    let local = shared.local();
                    fill(local.allocate(Layout::new::<[u8; 5]>()).unwrap(), t);
                });
            }
        });
        shared.reset();
    }
}

/// A block read after `BlinkAlloc::reset`.
fn after_reset() {
    let mut arena = BlinkAlloc::new();
    let block = arena.allocate(Layout::new::<u64>()).unwrap();
    let kept = fill(block, 1);
    arena.reset();
    // SAFETY: the reset kept the arena's only chunk: the memory is still
    // allocated, though the block is gone.
    unsafe { read(kept) };
}

/// A value read after the `Blink::scope` that placed it closed.
fn after_scope() {
    let mut blink = Blink::new();
    blink.put(1u32);
    let kept = blink.scope(|scope| ptr::from_ref(scope.put(7u64)).cast::<u8>());
    // SAFETY: closing the scope rewound the arena but kept its chunk: the
    // memory is still allocated, though the value is gone.
    unsafe { read(kept) };
}

/// One byte past the end of the last block, in the chunk's free space. The
/// block has an odd size and starts right after another odd-sized one, so
/// its end is in the middle of a granule.
fn past_end() {
    let arena = BlinkAlloc::new();
    fill(arena.allocate(Layout::new::<[u8; 3]>()).unwrap(), 1);
    let block = arena.allocate(Layout::new::<[u8; 6]>()).unwrap();
    let start = fill(block, 2);
    // SAFETY: the chunk's free space follows the block: still allocated.
    unsafe { read(start.add(6)) };
}

/// A block of the shared arena read after `SyncBlinkAlloc::reset`.
fn sync_after_reset() {
    let mut shared = SyncBlinkAlloc::new();
    let block = shared.allocate(Layout::new::<[u8; 24]>()).unwrap();
    let kept = fill(block, 3);
    shared.reset();
    // SAFETY: the reset kept the arena's only chunk: the memory is still
    // allocated, though the block is gone.
    unsafe { read(kept) };
}
