//! `BlinkAlloc` is `Send` when its base allocator is, and never `Sync`. The
//! `!Sync` half is a `compile_fail` doc test on `BlinkAlloc` in
//! `blink/src/local.rs`, since a negative bound cannot be written here.

use crate::common;

use blink_alloc::{BlinkAlloc, Stats};
use common::CountingAlloc;

const fn assert_send<T: Send>() {}
const fn assert_sync<T: Sync>() {}

const _: () = {
    assert_send::<BlinkAlloc>();
    assert_send::<BlinkAlloc<allocator_api2::alloc::Global>>();
    assert_send::<BlinkAlloc<CountingAlloc>>();
    assert_send::<Stats>();
    assert_sync::<Stats>();
};

#[test]
fn an_arena_moves_to_another_thread() {
    let blink = BlinkAlloc::new_in(CountingAlloc::new());
    let block = blink.allocate(core::alloc::Layout::new::<u64>()).unwrap();
    // SAFETY: a fresh 8-byte block.
    unsafe { block.cast::<u64>().as_ptr().write(41) };
    let (blink, base) = std::thread::spawn(move || {
        let mut blink = blink;
        let more = blink.allocate(core::alloc::Layout::new::<u64>()).unwrap();
        // SAFETY: a fresh 8-byte block.
        unsafe { more.cast::<u64>().as_ptr().write(1) };
        blink.reset();
        let base = blink.inner().clone();
        (blink, base)
    })
    .join()
    .unwrap();
    assert_eq!(blink.stats().used_bytes, 0);
    drop(blink);
    base.assert_all_returned();
}
