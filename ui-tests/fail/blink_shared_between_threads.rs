use blink_alloc::Blink;

fn main() {
    let blink = Blink::new();
    std::thread::scope(|threads| {
        threads.spawn(|| *blink.put(1u32));
    });
}
