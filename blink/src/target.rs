//! `PutTarget`: the arena a `BlinkPut` copy goes into, lent for one call.

use crate::{api::BlinkAllocator, blink::Blink};

/// The arena that [`BlinkPut::copy_to`](crate::BlinkPut::copy_to) copies
/// into.
///
/// It places values for `'b`, the lifetime of the target [`Blink`], but
/// `copy_to` only borrows it for the length of the call, and it can be
/// neither copied nor made outside this crate. An `Output: 'b` cannot hold
/// that shorter borrow, so nothing a copy returns keeps a way to allocate in
/// the arena. That is what makes deep copies into a scope sound:
/// [`BlinkScope::copy_deep`](crate::BlinkScope::copy_deep) copies into the
/// scope's own arena, and a handle kept past the call could allocate there
/// while a nested scope is open, whose exit would then rewind that block
/// under its reference.
///
/// Each method does what the `Blink` method of the same name does, with the
/// result living for `'b`:
///
/// ```
/// use blink_alloc::{AllocError, Blink, BlinkAllocator, BlinkPut, PutTarget};
///
/// /// A label and its weights, borrowed from wherever they were built.
/// struct Entry<'a> {
///     label: &'a str,
///     weights: &'a [u32],
///     note: &'a mut String,
/// }
///
/// // SAFETY: dropping an `Entry` drops nothing (it holds only references).
/// unsafe impl<'a, 'b> BlinkPut<'b> for Entry<'a> {
///     type Output = Entry<'b>;
///     fn copy_to<A: BlinkAllocator>(&self, target: &PutTarget<'b, A>) -> Entry<'b> {
///         Entry {
///             label: target.copy_str(self.label),
///             weights: target.copy_slice(self.weights),
///             note: target.put(self.note.clone()), // dropped at the reset
///         }
///     }
///     fn try_copy_to<A: BlinkAllocator>(
///         &self,
///         target: &PutTarget<'b, A>,
///     ) -> Result<Entry<'b>, AllocError> {
///         Ok(Entry {
///             label: target.try_copy_str(self.label).ok_or(AllocError)?,
///             weights: target.try_copy_slice(self.weights).ok_or(AllocError)?,
///             note: target.try_put(self.note.clone()).map_err(|_| AllocError)?,
///         })
///     }
/// }
///
/// let blink = Blink::new();
/// let mut note = String::from("n");
/// let kept = {
///     let label = String::from("weights");
///     Entry { label: &label, weights: &[1, 2], note: &mut note }.put_in(&blink)
/// };
/// kept.note.push('!');
/// assert_eq!((kept.label, kept.weights, kept.note.as_str()), ("weights", &[1, 2][..], "n!"));
/// assert_eq!(note, "n");
/// ```
pub struct PutTarget<'b, A: BlinkAllocator> {
    pub(crate) blink: &'b Blink<A>,
}

#[allow(clippy::mut_from_ref)]
impl<'b, A: BlinkAllocator> PutTarget<'b, A> {
    /// Copies `string` into the arena; see [`Blink::copy_str`] and the
    /// example on [`PutTarget`].
    ///
    /// # Panics
    ///
    /// Calls `handle_alloc_error` if the arena cannot allocate.
    #[inline]
    pub fn copy_str(&self, string: &str) -> &'b mut str {
        self.blink.copy_str(string)
    }

    /// Like [`copy_str`](Self::copy_str), or `None` if the arena cannot
    /// allocate; see the example on [`PutTarget`].
    #[inline]
    pub fn try_copy_str(&self, string: &str) -> Option<&'b mut str> {
        self.blink.try_copy_str(string)
    }

    /// Copies `slice` into the arena; see [`Blink::copy_slice`] and the
    /// example on [`PutTarget`].
    ///
    /// # Panics
    ///
    /// Calls `handle_alloc_error` if the arena cannot allocate.
    #[inline]
    pub fn copy_slice<T: Copy>(&self, slice: &[T]) -> &'b mut [T] {
        self.blink.copy_slice(slice)
    }

    /// Like [`copy_slice`](Self::copy_slice), or `None` if the arena cannot
    /// allocate; see the example on [`PutTarget`].
    #[inline]
    pub fn try_copy_slice<T: Copy>(&self, slice: &[T]) -> Option<&'b mut [T]> {
        self.blink.try_copy_slice(slice)
    }

    /// Places `value`, dropped when the arena resets; see [`Blink::put`]
    /// and the example on [`PutTarget`].
    ///
    /// # Panics
    ///
    /// Calls `handle_alloc_error` if the arena cannot allocate.
    #[inline]
    pub fn put<T: 'static>(&self, value: T) -> &'b mut T {
        self.blink.put(value)
    }

    /// Like [`put`](Self::put), or gives `value` back if the arena cannot
    /// allocate; see the example on [`PutTarget`].
    #[inline]
    pub fn try_put<T: 'static>(&self, value: T) -> Result<&'b mut T, T> {
        self.blink.try_put(value)
    }

    /// Places `value`, never dropped; see [`Blink::put_no_drop`] and the
    /// example on [`PutTarget`].
    ///
    /// # Panics
    ///
    /// Calls `handle_alloc_error` if the arena cannot allocate.
    #[inline]
    pub fn put_no_drop<T: 'b>(&self, value: T) -> &'b mut T {
        self.blink.put_no_drop(value)
    }

    /// Like [`put_no_drop`](Self::put_no_drop), or gives `value` back if the
    /// arena cannot allocate; see the example on [`PutTarget`].
    #[inline]
    pub fn try_put_no_drop<T: 'b>(&self, value: T) -> Result<&'b mut T, T> {
        self.blink.try_put_no_drop(value)
    }
}
