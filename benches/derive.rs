//! Deep copy of a ~100k-node tree: `#[derive(BlinkPut)]` vs a hand-written
//! copy into the same arena vs `Clone` of the same tree built from `Box`es.
//! Same run, same machine: compare the ratios, not the absolute times.

use std::hint::black_box;

use blink_alloc::{Blink, BlinkPut};
use criterion::{criterion_group, criterion_main, Criterion};

#[derive(BlinkPut)]
struct Node<'a> {
    name: &'a str,
    value: u64,
    children: &'a [Node<'a>],
}

/// What a careful user would write by hand.
fn copy_by_hand<'b>(node: &Node<'_>, blink: &'b Blink) -> Node<'b> {
    Node {
        name: blink.copy_str(node.name),
        value: node.value,
        children: blink
            .emplace_no_drop()
            .from_iter(node.children.iter().map(|child| copy_by_hand(child, blink))),
    }
}

/// Only cloned: its fields are read by nobody.
#[allow(dead_code)]
#[derive(Clone)]
struct BoxNode {
    name: Box<str>,
    value: u64,
    children: Box<[BoxNode]>,
}

fn build<'a>(blink: &'a Blink, depth: u32, fanout: u64, next: &mut u64) -> Node<'a> {
    *next += 1;
    let value = *next;
    let children = if depth == 0 {
        &[][..]
    } else {
        &*blink
            .emplace_no_drop()
            .from_iter((0..fanout).map(|_| build(blink, depth - 1, fanout, next)))
    };
    Node {
        name: blink.copy_str(&format!("node{value}")),
        value,
        children,
    }
}

fn boxed(node: &Node) -> BoxNode {
    BoxNode {
        name: node.name.into(),
        value: node.value,
        children: node.children.iter().map(boxed).collect(),
    }
}

fn count(node: &Node) -> usize {
    1 + node.children.iter().map(count).sum::<usize>()
}

fn deep_copy(c: &mut Criterion) {
    let source = Blink::new();
    let tree = build(&source, 5, 10, &mut 0);
    let nodes = count(&tree);
    assert!(nodes > 100_000);
    let boxed_tree = boxed(&tree);

    let mut group = c.benchmark_group(format!("deep_copy_{nodes}_nodes"));
    group.sample_size(20);
    let mut target = Blink::new();
    group.bench_function("derive_put_in", |b| {
        b.iter(|| {
            let copy = black_box(&tree).put_in(&target);
            black_box(&copy);
            target.reset();
        })
    });
    group.bench_function("hand_written", |b| {
        b.iter(|| {
            let copy = copy_by_hand(black_box(&tree), &target);
            black_box(&copy);
            target.reset();
        })
    });
    group.bench_function("clone_boxes", |b| {
        b.iter(|| black_box(black_box(&boxed_tree).clone()))
    });
    group.finish();
}

criterion_group!(benches, deep_copy);
criterion_main!(benches);
