use blink_alloc::BlinkPut;

#[derive(BlinkPut)]
#[repr(C, packed)]
struct Header<'a> {
    tag: u8,
    name: &'a str,
}

fn main() {}
