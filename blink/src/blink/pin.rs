//! Pinning values in a `Blink`, and the allocators that allow it.
//!
//! `Pin`'s drop guarantee: from the moment a `!Unpin` value is pinned until
//! its `drop` runs, its memory is neither invalidated nor repurposed. An
//! arena breaks it when it can reuse a value's memory without dropping the
//! value: bumpalo's `Box::pin_in` (bumpalo issue 186) did, since forgetting
//! the box skips the drop while the `Bump` still resets and reuses the
//! memory. The proof for `Blink` is on [`Blink::put_pin`].

use core::pin::Pin;

use super::{Blink, BlinkScope};
use crate::api::BlinkAllocator;

/// An allocator under which a [`Blink`] may pin values
/// ([`Blink::put_pin`], [`BlinkScope::put_pin`]).
///
/// # Safety
///
/// An implementation promises that memory of blocks it handed out is only
/// ever reused (handed out again, freed to a base allocator that may hand
/// it out again, or otherwise invalidated) by a call on the allocator
/// itself: `reset` (`&mut self`), `rewind`, `deallocate`, `resize`, its
/// unsafe methods, or its `Drop`, and never because the allocator was
/// forgotten or leaked, or because a lifetime ended. In particular it must
/// own its memory: a reference to an arena (`&BlinkAlloc`, `&mut
/// BlinkAlloc`) does not qualify, since after forgetting the `Blink` that
/// holds it the arena's owner may reset it, and neither does an arena over
/// a base allocator that may reclaim blocks it was never given back (an
/// arena over another arena's `&BlinkAlloc`, for one).
///
/// # Example
///
/// `BlinkAlloc` and `SyncBlinkAlloc` over the global allocator qualify:
/// leaking them leaks their chunks, which the global allocator never
/// reclaims on its own.
///
/// ```
/// fn pins<A: blink_alloc::PinSafeAllocator>() {}
/// pins::<blink_alloc::BlinkAlloc>();
/// ```
///
/// ```compile_fail
/// fn pins<A: blink_alloc::PinSafeAllocator>() {}
/// pins::<&blink_alloc::BlinkAlloc>(); // its owner may reset it
/// ```
pub unsafe trait PinSafeAllocator: BlinkAllocator {}

// SAFETY: a `BlinkAlloc` reuses memory only through its own methods
// (`reset`, `reset_final`, `rewind`, `deallocate`, `resize` at the tip, the
// unsafe `reset_unchecked`) and its `Drop`, which frees its chunks to the
// global allocator. Forgotten, it frees nothing, and the global allocator
// never reuses a block that was not deallocated (`Box::leak` relies on the
// same).
#[cfg(feature = "alloc")]
unsafe impl PinSafeAllocator for crate::BlinkAlloc<allocator_api2::alloc::Global> {}

// SAFETY: as for `BlinkAlloc`: the shared arena reuses memory only through
// its own `reset`, `reset_final`, `reset_unchecked`, `deallocate`, `resize`
// and `Drop`. Its local views allocate blocks of their own from it, and
// their resets free only those, never a block the `Blink` got from the
// shared arena.
#[cfg(feature = "sync")]
unsafe impl PinSafeAllocator for crate::SyncBlinkAlloc<allocator_api2::alloc::Global> {}

// Each method returns a fresh block, so a `&mut` from `&self` aliases
// nothing.
#[allow(clippy::mut_from_ref)]
impl<A: PinSafeAllocator> Blink<A> {
    /// Places `value` and pins it: it never moves again, and it is dropped
    /// before its memory is reused. So a `!Unpin` value, such as a future
    /// or an intrusive list node, can live in the arena.
    ///
    /// ```
    /// use core::{future::Future, pin::Pin, task::{Context, Poll, Waker}};
    ///
    /// let blink = blink_alloc::Blink::new();
    /// let mut future: Pin<&mut _> = blink.put_pin(async { 6 * 7 });
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert_eq!(future.as_mut().poll(&mut cx), Poll::Ready(42));
    /// ```
    ///
    /// # Why this is sound
    ///
    /// `Pin`'s drop guarantee asks that the value's memory is not reused
    /// before its `drop` runs. The value is linked into the `Blink`'s drop
    /// list (a type without drop glue is not, and its drop does nothing),
    /// and every way the memory can be reused drops the list first:
    ///
    /// - [`reset`](Self::reset) drops every value, then resets the
    ///   allocator, also when a `Drop` panics (the remaining values are
    ///   still dropped first); [`drop_all`](Self::drop_all) drops and frees
    ///   nothing; `Drop` of the `Blink` drops the values before the
    ///   allocator; [`into_inner`](Self::into_inner) drops them before it
    ///   hands the allocator out; [`SendBlink::new`](super::SendBlink::new)
    ///   resets. All of these take `&mut self` or `self`, so no pinned
    ///   reference is alive.
    /// - A scope opened on the `Blink` after the value was placed only
    ///   rewinds to its own start, after the value.
    /// - Moving the `Blink` moves neither the chunks nor the values.
    /// - [`mem::forget`](core::mem::forget) of the `Blink` (or leaking it)
    ///   drops nothing and reuses nothing: the allocator, owned by the
    ///   `Blink`, is forgotten with it, and [`PinSafeAllocator`] promises
    ///   that a forgotten allocator never reuses its memory. This is why
    ///   `put_pin` is not offered over a borrowed arena (`Blink<&BlinkAlloc>`):
    ///   forget that `Blink`, and the arena's owner could reset the arena
    ///   with the value never dropped, which is bumpalo issue 186.
    /// - Through [`allocator`](Self::allocator), only `&A` is reachable: it
    ///   cannot reset. Its unsafe `reset_unchecked`, `rewind` and
    ///   `deallocate` could free the value's memory, but their callers
    ///   promise that no block they free is used again, and the drop list
    ///   uses the value's block when it drops it; so, to free it, a caller
    ///   must also keep the `Blink` from ever dropping its values, and it
    ///   then breaks `Pin`'s own contract, which binds all unsafe code that
    ///   frees memory.
    ///
    /// The value must be `'static`, as for [`put`](Self::put): its `Drop`
    /// runs at the reset.
    ///
    /// # Panics
    ///
    /// Calls `handle_alloc_error` if the arena cannot allocate.
    #[inline]
    pub fn put_pin<T: 'static>(&self, value: T) -> Pin<&mut T> {
        let value = self.put(value);
        // SAFETY: the value is in the drop list (or has no drop glue) and
        // is dropped before its memory is reused; see "Why this is sound".
        unsafe { Pin::new_unchecked(value) }
    }

    /// Like [`put_pin`](Self::put_pin), or gives the value back if the
    /// arena cannot allocate.
    ///
    /// ```
    /// use blink_alloc::{Blink, BlinkAlloc};
    ///
    /// let blink = Blink::new();
    /// assert_eq!(*blink.try_put_pin(5).unwrap(), 5);
    ///
    /// let full = Blink::new_in(BlinkAlloc::new().limit(0));
    /// assert_eq!(full.try_put_pin(5).unwrap_err(), 5);
    /// ```
    #[inline]
    pub fn try_put_pin<T: 'static>(&self, value: T) -> Result<Pin<&mut T>, T> {
        let value = self.try_put(value)?;
        // SAFETY: as in `put_pin`.
        Ok(unsafe { Pin::new_unchecked(value) })
    }
}

impl<'p, 's, A: PinSafeAllocator> BlinkScope<'p, 's, A> {
    /// Places `value` in the scope and pins it; it is dropped when the
    /// scope closes, before the scope's memory is rewound. It may borrow
    /// anything that outlives the scope.
    ///
    /// ```
    /// use core::{future::Future, task::{Context, Poll, Waker}};
    ///
    /// let input = vec![1, 2, 3];
    /// let mut blink = blink_alloc::Blink::new();
    /// blink.scope(|frame| {
    ///     let mut sum = frame.put_pin(async { input.iter().sum::<i32>() });
    ///     let mut cx = Context::from_waker(Waker::noop());
    ///     assert_eq!(sum.as_mut().poll(&mut cx), Poll::Ready(6));
    /// });
    /// ```
    ///
    /// # Why this is sound
    ///
    /// As for [`Blink::put_pin`], with one more way to reuse memory: the
    /// scope's close. It runs when the closure returns or unwinds (a guard
    /// in the frame of [`Blink::scope`], which the closure cannot skip: the
    /// scope is a call, not a value that could be forgotten), and it drops
    /// the scope's values before it rewinds, also when a `Drop` panics. A
    /// closure that never returns never reuses the memory. The close works
    /// from where the scope started, recorded in that frame, whatever is
    /// done with the handle.
    ///
    /// # Panics
    ///
    /// Calls `handle_alloc_error` if the arena cannot allocate.
    #[inline]
    pub fn put_pin<T: 'p>(&self, value: T) -> Pin<&'s mut T> {
        let value = self.put(value);
        // SAFETY: the value is in the drop list (or has no drop glue), and
        // the scope's close drops it before it rewinds; see "Why this is
        // sound".
        unsafe { Pin::new_unchecked(value) }
    }

    /// Like [`put_pin`](Self::put_pin), or gives the value back if the
    /// arena cannot allocate; see [`Blink::try_put_pin`].
    ///
    /// ```
    /// let mut blink = blink_alloc::Blink::new();
    /// blink.scope(|frame| assert_eq!(*frame.try_put_pin(1).unwrap(), 1));
    /// ```
    #[inline]
    pub fn try_put_pin<T: 'p>(&self, value: T) -> Result<Pin<&'s mut T>, T> {
        let value = self.try_put(value)?;
        // SAFETY: as in `put_pin`.
        Ok(unsafe { Pin::new_unchecked(value) })
    }
}
