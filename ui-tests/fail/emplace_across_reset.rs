use blink_alloc::Blink;

fn main() {
    let mut blink = Blink::new();
    let items = blink.emplace().from_iter(0..10u32);
    blink.reset();
    println!("{}", items.len());
}
