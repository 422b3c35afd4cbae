use blink_alloc::Blink;

fn main() {
    let blink = Blink::new();
    blink.put(std::rc::Rc::new(1u32));
    std::thread::spawn(move || {
        blink.put(2u32);
    });
}
