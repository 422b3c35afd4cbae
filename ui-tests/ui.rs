//! trybuild UI tests: `pass/` must compile and run, `fail/` must fail with
//! the committed `.stderr`.
//!
//! Compiler messages change between rustc versions, so the `.stderr` files
//! hold for the toolchain named in `ui-tests/TOOLCHAIN` only. With another
//! compiler this test fails and says so, rather than passing or skipping
//! silently; set `BLINK_UI_TESTS=skip` to skip it on purpose (it prints that
//! it did), or regenerate with `TRYBUILD=overwrite`, review every `.stderr`,
//! and update `ui-tests/TOOLCHAIN`. Miri cannot run rustc: under Miri this
//! file has no test.
//!
//! Resetting a `SyncBlinkAlloc` while a `LocalBlinkAlloc` lives is
//! `fail/sync_reset_while_local_lives.rs`, with its twin
//! `pass/sync_reset_after_local_dropped.rs`.

#[cfg(not(miri))]
#[test]
fn ui() {
    let pinned = include_str!("TOOLCHAIN").trim();
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let output = std::process::Command::new(&rustc)
        .arg("--version")
        .output()
        .expect("cannot run `rustc --version`");
    let found = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    if found != pinned {
        let version = pinned.split_whitespace().nth(1).unwrap_or("?");
        if std::env::var("BLINK_UI_TESTS").as_deref() == Ok("skip") {
            eprintln!(
                "SKIPPED ui tests: pinned to `{pinned}`, found `{found}` (BLINK_UI_TESTS=skip)"
            );
            return;
        }
        panic!(
            "the ui tests' .stderr files are pinned to `{pinned}`, but rustc is `{found}`.\n\
             Run them with that toolchain: `cargo +{version} test --test ui`,\n\
             or set BLINK_UI_TESTS=skip to skip them knowingly,\n\
             or regenerate: `TRYBUILD=overwrite cargo test --test ui`, review each .stderr, \
             and write the new `rustc --version` into ui-tests/TOOLCHAIN."
        );
    }
    let cases = trybuild::TestCases::new();
    cases.pass("ui-tests/pass/*.rs");
    cases.compile_fail("ui-tests/fail/*.rs");
}
