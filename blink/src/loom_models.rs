//! loom models of every atomic protocol of the sync allocators.
//!
//! ```text
//! RUSTFLAGS="--cfg loom" cargo test -p blink-alloc --features sync --release --lib loom
//! ```
//!
//! Each model is a few threads doing a few operations, so that loom can
//! explore every interleaving (bounded by `PREEMPTIONS`) in seconds.
//! loom sees the atomics and the lock (routed through `arena::shim`); the
//! models check what they protect: blocks are disjoint, bytes written are
//! read back, and a chunk is added once per miss, not once per thread.

use core::{alloc::Layout, ptr::NonNull};

use loom::{sync::Arc, thread};

use crate::{BlinkAlloc, BlinkAllocCache, SyncBlinkAlloc};

const PREEMPTIONS: usize = 3;

fn model(f: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(PREEMPTIONS);
    builder.check(f);
}

/// A written block, to check after the threads join.
#[derive(Clone, Copy, Debug)]
struct Block {
    ptr: NonNull<u8>,
    addr: usize,
    size: usize,
    tag: u8,
}

// SAFETY: a record of where a block is; it is read only after the thread
// that wrote the block has joined.
unsafe impl Send for Block {}

fn alloc_and_fill(alloc: impl Fn(Layout) -> NonNull<[u8]>, size: usize, tag: u8) -> Block {
    let block = alloc(Layout::from_size_align(size, 8).unwrap()).cast::<u8>();
    // SAFETY: a fresh block of `size` bytes.
    unsafe { block.as_ptr().write_bytes(tag, size) };
    Block {
        ptr: block,
        addr: block.as_ptr().addr(),
        size,
        tag,
    }
}

/// Blocks are disjoint and still hold their tags.
fn check(shared: &SyncBlinkAlloc, mut blocks: Vec<Block>) {
    blocks.sort_by_key(|b| b.addr);
    for w in blocks.windows(2) {
        assert!(w[0].addr + w[0].size <= w[1].addr, "overlap: {blocks:?}");
    }
    for b in &blocks {
        // SAFETY: the block is live (the arena is not reset) and fully
        // written by a thread that has joined.
        let bytes = unsafe { core::slice::from_raw_parts(b.ptr.as_ptr(), b.size) };
        assert!(bytes.iter().all(|&x| x == b.tag), "overwritten: {b:?}");
    }
    let _ = shared;
}

/// Two threads reserve their slot blocks from the same chunk: the
/// compare-and-swap hands out disjoint blocks, and a tip free by one thread
/// never gives away bytes the other one holds.
#[test]
fn loom_cursor_reservation() {
    model(|| {
        // Room in the first chunk for three threads' first slot blocks.
        let shared = Arc::new(SyncBlinkAlloc::with_chunk_size(2048));
        // The first chunk exists before the threads start.
        let first = alloc_and_fill(alloc_of(&shared), 8, 1);
        let handles: Vec<_> = (0..2u8)
            .map(|t| {
                let shared = shared.clone();
                thread::spawn(move || {
                    let keep = alloc_and_fill(alloc_of(&shared), 8, 10 + t);
                    // Allocate and free at the tip (given back only if no
                    // other thread allocated after it).
                    let tmp = shared.allocate(Layout::new::<u64>()).unwrap();
                    // SAFETY: `tmp` is live, 8 bytes, never used again.
                    unsafe { shared.deallocate(tmp.cast(), 8) };
                    keep
                })
            })
            .collect();
        let mut blocks: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        blocks.push(first);
        check(&shared, blocks);
        assert_eq!(shared.stats().chunks, 1);
    });
}

fn alloc_of(shared: &SyncBlinkAlloc) -> impl Fn(Layout) -> NonNull<[u8]> + '_ {
    move |layout| shared.allocate(layout).unwrap()
}

/// Both threads miss the full chunk: one adds a chunk under the lock, the
/// other re-checks after taking the lock and uses it. Exactly one chunk is
/// added, and its header (published with `Release`) is seen whole.
#[test]
fn loom_chunk_hand_over() {
    model(|| {
        let shared = Arc::new(SyncBlinkAlloc::new());
        // Fill most of the first (smallest, 512-byte) chunk.
        let first = alloc_and_fill(alloc_of(&shared), 300, 1);
        let handles: Vec<_> = (0..2u8)
            .map(|t| {
                let shared = shared.clone();
                thread::spawn(move || alloc_and_fill(alloc_of(&shared), 300, 10 + t))
            })
            .collect();
        let mut blocks: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        blocks.push(first);
        check(&shared, blocks);
        // The second chunk doubles to 1024 bytes: room for both blocks.
        assert_eq!(shared.stats().chunks, 2, "{:?}", shared.stats());
    });
}

/// A thread whose slot block ends at the chunk's cursor extends it in place
/// while another thread reserves a block from the same cursor: whichever
/// wins, the blocks are disjoint. Then each frees and regrows its tip.
#[test]
fn loom_slot_extension() {
    model(|| {
        let shared = Arc::new(SyncBlinkAlloc::with_chunk_size(4096));
        let handles: Vec<_> = (0..2u8)
            .map(|t| {
                let shared = shared.clone();
                thread::spawn(move || {
                    // 200 bytes fill most of a first 256-byte slot block;
                    // the next 100 need a refill: an extension if this
                    // thread's block is still the chunk's tip.
                    let a = alloc_and_fill(alloc_of(&shared), 200, 10 + t);
                    let b = alloc_and_fill(alloc_of(&shared), 100, 20 + t);
                    let l100 = Layout::from_size_align(100, 8).unwrap();
                    let l300 = Layout::from_size_align(300, 8).unwrap();
                    // SAFETY: `b` is live with `l100`.
                    let c = unsafe { shared.resize(b.ptr, l100, l300).unwrap() };
                    // SAFETY: `c` is a live block of 300 bytes.
                    unsafe { c.cast::<u8>().as_ptr().write_bytes(30 + t, 300) };
                    let c = Block {
                        ptr: c.cast(),
                        addr: c.cast::<u8>().as_ptr().addr(),
                        size: 300,
                        tag: 30 + t,
                    };
                    vec![a, c]
                })
            })
            .collect();
        let blocks = handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect();
        check(&shared, blocks);
    });
}

/// A thread's slot is full and at the chunk's tip; another thread frees the
/// slot's last block at the chunk's tip while the owner refills its slot by
/// extending it at the same address. Whichever wins, no byte is handed out
/// twice.
#[test]
fn loom_tip_free_races_slot_extension() {
    model(|| {
        let shared = Arc::new(SyncBlinkAlloc::with_chunk_size(4096));
        // 256 bytes aligned to 1 take a whole first slot block.
        let whole = shared
            .allocate(Layout::from_size_align(256, 1).unwrap())
            .unwrap();
        let whole = Block {
            ptr: whole.cast(),
            addr: whole.cast::<u8>().as_ptr().addr(),
            size: 256,
            tag: 0,
        };
        let freer = {
            let shared = shared.clone();
            thread::spawn(move || {
                // SAFETY: `whole` is a live 256-byte block that nobody uses
                // again.
                unsafe { shared.deallocate(whole.ptr, whole.size) };
                alloc_and_fill(alloc_of(&shared), 16, 2)
            })
        };
        let mine = alloc_and_fill(alloc_of(&shared), 8, 1);
        let theirs = freer.join().unwrap();
        check(&shared, vec![mine, theirs]);
    });
}

/// A reset between two rounds of threads makes every thread's slot stale:
/// the second round's blocks come from the reset arena, disjoint, and
/// nothing is handed out twice.
#[test]
fn loom_reset_invalidates_slots() {
    model(|| {
        let shared = Arc::new(SyncBlinkAlloc::with_chunk_size(2048));
        for round in 0..2u8 {
            // This thread takes the first slot block of the chunk; a stale
            // slot would hand out its bytes again in the next round.
            let mine = alloc_and_fill(alloc_of(&shared), 24, 10 * round + 5);
            let handles: Vec<_> = (0..2u8)
                .map(|t| {
                    let shared = shared.clone();
                    thread::spawn(move || alloc_and_fill(alloc_of(&shared), 100, 10 * round + t))
                })
                .collect();
            let mut blocks: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
            blocks.push(mine);
            check(&shared, blocks);
            // SAFETY: every thread that used the arena has joined, and no
            // block of this round is used again.
            unsafe { shared.reset_unchecked() };
        }
    });
}

/// Local views take their blocks from the shared arena at the same time as
/// another thread allocates from it directly.
#[test]
fn loom_locals_take_blocks() {
    model(|| {
        let shared = Arc::new(SyncBlinkAlloc::new());
        let viewer = {
            let shared = shared.clone();
            thread::spawn(move || {
                let local = shared.local();
                let a = alloc_and_fill(|l| local.allocate(l).unwrap(), 16, 7);
                let b = alloc_and_fill(|l| local.allocate(l).unwrap(), 16, 8);
                drop(local); // blocks stay valid until the shared reset
                vec![a, b]
            })
        };
        let direct = {
            let shared = shared.clone();
            thread::spawn(move || vec![alloc_and_fill(alloc_of(&shared), 100, 9)])
        };
        let mut blocks = viewer.join().unwrap();
        blocks.extend(direct.join().unwrap());
        check(&shared, blocks);
    });
}

/// Two tasks pop (or make) an arena, use it, and push it back: no arena is
/// lost or handed to both.
#[test]
fn loom_cache_pop_push() {
    model(|| {
        let cache = Arc::new(BlinkAllocCache::<allocator_api2::alloc::Global>::new());
        cache.push(BlinkAlloc::new());
        let handles: Vec<_> = (0..2u8)
            .map(|t| {
                let cache = cache.clone();
                thread::spawn(move || {
                    let blink = cache.pop().unwrap_or_default();
                    let block = blink.allocate(Layout::new::<u64>()).unwrap();
                    // SAFETY: a fresh block for a u64.
                    unsafe { block.cast::<u64>().write(u64::from(t)) };
                    // SAFETY: written just above.
                    assert_eq!(unsafe { block.cast::<u64>().read() }, u64::from(t));
                    cache.push(blink);
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        let n = cache.len();
        assert!((1..=2).contains(&n), "{n} arenas");
        while let Some(blink) = cache.pop() {
            assert_eq!(blink.stats().used_bytes, 0, "push resets");
        }
    });
}
