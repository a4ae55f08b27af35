//! The generated code that is compiled must be the committed snapshot, so a
//! change of spec or generator shows up in review as a diff of Rust code.
//!
//! Refresh after changing `openapi.yaml` or upgrading progenitor:
//! `UPDATE_SNAPSHOT=1 cargo test --test generated_snapshot`

use std::path::Path;

/// The very text `src/generated.rs` includes.
const COMPILED: &str = include_str!(concat!(env!("OUT_DIR"), "/generated.rs"));

#[test]
fn generated_code_matches_the_snapshot() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/generated.rs");
    if std::env::var_os("UPDATE_SNAPSHOT").is_some() {
        std::fs::write(&path, COMPILED).expect("writing the snapshot");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != COMPILED {
        let first_difference = committed
            .lines()
            .zip(COMPILED.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(COMPILED.lines().count()));
        panic!(
            "tests/snapshots/generated.rs is stale (first difference at line {}); \
             refresh it with `UPDATE_SNAPSHOT=1 cargo test --test generated_snapshot` \
             and review the diff",
            first_difference + 1
        );
    }
}

#[test]
fn the_snapshot_says_it_is_generated() {
    assert!(
        COMPILED.starts_with(
            "// Generated from openapi.yaml by build.rs with progenitor; do not edit.\n"
        )
    );
}
