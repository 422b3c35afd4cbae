use blink_alloc::BlinkPut;

#[derive(BlinkPut)]
union Bits {
    int: u32,
    float: f32,
}

fn main() {}
