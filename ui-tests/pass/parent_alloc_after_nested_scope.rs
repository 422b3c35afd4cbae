//! Twin of `parent_alloc_in_nested_scope` and `blink_parent_alloc_in_scope`:
//! the parent allocates before and after the nested scope, not during it.
use blink_alloc::{blink_scope, Blink};

fn main() {
    let mut blink = Blink::new();
    blink_scope!(blink, |outer| {
        let before = outer.put(1u32);
        blink_scope!(outer, |inner| {
            // Values of the parent may be read (and borrowed) inside.
            inner.put(*before + 1);
        });
        outer.put(*before + 2);
    });
    blink.put(3u32);
}
