//! Regression tests for defects found in the arena, one per fix.

use crate::common;

use blink_alloc::BlinkAlloc;
use common::{addr, layout, CountingAlloc};

/// A zero-sized request inside a chunk used to move the cursor by the
/// alignment padding, so zero-sized values took arena memory.
#[test]
fn zero_sizes_take_no_memory_in_a_chunk() {
    let base = CountingAlloc::new();
    let blink = BlinkAlloc::with_chunk_size_in(64 << 10, base.clone());
    // Leave the cursor at an odd address, so any alignment above 1 would
    // need padding.
    let first = blink.allocate(layout(1, 1)).unwrap();
    let calls = base.snapshot();
    let used = blink.stats().used_bytes;
    for align in (0..usize::BITS).map(|shift| 1usize << shift) {
        let z = blink.allocate(layout(0, align)).unwrap();
        assert_eq!(z.len(), 0);
        assert_eq!(addr(z) % align, 0, "align {align}");
        assert_eq!(blink.stats().used_bytes, used, "align {align}");
    }
    assert_eq!(base.snapshot(), calls);
    // The next block follows the first with no gap.
    let next = blink.allocate(layout(1, 1)).unwrap();
    assert_eq!(addr(next), addr(first) + 1);
}
