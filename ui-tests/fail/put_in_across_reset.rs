use blink_alloc::{Blink, BlinkPut};

fn main() {
    let mut blink = Blink::new();
    let copied: &str = "input".put_in(&blink);
    blink.reset();
    println!("{copied}");
}
