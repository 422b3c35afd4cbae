//! Operation sequences on a `Blink`: values with and without drop, strings
//! and slices, closures that place more values and may fail or panic,
//! iterators that lie about their length and may panic, nested scopes,
//! `reset` and `drop_all`, and values whose `Drop` panics.
//!
//! Checked against a model: every value with drop is dropped exactly once,
//! at the reset (or `drop_all`, or its scope's exit) and in reverse order of
//! placement, where a closure's value is placed when the closure returns and
//! a `from_iter` slice when its iterator is done; a value without drop is
//! never dropped; the items an iterator gave before it panicked are dropped
//! during the unwind; a panicking `Drop` does not stop the other drops; every
//! live value, string and slice keeps its contents.
#![no_main]

use core::cell::RefCell;

use arbitrary::Arbitrary;
use blink_alloc::{Blink, BlinkAlloc, BlinkScope};
use blink_fuzz::{deliberate_panic, expect_panic, quiet_deliberate_panics};
use libfuzzer_sys::fuzz_target;

// ---------------------------------------------------------------------------
// Values that log their drops.

thread_local! {
    /// Ids of the values dropped, in drop order.
    static LOG: RefCell<Vec<u32>> = const { RefCell::new(Vec::new()) };
}

fn log_drop(id: u32) {
    LOG.with(|log| log.borrow_mut().push(id));
}

fn take_log() -> Vec<u32> {
    LOG.with(|log| core::mem::take(&mut *log.borrow_mut()))
}

/// The id every zero-sized value logs.
const ZST_ID: u32 = u32::MAX;

fn check_word(id: u32) -> u32 {
    id.wrapping_mul(0x9e37_79b9) ^ 0xa5a5_a5a5
}

trait Tracked: 'static + Sized {
    fn make(id: u32) -> Self;
    /// The id it logs when dropped.
    fn id(&self) -> u32;
    fn intact(&self) -> bool;
}

/// Twelve bytes, aligned to 4; the only kind that may panic when dropped.
struct Small {
    id: u32,
    check: u32,
    armed: bool,
}

impl Tracked for Small {
    fn make(id: u32) -> Self {
        Small {
            id,
            check: check_word(id),
            armed: false,
        }
    }
    fn id(&self) -> u32 {
        self.id
    }
    fn intact(&self) -> bool {
        self.check == check_word(self.id)
    }
}

impl Drop for Small {
    fn drop(&mut self) {
        assert!(self.intact(), "dropping a damaged value {}", self.id);
        log_drop(self.id);
        if self.armed {
            deliberate_panic();
        }
    }
}

/// Over-aligned: its drop header sits after padding.
#[repr(align(64))]
struct Big {
    id: u32,
    words: [u64; 3],
}

impl Tracked for Big {
    fn make(id: u32) -> Self {
        let w = check_word(id) as u64;
        Big {
            id,
            words: [w, !w, w.rotate_left(17)],
        }
    }
    fn id(&self) -> u32 {
        self.id
    }
    fn intact(&self) -> bool {
        let w = check_word(self.id) as u64;
        self.words == [w, !w, w.rotate_left(17)]
    }
}

impl Drop for Big {
    fn drop(&mut self) {
        assert!(self.intact(), "dropping a damaged value {}", self.id);
        log_drop(self.id);
    }
}

/// Five bytes, aligned to 1: runs of it end at odd addresses.
struct Odd([u8; 5]);

impl Tracked for Odd {
    fn make(id: u32) -> Self {
        let b = id.to_le_bytes();
        Odd([b[0], b[1], b[2], b[3], check_word(id) as u8])
    }
    fn id(&self) -> u32 {
        u32::from_le_bytes([self.0[0], self.0[1], self.0[2], self.0[3]])
    }
    fn intact(&self) -> bool {
        self.0[4] == check_word(self.id()) as u8
    }
}

impl Drop for Odd {
    fn drop(&mut self) {
        assert!(self.intact(), "dropping a damaged value {}", self.id());
        log_drop(self.id());
    }
}

/// Zero-sized: takes no arena memory, but still has drop glue.
struct Zst;

impl Tracked for Zst {
    fn make(_: u32) -> Self {
        Zst
    }
    fn id(&self) -> u32 {
        ZST_ID
    }
    fn intact(&self) -> bool {
        true
    }
}

impl Drop for Zst {
    fn drop(&mut self) {
        log_drop(ZST_ID);
    }
}

#[derive(Arbitrary, Debug, Clone, Copy, PartialEq)]
enum Ty {
    Small,
    Big,
    Odd,
    Zst,
}

/// Runs `$body` with `$t` the type that `$ty` names.
macro_rules! with_ty {
    ($ty:expr, $t:ident => $body:expr) => {
        match $ty {
            Ty::Small => {
                type $t = Small;
                $body
            }
            Ty::Big => {
                type $t = Big;
                $body
            }
            Ty::Odd => {
                type $t = Odd;
                $body
            }
            Ty::Zst => {
                type $t = Zst;
                $body
            }
        }
    };
}

// ---------------------------------------------------------------------------
// The operations.

/// Which builder places a value: `emplace`, `emplace_no_drop` or
/// `emplace_shared`.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq)]
enum Builder {
    Drop,
    NoDrop,
    Shared,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Form {
    With,
    TryWith,
    WithFallible,
    TryWithFallible,
}

/// What a closure does after running its body.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq)]
enum Outcome {
    Value,
    /// Returns an error (only the fallible forms; the others make a value).
    Fail,
    Panic,
}

/// The `size_hint` an iterator reports, whatever it really holds.
#[derive(Arbitrary, Debug, Clone, Copy)]
enum Hint {
    Truthful,
    Unknown,
    Lies(u16, Option<u16>),
    Huge,
    HugeExact,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Count {
    Few(u8),
    Many(u16),
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Op {
    Put {
        ty: Ty,
        /// Its `Drop` panics (at most one such value lives at a time).
        armed: bool,
    },
    PutNoDrop {
        ty: Ty,
    },
    Value {
        ty: Ty,
        builder: Builder,
    },
    CopyStr {
        len: u8,
    },
    CopySlice {
        len: u16,
    },
    /// A closure that runs the operations up to the matching `End`.
    With {
        ty: Ty,
        builder: Builder,
        form: Form,
        outcome: Outcome,
    },
    FromIter {
        ty: Ty,
        builder: Builder,
        try_form: bool,
        count: Count,
        hint: Hint,
        /// The iterator panics when asked for this item (or for the end).
        panic_at: Option<u16>,
        /// Every this many items, the iterator places a value of its own.
        place_every: Option<u8>,
    },
    /// A nested scope, running the operations up to the matching `End`.
    Scope,
    End,
    Check,
    Reset,
    DropAll,
}

#[derive(Debug)]
struct Input {
    chunk_size: Option<u16>,
    ops: Vec<Op>,
}

impl<'a> Arbitrary<'a> for Input {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(Input {
            chunk_size: u.arbitrary()?,
            ops: blink_fuzz::ops_to_the_end(u)?,
        })
    }
}

/// Deepest nesting of closures and scopes.
const MAX_DEPTH: usize = 12;

// ---------------------------------------------------------------------------
// The model.

/// Something placed that must keep its contents while it lives.
enum Live {
    One {
        ptr: *const u8,
        ty: Ty,
        id: u32,
    },
    Slice {
        ptr: *const u8,
        ty: Ty,
        ids: Vec<u32>,
    },
    /// A string, and what it must hold.
    Bytes {
        ptr: *const u8,
        expected: Vec<u8>,
    },
    /// A slice of words, and what it must hold.
    Words {
        ptr: *const u64,
        expected: Vec<u64>,
    },
}

impl Live {
    fn verify(&self) {
        // SAFETY: the model holds only what is live, at the place and type
        // it was placed with.
        unsafe {
            match self {
                Live::One { ptr, ty, id } => with_ty!(*ty, T => {
                    let value = &*ptr.cast::<T>();
                    assert!(value.intact() && value.id() == *id, "value {id} damaged");
                }),
                Live::Slice { ptr, ty, ids, .. } => with_ty!(*ty, T => {
                    let items = core::slice::from_raw_parts(ptr.cast::<T>(), ids.len());
                    for (item, &id) in items.iter().zip(ids) {
                        assert!(item.intact() && item.id() == id, "item {id} damaged");
                    }
                }),
                Live::Bytes { ptr, expected } => {
                    let bytes = core::slice::from_raw_parts(*ptr, expected.len());
                    assert!(bytes == &expected[..], "string damaged");
                }
                Live::Words { ptr, expected } => {
                    assert!(ptr.is_aligned(), "a misaligned u64 slice");
                    let words = core::slice::from_raw_parts(*ptr, expected.len());
                    assert!(words == &expected[..], "slice damaged");
                }
            }
        }
    }
}

/// An ASCII byte of the strings placed with `seed`.
fn str_byte(seed: u8, i: usize) -> u8 {
    b'a' + (seed as usize + i) as u8 % 26
}

/// A scope, or the `Blink` itself: what it placed.
#[derive(Default)]
struct Frame {
    /// Ids of the values with drop, in order of placement.
    placed: Vec<u32>,
    /// What must keep its contents, with whether a drop takes it.
    live: Vec<(Live, bool)>,
    /// Whether one of its values panics when dropped.
    armed: bool,
}

struct State {
    ops: Vec<Op>,
    pos: usize,
    frames: Vec<Frame>,
    next_id: u32,
    /// Whether a value that panics when dropped is placed and not dropped.
    armed_live: bool,
    seed: u8,
}

impl State {
    fn next_op(&mut self) -> Option<Op> {
        let op = self.ops.get(self.pos).copied();
        self.pos += 1;
        op
    }

    fn id(&mut self) -> u32 {
        self.next_id += 1;
        self.next_id
    }

    fn frame(&mut self) -> &mut Frame {
        self.frames.last_mut().unwrap()
    }

    /// Records a value placed at `ptr`, dropped with its frame if `drops`.
    fn placed_one(&mut self, ptr: *const u8, ty: Ty, id: u32, drops: bool) {
        let frame = self.frame();
        if drops {
            frame.placed.push(id);
        }
        frame.live.push((Live::One { ptr, ty, id }, drops));
    }

    fn verify_all(&self) {
        for frame in &self.frames {
            for (live, _) in &frame.live {
                live.verify();
            }
        }
    }

    /// Panics unless nothing was dropped since the last look.
    fn expect_no_drops(&self, what: &str) {
        let log = take_log();
        assert!(log.is_empty(), "{what}: unexpected drops {log:?}");
    }

    /// Panics unless exactly `frame`'s values were dropped, newest first,
    /// also when one of the drops panicked.
    fn expect_frame_dropped(frame: &Frame, what: &str) {
        let expected: Vec<u32> = frame.placed.iter().rev().copied().collect();
        assert_eq!(take_log(), expected, "{what}: drop order");
    }
}

// ---------------------------------------------------------------------------
// One interface over a `Blink` and its scopes.

trait Place {
    fn put<T: Tracked>(&self, value: T) -> *const T;
    fn put_no_drop<T: Tracked>(&self, value: T) -> *const T;
    fn value<T: Tracked>(&self, builder: Builder, value: T) -> *const T;
    /// `None` when the closure failed.
    fn with<T: Tracked, F: FnOnce() -> Result<T, ()>>(
        &self,
        builder: Builder,
        form: Form,
        f: F,
    ) -> Option<*const T>;
    fn from_iter<T: Tracked>(
        &self,
        builder: Builder,
        try_form: bool,
        iter: impl Iterator<Item = T>,
    ) -> (*const T, usize);
    fn copy_str(&self, string: &str) -> (*const u8, usize);
    fn copy_slice(&self, words: &[u64]) -> (*const u64, usize);
}

macro_rules! emplace {
    ($self:ident, $builder:expr, $t:ty, |$e:ident| $body:expr) => {
        match $builder {
            Builder::Drop => {
                let $e = $self.emplace::<$t>();
                let r: &$t = $body;
                r as *const $t
            }
            Builder::NoDrop => {
                let $e = $self.emplace_no_drop::<$t>();
                let r: &$t = $body;
                r as *const $t
            }
            Builder::Shared => {
                let $e = $self.emplace_shared::<$t>();
                let r: &$t = $body;
                r as *const $t
            }
        }
    };
}

macro_rules! emplace_opt {
    ($self:ident, $builder:expr, $t:ty, |$e:ident| $body:expr) => {
        match $builder {
            Builder::Drop => {
                let $e = $self.emplace::<$t>();
                $body.map(|r| &*r as *const $t)
            }
            Builder::NoDrop => {
                let $e = $self.emplace_no_drop::<$t>();
                $body.map(|r| &*r as *const $t)
            }
            Builder::Shared => {
                let $e = $self.emplace_shared::<$t>();
                $body.map(|r| &*r as *const $t)
            }
        }
    };
}

macro_rules! emplace_slice {
    ($self:ident, $builder:expr, $t:ty, |$e:ident| $body:expr) => {
        match $builder {
            Builder::Drop => {
                let $e = $self.emplace::<$t>();
                let r: &[$t] = $body;
                (r.as_ptr(), r.len())
            }
            Builder::NoDrop => {
                let $e = $self.emplace_no_drop::<$t>();
                let r: &[$t] = $body;
                (r.as_ptr(), r.len())
            }
            Builder::Shared => {
                let $e = $self.emplace_shared::<$t>();
                let r: &[$t] = $body;
                (r.as_ptr(), r.len())
            }
        }
    };
}

macro_rules! impl_place {
    ($($ty:tt)*) => {
        impl $($ty)* {
            fn put<T: Tracked>(&self, value: T) -> *const T {
                &*self.put(value)
            }
            fn put_no_drop<T: Tracked>(&self, value: T) -> *const T {
                &*self.put_no_drop(value)
            }
            fn value<T: Tracked>(&self, builder: Builder, value: T) -> *const T {
                emplace!(self, builder, T, |e| e.value(value))
            }
            fn with<T: Tracked, F: FnOnce() -> Result<T, ()>>(
                &self,
                builder: Builder,
                form: Form,
                f: F,
            ) -> Option<*const T> {
                let never_fails = |f: F| move || f().unwrap_or_else(|()| unreachable!("only fallible forms fail"));
                match form {
                    Form::With => Some(emplace!(self, builder, T, |e| e.with(never_fails(f)))),
                    Form::TryWith => Some(emplace!(self, builder, T, |e| {
                        e.try_with(never_fails(f)).ok().expect("no limit: room is always there")
                    })),
                    Form::WithFallible => emplace_opt!(self, builder, T, |e| e.with_fallible(f).ok()),
                    Form::TryWithFallible => emplace_opt!(self, builder, T, |e| {
                        match e.try_with_fallible(f) {
                            Ok(r) => Some(r),
                            Err(Ok(())) => None,
                            Err(Err(_)) => panic!("no limit: room is always there"),
                        }
                    }),
                }
            }
            fn from_iter<T: Tracked>(
                &self,
                builder: Builder,
                try_form: bool,
                iter: impl Iterator<Item = T>,
            ) -> (*const T, usize) {
                if try_form {
                    emplace_slice!(self, builder, T, |e| {
                        e.try_from_iter(iter).ok().expect("no limit: room is always there")
                    })
                } else {
                    emplace_slice!(self, builder, T, |e| e.from_iter(iter))
                }
            }
            fn copy_str(&self, string: &str) -> (*const u8, usize) {
                let s = self.copy_str(string);
                (s.as_ptr(), s.len())
            }
            fn copy_slice(&self, words: &[u64]) -> (*const u64, usize) {
                let s = self.copy_slice(words);
                (s.as_ptr(), s.len())
            }
        }
    };
}

impl_place!(Place for Blink<BlinkAlloc>);
impl_place!(<'p, 's> Place for BlinkScope<'p, 's, BlinkAlloc>);

/// What only a `&mut` to a `Blink` or a scope can do.
trait Nest: Place {
    fn nest<R>(&mut self, f: impl FnOnce(&mut BlinkScope<'_, '_, BlinkAlloc>) -> R) -> R;
    /// Resets (`drop_only`: drops the values only), if this is the `Blink`.
    fn reset(&mut self, drop_only: bool) -> bool;
}

impl Nest for Blink<BlinkAlloc> {
    fn nest<R>(&mut self, f: impl FnOnce(&mut BlinkScope<'_, '_, BlinkAlloc>) -> R) -> R {
        self.scope(|scope| f(scope))
    }
    fn reset(&mut self, drop_only: bool) -> bool {
        if drop_only {
            self.drop_all();
        } else {
            Blink::reset(self);
            assert_eq!(
                self.allocator().stats().used_bytes,
                0,
                "reset left bytes used"
            );
        }
        true
    }
}

impl Nest for BlinkScope<'_, '_, BlinkAlloc> {
    fn nest<R>(&mut self, f: impl FnOnce(&mut BlinkScope<'_, '_, BlinkAlloc>) -> R) -> R {
        self.scope(|scope| f(scope))
    }
    fn reset(&mut self, _: bool) -> bool {
        false
    }
}

// ---------------------------------------------------------------------------
// The interpreter.

/// An iterator that reports `hint` whatever it holds, and panics when asked
/// for item `panic_at`.
struct Liar<F> {
    next: usize,
    count: usize,
    panic_at: Option<usize>,
    hint: (usize, Option<usize>),
    make: F,
}

impl<T, F: FnMut(usize) -> T> Iterator for Liar<F> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        if self.panic_at == Some(self.next) {
            deliberate_panic();
        }
        if self.next >= self.count {
            return None;
        }
        let item = (self.make)(self.next);
        self.next += 1;
        Some(item)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.hint
    }
}

/// Runs the operations of a `&mut` context (the `Blink`, or a scope) until
/// an `End` (in a scope) or the end of the input.
fn run_mut<P: Nest>(p: &mut P, st: &mut State, depth: usize) {
    while let Some(op) = st.next_op() {
        match op {
            Op::End if depth > 0 => return,
            Op::End => {}
            Op::Scope if depth < MAX_DEPTH => {
                st.frames.push(Frame::default());
                let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    p.nest(|scope| {
                        run_mut(scope, st, depth + 1);
                        st.verify_all();
                        st.expect_no_drops("in the scope");
                    })
                }));
                let frame = st.frames.pop().unwrap();
                match panicked {
                    Ok(()) => assert!(!frame.armed, "scope exit: a Drop did not panic"),
                    Err(payload) if payload.is::<blink_fuzz::Deliberate>() => {
                        assert!(frame.armed, "scope exit: an unexpected deliberate panic")
                    }
                    Err(payload) => std::panic::resume_unwind(payload),
                }
                if frame.armed {
                    st.armed_live = false;
                }
                State::expect_frame_dropped(&frame, "scope exit");
                st.verify_all();
            }
            Op::Scope => {}
            Op::Reset | Op::DropAll => {
                let drop_only = matches!(op, Op::DropAll);
                st.verify_all();
                let armed = st.frame().armed;
                // Only the `Blink` itself resets; a scope ignores the operation.
                let reset = expect_panic(armed && depth == 0, "reset", || p.reset(drop_only));
                assert_eq!(
                    reset.unwrap_or(true),
                    depth == 0,
                    "reset where not possible"
                );
                if depth == 0 {
                    let frame = st.frame();
                    let old = core::mem::take(&mut frame.placed);
                    frame.armed = false;
                    if drop_only {
                        // What needs no drop stays valid until the memory is reset.
                        frame.live.retain(|(_, drops)| !drops);
                    } else {
                        frame.live.clear();
                    }
                    st.armed_live = false;
                    State::expect_frame_dropped(
                        &Frame {
                            placed: old,
                            ..Frame::default()
                        },
                        "reset",
                    );
                    st.verify_all();
                }
            }
            op => {
                place(p, st, op, depth);
                st.expect_no_drops("after a placement");
            }
        }
    }
}

/// Runs the operations of a closure's body until its `End`.
fn run_shared<P: Place>(p: &P, st: &mut State, depth: usize) {
    while let Some(op) = st.next_op() {
        match op {
            Op::End => return,
            Op::Scope | Op::Reset | Op::DropAll => {}
            op => place(p, st, op, depth),
        }
    }
}

/// One operation that only places (through `&`).
fn place<P: Place>(p: &P, st: &mut State, op: Op, depth: usize) {
    match op {
        Op::Put { ty, armed } => with_ty!(ty, T => {
            let id = st.id();
            let mut value = T::make(id);
            let armed = armed && !st.armed_live;
            if armed {
                // Only `Small` can panic when dropped.
                if let Some(small) = (&mut value as &mut dyn core::any::Any).downcast_mut::<Small>() {
                    small.armed = true;
                    st.armed_live = true;
                    st.frame().armed = true;
                }
            }
            let ptr = p.put(value);
            st.placed_one(ptr.cast(), ty, value_id::<T>(id), true);
        }),
        Op::PutNoDrop { ty } => with_ty!(ty, T => {
            let id = st.id();
            let ptr = p.put_no_drop(T::make(id));
            st.placed_one(ptr.cast(), ty, value_id::<T>(id), false);
        }),
        Op::Value { ty, builder } => with_ty!(ty, T => {
            let id = st.id();
            let ptr = p.value(builder, T::make(id));
            st.placed_one(ptr.cast(), ty, value_id::<T>(id), builder != Builder::NoDrop);
        }),
        Op::CopyStr { len } => {
            st.seed = st.seed.wrapping_add(1);
            let seed = st.seed;
            let string: String = (0..len as usize)
                .map(|i| str_byte(seed, i) as char)
                .collect();
            let (ptr, len) = p.copy_str(&string);
            assert_eq!(len, string.len(), "copy_str: length");
            let expected = string.into_bytes();
            st.frame().live.push((Live::Bytes { ptr, expected }, false));
        }
        Op::CopySlice { len } => {
            st.seed = st.seed.wrapping_add(1);
            let seed = st.seed as u64 | 0x100;
            let words: Vec<u64> = (0..len as usize % 2048)
                .map(|i| seed.wrapping_mul(i as u64 + 1))
                .collect();
            let (ptr, len) = p.copy_slice(&words);
            assert_eq!(len, words.len(), "copy_slice: length");
            st.frame().live.push((
                Live::Words {
                    ptr,
                    expected: words,
                },
                false,
            ));
        }
        Op::With {
            ty,
            builder,
            form,
            outcome,
        } => with_ty!(ty, T => {
            let fallible = matches!(form, Form::WithFallible | Form::TryWithFallible);
            let outcome = match outcome {
                Outcome::Fail if !fallible => Outcome::Value,
                outcome => outcome,
            };
            // Past the depth limit, the closure's body is empty and the
            // operations that follow run here.
            let nested = depth < MAX_DEPTH;
            let mut made = None;
            let placed = expect_panic(outcome == Outcome::Panic, "with", || {
                p.with(builder, form, || {
                    if nested {
                        run_shared(p, st, depth + 1);
                    }
                    match outcome {
                        Outcome::Panic => deliberate_panic(),
                        Outcome::Fail => Err(()),
                        Outcome::Value => {
                            // Placed when the closure returns: its id is the
                            // newest.
                            let id = st.id();
                            made = Some(value_id::<T>(id));
                            Ok(T::make(id))
                        }
                    }
                })
            });
            match placed.flatten() {
                Some(ptr) => {
                    let id = made.expect("a placed value was made");
                    st.placed_one(ptr.cast(), ty, id, builder != Builder::NoDrop);
                }
                None => assert!(
                    outcome != Outcome::Value,
                    "with: a closure's value was not placed"
                ),
            }
        }),
        Op::FromIter {
            ty,
            builder,
            try_form,
            count,
            hint,
            panic_at,
            place_every,
        } => with_ty!(ty, T => {
            let count = match count {
                Count::Few(n) => n as usize,
                Count::Many(n) => n as usize % 1024,
            };
            let hint = match hint {
                Hint::Truthful => (count, Some(count)),
                Hint::Unknown => (0, None),
                Hint::Lies(lower, upper) => (lower as usize, upper.map(|u| u as usize)),
                Hint::Huge => (usize::MAX, None),
                Hint::HugeExact => (usize::MAX, Some(usize::MAX)),
            };
            let panic_at = panic_at.map(|k| k as usize % (count + 2));
            let panics = panic_at.is_some_and(|k| k <= count);
            let mut given = Vec::new();
            let made = expect_panic(panics, "from_iter", || {
                let iter = Liar {
                    next: 0,
                    count,
                    panic_at,
                    hint,
                    make: |i: usize| {
                        if place_every.is_some_and(|every| i % (every as usize + 1) == 0) {
                            let id = st.id();
                            let ptr = p.put(Small::make(id));
                            st.placed_one(ptr.cast(), Ty::Small, id, true);
                        }
                        let id = st.id();
                        given.push(value_id::<T>(id));
                        T::make(id)
                    },
                };
                p.from_iter(builder, try_form, iter)
            });
            match made {
                Some((ptr, len)) => {
                    assert_eq!(len, given.len(), "from_iter: slice length");
                    let drops = builder != Builder::NoDrop;
                    if drops {
                        st.frame().placed.extend(&given);
                    }
                    st.frame().live.push((
                        Live::Slice {
                            ptr: ptr.cast(),
                            ty,
                            ids: given,
                        },
                        drops,
                    ));
                    st.expect_no_drops("from_iter");
                }
                None => {
                    // The items given so far were dropped during the unwind.
                    let mut log = take_log();
                    log.sort_unstable();
                    given.sort_unstable();
                    assert_eq!(log, given, "from_iter: drops of a partly built slice");
                }
            }
        }),
        Op::Check => st.verify_all(),
        Op::Scope | Op::End | Op::Reset | Op::DropAll => unreachable!(),
    }
}

/// The id a value made with `id` logs.
fn value_id<T: Tracked>(id: u32) -> u32 {
    if core::mem::size_of::<T>() == 0 {
        ZST_ID
    } else {
        id
    }
}

fn run(input: Input) {
    quiet_deliberate_panics();
    take_log();
    let mut blink = match input.chunk_size {
        Some(size) => Blink::new_in(BlinkAlloc::with_chunk_size(size as usize)),
        None => Blink::new(),
    };
    let mut st = State {
        ops: input.ops,
        pos: 0,
        frames: vec![Frame::default()],
        next_id: 0,
        armed_live: false,
        seed: 0,
    };
    run_mut(&mut blink, &mut st, 0);
    // The final reset, checked like the others.
    st.ops = vec![Op::Reset];
    st.pos = 0;
    run_mut(&mut blink, &mut st, 0);
    drop(blink);
    st.expect_no_drops("drop of the Blink after its reset");
}

fuzz_target!(|input: Input| run(input));
