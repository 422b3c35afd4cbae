use blink_alloc::Blink;

fn main() {
    let mut blink = Blink::new();
    let value = blink.put(1u32);
    blink.reset();
    assert_eq!(*value, 1);
}
