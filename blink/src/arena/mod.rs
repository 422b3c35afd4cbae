//! The arena: the one module with pointer arithmetic.
//!
//! [`chunk`] owns the chunk list and its sizing rules; [`local`] is the
//! single-threaded bump cursor over it.

pub(crate) mod chunk;
pub(crate) mod local;

pub use self::{chunk::Stats, local::Checkpoint};
