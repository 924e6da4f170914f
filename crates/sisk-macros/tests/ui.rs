//! Compile-time behaviour of the macros, with trybuild: every accepted form compiles
//! (`ui/pass/*.rs`) and every rejected one fails with the error committed next to it
//! (`ui/fail/*.rs` + `.stderr`).
//!
//! The `.stderr` files hold the wording of rustc 1.95 stable, the toolchain this workspace is
//! built with. rustc's own parts of the messages drift between releases, so on any other
//! toolchain the fail cases are skipped (the pass cases still run). Regenerate them with
//! `TRYBUILD=overwrite cargo test -p sisk-macros --test ui`, then read every changed file.

use std::process::Command;

/// The toolchain the `.stderr` files were written by.
const PINNED_RUSTC: &str = "rustc 1.95.";

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui/pass/*.rs");
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let version = Command::new(rustc)
        .arg("--version")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).into_owned())
        .unwrap_or_default();
    if version.starts_with(PINNED_RUSTC) && !version.contains("nightly") {
        cases.compile_fail("tests/ui/fail/*.rs");
    } else {
        eprintln!("skipping tests/ui/fail: the .stderr files are {PINNED_RUSTC}x stable's wording, this is {version}");
    }
}
