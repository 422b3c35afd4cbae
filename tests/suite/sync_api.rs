//! The sync allocators' API: auto traits, the `Allocator` impls, the
//! cache, and that every chunk goes back to the base allocator.
#![cfg(feature = "sync")]

use std::{
    alloc::Layout,
    ptr::NonNull,
    sync::{
        atomic::{AtomicUsize, Ordering::Relaxed},
        Arc,
    },
    thread,
};

use allocator_api2::{
    alloc::{AllocError, Allocator, Global},
    vec::Vec as AVec,
};
use blink_alloc::{BlinkAlloc, BlinkAllocCache, BlinkAllocator, LocalBlinkAlloc, SyncBlinkAlloc};

/// A base allocator that counts the bytes it has out.
#[derive(Clone, Default)]
struct Counting {
    live: Arc<AtomicUsize>,
    calls: Arc<AtomicUsize>,
}

impl Counting {
    fn live(&self) -> usize {
        self.live.load(Relaxed)
    }
}

// SAFETY: forwards to `Global`, only counting.
unsafe impl Allocator for Counting {
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        let block = Global.allocate(layout)?;
        self.live.fetch_add(layout.size(), Relaxed);
        self.calls.fetch_add(1, Relaxed);
        Ok(block)
    }

    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        self.live.fetch_sub(layout.size(), Relaxed);
        // SAFETY: forwarded from the caller.
        unsafe { Global.deallocate(ptr, layout) }
    }
}

#[test]
fn auto_traits() {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>() {}
    send_sync::<SyncBlinkAlloc>();
    send_sync::<SyncBlinkAlloc<Counting>>();
    send::<LocalBlinkAlloc<'static>>();
    send_sync::<BlinkAllocCache>();
    send_sync::<BlinkAllocCache<Counting>>();
    // `LocalBlinkAlloc` and `BlinkAlloc` are not `Sync`: see the
    // `compile_fail` doc tests on those types.
}

#[test]
fn shared_and_locals_give_every_chunk_back() {
    let base = Counting::default();
    let mut shared = SyncBlinkAlloc::new_in(base.clone());
    thread::scope(|s| {
        for t in 0..4u64 {
            let shared = &shared;
            s.spawn(move || {
                let mut local = shared.local();
                for _ in 0..3 {
                    let mut v = AVec::new_in(&local);
                    v.extend(0..1000 * t);
                    drop(v);
                    local.reset();
                }
            });
        }
    });
    assert!(base.live() > 0);
    shared.reset();
    assert!(shared.stats().chunks <= 1);
    drop(shared);
    assert_eq!(base.live(), 0);
}

#[test]
fn into_inner_frees_chunks() {
    let base = Counting::default();
    let shared = SyncBlinkAlloc::new_in(base.clone());
    shared.allocate(Layout::new::<[u8; 5000]>()).unwrap();
    let back = shared.into_inner();
    assert_eq!(back.live(), 0);
}

#[test]
fn warm_shared_arena_stops_calling_the_base() {
    let base = Counting::default();
    let mut shared = SyncBlinkAlloc::new_in(base.clone());
    let mut calls = Vec::new();
    for _ in 0..4 {
        thread::scope(|s| {
            for _ in 0..3 {
                s.spawn(|| {
                    for i in 0..500u64 {
                        let b = shared.allocate(Layout::new::<u64>()).unwrap();
                        // SAFETY: a fresh block for a u64.
                        unsafe { b.cast::<u64>().write(i) };
                    }
                });
            }
        });
        shared.reset();
        calls.push(base.calls.load(Relaxed));
    }
    assert_eq!(calls[2], calls[3], "{calls:?}");
}

#[test]
fn resize_and_free_at_the_tip() {
    let shared = SyncBlinkAlloc::with_chunk_size(1 << 16);
    let a = shared.allocate(Layout::new::<[u8; 16]>()).unwrap();
    let l16 = Layout::new::<[u8; 16]>();
    let l64 = Layout::new::<[u8; 64]>();
    // SAFETY: `a` is live with `l16`.
    let b = unsafe { shared.resize(a.cast(), l16, l64).unwrap() };
    assert_eq!(a.cast::<u8>(), b.cast::<u8>(), "tip grows in place");
    // Growing far past the thread's block extends the block in its chunk.
    let l4k = Layout::new::<[u8; 4096]>();
    // SAFETY: `b` is live with `l64`.
    let c = unsafe { shared.resize(b.cast(), l64, l4k).unwrap() };
    assert_eq!(a.cast::<u8>(), c.cast::<u8>(), "tip grows in place");
    // SAFETY: `c` is live with `l4k`, never used again.
    unsafe { shared.deallocate(c.cast(), 4096) };
    let d = shared.allocate(l16).unwrap();
    assert_eq!(a.cast::<u8>(), d.cast::<u8>(), "the freed tip is reused");
    // An aligned shrink of a block that is not the tip stays in place.
    let x = shared.allocate(l64).unwrap();
    let y = shared.allocate(l16).unwrap();
    // SAFETY: `x` is live with `l64`.
    let x2 = unsafe { shared.resize(x.cast(), l64, l16).unwrap() };
    assert_eq!(x.cast::<u8>(), x2.cast::<u8>());
    // A zero-sized block is never a tip.
    let z = shared.allocate(Layout::new::<()>()).unwrap();
    // SAFETY: `z` is a live zero-sized block.
    unsafe { shared.deallocate(z.cast(), 0) };
    let w = shared.allocate(l16).unwrap();
    assert_eq!(
        w.cast::<u8>().as_ptr(),
        y.cast::<u8>().as_ptr().wrapping_add(16)
    );
}

#[test]
fn resize_and_free_at_the_tip_of_a_large_block() {
    // Blocks larger than a thread's slot grant come from the shared cursor;
    // at its tip they grow, shrink and are freed in place.
    let shared = SyncBlinkAlloc::with_chunk_size(1 << 20);
    let big = Layout::from_size_align(100_000, 8).unwrap();
    let bigger = Layout::from_size_align(200_000, 8).unwrap();
    let a = shared.allocate(big).unwrap();
    let used = shared.stats().used_bytes;
    // SAFETY: `a` is live with `big`.
    let b = unsafe { shared.resize(a.cast(), big, bigger).unwrap() };
    assert_eq!(a.cast::<u8>(), b.cast::<u8>(), "tip grows in place");
    assert_eq!(shared.stats().used_bytes, used + 100_000);
    // SAFETY: `b` is live with `bigger`, never used again.
    unsafe { shared.deallocate(b.cast(), 200_000) };
    assert_eq!(shared.stats().used_bytes, used - 100_000);
}

#[test]
fn generic_over_blink_allocator() {
    fn fill<A: BlinkAllocator>(a: &A) -> u64 {
        let mut sum = 0;
        for i in 0..100u64 {
            let p = a.allocate(Layout::new::<u64>()).unwrap().cast::<u64>();
            // SAFETY: a fresh block for a u64.
            unsafe {
                p.write(i);
                sum += p.read();
            }
        }
        sum
    }
    let mut shared = SyncBlinkAlloc::new();
    let mut local = shared.local();
    assert_eq!(fill(&local), 4950);
    BlinkAllocator::reset(&mut local);
    drop(local);
    assert_eq!(fill(&shared), 4950);
    BlinkAllocator::reset(&mut shared);
    assert_eq!(shared.stats().used_bytes, 0);
}

#[test]
fn hashbrown_in_a_local() {
    let shared = SyncBlinkAlloc::new();
    let local = shared.local();
    let mut map = hashbrown::HashMap::new_in(&local);
    for i in 0..1000u32 {
        map.insert(i, i * 2);
    }
    assert_eq!(map[&500], 1000);
}

#[test]
fn cache_hands_out_warm_reset_arenas() {
    let cache = BlinkAllocCache::new();
    assert!(cache.pop().is_none());
    let blink = BlinkAlloc::new();
    blink.allocate(Layout::new::<[u8; 3000]>()).unwrap();
    cache.push(blink);
    let blink = cache.pop().unwrap();
    assert_eq!(blink.stats().used_bytes, 0, "push resets");
    assert!(blink.stats().capacity >= 3000, "and keeps the memory warm");
    cache.push(blink);
    assert_eq!(cache.len(), 1);
}

#[test]
fn cache_drop_frees_its_arenas() {
    let base = Counting::default();
    let cache = BlinkAllocCache::<Counting>::default();
    let tasks = if cfg!(miri) { 4 } else { 64 };
    thread::scope(|s| {
        for t in 0..tasks {
            let (cache, base) = (&cache, &base);
            s.spawn(move || {
                let blink = cache
                    .pop()
                    .unwrap_or_else(|| BlinkAlloc::new_in(base.clone()));
                let mut v = AVec::new_in(&blink);
                v.extend(0..(t * 100) as u64);
                drop(v);
                cache.push(blink);
            });
        }
    });
    assert!(!cache.is_empty() && cache.len() <= tasks);
    assert!(base.live() > 0);
    drop(cache);
    assert_eq!(base.live(), 0, "dropping the cache frees every arena");
}
