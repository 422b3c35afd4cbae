use blink_alloc::blink_scope;

fn main() {
    let mut kept: Option<&u32> = None;
    blink_scope!(|frame| {
        kept = Some(frame.put(1u32));
    });
    println!("{kept:?}");
}
