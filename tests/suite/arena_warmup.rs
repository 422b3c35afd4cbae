//! After a cycle or two of the same work, `reset` keeps enough memory that
//! the base allocator is never called again, whatever the size of the work;
//! and the limit and the maximum chunk size hold throughout.

use crate::common;

use allocator_api2::vec::Vec;
use blink_alloc::BlinkAlloc;
use common::{layout, scaled, CountingAlloc, Snapshot};

/// One cycle of mixed work of about `bytes` bytes: small blocks of mixed
/// sizes and alignments, a vector that grows one push at a time, another
/// that is reserved up front, and a hash map. `seed` changes the values
/// written, not the layouts.
fn work(blink: &BlinkAlloc<CountingAlloc>, bytes: usize, seed: u64) -> u64 {
    let mut sum = 0u64;
    let mut small = 0;
    let mut i = 0usize;
    while small < bytes / 4 {
        let size = (i * 7) % 48 + 1;
        let b = blink.allocate(layout(size, 1 << (i % 5))).unwrap();
        // SAFETY: a fresh block of `size` bytes.
        unsafe { b.cast::<u8>().as_ptr().write(i as u8) };
        small += size;
        i += 1;
    }
    let mut pushed = Vec::new_in(blink);
    for k in 0..(bytes / 4 / 8) as u64 {
        pushed.push(k ^ seed);
    }
    sum += pushed.iter().sum::<u64>();
    let mut reserved: Vec<u8, _> = Vec::with_capacity_in(bytes / 4, blink);
    reserved.resize(bytes / 4, seed as u8);
    sum += reserved.len() as u64;
    let entries = (bytes / 4 / 64).max(1) as u64;
    let mut map = hashbrown::HashMap::with_capacity_in(4, blink);
    for k in 0..entries {
        map.insert(k, k + seed);
    }
    sum += map.values().sum::<u64>();
    sum
}

/// Runs `cycles` cycles of `bytes_of(cycle)` bytes and returns the base
/// allocator calls of each cycle (its reset included).
fn cycles(
    blink: &mut BlinkAlloc<CountingAlloc>,
    base: &CountingAlloc,
    cycles: usize,
    bytes_of: impl Fn(usize) -> usize,
) -> std::vec::Vec<Snapshot> {
    let mut per_cycle = std::vec::Vec::new();
    for cycle in 0..cycles {
        let before = base.snapshot();
        let got = work(blink, bytes_of(cycle), cycle as u64);
        assert!(got > 0);
        blink.reset();
        assert_eq!(blink.stats().used_bytes, 0);
        per_cycle.push(base.snapshot().since(&before));
    }
    per_cycle
}

/// Asserts no base-allocator call from the third cycle on.
#[track_caller]
fn assert_warm(per_cycle: &[Snapshot], what: &str) {
    for (cycle, calls) in per_cycle.iter().enumerate().skip(2) {
        assert_eq!(
            calls.calls(),
            0,
            "{what}: cycle {cycle} called the base allocator: {calls:?}\nall cycles: {per_cycle:#?}"
        );
    }
}

/// Bytes of work per cycle: a few hundred (800 made blink-alloc 0.4 call
/// the base allocator every cycle), about 100 KB and about 8 MB (which took
/// blink-alloc 0.4 some 256 cycles to warm up).
const SIZES: [usize; 4] = [
    300,
    800,
    scaled(100 << 10, 8 << 10),
    scaled(8 << 20, 64 << 10),
];

#[test]
fn the_same_work_stops_calling_the_base_allocator() {
    for bytes in SIZES {
        let base = CountingAlloc::new();
        let mut blink = BlinkAlloc::new_in(base.clone());
        let per_cycle = cycles(&mut blink, &base, scaled(12, 5), |_| bytes);
        assert_warm(&per_cycle, &format!("{bytes} bytes"));
        assert_eq!(blink.stats().chunks, 1);
        drop(blink);
        base.assert_all_returned();
    }
}

#[test]
fn slightly_varying_work_stops_calling_the_base_allocator() {
    for bytes in SIZES {
        let base = CountingAlloc::new();
        let mut blink = BlinkAlloc::new_in(base.clone());
        // Up and down by a few percent, the largest cycle not the first.
        let vary = |cycle: usize| bytes + bytes * [0, 3, 1, 4, 2, 5, 0, 5][cycle % 8] / 100;
        let per_cycle = cycles(&mut blink, &base, scaled(16, 6), vary);
        assert_warm(&per_cycle, &format!("{bytes} bytes, varying"));
        drop(blink);
        base.assert_all_returned();
    }
}

#[test]
fn shrinking_work_keeps_its_memory() {
    let bytes = SIZES[2];
    let base = CountingAlloc::new();
    let mut blink = BlinkAlloc::new_in(base.clone());
    let per_cycle = cycles(&mut blink, &base, scaled(10, 5), |cycle| {
        bytes >> cycle.min(4)
    });
    assert_warm(&per_cycle, "shrinking");
}

#[test]
fn work_larger_than_the_max_chunk_size_warms_up_too() {
    let bytes = SIZES[3];
    let max = bytes / 8;
    let base = CountingAlloc::new();
    let mut blink = BlinkAlloc::new_in(base.clone()).max_chunk_size(max);
    let per_cycle = cycles(&mut blink, &base, scaled(8, 4), |_| bytes);
    assert_warm(&per_cycle, "capped chunks");
    // Every chunk stayed under the cap, except those for single requests
    // larger than it: the largest is the pushed vector, whose capacity
    // doubles up to twice a quarter of the work (uncapped growth would
    // reach chunks about as large as the whole work).
    let largest_request = 2 * (bytes / 4).next_power_of_two();
    for l in base.requests() {
        assert!(
            l.size() <= max || l.size() <= largest_request + 8192,
            "{l:?}"
        );
    }
    drop(blink);
    base.assert_all_returned();
}

#[test]
fn the_max_chunk_size_is_honoured() {
    for max in [4096, 10_000, 64 << 10] {
        let base = CountingAlloc::new();
        let mut blink = BlinkAlloc::new_in(base.clone()).max_chunk_size(max);
        for _ in 0..3 {
            for i in 0..scaled(5000, 500) {
                blink.allocate(layout(i % 200 + 1, 8)).unwrap();
            }
            blink.reset();
        }
        let requests = base.requests();
        assert!(requests.len() > 1);
        assert!(
            requests.iter().all(|l| l.size() <= max),
            "{max}: {requests:?}"
        );
        drop(blink);
        base.assert_all_returned();
    }
}

#[test]
fn the_limit_is_honoured_and_failing_requests_do_not_abort() {
    let limit = scaled(1 << 20, 64 << 10);
    let base = CountingAlloc::new();
    let mut blink = BlinkAlloc::new_in(base.clone()).limit(limit);
    for _ in 0..3 {
        // Fill the arena until it refuses.
        let mut refused = 0;
        for i in 0..scaled(100_000, 10_000) {
            if blink.allocate(layout(i % 300 + 1, 8)).is_err() {
                refused += 1;
                if refused > 3 {
                    break;
                }
            }
        }
        assert!(refused > 0);
        assert!(base.live_bytes() <= limit);
        assert!(blink.stats().allocated_bytes <= limit);
        // A single request over the limit fails at once.
        assert!(blink.allocate(layout(limit + 1, 1)).is_err());
        // Through a collection too.
        let mut v: Vec<u8, _> = Vec::new_in(&blink);
        assert!(v.try_reserve(limit + 1).is_err());
        drop(v);
        blink.reset();
    }
    assert!(base.peak_live_bytes() <= limit);
    // Work that fits under the limit warms up as usual.
    let mut blink = BlinkAlloc::new_in(base.clone()).limit(limit);
    let per_cycle = cycles(&mut blink, &base, 6, |_| limit / 4);
    assert_warm(&per_cycle, "under a limit");
    assert!(base.peak_live_bytes() <= limit);
}
