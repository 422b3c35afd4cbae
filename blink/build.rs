//! Sets `cfg(blink_asan)` when the crate is built with AddressSanitizer
//! (`RUSTFLAGS=-Zsanitizer=address` on nightly), so that the arenas poison
//! the memory they do not hand out. See `src/arena/asan.rs`.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(blink_asan)");
    println!("cargo::rerun-if-changed=build.rs");
    // Cargo sets `CARGO_CFG_<NAME>` for every cfg of the target; with
    // `-Zsanitizer=address`, rustc reports `sanitize="address"`.
    let sanitize = std::env::var("CARGO_CFG_SANITIZE").unwrap_or_default();
    if sanitize.split(',').any(|s| s == "address") {
        println!("cargo::rustc-cfg=blink_asan");
    }
}
