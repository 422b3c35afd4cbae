//! The integration tests, as one binary: one link instead of one per file.
//! The tests that install their own global allocator are binaries of
//! their own beside this folder.

mod blink_common;
mod common;

mod arena_api;
mod arena_auto_traits;
mod arena_bad_input;
mod arena_proptest;
mod arena_regressions;
mod arena_warmup;
mod blink_drop_order;
mod blink_drops;
mod blink_fallible;
mod blink_from_iter;
mod blink_panic;
mod blink_prop;
mod blink_scope;
mod blink_tools;
mod derive;
mod derive_forms;
mod from_04;
mod fuzz_regressions;
mod odd_chunk_sizes;
mod smoke_alloc;
mod smoke_blink;
mod sync_api;
mod sync_blink;
mod sync_slots;
mod sync_soak;
mod sync_stress;
