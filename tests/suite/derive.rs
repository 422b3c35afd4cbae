//! `#[derive(BlinkPut)]` and `blink_scope!`: behaviour and drop accounting.

use std::{cell::Cell, rc::Rc};

use blink_alloc::{blink_scope, Blink, BlinkPut};

#[derive(BlinkPut, Debug, PartialEq)]
struct Node<'b> {
    name: &'b str,
    weight: u32,
    children: &'b [Node<'b>],
}

#[derive(BlinkPut, Debug, PartialEq)]
enum Expr<'a> {
    Num(i64),
    Var { name: &'a str },
    Call(&'a str, &'a [Expr<'a>]),
    Neg(&'a Expr<'a>),
    Nil,
}

#[derive(BlinkPut, Debug, PartialEq, Clone, Copy)]
struct Unit;

#[derive(BlinkPut, Debug, PartialEq)]
struct Pair<'a, T>(&'a T, Option<T>);

#[derive(BlinkPut, Debug, Default, PartialEq)]
struct WithAttrs<'a> {
    text: &'a str,
    #[blink(clone)]
    shared: Rc<str>,
    #[blink(skip)]
    cache: Vec<u64>,
}

/// Counts its drops.
#[derive(Debug)]
struct Counted<'c>(&'c Cell<usize>);

impl Drop for Counted<'_> {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

/// A drop counter that lives in a `'static` cell for the derived types.
#[derive(Clone, Debug)]
struct Tally(Rc<Cell<usize>>);

impl Drop for Tally {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

// SAFETY: `Tally` is `'static`: its drop reads no borrow.
unsafe impl<'b> BlinkPut<'b> for Tally {
    type Output = Tally;
    fn copy_to<A: blink_alloc::BlinkAllocator>(&self, _: &blink_alloc::PutTarget<'b, A>) -> Tally {
        self.clone()
    }
    fn try_copy_to<A: blink_alloc::BlinkAllocator>(
        &self,
        _: &blink_alloc::PutTarget<'b, A>,
    ) -> Result<Tally, blink_alloc::AllocError> {
        Ok(self.clone())
    }
}

#[derive(BlinkPut)]
struct Owner<'a> {
    label: String,
    tally: Tally,
    items: &'a [Tally],
    boxed: Box<Tally>,
}

fn tree<'b>(
    frame: &blink_alloc::BlinkScope<'_, 'b, blink_alloc::BlinkAlloc>,
    depth: u32,
    fanout: u32,
) -> Node<'b> {
    let children = if depth == 0 {
        &[][..]
    } else {
        &*frame
            .emplace_no_drop()
            .from_iter((0..fanout).map(|_| tree(frame, depth - 1, fanout)))
    };
    Node {
        name: frame.copy_str(&format!("n{depth}")),
        weight: depth,
        children,
    }
}

fn count(node: &Node) -> usize {
    1 + node.children.iter().map(count).sum::<usize>()
}

#[test]
fn promotes_a_tree_out_of_a_frame() {
    let program = Blink::new();
    let (depth, fanout) = if cfg!(miri) { (3, 2) } else { (6, 3) };
    let kept = blink_scope!(|frame| {
        let built = tree(frame, depth, fanout);
        built.put_in(&program)
    });
    assert_eq!(
        count(&kept),
        (fanout.pow(depth + 1) as usize - 1) / (fanout as usize - 1)
    );
    assert_eq!(kept.name, format!("n{depth}"));
    assert_eq!(kept.children[0].children[1].weight, depth - 2);
}

#[test]
fn copies_borrowed_input_and_enums() {
    let source = String::from("max x 3");
    let words: Vec<&str> = source.split(' ').collect();
    let inner = Expr::Var { name: words[1] };
    let args = [inner, Expr::Num(3), Expr::Nil];
    let neg_target = Expr::Num(-1);
    let call = Expr::Call(words[0], &args);
    let neg = Expr::Neg(&neg_target);
    let blink = Blink::new();
    let copied = call.put_in(&blink);
    let copied_neg = neg.try_put_in(&blink).unwrap();
    drop(source);
    assert_eq!(
        copied,
        Expr::Call("max", &[Expr::Var { name: "x" }, Expr::Num(3), Expr::Nil])
    );
    assert_eq!(copied_neg, Expr::Neg(&Expr::Num(-1)));
    assert_eq!(Unit.put_in(&blink), Unit);
}

#[test]
fn generics_and_attributes() {
    let blink = Blink::new();
    let text = String::from("t");
    let pair = Pair(&text.as_str(), Some(text.as_str()));
    let copied: Pair<'_, &str> = pair.put_in(&blink);
    assert_eq!(copied, Pair(&"t", Some("t")));
    let with = WithAttrs {
        text: &text,
        shared: Rc::from("shared"),
        cache: vec![1, 2, 3],
    };
    let copied = with.put_in(&blink);
    assert_eq!(copied.text, "t");
    assert!(Rc::ptr_eq(&copied.shared, &with.shared));
    assert!(copied.cache.is_empty());
}

#[test]
fn std_impls() {
    let blink = Blink::new();
    let source = String::from("abc");
    let value = (
        [source.as_str(); 2],
        Ok::<_, u8>(Cell::new(5u32)),
        vec![Some(source.as_str())],
        Box::new(&source[1..]),
        std::borrow::Cow::Borrowed(source.as_str()),
    );
    let copied = value.put_in(&blink);
    drop(value);
    drop(source);
    assert_eq!(copied.0, ["abc", "abc"]);
    assert_eq!(copied.1.as_ref().unwrap().get(), 5);
    assert_eq!(copied.2, vec![Some("abc")]);
    assert_eq!(*copied.3, "bc");
    assert_eq!(copied.4, "abc");
}

#[test]
fn values_with_drop_glue_are_dropped_once() {
    let drops = Rc::new(Cell::new(0));
    let tally = || Tally(drops.clone());
    let items = [tally(), tally(), tally()];
    let owner = Owner {
        label: "o".into(),
        tally: tally(),
        items: &items,
        boxed: Box::new(tally()),
    };
    let mut blink = Blink::new();
    {
        let copy: &Owner = (&&owner).put_in(&blink);
        assert_eq!(copy.label, "o");
        assert_eq!(copy.items.len(), 3);
    }
    // The referenced copy lives in the arena: nothing dropped yet.
    assert_eq!(drops.get(), 0);
    blink.reset();
    // `&owner` copied one `Owner` (tally + boxed) and three items.
    assert_eq!(drops.get(), 5);
    drop(owner);
    drop(items);
    assert_eq!(drops.get(), 10);
}

#[test]
fn frame_drops_values_and_survives_panics() {
    let drops = Cell::new(0);
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        blink_scope!(|frame| {
            frame.put(Counted(&drops));
            panic!("in a frame");
        })
    }));
    assert!(result.is_err());
    assert_eq!(drops.get(), 1);
    let drops_ref = &drops;
    let n = blink_scope!(move |frame| {
        frame.put(Counted(drops_ref));
        *frame.put(7)
    });
    assert_eq!(n, 7);
    assert_eq!(drops.get(), 2);
    // An annotated parameter works too, and values with drop placed through
    // it may still borrow what outlives the frame.
    let text =
        blink_scope!(
            |frame: &mut blink_alloc::BlinkScope<'_, '_, blink_alloc::BlinkAlloc>| {
                frame.put(Counted(drops_ref));
                frame.put(String::from("s")).clone()
            }
        );
    assert_eq!(text, "s");
    assert_eq!(drops.get(), 3);
}

#[test]
fn frames_nest_and_reenter() {
    let outer = blink_scope!(|a| {
        let x = a.put(1u64);
        let inner = blink_scope!(|b| {
            let y = b.put(2u64);
            *x + *y
        });
        let nested = blink_scope!(a, |c| *c.put(10u64));
        *x + inner + nested
    });
    assert_eq!(outer, 14);
    let mut blink = Blink::new();
    let from_parent = blink_scope!(blink, |s| s.copy_str("abc").len());
    assert_eq!(from_parent, 3);
    assert!(blink_alloc::pooled_frames() >= 1);
}
