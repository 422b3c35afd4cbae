// The twin of `fail/sync_reset_while_local_lives.rs`: once the view is
// gone, the shared arena resets.
use blink_alloc::SyncBlinkAlloc;

fn main() {
    let mut shared = SyncBlinkAlloc::new();
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                let local = shared.local();
                local.allocate(core::alloc::Layout::new::<u64>()).unwrap();
            });
        }
    });
    shared.reset();
}
