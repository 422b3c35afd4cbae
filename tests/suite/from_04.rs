//! What blink-alloc 0.4 users rely on, checked against this crate.
//!
//! The first five tests follow the scenarios of 0.4's own unit tests
//! (`src/tests.rs` in the zakarumych/blink-alloc repository, written
//! against its public API): the same set-up and the same calls, rewritten
//! here with assertions on what each one promises. The rest cover the other
//! 0.4 idioms that MIGRATING.md says still work.

use core::{alloc::Layout, cell::Cell, ptr::NonNull};

use allocator_api2::{
    alloc::{AllocError, Allocator, Global},
    vec::Vec,
};
use blink_alloc::{Blink, BlinkAlloc};

/// A base allocator that serves `left` more blocks, then refuses.
struct Serves {
    left: Cell<usize>,
}

impl Serves {
    fn once() -> Self {
        Serves { left: Cell::new(1) }
    }
}

// SAFETY: blocks come from `Global` and go back to it unchanged.
unsafe impl Allocator for Serves {
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        if self.left.get() == 0 {
            return Err(AllocError);
        }
        self.left.set(self.left.get() - 1);
        Global.allocate(layout)
    }

    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        // SAFETY: the caller passes a block of ours, which `Global` made.
        unsafe { Global.deallocate(ptr, layout) }
    }
}

#[test]
fn an_arena_hands_out_a_usize_and_resets() {
    let mut blink = BlinkAlloc::new();
    let block = blink
        .allocate(Layout::new::<usize>())
        .unwrap()
        .cast::<usize>();
    // SAFETY: a fresh block sized and aligned for a `usize`.
    unsafe { block.as_ptr().write(42) };
    // SAFETY: written just above; the arena is not reset yet.
    assert_eq!(unsafe { block.as_ptr().read() }, 42);
    blink.reset();
}

/// A chunk size of `n` holds `n` bytes of blocks: a filtered iterator (its
/// size hint says 0) of exactly that many bytes is collected in the one
/// chunk the base allocator is willing to give.
#[test]
fn a_filtered_iterator_fits_in_a_chunk_of_its_exact_size() {
    const COUNT: u32 = if cfg!(miri) { 200 } else { 2000 };
    let chunk_size = COUNT as usize * size_of::<u32>();
    let once = Serves::once();
    let mut blink = Blink::new_in(BlinkAlloc::with_chunk_size_in(chunk_size, &once));

    let items = blink.emplace().from_iter((0..COUNT).filter(|_| true));
    assert_eq!(items.len(), COUNT as usize);
    assert!(items.iter().copied().eq(0..COUNT));
    assert_eq!(blink.allocator().stats().chunks, 1);
    blink.reset();
}

/// Allocations resume after a reset, from the memory the arena kept.
#[test]
fn allocation_goes_on_after_a_reset() {
    let base = Serves {
        left: Cell::new(usize::MAX),
    };
    let mut alloc = BlinkAlloc::with_chunk_size_in(0, &base);
    for _ in 0..123 {
        alloc.allocate(Layout::new::<u32>()).unwrap();
    }
    alloc.reset();
    // The base allocator refuses from now on: the chunk kept serves these.
    base.left.set(0);
    for _ in 0..123 {
        alloc.allocate(Layout::new::<u32>()).unwrap();
    }
}

/// A value placed without drop glue may borrow from outside the arena and
/// be pointed at arena values; its `Drop` is never run.
#[test]
fn a_value_without_drop_may_borrow_the_arena() {
    struct Shows<'a>(&'a String, &'a Cell<usize>);
    impl Drop for Shows<'_> {
        fn drop(&mut self) {
            self.1.set(self.1.get() + 1);
        }
    }

    let drops = Cell::new(0);
    let mut blink = Blink::new();
    let hello = "Hello".to_owned();
    let shows = blink.emplace_no_drop().value(Shows(&hello, &drops));
    assert_eq!(shows.0, "Hello");
    shows.0 = blink.put("World".to_owned());
    assert_eq!(shows.0, "World");
    blink.reset();
    assert_eq!(drops.get(), 0);
}

#[test]
fn a_vec_grows_in_the_arena() {
    let mut alloc = BlinkAlloc::new();
    let mut vec = Vec::new_in(&alloc);
    vec.extend([1, 2, 3]);
    vec.push(4);
    vec.extend(5..6);
    vec.push(6);
    assert_eq!(vec, [1, 2, 3, 4, 5, 6]);
    drop(vec);
    alloc.reset();
}

/// 0.4's benches build their emplacers with `Default`.
#[test]
fn emplacers_and_arenas_have_defaults() {
    let blink = Blink::<BlinkAlloc>::default();
    assert_eq!(*blink.put(1u8), 1);
    let blink: Blink<BlinkAlloc<std::alloc::System>> = Blink::default();
    assert_eq!(blink.copy_str("system"), "system");
    #[cfg(feature = "sync")]
    {
        let blink = Blink::<blink_alloc::SyncBlinkAlloc>::default();
        assert_eq!(blink.put(String::from("sync")).as_str(), "sync");
    }
}

/// With a bad size hint, a slice at the tip fills its chunk before it asks
/// for another, for every chunk size: it needs no more free room than it
/// holds.
#[test]
fn from_iter_with_a_bad_hint_needs_no_more_room_than_its_result() {
    for count in [1usize, 3, 4, 5, 17, 100, 1000, 1025] {
        for item_size in [1usize, 8] {
            let once = Serves::once();
            let blink = Blink::new_in(BlinkAlloc::with_chunk_size_in(count * item_size, &once));
            if item_size == 1 {
                let items = blink
                    .emplace()
                    .from_iter((0..count).map(|i| i as u8).filter(|_| true));
                assert_eq!(items.len(), count);
            } else {
                let items = blink
                    .emplace()
                    .from_iter((0..count as u64).filter(|_| true));
                assert!(items.iter().copied().eq(0..count as u64));
            }
        }
    }
}
