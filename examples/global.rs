//! `GlobalBlinkAlloc` as the program's global allocator: a loop of
//! "requests" whose every `String`, `Vec` and `BTreeMap` node comes from the
//! arena, freed at once when the frame ends, while a logger thread keeps
//! allocating from the system allocator.
//!
//! Run with `cargo run -p blink-examples --example global`.

use std::{collections::BTreeMap, sync::mpsc, thread};

use blink_alloc::GlobalBlinkAlloc;

#[global_allocator]
static GLOBAL: GlobalBlinkAlloc = GlobalBlinkAlloc::new();

/// Handles one request; returns only a number, so nothing allocated in
/// blink mode outlives the frame.
fn handle(request: usize) -> usize {
    let words: Vec<String> = (0..100)
        .map(|i| format!("item{}-{request}", i % 17))
        .collect();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for word in &words {
        *counts.entry(word.split('-').next().unwrap()).or_default() += 1;
    }
    let reply = counts
        .iter()
        .map(|(word, n)| format!("{word}={n}"))
        .collect::<Vec<_>>()
        .join("&");
    reply.len()
}

fn main() {
    // The logger is in direct mode: what it keeps survives every reset.
    let (to_logger, inbox) = mpsc::channel::<usize>();
    let logger = thread::spawn(move || {
        let mut log = Vec::new();
        for len in inbox {
            log.push(format!("reply of {len} bytes"));
        }
        log
    });

    let mut total = 0;
    for request in 0..1000 {
        // SAFETY: everything allocated in blink mode is dropped inside
        // `handle`, before `direct_mode` resets the arena, and nothing a
        // library keeps is first allocated here (the channel's blocks come
        // from the send below, in direct mode).
        unsafe { GLOBAL.blink_mode() };
        let len = handle(request);
        // SAFETY: as above; this is the only thread in blink mode, so the
        // arena resets here.
        unsafe { GLOBAL.direct_mode() };
        total += len;
        to_logger.send(len).unwrap();
    }
    drop(to_logger);
    let log = logger.join().unwrap();
    let stats = GLOBAL.blink().stats();
    println!(
        "{} requests, {total} reply bytes; the logger kept {} lines; the arena holds {} chunk(s), {} bytes",
        log.len(),
        log.len(),
        stats.chunks,
        stats.allocated_bytes
    );
    assert_eq!(log.len(), 1000);
    assert!(stats.chunks <= 1, "a warm arena keeps one chunk");
}
