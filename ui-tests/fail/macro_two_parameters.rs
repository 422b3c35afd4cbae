use blink_alloc::blink_scope;

fn main() {
    blink_scope!(|frame, extra| 1);
}
