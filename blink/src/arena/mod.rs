//! The arena: the one module with pointer arithmetic.
//!
//! [`chunk`] owns the chunk list and its sizing rules; [`local`] is the
//! single-threaded bump cursor over it; `sync` (feature `sync`) the
//! shared atomic cursor; `shim` routes atomics through loom under
//! `--cfg loom`; `asan` poisons what the arenas do not hand out when the
//! crate is built with AddressSanitizer.

mod asan;
pub(crate) mod chunk;
pub(crate) mod local;
pub(crate) mod shim;
#[cfg(feature = "sync")]
pub(crate) mod sync;
#[cfg(feature = "sync")]
mod thread_cache;

pub use self::{chunk::Stats, local::Checkpoint};
