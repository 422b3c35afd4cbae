//! `BlinkString` and formatting into the arena: text that grows at the tip.

use core::{
    alloc::Layout,
    fmt,
    marker::PhantomData,
    ops::{Deref, DerefMut},
    ptr::NonNull,
};

use allocator_api2::alloc::AllocError;

use super::{
    tip::{grow_amortized, grow_block},
    Blink, BlinkScope,
};
use crate::{api::BlinkAllocator, arena::local::dangling, oom::handle_alloc_error};

/// Fewest bytes a string's first block holds.
const MIN_CAPACITY: usize = 16;
/// Bytes of the first block of a formatted string.
const FORMAT_CAPACITY: usize = 64;

/// A growable string in an arena, made by [`Blink::string`] or
/// [`BlinkScope::string`].
///
/// Its bytes are the arena's last block while nothing else is allocated
/// after them, so it grows in place, with no copy. If another allocation
/// lands after it, the next growth moves it (a copy; the old bytes come
/// back at the reset). [`into_str`](Self::into_str) gives the text back
/// as a `&mut str` that lives as long as the arena's values, and returns
/// the unused capacity to the arena; dropping the string gives its block
/// back (at once if it is still the last one).
///
/// `'a` is the borrow of the arena the string grows through; `'o` is how
/// long the text from `into_str` lives: the `Blink`'s borrow, or the
/// scope's lifetime for a scope handle.
///
/// ```
/// use core::fmt::Write;
///
/// let mut blink = blink_alloc::Blink::new();
/// let mut line = blink.string();
/// line.push_str("frame ");
/// write!(line, "{}", 42).unwrap();
/// line.push('!');
/// assert_eq!(line.as_str(), "frame 42!");
/// let line: &mut str = line.into_str();
/// line.make_ascii_uppercase();
/// assert_eq!(line, "FRAME 42!");
/// blink.reset();
/// ```
///
/// The text cannot outlive a reset:
///
/// ```compile_fail
/// let mut blink = blink_alloc::Blink::new();
/// let text = blink.string();
/// blink.reset();
/// drop(text);
/// ```
pub struct BlinkString<'a, 'o, A: BlinkAllocator> {
    alloc: &'a A,
    /// Start of the block; dangling while `cap == 0`.
    ptr: NonNull<u8>,
    len: usize,
    cap: usize,
    marker: PhantomData<&'o mut str>,
}

impl<'a, 'o, A: BlinkAllocator> BlinkString<'a, 'o, A> {
    /// An empty string over `alloc`. The caller picks `'o`: the arena must
    /// keep blocks allocated through `alloc` for `'o` (see the callers).
    #[inline(always)]
    pub(crate) fn new(alloc: &'a A) -> Self {
        BlinkString {
            alloc,
            ptr: dangling(1),
            len: 0,
            cap: 0,
            marker: PhantomData,
        }
    }

    /// Bytes of text.
    ///
    /// ```
    /// let blink = blink_alloc::Blink::new();
    /// let mut text = blink.string();
    /// text.push('é');
    /// assert_eq!(text.len(), 2);
    /// ```
    #[inline(always)]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the string is empty.
    ///
    /// ```
    /// let blink = blink_alloc::Blink::new();
    /// assert!(blink.string().is_empty());
    /// ```
    #[inline(always)]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bytes the string holds without growing.
    ///
    /// ```
    /// let blink = blink_alloc::Blink::new();
    /// let mut text = blink.string();
    /// assert_eq!(text.capacity(), 0); // nothing allocated yet
    /// text.reserve(100);
    /// assert!(text.capacity() >= 100);
    /// ```
    #[inline(always)]
    pub fn capacity(&self) -> usize {
        self.cap
    }

    /// The text.
    ///
    /// ```
    /// let blink = blink_alloc::Blink::new();
    /// let mut text = blink.string();
    /// text.push_str("abc");
    /// assert_eq!(text.as_str(), "abc");
    /// ```
    #[inline(always)]
    pub fn as_str(&self) -> &str {
        // SAFETY: the first `len` bytes of the block (or the dangling,
        // empty start) are initialised UTF-8: only whole `str`s and `char`s
        // are written.
        unsafe {
            core::str::from_utf8_unchecked(core::slice::from_raw_parts(self.ptr.as_ptr(), self.len))
        }
    }

    /// The text, mutable.
    ///
    /// ```
    /// let blink = blink_alloc::Blink::new();
    /// let mut text = blink.string();
    /// text.push_str("abc");
    /// text.as_mut_str().make_ascii_uppercase();
    /// assert_eq!(text.as_str(), "ABC");
    /// ```
    #[inline(always)]
    pub fn as_mut_str(&mut self) -> &mut str {
        // SAFETY: as in `as_str`; the string owns its block.
        unsafe {
            core::str::from_utf8_unchecked_mut(core::slice::from_raw_parts_mut(
                self.ptr.as_ptr(),
                self.len,
            ))
        }
    }

    /// Makes room for `additional` more bytes, or fails, leaving the string
    /// as it was.
    ///
    /// ```
    /// use blink_alloc::{Blink, BlinkAlloc};
    ///
    /// let blink = Blink::new();
    /// let mut text = blink.string();
    /// assert!(text.try_reserve(1000).is_ok());
    ///
    /// let small = Blink::new_in(BlinkAlloc::new().limit(0));
    /// assert!(small.string().try_reserve(1).is_err());
    /// ```
    #[inline]
    pub fn try_reserve(&mut self, additional: usize) -> Result<(), AllocError> {
        if additional <= self.cap - self.len {
            return Ok(());
        }
        self.grow(additional)
    }

    /// Makes room for `additional` more bytes.
    ///
    /// ```
    /// let blink = blink_alloc::Blink::new();
    /// let mut text = blink.string();
    /// text.reserve(10);
    /// let cap = text.capacity();
    /// text.push_str("0123456789");
    /// assert_eq!(text.capacity(), cap);
    /// ```
    ///
    /// # Panics
    ///
    /// Calls `handle_alloc_error` if the arena cannot allocate.
    #[inline]
    pub fn reserve(&mut self, additional: usize) {
        if self.try_reserve(additional).is_err() {
            handle_alloc_error(byte_layout(self.len.saturating_add(additional)));
        }
    }

    /// Grows the block for `additional` more bytes: twice the capacity (16
    /// at least) if the arena gives it, else less, down to just enough.
    #[cold]
    #[inline(never)]
    fn grow(&mut self, additional: usize) -> Result<(), AllocError> {
        let cap = self.cap;
        // `additional > cap - len`, so `least > 0`.
        let least = self.len.checked_add(additional).ok_or(AllocError)? - cap;
        grow_amortized(cap, least, MIN_CAPACITY, |step| {
            self.grow_to(cap.checked_add(step).ok_or(AllocError)?)
        })
    }

    fn grow_to(&mut self, cap: usize) -> Result<(), AllocError> {
        let layout = Layout::from_size_align(cap, 1).map_err(|_| AllocError)?;
        // SAFETY: while `cap != 0`, `ptr` is the string's live block,
        // allocated (or last resized) with `cap` bytes; on success only the
        // result is used.
        let block = unsafe { grow_block(self.alloc, self.ptr, byte_layout(self.cap), layout)? };
        self.ptr = block.cast();
        self.cap = cap;
        Ok(())
    }

    /// Appends `string`, or fails, leaving the string as it was.
    ///
    /// ```
    /// use blink_alloc::{Blink, BlinkAlloc};
    ///
    /// let blink = Blink::new_in(BlinkAlloc::new().limit(1024));
    /// let mut text = blink.string();
    /// assert!(text.try_push_str("fits").is_ok());
    /// assert!(text.try_push_str(&"x".repeat(4096)).is_err());
    /// assert_eq!(text.as_str(), "fits");
    /// ```
    #[inline]
    pub fn try_push_str(&mut self, string: &str) -> Result<(), AllocError> {
        self.try_reserve(string.len())?;
        // SAFETY: the block has room for `string.len()` more bytes after
        // `len`; `string` is not in the block (the string owns it and hands
        // out no borrow across this call).
        unsafe {
            crate::copy::copy_bytes(
                string.as_ptr(),
                self.ptr.as_ptr().add(self.len),
                string.len(),
            )
        };
        self.len += string.len();
        Ok(())
    }

    /// Appends `string`.
    ///
    /// ```
    /// let blink = blink_alloc::Blink::new();
    /// let mut text = blink.string();
    /// text.push_str("hello, ");
    /// text.push_str("arena");
    /// assert_eq!(text.as_str(), "hello, arena");
    /// ```
    ///
    /// # Panics
    ///
    /// Calls `handle_alloc_error` if the arena cannot allocate.
    #[inline]
    pub fn push_str(&mut self, string: &str) {
        if self.try_push_str(string).is_err() {
            handle_alloc_error(byte_layout(self.len.saturating_add(string.len())));
        }
    }

    /// Appends `ch`.
    ///
    /// ```
    /// let blink = blink_alloc::Blink::new();
    /// let mut text = blink.string();
    /// text.extend(['o', 'k']);
    /// text.push('✓');
    /// assert_eq!(text.as_str(), "ok✓");
    /// ```
    ///
    /// # Panics
    ///
    /// Calls `handle_alloc_error` if the arena cannot allocate.
    #[inline]
    pub fn push(&mut self, ch: char) {
        self.push_str(ch.encode_utf8(&mut [0; 4]));
    }

    /// Shortens the text to `new_len` bytes; does nothing if it is not
    /// shorter. The capacity stays.
    ///
    /// ```
    /// let blink = blink_alloc::Blink::new();
    /// let mut text = blink.string();
    /// text.push_str("hello");
    /// text.truncate(2);
    /// assert_eq!(text.as_str(), "he");
    /// ```
    ///
    /// # Panics
    ///
    /// If `new_len` is not on a `char` boundary.
    #[inline]
    pub fn truncate(&mut self, new_len: usize) {
        if new_len < self.len {
            assert!(
                self.as_str().is_char_boundary(new_len),
                "blink: truncate at {new_len} splits a char"
            );
            self.len = new_len;
        }
    }

    /// Empties the string. The capacity stays.
    ///
    /// ```
    /// let blink = blink_alloc::Blink::new();
    /// let mut text = blink.string();
    /// text.push_str("gone");
    /// text.clear();
    /// assert!(text.is_empty());
    /// ```
    #[inline]
    pub fn clear(&mut self) {
        self.len = 0;
    }

    /// The text, for as long as the arena keeps its values. The unused
    /// capacity goes back to the arena when the string is its last block.
    ///
    /// ```
    /// let blink = blink_alloc::Blink::new();
    /// let mut text = blink.string();
    /// text.reserve(1000);
    /// text.push_str("short");
    /// let text = text.into_str();
    /// assert_eq!(text, "short");
    /// assert_eq!(blink.allocator().stats().used_bytes, 5);
    /// ```
    #[inline]
    pub fn into_str(self) -> &'o mut str {
        let this = core::mem::ManuallyDrop::new(self);
        let mut ptr = this.ptr;
        if this.cap != 0 {
            if this.len == 0 {
                // SAFETY: the string's live block of `cap` bytes, holding
                // nothing anyone refers to.
                unsafe { this.alloc.deallocate(this.ptr, this.cap) };
                ptr = dangling(1);
            } else if this.len < this.cap {
                // A shrink keeps the block in place and never fails (a
                // `BlinkAllocator` promise), giving back the rest at the tip.
                // SAFETY: the string's live block of `cap` bytes.
                let shrunk = unsafe {
                    this.alloc
                        .resize(this.ptr, byte_layout(this.cap), byte_layout(this.len))
                };
                if let Ok(block) = shrunk {
                    ptr = block.cast();
                }
            }
        }
        // SAFETY: `len` bytes of UTF-8 at `ptr` (or an empty string at a
        // dangling address). The block stays allocated for `'o`: the
        // constructor's caller chose `'o` so that the arena keeps it until
        // a reset or a scope's close that `'o` cannot outlive, and the
        // string is consumed, so this is the only reference to it.
        unsafe {
            core::str::from_utf8_unchecked_mut(core::slice::from_raw_parts_mut(
                ptr.as_ptr(),
                this.len,
            ))
        }
    }
}

/// The layout of a block of `size` bytes. Only called with the size of a
/// block the arena gave, or for reporting.
#[inline(always)]
fn byte_layout(size: usize) -> Layout {
    Layout::from_size_align(size, 1).unwrap_or(Layout::new::<u8>())
}

impl<A: BlinkAllocator> Drop for BlinkString<'_, '_, A> {
    fn drop(&mut self) {
        if self.cap != 0 {
            // SAFETY: the string's live block of `cap` bytes, never used
            // again.
            unsafe { self.alloc.deallocate(self.ptr, self.cap) };
        }
    }
}

impl<A: BlinkAllocator> Deref for BlinkString<'_, '_, A> {
    type Target = str;

    #[inline(always)]
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl<A: BlinkAllocator> DerefMut for BlinkString<'_, '_, A> {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut str {
        self.as_mut_str()
    }
}

/// `write!` into the string. An arena that cannot allocate makes
/// `write_str` return `fmt::Error`, leaving what was written before.
impl<A: BlinkAllocator> fmt::Write for BlinkString<'_, '_, A> {
    #[inline]
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.try_push_str(s).map_err(|AllocError| fmt::Error)
    }
}

impl<A: BlinkAllocator> fmt::Debug for BlinkString<'_, '_, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl<A: BlinkAllocator> fmt::Display for BlinkString<'_, '_, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_str(), f)
    }
}

impl<A: BlinkAllocator> PartialEq<str> for BlinkString<'_, '_, A> {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl<A: BlinkAllocator> PartialEq<&str> for BlinkString<'_, '_, A> {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl<A: BlinkAllocator> AsRef<str> for BlinkString<'_, '_, A> {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl<'s, A: BlinkAllocator> Extend<&'s str> for BlinkString<'_, '_, A> {
    fn extend<I: IntoIterator<Item = &'s str>>(&mut self, iter: I) {
        iter.into_iter().for_each(|s| self.push_str(s));
    }
}

impl<A: BlinkAllocator> Extend<char> for BlinkString<'_, '_, A> {
    fn extend<I: IntoIterator<Item = char>>(&mut self, iter: I) {
        let iter = iter.into_iter();
        self.reserve(iter.size_hint().0);
        iter.for_each(|ch| self.push(ch));
    }
}

/// Formats `args` into a new block of `alloc`, for `'o` (the caller's
/// choice, as for [`BlinkString::new`]).
#[inline]
fn format_in<'o, A: BlinkAllocator>(
    alloc: &A,
    args: fmt::Arguments<'_>,
) -> Result<&'o mut str, AllocError> {
    if let Some(text) = args.as_str() {
        // Text without arguments: one copy, sized up front.
        let mut string = BlinkString::new(alloc);
        string.try_push_str(text)?;
        return Ok(string.into_str());
    }
    /// Tells an arena that ran out from a formatting impl's own error.
    struct Writer<'a, 'o, A: BlinkAllocator> {
        string: BlinkString<'a, 'o, A>,
        out_of_memory: bool,
    }
    impl<A: BlinkAllocator> fmt::Write for Writer<'_, '_, A> {
        #[inline]
        fn write_str(&mut self, s: &str) -> fmt::Result {
            let pushed = self.string.try_push_str(s);
            self.out_of_memory = pushed.is_err();
            pushed.map_err(|AllocError| fmt::Error)
        }
    }
    let mut writer = Writer {
        string: BlinkString::new(alloc),
        out_of_memory: false,
    };
    // Room for most formatted lines in one block; `into_str` gives the
    // rest back. If the arena cannot give it, the writes grow as needed.
    let _ = writer.string.grow_to(FORMAT_CAPACITY);
    match fmt::write(&mut writer, args) {
        Ok(()) => Ok(writer.string.into_str()),
        Err(fmt::Error) if writer.out_of_memory => Err(AllocError),
        // As `alloc::format!` does.
        Err(fmt::Error) => {
            panic!("a formatting trait implementation returned an error when the underlying stream did not")
        }
    }
}

/// What an arena that ran out while formatting reports.
#[cold]
#[inline(never)]
fn format_failed() -> ! {
    handle_alloc_error(Layout::new::<u8>())
}

// Each method returns a fresh block, so a `&mut` from `&self` aliases
// nothing.
#[allow(clippy::mut_from_ref)]
impl<A: BlinkAllocator> Blink<A> {
    /// A growable string at the arena's tip; see [`BlinkString`].
    ///
    /// ```
    /// let blink = blink_alloc::Blink::new();
    /// let mut path = blink.string();
    /// for part in ["usr", "local", "bin"] {
    ///     path.push('/');
    ///     path.push_str(part);
    /// }
    /// assert_eq!(path.into_str(), "/usr/local/bin");
    /// ```
    #[inline(always)]
    pub fn string(&self) -> BlinkString<'_, '_, A> {
        // The block lives until the `Blink` resets, which needs `&mut`.
        BlinkString::new(&self.alloc)
    }

    /// Formats `args` straight into the arena, growing the text in place at
    /// the tip; no global allocation. [`blink_format!`](crate::blink_format)
    /// calls this.
    ///
    /// ```
    /// let blink = blink_alloc::Blink::new();
    /// let text = blink.format(format_args!("{}-{:03}", "id", 7));
    /// assert_eq!(text, "id-007");
    /// ```
    ///
    /// # Panics
    ///
    /// Calls `handle_alloc_error` if the arena cannot allocate; panics, as
    /// `format!` does, if a formatting impl returns an error of its own;
    /// lets a panic of a formatting impl through, giving the text back.
    #[inline]
    pub fn format(&self, args: fmt::Arguments<'_>) -> &mut str {
        match format_in(&self.alloc, args) {
            Ok(text) => text,
            Err(AllocError) => format_failed(),
        }
    }

    /// Like [`format`](Self::format), or `AllocError` if the arena cannot
    /// allocate. `blink_format!(try in ..)` calls this.
    ///
    /// ```
    /// use blink_alloc::{Blink, BlinkAlloc};
    ///
    /// let blink = Blink::new();
    /// assert_eq!(blink.try_format(format_args!("{}", 1)).unwrap(), "1");
    ///
    /// let full = Blink::new_in(BlinkAlloc::new().limit(0));
    /// assert!(full.try_format(format_args!("{}", 1)).is_err());
    /// ```
    #[inline]
    pub fn try_format(&self, args: fmt::Arguments<'_>) -> Result<&mut str, AllocError> {
        format_in(&self.alloc, args)
    }
}

impl<'p, 's, A: BlinkAllocator> BlinkScope<'p, 's, A> {
    /// A growable string in the scope; see [`BlinkString`]. It borrows the
    /// handle, so it cannot grow inside a nested scope; the text from
    /// [`into_str`](BlinkString::into_str) lives for the whole scope.
    ///
    /// ```
    /// let mut blink = blink_alloc::Blink::new();
    /// blink.scope(|frame| {
    ///     let mut name = frame.string();
    ///     name.push_str("scoped");
    ///     let name: &str = name.into_str();
    ///     frame.scope(|_inner| assert_eq!(name, "scoped"));
    /// });
    /// ```
    #[inline(always)]
    pub fn string(&self) -> BlinkString<'_, 's, A> {
        // The block lives until the scope closes; the string borrows the
        // handle, so it cannot allocate inside a nested scope, whose close
        // would rewind it.
        BlinkString::new(self.blink().allocator())
    }

    /// Formats `args` into the scope; like [`Blink::format`].
    ///
    /// ```
    /// let mut blink = blink_alloc::Blink::new();
    /// blink.scope(|frame| {
    ///     let text = frame.format(format_args!("{:>4}", 7));
    ///     assert_eq!(text, "   7");
    /// });
    /// ```
    ///
    /// # Panics
    ///
    /// As [`Blink::format`].
    #[inline]
    pub fn format(&self, args: fmt::Arguments<'_>) -> &'s mut str {
        match format_in(self.blink().allocator(), args) {
            Ok(text) => text,
            Err(AllocError) => format_failed(),
        }
    }

    /// Like [`format`](Self::format), or `AllocError`; see
    /// [`Blink::try_format`].
    ///
    /// ```
    /// let mut blink = blink_alloc::Blink::new();
    /// blink.scope(|frame| {
    ///     assert_eq!(frame.try_format(format_args!("{}", 'x')).unwrap(), "x");
    /// });
    /// ```
    #[inline]
    pub fn try_format(&self, args: fmt::Arguments<'_>) -> Result<&'s mut str, AllocError> {
        format_in(self.blink().allocator(), args)
    }
}

/// Formats into an arena, like `format!`, and returns the text as a
/// `&mut str` that lives as long as the arena's values; no global
/// allocation.
///
/// `blink_format!(in arena, "...", args..)` takes a [`Blink`](crate::Blink)
/// (or a reference to one) or a scope handle, and calls its `format`:
/// it calls `handle_alloc_error` if the arena cannot allocate.
/// `blink_format!(try in arena, ..)` calls `try_format` instead and gives a
/// `Result<&mut str, AllocError>`.
///
/// ```
/// use blink_alloc::{blink_format, Blink};
///
/// let mut blink = Blink::new();
/// let name = "blink";
/// let greeting = blink_format!(in &blink, "hello, {name}! {}", 1 + 1);
/// assert_eq!(greeting, "hello, blink! 2");
/// let fallible = blink_format!(try in &blink, "{:?}", [1, 2]).unwrap();
/// assert_eq!(fallible, "[1, 2]");
///
/// blink.scope(|frame| {
///     let line = blink_format!(in frame, "{:05.1}", 3.14159);
///     assert_eq!(line, "003.1");
/// });
/// ```
#[macro_export]
macro_rules! blink_format {
    (try in $arena:expr, $($arg:tt)+) => {
        $arena.try_format(::core::format_args!($($arg)+))
    };
    (in $arena:expr, $($arg:tt)+) => {
        $arena.format(::core::format_args!($($arg)+))
    };
}
