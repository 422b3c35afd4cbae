use blink_alloc::blink_scope;

fn body() -> u32 {
    1
}

fn main() {
    blink_scope!(body());
}
