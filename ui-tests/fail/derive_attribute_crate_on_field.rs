use blink_alloc::BlinkPut;

#[derive(BlinkPut)]
struct Holder<'a> {
    #[blink(crate = "blink_alloc")]
    name: &'a str,
}

fn main() {}
