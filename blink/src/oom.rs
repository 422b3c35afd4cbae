//! What the infallible methods do when the arena cannot allocate.

use core::alloc::Layout;

/// Reports an allocation failure the way the standard library does: with
/// `alloc`, through `handle_alloc_error`; without it, by panicking.
// Called by the infallible placing methods of `Blink` and `Emplace`, and by
// the `BlinkPut` impls that place values.
#[allow(dead_code)]
#[cold]
#[inline(never)]
pub(crate) fn handle_alloc_error(layout: Layout) -> ! {
    #[cfg(feature = "alloc")]
    {
        alloc::alloc::handle_alloc_error(layout)
    }
    #[cfg(not(feature = "alloc"))]
    {
        panic!("blink-alloc: allocation of {layout:?} failed")
    }
}
