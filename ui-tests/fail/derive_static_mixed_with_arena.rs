use blink_alloc::BlinkPut;

#[derive(BlinkPut)]
struct Labels<'a> {
    names: &'a [&'static str],
}

fn main() {}
