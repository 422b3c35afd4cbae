//! Twin of the `macro_*` failures: every accepted form of `blink_scope!`.
use blink_alloc::{blink_scope, Blink, BlinkAlloc, BlinkScope};

fn main() {
    let a = blink_scope!(|frame| *frame.put(1u32));
    let data = vec![1u32, 2];
    let b = blink_scope!(move |frame| frame.copy_slice(&data).len() as u32);
    let c = blink_scope!(|frame: &mut BlinkScope<'_, '_, BlinkAlloc>| *frame.put(3u32));
    let mut blink = Blink::new();
    let d = blink_scope!(blink, |scope| *scope.put(4u32));
    let e = blink_scope!(&mut blink, move |scope| {
        blink_scope!(scope, |inner| *inner.put(5u32))
    });
    assert_eq!(a + b + c + d + e, 1 + 2 + 3 + 4 + 5);
}
