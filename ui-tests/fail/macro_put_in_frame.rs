#[allow(unused_imports)] // used once the error is mended
use blink_alloc::{blink_scope, BlinkPut};

fn main() {
    blink_scope!(|frame| {
        let copy = "x".put_in(&frame);
        println!("{copy}");
    });
}
