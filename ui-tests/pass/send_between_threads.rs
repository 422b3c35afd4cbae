//! Twin of the thread failures: a `BlinkAlloc` may move to another thread
//! (it is `Send`), and a `Blink` may move once emptied by `SendBlink`.
use blink_alloc::{BlinkAlloc, Blink, SendBlink};
use core::alloc::Layout;

fn main() {
    let alloc = BlinkAlloc::new();
    std::thread::spawn(move || alloc.allocate(Layout::new::<u64>()).is_ok())
        .join()
        .unwrap();
    let blink = Blink::new();
    blink.put(std::rc::Rc::new(1u32));
    let sendable = SendBlink::new(blink);
    std::thread::spawn(move || *sendable.into_inner().put(2u32))
        .join()
        .unwrap();
}
