//! A `SyncBlinkAlloc` driven from two threads at once, each through the
//! shared arena and through its own `LocalBlinkAlloc` views, by two
//! operation streams split from the input. Each thread checks its own
//! blocks as it goes (contents, alignment, no overlap); after the join,
//! every block of both threads must be intact and disjoint from all others,
//! and the arena resets and serves again.
#![no_main]

use core::alloc::Layout;
use core::ptr::NonNull;

use allocator_api2::alloc::Allocator;
use arbitrary::Arbitrary;
use blink_alloc::{Checkpoint, LocalBlinkAlloc, SyncBlinkAlloc};
use blink_fuzz::{check_disjoint, check_new_block, fill, is_absurd, Block, LayoutSel};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Via {
    Shared,
    Local,
    /// allocator-api2's `Allocator` for `&SyncBlinkAlloc`.
    SharedApi,
    /// allocator-api2's `Allocator` for `&LocalBlinkAlloc`.
    LocalApi,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Op {
    Alloc {
        layout: LayoutSel,
        zeroed: bool,
        via: Via,
    },
    /// Resizes a block of the shared arena or of the current view, by its
    /// own allocator.
    Resize {
        block: u16,
        layout: LayoutSel,
        api: bool,
    },
    Dealloc {
        block: u16,
        api: bool,
    },
    Check,
    /// Resets the current view: its blocks are gone.
    LocalReset,
    LocalCheckpoint,
    LocalRewind {
        which: u8,
    },
    /// Drops the current view and takes a new one; the old view's blocks
    /// stay valid until the shared arena resets.
    NewLocal,
    Yield,
}

#[derive(Debug)]
struct Input {
    chunk_size: Option<u16>,
    limit: Option<u32>,
    max_local_alloc: Option<u16>,
    first: Vec<Op>,
    second: Vec<Op>,
}

/// The input's operations, each tagged with the thread that runs it.
impl<'a> Arbitrary<'a> for Input {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        let chunk_size = u.arbitrary()?;
        let limit = u.arbitrary()?;
        let max_local_alloc = u.arbitrary()?;
        let (mut first, mut second) = (Vec::new(), Vec::new());
        for (second_thread, op) in blink_fuzz::ops_to_the_end::<(bool, Op)>(u)? {
            if second_thread {
                second.push(op);
            } else {
                first.push(op);
            }
        }
        Ok(Input {
            chunk_size,
            limit,
            max_local_alloc,
            first,
            second,
        })
    }
}

/// Most bytes a thread's model keeps live at once.
const MAX_LIVE: usize = 2 << 20;
/// The owner of blocks of the shared arena itself.
const SHARED: u32 = 0;

struct Thread<'a> {
    shared: &'a SyncBlinkAlloc,
    local: LocalBlinkAlloc<'a>,
    /// Owner id of the current view's blocks; older views' blocks keep
    /// theirs and can no longer be resized or freed.
    view: u32,
    blocks: Vec<Block>,
    checkpoints: Vec<(Checkpoint, u64)>,
    clock: u64,
    live_bytes: usize,
    seed: u8,
    limited: bool,
}

impl Thread<'_> {
    fn tick(&mut self) -> u64 {
        self.clock += 1;
        self.clock
    }

    fn remove(&mut self, index: usize) -> Block {
        let block = self.blocks.swap_remove(index);
        self.live_bytes -= block.layout.size();
        block
    }

    fn remove_where(&mut self, mut gone: impl FnMut(&Block) -> bool) {
        let mut i = 0;
        while i < self.blocks.len() {
            if gone(&self.blocks[i]) {
                self.remove(i);
            } else {
                i += 1;
            }
        }
    }

    fn verify_all(&self, what: &str) {
        for block in &self.blocks {
            block.verify(what);
        }
    }

    fn check_failure(&self, layout: Layout, what: &str) {
        assert!(
            is_absurd(layout) || self.limited,
            "{what}: {layout:?} failed with no limit set"
        );
    }

    fn add(&mut self, addr: usize, layout: Layout, owner: u32, zeroed: bool, seed: u8, what: &str) {
        check_new_block(&self.blocks, addr, layout, what);
        if zeroed {
            // SAFETY: a fresh block of `layout.size()` bytes.
            let bytes = unsafe { core::slice::from_raw_parts(addr as *const u8, layout.size()) };
            assert!(blink_fuzz::all_zero(bytes), "{what}: not zeroed");
        }
        // SAFETY: a fresh block of `layout.size()` bytes.
        unsafe { fill(addr, 0, layout.size(), seed) };
        let born = self.tick();
        self.live_bytes += layout.size();
        self.blocks.push(Block {
            addr,
            layout,
            seed,
            born,
            owner,
        });
    }

    fn run(&mut self, ops: Vec<Op>, thread: usize) {
        for (step, op) in ops.into_iter().enumerate() {
            let what = format!("thread {thread} op {step} {op:?}");
            match op {
                Op::Alloc {
                    layout,
                    zeroed,
                    via,
                } => {
                    let layout = layout.layout();
                    if !is_absurd(layout) && self.live_bytes + layout.size() > MAX_LIVE {
                        continue;
                    }
                    let (block, owner) = match (via, zeroed) {
                        (Via::Shared, false) => (self.shared.allocate(layout), SHARED),
                        (Via::Shared, true) => (self.shared.allocate_zeroed(layout), SHARED),
                        (Via::SharedApi, false) => {
                            (Allocator::allocate(&self.shared, layout), SHARED)
                        }
                        (Via::SharedApi, true) => {
                            (Allocator::allocate_zeroed(&self.shared, layout), SHARED)
                        }
                        (Via::Local, false) => (self.local.allocate(layout), self.view),
                        (Via::Local, true) => (self.local.allocate_zeroed(layout), self.view),
                        (Via::LocalApi, false) => {
                            (Allocator::allocate(&&self.local, layout), self.view)
                        }
                        (Via::LocalApi, true) => {
                            (Allocator::allocate_zeroed(&&self.local, layout), self.view)
                        }
                    };
                    match block {
                        Ok(block) => {
                            assert!(!is_absurd(layout), "{what}: an absurd layout succeeded");
                            assert_eq!(block.len(), layout.size(), "{what}: block length");
                            self.seed = self.seed.wrapping_add(41);
                            let addr = block.cast::<u8>().as_ptr() as usize;
                            self.add(addr, layout, owner, zeroed, self.seed, &what);
                        }
                        Err(_) => self.check_failure(layout, &what),
                    }
                }
                Op::Resize { block, layout, api } => {
                    if self.blocks.is_empty() {
                        continue;
                    }
                    let index = block as usize % self.blocks.len();
                    let old = self.blocks[index];
                    if old.owner != SHARED && old.owner != self.view {
                        continue; // its view is gone
                    }
                    let new = layout.layout();
                    if !is_absurd(new)
                        && self.live_bytes - old.layout.size() + new.size() > MAX_LIVE
                    {
                        continue;
                    }
                    old.verify(&what);
                    let ptr = NonNull::new(old.addr as *mut u8).unwrap();
                    let grow = new.size() >= old.layout.size();
                    // SAFETY: a live block of this allocator with this layout;
                    // after a success, only the result is used.
                    let result = unsafe {
                        match (old.owner == SHARED, api, grow) {
                            (true, false, _) => self.shared.resize(ptr, old.layout, new),
                            (false, false, _) => self.local.resize(ptr, old.layout, new),
                            (true, true, true) => {
                                Allocator::grow(&self.shared, ptr, old.layout, new)
                            }
                            (true, true, false) => {
                                Allocator::shrink(&self.shared, ptr, old.layout, new)
                            }
                            (false, true, true) => {
                                Allocator::grow(&&self.local, ptr, old.layout, new)
                            }
                            (false, true, false) => {
                                Allocator::shrink(&&self.local, ptr, old.layout, new)
                            }
                        }
                    };
                    match result {
                        Ok(moved) => {
                            assert!(!is_absurd(new), "{what}: an absurd resize succeeded");
                            assert_eq!(moved.len(), new.size(), "{what}: block length");
                            let addr = moved.cast::<u8>().as_ptr() as usize;
                            if !grow && old.addr % new.align() == 0 {
                                assert_eq!(addr, old.addr, "{what}: a shrink in place moved");
                            }
                            let old = self.remove(index);
                            check_new_block(&self.blocks, addr, new, &what);
                            let kept = old.layout.size().min(new.size());
                            Block {
                                addr,
                                layout: Layout::from_size_align(kept, new.align()).unwrap(),
                                ..old
                            }
                            .verify(&format!("{what}: kept bytes"));
                            // SAFETY: the block has `new.size()` bytes.
                            unsafe { fill(addr, kept, new.size(), old.seed) };
                            let born = self.tick();
                            self.live_bytes += new.size();
                            self.blocks.push(Block {
                                addr,
                                layout: new,
                                born,
                                ..old
                            });
                        }
                        Err(_) => {
                            assert!(
                                grow || old.addr % new.align() != 0,
                                "{what}: a shrink in place failed"
                            );
                            self.check_failure(new, &what);
                            old.verify(&format!("{what}: after a failed resize"));
                        }
                    }
                }
                Op::Dealloc { block, api } => {
                    if self.blocks.is_empty() {
                        continue;
                    }
                    let index = block as usize % self.blocks.len();
                    let owner = self.blocks[index].owner;
                    if owner != SHARED && owner != self.view {
                        continue;
                    }
                    let block = self.remove(index);
                    block.verify(&what);
                    let ptr = NonNull::new(block.addr as *mut u8).unwrap();
                    let size = block.layout.size();
                    // SAFETY: a live block of this allocator, never used again.
                    unsafe {
                        match (owner == SHARED, api) {
                            (true, false) => self.shared.deallocate(ptr, size),
                            (false, false) => self.local.deallocate(ptr, size),
                            (true, true) => Allocator::deallocate(&self.shared, ptr, block.layout),
                            (false, true) => Allocator::deallocate(&&self.local, ptr, block.layout),
                        }
                    }
                }
                Op::Check => self.verify_all(&what),
                Op::LocalReset => {
                    let view = self.view;
                    self.remove_where(|b| b.owner == view);
                    self.checkpoints.clear();
                    self.verify_all(&format!("{what}: before"));
                    self.local.reset();
                    self.verify_all(&format!("{what}: after"));
                }
                Op::LocalCheckpoint => {
                    let clock = self.tick();
                    self.checkpoints.push((self.local.checkpoint(), clock));
                }
                Op::LocalRewind { which } => {
                    if self.checkpoints.is_empty() {
                        continue;
                    }
                    let index = which as usize % self.checkpoints.len();
                    let (checkpoint, clock) = self.checkpoints[index];
                    self.checkpoints.truncate(index + 1);
                    let view = self.view;
                    // Only the view's own blocks go; the shared arena's stay.
                    self.remove_where(|b| b.owner == view && b.born > clock);
                    self.verify_all(&format!("{what}: before"));
                    // SAFETY: a checkpoint of this view, with no reset and no
                    // rewind to an earlier one since; the model dropped the
                    // view's blocks allocated or resized after it.
                    unsafe { self.local.rewind(checkpoint) };
                    self.verify_all(&format!("{what}: after"));
                }
                Op::NewLocal => {
                    self.checkpoints.clear();
                    self.local = self.shared.local();
                    self.view += 2;
                    self.verify_all(&what);
                }
                Op::Yield => std::hint::spin_loop(),
            }
        }
        self.verify_all(&format!("thread {thread} at the end"));
    }
}

fn run(input: Input) {
    let mut shared = match input.chunk_size {
        Some(size) => SyncBlinkAlloc::with_chunk_size(size as usize),
        None => SyncBlinkAlloc::new(),
    };
    if let Some(limit) = input.limit {
        shared = shared.limit(limit as usize);
    }
    if let Some(max) = input.max_local_alloc {
        shared.update_max_local_alloc(max as usize);
    }
    let limited = input.limit.is_some();
    let streams = [input.first, input.second];
    let blocks: Vec<Block> = std::thread::scope(|s| {
        let handles: Vec<_> = streams
            .into_iter()
            .enumerate()
            .map(|(thread, ops)| {
                let shared = &shared;
                s.spawn(move || {
                    let mut me = Thread {
                        shared,
                        local: shared.local(),
                        // Odd ids for one thread, even for the other.
                        view: 1 + thread as u32,
                        blocks: Vec::new(),
                        checkpoints: Vec::new(),
                        clock: 0,
                        live_bytes: 0,
                        seed: thread as u8 * 128,
                        limited,
                    };
                    me.run(ops, thread);
                    me.blocks
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|handle| handle.join().expect("a thread panicked"))
            .collect()
    });
    for block in &blocks {
        block.verify("after the join");
    }
    check_disjoint(&blocks, "after the join");

    shared.reset();
    assert_eq!(shared.stats().used_bytes, 0, "reset left bytes used");
    // The arena serves again after the reset.
    let mut again = Vec::new();
    for (i, size) in [1usize, 100, 5000].into_iter().enumerate() {
        let layout = Layout::from_size_align(size, 8).unwrap();
        match shared.allocate(layout) {
            Ok(block) => {
                let addr = block.cast::<u8>().as_ptr() as usize;
                check_new_block(&again, addr, layout, "after the reset");
                // SAFETY: a fresh block of `size` bytes.
                unsafe { fill(addr, 0, size, i as u8) };
                again.push(Block {
                    addr,
                    layout,
                    seed: i as u8,
                    born: 0,
                    owner: SHARED,
                });
            }
            Err(_) => assert!(limited, "allocation after the reset failed with no limit"),
        }
    }
    for block in &again {
        block.verify("after the reset");
    }
}

fuzz_target!(|input: Input| run(input));
