use blink_alloc::BlinkPut;

#[derive(BlinkPut)]
struct Holder<'a> {
    #[blink(clone)]
    name: &'a str,
}

fn main() {}
