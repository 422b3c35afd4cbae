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
    /// ```
    /// use blink_alloc::{Blink, IteratorExt};
    /// let mut blink = Blink::new();
    /// let words = "b a c".split(' ').map(String::from).collect_to_blink(&blink);
    /// words.sort();
    /// assert_eq!(words, ["a", "b", "c"]);
    /// blink.reset(); // drops the Strings
    /// ```
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
    ///
    /// ```
    /// use blink_alloc::{Blink, IteratorExt};
    /// let blink = Blink::new();
    /// let squares: &[u64] = (1..=4).map(|n| n * n).collect_to_blink_shared(&blink);
    /// let (a, b) = (squares, squares); // shared slices copy
    /// assert_eq!(a.iter().sum::<u64>(), 30);
    /// assert_eq!(b.len(), 4);
    /// ```
    fn collect_to_blink_shared<A: BlinkAllocator>(self, blink: &Blink<A>) -> &[Self::Item]
    where
        Self::Item: 'static,
    {
        blink.emplace_shared().from_iter(self)
    }

    /// Collects into a slice whose items are never dropped; they may borrow.
    ///
    /// ```
    /// use blink_alloc::{Blink, IteratorExt};
    /// let blink = Blink::new();
    /// let text = blink.copy_str("x=1;y=2");
    /// let pairs = text.split(';').filter_map(|p| p.split_once('=')).collect_to_blink_no_drop(&blink);
    /// assert_eq!(pairs, [("x", "1"), ("y", "2")]);
    /// ```
    fn collect_to_blink_no_drop<A: BlinkAllocator>(self, blink: &Blink<A>) -> &mut [Self::Item] {
        blink.emplace_no_drop().from_iter(self)
    }

    /// Collects into a slice dropped on reset; on allocation failure, gives
    /// the items placed so far and the one that did not fit.
    ///
    /// ```
    /// use blink_alloc::{Blink, BlinkAlloc, IteratorExt};
    ///
    /// let blink = Blink::new();
    /// assert_eq!((0..3).try_collect_to_blink(&blink).unwrap(), [0, 1, 2]);
    ///
    /// let full = Blink::new_in(BlinkAlloc::new().limit(0));
    /// let (placed, left) = (0..3).try_collect_to_blink(&full).unwrap_err();
    /// assert_eq!((placed.len(), left), (0, Some(0)));
    /// ```
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
    ///
    /// ```
    /// use blink_alloc::{Blink, IteratorExt};
    /// let blink = Blink::new();
    /// let digits: &[char] = "123".chars().try_collect_to_blink_shared(&blink).unwrap();
    /// assert_eq!(digits, ['1', '2', '3']);
    /// ```
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

    /// As [`try_collect_to_blink`](Self::try_collect_to_blink), never
    /// dropped; the items may borrow.
    ///
    /// ```
    /// use blink_alloc::{Blink, IteratorExt};
    /// let text = String::from("a b");
    /// let blink = Blink::new();
    /// let words = text.split(' ').try_collect_to_blink_no_drop(&blink).unwrap();
    /// assert_eq!(words, ["a", "b"]);
    /// ```
    #[allow(clippy::type_complexity)]
    fn try_collect_to_blink_no_drop<A: BlinkAllocator>(
        self,
        blink: &Blink<A>,
    ) -> Result<&mut [Self::Item], (&mut [Self::Item], Option<Self::Item>)> {
        blink.emplace_no_drop().try_from_iter(self)
    }
}

impl<I: Iterator> IteratorExt for I {}
