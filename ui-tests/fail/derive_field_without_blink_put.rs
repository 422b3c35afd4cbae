use blink_alloc::BlinkPut;

struct Opaque;

#[derive(BlinkPut)]
struct Holder<'a> {
    name: &'a str,
    opaque: Opaque,
}

fn main() {}
