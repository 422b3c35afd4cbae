//! The atomics and the lock of the arenas, from `core`/`std` or, under
//! `--cfg loom`, from loom, so that the model checker sees every access.

#[cfg(all(feature = "sync", not(loom)))]
pub(crate) use core::sync::atomic::AtomicPtr;
#[cfg(not(loom))]
pub(crate) use core::sync::atomic::AtomicUsize;
#[cfg(all(feature = "sync", not(loom)))]
pub(crate) use std::sync::{Mutex, MutexGuard};

#[cfg(loom)]
pub(crate) use loom::sync::atomic::AtomicUsize;
#[cfg(all(feature = "sync", loom))]
pub(crate) use loom::sync::{atomic::AtomicPtr, Mutex, MutexGuard};

/// Declares a `const fn`, or a plain `fn` under loom, whose atomics and
/// locks cannot be built in a constant.
#[cfg(feature = "sync")]
macro_rules! const_unless_loom {
    ($(#[$meta:meta])* $vis:vis fn $($rest:tt)*) => {
        #[cfg(not(loom))]
        $(#[$meta])*
        $vis const fn $($rest)*

        #[cfg(loom)]
        $(#[$meta])*
        $vis fn $($rest)*
    };
}
#[cfg(feature = "sync")]
pub(crate) use const_unless_loom;

/// Locks `mutex`, ignoring poison: the data behind the arenas' locks is
/// kept consistent at every point where a panic can unwind.
#[cfg(feature = "sync")]
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poison| poison.into_inner())
}
