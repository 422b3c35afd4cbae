use blink_alloc::blink_scope;

fn main() {
    for i in 0..3u32 {
        blink_scope!(|frame| {
            if *frame.put(i) == 1 {
                break;
            }
        });
    }
}
