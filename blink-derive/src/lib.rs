//! Macros for blink-alloc: `#[derive(BlinkPut)]` and `blink_scope!` (work in progress).
