//! Generates the typed HTTP layer from `openapi.yaml` with progenitor.
//!
//! The output goes to `$OUT_DIR/generated.rs` and is included by one private
//! module (`src/generated.rs`); `tests/generated_snapshot.rs` compares it with
//! the committed snapshot so that every spec or generator change shows up as a
//! readable diff of Rust code in review.
//!
//! The work is in `codegen/`, which `tests/spec_errors.rs` also includes, so
//! that the messages a spec editor gets for a broken spec are tested on the
//! very code that produces them.

use std::path::Path;
use std::{env, process};

#[path = "codegen/mod.rs"]
mod codegen;

const SPEC: &str = "openapi.yaml";

fn main() {
    // Only these inputs affect the output; without the lines cargo would
    // rerun the script whenever any file of the package changes.
    println!("cargo:rerun-if-changed={SPEC}");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=codegen");

    let Some(out_dir) = env::var_os("OUT_DIR") else {
        eprintln!("error: OUT_DIR is not set (run the build script through cargo)");
        process::exit(1);
    };
    if let Err(message) = codegen::generate(Path::new(SPEC), Path::new(&out_dir)) {
        // A panic would bury the cause under a backtrace hint; one line on
        // stderr and a non-zero exit is what cargo shows best.
        eprintln!("error: {message}");
        process::exit(1);
    }
}
