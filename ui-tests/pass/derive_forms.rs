//! Twin of the `derive_*` failures: an enum instead of a union, one arena
//! lifetime, `#[blink(clone)]` for a field type without `BlinkPut`, a type
//! without `Drop`, `'static` clone and skip fields.
use blink_alloc::{Blink, BlinkPut};

#[derive(Clone, Default, PartialEq, Debug)]
struct Opaque;

#[derive(BlinkPut, PartialEq, Debug)]
enum Bits {
    Int(u32),
    Float(f32),
}

#[derive(BlinkPut, PartialEq, Debug)]
struct Pair<'a> {
    left: &'a str,
    right: &'a str,
}

#[derive(BlinkPut, PartialEq, Debug)]
struct Holder<'a, T> {
    name: &'a str,
    item: T,
    #[blink(clone)]
    opaque: Opaque,
    #[blink(skip)]
    cache: Vec<u8>,
}

#[derive(BlinkPut)]
struct Unit;

#[derive(BlinkPut)]
#[blink(crate = "blink_alloc")]
struct Tuple<'a>(&'a [u8], u8);

fn main() {
    let blink = Blink::new();
    assert_eq!(Bits::Int(1).put_in(&blink), Bits::Int(1));
    assert_eq!(Bits::Float(1.0).put_in(&blink), Bits::Float(1.0));
    let pair = Pair { left: "l", right: "r" }.put_in(&blink);
    assert_eq!((pair.left, pair.right), ("l", "r"));
    let holder = Holder { name: "n", item: ("x", 2u8), opaque: Opaque, cache: vec![1] };
    let copy = holder.put_in(&blink);
    assert_eq!((copy.name, copy.item, copy.cache.len()), ("n", ("x", 2), 0));
    let _ = Unit.put_in(&blink);
    assert_eq!(Tuple(&[1, 2], 3).put_in(&blink).0, &[1, 2]);
}
