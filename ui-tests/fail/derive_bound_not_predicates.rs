use blink_alloc::BlinkPut;

#[derive(BlinkPut)]
#[blink(bound = "T BlinkPut")]
struct Holder<'a, T> {
    name: &'a str,
    item: T,
}

fn main() {}
