use blink_alloc::{blink_scope, Blink};

fn main() {
    let mut blink = Blink::new();
    blink_scope!(blink, |scope| {
        blink.put(1u32);
        scope.put(2u32);
    });
}
