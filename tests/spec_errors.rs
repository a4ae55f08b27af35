//! The messages a spec editor gets for a broken `openapi.yaml`.
//!
//! Each test writes a copy of the spec with one mistake to a temporary
//! directory and runs the generation `build.rs` runs on it, so a message
//! tested here is the line `cargo build` prints after `error: `.

#[path = "../codegen/mod.rs"]
mod codegen;

use std::fs;
use std::path::Path;

const PATH_PARAMETER: &str = "        - name: contact_id
          in: path
          required: true
          description: Contact ID returned by GET /v1/contacts.
          schema:
            $ref: \"#/components/schemas/ContactId\"
";
const SERVER_ERROR_SCHEMA: &str =
    "                $ref: \"#/components/schemas/ErrorBody\"\ncomponents:\n";

fn spec() -> String {
    fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi.yaml"))
        .expect("reading openapi.yaml")
}

/// `text` with `from`, which must occur once, replaced by `to`.
fn replaced(text: &str, from: &str, to: &str) -> String {
    assert_eq!(
        text.matches(from).count(),
        1,
        "the edit expects {from:?} once in openapi.yaml"
    );
    text.replacen(from, to, 1)
}

/// The spec with `parameter` (YAML list item) added to the operation's
/// parameters.
fn with_parameter(parameter: &str) -> String {
    replaced(
        &spec(),
        PATH_PARAMETER,
        &format!("{PATH_PARAMETER}{parameter}"),
    )
}

/// The error the generation gives for the spec `text`, with the path of the
/// temporary copy shortened to `openapi.yaml`.
fn error_of(text: &str) -> String {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("openapi.yaml");
    fs::write(&path, text).expect("writing the spec");
    match codegen::generate(&path, dir.path()) {
        Ok(()) => panic!("the broken spec generated without an error"),
        Err(message) => {
            assert!(!message.contains('\n'), "not one line: {message}");
            message.replace(&path.display().to_string(), "openapi.yaml")
        }
    }
}

#[test]
fn the_spec_generates_the_code_the_build_compiles() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi.yaml");
    codegen::generate(&spec, dir.path()).expect("generating from openapi.yaml");
    let generated = fs::read_to_string(dir.path().join("generated.rs")).unwrap();
    assert!(
        generated == include_str!(concat!(env!("OUT_DIR"), "/generated.rs")),
        "the test generates other code than build.rs"
    );
    assert!(dir.path().join("request.schema.json").exists());
}

// The messages that were clear before the checks, kept as they are.

#[test]
fn a_3_1_spec_is_left_to_progenitor() {
    let text = replaced(&spec(), "openapi: 3.0.3", "openapi: 3.1.0");
    assert_eq!(
        error_of(&text),
        "cannot generate the client from openapi.yaml: progenitor rejected it: unexpected or \
         unhandled format in the OpenAPI document invalid version: 3.1.0"
    );
}

#[test]
fn a_missing_operation_id_is_left_to_progenitor() {
    let text = replaced(&spec(), "      operationId: update_contact\n", "");
    assert_eq!(
        error_of(&text),
        "cannot generate the client from openapi.yaml: progenitor rejected it: unexpected or \
         unhandled format in the OpenAPI document path /v1/contacts/{contact_id} is missing \
         operation ID"
    );
}

#[test]
fn a_multi_line_progenitor_error_comes_on_one_line() {
    let text = with_parameter(
        "        - name: session\n          in: cookie\n          schema:\n            type: string\n",
    );
    let message = error_of(&text);
    assert!(
        message.starts_with(
            "cannot generate the client from openapi.yaml: progenitor rejected it: unexpected \
             or unhandled format in the OpenAPI document cookie parameters are not supported \
             Cookie { parameter_data: ParameterData { name: \"session\","
        ),
        "{message}"
    );
}

// What no check catches: the panic becomes one line.

#[test]
fn a_generator_panic_becomes_one_error_line() {
    let result: Result<(), String> = codegen::without_panics("openapi.yaml", || {
        panic!("no variant for {}\n  (second line)", "x")
    });
    let message = result.unwrap_err();
    assert!(
        message.starts_with(
            "openapi.yaml: the generator (progenitor) panicked: no variant for x (second line) \
             (at tests/spec_errors.rs:"
        ),
        "{message}"
    );
    assert!(
        message.ends_with(
            "; this is a limitation of the generator that build.rs does not check for yet: \
             change the spec to avoid what the message names (README.md, \"Changing the \
             spec\", lists the known ones)"
        ),
        "{message}"
    );
}

#[test]
fn a_real_generator_panic_is_caught() {
    // The 5XX mistake, given to progenitor without the checks.
    let text = replaced(
        &spec(),
        SERVER_ERROR_SCHEMA,
        "                type: object\ncomponents:\n",
    );
    let spec: openapiv3::OpenAPI = serde_yaml::from_str(&text).unwrap();
    let message = codegen::without_panics("openapi.yaml", || {
        progenitor::Generator::default()
            .generate_tokens(&spec)
            .map_err(|e| e.to_string())
    })
    .unwrap_err();
    assert!(
        message.starts_with(
            "openapi.yaml: the generator (progenitor) panicked: assertion failed: \
             response_types.len() <= 1 (at progenitor-impl-0.15.1/src/method.rs:"
        ),
        "{message}"
    );
}

#[test]
fn results_pass_through_the_panic_catcher() {
    assert_eq!(codegen::without_panics("openapi.yaml", || Ok(1)), Ok(1));
    assert_eq!(
        codegen::without_panics::<()>("openapi.yaml", || Err("rejected".to_owned())),
        Err("rejected".to_owned())
    );
}
