//! `GlobalBlinkAlloc` as this test binary's `#[global_allocator]`, over a
//! counting base allocator. `harness = false`: the runner is in
//! `global_common`, and prints `N passed, M failed`.

mod global_common;

use std::{
    sync::{Arc, Barrier, Mutex},
    thread,
};

use blink_alloc::GlobalBlinkAlloc;
use global_common::{forbid, frame, is_blink, panics, Counting, BASE_CALLS, BASE_FREES, WORDS};

#[global_allocator]
static GLOBAL: GlobalBlinkAlloc<Counting> = GlobalBlinkAlloc::new_in(Counting);

use core::sync::atomic::Ordering::Relaxed;

blink_mode_of_global!();

fn direct_vec_grows_and_is_freed_in_blink_mode() {
    let mut v: Vec<u64> = Vec::with_capacity(2);
    v.push(7);
    assert!(!is_blink(v.as_ptr().cast(), 8));
    in_blink_mode(|| {
        let calls = BASE_CALLS.load(Relaxed);
        v.extend(0..(WORDS as u64 * 4));
        assert!(
            !is_blink(v.as_ptr().cast(), 8),
            "a direct block moved to the arena"
        );
        assert!(
            BASE_CALLS.load(Relaxed) > calls,
            "the base allocator did not grow it"
        );
        assert_eq!(v[0], 7);
        let frees = BASE_FREES.load(Relaxed);
        drop(core::mem::take(&mut v));
        assert_eq!(BASE_FREES.load(Relaxed), frees + 1, "not freed by the base");
    });
}

/// Where the blocks travel between the threads of a test.
static SLOT: Mutex<Option<(String, Box<[u64; 3]>)>> = Mutex::new(None);

fn blink_blocks_never_reach_the_base_allocator() {
    let barrier = Arc::new(Barrier::new(2));
    let helper = {
        let barrier = barrier.clone();
        thread::spawn(move || {
            barrier.wait(); // 1: main put blink-mode blocks in SLOT
            assert!(!GLOBAL.is_blink_mode());
            let (mut s, b) = SLOT.lock().unwrap().take().unwrap();
            // A blink-mode block grows in a direct-mode thread: it stays in
            // the arena.
            s.push_str(" grows in direct mode, and grows, and grows");
            assert!(is_blink(s.as_ptr(), 1));
            forbid(s.as_ptr());
            assert_eq!(b[2], 7);
            drop((s, b)); // freed in direct mode: to the arena
                          // SAFETY: this thread allocates nothing in blink mode.
            unsafe { GLOBAL.blink_mode() };
            barrier.wait(); // 2: keeps the arena from resetting
            barrier.wait(); // 3: main freed its block in direct mode
                            // SAFETY: every blink-mode block of the test is gone.
            unsafe { GLOBAL.direct_mode() };
        })
    };
    // SAFETY: the blocks are freed before the arena resets (step 3).
    unsafe { GLOBAL.blink_mode() };
    let mut s = String::with_capacity(5);
    s.push_str("blink");
    let b = Box::new([7u64; 3]);
    let x = Box::new(11u32);
    assert!(is_blink(s.as_ptr(), 1) && is_blink(b.as_ptr().cast(), 8));
    assert!(is_blink((&*x as *const u32).cast(), 4));
    forbid(s.as_ptr());
    forbid(b.as_ptr().cast());
    forbid((&*x as *const u32).cast());
    *SLOT.lock().unwrap() = Some((s, b));
    barrier.wait(); // 1
    barrier.wait(); // 2: the helper is in blink mode: no reset below
                    // SAFETY: the helper is in blink mode, so the arena is not reset.
    unsafe { GLOBAL.direct_mode() };
    let frees = BASE_FREES.load(Relaxed);
    drop(x); // a blink-mode block freed in direct mode: to the arena
    assert_eq!(BASE_FREES.load(Relaxed), frees);
    barrier.wait(); // 3
    helper.join().unwrap();
}

fn another_threads_data_survives_the_reset() {
    let barrier = Arc::new(Barrier::new(2));
    let logger = {
        let barrier = barrier.clone();
        thread::spawn(move || {
            barrier.wait(); // 1: main is in blink mode
            let lines: Vec<String> = (0..WORDS).map(|i| format!("log line {i}")).collect();
            assert!(lines.iter().all(|line| !is_blink(line.as_ptr(), 1)));
            assert!(!is_blink(lines.as_ptr().cast(), 8));
            barrier.wait(); // 2
            barrier.wait(); // 3: main reset the arena and reused it
            for (i, line) in lines.iter().enumerate() {
                assert_eq!(*line, format!("log line {i}"));
            }
        })
    };
    in_blink_mode(|| {
        barrier.wait(); // 1
        frame(1);
        barrier.wait(); // 2
    }); // the reset
    in_blink_mode(|| {
        // Overwrite whatever the arena had.
        let junk = vec![0xA5u8; 64 * WORDS];
        frame(junk.len())
    });
    barrier.wait(); // 3
    logger.join().unwrap();
}

fn threads_in_blink_mode_share_the_arena() {
    let threads = if cfg!(miri) { 2 } else { 4 };
    let cycles = if cfg!(miri) { 3 } else { 200 };
    thread::scope(|scope| {
        for t in 0..threads {
            scope.spawn(move || {
                let expected = frame(t);
                for _ in 0..cycles {
                    assert_eq!(in_blink_mode(|| frame(t)), expected);
                }
            });
        }
    });
}

fn large_and_over_aligned_blocks_keep_their_owner() {
    use core::alloc::{GlobalAlloc, Layout};

    in_blink_mode(|| {
        // Sizes and alignments of 1 MiB and more skip the inlined bump.
        let mut big = vec![3u8; 2 << 20];
        assert!(is_blink(big.as_ptr(), 1));
        big.extend_from_slice(&[4u8; 1 << 20]);
        assert!(is_blink(big.as_ptr(), 1));
        assert_eq!((big[0], big[(3 << 20) - 1]), (3, 4));
        drop(big);
        for align in [1usize << 19, 1 << 20] {
            let layout = Layout::from_size_align(24, align).unwrap();
            // SAFETY: a valid layout; the block is freed below with it.
            let block = unsafe { GLOBAL.alloc(layout) };
            assert!(!block.is_null() && block.addr() % align == 0);
            assert!(is_blink(block, align));
            // SAFETY: the block is live, made with `layout`, grown to a
            // valid size, then freed with its new size.
            unsafe {
                block.write_bytes(9, 24);
                let grown = GLOBAL.realloc(block, layout, 4096);
                assert!(!grown.is_null() && is_blink(grown, align));
                assert_eq!(*grown.add(23), 9);
                GLOBAL.dealloc(grown, Layout::from_size_align(4096, align).unwrap());
            }
        }
    });
}

fn the_mode_belongs_to_the_thread() {
    in_blink_mode(|| {
        assert!(GLOBAL.is_blink_mode());
        let in_thread = thread::spawn(|| {
            let v = Box::new([1u64, 2, 3]);
            (GLOBAL.is_blink_mode(), is_blink(v.as_ptr().cast(), 8))
        })
        .join()
        .unwrap();
        assert_eq!(in_thread, (false, false));
    });
}

fn reset_refuses_while_another_thread_is_in_blink_mode() {
    let barrier = Arc::new(Barrier::new(2));
    let other = {
        let barrier = barrier.clone();
        thread::spawn(move || {
            // SAFETY: this thread allocates nothing in blink mode.
            unsafe { GLOBAL.blink_mode() };
            barrier.wait();
            barrier.wait();
            // SAFETY: as above.
            unsafe { GLOBAL.direct_mode() };
        })
    };
    barrier.wait();
    // SAFETY: no blink-mode block exists; the call must panic anyway.
    assert!(panics(|| unsafe { GLOBAL.reset() }));
    barrier.wait();
    other.join().unwrap();
}

fn debug_builds_count_live_blink_blocks() {
    in_blink_mode(|| {
        let leaked: &mut u32 = Box::leak(Box::new(5));
        *leaked += 1;
        if let Some(live) = GLOBAL.live_blink_blocks() {
            assert_eq!(live, 1);
        }
        // `leaked` is not used again: the reset reports it on stderr.
    });
    assert!(matches!(GLOBAL.live_blink_blocks(), Some(0) | None));
}

fn a_local_view_allocates_from_the_arena() {
    let local = GLOBAL.local();
    let mut v = allocator_api2::vec::Vec::new_in(&local);
    v.extend(0..100u32);
    assert_eq!(v.iter().sum::<u32>(), 4950);
    drop(v);
    drop(local);
    // SAFETY: the view and its blocks are gone; no thread is in blink mode.
    unsafe { GLOBAL.reset() };
}

fn main() {
    global_common::run(
        &[
            (
                "warm_frames_make_no_base_calls",
                global_common::warm_frames_make_no_base_calls::<Global>,
            ),
            (
                "direct_vec_grows_and_is_freed_in_blink_mode",
                direct_vec_grows_and_is_freed_in_blink_mode,
            ),
            (
                "blink_blocks_never_reach_the_base_allocator",
                blink_blocks_never_reach_the_base_allocator,
            ),
            (
                "another_threads_data_survives_the_reset",
                another_threads_data_survives_the_reset,
            ),
            (
                "threads_in_blink_mode_share_the_arena",
                threads_in_blink_mode_share_the_arena,
            ),
            (
                "the_newest_block_is_freed_and_grown_in_place",
                global_common::the_newest_block_is_freed_and_grown_in_place::<Global>,
            ),
            (
                "large_and_over_aligned_blocks_keep_their_owner",
                large_and_over_aligned_blocks_keep_their_owner,
            ),
            (
                "alloc_zeroed_zeroes_reused_memory",
                global_common::alloc_zeroed_zeroes_reused_memory::<Global>,
            ),
            (
                "the_mode_belongs_to_the_thread",
                the_mode_belongs_to_the_thread,
            ),
            (
                "reset_refuses_while_another_thread_is_in_blink_mode",
                reset_refuses_while_another_thread_is_in_blink_mode,
            ),
            (
                "debug_builds_count_live_blink_blocks",
                debug_builds_count_live_blink_blocks,
            ),
            (
                "a_local_view_allocates_from_the_arena",
                a_local_view_allocates_from_the_arena,
            ),
        ],
        || {
            if GLOBAL.is_blink_mode() {
                // SAFETY: after a failed test; its blocks are gone.
                unsafe { GLOBAL.direct_mode() };
            }
        },
    );
}
