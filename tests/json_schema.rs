//! `UpdateContactInput::json_schema()` describes the request body: it accepts the
//! API reference's example and every body the crate builds, and rejects
//! bodies that break the API's rules.

mod support;

use jsonschema::Validator;
use serde_json::{Value, json};
use support::fixture_json;
use talktohumans::{Tag, UpdateContactInput};

fn validator() -> Validator {
    let schema = UpdateContactInput::json_schema();
    jsonschema::validator_for(&schema).expect("the schema is itself valid")
}

fn errors(validator: &Validator, body: &Value) -> Vec<String> {
    validator.iter_errors(body).map(|e| e.to_string()).collect()
}

#[test]
fn the_schema_describes_the_request_body() {
    let schema = UpdateContactInput::json_schema();
    assert_eq!(schema["title"], "UpdateContactRequest");
    assert_eq!(schema["type"], "object");
    let properties = schema["properties"].as_object().expect("properties");
    let mut names: Vec<_> = properties.keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(names, ["account_id", "notes_json", "tags"]);
}

#[test]
fn the_seeds_example_request_is_valid() {
    let validator = validator();
    let example = fixture_json("seed_example_request.json");
    assert_eq!(errors(&validator, &example), Vec::<String>::new());
}

#[test]
fn every_body_the_crate_builds_is_valid() {
    let validator = validator();
    let updates = [
        UpdateContactInput::builder("1")
            .add_tag(Tag::new("a").with_color("red"))
            .build(),
        UpdateContactInput::builder("1")
            .account_id("42")
            .add_tag("a")
            .build(),
        UpdateContactInput::builder("1").remove_tag("a").build(),
        UpdateContactInput::builder("1")
            .add_tag("a")
            .remove_tag("b")
            .notes(&json!({"x": 1}))
            .build(),
        UpdateContactInput::builder("1")
            .set_tags([Tag::new("a"), Tag::new("b").with_color("blue")])
            .build(),
        UpdateContactInput::builder("1").clear_tags().build(),
        UpdateContactInput::builder("1").clear_notes().build(),
        UpdateContactInput::builder("1")
            .notes_json("[1, 2]")
            .build(),
    ];
    for update in updates {
        let body_text = update.expect("a valid update").body_json();
        let body: Value = serde_json::from_str(&body_text).expect("JSON");
        assert_eq!(
            errors(&validator, &body),
            Vec::<String>::new(),
            "{body_text}"
        );
    }
}

#[test]
fn documented_forms_are_valid() {
    let validator = validator();
    for body in [
        json!({}),
        json!({"notes_json": null}),
        json!({"notes_json": ""}),
        json!({"tags": {"set": []}}),
        json!({"tags": {"add": [{"name": "x"}]}}),
        json!({"tags": {"remove": ["x"]}}),
    ] {
        assert_eq!(errors(&validator, &body), Vec::<String>::new(), "{body}");
    }
}

#[test]
fn set_combined_with_add_or_remove_is_invalid() {
    let validator = validator();
    for body in [
        json!({"tags": {"set": [], "add": [{"name": "x"}]}}),
        json!({"tags": {"set": [{"name": "x"}], "remove": ["y"]}}),
        json!({"tags": {"set": [], "add": [], "remove": []}}),
    ] {
        assert!(!validator.is_valid(&body), "{body}");
    }
}

#[test]
fn unknown_fields_are_invalid() {
    let validator = validator();
    for body in [
        json!({"notes": "{}"}),
        json!({"tags": {"replace": []}}),
        json!({"tags": {"add": [{"name": "x", "colour": "red"}]}}),
        json!({"tags": {"set": [{"name": "x", "id": 1}]}}),
    ] {
        assert!(!validator.is_valid(&body), "{body}");
    }
}

#[test]
fn wrong_types_are_invalid() {
    let validator = validator();
    for body in [
        json!([]),
        json!({"account_id": 42}),
        json!({"notes_json": {"stage": "demo"}}),
        json!({"tags": ["x"]}),
        json!({"tags": {"set": "x"}}),
        json!({"tags": {"add": ["x"]}}),
        json!({"tags": {"add": [{"color": "red"}]}}),
        json!({"tags": {"remove": [{"name": "x"}]}}),
    ] {
        assert!(!validator.is_valid(&body), "{body}");
    }
}

// The next rules are in openapi.yaml (`TagName` has `minLength: 1` and
// pattern `\S`, ids have pattern `^[1-9][0-9]*$`, `TagsIncremental` has
// `minProperties: 1`) but not in the generated Rust types: schemars derived
// from them would see plain strings and a struct of two optional lists, which
// is why the schema is taken from the spec.

#[test]
fn an_empty_or_blank_tag_name_is_invalid() {
    let validator = validator();
    for body in [
        json!({"tags": {"add": [{"name": ""}]}}),
        json!({"tags": {"set": [{"name": "   "}]}}),
        json!({"tags": {"remove": [""]}}),
    ] {
        assert!(!validator.is_valid(&body), "{body}");
    }
}

#[test]
fn an_account_id_off_the_pattern_is_invalid() {
    let validator = validator();
    for body in [
        json!({"account_id": "0", "notes_json": ""}),
        json!({"account_id": "-42", "notes_json": ""}),
        json!({"account_id": "", "notes_json": ""}),
    ] {
        assert!(!validator.is_valid(&body), "{body}");
    }
}

#[test]
fn an_empty_tags_object_is_invalid() {
    assert!(!validator().is_valid(&json!({"tags": {}})));
}
