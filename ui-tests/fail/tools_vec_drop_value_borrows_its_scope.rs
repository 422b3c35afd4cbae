// In a scope, a value with drop may not borrow the scope itself.
fn main() {
    let mut blink = blink_alloc::Blink::new();
    blink.scope(|frame| {
        let text = frame.copy_str("x");
        let mut values = frame.vec();
        values.push(vec![&*text]);
        values.into_slice();
    });
}
