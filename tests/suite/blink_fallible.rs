//! `with_fallible` / `try_with_fallible` for every combination of value and
//! error types, in every mode: blink-alloc 0.4 wrote a `Result<T, E>` into a
//! slot sized for `T` (its §6.1 bug 1), so an error bigger or more aligned
//! than the value must not make the value alias later allocations.

use crate::blink_common;

use core::{convert::Infallible, fmt::Debug, mem::align_of};

use blink_alloc::Blink;
use blink_common::*;

#[derive(Debug, Clone, PartialEq)]
#[repr(align(64))]
struct Align64(u8);

#[derive(Debug, Clone, PartialEq)]
#[repr(align(4096))]
struct Align4096(u16);

#[derive(Debug, Clone, PartialEq)]
struct Unit;

/// Fills the arena after `value` was placed, then checks that `value` still
/// holds `expected` and that writing to it did not touch the fillers.
fn assert_no_alias<T: PartialEq + Debug>(blink: &Blink, value: &mut T, expected: &T) {
    assert_eq!((value as *mut T).addr() % align_of::<T>(), 0);
    let fillers: Vec<&mut [u8; 64]> = (0..scale(8, 2))
        .map(|_| blink.put_no_drop([0x5A; 64]))
        .collect();
    let number = blink.put(0xDEAD_BEEF_u64);
    assert_eq!(value, expected);
    // Rewrite the value in place; no filler may change.
    let bytes = core::mem::size_of::<T>();
    // SAFETY: `value` is a valid, exclusive `&mut T`; writing its own bytes
    // back (a bitwise self-copy) keeps it valid.
    unsafe {
        let ptr = (value as *mut T).cast::<u8>();
        core::ptr::copy(ptr, ptr, bytes);
    }
    assert!(fillers.iter().all(|f| f.iter().all(|&b| b == 0x5A)));
    assert_eq!(*number, 0xDEAD_BEEF);
}

/// Drops a value placed without drop, so that heap-owning values do not
/// leak (Miri checks leaks); the arena itself never drops it.
fn drop_no_drop<T>(value: &mut T) {
    // SAFETY: a `_no_drop` value is never dropped by the arena, and `value`
    // is not used after this.
    unsafe { core::ptr::drop_in_place(value) }
}

/// Every mode and both entry points for one (value, error) pair.
fn case<T, E>(make: impl Fn() -> T, fail: impl Fn() -> E)
where
    T: PartialEq + Debug + 'static,
    E: PartialEq + Debug + 'static,
{
    let mut blink = Blink::new();
    for round in 0..scale(2, 1) {
        blink.put(1u8); // misalign the cursor
        let expected = make();

        let v = blink
            .emplace()
            .with_fallible(|| Ok::<T, E>(make()))
            .unwrap();
        assert_no_alias(&blink, v, &expected);
        let v = blink
            .emplace()
            .try_with_fallible(|| Ok::<T, E>(make()))
            .ok()
            .unwrap();
        assert_no_alias(&blink, v, &expected);
        let v = blink
            .emplace_no_drop()
            .with_fallible(|| Ok::<T, E>(make()))
            .unwrap();
        assert_no_alias(&blink, v, &expected);
        drop_no_drop(v);
        let v = blink
            .emplace_no_drop()
            .try_with_fallible(|| Ok::<T, E>(make()))
            .ok()
            .unwrap();
        assert_no_alias(&blink, v, &expected);
        drop_no_drop(v);
        let v = blink
            .emplace_shared()
            .with_fallible(|| Ok::<T, E>(make()))
            .unwrap();
        assert_eq!(v, &expected);
        assert_eq!((v as *const T).addr() % align_of::<T>(), 0);
        // SAFETY: the values' drops reach nothing in the arena.
        let v = unsafe { blink.emplace_unchecked() }
            .with_fallible(|| Ok::<T, E>(make()))
            .unwrap();
        assert_no_alias(&blink, v, &expected);

        // Errors come back whole, and later values do not alias.
        assert_eq!(
            blink
                .emplace::<T>()
                .with_fallible(|| Err(fail()))
                .unwrap_err(),
            fail()
        );
        assert_eq!(
            blink
                .emplace_no_drop::<T>()
                .with_fallible(|| Err(fail()))
                .unwrap_err(),
            fail()
        );
        assert_eq!(
            blink
                .emplace_shared::<T>()
                .with_fallible(|| Err(fail()))
                .unwrap_err(),
            fail()
        );
        match blink.emplace::<T>().try_with_fallible(|| Err(fail())) {
            Err(Ok(error)) => assert_eq!(error, fail()),
            _ => panic!("expected the closure's error"),
        }
        match blink
            .emplace_no_drop::<T>()
            .try_with_fallible(|| Err(fail()))
        {
            Err(Ok(error)) => assert_eq!(error, fail()),
            _ => panic!("expected the closure's error"),
        }
        let after = blink.emplace().with(&make);
        assert_no_alias(&blink, after, &expected);
        let after = blink.emplace_no_drop().with(&make);
        assert_no_alias(&blink, after, &expected);
        drop_no_drop(after);
        if round == 0 {
            blink.reset();
        }
    }
}

macro_rules! all_errors {
    ($name:ident, $make:expr) => {
        #[test]
        fn $name() {
            case($make, || ());
            case($make, || 7u8);
            case($make, || u64::MAX);
            case($make, || [0xEEu64; 8]);
            case($make, || Align64(9));
            case($make, || Align4096(0xBEEF));
            case($make, || String::from("error with heap memory"));
            case($make, || Unit);
            case($make, || vec![1u32; 33]);
            case($make, || Box::new([3u8; 100]));
            case($make, || (Align64(1), [5u64; 8]));
        }
    };
}

all_errors!(value_u8, || 42u8);
all_errors!(value_u64, || 0x0123_4567_89AB_CDEF_u64);
all_errors!(value_unit, || ());
all_errors!(value_zst, || Unit);
all_errors!(value_odd_array, || [1u8, 2, 3]);
all_errors!(value_string, || String::from("value"));
#[test]
fn value_align64() {
    if !over_aligned_checkable() {
        return;
    }
    value_align64_cases();
}

fn value_align64_cases() {
    let make = || Align64(200);
    case(make, || ());
    case(make, || 7u8);
    case(make, || [0xEEu64; 8]);
    case(make, || Align64(9));
    case(make, || Align4096(0xBEEF));
    case(make, || String::from("error with heap memory"));
    case(make, || (Align64(1), [5u64; 8]));
}
all_errors!(value_vec, || vec![7u16; 20]);

#[test]
fn infallible_error() {
    let blink = Blink::new();
    let v = blink
        .emplace()
        .with_fallible(|| Ok::<u8, Infallible>(3))
        .unwrap();
    assert_no_alias(&blink, v, &3);
    let v = blink
        .emplace_no_drop()
        .with_fallible(|| Ok::<String, Infallible>("x".into()))
        .unwrap();
    assert_no_alias(&blink, v, &"x".to_string());
    drop_no_drop(v);
}

#[test]
fn fallible_drop_accounting() {
    start();
    let mut blink = Blink::new();
    let ok = blink
        .emplace()
        .with_fallible(|| Ok::<_, Counted>(counted(1)))
        .unwrap();
    ok.assert_intact();
    let err = blink
        .emplace::<Counted>()
        .with_fallible(|| Err(counted(2)))
        .unwrap_err();
    drop(err);
    assert_eq!(take_log(), [2]);
    blink
        .emplace_no_drop()
        .with_fallible(|| Ok::<_, Counted>(counted(3)))
        .unwrap();
    let err = blink
        .emplace_no_drop::<Counted>()
        .try_with_fallible(|| Err(counted(4)));
    drop(err);
    assert_eq!(take_log(), [4]);
    blink
        .emplace()
        .try_with_fallible(|| Ok::<_, [Counted; 2]>(counted(5)))
        .ok()
        .unwrap();
    let err = blink
        .emplace::<Counted>()
        .with_fallible(|| Err([counted(6), counted(7)]));
    drop(err);
    assert_eq!(take_log(), [6, 7]);
    // ZST value with drop glue and a big error.
    blink
        .emplace()
        .with_fallible(|| Ok::<_, [u64; 8]>(Zst))
        .unwrap();
    let _ = blink.emplace::<Zst>().with_fallible(|| Err([0u64; 8]));
    assert_eq!(zst_drops(), 0);
    blink.reset();
    assert_eq!(take_log(), [5, 1]);
    assert_eq!(zst_drops(), 1);
}

#[test]
fn failed_constructor_gives_its_room_back() {
    let blink = Blink::new();
    blink.put(0u64);
    let before = blink.allocator().stats().used_bytes;
    for _ in 0..100 {
        let _ = blink
            .emplace::<String>()
            .with_fallible(|| Err::<String, [u64; 8]>([1; 8]));
        let _ = blink
            .emplace_no_drop::<u64>()
            .with_fallible(|| Err::<u64, Align64>(Align64(1)));
    }
    assert_eq!(blink.allocator().stats().used_bytes, before);
}
