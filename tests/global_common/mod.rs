//! Helpers of the global-allocator test binaries (`global_sync`,
//! `global_unsafe`): a counting base allocator that never goes through the
//! global allocator, a frame of allocation-heavy work, and a tiny test
//! runner (these binaries install their own `#[global_allocator]`, so they
//! run with `harness = false`).
#![allow(dead_code)]

use core::{
    alloc::Layout,
    ptr::NonNull,
    sync::atomic::{AtomicUsize, Ordering::Relaxed},
};
use std::{
    alloc::System,
    collections::BTreeMap,
    panic::{catch_unwind, AssertUnwindSafe},
};

use allocator_api2::alloc::{AllocError, Allocator};

/// Calls to the base allocator: allocate, grow, shrink, deallocate.
pub static BASE_CALLS: AtomicUsize = AtomicUsize::new(0);
/// Calls to the base allocator's `deallocate`.
pub static BASE_FREES: AtomicUsize = AtomicUsize::new(0);

/// Addresses that must never reach the base allocator (blink-mode blocks).
static FORBIDDEN: [AtomicUsize; 8] = [const { AtomicUsize::new(0) }; 8];

/// Makes the base allocator fail the test if `ptr` ever reaches it.
pub fn forbid(ptr: *const u8) {
    let slot = FORBIDDEN
        .iter()
        .find(|slot| slot.load(Relaxed) == 0)
        .expect("no forbidden slot left");
    slot.store(ptr.addr(), Relaxed);
}

/// Forgets every forbidden address.
pub fn clear_forbidden() {
    FORBIDDEN.iter().for_each(|slot| slot.store(0, Relaxed));
}

fn check(ptr: NonNull<u8>) {
    if FORBIDDEN
        .iter()
        .any(|slot| slot.load(Relaxed) == ptr.addr().get())
    {
        // A blink-mode block handed to the base allocator: the bug these
        // tests look for. Abort rather than unwind through an allocator.
        std::process::abort();
    }
}

/// The base allocator of the tests: `System`, counted.
#[derive(Clone, Copy, Debug, Default)]
pub struct Counting;

// SAFETY: forwards every call to `System` unchanged.
unsafe impl Allocator for Counting {
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        BASE_CALLS.fetch_add(1, Relaxed);
        System.allocate(layout)
    }

    fn allocate_zeroed(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        BASE_CALLS.fetch_add(1, Relaxed);
        System.allocate_zeroed(layout)
    }

    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        check(ptr);
        BASE_CALLS.fetch_add(1, Relaxed);
        BASE_FREES.fetch_add(1, Relaxed);
        // SAFETY: forwarded from the caller.
        unsafe { System.deallocate(ptr, layout) }
    }

    unsafe fn grow(
        &self,
        ptr: NonNull<u8>,
        old: Layout,
        new: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        check(ptr);
        BASE_CALLS.fetch_add(1, Relaxed);
        // SAFETY: forwarded from the caller.
        unsafe { System.grow(ptr, old, new) }
    }

    unsafe fn shrink(
        &self,
        ptr: NonNull<u8>,
        old: Layout,
        new: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        check(ptr);
        BASE_CALLS.fetch_add(1, Relaxed);
        // SAFETY: forwarded from the caller.
        unsafe { System.shrink(ptr, old, new) }
    }
}

/// Scale of the work: small under Miri.
pub const WORDS: usize = if cfg!(miri) { 12 } else { 300 };

/// A frame of allocation-heavy work, as a request handler or a compiler
/// pass does: strings, `Vec`s and a `BTreeMap`, built and dropped.
pub fn frame(seed: usize) -> usize {
    let words: Vec<String> = (0..WORDS).map(|i| format!("w{}-{}", i * 7, seed)).collect();
    let mut by_len: BTreeMap<usize, Vec<&str>> = BTreeMap::new();
    for word in &words {
        by_len.entry(word.len()).or_default().push(word);
    }
    let joined = words.join(",");
    let longest = by_len.values().map(Vec::len).max().unwrap_or(0);
    joined.len() + longest + by_len.len()
}

/// Bit `align` of `ptr`: set for blink-mode blocks of that alignment.
pub fn is_blink(ptr: *const u8, align: usize) -> bool {
    ptr.addr() & align != 0
}

/// Runs each test, prints one line per test and a closing
/// `N passed, M failed`, and exits non-zero if any failed. `after_each`
/// runs after every test (to restore direct mode after a failure).
pub fn run(tests: &[(&str, fn())], after_each: fn()) {
    let mut passed = 0;
    let mut failed = 0;
    for (name, test) in tests {
        let result = catch_unwind(AssertUnwindSafe(test));
        after_each();
        clear_forbidden();
        match result {
            Ok(()) => {
                passed += 1;
                println!("test {name} ... ok");
            }
            Err(_) => {
                failed += 1;
                println!("test {name} ... FAILED");
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    if failed != 0 {
        std::process::exit(1);
    }
}

/// Defines, for the binary's `static GLOBAL` (either global allocator):
/// `in_blink_mode(f)`, which runs `f` in blink mode on this thread and then
/// switches back (resetting the arena), and `Global`, its [`BlinkMode`].
#[macro_export]
macro_rules! blink_mode_of_global {
    () => {
        /// Runs `f` in blink mode; what it returns must hold no blink-mode
        /// block.
        fn in_blink_mode<R>(f: impl FnOnce() -> R) -> R {
            // SAFETY: `f`'s blink-mode blocks are dropped inside it (callers
            // return plain values), before `direct_mode` resets the arena.
            unsafe { GLOBAL.blink_mode() };
            let result = f();
            // SAFETY: as above.
            unsafe { GLOBAL.direct_mode() };
            result
        }

        /// This binary's global allocator, for the tests in `global_common`.
        struct Global;

        impl global_common::BlinkMode for Global {
            fn run<R>(f: impl FnOnce() -> R) -> R {
                in_blink_mode(f)
            }

            fn live_blocks() -> Option<usize> {
                GLOBAL.live_blink_blocks()
            }
        }
    };
}

/// The test binary's global allocator, switched to blink mode on the
/// calling thread around a closure, for the tests both binaries run.
pub trait BlinkMode {
    /// Runs `f` in blink mode; what it returns must hold no blink-mode
    /// block (the arena resets when `f` returns).
    fn run<R>(f: impl FnOnce() -> R) -> R;
    /// Blink-mode blocks not freed yet (debug builds), as the allocator's
    /// `live_blink_blocks` tells.
    fn live_blocks() -> Option<usize>;
}

/// Frames in blink mode make no base-allocator call once warm, and free
/// every block they make.
pub fn warm_frames_make_no_base_calls<M: BlinkMode>() {
    let expected: Vec<usize> = (0..10).map(frame).collect();
    for (seed, expected) in expected.iter().enumerate().take(3) {
        assert_eq!(M::run(|| frame(seed)), *expected);
    }
    let before = BASE_CALLS.load(Relaxed);
    for (seed, expected) in expected.iter().enumerate() {
        let got = M::run(|| {
            let got = frame(seed);
            assert!(matches!(M::live_blocks(), Some(0) | None));
            got
        });
        assert_eq!(got, *expected);
    }
    assert_eq!(
        BASE_CALLS.load(Relaxed),
        before,
        "a warm frame called the base allocator"
    );
}

/// The newest block of the thread's slot is freed and resized in place;
/// any other block moves when it grows.
pub fn the_newest_block_is_freed_and_grown_in_place<M: BlinkMode>() {
    M::run(|| frame(0)); // a warm chunk
    M::run(|| {
        // The first block of a cycle may come from the shared chunk rather
        // than this thread's slot: the slot's blocks are the ones freed and
        // grown in place.
        let _first = Box::new(0u64);
        let a = Box::new(1u64);
        let at = &*a as *const u64;
        drop(a);
        let b = Box::new(2u64);
        assert_eq!(&*b as *const u64, at, "the newest block was not freed");
        drop(b);
        let mut v: Vec<u8> = Vec::with_capacity(16);
        let at = v.as_ptr();
        v.extend((0..WORDS * 8).map(|i| i as u8));
        assert_eq!(v.as_ptr(), at, "the newest block did not grow in place");
        v.truncate(3);
        v.shrink_to_fit();
        assert_eq!((v.as_ptr(), &v[..]), (at, &[0u8, 1, 2][..]));
        // A block that is not the newest moves when it grows.
        let mut s = String::from("old");
        let _newer = Box::new(0u8);
        s.push_str(" and moved");
        assert_eq!(s, "old and moved");
        assert!(is_blink(s.as_ptr(), 1));
    });
}

/// `alloc_zeroed` zeroes memory the arena hands out again.
pub fn alloc_zeroed_zeroes_reused_memory<M: BlinkMode>() {
    M::run(|| {
        drop(vec![0xFFu8; 256]);
        let zeroed = vec![0u8; 256];
        assert!(is_blink(zeroed.as_ptr(), 1));
        assert!(zeroed.iter().all(|&b| b == 0));
    });
}

/// Whether `f` panics, without printing the panic.
pub fn panics(f: impl FnOnce()) -> bool {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let panicked = catch_unwind(AssertUnwindSafe(f)).is_err();
    std::panic::set_hook(hook);
    panicked
}
