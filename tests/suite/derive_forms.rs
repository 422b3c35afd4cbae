//! Every form `#[derive(BlinkPut)]` accepts since issue 15 deep-copies into
//! the target arena: the borrowed data of a copy lies between two probes
//! placed in the target right before and right after the copy, in its one
//! chunk, and `'static` data kept as is is the very same data.

use std::{any::Any, cell::Cell, collections::HashMap, marker::PhantomData};

use blink_alloc::{Blink, BlinkAlloc, BlinkPut};

/// A target arena with one chunk big enough for each test.
fn target() -> Blink<BlinkAlloc> {
    Blink::new_in(BlinkAlloc::with_chunk_size(64 * 1024))
}

/// Runs `copy` into `blink` between two probes, returns the copy and the
/// probes' address range; checks that the copy took no new chunk.
fn between<R>(blink: &Blink<BlinkAlloc>, copy: impl FnOnce() -> R) -> (R, Range) {
    let chunks = blink.allocator().stats().chunks;
    let low = blink.put_no_drop(0u8) as *const u8 as usize;
    let value = copy();
    let high = blink.put_no_drop(0u8) as *const u8 as usize;
    assert_eq!(blink.allocator().stats().chunks, chunks.max(1), "one chunk");
    (value, Range { low, high })
}

struct Range {
    low: usize,
    high: usize,
}

impl Range {
    #[track_caller]
    fn holds<T: ?Sized>(&self, data: &T) {
        let at = data as *const T as *const u8 as usize;
        assert!(
            self.low < at && at + std::mem::size_of_val(data) <= self.high,
            "{at:#x} is not in the target arena's {:#x}..{:#x}",
            self.low,
            self.high
        );
    }
}

#[derive(BlinkPut, Debug)]
struct Labelled<'a> {
    text: &'a str,
    label: &'static str,
    labels: Vec<&'static str>,
    counts: HashMap<&'static str, u32>,
}

#[test]
fn static_fields_are_kept_as_is() {
    static LABEL: &str = "static label";
    let source = String::from("borrowed");
    let value = Labelled {
        text: &source,
        label: LABEL,
        labels: vec![LABEL],
        counts: HashMap::from([(LABEL, 1)]),
    };
    let blink = target();
    let (copy, range) = between(&blink, || value.put_in(&blink));
    let copy: Labelled<'_> = copy;
    range.holds(copy.text);
    assert_eq!(copy.text, "borrowed");
    assert_eq!(copy.label.as_ptr(), LABEL.as_ptr(), "kept, not copied");
    assert_eq!(copy.labels[0].as_ptr(), LABEL.as_ptr());
    assert_eq!(copy.counts[LABEL], 1);
}

#[derive(BlinkPut, Debug)]
struct Event<'a, T: 'static, P: Any> {
    name: &'a str,
    tag: T,
    payload: P,
    history: Vec<T>,
}

/// `Output` keeps `'static` parameters, also in generic code.
fn copy_event<'b, T: Clone + 'static, P: Any + Clone>(
    event: &Event<'_, T, P>,
    blink: &'b Blink<BlinkAlloc>,
) -> Event<'b, T, P> {
    event.put_in(blink)
}

#[test]
fn static_parameters_are_kept() {
    let name = String::from("click");
    let event = Event {
        name: &name,
        tag: "static tag",
        payload: 7u64,
        history: vec!["a", "b"],
    };
    let blink = target();
    let (copy, range) = between(&blink, || copy_event(&event, &blink));
    range.holds(copy.name);
    assert_eq!(copy.tag.as_ptr(), "static tag".as_ptr());
    assert_eq!((copy.payload, &copy.history[..]), (7, &["a", "b"][..]));
}

#[derive(BlinkPut, Debug)]
struct Index<'a, V> {
    by_name: HashMap<&'a str, V>,
}

#[test]
fn maps_with_borrowed_keys_copy_them() {
    let names = String::from("ab");
    let index = Index {
        by_name: HashMap::from([(&names[..1], &names[1..]), (&names[1..], &names[..1])]),
    };
    let blink = target();
    let (copy, range) = between(&blink, || index.put_in(&blink));
    let copy: Index<'_, &str> = copy;
    drop(index);
    drop(names);
    assert_eq!(copy.by_name.len(), 2);
    for (key, value) in &copy.by_name {
        range.holds(*key);
        range.holds(*value);
    }
    assert_eq!((copy.by_name["a"], copy.by_name["b"]), ("b", "a"));
}

#[derive(BlinkPut)]
enum Never {}

#[derive(BlinkPut)]
enum NeverOf<T> {
    #[allow(dead_code)]
    Never(Never, T),
}

fn assert_blink_put<T: for<'b> BlinkPut<'b>>() {}

#[test]
fn empty_enums_derive() {
    assert_blink_put::<Never>();
    assert_blink_put::<NeverOf<u8>>();
    let nothing: Option<Never> = None;
    let blink = target();
    assert!(nothing.put_in(&blink).is_none());
}

#[derive(BlinkPut, Debug)]
struct Unsized<'a, T: ?Sized> {
    item: &'a T,
}

#[derive(BlinkPut, Debug)]
struct UnsizedWhere<'a, T>
where
    T: ?Sized + PartialEq,
{
    item: &'a T,
}

#[test]
fn maybe_unsized_parameters_derive() {
    let source = String::from("x");
    let value = Unsized {
        item: &source.as_str(),
    };
    let blink = target();
    let (copy, range) = between(&blink, || value.put_in(&blink));
    range.holds(copy.item);
    range.holds(*copy.item);
    assert_eq!(*copy.item, "x");
    let number = 5u16;
    let (copy, range) = between(&blink, || UnsizedWhere { item: &number }.put_in(&blink));
    range.holds(copy.item);
    assert_eq!(*copy.item, 5);
}

#[derive(BlinkPut, Debug)]
struct Clashing<'__blink, __A, __A1> {
    text: &'__blink str,
    item: __A,
    other: __A1,
}

#[test]
fn the_macro_names_do_not_clash() {
    let source = String::from("abc");
    let value = Clashing {
        text: &source,
        item: &source[1..],
        other: 3u8,
    };
    let blink = target();
    let (copy, range) = between(&blink, || value.put_in(&blink));
    range.holds(copy.text);
    range.holds(copy.item);
    assert_eq!((copy.text, copy.item, copy.other), ("abc", "bc", 3));
}

/// A marker type with no `BlinkPut`.
#[derive(Debug)]
struct Meters;

#[derive(BlinkPut, Debug)]
struct Length<'a, Unit> {
    label: &'a str,
    value: f64,
    unit: PhantomData<Unit>,
}

#[test]
fn phantom_parameters_need_no_blink_put() {
    let source = String::from("width");
    let value: Length<'_, Meters> = Length {
        label: &source,
        value: 2.0,
        unit: PhantomData,
    };
    let blink = target();
    let (copy, range) = between(&blink, || value.put_in(&blink));
    let copy: Length<'_, Meters> = copy;
    range.holds(copy.label);
    assert_eq!(copy.value, 2.0);
}

/// `Cell<T>` needs `T: Copy`, which the inferred `T: BlinkPut` does not say.
#[derive(BlinkPut)]
#[blink(bound = "T: BlinkPut<'_> + Copy")]
struct Counter<'a, T> {
    name: &'a str,
    count: Cell<T>,
}

#[test]
fn bound_replaces_the_inferred_bounds() {
    let source = String::from("hits");
    let value = Counter {
        name: &source,
        count: Cell::new(3u32),
    };
    let blink = target();
    let (copy, range) = between(&blink, || value.put_in(&blink));
    range.holds(copy.name);
    assert_eq!(copy.count.get(), 3);
}

/// `Self` in a `#[blink(clone)]` field of a type without arena lifetime.
#[derive(BlinkPut, Clone, Debug, PartialEq)]
struct Chain {
    #[blink(clone)]
    next: Option<Box<Self>>,
}

#[test]
fn clone_of_self_without_lifetime() {
    let chain = Chain {
        next: Some(Box::new(Chain { next: None })),
    };
    let blink = target();
    assert_eq!(chain.put_in(&blink), chain);
}
