//! Twin of `derive_static_mixed_with_arena`, `derive_clone_mentions_self`,
//! `derive_attribute_*`, `derive_repr_packed` and `derive_unsized_argument`:
//! every form the derive accepts besides those of `derive_forms.rs`.
use std::{any::Any, cell::Cell, collections::HashMap, marker::PhantomData};

use blink_alloc::{Blink, BlinkPut};

// `'static` fields beside arena ones are kept as is.
#[derive(BlinkPut)]
struct Labelled<'a> {
    text: &'a str,
    label: &'static str,
    counts: HashMap<&'static str, u32>,
}

// `'static` and `Any` parameters are kept in `Output`; inside a copied
// field (`&'a [T]`) such a `T` needs `BlinkPut<Output = T>` (`u32` has it).
#[derive(BlinkPut)]
struct Event<'a, T: 'static, P>
where
    P: Any,
{
    name: &'a str,
    tag: T,
    items: &'a [T],
    payload: P,
}

// Maps with borrowed keys.
#[derive(BlinkPut)]
struct Index<'a, V> {
    by_name: HashMap<&'a str, V>,
}

// Empty enums.
#[derive(BlinkPut)]
enum Never {}

// `?Sized` parameters (copied for sized arguments).
#[derive(BlinkPut)]
struct Unsized<'a, T: ?Sized> {
    item: &'a T,
}

// The macro's own names are picked anew.
#[derive(BlinkPut)]
struct Clashing<'__blink, __A> {
    text: &'__blink str,
    item: __A,
}

// Marker parameters need no `BlinkPut`.
struct Meters;

#[derive(BlinkPut)]
struct Length<'a, Unit> {
    label: &'a str,
    unit: PhantomData<Unit>,
}

// `bound` replaces the inferred bounds.
#[derive(BlinkPut)]
#[blink(bound = "T: BlinkPut<'_> + Copy")]
struct Counter<'a, T> {
    name: &'a str,
    count: Cell<T>,
}

// Field attributes inside variants; `Self` in a clone field of a type
// without arena lifetime.
#[derive(BlinkPut, Clone, Default)]
enum Tree {
    #[default]
    Leaf,
    Node(#[blink(clone)] Box<Self>, #[blink(skip)] Vec<u8>),
}

// `repr(C)` and `repr(align)` are fine.
#[derive(BlinkPut)]
#[repr(C, align(8))]
struct Aligned<'a>(&'a str);

fn main() {
    let blink = Blink::new();
    let text = String::from("t");
    let labelled = Labelled { text: &text, label: "l", counts: HashMap::new() }.put_in(&blink);
    assert_eq!((labelled.text, labelled.label, labelled.counts.len()), ("t", "l", 0));
    let items = [1u32];
    let event = Event { name: &text, tag: 5u32, items: &items, payload: "p" }.put_in(&blink);
    assert_eq!((event.tag, event.items, event.payload), (5, &[1][..], "p"));
    let index = Index { by_name: HashMap::from([(text.as_str(), 1u8)]) }.put_in(&blink);
    assert_eq!(index.by_name["t"], 1);
    let _: Option<Never> = None::<Never>.put_in(&blink);
    assert_eq!(*Unsized { item: &7u8 }.put_in(&blink).item, 7);
    assert_eq!(Clashing { text: &text, item: 2u8 }.put_in(&blink).item, 2);
    let _: Length<'_, Meters> = Length { label: &text, unit: PhantomData::<Meters> }.put_in(&blink);
    assert_eq!(Counter { name: &text, count: Cell::new(3u8) }.put_in(&blink).count.get(), 3);
    let _ = Tree::Node(Box::new(Tree::Leaf), vec![1]).put_in(&blink);
    assert_eq!(Aligned(&text).put_in(&blink).0, "t");
}
