//! The contact a successful update returns, decoded from the server's JSON:
//! the API reference's example, sparse and null-filled contacts, unknown
//! fields, timestamps and large counts. What is decoded must be what was
//! sent: the decoded contact, serialized again, is compared with the fixture.

mod support;

use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Value, json};
use support::{
    answering_once, answering_once_with, client, fixture, fixture_json, json_response, tag_names,
};
use talktohumans::types::Contact;

/// Sends a valid update to a server that answers `fixture` with HTTP 200, and
/// returns the decoded contact.
async fn contact_from(fixture_name: &str) -> Contact {
    let server = answering_once_with(json_response(200, &fixture(fixture_name))).await;
    client(&server)
        .update_contact("123")
        .add_tag("Hot lead")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{fixture_name} must decode: {e}"))
        .contact
}

/// `data.contact` of a fixture.
fn sent_contact(fixture_name: &str) -> Value {
    fixture_json(fixture_name)["data"]["contact"].clone()
}

fn reserialized(contact: &Contact) -> Value {
    serde_json::to_value(contact).expect("a contact serializes")
}

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, nanos: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s)
        .single()
        .expect("a valid date")
        + chrono::Duration::nanoseconds(i64::from(nanos))
}

#[tokio::test]
async fn the_seeds_example_response_decodes_to_exactly_what_was_sent() {
    let contact = contact_from("seed_example_response.json").await;

    // Every field of the example is known, so nothing may be lost or added.
    assert_eq!(
        reserialized(&contact),
        sent_contact("seed_example_response.json")
    );

    // And the typed values are the ones in the example.
    assert_eq!(contact.contact_id.as_deref(), Some("<string>"));
    assert_eq!(contact.follower_count, Some(123));
    assert_eq!(contact.connections_count, Some(123));
    assert_eq!(
        contact.last_interaction_at,
        Some(utc(2023, 11, 7, 5, 31, 56, 0))
    );
    let tags = contact.tags.as_deref().expect("tags");
    assert_eq!(tags.len(), 1);
    assert_eq!(tags[0].name.as_deref(), Some("<string>"));
    let experience = &contact.experiences.as_deref().expect("experiences")[0];
    assert_eq!(experience.is_current, Some(true));
    assert_eq!(experience.start_at.as_deref(), Some("<string>"));
    let company = contact.company.as_ref().expect("company");
    assert_eq!(company.employee_count, Some(123));
    assert_eq!(
        company.industries.as_deref().expect("industries")[0]
            .industry_urn
            .as_deref(),
        Some("<string>")
    );
    let sequence = contact.sequence.as_ref().expect("sequence");
    assert_eq!(sequence.stop_if_person_replies, Some(true));
    let step = &sequence.steps.as_deref().expect("steps")[0];
    assert_eq!(step.position, Some(123));
    assert_eq!(step.scheduled_for, Some(utc(2023, 11, 7, 5, 31, 56, 0)));
    assert_eq!(
        contact
            .connection_invitation
            .as_ref()
            .expect("invitation")
            .received_at,
        Some(utc(2023, 11, 7, 5, 31, 56, 0))
    );
}

#[tokio::test]
async fn a_sparse_contact_decodes_with_everything_else_absent() {
    let contact = contact_from("sparse_contact_response.json").await;

    assert_eq!(
        reserialized(&contact),
        sent_contact("sparse_contact_response.json")
    );
    assert_eq!(contact.contact_id.as_deref(), Some("123"));
    assert_eq!(contact.name.as_deref(), Some("Ada Lovelace"));
    assert_eq!(tag_names(&contact), ["Hot lead", "Customer"]);
    assert!(contact.company.is_none());
    assert!(contact.sequence.is_none());
    assert!(contact.experiences.is_none());
    assert!(contact.follower_count.is_none());
}

#[tokio::test]
async fn null_in_every_field_of_the_contact_decodes_as_absent() {
    let sent = sent_contact("null_everywhere_response.json");
    // The fixture really has every field of the example, all null but the id.
    let example = sent_contact("seed_example_response.json");
    let sent_keys: Vec<_> = sent.as_object().expect("an object").keys().collect();
    let example_keys: Vec<_> = example.as_object().expect("an object").keys().collect();
    assert_eq!(sent_keys, example_keys);

    let contact = contact_from("null_everywhere_response.json").await;

    assert_eq!(reserialized(&contact), json!({"contact_id": "123"}));
    assert!(contact.company.is_none());
    assert!(contact.sequence.is_none());
    assert!(contact.connection_invitation.is_none());
    assert!(contact.account.is_none());
    assert!(contact.tags.is_none());
    assert!(contact.experiences.is_none());
    assert!(contact.educations.is_none());
    assert!(contact.locations.is_none());
    assert!(contact.languages.is_none());
    assert!(contact.follower_count.is_none());
    assert!(contact.connections_count.is_none());
    assert!(contact.last_interaction_at.is_none());
    assert!(contact.notes_json.is_none());
}

#[tokio::test]
async fn null_in_every_nested_field_decodes_as_absent() {
    let contact = contact_from("nested_nulls_response.json").await;

    // Each nested object keeps only its non-null fields.
    assert_eq!(
        reserialized(&contact),
        json!({
            "contact_id": "123",
            "name": "Ada Lovelace",
            "account": {},
            "tags": [{}],
            "languages": [{}],
            "experiences": [{"experience_id": "exp_1", "title": "Engineer"}],
            "educations": [{"education_id": "edu_1"}],
            "locations": [{}],
            "connection_invitation": {"invite_id": "inv_1"},
            "company": {"company_id": "co_1", "industries": [{}], "locations": [{}]},
            "sequence": {"sequence_id": "seq_1", "steps": [{"step_id": "step_1"}]},
        })
    );
    let experience = &contact.experiences.as_deref().expect("experiences")[0];
    assert!(experience.end_at.is_none());
    assert!(experience.is_current.is_none());
    assert!(
        contact.educations.as_deref().expect("educations")[0]
            .end_at
            .is_none()
    );
    let invitation = contact.connection_invitation.as_ref().expect("invitation");
    assert!(invitation.received_at.is_none());
    let company = contact.company.as_ref().expect("company");
    assert!(company.employee_count.is_none());
    assert!(company.follower_count.is_none());
    let sequence = contact.sequence.as_ref().expect("sequence");
    assert!(sequence.next_step_scheduled_for.is_none());
    assert!(sequence.reply_guard_after.is_none());
    assert!(
        sequence.steps.as_deref().expect("steps")[0]
            .position
            .is_none()
    );
}

#[tokio::test]
async fn unknown_fields_at_every_level_are_ignored() {
    // The fixture is the example response with unknown fields added to the
    // envelope, `data`, the contact and every nested object.
    let with_unknown = fixture_json("unknown_fields_response.json");
    assert_ne!(with_unknown, fixture_json("seed_example_response.json"));

    let contact = contact_from("unknown_fields_response.json").await;

    assert_eq!(
        reserialized(&contact),
        sent_contact("seed_example_response.json")
    );
}

#[tokio::test]
async fn timestamps_with_offsets_and_fractions_keep_their_instant() {
    let contact = contact_from("timestamps_response.json").await;

    // 23:59:59.999 at +05:30 is 18:29:59.999 UTC.
    assert_eq!(
        contact.last_interaction_at,
        Some(utc(2024, 2, 29, 18, 29, 59, 999_000_000))
    );
    assert_eq!(
        contact
            .connection_invitation
            .as_ref()
            .expect("invitation")
            .received_at,
        Some(utc(2023, 11, 7, 5, 31, 56, 123_456_789))
    );
    let sequence = contact.sequence.as_ref().expect("sequence");
    // Midnight at -08:00 is 08:00 UTC.
    assert_eq!(
        sequence.reply_guard_after,
        Some(utc(2024, 1, 1, 8, 0, 0, 0))
    );
    // Noon and a half second at +14:00 is 22:00:00.5 UTC the day before.
    assert_eq!(
        sequence.next_step_scheduled_for,
        Some(utc(2024, 6, 29, 22, 0, 0, 500_000_000))
    );
    // 23:30:00.000001 at -12:00 is 11:30:00.000001 UTC the next year.
    assert_eq!(
        sequence.steps.as_deref().expect("steps")[0].scheduled_for,
        Some(utc(2025, 1, 1, 11, 30, 0, 1_000))
    );

    // Every timestamp sent, read as an instant, equals the decoded one.
    let sent = sent_contact("timestamps_response.json");
    let instant = |v: &Value| DateTime::parse_from_rfc3339(v.as_str().expect("text")).ok();
    let back = reserialized(&contact);
    for pointer in [
        "/last_interaction_at",
        "/connection_invitation/received_at",
        "/sequence/reply_guard_after",
        "/sequence/next_step_scheduled_for",
        "/sequence/steps/0/scheduled_for",
    ] {
        let sent_instant = sent.pointer(pointer).and_then(instant);
        let decoded_instant = back.pointer(pointer).and_then(instant);
        assert!(sent_instant.is_some(), "{pointer} is in the fixture");
        assert_eq!(decoded_instant, sent_instant, "{pointer}");
    }
}

#[tokio::test]
async fn counts_above_two_to_the_31_are_exact() {
    let contact = contact_from("large_counts_response.json").await;

    assert_eq!(contact.follower_count, Some(2_147_483_648));
    assert_eq!(contact.connections_count, Some(4_294_967_296));
    let company = contact.company.as_ref().expect("company");
    // 2^53 + 1 has no exact f64: it must not pass through a float.
    assert_eq!(company.employee_count, Some(9_007_199_254_740_993));
    assert_eq!(company.follower_count, Some(i64::MAX));
    let sequence = contact.sequence.as_ref().expect("sequence");
    assert_eq!(
        sequence.steps.as_deref().expect("steps")[0].position,
        Some(3_000_000_000)
    );
    assert_eq!(
        reserialized(&contact),
        sent_contact("large_counts_response.json")
    );
}

#[tokio::test]
async fn the_notes_come_back_as_the_text_sent() {
    let notes = "{\"stage\": \"demo\", \"n\": 1.50}";
    let body = json!({"data": {"contact": {"contact_id": "123", "notes_json": notes}}});
    let server = answering_once(&body.to_string()).await;

    let contact = client(&server)
        .update_contact("123")
        .notes_json(notes)
        .send()
        .await
        .expect("the update is accepted")
        .contact;

    assert_eq!(contact.notes_json.as_deref(), Some(notes));
}
