//! Property test: random mixes of puts (with and without drop), `from_iter`
//! with honest and lying hints, nested scopes, resets and `drop_all`,
//! checked against a model of which values are live and in what order they
//! must be dropped.

use crate::blink_common;

use std::cell::{Cell, RefCell};

use blink_alloc::{Blink, BlinkAlloc, BlinkScope};
use blink_common::*;
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Put { drop: bool },
    FromIter { len: u32, drop: bool, hint: u8 },
    Zsts { len: u32 },
    Scope(Vec<Op>),
}

#[derive(Debug, Clone)]
enum Top {
    Op(Op),
    Reset,
    DropAll,
}

fn op() -> impl Strategy<Value = Op> {
    let leaf = prop_oneof![
        4 => any::<bool>().prop_map(|drop| Op::Put { drop }),
        3 => (0..40u32, any::<bool>(), 0..5u8)
            .prop_map(|(len, drop, hint)| Op::FromIter { len, drop, hint }),
        1 => (0..5u32).prop_map(|len| Op::Zsts { len }),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop::collection::vec(inner, 0..6).prop_map(Op::Scope)
    })
}

fn program() -> impl Strategy<Value = Vec<Top>> {
    prop::collection::vec(
        prop_oneof![
            8 => op().prop_map(Top::Op),
            1 => Just(Top::Reset),
            1 => Just(Top::DropAll),
        ],
        0..16,
    )
}

/// What must be dropped, and in what order.
#[derive(Default)]
struct Model {
    next_id: Cell<u32>,
    /// Groups of ids placed with drop, oldest first; one group per
    /// placement (a slice is one group; everything drops newest first).
    groups: RefCell<Vec<Vec<u32>>>,
    zsts_live: Cell<usize>,
    zsts_dropped: Cell<usize>,
}

impl Model {
    fn ids(&self, n: u32) -> core::ops::Range<u32> {
        let first = self.next_id.get();
        self.next_id.set(first + n);
        first..first + n
    }

    fn placed(&self, ids: core::ops::Range<u32>, drop: bool) {
        if drop {
            self.groups.borrow_mut().push(ids.collect());
        }
    }

    /// Checks that exactly the groups after `mark` were dropped, newest
    /// first, and forgets them.
    fn expect_dropped_since(&self, mark: usize) {
        let mut groups = self.groups.borrow_mut();
        let expected: Vec<u32> = groups[mark..].iter().flatten().rev().copied().collect();
        groups.truncate(mark);
        assert_eq!(take_log(), expected);
    }
}

fn hinted(ids: core::ops::Range<u32>, hint: u8) -> Lying<impl Iterator<Item = Counted>> {
    let len = ids.len();
    let hint = match hint {
        0 => (len, Some(len)),
        1 => (0, Some(len / 2)),
        2 => (usize::MAX / 2, None),
        3 => (len * 3 + 1, Some(len * 4 + 1)),
        _ => (0, None),
    };
    Lying {
        items: ids.map(counted),
        hint,
    }
}

/// Runs `op` at the top level of the `Blink`.
fn run_top(blink: &mut Blink, op: &Op, model: &Model) {
    match op {
        Op::Put { drop } => {
            let [id] = [model.ids(1).start];
            let value = if *drop {
                blink.put(counted(id))
            } else {
                blink.put_no_drop(counted(id))
            };
            value.assert_intact();
            model.placed(id..id + 1, *drop);
        }
        Op::FromIter { len, drop, hint } => {
            let ids = model.ids(*len);
            let slice = if *drop {
                blink.emplace().from_iter(hinted(ids.clone(), *hint))
            } else {
                blink
                    .emplace_no_drop()
                    .from_iter(hinted(ids.clone(), *hint))
            };
            assert!(slice.iter().map(|c| c.id).eq(ids.clone()));
            slice.iter().for_each(Counted::assert_intact);
            model.placed(ids, *drop && *len > 0);
        }
        Op::Zsts { len } => {
            blink.emplace().from_iter((0..*len).map(|_| Zst));
            model.zsts_live.set(model.zsts_live.get() + *len as usize);
        }
        Op::Scope(ops) => {
            let mark = model.groups.borrow().len();
            let zsts = model.zsts_live.get();
            let used = blink.allocator().stats().used_bytes;
            blink.scope(|s| run_scope(s, ops, model));
            model.expect_dropped_since(mark);
            close_zsts(model, zsts);
            assert_eq!(blink.allocator().stats().used_bytes, used);
        }
    }
}

fn close_zsts(model: &Model, live_before: usize) {
    let closed = model.zsts_live.get() - live_before;
    model.zsts_live.set(live_before);
    model.zsts_dropped.set(model.zsts_dropped.get() + closed);
    assert_eq!(zst_drops(), model.zsts_dropped.get());
}

/// Runs `ops` inside a scope, keeping every value placed to check at the
/// end that none was overwritten, also by nested scopes.
fn run_scope(s: &mut BlinkScope<'_, '_, BlinkAlloc>, ops: &[Op], model: &Model) {
    let mut live: Vec<&Counted> = Vec::new();
    for op in ops {
        match op {
            Op::Put { drop } => {
                let id = model.ids(1).start;
                let value = if *drop {
                    s.put(counted(id))
                } else {
                    s.put_no_drop(counted(id))
                };
                live.push(value);
                model.placed(id..id + 1, *drop);
            }
            Op::FromIter { len, drop, hint } => {
                let ids = model.ids(*len);
                let slice: &[Counted] = if *drop {
                    s.emplace().from_iter(hinted(ids.clone(), *hint))
                } else {
                    s.emplace_no_drop().from_iter(hinted(ids.clone(), *hint))
                };
                assert!(slice.iter().map(|c| c.id).eq(ids.clone()));
                live.extend(slice);
                model.placed(ids, *drop && *len > 0);
            }
            Op::Zsts { len } => {
                s.emplace().from_iter((0..*len).map(|_| Zst));
                model.zsts_live.set(model.zsts_live.get() + *len as usize);
            }
            Op::Scope(ops) => {
                let mark = model.groups.borrow().len();
                let zsts = model.zsts_live.get();
                let used = s.allocator().stats().used_bytes;
                s.scope(|inner| run_scope(inner, ops, model));
                model.expect_dropped_since(mark);
                close_zsts(model, zsts);
                assert_eq!(s.allocator().stats().used_bytes, used);
                live.iter().for_each(|c| c.assert_intact());
            }
        }
    }
    live.iter().for_each(|c| c.assert_intact());
}

fn run(program: &[Top]) {
    start();
    let model = Model::default();
    let mut blink = Blink::new();
    for top in program {
        match top {
            Top::Op(op) => run_top(&mut blink, op, &model),
            Top::Reset => {
                blink.reset();
                model.expect_dropped_since(0);
                close_zsts(&model, 0);
                assert_eq!(blink.allocator().stats().used_bytes, 0);
            }
            Top::DropAll => {
                blink.drop_all();
                model.expect_dropped_since(0);
                close_zsts(&model, 0);
            }
        }
    }
    drop(blink);
    model.expect_dropped_since(0);
    close_zsts(&model, 0);
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: if cfg!(miri) { 4 } else { 256 },
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn model_of_puts_scopes_and_resets(program in program()) {
        run(&program);
    }
}

#[test]
fn model_fixed_program() {
    use Op::*;
    run(&[
        Top::Op(Put { drop: true }),
        Top::Op(Scope(vec![
            Put { drop: true },
            FromIter {
                len: 5,
                drop: true,
                hint: 2,
            },
            Scope(vec![
                Put { drop: false },
                Zsts { len: 3 },
                FromIter {
                    len: 3,
                    drop: true,
                    hint: 1,
                },
            ]),
            FromIter {
                len: 4,
                drop: false,
                hint: 4,
            },
        ])),
        Top::Op(FromIter {
            len: 6,
            drop: true,
            hint: 3,
        }),
        Top::DropAll,
        Top::Op(Put { drop: true }),
        Top::Reset,
        Top::Op(Zsts { len: 2 }),
        Top::Op(Put { drop: true }),
    ]);
}
