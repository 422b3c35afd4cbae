//! The `nightly` feature: blink allocators plug into the standard
//! collections through `core::alloc::Allocator`.
#![cfg(feature = "nightly")]
#![feature(allocator_api)]

use std::collections::VecDeque;

use blink_alloc::{Blink, BlinkAlloc};

#[test]
fn std_collections_allocate_in_the_arena() {
    let mut blink = BlinkAlloc::new();
    for round in 0..3u32 {
        let mut v: Vec<u32, &BlinkAlloc> = Vec::new_in(&blink);
        v.extend(0..1000);
        let mut q = VecDeque::new_in(&blink);
        q.extend(v.iter().map(|x| x + round));
        let boxed = Box::new_in([round; 16], &blink);
        assert_eq!(q.iter().sum::<u32>(), 499_500 + 1000 * round);
        assert_eq!(boxed[15], round);
        assert!(blink.stats().used_bytes >= 4000);
        drop((v, q, boxed));
        blink.reset();
    }
}

#[test]
fn blink_over_a_borrowed_arena_with_std_vec() {
    let arena = BlinkAlloc::new();
    let blink = Blink::new_in(&arena);
    let text = blink.copy_str("nightly");
    let mut lengths = Vec::new_in(&arena);
    lengths.push(text.len());
    assert_eq!(lengths, [7]);
}
