use blink_alloc::{blink_scope, Blink};

fn main() {
    let mut blink = Blink::new();
    blink_scope!(blink, |frame| 1, 2);
}
