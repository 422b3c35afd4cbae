use blink_alloc::{blink_format, Blink};

fn main() {
    let mut blink = Blink::new();
    let text = blink_format!(in &blink, "{}", 1);
    blink.reset();
    println!("{text}");
}
