//! Helpers shared by the integration tests.
//!
//! [`CountingAlloc`] is a base allocator that counts every call, checks the
//! `Allocator` contract on each free (the block must be live, the alignment
//! must match and the size must lie between the requested size and the length
//! handed out), can be told to fail, and can hand out longer blocks than
//! asked for. Clones share their counters, so a test keeps one clone and
//! gives the other to the arena.
//!
//! Use it from a test file with `mod common;`.
#![allow(dead_code)]

use core::{alloc::Layout, ptr::NonNull};
use std::sync::{
    atomic::{AtomicBool, AtomicUsize, Ordering},
    Arc, Mutex,
};

use allocator_api2::alloc::{AllocError, Allocator, Global};

/// One live block handed out by [`CountingAlloc`].
#[derive(Clone, Copy, Debug)]
struct LiveBlock {
    addr: usize,
    /// Layout the caller asked for.
    layout: Layout,
    /// Length handed out (the layout's size plus the slack).
    len: usize,
}

#[derive(Default)]
struct Counters {
    allocs: AtomicUsize,
    deallocs: AtomicUsize,
    grows: AtomicUsize,
    shrinks: AtomicUsize,
    failures: AtomicUsize,
    bytes_allocated: AtomicUsize,
    bytes_deallocated: AtomicUsize,
    peak_live_bytes: AtomicUsize,
    fail: AtomicBool,
    live: Mutex<Vec<LiveBlock>>,
    requests: Mutex<Vec<Layout>>,
}

/// A base allocator over `Global` that counts and checks every call.
///
/// It refuses requests over 1 TiB (see [`refusing_above`](Self::refusing_above)).
#[derive(Clone)]
pub struct CountingAlloc {
    counters: Arc<Counters>,
    /// Extra bytes handed out past each requested size.
    slack: usize,
    /// Requests larger than this fail, as they would on a real machine
    /// (and as Miri cannot show: it stops on a huge allocation).
    refuse_above: usize,
}

impl Default for CountingAlloc {
    fn default() -> Self {
        CountingAlloc {
            counters: Arc::default(),
            slack: 0,
            refuse_above: 1 << 40,
        }
    }
}

/// The counters of a [`CountingAlloc`] at one moment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// Successful `allocate` / `allocate_zeroed` calls.
    pub allocs: usize,
    /// `deallocate` calls.
    pub deallocs: usize,
    /// `grow` / `grow_zeroed` calls.
    pub grows: usize,
    /// `shrink` calls.
    pub shrinks: usize,
    /// Requests refused (forced failures and sizes over the cap).
    pub failures: usize,
    /// Sum of the sizes asked for by successful allocations.
    pub bytes_allocated: usize,
    /// Sum of the requested sizes of the blocks freed (the size passed to
    /// `deallocate` is checked to lie between that and the length handed out).
    pub bytes_deallocated: usize,
}

impl Snapshot {
    /// Every call that reached the base allocator, failed ones included.
    pub fn calls(&self) -> usize {
        self.allocs + self.deallocs + self.grows + self.shrinks + self.failures
    }

    /// What happened between `earlier` and `self`.
    pub fn since(&self, earlier: &Snapshot) -> Snapshot {
        Snapshot {
            allocs: self.allocs - earlier.allocs,
            deallocs: self.deallocs - earlier.deallocs,
            grows: self.grows - earlier.grows,
            shrinks: self.shrinks - earlier.shrinks,
            failures: self.failures - earlier.failures,
            bytes_allocated: self.bytes_allocated - earlier.bytes_allocated,
            bytes_deallocated: self.bytes_deallocated - earlier.bytes_deallocated,
        }
    }
}

impl CountingAlloc {
    /// A counting allocator that hands out exactly what is asked for.
    pub fn new() -> Self {
        Self::default()
    }

    /// A counting allocator that hands out `slack` more bytes than asked
    /// for, as allocators that round up do.
    pub fn with_slack(slack: usize) -> Self {
        CountingAlloc {
            slack,
            ..Self::default()
        }
    }

    /// A counting allocator that refuses requests larger than `bytes`.
    pub fn refusing_above(bytes: usize) -> Self {
        CountingAlloc {
            refuse_above: bytes,
            ..Self::default()
        }
    }

    /// The counters now.
    pub fn snapshot(&self) -> Snapshot {
        let c = &self.counters;
        Snapshot {
            allocs: c.allocs.load(Ordering::SeqCst),
            deallocs: c.deallocs.load(Ordering::SeqCst),
            grows: c.grows.load(Ordering::SeqCst),
            shrinks: c.shrinks.load(Ordering::SeqCst),
            failures: c.failures.load(Ordering::SeqCst),
            bytes_allocated: c.bytes_allocated.load(Ordering::SeqCst),
            bytes_deallocated: c.bytes_deallocated.load(Ordering::SeqCst),
        }
    }

    /// Makes every later request fail (`true`) or succeed again (`false`).
    pub fn set_fail(&self, fail: bool) {
        self.counters.fail.store(fail, Ordering::SeqCst);
    }

    /// Blocks handed out and not yet freed.
    pub fn live_blocks(&self) -> usize {
        self.counters.live.lock().unwrap().len()
    }

    /// Requested bytes of the blocks handed out and not yet freed.
    pub fn live_bytes(&self) -> usize {
        let live = self.counters.live.lock().unwrap();
        live.iter().map(|b| b.layout.size()).sum()
    }

    /// The most requested bytes that were live at once.
    pub fn peak_live_bytes(&self) -> usize {
        self.counters.peak_live_bytes.load(Ordering::SeqCst)
    }

    /// Every layout asked for so far, failed requests included.
    pub fn requests(&self) -> Vec<Layout> {
        self.counters.requests.lock().unwrap().clone()
    }

    /// Whether two handles share their counters.
    pub fn same_as(&self, other: &CountingAlloc) -> bool {
        Arc::ptr_eq(&self.counters, &other.counters)
    }

    /// Panics unless every block handed out was freed, with the sizes
    /// balancing.
    #[track_caller]
    pub fn assert_all_returned(&self) {
        let s = self.snapshot();
        assert_eq!(self.live_blocks(), 0, "blocks still live: {s:?}");
        assert_eq!(s.allocs, s.deallocs, "{s:?}");
        assert_eq!(s.bytes_allocated, s.bytes_deallocated, "{s:?}");
    }
}

// SAFETY: blocks come from `Global` with a layout at least as large as the
// one handed out, stay valid until `deallocate`, and are freed with the
// layout they were allocated with. `grow` and `shrink` use the trait's
// defaults, which go through `allocate` and `deallocate`.
unsafe impl Allocator for CountingAlloc {
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        let c = &self.counters;
        c.requests.lock().unwrap().push(layout);
        if c.fail.load(Ordering::SeqCst) || layout.size() > self.refuse_above {
            c.failures.fetch_add(1, Ordering::SeqCst);
            return Err(AllocError);
        }
        let len = layout.size().checked_add(self.slack).ok_or(AllocError)?;
        let real = Layout::from_size_align(len, layout.align()).map_err(|_| AllocError)?;
        let block = Global.allocate(real)?;
        assert!(block.len() >= len);
        c.allocs.fetch_add(1, Ordering::SeqCst);
        c.bytes_allocated.fetch_add(layout.size(), Ordering::SeqCst);
        let mut live = c.live.lock().unwrap();
        live.push(LiveBlock {
            addr: block.cast::<u8>().as_ptr().addr(),
            layout,
            len,
        });
        let live_bytes = live.iter().map(|b| b.layout.size()).sum();
        c.peak_live_bytes.fetch_max(live_bytes, Ordering::SeqCst);
        Ok(NonNull::slice_from_raw_parts(block.cast(), len))
    }

    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        let c = &self.counters;
        let block = {
            let mut live = c.live.lock().unwrap();
            let index = live
                .iter()
                .position(|b| b.addr == ptr.as_ptr().addr())
                .expect("deallocate: not a live block of this allocator");
            live.swap_remove(index)
        };
        assert_eq!(
            layout.align(),
            block.layout.align(),
            "deallocate: wrong alignment"
        );
        assert!(
            block.layout.size() <= layout.size() && layout.size() <= block.len,
            "deallocate: size {} outside {}..={}",
            layout.size(),
            block.layout.size(),
            block.len
        );
        c.deallocs.fetch_add(1, Ordering::SeqCst);
        c.bytes_deallocated
            .fetch_add(block.layout.size(), Ordering::SeqCst);
        let real = Layout::from_size_align(block.len, block.layout.align()).unwrap();
        // SAFETY: the block came from `Global` with `real` and is live.
        unsafe { Global.deallocate(ptr, real) }
    }

    unsafe fn grow(
        &self,
        ptr: NonNull<u8>,
        old_layout: Layout,
        new_layout: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        self.counters.grows.fetch_add(1, Ordering::SeqCst);
        let new = self.allocate(new_layout)?;
        // SAFETY: the caller gives a live block of `old_layout`, the new one
        // is larger and fresh.
        unsafe {
            core::ptr::copy_nonoverlapping(ptr.as_ptr(), new.cast().as_ptr(), old_layout.size());
            self.deallocate(ptr, old_layout);
        }
        Ok(new)
    }

    unsafe fn shrink(
        &self,
        ptr: NonNull<u8>,
        old_layout: Layout,
        new_layout: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        self.counters.shrinks.fetch_add(1, Ordering::SeqCst);
        let new = self.allocate(new_layout)?;
        // SAFETY: as in `grow`, copying the smaller new size.
        unsafe {
            core::ptr::copy_nonoverlapping(ptr.as_ptr(), new.cast().as_ptr(), new_layout.size());
            self.deallocate(ptr, old_layout);
        }
        Ok(new)
    }
}

/// Fills `len` bytes at `ptr` with the pattern of `seed`.
///
/// # Safety
///
/// `ptr` must be valid for writes of `len` bytes.
pub unsafe fn fill(ptr: NonNull<u8>, len: usize, seed: u8) {
    for i in 0..len {
        // SAFETY: in bounds by the caller's promise.
        unsafe { ptr.as_ptr().add(i).write(pattern(seed, i)) };
    }
}

/// Whether `len` bytes at `ptr` hold the pattern of `seed`; returns the first
/// index that differs.
///
/// # Safety
///
/// `ptr` must be valid for reads of `len` initialised bytes.
pub unsafe fn check(ptr: NonNull<u8>, len: usize, seed: u8) -> Result<(), usize> {
    for i in 0..len {
        // SAFETY: in bounds by the caller's promise.
        if unsafe { ptr.as_ptr().add(i).read() } != pattern(seed, i) {
            return Err(i);
        }
    }
    Ok(())
}

/// Byte `i` of the pattern of `seed`: never the same at neighbouring seeds.
pub fn pattern(seed: u8, i: usize) -> u8 {
    seed.wrapping_mul(31)
        .wrapping_add(i as u8)
        .wrapping_add((i >> 8) as u8)
}

/// The address of a block.
pub fn addr(block: NonNull<[u8]>) -> usize {
    block.cast::<u8>().as_ptr().addr()
}

/// A layout, or a panic naming the bad pair.
#[track_caller]
pub fn layout(size: usize, align: usize) -> Layout {
    Layout::from_size_align(size, align).unwrap_or_else(|_| panic!("bad layout {size}/{align}"))
}

/// `full` under native runs, `miri` under Miri.
pub const fn scaled(full: usize, miri: usize) -> usize {
    if cfg!(miri) {
        miri
    } else {
        full
    }
}
