//! trybuild UI tests: every case in `pass/` must compile and run, every case
//! in `fail/` must fail to compile.
//!
//! The committed `.stderr` files hold the messages of the compiler named in
//! `TOOLCHAIN`, and are compared only when that compiler runs the test.
//! With any other compiler the messages differ in wording, so the test
//! still checks that each `fail/` case fails to compile and each `pass/`
//! case compiles and runs, but from a copy of the cases, without comparing
//! messages. To update the files after a compiler upgrade: `TRYBUILD=overwrite
//! cargo test -p blink-ui-tests`, review each `.stderr`, and write the new
//! `rustc --version` into `TOOLCHAIN`. Miri cannot run rustc: under Miri
//! this file has no test.

#[cfg(not(miri))]
#[test]
fn ui() {
    let recorded = include_str!("TOOLCHAIN").trim();
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let output = std::process::Command::new(&rustc)
        .arg("--version")
        .output()
        .expect("cannot run `rustc --version`");
    let found = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    let cases = trybuild::TestCases::new();
    cases.pass("pass/*.rs");
    if found == recorded {
        cases.compile_fail("fail/*.rs");
    } else {
        eprintln!(
            "ui: rustc is `{found}`, the .stderr files are from `{recorded}`: \
             checking that each fail/ case fails, without comparing messages"
        );
        cases.compile_fail(format!("{}/*.rs", copy_fail_cases_without_stderr()));
        // trybuild reads this when `cases` runs, at its drop: it then
        // writes each copied case's messages instead of comparing them,
        // and still reports a case that compiles.
        std::env::set_var("TRYBUILD", "overwrite");
    }
}

/// Copies `fail/*.rs` to a scratch folder without their `.stderr` files;
/// returns the folder.
#[cfg(not(miri))]
fn copy_fail_cases_without_stderr() -> String {
    let scratch = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("ui-fail-any-rustc");
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).expect("cannot create the scratch folder");
    let fail = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fail");
    for entry in std::fs::read_dir(&fail).expect("cannot read ui-tests/fail") {
        let path = entry.expect("cannot read ui-tests/fail").path();
        if path.extension().is_some_and(|e| e == "rs") {
            std::fs::copy(&path, scratch.join(path.file_name().unwrap()))
                .expect("cannot copy a fail case");
        }
    }
    scratch.to_str().expect("non-UTF-8 target path").to_owned()
}
