//! `blink_scope!` and `#[derive(BlinkPut)]` through a renamed dependency:
//! this package sees the runtime crate only as `arena` (`arena = { package
//! = "blink-alloc", .. }`), with no `blink_alloc` in its extern prelude, so
//! an expansion that names `::blink_alloc` fails to build here. Also this
//! crate's `blink_scope!` used directly, with `crate = ...`.
//!
//! (Not a trybuild case: a package cannot depend on one crate under two
//! names, and every trybuild case of `ui-tests` sees `blink_alloc`.)

use arena::{blink_scope, Blink, BlinkPut};

#[derive(BlinkPut, Debug, PartialEq)]
#[blink(crate = "arena")]
struct Word<'a>(&'a str);

fn longest<'k>(text: &str, kept: &'k Blink) -> Result<Word<'k>, String> {
    // The `?` check names the runtime crate too.
    let word = blink_scope!(|frame| {
        let copy = frame.copy_str(text);
        let word = copy.split(' ').max_by_key(|w| w.len()).ok_or("empty")?;
        Ok::<_, String>(Word(word).put_in(kept))
    })?;
    Ok(word)
}

#[test]
fn scope_and_derive_under_another_name() {
    let kept = Blink::new();
    let word = longest("a bcd ef", &kept).unwrap();
    assert_eq!(word, Word("bcd"));
    let n = arena::blink_scope!(|frame| *frame.put(2u32));
    let mut blink = Blink::new();
    let m = blink_scope!(blink, |scope| *scope.put(3u32));
    assert_eq!(n + m, 5);
}

#[test]
fn direct_use_with_a_crate_path() {
    let direct = blink_alloc_derive::blink_scope!(crate = arena, |frame| *frame.put(4u32));
    let quoted = blink_alloc_derive::blink_scope!(crate = "::arena", |frame| *frame.put(5u32));
    let nested = blink_alloc_derive::blink_scope!(crate = arena, |frame| {
        blink_alloc_derive::blink_scope!(crate = arena, |inner| *inner.put(1u32)) + *frame.put(1u32)
    });
    assert_eq!(direct + quoted + nested, 11);
}
