//! Instruction counts per operation, measured by callgrind through gungraun.
//!
//! Each operation is an `#[inline(never)]` `entry_*` function that does ONE
//! allocator call on a warm arena (a chunk is already there and has room).
//! Gungraun counts only what runs inside that function (its custom entry
//! point), so building the arena and the call through a black-boxed
//! function pointer are not counted; the function's own prologue, the store
//! of a value where there is one, and the `ret` are. The `_bb` operations get
//! their layouts as arguments, as a `Vec` passes them: not known at compile
//! time.
//!
//! Needs valgrind and `gungraun-runner` of the same version as the `gungraun`
//! dev-dependency (`cargo install gungraun-runner --version 0.20.0`). Run with
//! `cargo bench -p blink-benches --bench callgrind`; `scripts/bench-report.sh` puts the counts
//! into `BENCHMARKS.md`.

use gungraun::{main, Callgrind, EntryPoint, LibraryBenchmarkConfig};

/// Counts events in the functions matching `entry` and their callees only.
fn entry(entry: &str) -> LibraryBenchmarkConfig {
    let mut config = LibraryBenchmarkConfig::default();
    config.tool(
        Callgrind::with_args(["branch-sim=yes"])
            .entry_point(EntryPoint::Custom(entry.to_owned()))
            .clone(),
    );
    config
}

/// A block of 16 bytes, aligned to 8: the tip that `grow` enlarges and the
/// result that `shrink` makes.
const SMALL: std::alloc::Layout = match std::alloc::Layout::from_size_align(16, 8) {
    Ok(layout) => layout,
    Err(_) => panic!("bad layout"),
};
/// What `SMALL` grows to (or shrinks from).
const LARGE: std::alloc::Layout = match std::alloc::Layout::from_size_align(32, 8) {
    Ok(layout) => layout,
    Err(_) => panic!("bad layout"),
};

/// The entry functions and benchmarks of one allocator. `$api` is the
/// allocator-api2 version its `Allocator` impl belongs to; `$warm` builds a
/// warm arena; `$alloc` places a `u64` the way its users would.
macro_rules! allocator_benches {
    (
        $module:ident as $lib:ident, $api:ident, $arena:ty,
        warm = $warm:expr,
        alloc_u64 = |$a:ident, $v:ident| $alloc:expr $(,)?
    ) => {
        pub mod $module {
            use std::{alloc::Layout, hint::black_box, ptr::NonNull};

            use gungraun::{library_benchmark, library_benchmark_group};
            use $api::alloc::{AllocError, Allocator};

            use crate::{entry, LARGE, SMALL};

            type Arena = $arena;
            type Block = Result<NonNull<[u8]>, AllocError>;

            fn warm() -> Arena {
                $warm
            }

            /// Every entry function of this allocator. Each benchmark runs in a
            /// process of its own and calls exactly one of them; naming them all
            /// keeps the count right when the compiler merges two identical
            /// entry functions (ours `grow_bb` and `shrink_bb` both are one
            /// `resize`) under one symbol.
            fn pattern() -> String {
                format!("*::{}::entry_*", stringify!($module))
            }

            /// A warm arena whose last block is a `layout` block.
            fn with_tip(layout: Layout) -> (Arena, NonNull<u8>) {
                let arena = warm();
                let ptr = <&Arena as Allocator>::allocate(&&arena, layout)
                    .unwrap()
                    .cast();
                (arena, ptr)
            }

            #[inline(never)]
            pub fn entry_alloc_u64($a: &Arena, $v: u64) -> &u64 {
                $alloc
            }

            #[inline(never)]
            pub fn entry_allocate(arena: &Arena) -> Block {
                <&Arena as Allocator>::allocate(&arena, Layout::new::<u64>())
            }

            #[inline(never)]
            pub fn entry_allocate_bb(arena: &Arena, layout: Layout) -> Block {
                <&Arena as Allocator>::allocate(&arena, layout)
            }

            #[inline(never)]
            pub fn entry_grow(arena: &Arena, ptr: NonNull<u8>) -> Block {
                // SAFETY: `ptr` is the arena's last block, allocated with `SMALL`.
                unsafe { <&Arena as Allocator>::grow(&arena, ptr, SMALL, LARGE) }
            }

            #[inline(never)]
            pub fn entry_grow_bb(arena: &Arena, ptr: NonNull<u8>, old: Layout, new: Layout) -> Block {
                // SAFETY: `ptr` is the arena's last block, allocated with `old`,
                // and `new` is not smaller.
                unsafe { <&Arena as Allocator>::grow(&arena, ptr, old, new) }
            }

            #[inline(never)]
            pub fn entry_shrink_bb(arena: &Arena, ptr: NonNull<u8>, old: Layout, new: Layout) -> Block {
                // SAFETY: `ptr` is the arena's last block, allocated with `old`,
                // and `new` is not larger.
                unsafe { <&Arena as Allocator>::shrink(&arena, ptr, old, new) }
            }

            #[inline(never)]
            pub fn entry_deallocate(arena: &Arena, ptr: NonNull<u8>) {
                // SAFETY: `ptr` is the arena's last block, allocated with `SMALL`.
                unsafe { <&Arena as Allocator>::deallocate(&arena, ptr, SMALL) }
            }

            #[inline(never)]
            pub fn entry_reset(arena: &mut Arena) {
                arena.reset();
            }

            #[library_benchmark(config = entry(&pattern()))]
            fn alloc_u64() {
                let arena = warm();
                let f = black_box(entry_alloc_u64 as for<'a> fn(&'a Arena, u64) -> &'a u64);
                black_box(f(&arena, black_box(42)));
            }

            #[library_benchmark(config = entry(&pattern()))]
            fn allocate() {
                let arena = warm();
                let f = black_box(entry_allocate as fn(&Arena) -> Block);
                black_box(f(&arena)).unwrap();
            }

            #[library_benchmark(config = entry(&pattern()))]
            fn allocate_bb() {
                let arena = warm();
                let f = black_box(entry_allocate_bb as fn(&Arena, Layout) -> Block);
                black_box(f(&arena, black_box(Layout::new::<u64>()))).unwrap();
            }

            #[library_benchmark(config = entry(&pattern()))]
            fn grow() {
                let (arena, ptr) = with_tip(SMALL);
                let f = black_box(entry_grow as fn(&Arena, NonNull<u8>) -> Block);
                black_box(f(&arena, black_box(ptr))).unwrap();
            }

            #[library_benchmark(config = entry(&pattern()))]
            fn grow_bb() {
                let (arena, ptr) = with_tip(SMALL);
                let f = black_box(entry_grow_bb as fn(&Arena, NonNull<u8>, Layout, Layout) -> Block);
                black_box(f(&arena, black_box(ptr), black_box(SMALL), black_box(LARGE))).unwrap();
            }

            #[library_benchmark(config = entry(&pattern()))]
            fn shrink_bb() {
                let (arena, ptr) = with_tip(LARGE);
                let f = black_box(entry_shrink_bb as fn(&Arena, NonNull<u8>, Layout, Layout) -> Block);
                black_box(f(&arena, black_box(ptr), black_box(LARGE), black_box(SMALL))).unwrap();
            }

            #[library_benchmark(config = entry(&pattern()))]
            fn deallocate() {
                let (arena, ptr) = with_tip(SMALL);
                let f = black_box(entry_deallocate as fn(&Arena, NonNull<u8>));
                f(&arena, black_box(ptr));
                black_box(&arena);
            }

            #[library_benchmark(config = entry(&pattern()))]
            fn reset() {
                let (mut arena, _) = with_tip(SMALL);
                let f = black_box(entry_reset as fn(&mut Arena));
                f(&mut arena);
                black_box(&arena);
            }

            library_benchmark_group!(
                name = group;
                benchmarks = alloc_u64, allocate, allocate_bb, grow, grow_bb, shrink_bb, deallocate, reset
            );
        }
    };
}

/// Places a `u64` through an arena's `allocate(Layout)`, as a user of a
/// layout-level arena (ours, blink-alloc 0.4) writes it.
macro_rules! put_u64 {
    ($arena:expr, $value:expr) => {{
        let layout = Layout::new::<u64>();
        let ptr = match $arena.allocate(layout) {
            Ok(block) => block.cast::<u64>(),
            Err(_) => std::alloc::handle_alloc_error(layout),
        };
        // SAFETY: a fresh block for a `u64`, valid until the arena's reset,
        // which needs `&mut` to the arena.
        unsafe {
            ptr.as_ptr().write($value);
            &*ptr.as_ptr()
        }
    }};
}

allocator_benches!(
    ops_ours as ours,
    allocator_api2,
    blink_alloc::BlinkAlloc,
    warm = {
        let mut arena = blink_alloc::BlinkAlloc::with_chunk_size(4096);
        arena.allocate(Layout::new::<u64>()).unwrap();
        arena.reset();
        arena
    },
    alloc_u64 = |arena, value| put_u64!(arena, value),
);

allocator_benches!(
    ops_bumpalo as bumpalo,
    allocator_api2,
    bumpalo::Bump,
    warm = bumpalo::Bump::with_capacity(4096),
    alloc_u64 = |arena, value| arena.alloc(value),
);

allocator_benches!(
    ops_bump_scope as bump_scope,
    allocator_api2,
    bump_scope::Bump,
    warm = bump_scope::Bump::with_size(4096),
    alloc_u64 = |arena, value| bump_scope::BumpBox::leak(arena.alloc(value)),
);

allocator_benches!(
    ops_blink_alloc_04 as blink_alloc_04,
    allocator_api2_04,
    blink_alloc_04::BlinkAlloc,
    warm = {
        let mut arena = blink_alloc_04::BlinkAlloc::with_chunk_size(4096);
        arena.allocate(Layout::new::<u64>()).unwrap();
        arena.reset();
        arena
    },
    alloc_u64 = |arena, value| put_u64!(arena, value),
);

allocator_benches!(
    ops_ours_sync as ours_sync,
    allocator_api2,
    blink_alloc::SyncBlinkAlloc,
    warm = {
        let mut arena = blink_alloc::SyncBlinkAlloc::with_chunk_size(4096);
        arena.allocate(Layout::new::<u64>()).unwrap();
        arena.reset();
        // This thread's slot holds a block of the new cycle.
        arena.allocate(Layout::new::<u64>()).unwrap();
        arena
    },
    alloc_u64 = |arena, value| put_u64!(arena, value),
);

allocator_benches!(
    ops_blink_alloc_04_sync as blink_alloc_04_sync,
    allocator_api2_04,
    blink_alloc_04::SyncBlinkAlloc,
    warm = {
        let mut arena = blink_alloc_04::SyncBlinkAlloc::new();
        arena.allocate(Layout::new::<u64>()).unwrap();
        arena.reset();
        arena.allocate(Layout::new::<u64>()).unwrap();
        arena
    },
    alloc_u64 = |arena, value| put_u64!(arena, value),
);

use self::{
    ops_blink_alloc_04::group as blink_alloc_04,
    ops_blink_alloc_04_sync::group as blink_alloc_04_sync, ops_bump_scope::group as bump_scope,
    ops_bumpalo::group as bumpalo, ops_ours::group as ours, ops_ours_sync::group as ours_sync,
};

main!(
    library_benchmark_groups = ours,
    bumpalo,
    bump_scope,
    blink_alloc_04,
    ours_sync,
    blink_alloc_04_sync
);
