use blink_alloc::BlinkPut;

#[derive(BlinkPut)]
struct Pair<'a, 'b> {
    left: &'a str,
    right: &'b str,
}

fn main() {}
