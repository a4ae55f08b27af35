//! The messages a spec editor gets for a broken `openapi.yaml`.
//!
//! Each test writes a copy of the spec with one mistake to a temporary
//! directory and runs the generation `build.rs` runs on it, so a message
//! tested here is the line `cargo build` prints after `error: `.

#[path = "../codegen/mod.rs"]
mod codegen;

use std::fs;
use std::path::Path;

const OPERATION: &str = "operation update_contact (PATCH /v1/contacts/{contact_id})";
const OPERATION_AT: &str = "#/paths/~1v1~1contacts~1{contact_id}/patch";

const PATH_PARAMETER: &str = "        - name: contact_id
          in: path
          required: true
          description: Contact ID returned by GET /v1/contacts.
          schema:
            $ref: \"#/components/schemas/ContactId\"
";
const REQUEST_CONTENT: &str = "          application/json:
            schema:
              $ref: \"#/components/schemas/UpdateContactRequest\"
";
const SUCCESS_SCHEMA: &str =
    "                $ref: \"#/components/schemas/UpdateContactResponse\"\n";
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

/// The spec with one more schema component, given as YAML at the
/// indentation of the component names.
fn with_schema(component: &str) -> String {
    replaced(
        &spec(),
        "\n  schemas:\n",
        &format!("\n  schemas:\n{component}"),
    )
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

// References.

#[test]
fn a_misspelt_schema_reference() {
    let text = replaced(
        &spec(),
        SUCCESS_SCHEMA,
        "                $ref: \"#/components/schemas/UpdateContactRespnse\"\n",
    );
    assert_eq!(
        error_of(&text),
        format!(
            "openapi.yaml: {OPERATION_AT}/responses/200/content/application~1json/schema: $ref \
             \"#/components/schemas/UpdateContactRespnse\" does not resolve (no schema named \
             \"UpdateContactRespnse\" in components.schemas) (did you mean \
             \"UpdateContactResponse\"?); fix the name or add the component"
        )
    );
}

#[test]
fn a_reference_to_a_schema_that_does_not_exist() {
    let text = with_schema(
        "    Wrapper:\n      type: object\n      additionalProperties:\n        $ref: \"#/components/schemas/Nope\"\n",
    );
    assert_eq!(
        error_of(&text),
        "openapi.yaml: #/components/schemas/Wrapper/additionalProperties: $ref \
         \"#/components/schemas/Nope\" does not resolve (no schema named \"Nope\" in \
         components.schemas); fix the name or add the component"
    );
}

#[test]
fn a_reference_to_a_parameter_that_does_not_exist() {
    let text = replaced(
        &spec(),
        PATH_PARAMETER,
        "        - $ref: \"#/components/parameters/ContactId\"\n",
    );
    assert_eq!(
        error_of(&text),
        format!(
            "openapi.yaml: {OPERATION_AT}/parameters/0: $ref \
             \"#/components/parameters/ContactId\" does not resolve (no parameter named \
             \"ContactId\" in components.parameters); fix the name or add the component"
        )
    );
}

#[test]
fn a_reference_to_a_request_body_that_does_not_exist() {
    let text = replaced(
        &spec(),
        &format!("        required: true\n        content:\n{REQUEST_CONTENT}"),
        "        $ref: \"#/components/requestBodies/Update\"\n",
    );
    assert_eq!(
        error_of(&text),
        format!(
            "openapi.yaml: {OPERATION_AT}/requestBody: $ref \
             \"#/components/requestBodies/Update\" does not resolve (no request body named \
             \"Update\" in components.requestBodies); fix the name or add the component"
        )
    );
}

#[test]
fn a_reference_to_a_response_that_does_not_exist() {
    let text = replaced(
        &spec(),
        "        \"200\":\n          description: Contact updated.\n          content:\n            application/json:\n              schema:\n                $ref: \"#/components/schemas/UpdateContactResponse\"\n",
        "        \"200\":\n          $ref: \"#/components/responses/Updated\"\n",
    );
    assert_eq!(
        error_of(&text),
        format!(
            "openapi.yaml: {OPERATION_AT}/responses/200: $ref \
             \"#/components/responses/Updated\" does not resolve (no response named \
             \"Updated\" in components.responses); fix the name or add the component"
        )
    );
}

#[test]
fn a_reference_to_a_header_that_does_not_exist() {
    let text = replaced(
        &spec(),
        "          description: Contact updated.\n",
        "          description: Contact updated.\n          headers:\n            X-Request-Id:\n              $ref: \"#/components/headers/RequestId\"\n",
    );
    assert_eq!(
        error_of(&text),
        format!(
            "openapi.yaml: {OPERATION_AT}/responses/200/headers/X-Request-Id: $ref \
             \"#/components/headers/RequestId\" does not resolve (no header named \"RequestId\" \
             in components.headers); fix the name or add the component"
        )
    );
}

#[test]
fn a_reference_to_a_component_of_the_wrong_kind() {
    let text = replaced(
        &spec(),
        PATH_PARAMETER,
        "        - $ref: \"#/components/schemas/ContactId\"\n",
    );
    assert_eq!(
        error_of(&text),
        format!(
            "openapi.yaml: {OPERATION_AT}/parameters/0: $ref \"#/components/schemas/ContactId\" \
             names a component of components.schemas where a parameter belongs; refer to one \
             in components.parameters (\"#/components/parameters/<Name>\")"
        )
    );
}

#[test]
fn a_reference_into_another_file() {
    let text = replaced(
        &spec(),
        SUCCESS_SCHEMA,
        "                $ref: \"contact.yaml#/components/schemas/UpdateContactResponse\"\n",
    );
    assert_eq!(
        error_of(&text),
        format!(
            "openapi.yaml: {OPERATION_AT}/responses/200/content/application~1json/schema: $ref \
             \"contact.yaml#/components/schemas/UpdateContactResponse\" points into another \
             file, and the generator reads only this one; copy the schema into \
             components.schemas and refer to it as \"#/components/schemas/<Name>\""
        )
    );
}

#[test]
fn a_reference_into_a_component() {
    let text = replaced(
        &spec(),
        SUCCESS_SCHEMA,
        "                $ref: \"#/components/schemas/UpdateContactResponse/properties/data\"\n",
    );
    assert_eq!(
        error_of(&text),
        format!(
            "openapi.yaml: {OPERATION_AT}/responses/200/content/application~1json/schema: $ref \
             \"#/components/schemas/UpdateContactResponse/properties/data\" is not of the form \
             \"#/components/schemas/<Name>\", the only one the generator resolves; make the \
             target a component of components.schemas and refer to it by that name"
        )
    );
}

#[test]
fn a_cycle_of_parameter_references() {
    // progenitor would overflow its stack, which aborts the build script
    // past any panic hook.
    let text = replaced(
        &spec(),
        PATH_PARAMETER,
        "        - $ref: \"#/components/parameters/Contact\"\n",
    );
    let text = replaced(
        &text,
        "components:\n",
        "components:\n  parameters:\n    Contact:\n      $ref: \"#/components/parameters/ContactAlias\"\n    ContactAlias:\n      $ref: \"#/components/parameters/Contact\"\n",
    );
    assert_eq!(
        error_of(&text),
        "openapi.yaml: #/components/parameters/Contact: the parameter references form a cycle \
         (Contact -> ContactAlias -> Contact), which sends progenitor into endless recursion; \
         make one of them a parameter instead of a $ref"
    );
}

// One success type and one error type per operation.

#[test]
fn a_5xx_response_with_its_own_schema() {
    let text = replaced(
        &spec(),
        SERVER_ERROR_SCHEMA,
        "                $ref: \"#/components/schemas/ServerError\"\ncomponents:\n",
    );
    let text = replaced(
        &text,
        "\n  schemas:\n",
        "\n  schemas:\n    ServerError:\n      type: object\n",
    );
    assert_eq!(
        error_of(&text),
        format!(
            "openapi.yaml: {OPERATION}: its error responses have different bodies (4XX: \
             schema ErrorBody; 5XX: schema ServerError), but progenitor gives an operation one \
             error type (a known limitation of the generator); give every error status (4XX, \
             5XX, their codes, default) the same $ref schema, or no body"
        )
    );
}

#[test]
fn a_5xx_response_without_a_body() {
    let text = replaced(
        &spec(),
        &format!(
            "          content:\n            application/json:\n              schema:\n{SERVER_ERROR_SCHEMA}"
        ),
        "components:\n",
    );
    assert_eq!(
        error_of(&text),
        format!(
            "openapi.yaml: {OPERATION}: its error responses have different bodies (4XX: \
             schema ErrorBody; 5XX: no body), but progenitor gives an operation one error type \
             (a known limitation of the generator); give every error status (4XX, 5XX, their \
             codes, default) the same $ref schema, or no body"
        )
    );
}

#[test]
fn a_204_next_to_a_200_with_a_body() {
    let text = replaced(
        &spec(),
        "        \"4XX\":\n",
        "        \"204\":\n          description: Nothing changed.\n        \"4XX\":\n",
    );
    assert_eq!(
        error_of(&text),
        format!(
            "openapi.yaml: {OPERATION}: its success responses have different bodies (200: \
             schema UpdateContactResponse; 204: no body), but progenitor gives an operation \
             one success type (a known limitation of the generator); give every success \
             status the same $ref schema, or no body"
        )
    );
}

#[test]
fn a_default_response_next_to_a_200() {
    let text = replaced(
        &spec(),
        "        \"4XX\":\n",
        "        default:\n          description: Anything else.\n          content:\n            application/json:\n              schema:\n                $ref: \"#/components/schemas/ErrorBody\"\n        \"4XX\":\n",
    );
    assert_eq!(
        error_of(&text),
        format!(
            "openapi.yaml: {OPERATION}: its success responses have different bodies (200: \
             schema UpdateContactResponse; default: schema ErrorBody) (a `default` response \
             counts as a success and as an error), but progenitor gives an operation one \
             success type (a known limitation of the generator); give every success status \
             the same $ref schema, or no body"
        )
    );
}

#[test]
fn a_json_response_without_a_schema() {
    let text = replaced(
        &spec(),
        &format!("            application/json:\n              schema:\n{SUCCESS_SCHEMA}"),
        "            application/json: {}\n",
    );
    assert_eq!(
        error_of(&text),
        format!(
            "openapi.yaml: {OPERATION_AT}/responses/200/content/application~1json: a JSON \
             response without a schema, which progenitor cannot decode; add `schema: {{}}` for \
             any JSON value (or a $ref), or remove the content if the response has no body"
        )
    );
}

#[test]
fn a_json_response_with_an_encoding() {
    let text = replaced(
        &spec(),
        SUCCESS_SCHEMA,
        &format!(
            "{SUCCESS_SCHEMA}              encoding:\n                data:\n                  contentType: text/plain\n"
        ),
    );
    assert_eq!(
        error_of(&text),
        format!(
            "openapi.yaml: {OPERATION_AT}/responses/200/content/application~1json/encoding: \
             progenitor does not support `encoding` in a JSON response; remove it"
        )
    );
}

// The request body.

#[test]
fn a_request_body_of_two_media_types() {
    let text = replaced(
        &spec(),
        REQUEST_CONTENT,
        &format!(
            "{REQUEST_CONTENT}          text/plain:\n            schema:\n              type: string\n"
        ),
    );
    assert_eq!(
        error_of(&text),
        format!(
            "openapi.yaml: {OPERATION_AT}/requestBody/content: the request body has 2 media \
             types (application/json, text/plain), and progenitor takes exactly one; keep one \
             of them"
        )
    );
}

#[test]
fn a_request_body_with_an_encoding() {
    let text = replaced(
        &spec(),
        REQUEST_CONTENT,
        &format!(
            "{REQUEST_CONTENT}            encoding:\n              tags:\n                contentType: text/plain\n"
        ),
    );
    assert_eq!(
        error_of(&text),
        format!(
            "openapi.yaml: {OPERATION_AT}/requestBody/content/application~1json/encoding: \
             progenitor does not support `encoding` for a application/json request body; \
             remove `encoding`"
        )
    );
}

#[test]
fn a_request_body_without_a_schema() {
    let text = replaced(&spec(), REQUEST_CONTENT, "          application/json: {}\n");
    assert_eq!(
        error_of(&text),
        format!(
            "openapi.yaml: {OPERATION_AT}/requestBody/content/application~1json: the request \
             body has no schema; add one under `schema:` (e.g. a $ref to a component)"
        )
    );
}

#[test]
fn the_request_schema_renamed() {
    let text = spec().replace("UpdateContactRequest", "ContactUpdate");
    assert_eq!(
        error_of(&text),
        "openapi.yaml: #/components/schemas: there is no schema named \"UpdateContactRequest\", \
         which the build writes out as the request body's JSON Schema; keep that name, or \
         change REQUEST_SCHEMA in codegen/mod.rs"
    );
}

// Path parameters.

#[test]
fn a_path_template_name_without_a_parameter() {
    let text = replaced(
        &spec(),
        "  /v1/contacts/{contact_id}:\n",
        "  /v1/contacts/{contact_id}/{tag}:\n",
    );
    assert_eq!(
        error_of(&text),
        "openapi.yaml: #/paths/~1v1~1contacts~1{contact_id}~1{tag}/patch: the path has {tag}, \
         but no parameter \"tag\" with `in: path` is declared for it; declare it (with \
         `required: true`) in the operation's or the path's parameters, or fix the path"
    );
}

#[test]
fn a_path_parameter_that_is_not_in_the_path() {
    let text = with_parameter(
        "        - name: tag\n          in: path\n          required: true\n          schema:\n            type: string\n",
    );
    assert_eq!(
        error_of(&text),
        format!(
            "openapi.yaml: {OPERATION_AT}/parameters/1: path parameter \"tag\" does not appear \
             in the path \"/v1/contacts/{{contact_id}}\"; rename it to match a {{name}} of the \
             path, or remove it"
        )
    );
}

#[test]
fn a_path_parameter_that_is_not_required() {
    let text = replaced(
        &spec(),
        "          in: path\n          required: true\n",
        "          in: path\n",
    );
    assert_eq!(
        error_of(&text),
        format!(
            "openapi.yaml: {OPERATION_AT}/parameters/0: path parameter \"contact_id\" lacks \
             `required: true`, which OpenAPI demands of path parameters and progenitor \
             asserts; add `required: true`"
        )
    );
}

#[test]
fn a_query_parameter_named_like_the_path_parameter() {
    let text = with_parameter(
        "        - name: contact_id\n          in: query\n          schema:\n            type: string\n",
    );
    assert_eq!(
        error_of(&text),
        format!(
            "openapi.yaml: {OPERATION_AT}/parameters/1: the parameter \"contact_id\" is `in: \
             query`, but the path has {{contact_id}} and progenitor matches parameters by name \
             only; rename one of them"
        )
    );
}

#[test]
fn a_path_parameter_declared_on_the_path_item_counts() {
    // Not a mistake: a path item's parameters apply to its operations.
    let text = replaced(&spec(), PATH_PARAMETER, "");
    let text = replaced(
        &text,
        "  /v1/contacts/{contact_id}:\n",
        &format!("  /v1/contacts/{{contact_id}}:\n    parameters:\n{PATH_PARAMETER}"),
    );
    let text = replaced(
        &text,
        "      parameters:\n      requestBody:",
        "      requestBody:",
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("openapi.yaml");
    fs::write(&path, text).unwrap();
    codegen::generate(&path, dir.path()).expect("a path-level parameter is valid");
}

// Schemas typify cannot convert.

#[test]
fn an_enum_with_a_duplicate_value() {
    let text = with_schema("    Stage:\n      type: string\n      enum: [lead, won, lead]\n");
    assert_eq!(
        error_of(&text),
        "openapi.yaml: #/components/schemas/Stage/enum: the enum lists \"lead\" twice, and \
         typify panics on two variants of one name; remove the duplicate, or make the values \
         differ in letters or digits, not only in case or punctuation"
    );
}

#[test]
fn enum_values_that_differ_only_in_case_or_punctuation() {
    let text =
        with_schema("    Stage:\n      type: string\n      enum: [in-progress, in_progress]\n");
    assert_eq!(
        error_of(&text),
        "openapi.yaml: #/components/schemas/Stage/enum: the enum has the values \"in-progress\" \
         and \"in_progress\", which typify can only name alike (InXprogress), and typify panics \
         on two variants of one name; remove the duplicate, or make the values differ in \
         letters or digits, not only in case or punctuation"
    );
}

#[test]
fn enum_values_that_typify_names_apart_are_fine() {
    // "ab" and "a_b" collide on the first try of typify and not on its second.
    let text = with_schema("    Code:\n      type: string\n      enum: [ab, a_b, A-B-C]\n");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("openapi.yaml");
    fs::write(&path, text).unwrap();
    codegen::generate(&path, dir.path()).expect("typify names these apart");
}

#[test]
fn an_enum_without_a_type_and_values_of_two_types() {
    let text = with_schema("    Limit:\n      enum: [none, 10]\n");
    assert_eq!(
        error_of(&text),
        "openapi.yaml: #/components/schemas/Limit/enum: the enum has no `type` and values of 2 \
         JSON types (string, number), and typify needs the values of one type; add `type:` and \
         keep only values of that type"
    );
}

#[test]
fn an_empty_all_of() {
    let text = with_schema("    Empty:\n      allOf: []\n");
    assert_eq!(
        error_of(&text),
        "openapi.yaml: #/components/schemas/Empty/allOf: `allOf` is empty, and typify cannot \
         merge zero schemas; list at least one schema, or remove `allOf`"
    );
}

#[test]
fn a_schema_that_is_only_a_not() {
    let text = with_schema("    NotText:\n      not:\n        type: string\n");
    assert_eq!(
        error_of(&text),
        "openapi.yaml: #/components/schemas/NotText/not: typify converts a schema that is only \
         a `not` when the `not` is `{}` or an `enum` of one type, and panics on this one; turn \
         it into an enum of the excluded values, or drop the `not`"
    );
}

#[test]
fn a_not_that_typify_can_convert_is_fine() {
    let text = with_schema(
        "    NotReserved:\n      type: string\n      not:\n        enum: [admin, root]\n    NotInAllOf:\n      allOf:\n        - $ref: \"#/components/schemas/TagInput\"\n        - not:\n            type: string\n",
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("openapi.yaml");
    fs::write(&path, text).unwrap();
    codegen::generate(&path, dir.path()).expect("typify converts these");
}

#[test]
fn a_one_of_variant_that_requires_another_property() {
    let text = with_schema(
        "    Change:\n      oneOf:\n        - type: object\n          required: [set]\n          properties:\n            sets:\n              type: string\n        - type: object\n          required: [add]\n          properties:\n            add:\n              type: string\n",
    );
    assert_eq!(
        error_of(&text),
        "openapi.yaml: #/components/schemas/Change/oneOf/0/required: \"set\" is required, but \
         the one property is \"sets\", and typify asserts that a one-property variant of a \
         `oneOf` requires that property; fix the name in `required` or in `properties`"
    );
}

#[test]
fn a_default_outside_the_enum() {
    let text = with_schema(
        "    Color:\n      type: string\n      enum: [red, green]\n      default: blue\n",
    );
    assert_eq!(
        error_of(&text),
        "openapi.yaml: #/components/schemas/Color/default: the default \"blue\" is not one of \
         the enum's values, and progenitor rejects the spec for it; fix the default, or remove \
         it"
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
             change the spec to avoid what the message names (CONTRIBUTING.md, \"Changing the \
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
