//! Random sequences of arena operations checked against a model: a list of
//! live blocks, each with the pattern written into it.
//!
//! After every step, every block the operation returned is aligned and
//! disjoint from every other live block; `Verify` (and the end of each case)
//! reads every live block back. Rewinding drops from the model every block
//! allocated, moved or grown after the checkpoint.

use crate::common;

use core::{alloc::Layout, ptr::NonNull};

use allocator_api2::alloc::Allocator;
use blink_alloc::{BlinkAlloc, Checkpoint};
use common::{check, fill, CountingAlloc};
use proptest::prelude::*;

/// Picks one of `n` things (proptest's `Index` cannot be built by hand).
#[derive(Clone, Copy, Debug)]
struct Index(usize);

impl Index {
    fn index(self, n: usize) -> usize {
        self.0 % n
    }
}

impl Arbitrary for Index {
    type Parameters = ();
    type Strategy = proptest::strategy::Map<proptest::num::usize::Any, fn(usize) -> Index>;

    fn arbitrary_with((): ()) -> Self::Strategy {
        any::<usize>().prop_map(Index)
    }
}

#[derive(Clone, Debug)]
enum Op {
    Alloc {
        size: usize,
        align_shift: u32,
        zeroed: bool,
    },
    Grow {
        block: Index,
        extra: usize,
        align_shift: u32,
        via_trait: bool,
    },
    Shrink {
        block: Index,
        keep: Index,
        align_shift: u32,
        via_trait: bool,
    },
    /// Frees the block allocated last, often the tip of the arena.
    FreeLast {
        via_trait: bool,
    },
    Free {
        block: Index,
    },
    Verify,
    Checkpoint,
    /// Rewinds to one of the checkpoints still valid.
    Rewind {
        mark: Index,
    },
    Reset,
}

const LARGE: usize = if cfg!(miri) { 3000 } else { 20_000 };

fn size() -> impl Strategy<Value = usize> {
    prop_oneof![9 => 0..=300usize, 1 => 300..=LARGE]
}

fn align_shift() -> impl Strategy<Value = u32> {
    prop_oneof![12 => 0..=6u32, 1 => Just(12u32)]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => (size(), align_shift(), any::<bool>())
            .prop_map(|(size, align_shift, zeroed)| Op::Alloc { size, align_shift, zeroed }),
        3 => (any::<Index>(), size(), align_shift(), any::<bool>()).prop_map(
            |(block, extra, align_shift, via_trait)| Op::Grow { block, extra, align_shift, via_trait }
        ),
        2 => (any::<Index>(), any::<Index>(), align_shift(), any::<bool>()).prop_map(
            |(block, keep, align_shift, via_trait)| Op::Shrink { block, keep, align_shift, via_trait }
        ),
        2 => any::<bool>().prop_map(|via_trait| Op::FreeLast { via_trait }),
        1 => any::<Index>().prop_map(|block| Op::Free { block }),
        1 => Just(Op::Verify),
        1 => Just(Op::Checkpoint),
        1 => any::<Index>().prop_map(|mark| Op::Rewind { mark }),
        1 => Just(Op::Reset),
    ]
}

struct Block {
    ptr: NonNull<u8>,
    layout: Layout,
    seed: u8,
    /// Step at which the block was last allocated, moved or grown.
    stamp: usize,
}

struct Mark {
    checkpoint: Checkpoint,
    stamp: usize,
}

struct Model {
    blocks: Vec<Block>,
    marks: Vec<Mark>,
    seed: u8,
}

impl Model {
    fn next_seed(&mut self) -> u8 {
        self.seed = self.seed.wrapping_add(1);
        self.seed
    }

    /// Checks a block just returned against the live ones.
    fn check_new(&self, ptr: NonNull<u8>, layout: Layout, skip: Option<usize>) {
        let start = ptr.as_ptr().addr();
        assert_eq!(
            start % layout.align(),
            0,
            "misaligned {layout:?} at {start:#x}"
        );
        if layout.size() == 0 {
            return;
        }
        let end = start + layout.size();
        for (i, b) in self.blocks.iter().enumerate() {
            if Some(i) == skip || b.layout.size() == 0 {
                continue;
            }
            let (s, e) = (
                b.ptr.as_ptr().addr(),
                b.ptr.as_ptr().addr() + b.layout.size(),
            );
            assert!(
                end <= s || e <= start,
                "{start:#x}..{end:#x} overlaps {s:#x}..{e:#x}"
            );
        }
    }

    fn verify(&self) {
        for b in &self.blocks {
            // SAFETY: the model holds only live blocks, filled with their pattern.
            let got = unsafe { check(b.ptr, b.layout.size(), b.seed) };
            assert_eq!(got, Ok(()), "block {:?} of {:?} corrupted", b.ptr, b.layout);
        }
    }
}

fn run(ops: Vec<Op>) {
    let base = CountingAlloc::new();
    let mut blink = BlinkAlloc::new_in(base.clone());
    let mut model = Model {
        blocks: Vec::new(),
        marks: Vec::new(),
        seed: 0,
    };
    for (step, op) in ops.into_iter().enumerate() {
        let step = step + 1;
        match op {
            Op::Alloc {
                size,
                align_shift,
                zeroed,
            } => {
                let layout = Layout::from_size_align(size, 1 << align_shift).unwrap();
                let block = if zeroed {
                    blink.allocate_zeroed(layout)
                } else {
                    blink.allocate(layout)
                }
                .expect("a small allocation failed");
                assert_eq!(block.len(), size);
                let ptr = block.cast::<u8>();
                model.check_new(ptr, layout, None);
                if zeroed {
                    // SAFETY: a fresh, initialised block.
                    assert!(unsafe { block.as_ref() }.iter().all(|&b| b == 0));
                }
                let seed = model.next_seed();
                // SAFETY: a fresh block of `size` bytes.
                unsafe { fill(ptr, size, seed) };
                model.blocks.push(Block {
                    ptr,
                    layout,
                    seed,
                    stamp: step,
                });
            }
            Op::Grow {
                block,
                extra,
                align_shift,
                via_trait,
            } => {
                if model.blocks.is_empty() {
                    continue;
                }
                let i = block.index(model.blocks.len());
                let old = model.blocks[i].layout;
                let align = old.align().max(1 << align_shift);
                let new = Layout::from_size_align(old.size() + extra, align).unwrap();
                let ptr = model.blocks[i].ptr;
                // SAFETY: the block is live with layout `old`, `new` is not
                // smaller.
                let grown = unsafe {
                    if via_trait {
                        Allocator::grow(&&blink, ptr, old, new)
                    } else {
                        blink.resize(ptr, old, new)
                    }
                }
                .expect("a small grow failed");
                assert_eq!(grown.len(), new.size());
                let grown = grown.cast::<u8>();
                model.check_new(grown, new, Some(i));
                let b = &mut model.blocks[i];
                // SAFETY: the prefix was kept.
                assert_eq!(unsafe { check(grown, old.size(), b.seed) }, Ok(()));
                let seed = model.next_seed();
                // SAFETY: the grown block is live with `new.size()` bytes.
                unsafe { fill(grown, new.size(), seed) };
                model.blocks[i] = Block {
                    ptr: grown,
                    layout: new,
                    seed,
                    stamp: step,
                };
            }
            Op::Shrink {
                block,
                keep,
                align_shift,
                via_trait,
            } => {
                if model.blocks.is_empty() {
                    continue;
                }
                let i = block.index(model.blocks.len());
                let old = model.blocks[i].layout;
                let align = old.align().max(1 << align_shift);
                let new = Layout::from_size_align(keep.index(old.size() + 1), align).unwrap();
                let ptr = model.blocks[i].ptr;
                let aligned = ptr.as_ptr().addr() % align == 0;
                // SAFETY: the block is live with layout `old`, `new` is not
                // larger.
                let shrunk = unsafe {
                    if via_trait {
                        Allocator::shrink(&&blink, ptr, old, new)
                    } else {
                        blink.resize(ptr, old, new)
                    }
                };
                // A shrink that keeps the alignment never fails nor moves.
                let shrunk = if aligned {
                    let shrunk = shrunk.expect("an in-place shrink failed");
                    assert_eq!(shrunk.cast::<u8>(), ptr, "an aligned shrink moved");
                    shrunk
                } else {
                    shrunk.expect("a small shrink failed")
                };
                assert_eq!(shrunk.len(), new.size());
                let shrunk = shrunk.cast::<u8>();
                model.check_new(shrunk, new, Some(i));
                let b = &mut model.blocks[i];
                // SAFETY: the prefix was kept.
                assert_eq!(unsafe { check(shrunk, new.size(), b.seed) }, Ok(()));
                b.layout = new;
                if shrunk != ptr {
                    b.ptr = shrunk;
                    b.stamp = step;
                }
            }
            Op::FreeLast { via_trait } => {
                let Some(last) = model.blocks.iter().enumerate().max_by_key(|(_, b)| b.stamp)
                else {
                    continue;
                };
                let i = last.0;
                let b = model.blocks.remove(i);
                // SAFETY: the block is live and dropped from the model.
                unsafe {
                    if via_trait {
                        Allocator::deallocate(&&blink, b.ptr, b.layout)
                    } else {
                        blink.deallocate(b.ptr, b.layout.size())
                    }
                }
            }
            Op::Free { block } => {
                if model.blocks.is_empty() {
                    continue;
                }
                let b = model.blocks.remove(block.index(model.blocks.len()));
                // SAFETY: the block is live and dropped from the model.
                unsafe { blink.deallocate(b.ptr, b.layout.size()) }
            }
            Op::Verify => model.verify(),
            Op::Checkpoint => model.marks.push(Mark {
                checkpoint: blink.checkpoint(),
                stamp: step,
            }),
            Op::Rewind { mark } => {
                if model.marks.is_empty() {
                    continue;
                }
                let k = mark.index(model.marks.len());
                // Later checkpoints are spent; this one may be used again.
                model.marks.truncate(k + 1);
                let mark = &model.marks[k];
                model.blocks.retain(|b| b.stamp < mark.stamp);
                // SAFETY: the checkpoint is from this arena, no reset or
                // rewind to an earlier one since, and every block touched
                // after it left the model.
                unsafe { blink.rewind(mark.checkpoint) };
            }
            Op::Reset => {
                model.blocks.clear();
                model.marks.clear();
                blink.reset();
                let stats = blink.stats();
                assert_eq!(stats.used_bytes, 0);
                assert!(stats.chunks <= 1, "{stats:?}");
            }
        }
        let stats = blink.stats();
        assert!(stats.used_bytes <= stats.capacity, "{stats:?}");
        assert!(stats.capacity <= stats.allocated_bytes, "{stats:?}");
        assert_eq!(stats.chunks, base.live_blocks());
        assert_eq!(stats.allocated_bytes, base.live_bytes());
    }
    model.verify();
    drop(model);
    drop(blink);
    base.assert_all_returned();
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: if cfg!(miri) { 4 } else { 256 },
        // Miri runs isolated from the file system.
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_operations_match_the_model(
        ops in proptest::collection::vec(op(), 1..if cfg!(miri) { 40 } else { 120 })
    ) {
        run(ops);
    }
}

/// A fixed sequence that walks through every operation, so that the model
/// itself is exercised even if the strategies above drift.
#[test]
fn every_operation_once() {
    let i = Index;
    run(vec![
        Op::Alloc {
            size: 10,
            align_shift: 0,
            zeroed: false,
        },
        Op::Checkpoint,
        Op::Alloc {
            size: 300,
            align_shift: 3,
            zeroed: true,
        },
        Op::Alloc {
            size: LARGE,
            align_shift: 12,
            zeroed: false,
        },
        Op::Grow {
            block: i(0),
            extra: 5,
            align_shift: 0,
            via_trait: false,
        },
        Op::Grow {
            block: i(50),
            extra: 100,
            align_shift: 6,
            via_trait: true,
        },
        Op::Shrink {
            block: i(96),
            keep: i(40),
            align_shift: 0,
            via_trait: false,
        },
        Op::Shrink {
            block: i(0),
            keep: i(1),
            align_shift: 5,
            via_trait: true,
        },
        Op::Verify,
        Op::FreeLast { via_trait: false },
        Op::Free { block: i(0) },
        Op::Checkpoint,
        Op::Alloc {
            size: 5000,
            align_shift: 2,
            zeroed: false,
        },
        Op::Rewind { mark: i(96) },
        Op::Alloc {
            size: 64,
            align_shift: 4,
            zeroed: false,
        },
        Op::Rewind { mark: i(0) },
        Op::Verify,
        Op::FreeLast { via_trait: true },
        Op::Reset,
        Op::Alloc {
            size: 0,
            align_shift: 12,
            zeroed: true,
        },
        Op::Verify,
    ]);
}
