fn main() {
    let mut blink = blink_alloc::Blink::new();
    let escaped = blink.scope(|frame| frame.put_pin(String::from("dropped at close")));
    println!("{}", *escaped);
}
