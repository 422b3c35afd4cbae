use blink_alloc::blink_scope;

fn main() {
    let escaped = blink_scope!(|frame| frame.copy_str("escapes"));
    println!("{escaped}");
}
