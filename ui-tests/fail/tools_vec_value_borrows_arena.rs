// Values dropped at the reset must be `'static` on a plain `Blink`.
fn main() {
    let blink = blink_alloc::Blink::new();
    let text = blink.copy_str("x");
    let mut values = blink.vec();
    values.push(vec![&*text]);
    values.into_slice();
}
