use blink_alloc::blink_scope;

async fn ready() -> u32 {
    1
}

async fn run() -> u32 {
    blink_scope!(|frame| *frame.put(ready().await))
}

fn main() {
    let _ = run();
}
