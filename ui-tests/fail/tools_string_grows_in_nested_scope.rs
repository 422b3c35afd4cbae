fn main() {
    let mut blink = blink_alloc::Blink::new();
    blink.scope(|outer| {
        let mut text = outer.string();
        text.push('a');
        outer.scope(|_inner| text.push_str("grown in the inner scope"));
        println!("{}", text.as_str());
    });
}
