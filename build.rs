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
    let out_dir = env::var_os("OUT_DIR").ok_or("OUT_DIR is not set (run through cargo)")?;
    let out_dir = Path::new(&out_dir);

    let raw: serde_json::Value =
        serde_yaml::from_str(&text).map_err(|e| format!("it is not valid YAML: {e}"))?;
    let schema = json_schema(&raw, REQUEST_SCHEMA)?;
    write(&out_dir.join("request.schema.json"), &schema.to_string())?;

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
        .with_hooks(progenitor::HooksMode::Expected);

    let tokens = progenitor::Generator::new(&settings)
        .generate_tokens(&spec)
        .map_err(|e| format!("progenitor rejected it: {e}"))?;
    let file: syn::File = syn::parse2(tokens)
        .map_err(|e| format!("progenitor produced code that does not parse: {e}"))?;
    let code = format!(
        "// Generated from openapi.yaml by build.rs with progenitor; do not edit.\n{}",
        prettyplease::unparse(&file)
    );

    write(&out_dir.join("generated.rs"), &code)
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    fs::write(path, text).map_err(|e| format!("writing {}: {e}", path.display()))
}

/// The request body's schema component.
const REQUEST_SCHEMA: &str = "UpdateContactRequest";

/// The component `root` of the spec and every component it refers to, as one
/// JSON Schema (draft 7) document.
///
/// Taken from the spec rather than derived from the generated types, because
/// those lose the patterns, lengths and property counts the spec states.
fn json_schema(spec: &serde_json::Value, root: &str) -> Result<serde_json::Value, String> {
    let components = spec
        .pointer("/components/schemas")
        .and_then(serde_json::Value::as_object)
        .ok_or("it has no components.schemas")?;
    let mut definitions = serde_json::Map::new();
    let mut pending = vec![root.to_owned()];
    while let Some(name) = pending.pop() {
        if definitions.contains_key(&name) {
            continue;
        }
        let schema = components
            .get(&name)
            .ok_or_else(|| format!("a $ref names the missing schema {name:?}"))?;
        definitions.insert(name, to_json_schema(schema, &mut pending));
    }
    let mut document = definitions.remove(root).unwrap_or_default();
    if let Some(object) = document.as_object_mut() {
        object.insert(
            "$schema".into(),
            "http://json-schema.org/draft-07/schema#".into(),
        );
        object.insert("title".into(), root.into());
        object.insert("definitions".into(), definitions.into());
    }
    Ok(document)
}

/// One OpenAPI 3.0 schema as JSON Schema: `nullable` becomes a `null` type,
/// component references point into `definitions` (and are queued in
/// `referenced`), and `example`, which JSON Schema does not know, goes.
fn to_json_schema(schema: &serde_json::Value, referenced: &mut Vec<String>) -> serde_json::Value {
    use serde_json::Value;

    match schema {
        Value::Array(items) => items
            .iter()
            .map(|item| to_json_schema(item, referenced))
            .collect(),
        Value::Object(object) => {
            let mut out = serde_json::Map::new();
            for (key, value) in object {
                match (key.as_str(), value) {
                    ("example" | "nullable", _) => {}
                    ("$ref", Value::String(target)) => {
                        let name = target.trim_start_matches("#/components/schemas/");
                        referenced.push(name.to_owned());
                        out.insert(key.clone(), format!("#/definitions/{name}").into());
                    }
                    // Property names and the like are data, not schemas.
                    ("properties", Value::Object(properties)) => {
                        let properties = properties
                            .iter()
                            .map(|(name, s)| (name.clone(), to_json_schema(s, referenced)))
                            .collect();
                        out.insert(key.clone(), Value::Object(properties));
                    }
                    _ => {
                        out.insert(key.clone(), to_json_schema(value, referenced));
                    }
                }
            }
            if object.get("nullable") == Some(&Value::Bool(true)) {
                match out.get("type").cloned() {
                    Some(Value::String(kind)) => {
                        out.insert("type".into(), serde_json::json!([kind, "null"]));
                    }
                    _ => {
                        return serde_json::json!({"anyOf": [out, {"type": "null"}]});
                    }
                }
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}
