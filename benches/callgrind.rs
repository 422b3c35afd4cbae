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

/// Operations in each loop row (`loop_*`); `scripts/bench_report.py`
/// divides the loop's count by it.
const LOOP: usize = 100_000;
/// Bytes a warm arena has room for in a loop row: the mixed-layout loop's
/// worst case (`LOOP` blocks of up to 97 bytes and 7 bytes of padding)
/// and any `Vec` doubling (bumpalo copies) fit.
const LOOP_ROOM: usize = 12 << 20;

/// A layout of `size` bytes: allocated once and reset, it leaves a warm
/// arena with a chunk of at least that much room.
fn room(size: usize) -> std::alloc::Layout {
    std::alloc::Layout::from_size_align(size, 8).unwrap()
}

/// `LOOP` layouts with sizes 1..=97 and alignments 1, 2, 4, 8, from a fixed
/// LCG, so every run and every allocator sees the same sequence.
fn mixed_layouts() -> Vec<std::alloc::Layout> {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    (0..LOOP)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let bits = state >> 33;
            let size = 1 + (bits % 97) as usize;
            let align = 1 << ((bits >> 8) % 4);
            std::alloc::Layout::from_size_align(size, align).unwrap()
        })
        .collect()
}

/// The entry functions and benchmarks of one allocator. `$api` is the
/// allocator-api2 version its `Allocator` impl belongs to; `$warm` builds a
/// warm arena; `$alloc` places a `u64` the way its users would.
macro_rules! allocator_benches {
    (
        $module:ident as $lib:ident, $api:ident, $arena:ty,
        warm = |$size:ident| $warm:expr,
        alloc_u64 = |$a:ident, $v:ident| $alloc:expr $(,)?
    ) => {
        pub mod $module {
            use std::{alloc::Layout, hint::black_box, ptr::NonNull};

            use gungraun::{library_benchmark, library_benchmark_group};
            use $api::alloc::{AllocError, Allocator};

            use crate::{entry, mixed_layouts, LARGE, LOOP, LOOP_ROOM, SMALL};

            type Arena = $arena;
            type Block = Result<NonNull<[u8]>, AllocError>;

            /// A warm arena whose chunk has room for `$size` bytes.
            fn warm_with($size: usize) -> Arena {
                $warm
            }

            fn warm() -> Arena {
                warm_with(4096)
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

            /// `n` times `allocate(layout)`, the layout read anew each time.
            #[inline(never)]
            pub fn entry_loop_allocate_bb(arena: &Arena, layout: Layout, n: usize) {
                for _ in 0..n {
                    let layout = black_box(layout);
                    match <&Arena as Allocator>::allocate(&arena, layout) {
                        Ok(block) => black_box(block.cast::<u8>()),
                        Err(_) => std::alloc::handle_alloc_error(layout),
                    };
                }
            }

            #[inline(never)]
            pub fn entry_loop_mixed(arena: &Arena, layouts: &[Layout]) {
                for &layout in layouts {
                    match <&Arena as Allocator>::allocate(&arena, layout) {
                        Ok(block) => black_box(block.cast::<u8>()),
                        Err(_) => std::alloc::handle_alloc_error(layout),
                    };
                }
            }

            /// `n` times: allocate `from`, grow that last block to `to`, both
            /// layouts read anew each time.
            #[inline(never)]
            pub fn entry_loop_grow(arena: &Arena, from: Layout, to: Layout, n: usize) {
                for _ in 0..n {
                    let (from, to) = black_box((from, to));
                    let block = match <&Arena as Allocator>::allocate(&arena, from) {
                        Ok(block) => block.cast::<u8>(),
                        Err(_) => std::alloc::handle_alloc_error(from),
                    };
                    // SAFETY: `block` is the arena's last block, allocated with
                    // `from`, and the caller passes a `to` not smaller.
                    match unsafe { <&Arena as Allocator>::grow(&arena, block, from, to) } {
                        Ok(block) => black_box(block.cast::<u8>()),
                        Err(_) => std::alloc::handle_alloc_error(to),
                    };
                }
            }

            /// As `entry_loop_grow`, with `shrink`.
            #[inline(never)]
            pub fn entry_loop_shrink(arena: &Arena, from: Layout, to: Layout, n: usize) {
                for _ in 0..n {
                    let (from, to) = black_box((from, to));
                    let block = match <&Arena as Allocator>::allocate(&arena, from) {
                        Ok(block) => block.cast::<u8>(),
                        Err(_) => std::alloc::handle_alloc_error(from),
                    };
                    // SAFETY: `block` is the arena's last block, allocated with
                    // `from`, and the caller passes a `to` not larger.
                    match unsafe { <&Arena as Allocator>::shrink(&arena, block, from, to) } {
                        Ok(block) => black_box(block.cast::<u8>()),
                        Err(_) => std::alloc::handle_alloc_error(to),
                    };
                }
            }

            #[inline(never)]
            pub fn entry_loop_vec_push(arena: &Arena, n: usize) {
                let mut vec = $api::vec::Vec::new_in(arena);
                for i in 0..n {
                    vec.push(i as u64);
                }
                black_box(&vec);
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

            #[library_benchmark(config = entry(&pattern()))]
            fn loop_allocate_bb() {
                let arena = warm_with(LOOP_ROOM);
                let f = black_box(entry_loop_allocate_bb as fn(&Arena, Layout, usize));
                f(&arena, Layout::new::<u64>(), black_box(LOOP));
                black_box(&arena);
            }

            #[library_benchmark(config = entry(&pattern()))]
            fn loop_mixed() {
                let arena = warm_with(LOOP_ROOM);
                let layouts = mixed_layouts();
                let f = black_box(entry_loop_mixed as fn(&Arena, &[Layout]));
                f(&arena, black_box(&layouts));
                black_box(&arena);
            }

            #[library_benchmark(config = entry(&pattern()))]
            fn loop_grow_bb() {
                let arena = warm_with(LOOP_ROOM);
                let f = black_box(entry_loop_grow as fn(&Arena, Layout, Layout, usize));
                f(&arena, SMALL, LARGE, black_box(LOOP));
                black_box(&arena);
            }

            #[library_benchmark(config = entry(&pattern()))]
            fn loop_shrink_bb() {
                let arena = warm_with(LOOP_ROOM);
                let f = black_box(entry_loop_shrink as fn(&Arena, Layout, Layout, usize));
                f(&arena, LARGE, SMALL, black_box(LOOP));
                black_box(&arena);
            }

            #[library_benchmark(config = entry(&pattern()))]
            fn loop_vec_push() {
                let arena = warm_with(LOOP_ROOM);
                let f = black_box(entry_loop_vec_push as fn(&Arena, usize));
                f(&arena, black_box(LOOP));
                black_box(&arena);
            }

            library_benchmark_group!(
                name = group;
                benchmarks = alloc_u64, allocate, allocate_bb, grow, grow_bb, shrink_bb, deallocate, reset,
                    loop_allocate_bb, loop_mixed, loop_grow_bb, loop_shrink_bb, loop_vec_push
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
    warm = |size| {
        let mut arena = blink_alloc::BlinkAlloc::with_chunk_size(size);
        arena.allocate(crate::room(size)).unwrap();
        arena.reset();
        arena
    },
    alloc_u64 = |arena, value| put_u64!(arena, value),
);

allocator_benches!(
    ops_bumpalo as bumpalo,
    allocator_api2,
    bumpalo::Bump,
    warm = |size| bumpalo::Bump::with_capacity(size),
    alloc_u64 = |arena, value| arena.alloc(value),
);

allocator_benches!(
    ops_bump_scope as bump_scope,
    allocator_api2,
    bump_scope::Bump,
    warm = |size| {
        let mut arena = bump_scope::Bump::with_size(4096);
        allocator_api2::alloc::Allocator::allocate(&&arena, crate::room(size)).unwrap();
        arena.reset();
        arena
    },
    alloc_u64 = |arena, value| bump_scope::BumpBox::leak(arena.alloc(value)),
);

allocator_benches!(
    ops_blink_alloc_04 as blink_alloc_04,
    allocator_api2_04,
    blink_alloc_04::BlinkAlloc,
    warm = |size| {
        let mut arena = blink_alloc_04::BlinkAlloc::with_chunk_size(size);
        arena.allocate(crate::room(size)).unwrap();
        arena.reset();
        arena
    },
    alloc_u64 = |arena, value| put_u64!(arena, value),
);

allocator_benches!(
    ops_ours_sync as ours_sync,
    allocator_api2,
    blink_alloc::SyncBlinkAlloc,
    warm = |size| {
        let mut arena = blink_alloc::SyncBlinkAlloc::with_chunk_size(size);
        arena.allocate(crate::room(size)).unwrap();
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
    warm = |size| {
        let mut arena = blink_alloc_04::SyncBlinkAlloc::new();
        arena.allocate(crate::room(size)).unwrap();
        arena.reset();
        arena.allocate(Layout::new::<u64>()).unwrap();
        arena
    },
    alloc_u64 = |arena, value| put_u64!(arena, value),
);

/// A binary-trees node (the Benchmarks Game's program, its nodes in an arena).
pub struct Tree<'a> {
    children: Option<(&'a Tree<'a>, &'a Tree<'a>)>,
}

/// Nodes a tree of `depth` counts.
fn check(tree: &Tree<'_>) -> u32 {
    match tree.children {
        Some((left, right)) => 1 + check(left) + check(right),
        None => 1,
    }
}

/// Shallowest tree of binary-trees' schedule.
const MIN_DEPTH: u32 = 4;
/// binary-trees' depth in the callgrind row.
const TREE_DEPTH: u32 = 16;
/// Calls in the `from_iter` row; `scripts/bench_report.py` divides by it.
const FROM_ITER_CALLS: usize = 1_000;
/// Strings placed in the `put_string` row; the report divides by it.
const STRINGS: usize = 100_000;

/// The entry functions and benchmarks of one emplacer: a typed arena
/// (ours `Blink`, bumpalo, bump-scope, blink-alloc 0.4's `Blink`). `$put`
/// places a value that is never dropped; `$from_iter` places an iterator's
/// items as a slice; `$put_strings` places `n` `String`s and drops them
/// with the arena's reset, as its users would.
macro_rules! emplacer_benches {
    (
        $module:ident, $arena:ty,
        new = $new:expr,
        warm = |$w:ident| $warm:expr,
        reset = |$r:ident| $reset:expr,
        put = |$pa:ident, $pv:ident| $put:expr,
        from_iter = |$fa:ident, $fi:ident| $from_iter:expr,
        put_strings = |$sa:ident, $sn:ident| $put_strings:expr $(,)?
    ) => {
        pub mod $module {
            use std::hint::black_box;

            use gungraun::{library_benchmark, library_benchmark_group};

            use crate::{
                check, entry, Tree, FROM_ITER_CALLS, LOOP, LOOP_ROOM, MIN_DEPTH, STRINGS,
                TREE_DEPTH,
            };

            type Arena = $arena;

            fn pattern() -> String {
                format!("*::{}::entry_*", stringify!($module))
            }

            fn new() -> Arena {
                $new
            }

            fn reset($r: &mut Arena) {
                $reset
            }

            /// A new arena that has held `LOOP_ROOM` bytes, and kept them.
            fn warm() -> Arena {
                let mut $w = new();
                $warm;
                reset(&mut $w);
                $w
            }

            #[inline(always)]
            fn put<T>($pa: &Arena, $pv: T) -> &T {
                $put
            }

            #[inline(never)]
            pub fn entry_loop_put_u64(arena: &Arena, n: usize) {
                for i in 0..n as u64 {
                    black_box(put(arena, i));
                }
            }

            #[inline(never)]
            pub fn entry_from_iter_filter(arena: &Arena, calls: usize) {
                for _ in 0..calls {
                    let $fa = arena;
                    let $fi = (0..black_box(100u64)).filter(|x| x % 3 != 0);
                    black_box($from_iter);
                }
            }

            fn bottom_up<'a>(arena: &'a Arena, depth: u32) -> &'a Tree<'a> {
                let children = if depth > 0 {
                    Some((bottom_up(arena, depth - 1), bottom_up(arena, depth - 1)))
                } else {
                    None
                };
                put(arena, Tree { children })
            }

            /// binary-trees: a stretch tree, a long-lived tree, and for each
            /// depth from `MIN_DEPTH` up by two, `2^(max - depth + MIN_DEPTH)`
            /// trees, each checked and then freed by a reset.
            #[inline(never)]
            pub fn entry_binary_trees(max_depth: u32) -> u32 {
                let mut arena = new();
                let mut total = check(bottom_up(&arena, max_depth + 1));
                reset(&mut arena);
                let long_lived_arena = new();
                let long_lived = bottom_up(&long_lived_arena, max_depth);
                let mut depth = MIN_DEPTH;
                while depth <= max_depth {
                    for _ in 0..1u32 << (max_depth - depth + MIN_DEPTH) {
                        total += check(bottom_up(&arena, depth));
                        reset(&mut arena);
                    }
                    depth += 2;
                }
                total + check(long_lived)
            }

            #[inline(never)]
            pub fn entry_put_strings(arena: &mut Arena, n: usize) {
                let $sa = arena;
                let $sn = n;
                $put_strings
            }

            #[library_benchmark(config = entry(&pattern()))]
            fn loop_put_u64() {
                let arena = warm();
                let f = black_box(entry_loop_put_u64 as fn(&Arena, usize));
                f(&arena, black_box(LOOP));
                black_box(&arena);
            }

            #[library_benchmark(config = entry(&pattern()))]
            fn from_iter_filter() {
                let arena = warm();
                let f = black_box(entry_from_iter_filter as fn(&Arena, usize));
                f(&arena, black_box(FROM_ITER_CALLS));
                black_box(&arena);
            }

            #[library_benchmark(config = entry(&pattern()))]
            fn binary_trees() {
                let f = black_box(entry_binary_trees as fn(u32) -> u32);
                black_box(f(black_box(TREE_DEPTH)));
            }

            #[library_benchmark(config = entry(&pattern()))]
            fn put_string() {
                let mut arena = warm();
                let f = black_box(entry_put_strings as fn(&mut Arena, usize));
                f(&mut arena, black_box(STRINGS));
                black_box(&arena);
            }

            library_benchmark_group!(
                name = group;
                benchmarks = loop_put_u64, from_iter_filter, binary_trees, put_string
            );
        }
    };
}

/// A `String` of its own heap block for the `put_string` row.
#[inline(always)]
fn string(i: usize) -> String {
    let mut text = String::with_capacity(8);
    text.push(char::from(b'a' + (i % 26) as u8));
    text
}

emplacer_benches!(
    typed_ours,
    blink_alloc::Blink,
    new = blink_alloc::Blink::new(),
    warm = |arena| arena.uninit::<[u8; LOOP_ROOM]>(),
    reset = |arena| arena.reset(),
    put = |arena, value| arena.put_no_drop(value),
    from_iter = |arena, iter| arena.emplace_no_drop().from_iter(iter),
    put_strings = |arena, n| {
        for i in 0..n {
            black_box(arena.put(crate::string(i)));
        }
        arena.reset();
    },
);

emplacer_benches!(
    typed_bumpalo,
    bumpalo::Bump,
    new = bumpalo::Bump::new(),
    warm = |arena| arena.alloc_layout(crate::room(LOOP_ROOM)),
    reset = |arena| arena.reset(),
    put = |arena, value| arena.alloc(value),
    from_iter =
        |arena, iter| bumpalo::collections::Vec::from_iter_in(iter, arena).into_bump_slice(),
    put_strings = |arena, n| {
        let mut boxes = Vec::with_capacity(n);
        for i in 0..n {
            boxes.push(bumpalo::boxed::Box::new_in(crate::string(i), arena));
        }
        drop(boxes);
        arena.reset();
    },
);

emplacer_benches!(
    typed_bump_scope,
    bump_scope::Bump,
    new = bump_scope::Bump::new(),
    warm = |arena| allocator_api2::alloc::Allocator::allocate(&&arena, crate::room(LOOP_ROOM))
        .unwrap(),
    reset = |arena| arena.reset(),
    put = |arena, value| bump_scope::BumpBox::leak(arena.alloc(value)),
    from_iter = |arena, iter| bump_scope::BumpBox::leak(arena.alloc_iter(iter)),
    put_strings = |arena, n| {
        let mut boxes = Vec::with_capacity(n);
        for i in 0..n {
            boxes.push(arena.alloc(crate::string(i)));
        }
        drop(boxes);
        arena.reset();
    },
);

emplacer_benches!(
    typed_blink_alloc_04,
    blink_alloc_04::Blink,
    new = blink_alloc_04::Blink::new(),
    warm = |arena| arena.uninit::<[u8; LOOP_ROOM]>(),
    reset = |arena| arena.reset(),
    put = |arena, value| arena.put_no_drop(value),
    from_iter = |arena, iter| arena.emplace_no_drop().from_iter(iter),
    put_strings = |arena, n| {
        for i in 0..n {
            black_box(arena.put(crate::string(i)));
        }
        arena.reset();
    },
);

/// typed-arena in the `put_string` row: an arena per batch, whose drop
/// drops the strings.
pub mod typed_typed_arena {
    use std::hint::black_box;

    use gungraun::{library_benchmark, library_benchmark_group};

    use crate::{entry, STRINGS};

    #[inline(never)]
    pub fn entry_put_strings(n: usize) {
        let arena = typed_arena::Arena::with_capacity(n);
        for i in 0..n {
            black_box(arena.alloc(crate::string(i)));
        }
    }

    #[library_benchmark(config = entry("*::typed_typed_arena::entry_*"))]
    fn put_string() {
        let f = black_box(entry_put_strings as fn(usize));
        f(black_box(STRINGS));
    }

    library_benchmark_group!(name = group; benchmarks = put_string);
}

/// Calls in the `tool_format` row; the report divides by it.
const FORMATS: usize = 10_000;

/// The entry functions and benchmarks of one arena's everyday tools: a
/// vector of `u64` filled by `LOOP` pushes from empty (its growth counted),
/// then turned into a slice; and `FORMATS` short strings formatted with two
/// integer arguments. `$new_vec` makes an empty vector in the arena;
/// `$finish_vec` turns it into a slice; `$format` formats `i` and `n`.
macro_rules! tools_benches {
    (
        $module:ident, $arena:ty,
        warm = $warm:expr,
        new_vec = |$va:ident| $new_vec:expr,
        finish_vec = |$fv:ident| $finish_vec:expr,
        format = |$fa:ident, $fi:ident, $fn:ident| $format:expr $(,)?
    ) => {
        pub mod $module {
            use std::hint::black_box;

            use gungraun::{library_benchmark, library_benchmark_group};

            use crate::{entry, FORMATS, LOOP, LOOP_ROOM};

            type Arena = $arena;

            fn pattern() -> String {
                format!("*::{}::entry_*", stringify!($module))
            }

            /// A new arena that has held `LOOP_ROOM` bytes, and kept them.
            fn warm() -> Arena {
                $warm
            }

            #[inline(never)]
            pub fn entry_vec_push(arena: &Arena, n: usize) {
                let $va = arena;
                let mut vec = $new_vec;
                for i in 0..n as u64 {
                    vec.push(i);
                }
                let $fv = vec;
                black_box($finish_vec);
            }

            #[inline(never)]
            pub fn entry_format(arena: &Arena, n: usize) {
                for i in 0..n {
                    let $fa = arena;
                    let $fi = i;
                    let $fn = n;
                    black_box($format);
                }
            }

            #[library_benchmark(config = entry(&pattern()))]
            fn tool_vec_push() {
                let arena = warm();
                let f = black_box(entry_vec_push as fn(&Arena, usize));
                f(&arena, black_box(LOOP));
                black_box(&arena);
            }

            #[library_benchmark(config = entry(&pattern()))]
            fn tool_format() {
                let arena = warm();
                let f = black_box(entry_format as fn(&Arena, usize));
                f(&arena, black_box(FORMATS));
                black_box(&arena);
            }

            library_benchmark_group!(name = group; benchmarks = tool_vec_push, tool_format);
        }
    };
}

tools_benches!(
    tool_ours,
    blink_alloc::Blink,
    warm = {
        let mut arena = blink_alloc::Blink::new();
        arena.uninit::<[u8; LOOP_ROOM]>();
        arena.reset();
        arena
    },
    new_vec = |arena| arena.vec(),
    finish_vec = |vec| vec.into_slice(),
    format = |arena, i, n| blink_alloc::blink_format!(in arena, "item {} of {}", i, n),
);

tools_benches!(
    tool_bumpalo,
    bumpalo::Bump,
    warm = {
        let mut arena = bumpalo::Bump::new();
        arena.alloc_layout(crate::room(LOOP_ROOM));
        arena.reset();
        arena
    },
    new_vec = |arena| bumpalo::collections::Vec::new_in(arena),
    finish_vec = |vec| vec.into_bump_slice_mut(),
    format = |arena, i, n| bumpalo::format!(in arena, "item {} of {}", i, n).into_bump_str(),
);

tools_benches!(
    tool_bump_scope,
    bump_scope::Bump,
    warm = {
        let mut arena = bump_scope::Bump::new();
        allocator_api2::alloc::Allocator::allocate(&&arena, crate::room(LOOP_ROOM)).unwrap();
        arena.reset();
        arena
    },
    new_vec = |arena| bump_scope::BumpVec::new_in(arena),
    finish_vec = |vec| vec.into_slice(),
    format = |arena, i, n| bump_scope::bump_format!(in arena, "item {} of {}", i, n).into_str(),
);

use self::{
    ops_blink_alloc_04::group as blink_alloc_04,
    ops_blink_alloc_04_sync::group as blink_alloc_04_sync, ops_bump_scope::group as bump_scope,
    ops_bumpalo::group as bumpalo, ops_ours::group as ours, ops_ours_sync::group as ours_sync,
    tool_bump_scope::group as tools_bump_scope, tool_bumpalo::group as tools_bumpalo,
    tool_ours::group as tools_ours, typed_blink_alloc_04::group as emplacer_blink_alloc_04,
    typed_bump_scope::group as emplacer_bump_scope, typed_bumpalo::group as emplacer_bumpalo,
    typed_ours::group as emplacer_ours, typed_typed_arena::group as emplacer_typed_arena,
};

main!(
    library_benchmark_groups = ours,
    bumpalo,
    bump_scope,
    blink_alloc_04,
    ours_sync,
    blink_alloc_04_sync,
    emplacer_ours,
    emplacer_bumpalo,
    emplacer_bump_scope,
    emplacer_blink_alloc_04,
    emplacer_typed_arena,
    tools_ours,
    tools_bumpalo,
    tools_bump_scope
);
