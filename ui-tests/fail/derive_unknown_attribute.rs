use blink_alloc::BlinkPut;

#[derive(BlinkPut)]
struct Holder<'a> {
    #[blink(deep)]
    name: &'a str,
}

fn main() {}
