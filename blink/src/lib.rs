//! Fast, concurrent, arena-based allocation with drop support.
//!
//! Memory comes from moving a cursor through big chunks; a reset releases
//! everything at once; the borrow checker guarantees that nothing outlives
//! the reset.
//!
//! # Three ways in
//!
//! **An allocator for collections**: `&BlinkAlloc` implements allocator-api2's
//! `Allocator` (and `core`'s, with the `nightly` feature):
//!
//! ```
//! use allocator_api2::vec::Vec;
//! use blink_alloc::BlinkAlloc;
//!
//! let mut blink = BlinkAlloc::new();
//! for frame in 0..3 {
//!     let mut squares = Vec::new_in(&blink);
//!     squares.extend((0..100u64).map(|i| i * i + frame));
//!     assert_eq!(squares[9], 81 + frame);
//!     drop(squares);
//!     blink.reset(); // every allocation of the frame is gone at once
//! }
//! ```
//!
//! **The emplacer**, [`Blink`]: any value, string, slice or iterator into the
//! arena, each value's `Drop` run at the reset, and scopes that rewind:
//!
//! ```
//! use blink_alloc::Blink;
//!
//! let mut blink = Blink::new();
//! let name = blink.put(String::from("blink")); // dropped on reset
//! let words = blink.emplace().from_iter("a b c".split(' '));
//! assert_eq!((name.len(), words.len()), (5, 3));
//! let total = blink.scope(|frame| {
//!     let scratch = frame.emplace().from_iter(0..100u64);
//!     scratch.iter().sum::<u64>() // scratch is dropped and rewound here
//! });
//! assert_eq!(total, 4950);
//! blink.reset();
//! ```
//!
//! **Frames and deep copies** (feature `derive`): build a temporary
//! structure in a frame arena from a thread-local pool, and keep only the
//! result, deep-copied by `#[derive(BlinkPut)]` into a longer-lived arena:
//!
//! ```
//! # #[cfg(feature = "derive")] {
//! use blink_alloc::{blink_scope, Blink, BlinkPut};
//!
//! #[derive(BlinkPut)]
//! struct Node<'a> {
//!     name: &'a str,
//!     children: &'a [Node<'a>],
//! }
//!
//! let program = Blink::new();
//! let tree = blink_scope!(|frame| {
//!     let leaves = frame
//!         .emplace_no_drop()
//!         .from_iter(["a", "b"].map(|n| Node { name: frame.copy_str(n), children: &[] }));
//!     Node { name: frame.copy_str("root"), children: leaves }.put_in(&program)
//! });
//! assert_eq!((tree.name, tree.children.len()), ("root", 2));
//! # }
//! ```
//!
//! # Which type do I need
//!
//! | you want | use |
//! |---|---|
//! | an allocator for `Vec`, `Box`, `HashMap`... on one thread | [`BlinkAlloc`] |
//! | any value in an arena, its `Drop` run at the reset | [`Blink`] |
//! | scratch memory in a longer-lived arena, freed on the way out | [`Blink::scope`], [`BlinkScope`] |
//! | a pooled arena per call, keeping only the result | `blink_scope!`, `#[derive(BlinkPut)]` |
//! | text formatted into an arena | [`blink_format!`], [`Blink::format`] |
//! | a string or vector that grows in the arena | [`Blink::string`], [`Blink::vec`] |
//! | a `!Unpin` value pinned in an arena | [`Blink::put_pin`] |
//! | the first chunk allocated up front | `BlinkAlloc::with_capacity`, [`BlinkAlloc::reserve`] |
//! | many threads allocating from one arena (feature `sync`) | `SyncBlinkAlloc`, and a thread's `LocalBlinkAlloc` view |
//! | one warm arena per task (feature `sync`) | `BlinkAllocCache` |
//! | to move a `Blink` to another thread | [`SendBlink`] |
//!
//! # Features
//!
//! - `std` (default): implies `alloc`.
//! - `alloc`: `Global` as the default base allocator and the constructors
//!   that use it; allocation failures go to `handle_alloc_error`.
//! - `derive` (default): `#[derive(BlinkPut)]` and `blink_scope!`.
//! - `sync`: the thread-safe arena.
//! - `nightly`: implements `core::alloc::Allocator` (needs a nightly compiler).
//! - `allocator-api2-03`, `allocator-api2-04`: implement the `Allocator`
//!   traits of those allocator-api2 versions as well as 0.2's.
//!
//! # Safety: what is unsafe and what the borrow checker proves
//!
//! Everything needed to allocate, place values, reset and nest scopes is
//! safe. The borrow checker proves these rules:
//!
//! - **No reference survives a reset.** The safe API hands out borrows of
//!   the arena: a `&mut T` from [`Blink::put`] borrows the `Blink`, and a
//!   collection allocates through `&BlinkAlloc` (the allocator-api2
//!   `Allocator` trait is implemented for `&BlinkAlloc`, `&SyncBlinkAlloc`
//!   and `&LocalBlinkAlloc`, not for the arenas themselves). Every safe way
//!   to free memory or drop placed values, but a scope's exit (next rule),
//!   takes `&mut self` or `self`: `reset` and `reset_final` of every arena,
//!   [`BlinkAllocator::reset`], [`Blink::reset`], [`Blink::drop_all`],
//!   `into_inner`, and `Drop`; so it only runs once every such borrow has
//!   ended. A `&A` used as a [`BlinkAllocator`] cannot free: its `reset` and
//!   `rewind` do nothing. (Raw `allocate` returns a `NonNull`, which only
//!   `unsafe` code can use.)
//! - **Nothing leaves a scope.** [`Blink::scope`] borrows the `Blink`
//!   mutably, so it cannot allocate or reset while the scope is open; the
//!   scope's lifetime is chosen by the caller of the closure, so nothing
//!   placed in it can be returned from it; and its builders
//!   ([`BlinkScope::emplace`] and siblings) and [`BlinkScope::allocator`]
//!   borrow the scope handle, so they cannot be used inside a nested scope,
//!   whose exit rewinds what it allocated.
//! - **Drops never see freed memory.** On a plain `Blink`, values dropped
//!   on reset ([`Blink::put`], [`Blink::emplace`], [`Blink::emplace_shared`],
//!   the `collect_to_blink` forms of [`IteratorExt`]) must be `'static`, so
//!   their `Drop` cannot reach another arena value; the `_no_drop` forms take
//!   values that borrow, and never drop them. In a scope, values with drop
//!   may borrow anything that outlives the scope, the enclosing scope's
//!   values included, but nothing placed in the scope itself.
//! - **Threads only share what may be shared.** `Blink` is neither `Send`
//!   nor `Sync` (it may hold values that are not); [`SendBlink::new`] resets
//!   it, and a `SendBlink<A>` is `Send` when `A` is. `BlinkAlloc<A>` is `Send`
//!   when `A` is, and never `Sync`. With feature `sync`, `SyncBlinkAlloc<A>`
//!   is `Send` when `A: Send` and `Sync` when `A: Send + Sync`;
//!   `LocalBlinkAlloc` is `Send` when `A: Send + Sync`, and never `Sync`.
//!
//! The `unsafe` entry points, and what each caller promises:
//!
//! - `resize` ([`BlinkAlloc::resize`], [`BlinkAllocator::resize`], and those
//!   of `SyncBlinkAlloc` and `LocalBlinkAlloc`): `ptr` is a live block of
//!   this allocator with layout `old_layout`; after a success the old block
//!   is used only through the returned pointer.
//! - `deallocate` ([`BlinkAlloc::deallocate`],
//!   [`BlinkAllocator::deallocate`], and the other arenas'): `ptr` is a live
//!   block of this allocator of `size` bytes, never used again.
//! - `rewind` ([`BlinkAlloc::rewind`], [`BlinkAllocator::rewind`],
//!   `LocalBlinkAlloc::rewind`): the checkpoint comes from this allocator,
//!   with no reset and no rewind to an earlier checkpoint since, and no block
//!   allocated after it is used again. Scopes do this safely.
//! - `reset_unchecked` ([`BlinkAlloc::reset_unchecked`], and the other
//!   arenas'): no block of the arena is used after the call; for
//!   `SyncBlinkAlloc`, also that nothing else (no other thread, nor the
//!   base allocator) uses the arena during the call, every later use
//!   happens after it, and no local view is used after it.
//! - [`Blink::emplace_unchecked`]: the `Drop` of the values placed does not
//!   reach memory freed before the `Blink` resets or is dropped, such as
//!   values placed later or data that dies first.
//! - `unsafe impl` [`BlinkAllocator`]: the blocks an implementation returns
//!   are valid, aligned, disjoint, and live until deallocated, resized,
//!   rewound past or reset (see the trait for the full contract).
//! - `unsafe impl` [`BlinkPut`]: dropping an `Output` never accesses memory
//!   through a borrow it holds. `#[derive(BlinkPut)]` keeps this promise by
//!   itself and is safe to use.
//!
//! # AddressSanitizer
//!
//! Unsafe code that breaks one of these promises, say reads a block through
//! a raw pointer after a reset, usually reads stale bytes silently: the
//! arena keeps its chunks, so even ASan sees memory that is still
//! allocated. Build with AddressSanitizer and the arenas tell it which bytes
//! they hand out. Nothing to turn on: the build script sees the sanitizer.
//!
//! ```text
//! RUSTFLAGS=-Zsanitizer=address cargo +nightly test --target x86_64-unknown-linux-gnu
//! ```
//!
//! (`--target` keeps the sanitizer off build scripts and proc-macros.) Every
//! arena, `SyncBlinkAlloc`'s chunks and its threads' blocks included, then
//! poisons each byte of its chunks that it does not currently hand out: a
//! new chunk's free space, and whatever a reset, a rewind (so a scope's
//! exit), a `deallocate`, a shrink or a resize that moves gives back. It
//! unpoisons exactly the blocks it hands out, and a chunk before it goes
//! back to the base allocator; chunk headers stay accessible. A read of a
//! block after a reset or after its scope closed, or past the last block
//! into free space, is reported as `use-after-poison`. Other builds contain
//! none of this code.
//!
//! ASan tracks memory in 8-byte granules, each fully addressable, not at
//! all, or in its first *n* bytes only, and blocks may start at any byte:
//!
//! - Free space is always poisoned to the byte, so a read just past the
//!   last block is caught whatever its size.
//! - A read past a block into the block after it is not: that memory is
//!   handed out. Padding before a block is poisoned only when the block
//!   starts a granule (an alignment of 8 or more).
//! - A block freed while the block after it stays (not at the tip) keeps
//!   its last `end % 8` bytes addressable when it shares that granule. In
//!   `SyncBlinkAlloc`, what is freed, shrunk or moved away from the tip is
//!   poisoned only in whole granules, as another thread may be updating the
//!   granules at its edges.
//! - Under ASan, `SyncBlinkAlloc` starts each block it reserves from its
//!   shared cursor at a multiple of 8, so that two threads never update one
//!   granule at once; its `used_bytes` may count that padding.
#![cfg_attr(not(feature = "std"), no_std)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![cfg_attr(docsrs, doc(auto_cfg(hide(loom))))]
#![cfg_attr(feature = "nightly", feature(allocator_api))]
#![cfg_attr(feature = "nightly", doc(test(attr(feature(allocator_api)))))]
#![warn(missing_docs)]

#[cfg(feature = "alloc")]
extern crate alloc;

#[macro_use]
mod macros;

mod api;
mod arena;
mod blink;
#[cfg(feature = "sync")]
mod cache;
mod copy;
mod drop_list;
#[cfg(feature = "std")]
mod frame;
#[cfg(all(feature = "alloc", not(loom)))]
mod global;
mod local;
#[cfg(all(test, loom, feature = "sync"))]
mod loom_models;
mod oom;
mod put;
#[cfg(feature = "sync")]
mod sync;
mod target;

pub use self::{
    api::BlinkAllocator,
    arena::{Checkpoint, Stats},
    blink::{
        Blink, BlinkScope, BlinkString, BlinkVec, CoerceFromMut, Emplace, IteratorExt,
        PinSafeAllocator, SendBlink,
    },
    local::BlinkAlloc,
    put::BlinkPut,
    target::PutTarget,
};
pub use allocator_api2::alloc::AllocError;

#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
pub use self::frame::{frame, pooled_frames};

#[cfg(all(feature = "alloc", not(loom)))]
#[cfg_attr(docsrs, doc(cfg(feature = "alloc")))]
pub use self::global::UnsafeGlobalBlinkAlloc;

#[cfg(all(feature = "sync", not(loom)))]
#[cfg_attr(docsrs, doc(cfg(feature = "sync")))]
pub use self::global::GlobalBlinkAlloc;

#[cfg(feature = "derive")]
#[cfg_attr(docsrs, doc(cfg(feature = "derive")))]
pub use blink_alloc_derive::BlinkPut;

/// Runs a closure in a frame arena: `blink_scope!(|frame| body)` takes a
/// warm arena from this thread's pool (see [`frame`]; needs `std`), and
/// `blink_scope!(parent, |scope| body)` opens a scope nested in a `Blink` or
/// a scope handle (see [`Blink::scope`]). Every value placed in the frame is
/// dropped and its memory reused when the body returns or panics; the macro
/// returns the body's value, which cannot borrow the frame.
///
/// The body is a closure: `break`, `continue` and `.await` cannot leave it
/// (return a value that says what to do and act on it after the macro), and
/// a `?` in it returns from the body, which must then return a `Result` or
/// an `Option` (apply `?` again to the macro's value). To keep data built
/// in the frame, copy it into a longer-lived `Blink` with
/// [`BlinkPut::put_in`] before the body returns.
///
/// The expansion names this crate through `$crate`, so the macro works
/// under any dependency name (`arena = { package = "blink-alloc", .. }`).
///
/// ```
/// use blink_alloc::{blink_scope, Blink, BlinkPut};
///
/// let kept = Blink::new();
/// let longest: Result<&str, String> = blink_scope!(|frame| {
///     let words = frame.copy_str("frame arenas reset at once");
///     let word = words.split(' ').max_by_key(|w| w.len()).ok_or("no words")?;
///     Ok(word.put_in(&kept))
/// });
/// assert_eq!(longest.unwrap(), "arenas");
///
/// let mut blink = Blink::new();
/// let n = blink_scope!(blink, |scope| *scope.put(4u32));
/// assert_eq!(n, 4);
/// ```
#[cfg(feature = "derive")]
#[cfg_attr(docsrs, doc(cfg(feature = "derive")))]
#[macro_export]
macro_rules! blink_scope {
    ($($body:tt)*) => {
        $crate::__private::blink_scope! { crate = $crate, $($body)* }
    };
}

/// What the macros' expansions name; not public API.
#[cfg(feature = "derive")]
#[doc(hidden)]
pub mod __private {
    pub use blink_alloc_derive::blink_scope;

    /// The value of a `blink_scope!` body that uses `?`.
    #[diagnostic::on_unimplemented(
        message = "a `blink_scope!` body that uses `?` must return a `Result` or an `Option`, not `{Self}`",
        label = "this `?` returns from the `blink_scope!` body, not from the function around it",
        note = "end the body with `Ok(value)` and apply `?` to the macro's value: `blink_scope!(|frame| {{ ...; Ok(value) }})?`",
        note = "the frame's `try_` methods (`try_put`, `try_copy_str`, `try_copy_deep`, ...) report a failed allocation as a `Result` or an `Option`, for `?`"
    )]
    pub trait ScopeBodyTry {}
    impl<T, E> ScopeBodyTry for Result<T, E> {}
    impl<T> ScopeBodyTry for Option<T> {}
    impl<B, C> ScopeBodyTry for core::ops::ControlFlow<B, C> {}
    impl<T, E> ScopeBodyTry for core::task::Poll<Result<T, E>> {}
    impl<T, E> ScopeBodyTry for core::task::Poll<Option<Result<T, E>>> {}

    /// Checks that a `blink_scope!` body with a `?` returns a `Result` or
    /// an `Option`.
    #[inline(always)]
    pub fn scope_body_try<R: ScopeBodyTry>(_: &R) {}
}

#[cfg(feature = "sync")]
#[cfg_attr(docsrs, doc(cfg(feature = "sync")))]
pub use self::{
    cache::BlinkAllocCache,
    sync::{LocalBlinkAlloc, SyncBlinkAlloc},
};

/// The README's examples, compiled and run as doc tests.
#[cfg(all(doctest, feature = "derive", feature = "alloc"))]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

/// MIGRATING.md's examples, compiled (and run, or shown not to compile) as
/// doc tests; they use the global allocators of feature `sync`.
#[cfg(all(doctest, feature = "derive", feature = "sync"))]
#[doc = include_str!("../../MIGRATING.md")]
pub struct MigratingDoctests;
