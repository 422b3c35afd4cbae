//! Chunks whose size is not a multiple of 16: the fast path stops at the
//! last multiple of 16, and nothing may be lost to that but a few bytes.

use core::{alloc::Layout, ptr::NonNull};

use allocator_api2::alloc::{AllocError, Allocator, Global};
use blink_alloc::BlinkAlloc;

/// Hands out 5 bytes more than asked, so every chunk has an odd size.
struct OddSizes;

// SAFETY: forwards to `Global`, asking for 5 bytes more than the caller and
// reporting them; `deallocate` gets a size between the asked and the given
// one and gives `Global` back exactly what it handed out.
unsafe impl Allocator for OddSizes {
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        let padded = Layout::from_size_align(layout.size() + 5, layout.align()).unwrap();
        let block = Global.allocate(padded)?;
        Ok(NonNull::slice_from_raw_parts(
            block.cast(),
            layout.size() + 5,
        ))
    }

    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        // The arena frees with a size in `[asked, asked + 5]`, and every
        // size it asks for here is a multiple of 16: recover what `Global` got.
        let asked = layout.size() - layout.size() % 16;
        let padded = Layout::from_size_align(asked + 5, layout.align()).unwrap();
        // SAFETY: `ptr` came from `Global` with `padded`.
        unsafe { Global.deallocate(ptr, padded) }
    }
}

fn check(block: NonNull<[u8]>, layout: Layout) {
    assert_eq!(block.cast::<u8>().as_ptr() as usize % layout.align(), 0);
    assert_eq!(block.len(), layout.size());
    // SAFETY: a fresh block of `layout.size()` writable bytes.
    unsafe { block.cast::<u8>().as_ptr().write_bytes(0xA5, layout.size()) };
}

#[test]
fn odd_sized_chunks_serve_every_alignment() {
    let mut blink = BlinkAlloc::new_in(OddSizes);
    for cycle in 0..3 {
        for i in 0..2_000usize {
            let layout = Layout::from_size_align(1 + i % 97, 1 << (i % 13)).unwrap();
            check(blink.allocate(layout).unwrap(), layout);
        }
        assert!(blink.stats().used_bytes > 0, "cycle {cycle}");
        blink.reset();
    }
}

#[test]
fn exact_fit_under_an_odd_maximum_chunk_size() {
    // 1000 is not a multiple of 16: the one chunk ends 8 bytes past the fast
    // path's end, and a request that needs those bytes still succeeds.
    let blink = BlinkAlloc::new().max_chunk_size(1000);
    let layout = Layout::from_size_align(1000 - 32, 8).unwrap();
    check(blink.allocate(layout).unwrap(), layout);
    let small = Layout::new::<u64>();
    for _ in 0..100 {
        check(blink.allocate(small).unwrap(), small);
    }
}
