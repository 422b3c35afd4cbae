use blink_alloc::Blink;

fn main() {
    let mut blink = Blink::new();
    let pinned = blink.put_pin(String::from("dropped at the reset"));
    blink.reset();
    println!("{}", *pinned);
}
