//! Twin of the `*_across_reset` and `use_after_reset` failures: every
//! reference is last used before `reset`.
use allocator_api2::vec::Vec;
use blink_alloc::{Blink, BlinkAlloc, BlinkPut};

fn main() {
    let mut blink = Blink::new();
    let value = blink.put(1u32);
    let text = blink.put(String::from("kept"));
    text.push('!');
    let word = blink.copy_str("word");
    let items = blink.emplace().from_iter(0..10u32);
    let copied: &str = "input".put_in(&blink);
    assert_eq!((*value, text.len(), &*word, items.len(), copied), (1, 5, "word", 10, "input"));
    blink.reset();
    assert_eq!(*blink.put(2u32), 2);

    let mut alloc = BlinkAlloc::new();
    let mut vec = Vec::new_in(&alloc);
    vec.push(1u32);
    drop(vec);
    alloc.reset();
}
