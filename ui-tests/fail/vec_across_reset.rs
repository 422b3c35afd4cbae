use allocator_api2::vec::Vec;
use blink_alloc::BlinkAlloc;

fn main() {
    let mut alloc = BlinkAlloc::new();
    let mut items = Vec::new_in(&alloc);
    items.push(1u32);
    alloc.reset();
    items.push(2);
}
