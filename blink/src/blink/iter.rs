//! `IteratorExt`: collect an iterator straight into a `Blink`.

use super::Blink;
use crate::api::BlinkAllocator;

/// Collects iterators into a [`Blink`].
///
/// ```
/// use blink_alloc::{Blink, IteratorExt};
///
/// let blink = Blink::new();
/// let evens = (0..10).filter(|n| n % 2 == 0).collect_to_blink(&blink);
/// let names = ["a", "b"].iter().map(|s| s.to_string()).collect_to_blink(&blink);
/// assert_eq!(evens, [0, 2, 4, 6, 8]);
/// assert_eq!(names.len(), 2);
/// ```
pub trait IteratorExt: Iterator + Sized {
    /// Collects into a slice whose items are dropped on reset.
    ///
    /// # Panics
    ///
    /// Calls `handle_alloc_error` if the arena cannot allocate.
    fn collect_to_blink<A: BlinkAllocator>(self, blink: &Blink<A>) -> &mut [Self::Item]
    where
        Self::Item: 'static,
    {
        blink.emplace().from_iter(self)
    }

    /// Collects into a shared slice whose items are dropped on reset.
    fn collect_to_blink_shared<A: BlinkAllocator>(self, blink: &Blink<A>) -> &[Self::Item]
    where
        Self::Item: 'static,
    {
        blink.emplace_shared().from_iter(self)
    }

    /// Collects into a slice whose items are never dropped.
    fn collect_to_blink_no_drop<A: BlinkAllocator>(self, blink: &Blink<A>) -> &mut [Self::Item] {
        blink.emplace_no_drop().from_iter(self)
    }

    /// Collects into a slice dropped on reset; on allocation failure, gives
    /// the items placed so far and the one that did not fit.
    #[allow(clippy::type_complexity)]
    fn try_collect_to_blink<A: BlinkAllocator>(
        self,
        blink: &Blink<A>,
    ) -> Result<&mut [Self::Item], (&mut [Self::Item], Option<Self::Item>)>
    where
        Self::Item: 'static,
    {
        blink.emplace().try_from_iter(self)
    }

    /// As [`try_collect_to_blink`](Self::try_collect_to_blink), shared.
    #[allow(clippy::type_complexity)]
    fn try_collect_to_blink_shared<A: BlinkAllocator>(
        self,
        blink: &Blink<A>,
    ) -> Result<&[Self::Item], (&[Self::Item], Option<Self::Item>)>
    where
        Self::Item: 'static,
    {
        blink.emplace_shared().try_from_iter(self)
    }

    /// As [`try_collect_to_blink`](Self::try_collect_to_blink), never dropped.
    #[allow(clippy::type_complexity)]
    fn try_collect_to_blink_no_drop<A: BlinkAllocator>(
        self,
        blink: &Blink<A>,
    ) -> Result<&mut [Self::Item], (&mut [Self::Item], Option<Self::Item>)> {
        blink.emplace_no_drop().try_from_iter(self)
    }
}

impl<I: Iterator> IteratorExt for I {}
