use blink_alloc::BlinkPut;

#[derive(BlinkPut)]
#[blink(deny_unknown_fields)]
struct Holder<'a> {
    name: &'a str,
}

fn main() {}
