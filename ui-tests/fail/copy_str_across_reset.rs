use blink_alloc::Blink;

fn main() {
    let mut blink = Blink::new();
    let word = blink.copy_str("word");
    blink.reset();
    println!("{word}");
}
