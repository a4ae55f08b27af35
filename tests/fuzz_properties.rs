//! Property tests of everything that takes outside input: any response
//! (every status from 100 to 599, any headers, any body) decodes to `Ok` or
//! a typed error that keeps what arrived, and the input validators accept
//! exactly what the API allows. None of it may panic.
//!
//! Responses go through the real path (the generated method and the crate's
//! mapping) via the private `__fuzz` seam, with no network. The cargo-fuzz
//! targets in `fuzz/` run the same checks for much longer.

use std::sync::OnceLock;

use proptest::prelude::*;
use talktohumans::{
    AccountId, ContactId, Error, InvalidInput, UpdateContactInput, UpdateContactOutput, fuzzing,
};

#[path = "oracle/blank.rs"]
mod blank;
use blank::is_blank;

#[path = "oracle/success_body.rs"]
mod success_body;
use success_body::{has_contact, is_contact, may_need_too_many_repairs};

const CONTACT: &str = r#"{"data":{"contact":{"contact_id":"123","name":"Ada","tags":[{"name":"Hot lead","color":"red"}],"notes_json":"{\"stage\":\"demo\"}","company":null,"connections_count":500,"unknown":{"x":[1,2]}}}}"#;

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    })
}

fn decode(
    status: u16,
    headers: &[(Vec<u8>, Vec<u8>)],
    body: &[u8],
) -> Result<UpdateContactOutput, Error> {
    decode_with(false, status, headers, body)
}

fn decode_with(
    strict: bool,
    status: u16,
    headers: &[(Vec<u8>, Vec<u8>)],
    body: &[u8],
) -> Result<UpdateContactOutput, Error> {
    let headers: Vec<(&[u8], &[u8])> = headers
        .iter()
        .map(|(name, value)| (name.as_slice(), value.as_slice()))
        .collect();
    runtime()
        .block_on(fuzzing::decode_with(strict, status, &headers, body))
        .expect("every status from 100 to 999 can arrive")
}

fn header_name() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::sample::select(vec![
            "x-request-id",
            "request-id",
            "retry-after",
            "retry-after-ms",
            "x-should-retry",
            "content-type",
            "content-length",
            "content-encoding",
            "transfer-encoding",
            "location",
        ])
        .prop_map(|name| name.as_bytes().to_vec()),
        prop::collection::vec(any::<u8>(), 0..12),
    ]
}

fn header_value() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::sample::select(vec![
            "0",
            "1",
            "120",
            "-1",
            "1e300",
            "NaN",
            "inf",
            "99999999999999999999999",
            "true",
            "false",
            "application/json",
            "gzip",
            "chunked",
            "Wed, 21 Oct 2015 07:28:00 GMT",
            "Fri, 31 Dec 9999 23:59:59 GMT",
            "",
        ])
        .prop_map(|value| value.as_bytes().to_vec()),
        any::<String>().prop_map(String::into_bytes),
        prop::collection::vec(any::<u8>(), 0..40),
    ]
}

/// Arbitrary JSON, nested a few levels.
fn json() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    prop::sample::select(vec![
                        "data",
                        "contact",
                        "tags",
                        "name",
                        "color",
                        "notes_json",
                        "message",
                        "error",
                        "company",
                        "contact_id"
                    ])
                    .prop_map(str::to_owned),
                    any::<String>(),
                ],
                inner,
                0..6
            )
            .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..256),
        json().prop_map(|value| value.to_string().into_bytes()),
        // The documented shape around arbitrary JSON.
        json().prop_map(|value| format!(r#"{{"data":{{"contact":{value}}}}}"#).into_bytes()),
        json().prop_map(|value| format!(r#"{{"data":{value}}}"#).into_bytes()),
        // A valid contact, cut short or with one byte changed.
        (0..=CONTACT.len()).prop_map(|end| CONTACT.as_bytes()[..end].to_vec()),
        (0..CONTACT.len(), any::<u8>()).prop_map(|(at, byte)| {
            let mut body = CONTACT.as_bytes().to_vec();
            body[at] = byte;
            body
        }),
        Just(CONTACT.as_bytes().to_vec()),
    ]
}

fn headers() -> impl Strategy<Value = Vec<(Vec<u8>, Vec<u8>)>> {
    prop::collection::vec((header_name(), header_value()), 0..6)
}

fn check_response(status: u16, headers: &[(Vec<u8>, Vec<u8>)], body: &[u8]) {
    check_response_with(false, status, headers, body);
    check_response_with(true, status, headers, body);
}

fn check_response_with(strict: bool, status: u16, headers: &[(Vec<u8>, Vec<u8>)], body: &[u8]) {
    let result = decode_with(strict, status, headers, body);
    // Every way of showing the outcome works too.
    let _ = format!("{result:?}");
    let success = (200..300).contains(&status);
    // The typed decoding skips what it ignores unchecked (invalid UTF-8 in an
    // unknown field), so a body it takes may not even parse as a `Value`.
    let decodes = is_contact(body) || (!strict && has_contact(body));
    match &result {
        Ok(updated) => {
            assert_eq!(updated.status.as_u16(), status);
            assert!(success, "HTTP {status} decoded");
            assert!(
                decodes,
                "decoded a body that is not a contact (strict: {strict})"
            );
            assert!(
                !is_contact(body) || updated.drift.is_empty(),
                "{:?}",
                updated.drift
            );
            assert!(!strict || updated.drift.is_empty());
            // A name that is text is kept, an integer is read as its
            // digits; anything else is left out.
            if let Ok(sent) = serde_json::from_slice::<serde_json::Value>(body) {
                let name = &sent["data"]["contact"]["name"];
                let expected = match name {
                    serde_json::Value::Number(n) if !n.is_f64() => Some(n.to_string()),
                    other => other.as_str().map(str::to_owned),
                };
                assert_eq!(updated.contact.name, expected);
            }
            for drift in &updated.drift {
                let _ = (drift.to_string(), drift.expected(), drift.found_preview());
                assert!(drift.path().starts_with("/data/contact"), "{drift}");
            }
            let _ = updated.request_id();
        }
        Err(error) => {
            let _ = error.to_string();
            assert_eq!(error.attempts(), 1);
            assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
            let _ = error.request_id();
            match error {
                Error::UndecodableResponse(undecodable) => {
                    assert!((200..300).contains(&status), "HTTP {status}: {error}");
                    assert_eq!(undecodable.status().as_u16(), status);
                    assert_eq!(undecodable.response().body().as_ref(), body);
                    assert!(!undecodable.reason().is_empty());
                    // A success carrying a contact decodes, unless it needs
                    // more repairs than the limit.
                    let too_many = may_need_too_many_repairs(body)
                        && undecodable.reason().contains("more than 1000 values");
                    assert!(!decodes || too_many, "{error} (strict: {strict})");
                }
                Error::Api(api) => {
                    assert!(!(200..300).contains(&status), "HTTP {status}: {error}");
                    assert_eq!(api.status().as_u16(), status);
                    assert_eq!(api.response().body().as_ref(), body);
                    let _ = (
                        api.message(),
                        api.json(),
                        api.retry_after(),
                        api.request_id(),
                    );
                }
                other => panic!("HTTP {status}: not a typed response error: {other:?}"),
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn any_response_decodes_or_is_a_typed_error(
        status in prop_oneof![
            100u16..=599,
            prop::sample::select(vec![200u16, 201, 204, 301, 400, 404, 422, 429, 500, 503]),
        ],
        headers in headers(),
        body in body(),
    ) {
        check_response(status, &headers, &body);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn a_contact_with_a_200_always_decodes(headers in headers(), contact in json()) {
        // Any object is a contact: every field is optional, unknown ones are
        // ignored. Fields of the wrong type are not.
        let mut object = serde_json::Map::new();
        if let serde_json::Value::Object(fields) = contact {
            for (key, value) in fields {
                if !is_known_field(&key) {
                    object.insert(key, value);
                }
            }
        }
        let body = serde_json::json!({"data": {"contact": object}}).to_string();
        let headers: Vec<_> = headers
            .into_iter()
            .filter(|(name, _)| !name.eq_ignore_ascii_case(b"content-encoding"))
            .collect();
        let updated = decode(200, &headers, body.as_bytes());
        prop_assert!(updated.is_ok(), "{updated:?}");
    }

    #[test]
    fn statuses_outside_what_can_arrive_are_refused(status in prop_oneof![0u16..100, 1000u16..]) {
        let result = runtime().block_on(fuzzing::decode(status, &[], b""));
        prop_assert!(result.is_none());
    }

    #[test]
    fn ids_are_exactly_the_pattern(value in id_text()) {
        let matches = value.chars().next().is_some_and(|c| ('1'..='9').contains(&c))
            && value.chars().all(|c| c.is_ascii_digit());
        match ContactId::new(&value) {
            Ok(id) => {
                prop_assert!(matches, "{value:?} accepted");
                prop_assert_eq!(id.as_str(), value.as_str());
                prop_assert_eq!(id.to_string(), value.clone());
            }
            Err(error) => {
                prop_assert!(!matches, "{value:?} refused: {error}");
                let is_contact_id = matches!(error, InvalidInput::ContactId { .. });
                prop_assert!(is_contact_id, "{:?}", error);
                let _ = format!("{error} {error:?}");
            }
        }
        match AccountId::new(&value) {
            Ok(id) => prop_assert!(matches && id.as_str() == value),
            Err(error) => {
                prop_assert!(!matches);
                let is_account_id = matches!(error, InvalidInput::AccountId { .. });
                prop_assert!(is_account_id, "{:?}", error);
            }
        }
    }

    #[test]
    fn tag_names_are_refused_only_when_blank(name in tag_text()) {
        let added = UpdateContactInput::builder("1").add_tag(name.as_str()).build();
        let removed = UpdateContactInput::builder("1").remove_tag(name.as_str()).build();
        let set = UpdateContactInput::builder("1").set_tags([name.as_str()]).build();
        for result in [added, removed, set] {
            match result {
                Ok(update) => {
                    prop_assert!(!is_blank(&name), "{:?}", name);
                    // The name is sent exactly as given.
                    let body: serde_json::Value = serde_json::from_str(&update.body_json()).unwrap();
                    prop_assert!(body.to_string().contains(&serde_json::Value::from(name.as_str()).to_string()));
                }
                Err(InvalidInput::BlankTagName { name: refused }) => {
                    prop_assert_eq!(&refused, &name);
                    prop_assert!(is_blank(&name), "{:?}", name);
                }
                Err(other) => prop_assert!(false, "{name:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn notes_text_is_accepted_exactly_when_it_is_json(text in notes_text()) {
        let result = UpdateContactInput::builder("1").notes_json(text.as_str()).build();
        let is_json = serde_json::from_str::<serde::de::IgnoredAny>(&text).is_ok();
        let is_null = is_json && text.trim() == "null";
        match result {
            Ok(update) => {
                prop_assert!(is_json && !is_null && !text.trim().is_empty());
                // Sent unchanged, as a string.
                let body: serde_json::Value = serde_json::from_str(&update.body_json()).unwrap();
                prop_assert_eq!(body["notes_json"].as_str(), Some(text.as_str()));
            }
            Err(InvalidInput::EmptyNotesText) => prop_assert!(text.trim().is_empty()),
            Err(InvalidInput::NotesNotJson { .. }) => prop_assert!(!is_json),
            Err(InvalidInput::NullNotes) => prop_assert!(is_null),
            Err(other) => prop_assert!(false, "{text:?}: {other:?}"),
        }
    }
}

fn is_known_field(key: &str) -> bool {
    // The generated contact's fields: a random value there may have the
    // wrong type.
    const FIELDS: &[&str] = &[
        "about",
        "account",
        "account_relationship_id",
        "app_url",
        "avatar_url",
        "background_cover_url",
        "company",
        "connection_invitation",
        "connections_count",
        "contact_id",
        "educations",
        "experiences",
        "first_name",
        "follower_count",
        "headline",
        "languages",
        "last_interaction_at",
        "last_name",
        "linkedin_url",
        "locations",
        "name",
        "notes_json",
        "primary_company_name",
        "primary_role_title",
        "profile_action_label",
        "profile_action_url",
        "provider_participant_id",
        "public_identifier",
        "sequence",
        "tags",
    ];
    FIELDS.contains(&key)
}

fn id_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        any::<u128>().prop_map(|n| n.to_string()),
        (any::<u64>(), any::<String>()).prop_map(|(n, tail)| format!("{n}{tail}")),
        prop::sample::select(vec!["0", "01", "+1", "-1", " 1", "1 ", "1١", "１", ""])
            .prop_map(str::to_owned),
        prop::collection::vec(prop::sample::select(vec!['0', '1', '9']), 0..400)
            .prop_map(|digits| digits.into_iter().collect()),
    ]
}

fn tag_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        prop::collection::vec(
            prop::sample::select(vec![
                ' ', '\t', '\n', '\u{a0}', '\u{3000}', '\u{feff}', '\u{85}', '\u{200b}', 'a'
            ]),
            0..8
        )
        .prop_map(|chars| chars.into_iter().collect()),
    ]
}

fn notes_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        json().prop_map(|value| value.to_string()),
        json().prop_map(|value| format!(" \n{value:#}\t")),
        json().prop_map(|value| {
            let text = value.to_string();
            text.chars().take(text.chars().count() / 2).collect()
        }),
        prop::sample::select(vec![
            "",
            " ",
            "null",
            "1e400",
            "[",
            "\"",
            "{}",
            "\u{feff}{}"
        ])
        .prop_map(str::to_owned),
    ]
}
