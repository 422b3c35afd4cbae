//! `Blink`: put any value into an arena; it is dropped when the arena resets.

mod emplace;
mod iter;
mod pin;
pub(crate) mod scope;
mod string;
mod tip;
mod vec;

use core::{fmt, mem::MaybeUninit};

use allocator_api2::alloc::AllocError;

pub use self::{
    emplace::{CoerceFromMut, Emplace},
    iter::IteratorExt,
    pin::PinSafeAllocator,
    scope::BlinkScope,
    string::BlinkString,
    vec::BlinkVec,
};
use crate::{api::BlinkAllocator, drop_list::DropList, oom::handle_alloc_error};

with_default_allocator! {
    /// An arena that takes any value and runs its `Drop` when it resets.
    ///
    /// Every method that places a value takes `&self` and returns a reference
    /// that borrows the `Blink`, so many values live side by side and none
    /// outlives [`reset`](Self::reset), which takes `&mut self`. Values put
    /// with [`put`](Self::put) or [`emplace`](Self::emplace) are dropped on
    /// reset, in reverse order of placement; the `_no_drop` forms never drop.
    /// Types without drop glue cost no more than a raw allocation.
    ///
    /// ```
    /// use blink_alloc::Blink;
    ///
    /// let mut blink = Blink::new();
    /// let greeting = blink.put(String::from("hello"));
    /// greeting.push_str(", arena");
    /// let words = blink.copy_str("two words");
    /// assert_eq!(greeting.as_str(), "hello, arena");
    /// assert_eq!(words.split(' ').count(), 2);
    /// blink.reset(); // drops the String, frees the memory
    /// ```
    ///
    /// A `Blink` is not `Send`: it may hold values that are not, such as an
    /// `Rc`. [`SendBlink`] empties it so it can move.
    ///
    /// ```compile_fail
    /// fn needs_send<T: Send>(_: T) {}
    /// needs_send(blink_alloc::Blink::new());
    /// ```
    ///
    /// Nor is it `Sync`: its methods place values through `&self`.
    ///
    /// ```compile_fail
    /// fn needs_sync<T: Sync>(_: &T) {}
    /// needs_sync(&blink_alloc::Blink::new());
    /// ```
    pub struct Blink<A: BlinkAllocator = crate::BlinkAlloc> {
        drops: DropList,
        alloc: A,
    }
}

#[cfg(feature = "alloc")]
#[cfg_attr(docsrs, doc(cfg(feature = "alloc")))]
impl Blink<crate::BlinkAlloc> {
    /// An empty `Blink` over a new [`BlinkAlloc`](crate::BlinkAlloc).
    ///
    /// ```
    /// let blink = blink_alloc::Blink::new();
    /// assert_eq!(blink.allocator().stats().allocated_bytes, 0);
    /// ```
    pub const fn new() -> Self {
        Self::new_in(crate::BlinkAlloc::new())
    }

    /// An empty `Blink` whose chunks each hold at least `chunk_size` bytes
    /// of values (a chunk's header is on top).
    ///
    /// ```
    /// let blink = blink_alloc::Blink::with_chunk_size(1 << 16);
    /// blink.put(1u8);
    /// assert!(blink.allocator().stats().capacity >= 60_000);
    /// ```
    pub const fn with_chunk_size(chunk_size: usize) -> Self {
        Self::new_in(crate::BlinkAlloc::with_chunk_size(chunk_size))
    }

    /// An empty `Blink` whose first chunk, allocated now, holds `bytes`
    /// bytes of values (see [`BlinkAlloc::with_capacity`](crate::BlinkAlloc::with_capacity)).
    ///
    /// ```
    /// let blink = blink_alloc::Blink::with_capacity(1 << 16);
    /// let held = blink.allocator().stats().allocated_bytes;
    /// blink.emplace().from_iter(0..1000u64);
    /// assert_eq!(blink.allocator().stats().allocated_bytes, held);
    /// ```
    ///
    /// # Panics
    ///
    /// Calls `handle_alloc_error` if the chunk cannot be allocated.
    pub fn with_capacity(bytes: usize) -> Self {
        Self::new_in(crate::BlinkAlloc::with_capacity(bytes))
    }
}

impl<A: BlinkAllocator + Default> Default for Blink<A> {
    fn default() -> Self {
        Self::new_in(A::default())
    }
}

// Each placing method returns a fresh block, so a `&mut` from `&self`
// aliases nothing: that is what an arena is for.
#[allow(clippy::mut_from_ref)]
impl<A: BlinkAllocator> Blink<A> {
    /// An empty `Blink` over `alloc`: any [`BlinkAllocator`], such as a
    /// configured [`BlinkAlloc`](crate::BlinkAlloc) or a reference to a
    /// shared arena.
    ///
    /// ```
    /// use blink_alloc::{Blink, BlinkAlloc};
    ///
    /// let arena = BlinkAlloc::new();
    /// let blink = Blink::new_in(&arena);
    /// assert_eq!(*blink.put(5u64), 5);
    /// assert_eq!(arena.stats().used_bytes, 8);
    /// ```
    pub const fn new_in(alloc: A) -> Self {
        Blink {
            drops: DropList::new(),
            alloc,
        }
    }

    /// The allocator. There is no `&mut` access: resetting it under the
    /// values would leave them dangling.
    ///
    /// ```
    /// let blink = blink_alloc::Blink::new();
    /// blink.copy_str("four");
    /// assert_eq!(blink.allocator().stats().used_bytes, 4);
    /// ```
    #[inline]
    pub fn allocator(&self) -> &A {
        &self.alloc
    }

    /// Drops every value placed with drop, then resets the allocator.
    ///
    /// If a `Drop` panics, the other values are still dropped and the
    /// allocator is still reset before the panic goes on.
    ///
    /// ```
    /// use std::rc::Rc;
    /// let mut blink = blink_alloc::Blink::new();
    /// let shared = Rc::new(());
    /// blink.put(Rc::clone(&shared));
    /// assert_eq!(Rc::strong_count(&shared), 2);
    /// blink.reset();
    /// assert_eq!(Rc::strong_count(&shared), 1); // the clone was dropped
    /// assert_eq!(blink.allocator().stats().used_bytes, 0);
    /// ```
    ///
    /// No reference into the arena survives a reset, nor a builder:
    ///
    /// ```compile_fail
    /// let mut blink = blink_alloc::Blink::new();
    /// let value = blink.put(String::from("x"));
    /// blink.reset();
    /// value.push('!'); // the String was dropped by the reset
    /// ```
    ///
    /// ```compile_fail
    /// let mut blink = blink_alloc::Blink::new();
    /// let numbers = blink.copy_slice(&[1, 2, 3]);
    /// blink.reset();
    /// assert_eq!(numbers[0], 1); // the memory was freed by the reset
    /// ```
    ///
    /// ```compile_fail
    /// let mut blink = blink_alloc::Blink::new();
    /// let builder = blink.emplace::<String>();
    /// blink.reset();
    /// builder.value(String::new());
    /// ```
    pub fn reset(&mut self) {
        struct ResetAllocator<'a, A: BlinkAllocator>(&'a mut A);
        impl<A: BlinkAllocator> Drop for ResetAllocator<'_, A> {
            fn drop(&mut self) {
                self.0.reset();
            }
        }
        let _reset = ResetAllocator(&mut self.alloc);
        // SAFETY: `&mut self` proves no reference into the arena is alive.
        unsafe { self.drops.drop_all() };
    }

    /// Drops every value placed with drop; the memory stays allocated until
    /// the allocator itself is reset.
    ///
    /// ```
    /// use std::rc::Rc;
    /// let mut blink = blink_alloc::Blink::new();
    /// let shared = Rc::new(());
    /// blink.put(Rc::clone(&shared));
    /// blink.drop_all();
    /// assert_eq!(Rc::strong_count(&shared), 1);
    /// assert!(blink.allocator().stats().used_bytes > 0);
    /// ```
    ///
    /// ```compile_fail
    /// let mut blink = blink_alloc::Blink::new();
    /// let value = blink.put(vec![1]);
    /// blink.drop_all();
    /// value.push(2); // the Vec was dropped
    /// ```
    pub fn drop_all(&mut self) {
        // SAFETY: `&mut self` proves no reference into the arena is alive.
        unsafe { self.drops.drop_all() };
    }

    /// Drops every value and returns the allocator.
    ///
    /// If a `Drop` panics, the other values are still dropped and the
    /// allocator is dropped with the `Blink`, freeing its memory.
    ///
    /// ```
    /// use std::rc::Rc;
    /// let blink = blink_alloc::Blink::new();
    /// let shared = Rc::new(());
    /// blink.put(Rc::clone(&shared));
    /// let arena = blink.into_inner();
    /// assert_eq!(Rc::strong_count(&shared), 1);
    /// assert!(arena.stats().used_bytes > 0); // not reset: only the values went
    /// ```
    ///
    /// ```compile_fail
    /// let blink = blink_alloc::Blink::new();
    /// let value = blink.put(String::from("x"));
    /// let alloc = blink.into_inner();
    /// value.push('!'); // the String was dropped
    /// ```
    pub fn into_inner(mut self) -> A {
        // Drop the values while `self` still owns the allocator: if a `Drop`
        // panics, unwinding drops the `Blink` and the allocator with it.
        self.drop_all();
        let this = core::mem::ManuallyDrop::new(self);
        // SAFETY: `this` is never used or dropped again, so the allocator is
        // moved out once; the drop list is empty and owns nothing.
        unsafe { core::ptr::read(&this.alloc) }
    }

    /// How many drop headers the values placed with drop share: values of
    /// one type placed back to back form one run under one header. Walks
    /// the list; for tests of run joining, not a stable API.
    ///
    /// ```
    /// let blink = blink_alloc::Blink::new();
    /// for word in ["a", "b", "c"] {
    ///     blink.put(String::from(word));
    /// }
    /// blink.put(1u32); // no drop glue: no run
    /// assert_eq!(blink.drop_runs(), 1);
    /// ```
    #[doc(hidden)]
    pub fn drop_runs(&self) -> usize {
        self.drops.run_count()
    }

    /// Places `value`; it is dropped when the `Blink` resets.
    ///
    /// `T: 'static` keeps a value's `Drop` from seeing anything freed before
    /// it; values that borrow go through [`put_no_drop`](Self::put_no_drop)
    /// or a [scope](Self::scope).
    ///
    /// ```
    /// let blink = blink_alloc::Blink::new();
    /// let names = blink.put(vec![String::from("a")]);
    /// names.push(String::from("b"));
    /// assert_eq!(names.len(), 2);
    /// ```
    ///
    /// ```compile_fail
    /// let blink = blink_alloc::Blink::new();
    /// let first = blink.put(String::from("x"));
    /// // Its `Drop` could run after `first` was dropped.
    /// blink.put(vec![first.as_str()]);
    /// ```
    ///
    /// # Panics
    ///
    /// Calls `handle_alloc_error` if the arena cannot allocate.
    #[inline(always)]
    pub fn put<T: 'static>(&self, value: T) -> &mut T {
        self.emplace().value(value)
    }

    /// Places `value`, or gives it back if the arena cannot allocate.
    ///
    /// ```
    /// use blink_alloc::{Blink, BlinkAlloc};
    ///
    /// let blink = Blink::new();
    /// assert_eq!(blink.try_put(String::from("fits")).unwrap(), "fits");
    ///
    /// let full = Blink::new_in(BlinkAlloc::new().limit(0));
    /// assert_eq!(full.try_put(String::from("back")), Err(String::from("back")));
    /// ```
    #[inline(always)]
    pub fn try_put<T: 'static>(&self, value: T) -> Result<&mut T, T> {
        self.emplace().try_value(value)
    }

    /// Places `value`; it is never dropped, so it may borrow anything that
    /// outlives the `Blink`'s borrow, the arena included.
    ///
    /// ```
    /// let blink = blink_alloc::Blink::new();
    /// let name: &str = blink.copy_str("blink");
    /// let pair = blink.put_no_drop((name, name.len()));
    /// assert_eq!(*pair, ("blink", 5));
    /// ```
    ///
    /// # Panics
    ///
    /// Calls `handle_alloc_error` if the arena cannot allocate.
    #[inline(always)]
    pub fn put_no_drop<T>(&self, value: T) -> &mut T {
        self.emplace_no_drop().value(value)
    }

    /// Places `value` without drop, or gives it back.
    ///
    /// ```
    /// use blink_alloc::{Blink, BlinkAlloc};
    ///
    /// let text = String::from("borrowed");
    /// let blink = Blink::new();
    /// assert_eq!(*blink.try_put_no_drop(text.as_str()).unwrap(), "borrowed");
    ///
    /// let full = Blink::new_in(BlinkAlloc::new().limit(0));
    /// assert_eq!(full.try_put_no_drop(text.as_str()), Err("borrowed"));
    /// ```
    #[inline(always)]
    pub fn try_put_no_drop<T>(&self, value: T) -> Result<&mut T, T> {
        self.emplace_no_drop().try_value(value)
    }

    /// Room for a `T`, to initialise in place; it is never dropped.
    ///
    /// ```
    /// let blink = blink_alloc::Blink::new();
    /// let big = blink.uninit::<[u64; 1024]>();
    /// let big = big.write([7; 1024]);
    /// assert_eq!(big[1023], 7);
    /// ```
    ///
    /// # Panics
    ///
    /// Calls `handle_alloc_error` if the arena cannot allocate.
    #[inline(always)]
    pub fn uninit<T>(&self) -> &mut MaybeUninit<T> {
        match emplace::uninit(self) {
            Ok(slot) => slot,
            Err(AllocError) => handle_alloc_error(core::alloc::Layout::new::<T>()),
        }
    }

    /// Room for a `T`, or `None` if the arena cannot allocate.
    ///
    /// ```
    /// use blink_alloc::{Blink, BlinkAlloc};
    ///
    /// let blink = Blink::new();
    /// assert_eq!(*blink.try_uninit::<u32>().unwrap().write(3), 3);
    ///
    /// let full = Blink::new_in(BlinkAlloc::new().limit(0));
    /// assert!(full.try_uninit::<u32>().is_none());
    /// ```
    #[inline(always)]
    pub fn try_uninit<T>(&self) -> Option<&mut MaybeUninit<T>> {
        emplace::uninit(self).ok()
    }

    /// Copies `slice` into the arena.
    ///
    /// ```
    /// let blink = blink_alloc::Blink::new();
    /// let numbers = blink.copy_slice(&[1, 2, 3]);
    /// numbers[0] = 10;
    /// assert_eq!(numbers, [10, 2, 3]);
    /// ```
    ///
    /// # Panics
    ///
    /// Calls `handle_alloc_error` if the arena cannot allocate.
    #[inline]
    pub fn copy_slice<T: Copy>(&self, slice: &[T]) -> &mut [T] {
        match self.try_copy_slice(slice) {
            Some(copy) => copy,
            None => handle_alloc_error(core::alloc::Layout::for_value(slice)),
        }
    }

    /// Copies `slice` into the arena, or gives `None`.
    ///
    /// ```
    /// use blink_alloc::{Blink, BlinkAlloc};
    ///
    /// let blink = Blink::new();
    /// assert_eq!(blink.try_copy_slice(&[1, 2]).unwrap(), [1, 2]);
    ///
    /// let full = Blink::new_in(BlinkAlloc::new().limit(0));
    /// assert!(full.try_copy_slice(&[1, 2]).is_none());
    /// assert_eq!(full.try_copy_slice::<u8>(&[]).unwrap(), []); // needs no memory
    /// ```
    #[inline]
    pub fn try_copy_slice<T: Copy>(&self, slice: &[T]) -> Option<&mut [T]> {
        let layout = core::alloc::Layout::for_value(slice);
        // An empty slice asks for a zero-sized block too: the arenas answer
        // those without memory, and checking here would cost every copy.
        let ptr = self.alloc.allocate(layout).ok()?.cast::<T>().as_ptr();
        // SAFETY: `ptr` is a fresh block of `layout.size()` bytes, disjoint
        // from `slice`, aligned for `T` (zero-sized blocks too); `T: Copy`
        // makes the bitwise copy a valid copy of the items.
        unsafe {
            crate::copy::copy_bytes(slice.as_ptr().cast(), ptr.cast(), layout.size());
            Some(core::slice::from_raw_parts_mut(ptr, slice.len()))
        }
    }

    /// Copies `string` into the arena.
    ///
    /// ```
    /// let blink = blink_alloc::Blink::new();
    /// let word = blink.copy_str("blink");
    /// word.make_ascii_uppercase();
    /// assert_eq!(word, "BLINK");
    /// ```
    ///
    /// # Panics
    ///
    /// Calls `handle_alloc_error` if the arena cannot allocate.
    #[inline]
    pub fn copy_str(&self, string: &str) -> &mut str {
        match self.try_copy_str(string) {
            Some(copy) => copy,
            None => handle_alloc_error(core::alloc::Layout::for_value(string)),
        }
    }

    /// Copies `string` into the arena, or gives `None`.
    ///
    /// ```
    /// use blink_alloc::{Blink, BlinkAlloc};
    ///
    /// let blink = Blink::new();
    /// assert_eq!(blink.try_copy_str("ok").unwrap(), "ok");
    ///
    /// let full = Blink::new_in(BlinkAlloc::new().limit(0));
    /// assert!(full.try_copy_str("too much").is_none());
    /// ```
    #[inline]
    pub fn try_copy_str(&self, string: &str) -> Option<&mut str> {
        let bytes = self.try_copy_slice(string.as_bytes())?;
        // SAFETY: the bytes are a copy of a valid `str`.
        Some(unsafe { core::str::from_utf8_unchecked_mut(bytes) })
    }

    /// A builder for values dropped when the `Blink` resets.
    ///
    /// ```
    /// let blink = blink_alloc::Blink::new();
    /// let names = blink.emplace().from_iter(["a", "b"].map(String::from));
    /// let total = blink.emplace().with(|| names.iter().map(String::len).sum::<usize>());
    /// assert_eq!(*total, 2);
    /// ```
    #[inline(always)]
    pub fn emplace<T: 'static>(&self) -> Emplace<'_, A, T> {
        Emplace::new(self, true)
    }

    /// A builder for values that are never dropped; they may borrow.
    ///
    /// ```
    /// let blink = blink_alloc::Blink::new();
    /// let text = blink.copy_str("a b c");
    /// let words = blink.emplace_no_drop().from_iter(text.split(' '));
    /// assert_eq!(words, ["a", "b", "c"]);
    /// ```
    #[inline(always)]
    pub fn emplace_no_drop<T>(&self) -> Emplace<'_, A, T> {
        Emplace::new(self, false)
    }

    /// A builder for values dropped on reset, handed out as shared
    /// references.
    ///
    /// ```
    /// let blink = blink_alloc::Blink::new();
    /// let table: &[String] = blink.emplace_shared().from_iter(["x".to_string()]);
    /// let copy = table; // shared references are `Copy`
    /// assert_eq!(copy, table);
    /// ```
    ///
    /// ```compile_fail
    /// let blink = blink_alloc::Blink::new();
    /// let shared = blink.emplace_shared().value(1);
    /// *shared = 2;
    /// ```
    #[inline(always)]
    pub fn emplace_shared<T: 'static>(&self) -> Emplace<'_, A, T, &T, &[T]> {
        Emplace::new(self, true)
    }

    /// A builder for values dropped on reset that need not be `'static`.
    ///
    /// # Safety
    ///
    /// The `Drop` of these values must not reach memory that is freed before
    /// the `Blink` resets or is dropped: neither values of this `Blink`
    /// placed later, nor data that dies before it. Values placed earlier
    /// may be reached: values are dropped in reverse order of placement,
    /// and a value made by a closure (`with` and its siblings) or a slice
    /// from an iterator is placed when the closure or the iterator is done,
    /// after what it placed on the way.
    ///
    /// Nor may their `Drop` reach the `Blink` itself or its allocator (a
    /// value that holds a `&Blink`, or a collection allocating from it): the
    /// drop runs inside [`reset`](Self::reset), [`drop_all`](Self::drop_all)
    /// and the `Blink`'s own drop, which hold `&mut` to it, as the drop list
    /// is being taken apart and before the arena is reset.
    ///
    /// # Example
    ///
    /// ```
    /// let text = String::from("outlives the blink");
    /// let blink = blink_alloc::Blink::new();
    /// // SAFETY: a `Vec<&str>`'s drop does not read the strings, and `text`
    /// // outlives `blink` anyway.
    /// let words = unsafe { blink.emplace_unchecked() }.value(vec![text.as_str()]);
    /// words.push("more");
    /// assert_eq!(words.len(), 2);
    /// drop(blink); // drops the `Vec` before `text`
    /// ```
    #[inline(always)]
    pub unsafe fn emplace_unchecked<T>(&self) -> Emplace<'_, A, T> {
        Emplace::new(self, true)
    }

    /// Runs `f` with a scope: a frame arena inside this `Blink`.
    ///
    /// When `f` returns or panics, every value placed in the scope is
    /// dropped and the memory allocated in it is rewound. Values placed in
    /// the scope may borrow anything that outlives the call, but nothing
    /// placed in the scope can leave it.
    ///
    /// ```
    /// let mut blink = blink_alloc::Blink::new();
    /// let input = String::from("a b c");
    /// let count = blink.scope(|frame| {
    ///     let words = frame.emplace().from_iter(input.split(' '));
    ///     words.len()
    /// });
    /// assert_eq!(count, 3);
    /// ```
    ///
    /// ```compile_fail
    /// let mut blink = blink_alloc::Blink::new();
    /// let escaped = blink.scope(|frame| frame.put(1));
    /// ```
    pub fn scope<'b, R>(
        &'b mut self,
        f: impl for<'s> FnOnce(&mut BlinkScope<'b, 's, A>) -> R,
    ) -> R {
        scope::enter(self, f)
    }
}

impl<A: BlinkAllocator> Drop for Blink<A> {
    fn drop(&mut self) {
        self.drop_all();
    }
}

impl<A: BlinkAllocator + fmt::Debug> fmt::Debug for Blink<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Blink")
            .field("alloc", &self.alloc)
            .finish_non_exhaustive()
    }
}

/// A `Blink` that may move to another thread: it is emptied first, so no
/// value of unknown `Send`-ness crosses.
///
/// ```
/// use blink_alloc::{Blink, SendBlink};
///
/// let blink = Blink::new();
/// blink.put(std::rc::Rc::new(1));
/// let sendable = SendBlink::new(blink); // the Rc is dropped here
/// std::thread::spawn(move || {
///     let blink = sendable.into_inner();
///     assert_eq!(*blink.put(2), 2);
/// })
/// .join()
/// .unwrap();
/// ```
///
/// Only an allocator that may move makes a `SendBlink` that may move:
///
/// ```compile_fail
/// fn needs_send<T: Send>(_: T) {}
/// let alloc = blink_alloc::BlinkAlloc::new();
/// needs_send(blink_alloc::SendBlink::new(blink_alloc::Blink::new_in(&alloc)));
/// ```
pub struct SendBlink<A: BlinkAllocator> {
    blink: Blink<A>,
}

// SAFETY: a `SendBlink` holds an empty drop list (`new` resets the `Blink`),
// so the only thing that moves is the allocator, which is `Send`.
unsafe impl<A: BlinkAllocator + Send> Send for SendBlink<A> {}

impl<A: BlinkAllocator> SendBlink<A> {
    /// Resets `blink`, dropping its values, so that it can move.
    ///
    /// ```
    /// use std::rc::Rc;
    /// use blink_alloc::{Blink, SendBlink};
    ///
    /// let blink = Blink::new();
    /// let shared = Rc::new(());
    /// blink.put(Rc::clone(&shared));
    /// let sendable = SendBlink::new(blink);
    /// assert_eq!(Rc::strong_count(&shared), 1);
    /// # drop(sendable);
    /// ```
    pub fn new(mut blink: Blink<A>) -> Self {
        blink.reset();
        SendBlink { blink }
    }

    /// The `Blink`, empty.
    ///
    /// ```
    /// let sendable = blink_alloc::SendBlink::new(blink_alloc::Blink::new());
    /// let sum = std::thread::spawn(move || {
    ///     let blink = sendable.into_inner();
    ///     *blink.put(1) + *blink.put(2)
    /// });
    /// assert_eq!(sum.join().unwrap(), 3);
    /// ```
    pub fn into_inner(self) -> Blink<A> {
        self.blink
    }
}
