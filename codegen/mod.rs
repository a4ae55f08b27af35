//! The generation of the client from the spec, shared by `build.rs` and
//! `tests/spec_errors.rs`.
//!
//! The people who edit the spec use the crate through this code, so every
//! mistake they can make has to come back as one line that names the file,
//! the place and the fix. progenitor and typify panic on some specs instead
//! of returning an error; `check` looks for those before they run, and
//! `without_panics` turns any panic that is left into such a line.

mod check;

use std::fs;
use std::panic::{self, AssertUnwindSafe};
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

/// Reads the spec at `spec` and writes `request.schema.json` and
/// `generated.rs` to `out_dir`.
///
/// The error is one line, without the `error: ` prefix, that names `spec` as
/// it is given.
pub fn generate(spec: &Path, out_dir: &Path) -> Result<(), String> {
    let name = spec.display().to_string();
    let text = fs::read_to_string(spec)
        .map_err(|e| format!("cannot generate the client from {name}: reading it: {e}"))?;
    let (schema, code) = generate_text(&name, &text)?;
    write(&out_dir.join("request.schema.json"), &schema.to_string())?;
    write(&out_dir.join("generated.rs"), &code)
}

/// The JSON Schema of the request body and the Rust code of the client, from
/// the text of the spec named `name`.
fn generate_text(name: &str, text: &str) -> Result<(serde_json::Value, String), String> {
    let rejected = |message: String| format!("cannot generate the client from {name}: {message}");

    let spec: openapiv3::OpenAPI = serde_yaml::from_str(text)
        .map_err(|e| rejected(format!("it is not a valid OpenAPI 3.0 document: {e}")))?;
    let raw: serde_json::Value =
        serde_yaml::from_str(text).map_err(|e| rejected(format!("it is not valid YAML: {e}")))?;

    check::check(&raw).map_err(|problem| format!("{name}: {problem}"))?;

    if raw
        .pointer(&format!("/components/schemas/{REQUEST_SCHEMA}"))
        .is_none()
    {
        return Err(format!(
            "{name}: #/components/schemas: there is no schema named \"{REQUEST_SCHEMA}\", \
             which the build writes out as the request body's JSON Schema; keep that name, \
             or change REQUEST_SCHEMA in codegen/mod.rs"
        ));
    }
    let schema = json_schema(&raw, REQUEST_SCHEMA).map_err(rejected)?;

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

    let tokens = without_panics(name, || {
        progenitor::Generator::new(&settings)
            .generate_tokens(&spec)
            .map_err(|e| {
                rejected(format!(
                    "progenitor rejected it: {}",
                    one_line(&e.to_string())
                ))
            })
    })?;
    let file: syn::File = syn::parse2(tokens)
        .map_err(|e| rejected(format!("progenitor produced code that does not parse: {e}")))?;
    let code = format!(
        "// Generated from openapi.yaml by build.rs with progenitor; do not edit.\n{}",
        prettyplease::unparse(&file)
    );
    Ok((schema, code))
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    fs::write(path, text).map_err(|e| format!("writing {}: {e}", path.display()))
}

/// Runs the generator `generate` on the spec named `spec`, and turns a panic
/// into an error line instead of a message and a backtrace hint on stderr.
///
/// The panic hook is global to the process, so one lock serializes the
/// callers (the tests run in parallel), and a panic on another thread still
/// goes to the hook that was there before.
pub fn without_panics<T>(
    spec: &str,
    generate: impl FnOnce() -> Result<T, String>,
) -> Result<T, String> {
    static LOCK: Mutex<()> = Mutex::new(());
    let _serialized = LOCK.lock().unwrap_or_else(PoisonError::into_inner);

    let generating = std::thread::current().id();
    let recorded: Arc<Mutex<Option<String>>> = Arc::default();
    let previous = Arc::new(panic::take_hook());
    panic::set_hook({
        let recorded = Arc::clone(&recorded);
        let previous = Arc::clone(&previous);
        Box::new(move |info| {
            if std::thread::current().id() != generating {
                return previous(info);
            }
            let message = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "(no message)".to_owned());
            let at = info
                .location()
                .map(|l| format!(" (at {}:{})", short_path(l.file()), l.line()))
                .unwrap_or_default();
            *recorded.lock().unwrap_or_else(PoisonError::into_inner) =
                Some(format!("{}{at}", one_line(&message)));
        })
    });
    let outcome = panic::catch_unwind(AssertUnwindSafe(generate));
    // Dropping our hook drops its handle on the previous one, which can then
    // go back in place as it was.
    drop(panic::take_hook());
    match Arc::try_unwrap(previous) {
        Ok(previous) => panic::set_hook(previous),
        Err(_) => unreachable!("the hook that held the other handle is dropped"),
    }

    outcome.unwrap_or_else(|_| {
        let message = recorded
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
            .unwrap_or_else(|| "(no message)".to_owned());
        Err(format!(
            "{spec}: the generator (progenitor) panicked: {message}; this is a limitation \
             of the generator that build.rs does not check for yet: change the spec to avoid \
             what the message names (CONTRIBUTING.md, \"Changing the spec\", lists the known ones)"
        ))
    })
}

/// `text` on one line, with every run of white space as one space, and cut
/// short: the message goes on one line of cargo's output.
fn one_line(text: &str) -> String {
    const MAX: usize = 300;
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match joined.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &joined[..cut]),
        None => joined,
    }
}

/// The last three components of a source path, which name the crate and its
/// file (`typify-impl-0.8.0/src/convert.rs`) without the local registry path.
fn short_path(file: &str) -> String {
    let parts: Vec<&str> = file.split(['/', '\\']).collect();
    parts[parts.len().saturating_sub(3)..].join("/")
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
