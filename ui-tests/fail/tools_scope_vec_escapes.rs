fn main() {
    let mut blink = blink_alloc::Blink::new();
    let mut kept = None;
    blink.scope(|frame| {
        let mut values = frame.vec();
        values.push(String::from("dropped when the scope closes"));
        kept = Some(values.into_slice());
    });
    println!("{:?}", kept);
}
