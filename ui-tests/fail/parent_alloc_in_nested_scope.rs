use blink_alloc::{blink_scope, Blink};

fn main() {
    let mut blink = Blink::new();
    blink_scope!(blink, |outer| {
        blink_scope!(outer, |inner| {
            outer.put(1u32);
            inner.put(2u32);
        });
    });
}
