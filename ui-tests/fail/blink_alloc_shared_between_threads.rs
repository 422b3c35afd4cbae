use blink_alloc::BlinkAlloc;
use core::alloc::Layout;

fn main() {
    let alloc = BlinkAlloc::new();
    std::thread::scope(|threads| {
        threads.spawn(|| alloc.allocate(Layout::new::<u64>()).is_ok());
        alloc.allocate(Layout::new::<u64>()).unwrap();
    });
}
