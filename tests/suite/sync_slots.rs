//! The per-thread blocks of `SyncBlinkAlloc`: one thread using many arenas
//! in turn, arenas dropped and made again, a reset between rounds, and an
//! arena whose chunks come from another shared arena on the same thread.
#![cfg(feature = "sync")]

use std::{alloc::Layout, thread};

use blink_alloc::SyncBlinkAlloc;

/// Allocates a `u64`-aligned block of `words` words and fills it with `tag`.
fn put(
    shared: &SyncBlinkAlloc<impl allocator_api2::alloc::Allocator>,
    words: usize,
    tag: u64,
) -> &[u64] {
    let layout = Layout::array::<u64>(words).unwrap();
    let block = shared.allocate(layout).unwrap().cast::<u64>();
    // SAFETY: a fresh block of `words` u64s, initialised before the slice
    // is made; it lives as long as the borrow of `shared`.
    unsafe {
        for i in 0..words {
            block.as_ptr().add(i).write(tag);
        }
        core::slice::from_raw_parts(block.as_ptr(), words)
    }
}

fn assert_tagged(blocks: &[(&[u64], u64)]) {
    for (block, tag) in blocks {
        assert!(block.iter().all(|x| x == tag), "block {tag} overwritten");
    }
    let mut ranges: Vec<_> = blocks
        .iter()
        .map(|(b, _)| (b.as_ptr() as usize, b.len() * 8))
        .collect();
    ranges.sort();
    for w in ranges.windows(2) {
        assert!(w[0].0 + w[0].1 <= w[1].0, "overlap");
    }
}

/// Uses `arenas` arenas in turn from one thread, checks every block, and
/// returns the most bytes one arena used and the data it holds.
fn many_arenas_in_turn(arenas: usize) -> (usize, usize) {
    let arenas: Vec<_> = (0..arenas).map(|_| SyncBlinkAlloc::new()).collect();
    let rounds = if cfg!(miri) { 20 } else { 2000 };
    let mut blocks = Vec::new();
    let mut data = 0;
    for i in 0..rounds {
        data += 8 * (1 + i % 5);
        for (a, shared) in arenas.iter().enumerate() {
            let tag = (i * arenas.len() + a) as u64;
            blocks.push((put(shared, 1 + i % 5, tag), tag));
        }
    }
    assert_tagged(&blocks);
    let used = arenas.iter().map(|a| a.stats().used_bytes).max().unwrap();
    (used, data)
}

#[test]
fn one_thread_a_few_arenas_in_turn() {
    // As many arenas as a thread has slots: each keeps its block.
    let (used, data) = many_arenas_in_turn(8);
    assert!(used <= data + (64 << 10), "{used} bytes for {data}");
}

#[test]
fn one_thread_more_arenas_than_slots() {
    // Arenas beyond the thread's slots allocate from the shared cursor
    // instead of evicting a slot (and giving up its free bytes) at every
    // switch.
    for arenas in [9, 11, 20] {
        let (used, data) = many_arenas_in_turn(arenas);
        assert!(
            used <= data + (64 << 10),
            "{arenas} arenas: {used} bytes for {data}"
        );
    }
}

#[test]
fn zero_sized_blocks_after_a_failed_refill() {
    // A refill that fails leaves no slot behind without a block.
    let shared = SyncBlinkAlloc::new().limit(0);
    assert!(shared.allocate(Layout::new::<u64>()).is_err());
    for align in [1, 8, 4096] {
        let layout = Layout::from_size_align(0, align).unwrap();
        let block = shared.allocate(layout).unwrap();
        assert_eq!(block.len(), 0);
        assert_eq!(block.cast::<u8>().as_ptr() as usize % align, 0);
        let zeroed = shared.allocate_zeroed(layout).unwrap();
        assert_eq!(zeroed.len(), 0);
    }
}

#[test]
fn a_panicking_base_allocator_leaves_the_arena_usable() {
    use allocator_api2::alloc::{AllocError, Allocator, Global};
    use std::{
        cell::Cell,
        panic::{catch_unwind, AssertUnwindSafe},
        ptr::NonNull,
    };

    /// Panics on its first call, then forwards to the global allocator.
    struct PanicsOnce(Cell<bool>);
    // SAFETY: forwards to `Global`, whose blocks it hands out unchanged.
    unsafe impl Allocator for PanicsOnce {
        fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
            if !self.0.replace(true) {
                panic!("base allocator panics");
            }
            Global.allocate(layout)
        }
        unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
            // SAFETY: the block came from `Global` with this layout.
            unsafe { Global.deallocate(ptr, layout) }
        }
    }

    let shared = SyncBlinkAlloc::new_in(PanicsOnce(Cell::new(false)));
    let caught = catch_unwind(AssertUnwindSafe(|| shared.allocate(Layout::new::<u64>())));
    assert!(caught.is_err());
    let zst = shared.allocate(Layout::new::<()>()).unwrap();
    assert_eq!(zst.len(), 0);
    let blocks = [(put(&shared, 2, 7), 7), (put(&shared, 3, 8), 8)];
    assert_tagged(&blocks);
}

#[test]
fn a_new_arena_never_uses_a_dropped_ones_block() {
    // A dropped arena's chunks are freed; a new arena, likely at the same
    // address, must not bump through this thread's old block (Miri would
    // report the use after free).
    for round in 0..10u64 {
        let shared = SyncBlinkAlloc::new();
        let blocks = [
            (put(&shared, 3, round), round),
            (put(&shared, 2, round + 100), round + 100),
        ];
        assert_tagged(&blocks);
        assert!(shared.stats().used_bytes >= 40);
    }
}

#[test]
fn reset_between_rounds_of_threads() {
    let mut shared = SyncBlinkAlloc::new();
    let per_thread = if cfg!(miri) { 10 } else { 1000 };
    for round in 0..3u64 {
        // This thread's slot from the last round must not be reused.
        let mine = put(&shared, 4, 1000 + round);
        let theirs: Vec<Vec<(&[u64], u64)>> = thread::scope(|s| {
            let handles: Vec<_> = (0..3u64)
                .map(|t| {
                    let shared = &shared;
                    s.spawn(move || {
                        (0..per_thread)
                            .map(|i| {
                                let tag = round * 100_000 + t * 10_000 + i as u64;
                                (put(shared, 1 + i % 3, tag), tag)
                            })
                            .collect()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let mut blocks: Vec<_> = theirs.into_iter().flatten().collect();
        blocks.push((mine, 1000 + round));
        assert_tagged(&blocks);
        drop(blocks);
        shared.reset();
    }
}

#[test]
fn chunks_from_another_shared_arena_on_the_same_thread() {
    // The outer arena's refills call its base allocator, which allocates
    // from the inner arena through this same thread's slots.
    let inner = SyncBlinkAlloc::new();
    let outer = SyncBlinkAlloc::new_in(&inner);
    let n = if cfg!(miri) { 50 } else { 5000 };
    let mut blocks = Vec::new();
    for i in 0..n {
        let tag = i as u64;
        blocks.push((put(&outer, 1 + i % 40, tag), tag));
        blocks.push((put(&inner, 1 + i % 3, tag + 1_000_000), tag + 1_000_000));
    }
    assert_tagged(&blocks);
}

#[test]
fn grown_vectors_on_many_threads_keep_their_contents() {
    // Vectors grow at the tip of each thread's block, extend it in its
    // chunk, then move to blocks of their own.
    let shared = SyncBlinkAlloc::new();
    let n = if cfg!(miri) { 300 } else { 100_000 };
    thread::scope(|s| {
        for t in 0..3u64 {
            let shared = &shared;
            s.spawn(move || {
                let mut a = allocator_api2::vec::Vec::new_in(shared);
                let mut b = allocator_api2::vec::Vec::new_in(shared);
                for i in 0..n {
                    a.push(i * t);
                    if i % 3 == 0 {
                        b.push(i);
                    }
                }
                assert!(a.iter().enumerate().all(|(i, &x)| x == i as u64 * t));
                assert!(b.iter().enumerate().all(|(i, &x)| x == 3 * i as u64));
                a.truncate(10);
                a.shrink_to_fit();
                assert_eq!(a[9], 9 * t);
            });
        }
    });
}
