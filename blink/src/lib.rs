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

pub use self::{
    api::BlinkAllocator,
    arena::{Checkpoint, Stats},
    blink::{Blink, BlinkScope, CoerceFromMut, Emplace, IteratorExt, SendBlink},
    local::BlinkAlloc,
    put::BlinkPut,
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
pub use blink_alloc_derive::{blink_scope, BlinkPut};

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

/// MIGRATING.md's "after" examples, compiled and run as doc tests.
#[cfg(all(doctest, feature = "derive", feature = "alloc"))]
#[doc = include_str!("../../MIGRATING.md")]
pub struct MigratingDoctests;
