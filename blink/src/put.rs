//! `BlinkPut`: deep-copy a value into a `Blink`, re-binding its arena
//! lifetime.

use core::{
    cell::{Cell, RefCell},
    marker::{PhantomData, PhantomPinned},
    num,
    time::Duration,
};

use allocator_api2::alloc::AllocError;

use crate::{api::BlinkAllocator, blink::Blink, target::PutTarget};

/// A deep copy into an arena that re-binds the arena lifetime.
///
/// `value.put_in(&blink)` returns [`Output`](Self::Output): the same type
/// with its arena lifetime set to `blink`'s borrow `'b`. Borrowed data
/// (`&str`, `&[T]`, `&T`, `&mut T`) is copied into `blink`; owned data
/// (`String`, `Vec`, `Box`, ...) is cloned, element by element; `Copy` values
/// are copied. So data built in a short-lived arena (a
#[cfg_attr(feature = "derive", doc = "[`blink_scope!`](crate::blink_scope)")]
#[cfg_attr(not(feature = "derive"), doc = "`blink_scope!`")]
/// frame) can be promoted into a longer-lived one before the frame resets, borrowed input can be copied in,
/// and a long-lived arena can be compacted by copying what is live into a
/// fresh one.
///
/// Derive it with `#[derive(BlinkPut)]` (feature `derive`): see
/// [Deriving](#deriving) for what the derive copies and its attributes.
///
#[cfg_attr(feature = "derive", doc = "```")]
#[cfg_attr(not(feature = "derive"), doc = "```ignore")]
/// use blink_alloc::{blink_scope, Blink, BlinkPut};
///
/// #[derive(BlinkPut, Debug, PartialEq)]
/// enum Expr<'a> {
///     Name(&'a str),
///     Call { callee: &'a str, args: &'a [Expr<'a>] },
/// }
///
/// let program = Blink::new();
/// let kept = blink_scope!(|frame| {
///     // A temporary tree in the frame arena...
///     let args = frame.emplace_no_drop().from_iter([Expr::Name("x"), Expr::Name("y")]);
///     let call = Expr::Call { callee: frame.copy_str("max"), args };
///     // ...promoted into `program` before the frame resets.
///     call.put_in(&program)
/// });
/// assert_eq!(kept, Expr::Call { callee: "max", args: &[Expr::Name("x"), Expr::Name("y")] });
/// ```
///
/// # Deriving
///
/// `#[derive(BlinkPut)]` (feature `derive`) takes a struct or an enum (empty
/// enums too) with at most one lifetime, the *arena lifetime*, which `Output`
/// sets to the target's `'b`. Each field is copied by its type:
///
/// - a field that mentions the arena lifetime or a copied type parameter is
///   deep-copied with `BlinkPut` (`&'a str`, `&'a [Node<'a>]`, `Vec<T>`, ...),
///   and so is a field with no lifetime at all (`u32`, `String`, a derived
///   type without lifetime);
/// - a field whose type is `'static` by its declaration (it mentions
///   `'static`, or a `'static` type parameter, and not the arena lifetime) is
///   **kept as is**: cloned, so a `&'static str` is copied as the same
///   reference and `Output` keeps the `'static`. A field that mixes `'static`
///   with the arena lifetime (`&'a [&'static str]`) is refused: its deep copy
///   would re-bind the `'static` borrows too;
/// - a `PhantomData<..>` field is made anew.
///
/// Type parameters come in three kinds:
///
/// - a parameter that a deep-copied field mentions is *copied*: `Output` has
///   `T::Output` in its place, and the impl asks `T: BlinkPut<'b>`;
/// - a `'static` parameter (declared `T: 'static` or `T: Any`) is *kept*:
///   `Output` has `T` itself, fields of such types are cloned (`T: Clone`), and
///   inside a deep-copied field (`&'a [T]`) it needs `T: BlinkPut<'b, Output =
///   T>` (`u32` and `String` have it, `&'static str` has not);
/// - a parameter that only `PhantomData` fields (or `clone` and `skip` fields)
///   mention is kept too, and needs no `BlinkPut`: marker types work as they
///   are.
///
/// A `?Sized` parameter is allowed; the impl covers the sized arguments (a
/// copied `&'a T` needs a sized `T`). The derive picks its own lifetime and
/// type-parameter names so that they differ from the item's. It refuses a
/// union (which field is live is unknown), a type that implements `Drop` (see
/// the drop rule below), a `repr(packed)` type (its fields may be unaligned),
/// and a second lifetime.
///
#[cfg_attr(feature = "derive", doc = "```")]
#[cfg_attr(not(feature = "derive"), doc = "```ignore")]
/// use std::{collections::HashMap, marker::PhantomData};
///
/// use blink_alloc::{Blink, BlinkPut};
///
/// struct Meters; // a marker, with no `BlinkPut`
///
/// #[derive(BlinkPut)]
/// struct Reading<'a, Unit, T: 'static> {
///     label: &'a str,                 // copied into the target
///     source: &'static str,           // kept as is
///     by_name: HashMap<&'a str, u32>, // keys copied into the target
///     sample: T,                      // a `'static` parameter: cloned
///     unit: PhantomData<Unit>,        // made anew; `Meters` needs nothing
/// }
///
/// let text = String::from("width");
/// let reading: Reading<'_, Meters, f32> = Reading {
///     label: &text,
///     source: "sensor",
///     by_name: HashMap::from([(&text[..1], 1)]),
///     sample: 2.5,
///     unit: PhantomData,
/// };
/// let blink = Blink::new();
/// let copy: Reading<'_, Meters, f32> = reading.put_in(&blink);
/// drop(reading);
/// drop(text); // the copy borrows only `blink` and `'static` data
/// assert_eq!((copy.label, copy.source, copy.by_name["w"], copy.sample), ("width", "sensor", 1, 2.5));
/// ```
///
/// ## Attributes
///
/// | attribute | on | effect |
/// |---|---|---|
/// | `#[blink(clone)]` | field | clones the field instead of deep-copying it |
/// | `#[blink(skip)]` | field | sets the field to `Default::default()` in the copy |
/// | `#[blink(crate = "path")]` | type | the path of this crate, if not `::blink_alloc` |
/// | `#[blink(bound = "...")]` | type | replaces the bounds the derive infers |
///
/// Any other `#[blink(...)]`, and any `#[blink]` on an enum variant or a
/// generic parameter, is an error.
///
/// **`#[blink(clone)]`** clones a field whose type has no `BlinkPut`, or
/// whose owned data should be shared rather than copied. The field type must
/// be `'static` (it must not mention the arena lifetime, a copied type
/// parameter, or `Self` when `Self` has either), so that dropping it reads no
/// dangling borrow, and `Clone`.
///
#[cfg_attr(feature = "derive", doc = "```")]
#[cfg_attr(not(feature = "derive"), doc = "```ignore")]
/// use std::rc::Rc;
///
/// use blink_alloc::{Blink, BlinkPut};
///
/// #[derive(Clone)]
/// struct Config; // no `BlinkPut`
///
/// #[derive(BlinkPut)]
/// struct Job<'a> {
///     name: &'a str,
///     #[blink(clone)]
///     config: Rc<Config>,
/// }
///
/// let job = Job { name: "build", config: Rc::new(Config) };
/// let blink = Blink::new();
/// let copy = job.put_in(&blink);
/// assert!(Rc::ptr_eq(&copy.config, &job.config));
/// ```
///
/// **`#[blink(skip)]`** leaves a field out of the copy: the copy holds
/// `Default::default()`. The field type must be `'static`, as for `clone`, and
/// `Default`.
///
#[cfg_attr(feature = "derive", doc = "```")]
#[cfg_attr(not(feature = "derive"), doc = "```ignore")]
/// use blink_alloc::{Blink, BlinkPut};
///
/// #[derive(BlinkPut)]
/// struct Parsed<'a> {
///     source: &'a str,
///     #[blink(skip)]
///     scratch: Vec<usize>, // not worth keeping
/// }
///
/// let parsed = Parsed { source: "a b", scratch: vec![0, 2] };
/// let blink = Blink::new();
/// let copy = parsed.put_in(&blink);
/// assert_eq!((copy.source, copy.scratch.len()), ("a b", 0));
/// ```
///
/// **`#[blink(crate = "path")]`** names this crate for the generated code,
/// when it is not reachable as `::blink_alloc`: a renamed dependency (`arena =
/// { package = "blink-alloc", .. }`) or a re-export from another crate.
/// (`blink_scope!` needs no such attribute: it names this crate through
/// `$crate`.)
///
#[cfg_attr(feature = "derive", doc = "```")]
#[cfg_attr(not(feature = "derive"), doc = "```ignore")]
/// // As if the dependency were renamed `arena`.
/// extern crate blink_alloc as arena;
///
/// use arena::{Blink, BlinkPut};
///
/// #[derive(BlinkPut)]
/// #[blink(crate = "arena")]
/// struct Word<'a>(&'a str);
///
/// let blink = Blink::new();
/// assert_eq!(Word("w").put_in(&blink).0, "w");
/// ```
///
/// **`#[blink(bound = "...")]`** replaces the bounds the derive infers (as
/// serde's `bound` does): `T: BlinkPut<'b>` for each copied parameter,
/// `T: BlinkPut<'b, Output = T>` for a `'static` one inside a copied field,
/// `Clone` or `Default` for kept fields of a parameter's type. Write the
/// target's lifetime as `'_`. The impl keeps the item's own bounds and where
/// clause, their twins for `Output`, and the `'static` bounds that the drop
/// rule needs; the bounds given must still let each field be copied. An empty
/// string removes every inferred bound.
///
#[cfg_attr(feature = "derive", doc = "```")]
#[cfg_attr(not(feature = "derive"), doc = "```ignore")]
/// use std::cell::Cell;
///
/// use blink_alloc::{Blink, BlinkPut};
///
/// // `Cell<T>` is copied only for `T: Copy`, which the inferred bound omits.
/// #[derive(BlinkPut)]
/// #[blink(bound = "T: BlinkPut<'_> + Copy")]
/// struct Counter<'a, T> {
///     name: &'a str,
///     count: Cell<T>,
/// }
///
/// let counter = Counter { name: "hits", count: Cell::new(3u32) };
/// let blink = Blink::new();
/// assert_eq!(counter.put_in(&blink).count.get(), 3);
/// ```
///
/// # Drop rule
///
/// A value copied into the arena behind a reference (`&T`, `&mut T`, `&[T]`)
/// whose `Output` needs drop is registered for drop in `blink` and dropped
/// when it resets; values without drop glue pay nothing. Registering a value
/// that borrows the arena is where arenas go wrong: its `Drop` could read
/// another arena value that was dropped before it (a `Cell` or `&mut` can
/// point an early value at a later one). So the trait is `unsafe`, and every
/// implementation promises that **dropping an `Output` never reads or writes
/// through a borrow it holds**: it must stay sound to drop after every
/// lifetime in `Output` has ended, as if each were `#[may_dangle]`. `String`,
/// `Vec`, `Box`, references and the derived types keep the promise:
///
/// - the derive rejects a type that implements `Drop` (a conflicting-impl
///   check, as pin-project does), so its drop glue is only its fields';
/// - every deep-copied field's `Output` is a `BlinkPut` output and keeps the
///   promise; the fields it clones or defaults (`#[blink(clone)]`,
///   `#[blink(skip)]`, `'static` fields kept as is) must be `'static`, so
///   they hold no borrow that could dangle; `PhantomData` holds nothing.
///
/// A type with a `Drop` that reads a borrow does not implement `BlinkPut`:
/// put it with [`Blink::put_no_drop`] (never dropped) instead.
///
/// # What a copy may keep
///
/// Implementations write [`copy_to`](Self::copy_to), which gets the target
/// arena as a [`PutTarget`] lent for the call, not as the `&'b Blink` that
/// [`put_in`](Self::put_in) takes: an `Output: 'b` cannot hold the borrow of
/// the target, so nothing a copy returns can allocate in the arena later.
/// This matters because [`BlinkScope::copy_deep`](crate::BlinkScope::copy_deep)
/// copies into the scope's own arena: a copy that kept a way to allocate
/// there could do so while a nested scope is open, and the nested scope's
/// exit would free that block under its `'s` reference.
///
/// # Safety
///
/// - Dropping a value of type `Output` must not access memory through any
///   borrow (reference or pointer with a non-`'static` lifetime) held by
///   the value, nor by values it owns.
/// - `copy_to` and `try_copy_to` must not keep the target, or anything that
///   can allocate from its arena, past the call by unsafe means (a raw
///   pointer to the `PutTarget`, a lifetime extended by `transmute`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be deep-copied into a `Blink`: it does not implement `BlinkPut`",
    label = "no `BlinkPut` for this type",
    note = "derive `BlinkPut` for it, or mark the field `#[blink(clone)]` (a `'static` `Clone` type, cloned) or `#[blink(skip)]` (`Default::default()` in the copy)"
)]
pub unsafe trait BlinkPut<'b> {
    /// `Self` with its arena lifetime set to `'b`.
    type Output: 'b;

    /// Deep-copies `self` into `target`: what implementations write (the
    /// derive writes it for you). Users call [`put_in`](Self::put_in).
    ///
    /// ```
    /// use blink_alloc::{Blink, BlinkAllocator, BlinkPut, PutTarget};
    ///
    /// /// A name, interned in the arena.
    /// struct Name<'a>(&'a str);
    ///
    /// // SAFETY: `Name` has no drop glue.
    /// unsafe impl<'a, 'b> BlinkPut<'b> for Name<'a> {
    ///     type Output = Name<'b>;
    ///     fn copy_to<A: BlinkAllocator>(&self, target: &PutTarget<'b, A>) -> Name<'b> {
    ///         Name(target.copy_str(self.0))
    ///     }
    ///     fn try_copy_to<A: BlinkAllocator>(
    ///         &self,
    ///         target: &PutTarget<'b, A>,
    ///     ) -> Result<Name<'b>, blink_alloc::AllocError> {
    ///         Ok(Name(self.0.try_copy_to(target)?))
    ///     }
    /// }
    ///
    /// let blink = Blink::new();
    /// let kept = Name(&String::from("x")).put_in(&blink);
    /// assert_eq!(kept.0, "x");
    /// ```
    ///
    /// # Panics
    ///
    /// Calls `handle_alloc_error` if the arena cannot allocate.
    fn copy_to<A: BlinkAllocator>(&self, target: &PutTarget<'b, A>) -> Self::Output;

    /// Like [`copy_to`](Self::copy_to), or fails if the arena cannot
    /// allocate; see the example on [`copy_to`](Self::copy_to), and on
    /// [`try_put_in`](Self::try_put_in) for a failure.
    fn try_copy_to<A: BlinkAllocator>(
        &self,
        target: &PutTarget<'b, A>,
    ) -> Result<Self::Output, AllocError>;

    /// Deep-copies `self` into `blink`.
    ///
    /// ```
    /// use blink_alloc::{Blink, BlinkPut};
    ///
    /// let blink = Blink::new();
    /// let words = vec!["a".to_string()];
    /// let borrowed: &[&str] = &["x", "y"];
    /// let copied: &[&str] = borrowed.put_in(&blink);
    /// assert_eq!(copied, borrowed);
    /// assert_ne!(copied.as_ptr(), borrowed.as_ptr()); // a copy, in the arena
    /// let cloned: Vec<String> = words.put_in(&blink);
    /// assert_eq!(cloned, words);
    /// ```
    ///
    /// # Panics
    ///
    /// Calls `handle_alloc_error` if the arena cannot allocate.
    #[inline]
    fn put_in<A: BlinkAllocator>(&self, blink: &'b Blink<A>) -> Self::Output {
        self.copy_to(&PutTarget { blink })
    }

    /// Deep-copies `self` into `blink`, or fails if the arena cannot
    /// allocate. What was placed before the failure stays in the arena
    /// until it resets (and is dropped then).
    ///
    /// ```
    /// use blink_alloc::{AllocError, Blink, BlinkAlloc, BlinkPut};
    ///
    /// let text = "deep";
    /// let blink = Blink::new();
    /// assert_eq!(text.try_put_in(&blink), Ok("deep"));
    ///
    /// let full = Blink::new_in(BlinkAlloc::new().limit(0));
    /// assert_eq!(text.try_put_in(&full), Err(AllocError));
    /// ```
    #[inline]
    fn try_put_in<A: BlinkAllocator>(
        &self,
        blink: &'b Blink<A>,
    ) -> Result<Self::Output, AllocError> {
        self.try_copy_to(&PutTarget { blink })
    }
}

/// `Copy` types with no borrow: a copy is the whole job.
macro_rules! impl_copy {
    ($($ty:ty),* $(,)?) => {$(
        // SAFETY: `Output` is `Self`, which has no drop glue (it is `Copy`)
        // and holds no borrow.
        unsafe impl<'b> BlinkPut<'b> for $ty {
            type Output = $ty;
            #[inline(always)]
            fn copy_to<A: BlinkAllocator>(&self, _: &PutTarget<'b, A>) -> $ty {
                *self
            }
            #[inline(always)]
            fn try_copy_to<A: BlinkAllocator>(&self, _: &PutTarget<'b, A>) -> Result<$ty, AllocError> {
                Ok(*self)
            }
        }
    )*};
}

impl_copy!(
    (),
    bool,
    char,
    u8,
    u16,
    u32,
    u64,
    u128,
    usize,
    i8,
    i16,
    i32,
    i64,
    i128,
    isize,
    f32,
    f64,
    num::NonZeroU8,
    num::NonZeroU16,
    num::NonZeroU32,
    num::NonZeroU64,
    num::NonZeroU128,
    num::NonZeroUsize,
    num::NonZeroI8,
    num::NonZeroI16,
    num::NonZeroI32,
    num::NonZeroI64,
    num::NonZeroI128,
    num::NonZeroIsize,
    Duration,
    core::cmp::Ordering,
    PhantomPinned,
);

// SAFETY: `PhantomData` has no drop glue and holds nothing.
unsafe impl<'b, T: BlinkPut<'b>> BlinkPut<'b> for PhantomData<T> {
    type Output = PhantomData<T::Output>;
    #[inline(always)]
    fn copy_to<A: BlinkAllocator>(&self, _: &PutTarget<'b, A>) -> Self::Output {
        PhantomData
    }
    #[inline(always)]
    fn try_copy_to<A: BlinkAllocator>(
        &self,
        _: &PutTarget<'b, A>,
    ) -> Result<Self::Output, AllocError> {
        Ok(PhantomData)
    }
}

// SAFETY: `&str` has no drop glue.
unsafe impl<'b> BlinkPut<'b> for &str {
    type Output = &'b str;
    #[inline]
    fn copy_to<A: BlinkAllocator>(&self, target: &PutTarget<'b, A>) -> &'b str {
        target.copy_str(self)
    }
    #[inline]
    fn try_copy_to<A: BlinkAllocator>(
        &self,
        target: &PutTarget<'b, A>,
    ) -> Result<&'b str, AllocError> {
        target.try_copy_str(self).map(|s| &*s).ok_or(AllocError)
    }
}

// SAFETY: `&mut str` has no drop glue.
unsafe impl<'b> BlinkPut<'b> for &mut str {
    type Output = &'b mut str;
    #[inline]
    fn copy_to<A: BlinkAllocator>(&self, target: &PutTarget<'b, A>) -> &'b mut str {
        target.copy_str(self)
    }
    #[inline]
    fn try_copy_to<A: BlinkAllocator>(
        &self,
        target: &PutTarget<'b, A>,
    ) -> Result<&'b mut str, AllocError> {
        target.try_copy_str(self).ok_or(AllocError)
    }
}

/// Places `value` in `blink`, registered for drop if it needs it.
#[inline(always)]
#[allow(clippy::mut_from_ref)]
fn place<'b, A: BlinkAllocator, T: BlinkPut<'b>>(
    target: &PutTarget<'b, A>,
    value: T::Output,
) -> Result<&'b mut T::Output, AllocError> {
    // SAFETY: `T: BlinkPut` promises that dropping a `T::Output` touches
    // nothing through its borrows, so its `Drop` cannot reach arena values
    // dropped before it nor data that died before the reset.
    unsafe { target.blink.emplace_unchecked() }
        .try_value(value)
        .map_err(|_| AllocError)
}

/// Copies every item of `slice` into one slice of `blink`, registered for
/// drop if the items need it.
#[inline]
#[allow(clippy::mut_from_ref)]
fn place_slice<'b, A: BlinkAllocator, T: BlinkPut<'b>>(
    target: &PutTarget<'b, A>,
    slice: &[T],
) -> &'b mut [T::Output] {
    // SAFETY: as in `place`.
    let emplace = unsafe { target.blink.emplace_unchecked::<T::Output>() };
    emplace.from_iter(slice.iter().map(|item| item.copy_to(target)))
}

/// Like `place_slice`, stopping at the first failure.
#[inline]
#[allow(clippy::mut_from_ref)]
fn try_place_slice<'b, A: BlinkAllocator, T: BlinkPut<'b>>(
    target: &PutTarget<'b, A>,
    slice: &[T],
) -> Result<&'b mut [T::Output], AllocError> {
    let mut failed = false;
    let items = Shunt {
        items: slice.iter(),
        put: |item: &T| item.try_copy_to(target),
        failed: &mut failed,
    };
    // SAFETY: as in `place`.
    let emplace = unsafe { target.blink.emplace_unchecked::<T::Output>() };
    let placed = emplace.try_from_iter(items).map_err(|_| AllocError)?;
    if failed {
        Err(AllocError)
    } else {
        Ok(placed)
    }
}

/// Maps items by a fallible function and stops at the first error, keeping
/// the item count as its size hint.
struct Shunt<'f, I, F> {
    items: I,
    put: F,
    failed: &'f mut bool,
}

impl<'f, 'x, T: 'x, O, I, F> Iterator for Shunt<'f, I, F>
where
    I: Iterator<Item = &'x T>,
    F: FnMut(&'x T) -> Result<O, AllocError>,
{
    type Item = O;
    #[inline]
    fn next(&mut self) -> Option<O> {
        if *self.failed {
            return None;
        }
        match (self.put)(self.items.next()?) {
            Ok(item) => Some(item),
            Err(AllocError) => {
                *self.failed = true;
                None
            }
        }
    }
    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, self.items.size_hint().1)
    }
}

// SAFETY: `&T` has no drop glue. The `T::Output` it points to is registered
// for drop only because `T: BlinkPut` keeps the promise for it.
unsafe impl<'b, T: BlinkPut<'b>> BlinkPut<'b> for &T {
    type Output = &'b T::Output;
    #[inline]
    fn copy_to<A: BlinkAllocator>(&self, target: &PutTarget<'b, A>) -> Self::Output {
        match place::<A, T>(target, (**self).copy_to(target)) {
            Ok(placed) => placed,
            Err(AllocError) => crate::oom::handle_alloc_error(core::alloc::Layout::new::<T>()),
        }
    }
    #[inline]
    fn try_copy_to<A: BlinkAllocator>(
        &self,
        target: &PutTarget<'b, A>,
    ) -> Result<Self::Output, AllocError> {
        Ok(place::<A, T>(target, (**self).try_copy_to(target)?)?)
    }
}

// SAFETY: as for `&T`.
unsafe impl<'b, T: BlinkPut<'b>> BlinkPut<'b> for &mut T {
    type Output = &'b mut T::Output;
    #[inline]
    fn copy_to<A: BlinkAllocator>(&self, target: &PutTarget<'b, A>) -> Self::Output {
        match place::<A, T>(target, (**self).copy_to(target)) {
            Ok(placed) => placed,
            Err(AllocError) => crate::oom::handle_alloc_error(core::alloc::Layout::new::<T>()),
        }
    }
    #[inline]
    fn try_copy_to<A: BlinkAllocator>(
        &self,
        target: &PutTarget<'b, A>,
    ) -> Result<Self::Output, AllocError> {
        place::<A, T>(target, (**self).try_copy_to(target)?)
    }
}

// SAFETY: as for `&T`, for each item.
unsafe impl<'b, T: BlinkPut<'b>> BlinkPut<'b> for &[T] {
    type Output = &'b [T::Output];
    #[inline]
    fn copy_to<A: BlinkAllocator>(&self, target: &PutTarget<'b, A>) -> Self::Output {
        place_slice(target, self)
    }
    #[inline]
    fn try_copy_to<A: BlinkAllocator>(
        &self,
        target: &PutTarget<'b, A>,
    ) -> Result<Self::Output, AllocError> {
        Ok(try_place_slice(target, self)?)
    }
}

// SAFETY: as for `&T`, for each item.
unsafe impl<'b, T: BlinkPut<'b>> BlinkPut<'b> for &mut [T] {
    type Output = &'b mut [T::Output];
    #[inline]
    fn copy_to<A: BlinkAllocator>(&self, target: &PutTarget<'b, A>) -> Self::Output {
        place_slice(target, self)
    }
    #[inline]
    fn try_copy_to<A: BlinkAllocator>(
        &self,
        target: &PutTarget<'b, A>,
    ) -> Result<Self::Output, AllocError> {
        try_place_slice(target, self)
    }
}

// SAFETY: an `Option` drops only its `T::Output`, which keeps the promise.
unsafe impl<'b, T: BlinkPut<'b>> BlinkPut<'b> for Option<T> {
    type Output = Option<T::Output>;
    #[inline]
    fn copy_to<A: BlinkAllocator>(&self, target: &PutTarget<'b, A>) -> Self::Output {
        self.as_ref().map(|value| value.copy_to(target))
    }
    #[inline]
    fn try_copy_to<A: BlinkAllocator>(
        &self,
        target: &PutTarget<'b, A>,
    ) -> Result<Self::Output, AllocError> {
        self.as_ref()
            .map(|value| value.try_copy_to(target))
            .transpose()
    }
}

// SAFETY: a `Result` drops only a `T::Output` or an `E::Output`.
unsafe impl<'b, T: BlinkPut<'b>, E: BlinkPut<'b>> BlinkPut<'b> for Result<T, E> {
    type Output = Result<T::Output, E::Output>;
    #[inline]
    fn copy_to<A: BlinkAllocator>(&self, target: &PutTarget<'b, A>) -> Self::Output {
        match self {
            Ok(value) => Ok(value.copy_to(target)),
            Err(error) => Err(error.copy_to(target)),
        }
    }
    #[inline]
    fn try_copy_to<A: BlinkAllocator>(
        &self,
        target: &PutTarget<'b, A>,
    ) -> Result<Self::Output, AllocError> {
        Ok(match self {
            Ok(value) => Ok(value.try_copy_to(target)?),
            Err(error) => Err(error.try_copy_to(target)?),
        })
    }
}

macro_rules! impl_tuple {
    ($($name:ident)+) => {
        // SAFETY: a tuple drops only its items' outputs.
        unsafe impl<'b, $($name: BlinkPut<'b>),+> BlinkPut<'b> for ($($name,)+) {
            type Output = ($($name::Output,)+);
            #[inline]
            #[allow(non_snake_case)]
            fn copy_to<A: BlinkAllocator>(&self, target: &PutTarget<'b, A>) -> Self::Output {
                let ($($name,)+) = self;
                ($($name.copy_to(target),)+)
            }
            #[inline]
            #[allow(non_snake_case)]
            fn try_copy_to<A: BlinkAllocator>(
                &self,
                target: &PutTarget<'b, A>,
            ) -> Result<Self::Output, AllocError> {
                let ($($name,)+) = self;
                Ok(($($name.try_copy_to(target)?,)+))
            }
        }
    };
}

impl_tuple!(T0);
impl_tuple!(T0 T1);
impl_tuple!(T0 T1 T2);
impl_tuple!(T0 T1 T2 T3);
impl_tuple!(T0 T1 T2 T3 T4);
impl_tuple!(T0 T1 T2 T3 T4 T5);
impl_tuple!(T0 T1 T2 T3 T4 T5 T6);
impl_tuple!(T0 T1 T2 T3 T4 T5 T6 T7);

// SAFETY: an array drops only its items' outputs.
unsafe impl<'b, T: BlinkPut<'b>, const N: usize> BlinkPut<'b> for [T; N] {
    type Output = [T::Output; N];
    #[inline]
    fn copy_to<A: BlinkAllocator>(&self, target: &PutTarget<'b, A>) -> Self::Output {
        core::array::from_fn(|i| self[i].copy_to(target))
    }
    #[inline]
    fn try_copy_to<A: BlinkAllocator>(
        &self,
        target: &PutTarget<'b, A>,
    ) -> Result<Self::Output, AllocError> {
        let mut failed = false;
        let items: [Option<T::Output>; N] = core::array::from_fn(|i| {
            if failed {
                return None;
            }
            let item = self[i].try_copy_to(target).ok();
            failed = item.is_none();
            item
        });
        if failed {
            return Err(AllocError);
        }
        Ok(items.map(|item| item.unwrap_or_else(|| unreachable!("no item failed"))))
    }
}

// SAFETY: a `Cell` drops only its `T::Output`.
unsafe impl<'b, T: Copy + BlinkPut<'b>> BlinkPut<'b> for Cell<T> {
    type Output = Cell<T::Output>;
    #[inline]
    fn copy_to<A: BlinkAllocator>(&self, target: &PutTarget<'b, A>) -> Self::Output {
        Cell::new(self.get().copy_to(target))
    }
    #[inline]
    fn try_copy_to<A: BlinkAllocator>(
        &self,
        target: &PutTarget<'b, A>,
    ) -> Result<Self::Output, AllocError> {
        Ok(Cell::new(self.get().try_copy_to(target)?))
    }
}

// SAFETY: a `RefCell` drops only its `T::Output`.
unsafe impl<'b, T: BlinkPut<'b>> BlinkPut<'b> for RefCell<T> {
    type Output = RefCell<T::Output>;
    /// # Panics
    ///
    /// If the value is mutably borrowed.
    #[inline]
    fn copy_to<A: BlinkAllocator>(&self, target: &PutTarget<'b, A>) -> Self::Output {
        RefCell::new(self.borrow().copy_to(target))
    }
    #[inline]
    fn try_copy_to<A: BlinkAllocator>(
        &self,
        target: &PutTarget<'b, A>,
    ) -> Result<Self::Output, AllocError> {
        Ok(RefCell::new(self.borrow().try_copy_to(target)?))
    }
}

#[cfg(feature = "alloc")]
mod owned {
    use alloc::{
        borrow::{Cow, ToOwned},
        boxed::Box,
        collections::{BTreeMap, BTreeSet, VecDeque},
        rc::Rc,
        string::String,
        sync::Arc,
        vec::Vec,
    };

    use super::*;

    /// Owned `'static` types, by `Clone`.
    macro_rules! impl_clone {
        ($([$($params:tt)*] $ty:ty),* $(,)?) => {$(
            // SAFETY: `Output` is `'static`, so it holds no borrow that could
            // dangle when it is dropped.
            unsafe impl<'b, $($params)*> BlinkPut<'b> for $ty {
                type Output = $ty;
                #[inline]
                fn copy_to<A: BlinkAllocator>(&self, _: &PutTarget<'b, A>) -> $ty {
                    self.clone()
                }
                #[inline]
                fn try_copy_to<A: BlinkAllocator>(&self, _: &PutTarget<'b, A>) -> Result<$ty, AllocError> {
                    Ok(self.clone())
                }
            }
        )*};
    }

    impl_clone!(
        [] String,
        [] Box<str>,
        [T: ?Sized + 'static] Rc<T>,
        [T: ?Sized + 'static] Arc<T>,
    );

    #[cfg(feature = "std")]
    impl_clone!(
        [] std::ffi::CString,
        [] std::ffi::OsString,
        [] std::path::PathBuf,
    );

    // SAFETY: the output map drops its keys' and values' outputs and frees
    // heap memory, which is no borrow.
    #[cfg_attr(docsrs, doc(cfg(feature = "alloc")))]
    unsafe impl<'b, K: BlinkPut<'b>, V: BlinkPut<'b>> BlinkPut<'b> for BTreeMap<K, V>
    where
        K::Output: Ord,
    {
        type Output = BTreeMap<K::Output, V::Output>;
        /// Copies each key and value; keys whose copies compare equal
        /// collapse into one entry.
        #[inline]
        fn copy_to<A: BlinkAllocator>(&self, target: &PutTarget<'b, A>) -> Self::Output {
            self.iter()
                .map(|(key, value)| (key.copy_to(target), value.copy_to(target)))
                .collect()
        }
        #[inline]
        fn try_copy_to<A: BlinkAllocator>(
            &self,
            target: &PutTarget<'b, A>,
        ) -> Result<Self::Output, AllocError> {
            self.iter()
                .map(|(key, value)| Ok((key.try_copy_to(target)?, value.try_copy_to(target)?)))
                .collect()
        }
    }

    // SAFETY: the output set drops its items' outputs and frees heap
    // memory, which is no borrow.
    #[cfg_attr(docsrs, doc(cfg(feature = "alloc")))]
    unsafe impl<'b, T: BlinkPut<'b>> BlinkPut<'b> for BTreeSet<T>
    where
        T::Output: Ord,
    {
        type Output = BTreeSet<T::Output>;
        #[inline]
        fn copy_to<A: BlinkAllocator>(&self, target: &PutTarget<'b, A>) -> Self::Output {
            self.iter().map(|item| item.copy_to(target)).collect()
        }
        #[inline]
        fn try_copy_to<A: BlinkAllocator>(
            &self,
            target: &PutTarget<'b, A>,
        ) -> Result<Self::Output, AllocError> {
            self.iter().map(|item| item.try_copy_to(target)).collect()
        }
    }

    #[cfg(feature = "std")]
    mod hashed {
        use core::hash::{BuildHasher, Hash};
        use std::collections::{HashMap, HashSet};

        use super::*;

        // SAFETY: the output map drops its keys' and values' outputs and its
        // `'static` hasher, and frees heap memory, which is no borrow.
        #[cfg_attr(docsrs, doc(cfg(feature = "std")))]
        unsafe impl<'b, K, V, S> BlinkPut<'b> for HashMap<K, V, S>
        where
            K: BlinkPut<'b>,
            K::Output: Eq + Hash,
            V: BlinkPut<'b>,
            S: BuildHasher + Clone + 'static,
        {
            type Output = HashMap<K::Output, V::Output, S>;
            /// Copies each key and value, with a clone of the hasher; keys
            /// whose copies compare equal collapse into one entry.
            #[inline]
            fn copy_to<A: BlinkAllocator>(&self, target: &PutTarget<'b, A>) -> Self::Output {
                let mut map = HashMap::with_capacity_and_hasher(self.len(), self.hasher().clone());
                for (key, value) in self {
                    map.insert(key.copy_to(target), value.copy_to(target));
                }
                map
            }
            #[inline]
            fn try_copy_to<A: BlinkAllocator>(
                &self,
                target: &PutTarget<'b, A>,
            ) -> Result<Self::Output, AllocError> {
                let mut map = HashMap::with_capacity_and_hasher(self.len(), self.hasher().clone());
                for (key, value) in self {
                    map.insert(key.try_copy_to(target)?, value.try_copy_to(target)?);
                }
                Ok(map)
            }
        }

        // SAFETY: the output set drops its items' outputs and its `'static`
        // hasher, and frees heap memory, which is no borrow.
        #[cfg_attr(docsrs, doc(cfg(feature = "std")))]
        unsafe impl<'b, T, S> BlinkPut<'b> for HashSet<T, S>
        where
            T: BlinkPut<'b>,
            T::Output: Eq + Hash,
            S: BuildHasher + Clone + 'static,
        {
            type Output = HashSet<T::Output, S>;
            #[inline]
            fn copy_to<A: BlinkAllocator>(&self, target: &PutTarget<'b, A>) -> Self::Output {
                let mut set = HashSet::with_capacity_and_hasher(self.len(), self.hasher().clone());
                for item in self {
                    set.insert(item.copy_to(target));
                }
                set
            }
            #[inline]
            fn try_copy_to<A: BlinkAllocator>(
                &self,
                target: &PutTarget<'b, A>,
            ) -> Result<Self::Output, AllocError> {
                let mut set = HashSet::with_capacity_and_hasher(self.len(), self.hasher().clone());
                for item in self {
                    set.insert(item.try_copy_to(target)?);
                }
                Ok(set)
            }
        }
    }

    // SAFETY: a `Box` drops its `T::Output` and frees heap memory, which is
    // no borrow.
    #[cfg_attr(docsrs, doc(cfg(feature = "alloc")))]
    unsafe impl<'b, T: BlinkPut<'b>> BlinkPut<'b> for Box<T> {
        type Output = Box<T::Output>;
        #[inline]
        fn copy_to<A: BlinkAllocator>(&self, target: &PutTarget<'b, A>) -> Self::Output {
            Box::new((**self).copy_to(target))
        }
        #[inline]
        fn try_copy_to<A: BlinkAllocator>(
            &self,
            target: &PutTarget<'b, A>,
        ) -> Result<Self::Output, AllocError> {
            Ok(Box::new((**self).try_copy_to(target)?))
        }
    }

    /// Collections whose output is the same collection of the items'
    /// outputs, built item by item.
    macro_rules! put_each_item {
        ($($coll:ty => $out:ty),* $(,)?) => {$(
            // SAFETY: the output collection drops its items' outputs and
            // frees heap memory, which is no borrow.
            unsafe impl<'b, T: BlinkPut<'b>> BlinkPut<'b> for $coll {
                type Output = $out;
                #[inline]
                fn copy_to<A: BlinkAllocator>(&self, target: &PutTarget<'b, A>) -> Self::Output {
                    self.iter().map(|item| item.copy_to(target)).collect()
                }
                #[inline]
                fn try_copy_to<A: BlinkAllocator>(
                    &self,
                    target: &PutTarget<'b, A>,
                ) -> Result<Self::Output, AllocError> {
                    self.iter().map(|item| item.try_copy_to(target)).collect()
                }
            }
        )*};
    }

    put_each_item!(
        Box<[T]> => Box<[T::Output]>,
        Vec<T> => Vec<T::Output>,
        VecDeque<T> => VecDeque<T::Output>,
    );

    // SAFETY: a `Cow<str>` output is a `&str` (no drop glue) or a `String`
    // (no borrow).
    #[cfg_attr(docsrs, doc(cfg(feature = "alloc")))]
    unsafe impl<'b> BlinkPut<'b> for Cow<'_, str> {
        type Output = Cow<'b, str>;
        /// Borrowed text is copied into the arena, owned text is cloned.
        #[inline]
        fn copy_to<A: BlinkAllocator>(&self, target: &PutTarget<'b, A>) -> Self::Output {
            match self {
                Cow::Borrowed(text) => Cow::Borrowed(target.copy_str(text)),
                Cow::Owned(text) => Cow::Owned(text.to_owned()),
            }
        }
        #[inline]
        fn try_copy_to<A: BlinkAllocator>(
            &self,
            target: &PutTarget<'b, A>,
        ) -> Result<Self::Output, AllocError> {
            Ok(match self {
                Cow::Borrowed(text) => Cow::Borrowed(target.try_copy_str(text).ok_or(AllocError)?),
                Cow::Owned(text) => Cow::Owned(text.to_owned()),
            })
        }
    }
}
