use blink_alloc::blink_scope;

fn main() {
    blink_scope!(|frame| {
        let text = frame.put(String::from("in the frame"));
        frame.put(vec![text.as_str()]);
    });
}
