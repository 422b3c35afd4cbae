//! Fast, concurrent, arena-based allocation with drop support.
//!
//! Memory comes from moving a cursor through big chunks; a reset releases
//! everything at once; the borrow checker guarantees that nothing outlives
//! the reset.
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
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
