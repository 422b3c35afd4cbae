//! Twin of `macro_break`, `macro_await`, `macro_question_mark`,
//! `macro_put_in_frame` and `frame_returns_ref`: what a `blink_scope!` body
//! may do.
use blink_alloc::{blink_scope, Blink, BlinkPut};

fn parse(text: &str) -> Result<u32, std::num::ParseIntError> {
    // `?` in a body that returns a `Result`, and on the macro's value.
    let n = blink_scope!(|frame| {
        let copy = frame.copy_str(text);
        let n: u32 = copy.trim().parse()?;
        Ok::<_, std::num::ParseIntError>(n)
    })?;
    // `?` on an `Option`, with a `try_` form.
    let m = blink_scope!(|frame| Some(*frame.try_put(n).ok()? + 1)).unwrap_or(0);
    Ok(m)
}

fn main() {
    assert_eq!(parse(" 41 "), Ok(42));
    let kept = Blink::new();
    for round in 0..3u32 {
        // `break` and `continue` inside the body's own loops and blocks; the
        // outer loop acts on the body's value.
        let stop = blink_scope!(|frame| {
            let mut total = 0;
            for i in 0..10u32 {
                if i == 2 {
                    continue;
                }
                if i > 4 {
                    break;
                }
                total += *frame.put(i);
            }
            let labeled = 'done: {
                if total > 5 {
                    break 'done true;
                }
                false
            };
            labeled && round == 1
        });
        if stop {
            break;
        }
    }
    // An async block in the body awaits inside itself.
    let _future = blink_scope!(|frame| {
        let n = *frame.put(1u8);
        async move { std::future::ready(n).await }
    });
    // Returned values: owned, copied out, or promoted with `put_in`; a
    // frame's `copy_deep` copies into the frame; a re-bound name is left
    // alone.
    let owned = blink_scope!(|frame| frame.copy_str("owned").to_owned());
    let copied = blink_scope!(|frame| *frame.put(3u8));
    let promoted = blink_scope!(|frame| frame.copy_str("kept").put_in(&kept));
    let deep = blink_scope!(|frame| frame.copy_deep(&"deep").len());
    let rebound = blink_scope!(|frame| {
        let text = frame.copy_str("re-bound");
        let frame = &kept;
        (&*text).put_in(frame)
    });
    assert_eq!((owned.as_str(), copied, &*promoted, deep), ("owned", 3, "kept", 4));
    assert_eq!(rebound, "re-bound");
}
