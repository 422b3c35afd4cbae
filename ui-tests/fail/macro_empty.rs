use blink_alloc::blink_scope;

fn main() {
    blink_scope!();
}
