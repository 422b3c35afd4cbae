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

/// Whether `f` panics, without printing the panic.
pub fn panics(f: impl FnOnce()) -> bool {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let panicked = catch_unwind(AssertUnwindSafe(f)).is_err();
    std::panic::set_hook(hook);
    panicked
}
