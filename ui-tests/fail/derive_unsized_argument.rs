use blink_alloc::{Blink, BlinkPut};

#[derive(BlinkPut)]
struct Unsized<'a, T: ?Sized> {
    item: &'a T,
}

fn main() {
    let blink = Blink::new();
    let _ = Unsized::<str> { item: "text" }.put_in(&blink);
}
