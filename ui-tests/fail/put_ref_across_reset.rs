use blink_alloc::Blink;

fn main() {
    let mut blink = Blink::new();
    let text: &mut String = blink.put(String::from("kept"));
    blink.reset();
    text.push('!');
}
