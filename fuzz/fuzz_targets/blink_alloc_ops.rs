//! Operation sequences on one `BlinkAlloc`, checked against a model of the
//! live blocks: each block keeps its pattern until it is freed, resized,
//! rewound past or reset; blocks are aligned and never overlap; an
//! allocation fails only for an absurd layout or under a limit that it
//! would really pass; the documented in-place cases stay in place.
#![no_main]

use core::alloc::Layout;
use core::ptr::NonNull;

use allocator_api2::alloc::Allocator;
use arbitrary::Arbitrary;
use blink_alloc::{BlinkAlloc, BlinkAllocator, Checkpoint};
use blink_fuzz::{check_new_block, fill, is_absurd, Block, LayoutSel, LARGE};
use libfuzzer_sys::fuzz_target;

/// Which of the three ways in an operation takes.
#[derive(Arbitrary, Debug, Clone, Copy)]
enum Via {
    /// `BlinkAlloc`'s own methods.
    Inherent,
    /// The `BlinkAllocator` trait.
    Trait,
    /// allocator-api2's `Allocator` for `&BlinkAlloc` (grow and shrink).
    Api,
}

#[derive(Arbitrary, Debug)]
enum Op {
    Alloc {
        layout: LayoutSel,
        zeroed: bool,
        via: Via,
    },
    /// Allocates at the end of a live block, if the arena says it can.
    AllocAt {
        block: u16,
        layout: LayoutSel,
    },
    Resize {
        block: u16,
        layout: LayoutSel,
        via: Via,
        zeroed: bool,
    },
    Dealloc {
        block: u16,
        via: Via,
    },
    /// Verifies every live block.
    Check,
    Checkpoint,
    /// Rewinds to one of the checkpoints still valid.
    Rewind {
        which: u8,
    },
    Reset,
    ResetFinal,
    SetLimit(Option<u32>),
}

#[derive(Debug)]
struct Input {
    chunk_size: Option<u16>,
    max_chunk_size: Option<u32>,
    limit: Option<u32>,
    ops: Vec<Op>,
}

impl<'a> Arbitrary<'a> for Input {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(Input {
            chunk_size: u.arbitrary()?,
            max_chunk_size: u.arbitrary()?,
            limit: u.arbitrary()?,
            ops: blink_fuzz::ops_to_the_end(u)?,
        })
    }
}

/// Most bytes the model keeps live at once; allocations past it are skipped.
const MAX_LIVE: usize = 4 << 20;
/// Room for a chunk header and rounding, over a request's size and alignment.
const SLACK: usize = 256;

struct Model {
    blocks: Vec<Block>,
    /// Checkpoints still valid, oldest first, with the clock when taken.
    checkpoints: Vec<(Checkpoint, u64)>,
    clock: u64,
    limit: Option<usize>,
    live_bytes: usize,
    seed: u8,
}

impl Model {
    fn tick(&mut self) -> u64 {
        self.clock += 1;
        self.clock
    }

    fn next_seed(&mut self) -> u8 {
        self.seed = self.seed.wrapping_add(37);
        self.seed
    }

    fn pick(&self, index: u16) -> Option<usize> {
        (!self.blocks.is_empty()).then(|| index as usize % self.blocks.len())
    }

    fn remove(&mut self, index: usize) -> Block {
        let block = self.blocks.swap_remove(index);
        self.live_bytes -= block.layout.size();
        block
    }

    fn verify_all(&self, what: &str) {
        for block in &self.blocks {
            block.verify(what);
        }
    }

    /// Panics unless a failed request for `layout` is allowed: the layout is
    /// absurd, or a limit is set and a chunk for the request alone would
    /// pass it.
    fn check_failure(&self, arena: &BlinkAlloc, layout: Layout, what: &str) {
        if is_absurd(layout) {
            return;
        }
        let Some(limit) = self.limit else {
            panic!("{what}: {layout:?} failed with no limit set");
        };
        let held = arena.stats().allocated_bytes;
        let needed = held
            .saturating_add(layout.size())
            .saturating_add(layout.align())
            .saturating_add(SLACK);
        assert!(
            needed > limit,
            "{what}: {layout:?} failed with {held} bytes held under a limit of {limit}"
        );
    }

    /// Panics if the arena took a chunk that passes the limit.
    fn check_limit(&self, arena: &BlinkAlloc, held_before: usize, what: &str) {
        let held = arena.stats().allocated_bytes;
        if let Some(limit) = self.limit {
            if held > held_before {
                assert!(
                    held <= limit,
                    "{what}: took {held} bytes (had {held_before}) under a limit of {limit}"
                );
            }
        }
    }

    fn add(&mut self, addr: usize, layout: Layout, zeroed: bool, what: &str) {
        check_new_block(&self.blocks, addr, layout, what);
        if zeroed {
            // SAFETY: a fresh block of `layout.size()` bytes.
            let bytes = unsafe { core::slice::from_raw_parts(addr as *const u8, layout.size()) };
            assert!(blink_fuzz::all_zero(bytes), "{what}: not zeroed");
        }
        let seed = self.next_seed();
        // SAFETY: a fresh block of `layout.size()` bytes.
        unsafe { fill(addr, 0, layout.size(), seed) };
        let born = self.tick();
        self.live_bytes += layout.size();
        self.blocks.push(Block {
            addr,
            layout,
            seed,
            born,
            owner: 0,
        });
    }
}

fn allocate(arena: &BlinkAlloc, layout: Layout, zeroed: bool, via: Via) -> Option<NonNull<[u8]>> {
    match (via, zeroed) {
        (Via::Inherent, false) => arena.allocate(layout).ok(),
        (Via::Inherent, true) => arena.allocate_zeroed(layout).ok(),
        (Via::Trait, false) => BlinkAllocator::allocate(arena, layout).ok(),
        (Via::Trait, true) => BlinkAllocator::allocate_zeroed(arena, layout).ok(),
        (Via::Api, false) => Allocator::allocate(&arena, layout).ok(),
        (Via::Api, true) => Allocator::allocate_zeroed(&arena, layout).ok(),
    }
}

/// Resizes `block` to `new`, through `via`; for `Api`, `grow` or `shrink`
/// as the sizes say, `grow_zeroed` when asked.
///
/// # Safety
///
/// `block` is live in `arena`.
unsafe fn resize(
    arena: &BlinkAlloc,
    block: &Block,
    new: Layout,
    via: Via,
    zeroed: bool,
) -> Option<NonNull<[u8]>> {
    let ptr = NonNull::new(block.addr as *mut u8).unwrap();
    let old = block.layout;
    // SAFETY: forwarded from the caller; the model uses only the result
    // after a success.
    unsafe {
        match via {
            Via::Inherent => arena.resize(ptr, old, new).ok(),
            Via::Trait => BlinkAllocator::resize(arena, ptr, old, new).ok(),
            Via::Api if new.size() >= old.size() && zeroed => {
                Allocator::grow_zeroed(&arena, ptr, old, new).ok()
            }
            Via::Api if new.size() >= old.size() => Allocator::grow(&arena, ptr, old, new).ok(),
            Via::Api => Allocator::shrink(&arena, ptr, old, new).ok(),
        }
    }
}

fn run(input: Input) {
    let mut arena = match input.chunk_size {
        Some(size) => BlinkAlloc::with_chunk_size(size as usize),
        None => BlinkAlloc::new(),
    };
    if let Some(max) = input.max_chunk_size {
        arena = arena.max_chunk_size(max as usize % (4 * LARGE));
    }
    let mut model = Model {
        blocks: Vec::new(),
        checkpoints: Vec::new(),
        clock: 0,
        limit: input.limit.map(|l| l as usize),
        live_bytes: 0,
        seed: 0,
    };
    if let Some(limit) = model.limit {
        arena = arena.limit(limit);
    }

    for (step, op) in input.ops.into_iter().enumerate() {
        let what = format!("op {step} {op:?}");
        let held_before = arena.stats().allocated_bytes;
        match op {
            Op::Alloc {
                layout,
                zeroed,
                via,
            } => {
                let layout = layout.layout();
                if !is_absurd(layout) && model.live_bytes + layout.size() > MAX_LIVE {
                    continue;
                }
                match allocate(&arena, layout, zeroed, via) {
                    Some(block) => {
                        assert!(!is_absurd(layout), "{what}: an absurd layout succeeded");
                        assert_eq!(block.len(), layout.size(), "{what}: block length");
                        model.add(block.cast::<u8>().as_ptr() as usize, layout, zeroed, &what);
                    }
                    None => model.check_failure(&arena, layout, &what),
                }
            }
            Op::AllocAt { block, layout } => {
                let Some(index) = model.pick(block) else {
                    continue;
                };
                let layout = layout.layout();
                if is_absurd(layout) || model.live_bytes + layout.size() > MAX_LIVE {
                    continue;
                }
                let end = model.blocks[index].addr + model.blocks[index].layout.size();
                // Derived from the block's own pointer, as the contract asks.
                let base = model.blocks[index].addr as *mut u8;
                // SAFETY: one past the end of a live block, at most.
                let end_ptr =
                    unsafe { NonNull::new_unchecked(base.add(model.blocks[index].layout.size())) };
                if BlinkAllocator::allocate_at(&arena, end_ptr, layout) {
                    model.add(end, layout, false, &what);
                }
            }
            Op::Resize {
                block,
                layout,
                via,
                zeroed,
            } => {
                let Some(index) = model.pick(block) else {
                    continue;
                };
                let new = layout.layout();
                let old = model.blocks[index];
                if !is_absurd(new) && model.live_bytes - old.layout.size() + new.size() > MAX_LIVE {
                    continue;
                }
                old.verify(&what);
                // SAFETY: a live block of the model.
                match unsafe { resize(&arena, &old, new, via, zeroed) } {
                    Some(moved) => {
                        assert!(!is_absurd(new), "{what}: an absurd resize succeeded");
                        assert_eq!(moved.len(), new.size(), "{what}: block length");
                        let addr = moved.cast::<u8>().as_ptr() as usize;
                        if new.size() <= old.layout.size() && old.addr % new.align() == 0 {
                            assert_eq!(addr, old.addr, "{what}: a shrink in place moved");
                        }
                        let old = model.remove(index);
                        check_new_block(&model.blocks, addr, new, &what);
                        let kept = old.layout.size().min(new.size());
                        let moved_block = Block {
                            addr,
                            layout: Layout::from_size_align(kept, new.align()).unwrap(),
                            ..old
                        };
                        moved_block.verify(&format!("{what}: kept bytes"));
                        if zeroed && matches!(via, Via::Api) && new.size() > kept {
                            // SAFETY: the grown part of a live block.
                            let grown = unsafe {
                                core::slice::from_raw_parts(
                                    (addr + kept) as *const u8,
                                    new.size() - kept,
                                )
                            };
                            assert!(blink_fuzz::all_zero(grown), "{what}: not zeroed");
                        }
                        // SAFETY: the block has `new.size()` bytes.
                        unsafe { fill(addr, kept, new.size(), old.seed) };
                        let born = model.tick();
                        model.live_bytes += new.size();
                        model.blocks.push(Block {
                            addr,
                            layout: new,
                            seed: old.seed,
                            born,
                            owner: 0,
                        });
                    }
                    None => {
                        assert!(
                            new.size() > old.layout.size() || old.addr % new.align() != 0,
                            "{what}: a shrink in place failed"
                        );
                        model.check_failure(&arena, new, &what);
                        old.verify(&format!("{what}: after a failed resize"));
                    }
                }
            }
            Op::Dealloc { block, via } => {
                let Some(index) = model.pick(block) else {
                    continue;
                };
                let block = model.remove(index);
                block.verify(&what);
                let ptr = NonNull::new(block.addr as *mut u8).unwrap();
                // SAFETY: a live block of the model, never used again.
                unsafe {
                    match via {
                        Via::Inherent => arena.deallocate(ptr, block.layout.size()),
                        Via::Trait => BlinkAllocator::deallocate(&arena, ptr, block.layout.size()),
                        Via::Api => Allocator::deallocate(&&arena, ptr, block.layout),
                    }
                }
            }
            Op::Check => model.verify_all(&what),
            Op::Checkpoint => {
                let clock = model.tick();
                model.checkpoints.push((arena.checkpoint(), clock));
            }
            Op::Rewind { which } => {
                if model.checkpoints.is_empty() {
                    continue;
                }
                let index = which as usize % model.checkpoints.len();
                let (checkpoint, clock) = model.checkpoints[index];
                // Later checkpoints are invalid once an earlier one is used.
                model.checkpoints.truncate(index + 1);
                let mut i = 0;
                while i < model.blocks.len() {
                    if model.blocks[i].born > clock {
                        model.remove(i);
                    } else {
                        i += 1;
                    }
                }
                model.verify_all(&format!("{what}: before"));
                // SAFETY: a checkpoint of this arena with no reset and no
                // rewind to an earlier one since; the model dropped every
                // block allocated or resized after it.
                unsafe { arena.rewind(checkpoint) };
                model.verify_all(&format!("{what}: after"));
            }
            Op::Reset | Op::ResetFinal => {
                model.verify_all(&what);
                model.blocks.clear();
                model.checkpoints.clear();
                model.live_bytes = 0;
                if matches!(op, Op::Reset) {
                    arena.reset();
                } else {
                    arena.reset_final();
                    assert_eq!(arena.stats().allocated_bytes, 0, "{what}: chunks kept");
                }
                assert_eq!(arena.stats().used_bytes, 0, "{what}: bytes still used");
            }
            Op::SetLimit(limit) => {
                model.limit = limit.map(|l| l as usize);
                arena.set_limit(model.limit);
            }
        }
        model.check_limit(&arena, held_before, &what);
    }
    model.verify_all("at the end");
    blink_fuzz::check_disjoint(&model.blocks, "at the end");
}

fuzz_target!(|input: Input| run(input));
