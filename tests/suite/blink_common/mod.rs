//! Helpers shared by the `blink_*` integration tests: values that log their
//! drops, a zero-sized value with drop glue, and a base allocator that
//! counts its calls.
#![allow(dead_code)]

use core::{alloc::Layout, cell::Cell, cell::RefCell, ptr::NonNull};
use std::rc::Rc;

use allocator_api2::alloc::{AllocError, Allocator, Global};

thread_local! {
    static LOG: RefCell<Vec<u32>> = const { RefCell::new(Vec::new()) };
    static ZST_DROPS: Cell<usize> = const { Cell::new(0) };
}

/// Clears this thread's drop log and ZST drop count; call at test start.
pub fn start() {
    LOG.with(|log| log.borrow_mut().clear());
    ZST_DROPS.with(|n| n.set(0));
}

/// Takes the ids dropped so far, in drop order.
pub fn take_log() -> Vec<u32> {
    LOG.with(|log| core::mem::take(&mut *log.borrow_mut()))
}

/// The ids dropped so far, without clearing.
pub fn log() -> Vec<u32> {
    LOG.with(|log| log.borrow().clone())
}

/// How many `Zst` values were dropped on this thread.
pub fn zst_drops() -> usize {
    ZST_DROPS.with(Cell::get)
}

/// A value that logs its id when dropped. It owns no heap memory, so leaking
/// one (the `_no_drop` forms do) leaks nothing Miri would report.
#[derive(Debug, PartialEq, Eq)]
pub struct Counted {
    pub id: u32,
    /// A pattern derived from `id`, to catch overwritten values.
    pub check: u64,
}

pub fn counted(id: u32) -> Counted {
    Counted {
        id,
        check: pattern(id),
    }
}

pub fn pattern(id: u32) -> u64 {
    u64::from(id).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xA5A5_A5A5
}

impl Counted {
    pub fn assert_intact(&self) {
        assert_eq!(
            self.check,
            pattern(self.id),
            "value {} was overwritten",
            self.id
        );
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.assert_intact();
        LOG.with(|log| log.borrow_mut().push(self.id));
    }
}

/// A zero-sized value with drop glue.
#[derive(Debug)]
pub struct Zst;

impl Drop for Zst {
    fn drop(&mut self) {
        ZST_DROPS.with(|n| n.set(n.get() + 1));
    }
}

/// A zero-sized value with drop glue and a large alignment.
#[derive(Debug)]
#[repr(align(64))]
pub struct ZstAligned;

impl Drop for ZstAligned {
    fn drop(&mut self) {
        ZST_DROPS.with(|n| n.set(n.get() + 1));
    }
}

/// A value whose `Drop` panics (after logging its id).
pub struct Bomb(pub u32);

impl Drop for Bomb {
    fn drop(&mut self) {
        LOG.with(|log| log.borrow_mut().push(self.0));
        panic!("bomb {} went off", self.0);
    }
}

/// Asserts that `ids` were each dropped exactly once and nothing else was.
pub fn assert_dropped_once(mut dropped: Vec<u32>, ids: impl IntoIterator<Item = u32>) {
    let mut expected: Vec<u32> = ids.into_iter().collect();
    dropped.sort_unstable();
    expected.sort_unstable();
    assert_eq!(dropped, expected);
}

/// Calls made to a [`CountingAlloc`].
#[derive(Default, Debug)]
pub struct Calls {
    pub allocs: Cell<usize>,
    pub frees: Cell<usize>,
    pub live_bytes: Cell<usize>,
}

/// A base allocator over `Global` that counts its calls.
#[derive(Clone, Default)]
pub struct CountingAlloc(pub Rc<Calls>);

// SAFETY: forwards to `Global`, only counting.
unsafe impl Allocator for CountingAlloc {
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        let block = Global.allocate(layout)?;
        self.0.allocs.set(self.0.allocs.get() + 1);
        self.0
            .live_bytes
            .set(self.0.live_bytes.get() + layout.size());
        Ok(block)
    }

    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        self.0.frees.set(self.0.frees.get() + 1);
        self.0
            .live_bytes
            .set(self.0.live_bytes.get() - layout.size());
        // SAFETY: forwarded from the caller.
        unsafe { Global.deallocate(ptr, layout) }
    }
}

/// An iterator that yields `items` but reports whatever `hint` it is given.
pub struct Lying<I> {
    pub items: I,
    pub hint: (usize, Option<usize>),
}

impl<I: Iterator> Iterator for Lying<I> {
    type Item = I::Item;
    fn next(&mut self) -> Option<I::Item> {
        self.items.next()
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.hint
    }
}

/// Smaller sizes under Miri.
pub const fn scale(native: usize, miri: usize) -> usize {
    if cfg!(miri) {
        miri
    } else {
        native
    }
}

/// Whether to check arena values aligned beyond the chunk alignment (16).
///
/// Under Miri's `-Zmiri-symbolic-alignment-check`, a block that the arena
/// aligns by address inside a 16-aligned chunk is reported as misaligned
/// (Miri's documented false positive for code that aligns pointers by hand),
/// and Miri offers no way to detect that flag from inside. So under Miri
/// these checks run only when asked, in a pass without that flag:
/// `MIRIFLAGS="-Zmiri-strict-provenance -Zmiri-env-set=BLINK_MIRI_OVERALIGNED=1"`.
pub fn over_aligned_checkable() -> bool {
    !cfg!(miri) || std::env::var_os("BLINK_MIRI_OVERALIGNED").is_some()
}
