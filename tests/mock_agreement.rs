//! The mock checks requests with its own code, written from the API
//! reference (`src/mock/request.rs`), not with the client's validators. This
//! holds the two to the same verdicts on a corpus of valid and invalid
//! bodies, so that a bug in either shows up as a disagreement:
//!
//! - bodies the client can express: the client's `UpdateContactInput` rules
//!   against the mock, with the client's deliberate extra refusals listed;
//! - bodies it cannot (wrong JSON types, unknown fields): the JSON Schema
//!   that the build writes from the spec against the mock.

mod support;

use serde_json::{Value, json};
use talktohumans::mock::{MockContact, MockServer};
use talktohumans::{InvalidInput, Tag, UpdateContactInput, UpdateContactInputBuilder};

const CONTACT: &str = "5";
const ACCOUNT: &str = "42";

async fn mock() -> MockServer {
    support::start(
        MockServer::builder()
            .without_default_seed()
            .contact(MockContact::new(CONTACT, ACCOUNT)),
    )
    .await
}

/// Whether the mock takes `body` for `contact_id` as valid: anything but the
/// 400 and 422 it answers a request that breaks a rule with (a valid id of no
/// contact is a 404).
async fn mock_accepts(mock: &MockServer, contact_id: &str, body: &str) -> bool {
    let encoded: String = contact_id
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let status = talktohumans::reqwest::Client::new()
        .patch(format!("{}/v1/contacts/{encoded}", mock.base_url()))
        .bearer_auth(mock.api_key())
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .expect("the mock answers")
        .status();
    !matches!(status.as_u16(), 400 | 422)
}

/// A case the client can express: its builder, and the body it stands for
/// (for a refused builder, the body that would have been sent).
struct Case {
    contact_id: &'static str,
    build: fn(UpdateContactInputBuilder) -> UpdateContactInputBuilder,
    body: Value,
}

fn case(
    contact_id: &'static str,
    build: fn(UpdateContactInputBuilder) -> UpdateContactInputBuilder,
    body: Value,
) -> Case {
    Case {
        contact_id,
        build,
        body,
    }
}

fn corpus() -> Vec<Case> {
    let c = CONTACT;
    vec![
        // Valid for both.
        case(
            c,
            |b| {
                b.account_id(ACCOUNT)
                    .add_tag(Tag::new("Hot lead").with_color("red"))
                    .remove_tag("Old tag")
            },
            json!({"account_id": "42", "tags": {"add": [{"name": "Hot lead", "color": "red"}], "remove": ["Old tag"]}}),
        ),
        case(c, |b| b.clear_tags(), json!({"tags": {"set": []}})),
        case(
            c,
            |b| b.set_tags([Tag::new("a"), Tag::new("b").with_color("blue")]),
            json!({"tags": {"set": [{"name": "a"}, {"name": "b", "color": "blue"}]}}),
        ),
        case(
            c,
            |b| b.notes(&json!({"x": 1})),
            json!({"notes_json": "{\"x\":1}"}),
        ),
        case(c, |b| b.clear_notes(), json!({"notes_json": ""})),
        case(
            c,
            |b| b.notes_json("[1, 2]"),
            json!({"notes_json": "[1, 2]"}),
        ),
        case(c, |b| b.notes_json("0"), json!({"notes_json": "0"})),
        case(
            c,
            |b| b.add_tag(" a "),
            json!({"tags": {"add": [{"name": " a "}]}}),
        ),
        case(
            c,
            |b| b.add_tag("🔥"),
            json!({"tags": {"add": [{"name": "🔥"}]}}),
        ),
        case(
            c,
            |b| b.add_tag("\u{200b}"),
            json!({"tags": {"add": [{"name": "\u{200b}"}]}}),
        ),
        case(c, |b| b.remove_tag("x"), json!({"tags": {"remove": ["x"]}})),
        case(
            "999999999999999999999999999999",
            |b| b.add_tag("a"),
            json!({"tags": {"add": [{"name": "a"}]}}),
        ),
        // Invalid for both: ids.
        case(
            "0",
            |b| b.add_tag("a"),
            json!({"tags": {"add": [{"name": "a"}]}}),
        ),
        case(
            "01",
            |b| b.add_tag("a"),
            json!({"tags": {"add": [{"name": "a"}]}}),
        ),
        case(
            "-1",
            |b| b.add_tag("a"),
            json!({"tags": {"add": [{"name": "a"}]}}),
        ),
        case(
            "+1",
            |b| b.add_tag("a"),
            json!({"tags": {"add": [{"name": "a"}]}}),
        ),
        case(
            "1a",
            |b| b.add_tag("a"),
            json!({"tags": {"add": [{"name": "a"}]}}),
        ),
        case(
            "１",
            |b| b.add_tag("a"),
            json!({"tags": {"add": [{"name": "a"}]}}),
        ),
        case(
            " 1",
            |b| b.add_tag("a"),
            json!({"tags": {"add": [{"name": "a"}]}}),
        ),
        case(
            c,
            |b| b.account_id("042").add_tag("a"),
            json!({"account_id": "042", "tags": {"add": [{"name": "a"}]}}),
        ),
        case(
            c,
            |b| b.account_id("").add_tag("a"),
            json!({"account_id": "", "tags": {"add": [{"name": "a"}]}}),
        ),
        case(
            c,
            |b| b.account_id("4 2").add_tag("a"),
            json!({"account_id": "4 2", "tags": {"add": [{"name": "a"}]}}),
        ),
        case(
            c,
            |b| b.account_id("٤٢").add_tag("a"),
            json!({"account_id": "٤٢", "tags": {"add": [{"name": "a"}]}}),
        ),
        // Invalid for both: tag names, in every list.
        case(
            c,
            |b| b.add_tag(""),
            json!({"tags": {"add": [{"name": ""}]}}),
        ),
        case(
            c,
            |b| b.add_tag(" "),
            json!({"tags": {"add": [{"name": " "}]}}),
        ),
        case(
            c,
            |b| b.add_tag("\t\n"),
            json!({"tags": {"add": [{"name": "\t\n"}]}}),
        ),
        case(
            c,
            |b| b.add_tag("\u{a0}"),
            json!({"tags": {"add": [{"name": "\u{a0}"}]}}),
        ),
        case(
            c,
            |b| b.add_tag("\u{3000}"),
            json!({"tags": {"add": [{"name": "\u{3000}"}]}}),
        ),
        case(
            c,
            |b| b.add_tag("\u{2028}"),
            json!({"tags": {"add": [{"name": "\u{2028}"}]}}),
        ),
        case(
            c,
            |b| b.add_tag("\u{85}"),
            json!({"tags": {"add": [{"name": "\u{85}"}]}}),
        ),
        case(
            c,
            |b| b.add_tag("\u{feff}"),
            json!({"tags": {"add": [{"name": "\u{feff}"}]}}),
        ),
        case(
            c,
            |b| b.set_tags([" "]),
            json!({"tags": {"set": [{"name": " "}]}}),
        ),
        case(c, |b| b.remove_tag(""), json!({"tags": {"remove": [""]}})),
        case(
            c,
            |b| b.remove_tag("\u{2003}"),
            json!({"tags": {"remove": ["\u{2003}"]}}),
        ),
        // Invalid for both: rules beyond the types.
        case(
            c,
            |b| b.add_tag("a").remove_tag("a"),
            json!({"tags": {"add": [{"name": "a"}], "remove": ["a"]}}),
        ),
        case(
            c,
            |b| b.set_tags(["a"]).add_tag("b"),
            json!({"tags": {"set": [{"name": "a"}], "add": [{"name": "b"}]}}),
        ),
        case(
            c,
            |b| b.clear_tags().remove_tag("b"),
            json!({"tags": {"set": [], "remove": ["b"]}}),
        ),
        case(c, |b| b.notes_json("{"), json!({"notes_json": "{"})),
        case(c, |b| b.notes_json("{} x"), json!({"notes_json": "{} x"})),
        case(c, |b| b.notes_json("  "), json!({"notes_json": "  "})),
        case(c, |b| b.notes_json("nope"), json!({"notes_json": "nope"})),
        // The client's own refusals, which the mock accepts (see below).
        case(c, |b| b, json!({})),
        case(
            c,
            |b| {
                b.tags(talktohumans::TagChange::incremental(
                    Vec::<Tag>::new(),
                    Vec::<String>::new(),
                ))
            },
            json!({"tags": {"add": [], "remove": []}}),
        ),
        case(
            c,
            |b| {
                b.add_tag(Tag::new("a").with_color("red"))
                    .add_tag(Tag::new("a").with_color("blue"))
            },
            json!({"tags": {"add": [{"name": "a", "color": "red"}, {"name": "a", "color": "blue"}]}}),
        ),
        case(
            c,
            |b| b.set_tags([Tag::new("a"), Tag::new("a").with_color("blue")]),
            json!({"tags": {"set": [{"name": "a"}, {"name": "a", "color": "blue"}]}}),
        ),
        case(c, |b| b.notes_json("null"), json!({"notes_json": "null"})),
        case(c, |b| b.notes(&Value::Null), json!({"notes_json": "null"})),
    ]
}

/// What the client refuses on purpose although the API may take it: each is
/// an assumption of the crate (README, Assumptions), not a rule of the API,
/// so the mock, which follows the API, accepts it.
fn deliberate(refusal: &InvalidInput) -> bool {
    matches!(
        refusal,
        InvalidInput::NothingToUpdate
            | InvalidInput::ConflictingTagColors { .. }
            | InvalidInput::NullNotes
    )
}

#[tokio::test]
async fn the_client_and_the_mock_agree_on_every_body_the_client_can_express() {
    let mock = mock().await;
    let mut disagreements = Vec::new();
    for case in corpus() {
        let built = (case.build)(UpdateContactInput::builder(case.contact_id)).build();
        let body = case.body.to_string();
        if let Ok(input) = &built {
            // The case's body is the one the client sends.
            let sent: Value = serde_json::from_str(&input.body_json()).unwrap();
            assert_eq!(sent, case.body, "{}", case.contact_id);
        }
        let mock_ok = mock_accepts(&mock, case.contact_id, &body).await;
        let agrees = match &built {
            Ok(_) => mock_ok,
            Err(refusal) if deliberate(refusal) => mock_ok,
            Err(_) => !mock_ok,
        };
        if !agrees {
            disagreements.push(format!(
                "{} {body}: client {:?}, mock {}",
                case.contact_id,
                built.as_ref().map(drop),
                if mock_ok { "accepts" } else { "refuses" }
            ));
        }
    }
    assert!(disagreements.is_empty(), "{disagreements:#?}");
}

#[tokio::test]
async fn the_json_schema_and_the_mock_agree_on_the_shape_of_bodies() {
    let schema = UpdateContactInput::json_schema();
    let validator = jsonschema::validator_for(&schema).expect("a valid schema");
    let valid = [
        json!({}),
        json!({"account_id": "42"}),
        json!({"notes_json": null}),
        json!({"notes_json": ""}),
        json!({"notes_json": "{}"}),
        json!({"tags": {"set": []}}),
        json!({"tags": {"set": [{"name": "a", "color": "red"}]}}),
        json!({"tags": {"add": [{"name": "a"}]}}),
        json!({"tags": {"remove": ["a"]}}),
        json!({"tags": {"add": [], "remove": []}}),
        json!({"account_id": "42", "tags": {"add": [{"name": "Hot lead", "color": "red"}], "remove": ["Old tag"]}, "notes_json": "[]"}),
    ];
    let invalid = [
        json!(null),
        json!([]),
        json!(5),
        json!("{}"),
        json!({"extra": 1}),
        json!({"account_id": 42}),
        json!({"account_id": "042"}),
        json!({"account_id": ""}),
        json!({"account_id": null}),
        json!({"notes_json": {}}),
        json!({"notes_json": 1}),
        json!({"notes_json": true}),
        json!({"tags": null}),
        json!({"tags": []}),
        json!({"tags": {}}),
        json!({"tags": {"set": [], "add": []}}),
        json!({"tags": {"set": null}}),
        json!({"tags": {"set": [{"name": "a"}], "remove": ["b"]}}),
        json!({"tags": {"add": ["a"]}}),
        json!({"tags": {"add": {"name": "a"}}}),
        json!({"tags": {"add": [{"color": "red"}]}}),
        json!({"tags": {"add": [{"name": "a", "size": 1}]}}),
        json!({"tags": {"add": [{"name": "a", "color": null}]}}),
        json!({"tags": {"add": [{"name": "a", "color": 1}]}}),
        json!({"tags": {"add": [{"name": ""}]}}),
        json!({"tags": {"add": [{"name": " \t"}]}}),
        json!({"tags": {"add": [{"name": "\u{a0}"}]}}),
        json!({"tags": {"add": [{"name": 1}]}}),
        json!({"tags": {"remove": [""]}}),
        json!({"tags": {"remove": [1]}}),
        json!({"tags": {"remove": "a"}}),
        json!({"tags": {"keep": []}}),
    ];
    let mock = mock().await;
    let mut disagreements = Vec::new();
    for (body, expected) in valid
        .iter()
        .map(|b| (b, true))
        .chain(invalid.iter().map(|b| (b, false)))
    {
        let schema_ok = validator.is_valid(body);
        assert_eq!(schema_ok, expected, "the corpus itself: {body}");
        let mock_ok = mock_accepts(&mock, CONTACT, &body.to_string()).await;
        if mock_ok != schema_ok {
            disagreements.push(format!("{body}: schema {schema_ok}, mock {mock_ok}"));
        }
    }
    assert!(disagreements.is_empty(), "{disagreements:#?}");
}
