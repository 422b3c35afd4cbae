use blink_alloc::BlinkPut;

#[derive(BlinkPut)]
struct Holder {
    #[blink(clone, skip)]
    name: String,
}

fn main() {}
