//! Wall-clock comparison of `blink_alloc::BlinkAlloc` with its peers.
//!
//! Every group runs the same work on each contender in the same process, so
//! only the ratios between them mean anything on a shared machine. Each
//! contender gets one arena, warmed by a few full cycles of the work before
//! criterion's own warm-up; every measured iteration does the work and then
//! resets the arena (the global allocator frees what it handed out), so
//! nothing grows without bound and the reset is part of the cost.
//!
//! Contenders:
//! - `blink`: this crate's `BlinkAlloc`;
//! - `blink-sync`: this crate's `SyncBlinkAlloc`, from one thread;
//! - `bumpalo`: `bumpalo::Bump` (its default, `MIN_ALIGN = 1`);
//! - `bump-scope`: `bump_scope::Bump`, the crate's default settings (bumps
//!   upward, `MIN_ALIGN = 1`, a chunk is always allocated): upward bumping is
//!   what lets a `Vec` grow in place, as ours does;
//! - `blink-alloc-0.4`: the crates.io crate this project grew from;
//! - `global`: the global allocator, freeing every block at "reset".
//!
//! Run with `cargo bench -p blink-benches --bench alloc`; `scripts/bench-report.sh` turns a
//! run into `BENCHMARKS.md`.

use std::{
    alloc::{handle_alloc_error, Layout},
    cell::RefCell,
    hint::black_box,
    ptr::NonNull,
};

use bump_scope::traits::BumpAllocatorTyped;
use criterion::{
    criterion_group, criterion_main, measurement::WallTime, BenchmarkGroup, Criterion, Throughput,
};

/// Operations per measured iteration.
const N: usize = 10_000;
/// Full cycles of the work run before measuring, so that every arena has
/// settled on the chunk it keeps across resets.
const WARM_CYCLES: usize = 3;

/// What every contender offers; each method is the entry point its users
/// would call.
trait Contender: Sized {
    const NAME: &'static str;
    fn new() -> Self;
    /// Places a `u64` (layout known at compile time).
    fn alloc_u64(&self, value: u64) -> &u64;
    /// Allocates a block for a layout known only at run time.
    fn alloc_layout(&self, layout: Layout) -> NonNull<u8>;
    /// `Vec<u64>` in the arena: `n` pushes.
    fn vec_push(&self, n: usize);
    /// `Vec<u64>` in the arena: `n` times `reserve_exact(1)` and a push.
    fn vec_reserve_exact(&self, n: usize);
    /// `n` times: allocate 16 bytes, grow that last block to 32; with `BB`
    /// the layouts are black-boxed (read anew, unknown to the compiler).
    fn grow_tip<const BB: bool>(&self, n: usize);
    /// `n` times: allocate 32 bytes, shrink that last block to 16; `BB` as
    /// for `grow_tip`.
    fn shrink_tip<const BB: bool>(&self, n: usize);
    /// Frees everything allocated since the last reset.
    fn reset(&mut self);
}

/// Allocator-trait kernels, written once per allocator-api2 version: 0.2 for
/// ours, bumpalo, bump-scope and the global allocator, 0.4 for blink-alloc 0.4.
macro_rules! kernels {
    ($module:ident, $api:ident) => {
        mod $module {
            use std::{alloc::Layout, hint::black_box, ptr::NonNull};

            use $api::{alloc::Allocator, vec::Vec};

            #[inline(always)]
            pub fn vec_push<A: Allocator>(alloc: A, n: usize) {
                let mut vec = Vec::new_in(alloc);
                for i in 0..n {
                    vec.push(i as u64);
                }
                black_box(&vec);
            }

            #[inline(always)]
            pub fn vec_reserve_exact<A: Allocator>(alloc: A, n: usize) {
                let mut vec = Vec::new_in(alloc);
                for i in 0..n {
                    vec.reserve_exact(1);
                    vec.push(i as u64);
                }
                black_box(&vec);
            }

            const SMALL: Layout = match Layout::from_size_align(16, 8) {
                Ok(layout) => layout,
                Err(_) => panic!(),
            };
            const LARGE: Layout = match Layout::from_size_align(32, 8) {
                Ok(layout) => layout,
                Err(_) => panic!(),
            };

            /// Grows the last block; `keep` is told about every block that
            /// stays live, for allocators that must free them one by one.
            #[inline(always)]
            pub fn grow_tip<A: Allocator, const BB: bool>(
                alloc: A,
                n: usize,
                mut keep: impl FnMut(NonNull<u8>, Layout),
            ) {
                for _ in 0..n {
                    let (small, large) = layouts::<BB>();
                    let block = alloc
                        .allocate(small)
                        .unwrap_or_else(|_| std::alloc::handle_alloc_error(small));
                    // SAFETY: `block` was just allocated by `alloc` with `small`,
                    // and `large` is not smaller.
                    let grown = unsafe { alloc.grow(block.cast(), small, large) }
                        .unwrap_or_else(|_| std::alloc::handle_alloc_error(large));
                    keep(black_box(grown.cast()), large);
                }
            }

            /// `SMALL` and `LARGE`, black-boxed with `BB`.
            #[inline(always)]
            fn layouts<const BB: bool>() -> (Layout, Layout) {
                if BB {
                    black_box((SMALL, LARGE))
                } else {
                    (SMALL, LARGE)
                }
            }

            #[inline(always)]
            pub fn shrink_tip<A: Allocator, const BB: bool>(
                alloc: A,
                n: usize,
                mut keep: impl FnMut(NonNull<u8>, Layout),
            ) {
                for _ in 0..n {
                    let (small, large) = layouts::<BB>();
                    let block = alloc
                        .allocate(large)
                        .unwrap_or_else(|_| std::alloc::handle_alloc_error(large));
                    // SAFETY: `block` was just allocated by `alloc` with `large`,
                    // and `small` is not larger.
                    let shrunk = unsafe { alloc.shrink(block.cast(), large, small) }
                        .unwrap_or_else(|_| std::alloc::handle_alloc_error(small));
                    keep(black_box(shrunk.cast()), small);
                }
            }
        }
    };
}

kernels!(api02, allocator_api2);
kernels!(api04, allocator_api2_04);

fn no_keep(_: NonNull<u8>, _: Layout) {}

struct Blink(blink_alloc::BlinkAlloc);

impl Contender for Blink {
    const NAME: &'static str = "blink";
    fn new() -> Self {
        Blink(blink_alloc::BlinkAlloc::new())
    }
    #[inline(always)]
    fn alloc_u64(&self, value: u64) -> &u64 {
        let layout = Layout::new::<u64>();
        let ptr = match self.0.allocate(layout) {
            Ok(block) => block.cast::<u64>(),
            Err(_) => handle_alloc_error(layout),
        };
        // SAFETY: a fresh block for a `u64`, valid until the arena's reset,
        // which needs `&mut` to the arena.
        unsafe {
            ptr.as_ptr().write(value);
            &*ptr.as_ptr()
        }
    }
    #[inline(always)]
    fn alloc_layout(&self, layout: Layout) -> NonNull<u8> {
        match self.0.allocate(layout) {
            Ok(block) => block.cast(),
            Err(_) => handle_alloc_error(layout),
        }
    }
    fn vec_push(&self, n: usize) {
        api02::vec_push(&self.0, n)
    }
    fn vec_reserve_exact(&self, n: usize) {
        api02::vec_reserve_exact(&self.0, n)
    }
    fn grow_tip<const BB: bool>(&self, n: usize) {
        api02::grow_tip::<_, BB>(&self.0, n, no_keep)
    }
    fn shrink_tip<const BB: bool>(&self, n: usize) {
        api02::shrink_tip::<_, BB>(&self.0, n, no_keep)
    }
    fn reset(&mut self) {
        self.0.reset()
    }
}

/// Our shared arena, used from one thread: the thread's slot serves it.
struct SyncBlink(blink_alloc::SyncBlinkAlloc);

impl Contender for SyncBlink {
    const NAME: &'static str = "blink-sync";
    fn new() -> Self {
        SyncBlink(blink_alloc::SyncBlinkAlloc::new())
    }
    #[inline(always)]
    fn alloc_u64(&self, value: u64) -> &u64 {
        let ptr = self.alloc_layout(Layout::new::<u64>()).cast::<u64>();
        // SAFETY: a fresh block for a `u64`, valid until the arena's reset,
        // which needs `&mut` to the arena.
        unsafe {
            ptr.as_ptr().write(value);
            &*ptr.as_ptr()
        }
    }
    #[inline(always)]
    fn alloc_layout(&self, layout: Layout) -> NonNull<u8> {
        match self.0.allocate(layout) {
            Ok(block) => block.cast(),
            Err(_) => handle_alloc_error(layout),
        }
    }
    fn vec_push(&self, n: usize) {
        api02::vec_push(&self.0, n)
    }
    fn vec_reserve_exact(&self, n: usize) {
        api02::vec_reserve_exact(&self.0, n)
    }
    fn grow_tip<const BB: bool>(&self, n: usize) {
        api02::grow_tip::<_, BB>(&self.0, n, no_keep)
    }
    fn shrink_tip<const BB: bool>(&self, n: usize) {
        api02::shrink_tip::<_, BB>(&self.0, n, no_keep)
    }
    fn reset(&mut self) {
        self.0.reset()
    }
}

struct Bumpalo(bumpalo::Bump);

impl Contender for Bumpalo {
    const NAME: &'static str = "bumpalo";
    fn new() -> Self {
        Bumpalo(bumpalo::Bump::new())
    }
    #[inline(always)]
    fn alloc_u64(&self, value: u64) -> &u64 {
        self.0.alloc(value)
    }
    #[inline(always)]
    fn alloc_layout(&self, layout: Layout) -> NonNull<u8> {
        self.0.alloc_layout(layout)
    }
    fn vec_push(&self, n: usize) {
        api02::vec_push(&self.0, n)
    }
    fn vec_reserve_exact(&self, n: usize) {
        api02::vec_reserve_exact(&self.0, n)
    }
    fn grow_tip<const BB: bool>(&self, n: usize) {
        api02::grow_tip::<_, BB>(&self.0, n, no_keep)
    }
    fn shrink_tip<const BB: bool>(&self, n: usize) {
        api02::shrink_tip::<_, BB>(&self.0, n, no_keep)
    }
    fn reset(&mut self) {
        self.0.reset()
    }
}

struct BumpScope(bump_scope::Bump);

impl Contender for BumpScope {
    const NAME: &'static str = "bump-scope";
    fn new() -> Self {
        BumpScope(bump_scope::Bump::new())
    }
    #[inline(always)]
    fn alloc_u64(&self, value: u64) -> &u64 {
        bump_scope::BumpBox::leak(self.0.alloc(value))
    }
    #[inline(always)]
    fn alloc_layout(&self, layout: Layout) -> NonNull<u8> {
        self.0.allocate_layout(layout)
    }
    fn vec_push(&self, n: usize) {
        api02::vec_push(&self.0, n)
    }
    fn vec_reserve_exact(&self, n: usize) {
        api02::vec_reserve_exact(&self.0, n)
    }
    fn grow_tip<const BB: bool>(&self, n: usize) {
        api02::grow_tip::<_, BB>(&self.0, n, no_keep)
    }
    fn shrink_tip<const BB: bool>(&self, n: usize) {
        api02::shrink_tip::<_, BB>(&self.0, n, no_keep)
    }
    fn reset(&mut self) {
        self.0.reset()
    }
}

struct Blink04(blink_alloc_04::BlinkAlloc);

impl Contender for Blink04 {
    const NAME: &'static str = "blink-alloc-0.4";
    fn new() -> Self {
        Blink04(blink_alloc_04::BlinkAlloc::new())
    }
    #[inline(always)]
    fn alloc_u64(&self, value: u64) -> &u64 {
        let layout = Layout::new::<u64>();
        let ptr = match self.0.allocate(layout) {
            Ok(block) => block.cast::<u64>(),
            Err(_) => handle_alloc_error(layout),
        };
        // SAFETY: a fresh block for a `u64`, valid until the arena's reset,
        // which needs `&mut` to the arena.
        unsafe {
            ptr.as_ptr().write(value);
            &*ptr.as_ptr()
        }
    }
    #[inline(always)]
    fn alloc_layout(&self, layout: Layout) -> NonNull<u8> {
        match self.0.allocate(layout) {
            Ok(block) => block.cast(),
            Err(_) => handle_alloc_error(layout),
        }
    }
    fn vec_push(&self, n: usize) {
        api04::vec_push(&self.0, n)
    }
    fn vec_reserve_exact(&self, n: usize) {
        api04::vec_reserve_exact(&self.0, n)
    }
    fn grow_tip<const BB: bool>(&self, n: usize) {
        api04::grow_tip::<_, BB>(&self.0, n, no_keep)
    }
    fn shrink_tip<const BB: bool>(&self, n: usize) {
        api04::shrink_tip::<_, BB>(&self.0, n, no_keep)
    }
    fn reset(&mut self) {
        self.0.reset()
    }
}

/// The global allocator, with a list of live blocks that "reset" frees. The
/// list is reused, so after warm-up it costs a store per block.
struct GlobalAlloc {
    live: RefCell<Vec<(NonNull<u8>, Layout)>>,
}

impl GlobalAlloc {
    #[inline(always)]
    fn keep(&self, ptr: NonNull<u8>, layout: Layout) {
        self.live.borrow_mut().push((ptr, layout));
    }
}

impl Contender for GlobalAlloc {
    const NAME: &'static str = "global";
    fn new() -> Self {
        GlobalAlloc {
            live: RefCell::new(Vec::with_capacity(N)),
        }
    }
    #[inline(always)]
    fn alloc_u64(&self, value: u64) -> &u64 {
        let ptr = Box::into_raw(Box::new(value));
        // SAFETY: `Box::into_raw` never returns null.
        self.keep(
            unsafe { NonNull::new_unchecked(ptr) }.cast(),
            Layout::new::<u64>(),
        );
        // SAFETY: the box is leaked until `reset`, which needs `&mut self`.
        unsafe { &*ptr }
    }
    #[inline(always)]
    fn alloc_layout(&self, layout: Layout) -> NonNull<u8> {
        if layout.size() == 0 {
            return NonNull::<u8>::dangling();
        }
        // SAFETY: `layout` has a non-zero size.
        let ptr = unsafe { std::alloc::alloc(layout) };
        let Some(ptr) = NonNull::new(ptr) else {
            handle_alloc_error(layout)
        };
        self.keep(ptr, layout);
        ptr
    }
    fn vec_push(&self, n: usize) {
        api02::vec_push(allocator_api2::alloc::Global, n)
    }
    fn vec_reserve_exact(&self, n: usize) {
        api02::vec_reserve_exact(allocator_api2::alloc::Global, n)
    }
    fn grow_tip<const BB: bool>(&self, n: usize) {
        api02::grow_tip::<_, BB>(allocator_api2::alloc::Global, n, |p, l| self.keep(p, l))
    }
    fn shrink_tip<const BB: bool>(&self, n: usize) {
        api02::shrink_tip::<_, BB>(allocator_api2::alloc::Global, n, |p, l| self.keep(p, l))
    }
    fn reset(&mut self) {
        for (ptr, layout) in self.live.get_mut().drain(..) {
            // SAFETY: every kept block came from the global allocator with
            // this layout and a non-zero size, and is freed once.
            unsafe { std::alloc::dealloc(ptr.as_ptr(), layout) };
        }
    }
}

/// Measures `cycle` on a warm `C`; a cycle ends with a reset, so the arena
/// does not grow from one iteration to the next.
fn contender<C: Contender>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    mut cycle: impl FnMut(&mut C),
) {
    let mut arena = C::new();
    for _ in 0..WARM_CYCLES {
        cycle(&mut arena);
    }
    group.bench_function(C::NAME, |b| b.iter(|| cycle(&mut arena)));
}

/// Runs `$work` (over `$arena: &C`) and a reset, for every contender in
/// `$group`. The `mut` form hands `$arena: &mut C` to `$work`, which resets
/// by itself.
macro_rules! contenders {
    ($group:expr, |$arena:ident| $work:expr) => {
        contenders!($group, mut |arena| {
            {
                let $arena = &*arena;
                $work;
            }
            arena.reset();
        })
    };
    ($group:expr, mut |$arena:ident| $work:expr) => {{
        let mut group = $group;
        let group_ref = &mut group;
        contender::<Blink>(group_ref, |$arena: &mut Blink| $work);
        contender::<SyncBlink>(group_ref, |$arena: &mut SyncBlink| $work);
        contender::<Bumpalo>(group_ref, |$arena: &mut Bumpalo| $work);
        contender::<BumpScope>(group_ref, |$arena: &mut BumpScope| $work);
        contender::<Blink04>(group_ref, |$arena: &mut Blink04| $work);
        contender::<GlobalAlloc>(group_ref, |$arena: &mut GlobalAlloc| $work);
        group.finish();
    }};
}

/// `N` layouts with sizes 1..=64 and alignments 1..=16, from a fixed LCG, so
/// every run sees the same sequence.
fn mixed_layouts() -> Vec<Layout> {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    (0..N)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let bits = state >> 33;
            let size = 1 + (bits % 64) as usize;
            let align = 1 << ((bits >> 8) % 5);
            Layout::from_size_align(size, align).unwrap()
        })
        .collect()
}

/// One frame of the reset-cycle group: a few objects, a few run-time
/// layouts and a growing vector, all dropped by the reset that follows.
#[inline(always)]
fn frame<C: Contender>(arena: &C, layouts: &[Layout]) {
    for i in 0..64 {
        black_box(arena.alloc_u64(i));
    }
    for &layout in black_box(layouts) {
        black_box(arena.alloc_layout(layout));
    }
    arena.vec_push(64);
}

fn benches(c: &mut Criterion) {
    let layouts = mixed_layouts();

    let mut group = c.benchmark_group("alloc_u64");
    group.throughput(Throughput::Elements(N as u64));
    contenders!(group, |arena| {
        for i in 0..N as u64 {
            black_box(arena.alloc_u64(i));
        }
    });

    let mut group = c.benchmark_group("mixed_layouts");
    group.throughput(Throughput::Elements(N as u64));
    contenders!(group, |arena| {
        for &layout in black_box(&layouts[..]) {
            black_box(arena.alloc_layout(layout));
        }
    });

    let mut group = c.benchmark_group("vec_push");
    group.throughput(Throughput::Elements(N as u64));
    contenders!(group, |arena| arena.vec_push(N));

    let mut group = c.benchmark_group("vec_reserve_exact_1");
    group.throughput(Throughput::Elements(N as u64));
    contenders!(group, |arena| arena.vec_reserve_exact(N));

    let mut group = c.benchmark_group("grow_tip");
    group.throughput(Throughput::Elements(N as u64));
    contenders!(group, |arena| arena.grow_tip::<false>(N));

    let mut group = c.benchmark_group("grow_tip_bb");
    group.throughput(Throughput::Elements(N as u64));
    contenders!(group, |arena| arena.grow_tip::<true>(N));

    let mut group = c.benchmark_group("shrink_tip");
    group.throughput(Throughput::Elements(N as u64));
    contenders!(group, |arena| arena.shrink_tip::<false>(N));

    let mut group = c.benchmark_group("shrink_tip_bb");
    group.throughput(Throughput::Elements(N as u64));
    contenders!(group, |arena| arena.shrink_tip::<true>(N));

    // 100 frames of the same work, each ended by a reset: what a frame loop
    // pays once every arena has settled.
    const FRAMES: usize = 100;
    let frame_layouts = &layouts[..64];
    let mut group = c.benchmark_group("reset_cycles");
    group.throughput(Throughput::Elements(FRAMES as u64));
    contenders!(group, mut |arena| {
        for _ in 0..FRAMES {
            frame(&*arena, frame_layouts);
            arena.reset();
        }
    });
}

criterion_group!(alloc, benches);
criterion_main!(alloc);
