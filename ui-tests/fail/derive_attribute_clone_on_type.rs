use blink_alloc::BlinkPut;

#[derive(BlinkPut, Clone)]
#[blink(clone)]
struct Holder<'a> {
    name: &'a str,
}

fn main() {}
