use allocator_api2::vec::Vec;
use blink_alloc::BlinkAlloc;
use core::alloc::Layout;

const N: u64 = if cfg!(miri) { 300 } else { 10_000 };

#[test]
fn vec_push_and_reset_cycles() {
    let mut blink = BlinkAlloc::new();
    for cycle in 0..5u64 {
        let mut v = Vec::new_in(&blink);
        for i in 0..N {
            v.push(i * cycle);
        }
        assert_eq!(v.iter().sum::<u64>(), cycle * N * (N - 1) / 2);
        assert!(blink.stats().used_bytes >= 8 * N as usize);
        drop(v);
        blink.reset();
        assert!(blink.stats().chunks <= 1, "{:?}", blink.stats());
    }
}

#[test]
fn reserve_exact_grows_in_place() {
    let blink = BlinkAlloc::new();
    let mut v = Vec::<u8, _>::new_in(&blink);
    v.push(1);
    let mut moves = 0;
    for _ in 0..N * 10 {
        let before = v.as_ptr();
        v.reserve_exact(1);
        v.push(2);
        moves += usize::from(v.as_ptr() != before);
    }
    // Only a move to a new chunk copies; chunks double, so that is rare.
    assert!(moves < 20, "{moves} moves");
}

#[test]
fn huge_and_aligned() {
    let blink = BlinkAlloc::new();
    assert!(blink
        .allocate(Layout::from_size_align(isize::MAX as usize - 100, 1).unwrap())
        .is_err());
    for align in [1usize, 2, 8, 64, 4096, 1 << 16] {
        let p = blink
            .allocate(Layout::from_size_align(3, align).unwrap())
            .unwrap();
        assert_eq!(p.cast::<u8>().as_ptr() as usize % align, 0);
        let z = blink
            .allocate(Layout::from_size_align(0, align).unwrap())
            .unwrap();
        assert_eq!(z.cast::<u8>().as_ptr() as usize % align, 0);
    }
}
