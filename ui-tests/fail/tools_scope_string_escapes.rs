fn main() {
    let mut blink = blink_alloc::Blink::new();
    let escaped = blink.scope(|frame| {
        let mut text = frame.string();
        text.push_str("rewound when the scope closes");
        text.into_str()
    });
    println!("{escaped}");
}
