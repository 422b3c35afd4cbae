//! Drop order of values made by closures and iterators: a value counts as
//! placed when its closure returns (a slice when its iterator is done), so
//! it is dropped before everything the closure placed, and the documented
//! "reverse order of placement" holds in every emplace form. Also: values
//! of one type placed back to back share one run, under Miri as natively.

use crate::blink_common;

use std::cell::RefCell;

use blink_alloc::Blink;

thread_local! {
    static DROPS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

fn log(entry: String) {
    DROPS.with(|drops| drops.borrow_mut().push(entry));
}

/// Clears this thread's drop log.
fn start() {
    DROPS.with(|drops| drops.borrow_mut().clear());
}

/// Takes what was dropped so far, in drop order.
fn take_drops() -> Vec<String> {
    DROPS.with(|drops| core::mem::take(&mut *drops.borrow_mut()))
}

/// A value that logs its name when dropped.
struct Named(&'static str);

impl Drop for Named {
    fn drop(&mut self) {
        log(self.0.to_string());
    }
}

/// Another type that logs its name: its runs never join those of `Named`.
struct Other(&'static str);

impl Drop for Other {
    fn drop(&mut self) {
        log(self.0.to_string());
    }
}

/// A value with a large alignment: its header sits after padding.
#[repr(align(64))]
struct Aligned(&'static str);

impl Drop for Aligned {
    fn drop(&mut self) {
        log(self.0.to_string());
    }
}

/// A value whose `Drop` reads a value placed before it. Placed with
/// `emplace_unchecked`, whose contract allows exactly that.
struct Reader<'a>(&'a String);

impl Drop for Reader<'_> {
    fn drop(&mut self) {
        log(format!("read {}", self.0));
    }
}

/// The four ways to place a value that a closure makes.
#[derive(Clone, Copy, Debug)]
enum Form {
    With,
    TryWith,
    WithFallible,
    TryWithFallible,
}

const FORMS: [Form; 4] = [
    Form::With,
    Form::TryWith,
    Form::WithFallible,
    Form::TryWithFallible,
];

/// Places the `Named` that `f` makes, in `form`.
fn place(blink: &Blink, form: Form, f: impl FnOnce() -> Named) -> &mut Named {
    let emplace = blink.emplace::<Named>();
    match form {
        Form::With => emplace.with(f),
        Form::TryWith => emplace.try_with(f).ok().unwrap(),
        Form::WithFallible => emplace.with_fallible(|| Ok::<_, ()>(f())).unwrap(),
        Form::TryWithFallible => emplace.try_with_fallible(|| Ok::<_, ()>(f())).ok().unwrap(),
    }
}

fn names(names: &[&str]) -> Vec<String> {
    names.iter().map(|name| name.to_string()).collect()
}

/// The audit's scenario, as reported: `c` is placed after `b`, so it must
/// be dropped before it. The slot for `c` was reserved at the end of the
/// run of `a` before the closure placed `b`; it used to join that run, and
/// `b` was dropped first.
#[test]
fn audit_scenario_drops_in_reverse_order_of_placement() {
    start();
    let mut blink = Blink::new();
    blink.put(Named("a"));
    blink.emplace::<Named>().with(|| {
        blink.put(Other("b"));
        Named("c")
    });
    blink.reset();
    assert_eq!(take_drops(), names(&["c", "b", "a"]));
}

#[test]
fn every_closure_form_drops_its_value_before_what_the_closure_placed() {
    for form in FORMS {
        start();
        let mut blink = Blink::new();
        blink.put(Named("a"));
        let c = place(&blink, form, || {
            blink.put(Other("b"));
            Named("c")
        });
        assert_eq!(c.0, "c");
        blink.put(Named("d"));
        blink.reset();
        assert_eq!(take_drops(), names(&["d", "c", "b", "a"]), "{form:?}");
    }
}

#[test]
fn values_of_the_same_type_placed_inside_the_closure_drop_after_it() {
    for form in FORMS {
        start();
        let mut blink = Blink::new();
        blink.put(Named("a"));
        place(&blink, form, || {
            blink.put(Named("b1"));
            blink.emplace().value(Named("b2"));
            blink.emplace().from_iter([Named("b3"), Named("b4")]);
            Named("c")
        });
        blink.put(Named("d"));
        blink.reset();
        let expected = names(&["d", "c", "b4", "b3", "b2", "b1", "a"]);
        assert_eq!(take_drops(), expected, "{form:?}");
    }
}

#[test]
fn nested_closures_drop_inside_out() {
    for outer in FORMS {
        for inner in FORMS {
            start();
            let mut blink = Blink::new();
            blink.put(Named("a"));
            place(&blink, outer, || {
                blink.put(Other("b"));
                // Same type inside, placing a value of its own type and one
                // of another.
                place(&blink, inner, || {
                    blink.put(Named("c"));
                    blink.put(Other("d"));
                    Named("e")
                });
                // Another type inside.
                blink.emplace::<Other>().with(|| {
                    blink.put(Named("f"));
                    Other("g")
                });
                Named("h")
            });
            blink.reset();
            let expected = names(&["h", "g", "f", "e", "d", "c", "b", "a"]);
            assert_eq!(take_drops(), expected, "{outer:?} in {inner:?}");
        }
    }
}

/// A closure that places only values without drop glue does not move the
/// value out of its run, and the order still holds.
#[test]
fn closure_placing_values_without_drop_keeps_the_order() {
    for form in FORMS {
        start();
        let mut blink = Blink::new();
        blink.put(Named("a"));
        place(&blink, form, || {
            blink.put(7u64);
            blink.copy_str("no drop");
            blink.put_no_drop(Named("never"));
            Named("c")
        });
        blink.put(Named("d"));
        blink.reset();
        assert_eq!(take_drops(), names(&["d", "c", "a"]), "{form:?}");
    }
}

/// Over-aligned values: the header that the closure's value may need after
/// the end of its run sits after padding. Under Miri only where asked (see
/// `over_aligned_checkable`).
#[test]
fn over_aligned_values_keep_the_order() {
    if !blink_common::over_aligned_checkable() {
        return;
    }
    start();
    let mut blink = Blink::new();
    for form in FORMS {
        blink.put(Aligned("a"));
        let emplace = blink.emplace::<Aligned>();
        let make = || {
            blink.put(Other("b"));
            Aligned("c")
        };
        let c: *const Aligned = match form {
            Form::With => emplace.with(make),
            Form::TryWith => emplace.try_with(make).ok().unwrap(),
            Form::WithFallible => emplace.with_fallible(|| Ok::<_, ()>(make())).unwrap(),
            Form::TryWithFallible => emplace
                .try_with_fallible(|| Ok::<_, ()>(make()))
                .ok()
                .unwrap(),
        };
        assert!(c.is_aligned());
        let d: *const Aligned = blink.emplace().with(|| Aligned("d"));
        assert!(d.is_aligned());
        blink.reset();
        assert_eq!(take_drops(), names(&["d", "c", "b", "a"]), "{form:?}");
    }
}

/// Values of an odd size: runs of them end at any address, and the header
/// that the closure's value may need after the end of its run sits after
/// padding.
#[test]
fn odd_sized_values_keep_the_order() {
    start();
    let mut blink = Blink::new();
    /// Three bytes with drop glue: runs of it end at odd addresses.
    struct Odd([u8; 3]);
    impl Drop for Odd {
        fn drop(&mut self) {
            log(format!("odd {}", self.0[0]));
        }
    }
    // A slice's block ends right after its last item (a single value's is
    // padded to the header's alignment, so other values never join it):
    // slices of 1 to 8 items end at every offset from an 8-aligned header.
    for count in 1..=8 {
        blink.emplace().from_iter((0..count).map(|_| Odd([1; 3])));
        blink.emplace().with(|| Odd([2; 3]));
        blink.emplace().with(|| {
            blink.put(Other("x"));
            blink.put(Odd([3; 3]));
            Odd([4; 3])
        });
        blink.emplace().with(|| Odd([5; 3]));
        assert_eq!(blink.drop_runs(), 5, "{count}");
        blink.reset();
        let mut expected = names(&["odd 5", "odd 4", "odd 3", "x", "odd 2"]);
        expected.extend((0..count).map(|_| "odd 1".to_string()));
        assert_eq!(take_drops(), expected, "{count} in the first run");
    }
}

/// A fallible closure that fails keeps what it placed, and a later value
/// still drops before it.
#[test]
fn failed_closure_keeps_what_it_placed() {
    start();
    let mut blink = Blink::new();
    blink.put(Named("a"));
    let failed = blink.emplace::<Named>().with_fallible(|| {
        blink.put(Other("b"));
        Err::<Named, _>("no")
    });
    assert_eq!(failed.err(), Some("no"));
    let failed = blink.emplace::<Named>().try_with_fallible(|| {
        blink.put(Named("c"));
        Err::<Named, _>("no")
    });
    assert!(matches!(failed, Err(Ok("no"))));
    blink.put(Named("d"));
    blink.reset();
    assert_eq!(take_drops(), names(&["d", "c", "b", "a"]));
}

#[test]
fn shared_and_scope_builders_keep_the_order() {
    start();
    let mut blink = Blink::new();
    blink.put(Named("a"));
    blink.emplace_shared::<Named>().with(|| {
        blink.put(Other("b"));
        Named("c")
    });
    blink.scope(|frame| {
        frame.put(Named("s1"));
        frame.emplace::<Named>().with(|| {
            frame.put(Other("s2"));
            frame.put(Named("s3"));
            Named("s4")
        });
        let s6 = frame.emplace_shared::<Named>().try_with(|| {
            frame.put(Other("s5"));
            Named("s6")
        });
        assert_eq!(s6.ok().unwrap().0, "s6");
    });
    assert_eq!(take_drops(), names(&["s6", "s5", "s4", "s3", "s2", "s1"]));
    blink.reset();
    assert_eq!(take_drops(), names(&["c", "b", "a"]));
}

/// A slice is placed when its iterator is done: what the iterator placed
/// on the way is dropped after every item (the items may reach it, as the
/// deep copies of `BlinkPut` do).
#[test]
fn from_iter_drops_its_items_before_what_the_iterator_placed() {
    start();
    let mut blink = Blink::new();
    blink.put(Named("a"));
    let items = blink
        .emplace::<Named>()
        .from_iter(["x", "y", "z"].map(|name| {
            blink.put(Other(name));
            // Same type as the items, placed mid-way.
            blink.put(Named("n"));
            Named(name)
        }));
    assert_eq!(items.len(), 3);
    blink.put(Named("d"));
    blink.reset();
    let expected = names(&["d", "z", "y", "x", "n", "z", "n", "y", "n", "x", "a"]);
    assert_eq!(take_drops(), expected);

    // The unsized hint path, with `try_from_iter`.
    blink.put(Named("a"));
    let mut count = 0;
    let items = blink
        .emplace::<Named>()
        .try_from_iter(core::iter::from_fn(|| {
            count += 1;
            (count <= 2).then(|| {
                blink.put(Other("o"));
                Named("i")
            })
        }))
        .ok()
        .unwrap();
    assert_eq!(items.len(), 2);
    blink.reset();
    assert_eq!(take_drops(), names(&["i", "i", "o", "o", "a"]));
}

/// With the old order, the reader was filed into the older run of readers,
/// under the string it reads, and read it after it was dropped: a use
/// after free that Miri reports.
#[test]
fn unchecked_value_reaches_a_value_its_closure_placed() {
    start();
    let mut blink = Blink::new();
    let first = blink.put(String::from("first"));
    // SAFETY: a `Reader` reaches only a value placed before it, which is
    // dropped after it.
    unsafe { blink.emplace_unchecked::<Reader<'_>>() }.value(Reader(first));
    for form in FORMS {
        // SAFETY: as above: the string is placed before the reader.
        let emplace = unsafe { blink.emplace_unchecked::<Reader<'_>>() };
        let make = || Reader(blink.put(format!("{form:?}")));
        let reader = match form {
            Form::With => emplace.with(make),
            Form::TryWith => emplace.try_with(make).ok().unwrap(),
            Form::WithFallible => emplace.with_fallible(|| Ok::<_, ()>(make())).unwrap(),
            Form::TryWithFallible => emplace
                .try_with_fallible(|| Ok::<_, ()>(make()))
                .ok()
                .unwrap(),
        };
        assert_eq!(*reader.0, format!("{form:?}"));
    }
    blink.reset();
    let expected = names(&[
        "read TryWithFallible",
        "read WithFallible",
        "read TryWith",
        "read With",
        "read first",
    ]);
    assert_eq!(take_drops(), expected);
}

const N: usize = if cfg!(miri) { 40 } else { 1000 };

/// Runs are keyed by a per-type constant, so values of one type placed in a
/// row share one run under Miri too, where function pointers made at run
/// time differ from one cast to the next.
#[test]
fn values_of_one_type_in_a_row_form_one_run() {
    start();
    let mut blink = Blink::with_chunk_size(1 << 16);
    for round in 0..3 {
        for i in 0..N {
            let placed = match i % 6 {
                0 => blink.put(Named("v")),
                1 => blink.emplace().value(Named("v")),
                2 => blink.emplace().with(|| Named("v")),
                3 => blink.emplace().try_with(|| Named("v")).ok().unwrap(),
                4 => blink
                    .emplace()
                    .with_fallible(|| Ok::<_, ()>(Named("v")))
                    .unwrap(),
                _ => blink.try_put(Named("v")).ok().unwrap(),
            };
            assert_eq!(placed.0, "v");
        }
        // The first chunk is large enough for all of them (after a reset
        // it is the one kept), so nothing splits the run.
        assert_eq!(blink.drop_runs(), 1, "round {round}");
        // A value of another type starts a run; the next `Named` another.
        blink.put(Other("o"));
        blink.put(Named("w"));
        blink.put(Named("w"));
        assert_eq!(blink.drop_runs(), 3, "round {round}");
        blink.reset();
        assert_eq!(take_drops().len(), N + 3);
        assert_eq!(blink.drop_runs(), 0);
    }
}

#[test]
fn zero_sized_values_in_a_row_form_one_run() {
    struct Zst;
    impl Drop for Zst {
        fn drop(&mut self) {
            log("zst".to_string());
        }
    }
    let mut blink = Blink::new();
    for _ in 0..N {
        blink.put(Zst);
    }
    assert_eq!(blink.drop_runs(), 1);
    blink.scope(|frame| {
        frame.put(Zst);
        assert_eq!(frame.put(Named("s")).0, "s");
    });
    // The scope's runs are gone; the run of `Zst` is the newest again and
    // goes on.
    blink.put(Zst);
    assert_eq!(blink.drop_runs(), 1);
    start();
    blink.reset();
    assert_eq!(take_drops().len(), N + 1);
}

/// A value made by a closure that placed nothing with drop joins the run
/// it was reserved at, and gives back the room it reserved for a header.
#[test]
fn with_joins_the_run_when_its_closure_placed_nothing_with_drop() {
    start();
    let mut blink = Blink::new();
    let first: *const Named = blink.put(Named("a"));
    let second: *const Named = blink.emplace::<Named>().with(|| Named("b"));
    assert_eq!(second.addr(), first.addr() + size_of::<Named>());
    let third: *const Named = blink.put(Named("c"));
    assert_eq!(third.addr(), second.addr() + size_of::<Named>());
    assert_eq!(blink.drop_runs(), 1);
    // A closure that places a value with drop: the value gets a run of its
    // own, newer than the closure's.
    blink.emplace::<Named>().with(|| {
        blink.put(Other("o"));
        Named("d")
    });
    assert_eq!(blink.drop_runs(), 3);
    blink.reset();
    assert_eq!(take_drops(), names(&["d", "o", "c", "b", "a"]));
}
