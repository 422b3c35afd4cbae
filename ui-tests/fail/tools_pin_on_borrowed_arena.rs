// Forgetting a `Blink` over a borrowed arena, then resetting the arena,
// would reuse a pinned value's memory without dropping it (bumpalo #186).
use blink_alloc::{Blink, BlinkAlloc};

fn main() {
    let arena = BlinkAlloc::new();
    let blink = Blink::new_in(&arena);
    let _pinned = blink.put_pin(core::marker::PhantomPinned);
}
