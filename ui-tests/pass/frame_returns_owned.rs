//! Twin of `frame_returns_ref` and `frame_stores_ref_outside`: owned values
//! leave a frame, and borrowed ones leave it once promoted into a longer-lived
//! arena.
use blink_alloc::{blink_scope, Blink, BlinkPut};

fn main() {
    let owned: String = blink_scope!(|frame| frame.copy_str("owned").to_owned());
    let program = Blink::new();
    let mut kept: Option<&str> = None;
    blink_scope!(|frame| {
        let temporary = frame.copy_str("promoted");
        kept = Some(temporary.put_in(&program));
    });
    assert_eq!((owned.as_str(), kept), ("owned", Some("promoted")));
}
