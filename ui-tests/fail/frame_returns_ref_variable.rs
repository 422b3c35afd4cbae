use blink_alloc::blink_scope;

fn main() {
    let escaped = blink_scope!(|frame| {
        let text = frame.copy_str("escapes");
        text
    });
    println!("{escaped}");
}
