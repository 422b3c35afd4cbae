//! `&BlinkAlloc` implements the `Allocator` traits of allocator-api2 0.3 and
//! 0.4 when their features are on, next to 0.2's.
#![cfg(all(feature = "allocator-api2-03", feature = "allocator-api2-04"))]

use blink_alloc::BlinkAlloc;

#[test]
fn vec_of_each_version_grows_in_the_arena() {
    let blink = BlinkAlloc::new();
    let mut v02 = allocator_api2::vec::Vec::new_in(&blink);
    let mut v03 = allocator_api2_03::vec::Vec::new_in(&blink);
    let mut v04 = allocator_api2_04::vec::Vec::new_in(&blink);
    for i in 0..100u32 {
        v02.push(i);
        v03.push(i);
        v04.push(i);
    }
    assert_eq!(v02.iter().sum::<u32>(), 4950);
    assert_eq!(v03.iter().sum::<u32>(), 4950);
    assert_eq!(v04.iter().sum::<u32>(), 4950);
    assert!(blink.stats().used_bytes >= 1200);
}
