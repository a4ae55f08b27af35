//! Generates the typed HTTP layer from `openapi.yaml` with progenitor.
//!
//! The output goes to `$OUT_DIR/generated.rs` and is included by one private
//! module (`src/generated.rs`); `tests/generated_snapshot.rs` compares it with
//! the committed snapshot so that every spec or generator change shows up as a
//! readable diff of Rust code in review.

use std::path::Path;
use std::{env, fs, process};

const SPEC: &str = "openapi.yaml";

fn main() {
    // Only these two inputs affect the output; without the lines cargo would
    // rerun the script whenever any file of the package changes.
    println!("cargo:rerun-if-changed={SPEC}");
    println!("cargo:rerun-if-changed=build.rs");

    if let Err(message) = generate() {
        // A panic would bury the cause under a backtrace hint; a plain message
        // on stderr and a non-zero exit is what cargo shows best.
        eprintln!("error: cannot generate the client from {SPEC}: {message}");
        process::exit(1);
    }
}

fn generate() -> Result<(), String> {
    let text = fs::read_to_string(SPEC).map_err(|e| format!("reading it: {e}"))?;
    let spec: openapiv3::OpenAPI = serde_yaml::from_str(&text)
        .map_err(|e| format!("it is not a valid OpenAPI 3.0 document: {e}"))?;

    let mut settings = progenitor::GenerationSettings::default();
    settings
        // The hand-written layer is the ergonomic surface, so the generated
        // one only has to be small and easy to review: the positional style is
        // one method for the one operation, where the builder style would add
        // a builder for every struct (several thousand lines of snapshot).
        .with_interface(progenitor::InterfaceStyle::Positional)
        .with_tag(progenitor::TagStyle::Merged)
        // Per-call state (API key, the raw response for error reports) rides
        // in the client's inner value; `src/hooks.rs` implements the hooks,
        // and `Expected` makes a missing implementation a compile error.
        .with_inner_type(quote::quote!(crate::hooks::CallContext))
        .with_hooks(progenitor::HooksMode::Expected)
        // Public request types expose their JSON Schema.
        .with_derive("schemars::JsonSchema");

    let tokens = progenitor::Generator::new(&settings)
        .generate_tokens(&spec)
        .map_err(|e| format!("progenitor rejected it: {e}"))?;
    let file: syn::File = syn::parse2(tokens)
        .map_err(|e| format!("progenitor produced code that does not parse: {e}"))?;
    let code = format!(
        "// Generated from openapi.yaml by build.rs with progenitor; do not edit.\n{}",
        prettyplease::unparse(&file)
    );

    let out_dir = env::var_os("OUT_DIR").ok_or("OUT_DIR is not set (run through cargo)")?;
    let out = Path::new(&out_dir).join("generated.rs");
    fs::write(&out, code).map_err(|e| format!("writing {}: {e}", out.display()))
}
