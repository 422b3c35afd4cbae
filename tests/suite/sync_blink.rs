//! `Blink` over the sync allocators: a `Blink<SyncBlinkAlloc>`, one `Blink`
//! per thread over a shared arena, a `Blink` over a `LocalBlinkAlloc` (with
//! scopes), and a `SendBlink` that moves between threads. Every value with
//! drop is dropped exactly once.
#![cfg(feature = "sync")]

use std::{
    sync::{
        atomic::{AtomicUsize, Ordering::Relaxed},
        Arc,
    },
    thread,
};

use blink_alloc::{Blink, SendBlink, SyncBlinkAlloc};

/// Counts its drops in a shared counter.
struct Counted(Arc<AtomicUsize>, u64);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, Relaxed);
    }
}

fn n() -> u64 {
    if cfg!(miri) {
        20
    } else {
        2000
    }
}

#[test]
fn blink_over_an_owned_sync_arena() {
    let drops = Arc::new(AtomicUsize::new(0));
    let mut blink = Blink::new_in(SyncBlinkAlloc::new());
    for round in 1..=3 {
        let mut sum = 0;
        for i in 0..n() {
            sum += blink.put(Counted(drops.clone(), i)).1;
        }
        let words = blink.emplace().from_iter((0..n()).map(|i| i.to_string()));
        assert_eq!(words.len() as u64, n());
        assert_eq!(sum, n() * (n() - 1) / 2);
        blink.reset();
        assert_eq!(drops.load(Relaxed), round * n() as usize);
    }
    let arena = blink.into_inner();
    assert_eq!(arena.stats().used_bytes, 0);
}

#[test]
fn one_blink_per_thread_over_a_shared_arena() {
    let drops = Arc::new(AtomicUsize::new(0));
    let mut shared = SyncBlinkAlloc::new();
    for _round in 0..2 {
        thread::scope(|s| {
            for t in 0..3u64 {
                let (shared, drops) = (&shared, &drops);
                s.spawn(move || {
                    let blink = Blink::new_in(shared);
                    let values: Vec<&mut Counted> = (0..n())
                        .map(|i| blink.put(Counted(drops.clone(), t * 1_000_000 + i)))
                        .collect();
                    for (i, v) in values.iter().enumerate() {
                        assert_eq!(v.1, t * 1_000_000 + i as u64);
                    }
                    // Dropping the `Blink` drops its values; the memory stays
                    // in the shared arena until its reset.
                });
            }
        });
        shared.reset();
    }
    assert_eq!(drops.load(Relaxed), 2 * 3 * n() as usize);
}

#[test]
fn blink_over_a_local_view_with_scopes() {
    let drops = Arc::new(AtomicUsize::new(0));
    let shared = SyncBlinkAlloc::new();
    thread::scope(|s| {
        for t in 0..2u64 {
            let (shared, drops) = (&shared, &drops);
            s.spawn(move || {
                let mut blink = Blink::new_in(shared.local());
                let outer = blink.put(Counted(drops.clone(), t)).1;
                let used_before = blink.allocator().stats().used_bytes;
                for _ in 0..3 {
                    blink.scope(|frame| {
                        for i in 0..n() {
                            frame.put(Counted(drops.clone(), i));
                        }
                        let text = frame.emplace().from_iter("scoped".chars());
                        assert_eq!(text.len(), 6);
                    });
                    // The scope rewound the view's memory.
                    assert_eq!(blink.allocator().stats().used_bytes, used_before);
                }
                assert_eq!(outer, t);
                blink.reset();
            });
        }
    });
    assert_eq!(drops.load(Relaxed), 2 * (1 + 3 * n() as usize));
}

#[test]
fn send_blink_over_a_shared_arena_moves_between_threads() {
    let drops = Arc::new(AtomicUsize::new(0));
    let blink = Blink::new_in(SyncBlinkAlloc::new());
    blink.put(Counted(drops.clone(), 1));
    let sendable = SendBlink::new(blink);
    assert_eq!(drops.load(Relaxed), 1, "SendBlink::new empties it");
    let drops2 = drops.clone();
    let back = thread::spawn(move || {
        let blink = sendable.into_inner();
        blink.put(Counted(drops2.clone(), 2));
        SendBlink::new(blink)
    })
    .join()
    .unwrap();
    assert_eq!(drops.load(Relaxed), 2);
    let blink = back.into_inner();
    assert_eq!(blink.put(Counted(drops.clone(), 3)).1, 3);
    drop(blink);
    assert_eq!(drops.load(Relaxed), 3);
}
