use blink_alloc::Blink;

fn main() {
    let mut blink = Blink::new();
    let mut text = blink.string();
    text.push_str("frame");
    blink.reset();
    text.push('!');
}
