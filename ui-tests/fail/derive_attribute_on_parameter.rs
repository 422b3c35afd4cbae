use blink_alloc::BlinkPut;

#[derive(BlinkPut)]
struct Holder<'a, #[blink(skip)] T> {
    name: &'a str,
    item: T,
}

fn main() {}
