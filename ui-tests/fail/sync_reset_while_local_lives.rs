// A `LocalBlinkAlloc` borrows its shared arena: the arena cannot be reset
// while the view (and the blocks it handed out) is alive.
use blink_alloc::SyncBlinkAlloc;

fn main() {
    let mut shared = SyncBlinkAlloc::new();
    let local = shared.local();
    let block = local.allocate(core::alloc::Layout::new::<u64>()).unwrap();
    shared.reset();
    let _ = (local, block);
}
