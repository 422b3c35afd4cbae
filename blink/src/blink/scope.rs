//! Scopes: frame arenas nested inside one `Blink`.
//!
//! A scope records where the arena and the drop list stand when it opens;
//! when it closes, normally or by unwinding, it drops what was placed since
//! and rewinds the arena there. The borrow checker does the rest: opening a
//! scope borrows the parent mutably, so the parent cannot allocate while it
//! is open, and the scope's lifetime `'s` is chosen by the caller of the
//! closure (higher-ranked), so nothing placed in it can escape.

use core::{marker::PhantomData, mem::MaybeUninit};

use super::{Blink, Emplace};
use allocator_api2::alloc::AllocError;

use crate::{
    api::BlinkAllocator, arena::Checkpoint, drop_list::DropMark, put::BlinkPut, target::PutTarget,
};

/// A scope inside a [`Blink`], made by [`Blink::scope`] or
/// [`BlinkScope::scope`].
///
/// Values placed in it live for the whole scope `'s`, not just for a borrow
/// of the handle, so they stay usable inside nested scopes. Values placed
/// with drop may borrow anything that outlives the parent, `'p`, but not the
/// scope itself: their `Drop` runs when the scope closes.
///
/// ```
/// let mut blink = blink_alloc::Blink::new();
/// blink.scope(|outer| {
///     let names = outer.put(vec!["x".to_string()]);
///     outer.scope(|inner| {
///         // Inner values may borrow outer ones.
///         let first = inner.put(names[0].as_str());
///         assert_eq!(*first, "x");
///     });
///     assert_eq!(names.len(), 1);
/// });
/// ```
///
/// The parent cannot allocate while a scope is open:
///
/// ```compile_fail
/// let mut blink = blink_alloc::Blink::new();
/// blink.scope(|outer| {
///     outer.scope(|_inner| {
///         outer.put(1);
///     });
/// });
/// ```
///
/// Nor through a builder or the allocator taken before the nested scope
/// opened: what they placed would be rewound under the outer scope's
/// reference when the nested scope closes.
///
/// ```compile_fail
/// let mut blink = blink_alloc::Blink::new();
/// blink.scope(|outer| {
///     let builder = outer.emplace_no_drop::<u64>();
///     let mut kept = None;
///     outer.scope(|_inner| kept = Some(builder.value(1)));
///     let other = outer.put_no_drop(2u64); // would alias `kept`
///     assert_ne!(kept.map(|k| *k), Some(2));
/// });
/// ```
///
/// ```compile_fail
/// let mut blink = blink_alloc::Blink::new();
/// blink.scope(|outer| {
///     let mut words = allocator_api2::vec::Vec::new_in(outer.allocator());
///     words.push(1u8);
///     outer.scope(|_inner| words.extend([2u8; 100])); // grows into the inner scope
///     outer.put_no_drop([0u8; 100]); // would overwrite `words`
/// });
/// ```
///
/// ```compile_fail
/// let mut blink = blink_alloc::Blink::new();
/// blink.scope(|outer| {
///     let builder = outer.emplace::<String>();
///     let mut kept = None;
///     outer.scope(|_inner| kept = Some(builder.value("dropped".into())));
///     kept.unwrap().push('!'); // would use a String dropped at the inner exit
/// });
/// ```
///
/// Each builder and the allocator may still be used between nested scopes,
/// and what they placed stays usable inside them:
///
/// ```
/// let mut blink = blink_alloc::Blink::new();
/// blink.scope(|outer| {
///     let numbers = outer.emplace().from_iter(0..4);
///     outer.scope(|inner| {
///         let doubled = inner.emplace().from_iter(numbers.iter().map(|n| n * 2));
///         assert_eq!(doubled, [0, 2, 4, 6]);
///     });
///     numbers[0] = 10;
///     let more = outer.emplace().value(String::from("after"));
///     assert_eq!((numbers[0], more.as_str()), (10, "after"));
/// });
/// ```
///
/// A value with drop cannot borrow its own scope:
///
/// ```compile_fail
/// let mut blink = blink_alloc::Blink::new();
/// blink.scope(|frame| {
///     let text = frame.put(String::from("x"));
///     frame.put(vec![text.as_str()]);
/// });
/// ```
pub struct BlinkScope<'p, 's, A: BlinkAllocator> {
    blink: &'s Blink<A>,
    /// `'p` is invariant: shrinking it to `'s` would let a value with drop
    /// borrow its own scope. `&'s &'p ()` also states `'p: 's`.
    marker: PhantomData<ScopeLifetimes<'p, 's>>,
}

/// Invariant in `'p`, covariant in `'s`, and implies `'p: 's`.
type ScopeLifetimes<'p, 's> = (fn(&'p ()) -> &'p (), &'s &'p ());

/// Where a scope opened.
#[derive(Clone, Copy)]
struct ScopeStart {
    drops: DropMark,
    arena: Checkpoint,
}

/// Closes a scope if its closure unwinds. The normal exit forgets it and
/// calls [`close`] inline: a guard whose `Drop` is one call stays out of
/// memory (the compiler keeps its fields in registers for the unwind path
/// too), where a guard that closed on both paths made every scope store
/// its start to the stack.
struct CloseOnUnwind<'a, A: BlinkAllocator> {
    blink: &'a Blink<A>,
    start: ScopeStart,
}

impl<A: BlinkAllocator> Drop for CloseOnUnwind<'_, A> {
    #[inline(always)]
    fn drop(&mut self) {
        close_with_drops(self.blink, self.start.drops, self.start.arena);
    }
}

/// Runs `body` in a scope of `blink`, closing the scope when `body`
/// returns or unwinds.
#[inline(always)]
fn run_scope<A: BlinkAllocator, R>(blink: &Blink<A>, body: impl FnOnce() -> R) -> R {
    let start = ScopeStart {
        drops: blink.drops.mark(),
        arena: blink.alloc.checkpoint(),
    };
    let on_unwind = CloseOnUnwind { blink, start };
    let result = body();
    core::mem::forget(on_unwind);
    close(blink, start);
    result
}

/// Closes a scope that opened at `start`, after its closure ended: with
/// nothing to drop and the arena still in the scope's first chunk, three
/// compares and a store.
#[inline(always)]
fn close<A: BlinkAllocator>(blink: &Blink<A>, start: ScopeStart) {
    if blink.drops.unchanged_since(start.drops) {
        // SAFETY: the checkpoint was taken from this allocator when the
        // scope opened; inner scopes have closed (they are nested calls);
        // the parent could not allocate or reset: it is borrowed mutably,
        // and no value it handed out can allocate from the arena (its
        // builders and allocator borrow its handle, and `copy_deep` lends a
        // `BlinkPut` copy only a `PutTarget` for the call); and the scope's
        // values are unreachable now that its closure has ended.
        unsafe { blink.alloc.rewind(start.arena) }
    } else {
        close_with_drops(blink, start.drops, start.arena);
    }
}

/// Closes a scope that placed values with drop: drops them, then rewinds,
/// also if a `Drop` panics.
#[cold]
#[inline(never)]
fn close_with_drops<A: BlinkAllocator>(blink: &Blink<A>, drops: DropMark, arena: Checkpoint) {
    /// Rewinds even if a `Drop` panics.
    struct Rewind<'a, A: BlinkAllocator>(&'a A, Checkpoint);
    impl<A: BlinkAllocator> Drop for Rewind<'_, A> {
        fn drop(&mut self) {
            // SAFETY: as in `close`: the checkpoint is this
            // allocator's, taken when the scope opened, and nothing placed
            // since can be reached any more.
            unsafe { self.0.rewind(self.1) }
        }
    }
    let _rewind = Rewind(&blink.alloc, arena);
    // SAFETY: the values pushed since the mark are the scope's, which
    // nothing can reach any more (see `close`).
    unsafe { blink.drops.drop_until(drops) };
}

/// Opens a scope over `blink`, runs `f` in it, and closes it.
///
/// `'p`, what values with drop may borrow, is any lifetime that outlives
/// this call: they are dropped before it returns. `&mut` proves that nothing
/// else allocates from or resets `blink` meanwhile.
pub(crate) fn enter<'p, A, R>(
    blink: &mut Blink<A>,
    f: impl for<'s> FnOnce(&mut BlinkScope<'p, 's, A>) -> R,
) -> R
where
    A: BlinkAllocator,
{
    let blink: &Blink<A> = blink;
    run_scope(blink, || {
        f(&mut BlinkScope {
            blink,
            marker: PhantomData,
        })
    })
}

impl<'p, 's, A: BlinkAllocator> BlinkScope<'p, 's, A> {
    /// Opens a scope nested in this one. Its values may borrow this scope's
    /// values; when it closes, its values are dropped and its memory is
    /// rewound, while this scope's values stay.
    ///
    /// ```
    /// let mut blink = blink_alloc::Blink::new();
    /// blink.scope(|outer| {
    ///     let kept = outer.copy_str("kept");
    ///     let used = outer.allocator().stats().used_bytes;
    ///     outer.scope(|inner| {
    ///         inner.copy_slice(&[0u8; 100]);
    ///         assert_eq!(*inner.put(&*kept), "kept");
    ///     });
    ///     assert_eq!(outer.allocator().stats().used_bytes, used);
    ///     assert_eq!(kept, "kept");
    /// });
    /// ```
    pub fn scope<R>(&mut self, f: impl for<'n> FnOnce(&mut BlinkScope<'s, 'n, A>) -> R) -> R {
        let blink = self.blink;
        run_scope(blink, || {
            f(&mut BlinkScope {
                blink,
                marker: PhantomData,
            })
        })
    }

    /// Places `value`; it is dropped when the scope closes. It may borrow
    /// anything that outlives the scope.
    ///
    /// ```
    /// let log = std::cell::RefCell::new(Vec::new());
    /// struct Noisy<'a>(&'a std::cell::RefCell<Vec<&'static str>>);
    /// impl Drop for Noisy<'_> {
    ///     fn drop(&mut self) {
    ///         self.0.borrow_mut().push("dropped");
    ///     }
    /// }
    /// let mut blink = blink_alloc::Blink::new();
    /// blink.scope(|frame| {
    ///     frame.put(Noisy(&log));
    ///     assert!(log.borrow().is_empty());
    /// });
    /// assert_eq!(*log.borrow(), ["dropped"]);
    /// ```
    #[inline(always)]
    pub fn put<T: 'p>(&self, value: T) -> &'s mut T {
        self.emplace().value(value)
    }

    /// Places `value`, or gives it back if the arena cannot allocate. Like
    /// [`put`](Self::put); see its example and [`Blink::try_put`]'s.
    #[inline(always)]
    pub fn try_put<T: 'p>(&self, value: T) -> Result<&'s mut T, T> {
        self.emplace().try_value(value)
    }

    /// Places `value`; it is never dropped, and may borrow the scope.
    ///
    /// ```
    /// let mut blink = blink_alloc::Blink::new();
    /// let len = blink.scope(|frame| {
    ///     let name = frame.copy_str("scoped");
    ///     let entry = frame.put_no_drop((name, 1));
    ///     entry.0.len() + entry.1
    /// });
    /// assert_eq!(len, 7);
    /// ```
    #[inline(always)]
    pub fn put_no_drop<T: 's>(&self, value: T) -> &'s mut T {
        self.emplace_no_drop().value(value)
    }

    /// Places `value` without drop, or gives it back. Like
    /// [`put_no_drop`](Self::put_no_drop); see its example and
    /// [`Blink::try_put_no_drop`]'s.
    #[inline(always)]
    pub fn try_put_no_drop<T: 's>(&self, value: T) -> Result<&'s mut T, T> {
        self.emplace_no_drop().try_value(value)
    }

    /// Room for a `T`, to initialise in place; it is never dropped.
    ///
    /// ```
    /// let mut blink = blink_alloc::Blink::new();
    /// blink.scope(|frame| {
    ///     let buffer = frame.uninit::<[u8; 4096]>().write([0; 4096]);
    ///     buffer[..5].copy_from_slice(b"frame");
    ///     assert_eq!(&buffer[..5], b"frame");
    /// });
    /// ```
    #[inline(always)]
    pub fn uninit<T: 's>(&self) -> &'s mut MaybeUninit<T> {
        self.blink.uninit()
    }

    /// Room for a `T`, or `None`. Like [`uninit`](Self::uninit); see its
    /// example and [`Blink::try_uninit`]'s.
    #[inline(always)]
    pub fn try_uninit<T: 's>(&self) -> Option<&'s mut MaybeUninit<T>> {
        self.blink.try_uninit()
    }

    /// Copies `slice` into the scope.
    ///
    /// ```
    /// let mut blink = blink_alloc::Blink::new();
    /// blink.scope(|frame| {
    ///     let sorted = frame.copy_slice(&[3, 1, 2]);
    ///     sorted.sort();
    ///     assert_eq!(sorted, [1, 2, 3]);
    /// });
    /// ```
    #[inline]
    pub fn copy_slice<T: Copy + 's>(&self, slice: &[T]) -> &'s mut [T] {
        self.blink.copy_slice(slice)
    }

    /// Copies `slice` into the scope, or gives `None`. Like
    /// [`copy_slice`](Self::copy_slice); see its example and
    /// [`Blink::try_copy_slice`]'s.
    #[inline]
    pub fn try_copy_slice<T: Copy + 's>(&self, slice: &[T]) -> Option<&'s mut [T]> {
        self.blink.try_copy_slice(slice)
    }

    /// Copies `string` into the scope.
    ///
    /// ```
    /// let mut blink = blink_alloc::Blink::new();
    /// let owned = String::from("temporary");
    /// blink.scope(|frame| {
    ///     let copy = frame.copy_str(&owned);
    ///     copy.make_ascii_uppercase();
    ///     assert_eq!(copy, "TEMPORARY");
    /// });
    /// assert_eq!(owned, "temporary");
    /// ```
    #[inline]
    pub fn copy_str(&self, string: &str) -> &'s mut str {
        self.blink.copy_str(string)
    }

    /// Copies `string` into the scope, or gives `None`. Like
    /// [`copy_str`](Self::copy_str); see its example and
    /// [`Blink::try_copy_str`]'s.
    #[inline]
    pub fn try_copy_str(&self, string: &str) -> Option<&'s mut str> {
        self.blink.try_copy_str(string)
    }

    /// A builder for values dropped when the scope closes.
    ///
    /// The builder borrows this handle, so it cannot be used inside a nested
    /// scope; the values it places live for the whole scope.
    ///
    /// ```
    /// let mut blink = blink_alloc::Blink::new();
    /// let total = blink.scope(|frame| {
    ///     let rows = frame.emplace().from_iter((0..3).map(|i| vec![i; 2]));
    ///     rows.iter().flatten().sum::<i32>()
    /// });
    /// assert_eq!(total, 6);
    /// ```
    #[inline(always)]
    pub fn emplace<T: 'p>(&self) -> Emplace<'_, A, T, &'s mut T, &'s mut [T]> {
        Emplace::new(self.blink, true)
    }

    /// A builder for values never dropped; they may borrow the scope.
    ///
    /// ```
    /// let mut blink = blink_alloc::Blink::new();
    /// blink.scope(|frame| {
    ///     let text = frame.copy_str("k=v");
    ///     let pair = frame.emplace_no_drop().value(text.split_once('=').unwrap());
    ///     assert_eq!(*pair, ("k", "v"));
    /// });
    /// ```
    #[inline(always)]
    pub fn emplace_no_drop<T: 's>(&self) -> Emplace<'_, A, T, &'s mut T, &'s mut [T]> {
        Emplace::new(self.blink, false)
    }

    /// A builder for values dropped when the scope closes, handed out as
    /// shared references.
    ///
    /// ```
    /// let mut blink = blink_alloc::Blink::new();
    /// blink.scope(|frame| {
    ///     let names: &[String] = frame.emplace_shared().from_iter(["a".to_string()]);
    ///     let again = names; // shared, so it copies
    ///     assert_eq!(names, again);
    /// });
    /// ```
    #[inline(always)]
    pub fn emplace_shared<T: 'p>(&self) -> Emplace<'_, A, T, &'s T, &'s [T]> {
        Emplace::new(self.blink, true)
    }

    /// Deep-copies `value` into the scope (see [`BlinkPut`]); values with
    /// drop glue are dropped when the scope closes.
    ///
    #[cfg_attr(feature = "derive", doc = "```")]
    #[cfg_attr(not(feature = "derive"), doc = "```ignore")]
    /// let tokens: Vec<&str> = "let x = 1".split(' ').collect();
    /// let count = blink_alloc::blink_scope!(|frame| {
    ///     let copied: &[&str] = frame.copy_deep(&tokens.as_slice());
    ///     copied.len()
    /// });
    /// assert_eq!(count, 4);
    /// ```
    #[inline]
    pub fn copy_deep<T: BlinkPut<'s>>(&self, value: &T) -> T::Output {
        value.copy_to(&PutTarget { blink: self.blink })
    }

    /// Like [`copy_deep`](Self::copy_deep), or fails if the arena cannot
    /// allocate; see `copy_deep`'s example and [`BlinkPut::try_put_in`]'s.
    #[inline]
    pub fn try_copy_deep<T: BlinkPut<'s>>(&self, value: &T) -> Result<T::Output, AllocError> {
        value.try_copy_to(&PutTarget { blink: self.blink })
    }

    /// The `Blink` the scope is in, for the builders in sibling modules,
    /// which must borrow the handle as the ones here do.
    #[inline(always)]
    pub(super) fn blink(&self) -> &'s Blink<A> {
        self.blink
    }

    /// The allocator, for collections that live in the scope.
    ///
    /// It borrows this handle: a collection that could still allocate
    /// inside a nested scope would grow into memory that the nested scope
    /// rewinds.
    ///
    /// ```
    /// use allocator_api2::vec::Vec;
    /// let mut blink = blink_alloc::Blink::new();
    /// blink.scope(|frame| {
    ///     let mut squares = Vec::new_in(frame.allocator());
    ///     squares.extend((1..=3).map(|n| n * n));
    ///     assert_eq!(squares, [1, 4, 9]);
    /// });
    /// ```
    #[inline]
    pub fn allocator(&self) -> &A {
        &self.blink.alloc
    }
}
