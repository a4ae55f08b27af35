//! The code progenitor generates from `openapi.yaml` at build time.
//!
//! Private: only the hand-written layer can build a request, so its invariants
//! cannot be bypassed. The text compiled here is committed as
//! `tests/snapshots/generated.rs` and compared by `tests/generated_snapshot.rs`.

// Field docs come from the spec, which the API reference leaves without
// descriptions for most response fields; the types themselves are documented.
#![allow(missing_docs, dead_code, unused_imports, clippy::all)]

include!(concat!(env!("OUT_DIR"), "/generated.rs"));
