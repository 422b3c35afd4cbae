use blink_alloc::BlinkPut;

#[derive(BlinkPut)]
struct Holder<'a> {
    #[blink()]
    name: &'a str,
}

fn main() {}
