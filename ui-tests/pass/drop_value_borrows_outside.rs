//! Twin of `drop_value_borrows_its_scope`: a value with drop may borrow data
//! from outside the frame, and a value without drop may borrow the frame.
use blink_alloc::blink_scope;

fn main() {
    let outside = String::from("outside");
    blink_scope!(|frame| {
        frame.put(vec![outside.as_str()]);
        let text = frame.put(String::from("in the frame"));
        frame.put_no_drop(vec![text.as_str()]);
    });
}
