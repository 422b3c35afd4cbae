//! `UnsafeGlobalBlinkAlloc` as this test binary's `#[global_allocator]`,
//! over a counting base allocator. `harness = false`: the runner is in
//! `global_common`, and prints `N passed, M failed`.

mod global_common;

use core::sync::atomic::Ordering::Relaxed;
use std::{
    sync::{Arc, Barrier},
    thread,
};

use blink_alloc::UnsafeGlobalBlinkAlloc;
use global_common::{forbid, frame, is_blink, panics, Counting, BASE_FREES, WORDS};

#[global_allocator]
// SAFETY: with `std`, nothing beyond the methods' contracts.
static GLOBAL: UnsafeGlobalBlinkAlloc<Counting> =
    unsafe { UnsafeGlobalBlinkAlloc::new_in(Counting) };

blink_mode_of_global!();

fn direct_vec_grows_and_is_freed_in_blink_mode() {
    let mut v: Vec<u64> = Vec::with_capacity(2);
    v.push(7);
    in_blink_mode(|| {
        v.extend(0..(WORDS as u64 * 4));
        assert!(
            !is_blink(v.as_ptr().cast(), 8),
            "a direct block moved to the arena"
        );
        let frees = BASE_FREES.load(Relaxed);
        drop(core::mem::take(&mut v));
        assert_eq!(BASE_FREES.load(Relaxed), frees + 1, "not freed by the base");
    });
}

fn blink_blocks_of_another_thread_stay_out_of_the_base() {
    in_blink_mode(|| {
        let mut grown = String::from("grown by another thread");
        let freed = Box::new([3u64; 4]);
        forbid(grown.as_ptr());
        forbid(freed.as_ptr().cast());
        let frees = BASE_FREES.load(Relaxed);
        // Another thread may not touch this thread's arena: it leaves a
        // freed block there, and moves a grown one to the base allocator.
        let grown = thread::scope(|scope| {
            scope
                .spawn(move || {
                    drop(freed);
                    grown.push_str(", and moved to the base allocator");
                    assert!(!is_blink(grown.as_ptr(), 1));
                    grown
                })
                .join()
                .unwrap()
        });
        assert!(grown.ends_with("allocator"));
        drop(grown); // a direct block, freed by the base
        assert!(BASE_FREES.load(Relaxed) > frees);
    });
}

fn another_threads_data_survives_the_reset() {
    let barrier = Arc::new(Barrier::new(2));
    let logger = {
        let barrier = barrier.clone();
        thread::spawn(move || {
            barrier.wait(); // 1: main is in blink mode
            let lines: Vec<String> = (0..WORDS).map(|i| format!("log line {i}")).collect();
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
    });
    in_blink_mode(|| frame(vec![0xA5u8; 64 * WORDS].len()));
    barrier.wait(); // 3
    logger.join().unwrap();
}

fn one_thread_at_a_time_is_in_blink_mode() {
    in_blink_mode(|| {
        let refused = thread::spawn(|| {
            // SAFETY: must panic before switching.
            panics(|| unsafe { GLOBAL.blink_mode() })
        })
        .join()
        .unwrap();
        assert!(refused);
    });
    // Once main has left, another thread may switch.
    let served = thread::spawn(|| in_blink_mode(|| frame(2))).join().unwrap();
    assert_eq!(served, frame(2));
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
                "blink_blocks_of_another_thread_stay_out_of_the_base",
                blink_blocks_of_another_thread_stay_out_of_the_base,
            ),
            (
                "another_threads_data_survives_the_reset",
                another_threads_data_survives_the_reset,
            ),
            (
                "one_thread_at_a_time_is_in_blink_mode",
                one_thread_at_a_time_is_in_blink_mode,
            ),
            (
                "the_newest_block_is_freed_and_grown_in_place",
                global_common::the_newest_block_is_freed_and_grown_in_place::<Global>,
            ),
            (
                "alloc_zeroed_zeroes_reused_memory",
                global_common::alloc_zeroed_zeroes_reused_memory::<Global>,
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
