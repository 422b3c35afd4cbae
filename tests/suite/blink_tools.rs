//! The everyday tools: `BlinkString`, `blink_format!`, `BlinkVec`,
//! `put_pin`, `with_capacity` and `reserve`. Drop accounting (every value
//! dropped exactly once, at the reset, the scope's close or the vector's
//! drop), panics while pushing or formatting, growth in place and moves.

use crate::blink_common;

use core::{
    cell::Cell,
    fmt::{self, Write},
    future::Future,
    marker::PhantomPinned,
    pin::Pin,
};
use std::panic::{catch_unwind, AssertUnwindSafe};

use blink_alloc::{blink_format, Blink, BlinkAlloc};
use blink_common::*;

#[test]
fn string_grows_in_place_at_the_tip() {
    let blink = Blink::with_capacity(4096);
    let mut text = blink.string();
    text.push_str("a");
    let start = text.as_ptr();
    for _ in 0..200 {
        text.push_str("bc");
    }
    // Nothing else was allocated: every growth stayed in place.
    assert_eq!(text.as_ptr(), start);
    assert_eq!(text.len(), 401);
    let text = text.into_str();
    assert_eq!(blink.allocator().stats().used_bytes, 401);
    assert!(text.starts_with("abcbc"));
}

#[test]
fn string_moves_when_another_allocation_follows() {
    let blink = Blink::new();
    let mut text = blink.string();
    text.push_str("hello");
    let first = text.as_ptr();
    let other = blink.copy_str("in the way");
    text.push_str(&"!".repeat(100));
    assert_ne!(text.as_ptr(), first);
    assert_eq!(&text[..6], "hello!");
    assert_eq!(other, "in the way");
    assert_eq!(text.into_str().len(), 105);
}

#[test]
fn string_dropped_gives_its_block_back() {
    let blink = Blink::new();
    let mut text = blink.string();
    text.push_str("temporary");
    drop(text);
    assert_eq!(blink.allocator().stats().used_bytes, 0);
    assert_eq!(blink.string().into_str(), "");
    assert_eq!(blink.allocator().stats().used_bytes, 0);
}

#[test]
fn string_write_and_limits() {
    let blink = Blink::new_in(BlinkAlloc::new().limit(1024));
    let mut text = blink.string();
    write!(text, "{}-{}", 1, 2).unwrap();
    assert_eq!(text, "1-2");
    assert!(write!(text, "{}", "x".repeat(4096)).is_err());
    assert!(text.starts_with("1-2"));
    assert!(text.try_push_str(&"y".repeat(4096)).is_err());
    text.truncate(1);
    assert_eq!(text.as_str(), "1");
}

#[test]
fn format_macro_forms() {
    let mut blink = Blink::new();
    let n = 7;
    let a = blink_format!(in &blink, "n={n} {:?}", "q");
    let b = blink_format!(in blink, "plain text");
    let c = blink_format!(try in &blink, "{:>3}", 1).unwrap();
    assert_eq!((&*a, &*b, &*c), ("n=7 \"q\"", "plain text", "  1"));
    a.make_ascii_uppercase();
    assert_eq!(a, "N=7 \"Q\"");
    blink.scope(|frame| {
        let d = blink_format!(in frame, "{}", n * 6);
        let e = blink_format!(try in frame, "{}", "ok").unwrap();
        frame.scope(|inner| {
            let f = blink_format!(in inner, "{d}{e}");
            assert_eq!(f, "42ok");
        });
        assert_eq!((&*d, &*e), ("42", "ok"));
    });
    let full = Blink::new_in(BlinkAlloc::new().limit(0));
    assert!(blink_format!(try in &full, "{}", 1).is_err());
    assert!(blink_format!(try in &full, "no args").is_err());
    assert_eq!(blink_format!(try in &full, "").unwrap(), "");
}

#[test]
fn format_long_text_fills_whole() {
    let blink = Blink::new();
    let long = "x".repeat(10_000);
    let text = blink_format!(in &blink, "<{long}>{}", 5);
    assert_eq!(text.len(), 10_003);
    // Growth past a chunk moves the text; what it left behind stays
    // until the reset.
    assert!(blink.allocator().stats().used_bytes < 3 * 10_003);
    let blink = Blink::with_capacity(64 << 10);
    let text = blink_format!(in &blink, "<{long}>{}", 5);
    assert_eq!(text.len(), 10_003);
    assert_eq!(blink.allocator().stats().used_bytes, 10_003);
}

struct PanicsWhenShown;
impl fmt::Display for PanicsWhenShown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&"partial".repeat(10))?;
        panic!("display panicked");
    }
}

struct FailsWhenShown;
impl fmt::Display for FailsWhenShown {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        Err(fmt::Error)
    }
}

#[test]
fn panic_while_formatting_gives_the_text_back() {
    let blink = Blink::new();
    let kept = blink.copy_str("kept");
    let used = blink.allocator().stats().used_bytes;
    let result = catch_unwind(AssertUnwindSafe(|| {
        blink_format!(in &blink, "{} and {}", 1, PanicsWhenShown).len()
    }));
    assert!(result.is_err());
    assert_eq!(blink.allocator().stats().used_bytes, used);
    // A formatting impl's own error panics, as `format!` does.
    let result = catch_unwind(AssertUnwindSafe(|| {
        blink_format!(try in &blink, "{}", FailsWhenShown).map(|s| s.len())
    }));
    assert!(result.is_err());
    assert_eq!(blink.allocator().stats().used_bytes, used);
    assert_eq!(kept, "kept");
}

#[test]
fn vec_values_drop_once_on_reset() {
    start();
    let mut blink = Blink::new();
    let mut values = blink.vec();
    for id in 0..100 {
        values.push(counted(id));
    }
    let popped = values.pop().unwrap();
    assert_eq!(popped.id, 99);
    drop(popped);
    values.truncate(90); // drops 89..=90
    assert_dropped_once(take_log(), 90..=99);
    let slice = values.into_slice();
    slice.iter().for_each(Counted::assert_intact);
    // Values put later of the same type join or follow the run.
    blink.put(counted(1000));
    let mut more = blink.vec();
    more.extend((200..210).map(counted));
    more.into_slice();
    assert!(log().is_empty());
    blink.reset();
    let mut expected: Vec<u32> = (0..90).collect();
    expected.push(1000);
    expected.extend(200..210);
    assert_dropped_once(take_log(), expected);
    blink.reset();
    assert!(take_log().is_empty());
}

#[test]
fn vec_dropped_before_into_slice_drops_its_values() {
    start();
    let mut blink = Blink::new();
    let mut values = blink.vec();
    values.extend((0..10).map(counted));
    drop(values);
    assert_dropped_once(take_log(), 0..10);
    assert_eq!(blink.allocator().stats().used_bytes, 0);
    blink.reset();
    assert!(take_log().is_empty());
}

#[test]
fn vec_moves_when_not_at_the_tip_and_grows_in_place_when_it_is() {
    start();
    let mut blink = Blink::new();
    let mut values = blink.vec::<Counted>();
    values.reserve(8);
    let first = values.as_ptr();
    for id in 0..8 {
        values.push(counted(id));
    }
    values.push(counted(8)); // grows in place
    assert_eq!(values.as_ptr(), first);
    let other = blink.put(counted(100));
    for id in 9..40 {
        values.push(counted(id)); // moves once
    }
    assert_ne!(values.as_ptr(), first);
    values.iter().for_each(Counted::assert_intact);
    other.assert_intact();
    values.into_slice();
    blink.reset();
    assert_dropped_once(take_log(), (0..40).chain([100]));
}

#[test]
fn vec_no_drop_never_drops_after_into_slice() {
    start();
    let mut blink = Blink::new();
    let mut values = blink.vec_no_drop();
    values.extend((0..5).map(counted));
    let slice = values.into_slice();
    assert_eq!(slice.len(), 5);
    blink.reset();
    assert!(take_log().is_empty());
    // Dropped before `into_slice`, it drops its values.
    let mut values = blink.vec_no_drop();
    values.push(counted(7));
    drop(values);
    assert_eq!(take_log(), [7]);
}

#[test]
fn vec_of_zero_sized_values() {
    start();
    let mut blink = Blink::new();
    let mut zsts = blink.vec();
    for _ in 0..1000 {
        zsts.push(Zst);
    }
    zsts.pop();
    assert_eq!(zst_drops(), 1);
    assert_eq!(zsts.into_slice().len(), 999);
    let mut expected = 1 + 999;
    // Miri's symbolic alignment check cannot see an over-aligned block cut
    // from a chunk of smaller alignment (see `over_aligned_checkable`).
    if over_aligned_checkable() {
        let mut aligned = blink.vec();
        aligned.extend((0..3).map(|_| ZstAligned));
        assert_eq!(aligned.into_slice().as_ptr() as usize % 64, 0);
        expected += 3;
    }
    blink.reset();
    assert_eq!(zst_drops(), expected);
    let empty = blink.vec::<Zst>().into_slice();
    assert!(empty.is_empty());
    let mut units = blink.vec_no_drop();
    units.extend([(), ()]);
    assert_eq!(units.into_slice().len(), 2);
    assert_eq!(blink.allocator().stats().used_bytes, 0);
}

#[test]
fn vec_try_forms() {
    let full = Blink::new_in(BlinkAlloc::new().limit(0));
    let mut values = full.vec();
    assert_eq!(values.try_push(String::from("x")), Err(String::from("x")));
    assert!(values.try_reserve(1).is_err());
    assert!(values.into_slice().is_empty());
    let blink = Blink::new();
    let mut values = blink.vec::<u64>();
    assert!(values.try_reserve(usize::MAX).is_err());
    assert!(values.try_reserve(10).is_ok());
}

#[test]
fn vec_in_scopes_drops_at_close() {
    start();
    let mut blink = Blink::new();
    let outside = Cell::new(0);
    blink.scope(|frame| {
        let mut values = frame.vec();
        values.extend((0..4).map(counted));
        let values = values.into_slice();
        frame.scope(|inner| {
            let mut refs = inner.vec();
            refs.push(&values[0]);
            refs.push(&values[1]);
            let mut more = inner.vec();
            more.extend((10..13).map(counted));
            more.into_slice();
            outside.set(refs.len());
        });
        assert_dropped_once(take_log(), 10..13);
        values.iter().for_each(Counted::assert_intact);
    });
    assert_dropped_once(take_log(), 0..4);
    assert_eq!(outside.get(), 2);
    assert_eq!(blink.allocator().stats().used_bytes, 0);
}

/// Logs its id when dropped, then panics if it is the bomb.
struct Fuse {
    id: u32,
    bomb: bool,
}

impl Drop for Fuse {
    fn drop(&mut self) {
        drop(counted(self.id));
        assert!(!self.bomb, "fuse {} went off", self.id);
    }
}

/// An iterator that panics after `n` items.
fn panicking_after(n: u32) -> impl Iterator<Item = Counted> {
    (0..).map(move |id| {
        assert!(id < n, "iterator panicked");
        counted(id)
    })
}

#[test]
fn panic_while_pushing_leaks_nothing_and_drops_once() {
    start();
    let mut blink = Blink::new();
    let result = catch_unwind(AssertUnwindSafe(|| {
        let mut values = blink.vec();
        values.extend(panicking_after(5));
    }));
    assert!(result.is_err());
    assert_dropped_once(take_log(), 0..5);
    assert_eq!(blink.allocator().stats().used_bytes, 0);

    // A value whose drop panics, in a vector dropped early: the others are
    // still dropped, once.
    let result = catch_unwind(AssertUnwindSafe(|| {
        let mut values = blink.vec();
        values.extend((1..4).map(|id| Fuse { id, bomb: id == 2 }));
        drop(values);
    }));
    assert!(result.is_err());
    assert_dropped_once(take_log(), [1, 2, 3]);
    assert_eq!(blink.allocator().stats().used_bytes, 0);

    // And at the reset: the others are dropped and the arena is reset.
    let result = catch_unwind(AssertUnwindSafe(|| {
        let mut values = blink.vec();
        values.extend((1..4).map(|id| Fuse { id, bomb: id == 2 }));
        values.into_slice();
        blink.reset();
    }));
    assert!(result.is_err());
    assert_dropped_once(take_log(), [1, 2, 3]);
    assert_eq!(blink.allocator().stats().used_bytes, 0);

    // And inside a scope, the scope's values are dropped on the way out.
    let result = catch_unwind(AssertUnwindSafe(|| {
        blink.scope(|frame| {
            let mut kept = frame.vec();
            kept.extend((100..103).map(counted));
            kept.into_slice();
            let mut values = frame.vec();
            values.extend(panicking_after(3));
        })
    }));
    assert!(result.is_err());
    assert_dropped_once(take_log(), (0..3).chain(100..103));
    blink.reset();
    assert!(take_log().is_empty());
}

/// A `!Unpin` value that checks it never moved and logs its drop.
struct Pinned {
    id: u32,
    home: Cell<usize>,
    _pin: PhantomPinned,
}

impl Pinned {
    fn new(id: u32) -> Self {
        Pinned {
            id,
            home: Cell::new(0),
            _pin: PhantomPinned,
        }
    }

    fn settle(self: Pin<&mut Self>) {
        self.home.set(&*self as *const Self as usize);
    }
}

impl Drop for Pinned {
    fn drop(&mut self) {
        let home = self.home.get();
        assert!(home == 0 || home == self as *const Self as usize, "moved");
        counted(self.id); // logs `id` as it drops
    }
}

#[test]
fn pinned_values_drop_once_before_reuse() {
    start();
    let mut blink = Blink::new();
    for id in 0..10 {
        blink.put_pin(Pinned::new(id)).settle();
    }
    let mut future = blink.put_pin(async { 1 });
    let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
    assert!(future.as_mut().poll(&mut cx).is_ready());
    blink.reset();
    assert_dropped_once(take_log(), 0..10);
    blink.scope(|frame| {
        frame.put_pin(Pinned::new(20)).settle();
        frame.try_put_pin(Pinned::new(21)).ok().unwrap().settle();
    });
    assert_dropped_once(take_log(), 20..22);
    blink.try_put_pin(Pinned::new(30)).ok().unwrap().settle();
    drop(blink);
    assert_eq!(take_log(), [30]);
}

#[test]
fn with_capacity_and_reserve() {
    let blink = BlinkAlloc::with_capacity(10_000);
    let stats = blink.stats();
    assert_eq!(stats.chunks, 1);
    assert!(stats.capacity >= 10_000);
    for _ in 0..100 {
        blink
            .allocate(core::alloc::Layout::new::<[u8; 100]>())
            .unwrap();
    }
    assert_eq!(blink.stats().allocated_bytes, stats.allocated_bytes);
    blink.reserve(50_000).unwrap();
    let stats = blink.stats();
    for _ in 0..500 {
        blink
            .allocate(core::alloc::Layout::new::<[u8; 100]>())
            .unwrap();
    }
    assert_eq!(blink.stats().allocated_bytes, stats.allocated_bytes);
    assert!(blink.reserve(0).is_ok());
    assert!(
        BlinkAlloc::try_with_capacity_in(usize::MAX / 2, allocator_api2::alloc::Global).is_err()
    );
    let limited = BlinkAlloc::new().limit(4096);
    assert!(limited.reserve(8192).is_err());
    assert!(limited.reserve(1024).is_ok());
    // Odd chunk sizes: the room is still all there.
    for bytes in [1, 15, 17, 511, 4095, 4097] {
        let blink = BlinkAlloc::new().max_chunk_size(777);
        blink.reserve(bytes).unwrap();
        let chunks = blink.stats().chunks;
        blink
            .allocate(core::alloc::Layout::from_size_align(bytes, 1).unwrap())
            .unwrap();
        assert_eq!(blink.stats().chunks, chunks, "{bytes}");
    }
    let blink = Blink::with_capacity(4096);
    assert_eq!(blink.allocator().stats().chunks, 1);
}

#[cfg(feature = "sync")]
#[test]
fn sync_with_capacity_and_reserve() {
    let shared = blink_alloc::SyncBlinkAlloc::with_capacity(10_000);
    assert_eq!(shared.stats().chunks, 1);
    assert!(shared.stats().capacity >= 10_000);
    shared.reserve(100_000).unwrap();
    let held = shared.stats().allocated_bytes;
    let layout = core::alloc::Layout::new::<[u8; 1000]>();
    for _ in 0..90 {
        shared.allocate(layout).unwrap();
    }
    assert_eq!(shared.stats().allocated_bytes, held);
    let pinned = Blink::new_in(blink_alloc::SyncBlinkAlloc::new());
    assert_eq!(*pinned.put_pin(3), 3);
}
