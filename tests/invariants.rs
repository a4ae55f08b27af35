//! Every rule of the API is checked before anything is sent: a broken rule
//! is its own `InvalidInput` variant, and the server sees no request at all.
//! The same checks run for `UpdateContactInput::builder(..).build()`.

mod support;

use std::collections::BTreeMap;

use support::{client, expect_exact_update, expect_no_request, invalid_input};
use talktohumans::{Error, IdProblem, InvalidInput, Tag, TagChange, UpdateContactInput};
use wiremock::MockServer;

/// A server that fails the test if it receives anything.
async fn silent_server() -> MockServer {
    let server = MockServer::start().await;
    expect_no_request(&server).await;
    server
}

async fn assert_nothing_was_sent(server: &MockServer) {
    server.verify().await;
    let received = server.received_requests().await.expect("recording is on");
    assert!(received.is_empty(), "{} request(s) sent", received.len());
}

const BAD_IDS: [(&str, IdProblem); 14] = [
    ("", IdProblem::Empty),
    ("0", IdProblem::LeadingZero),
    ("0123", IdProblem::LeadingZero),
    ("+123", IdProblem::NotADigit { at: 0, found: '+' }),
    ("-123", IdProblem::NotADigit { at: 0, found: '-' }),
    (" 123", IdProblem::NotADigit { at: 0, found: ' ' }),
    ("123 ", IdProblem::NotADigit { at: 3, found: ' ' }),
    ("12 3", IdProblem::NotADigit { at: 2, found: ' ' }),
    ("123\n", IdProblem::NotADigit { at: 3, found: '\n' }),
    // Arabic-Indic and fullwidth digits are digits, but not ASCII ones.
    ("١٢٣", IdProblem::NotADigit { at: 0, found: '١' }),
    ("1٢", IdProblem::NotADigit { at: 1, found: '٢' }),
    (
        "１２３",
        IdProblem::NotADigit {
            at: 0, found: '１'
        },
    ),
    ("12/3", IdProblem::NotADigit { at: 2, found: '/' }),
    ("1e3", IdProblem::NotADigit { at: 1, found: 'e' }),
];

#[tokio::test]
async fn a_bad_contact_id_is_refused_before_sending() {
    let server = silent_server().await;
    let client = client(&server);
    for (id, problem) in BAD_IDS {
        let expected = InvalidInput::ContactId {
            value: id.to_owned(),
            problem,
        };
        let sent = client.update_contact(id).clear_notes().send().await;
        assert_eq!(invalid_input(sent), expected, "{id:?}");
        let built = UpdateContactInput::builder(id).clear_notes().build();
        assert_eq!(built.unwrap_err(), expected, "{id:?}");
    }
    assert_nothing_was_sent(&server).await;
}

#[tokio::test]
async fn a_bad_account_id_is_refused_before_sending() {
    let server = silent_server().await;
    let client = client(&server);
    for (id, problem) in BAD_IDS {
        let expected = InvalidInput::AccountId {
            value: id.to_owned(),
            problem,
        };
        let sent = client
            .update_contact("123")
            .account_id(id)
            .clear_notes()
            .send()
            .await;
        assert_eq!(invalid_input(sent), expected, "{id:?}");
        let built = UpdateContactInput::builder("123")
            .account_id(id)
            .clear_notes()
            .build();
        assert_eq!(built.unwrap_err(), expected, "{id:?}");
    }
    assert_nothing_was_sent(&server).await;
}

#[tokio::test]
async fn a_ten_thousand_digit_id_is_accepted_and_sent_verbatim() {
    // Ids are strings end to end and are never parsed as numbers: the API's
    // only rule is the pattern `^[1-9][0-9]*$`, which has no length limit,
    // so an id longer than any integer type is valid and cannot overflow.
    let long_id = format!("1{}", "0123456789".repeat(1_000));
    assert_eq!(long_id.len(), 10_001);
    let server = MockServer::start().await;
    expect_exact_update(
        &server,
        &long_id,
        &format!(r#"{{"account_id":"{long_id}","notes_json":""}}"#),
    )
    .await;

    client(&server)
        .update_contact(&long_id)
        .account_id(&long_id)
        .clear_notes()
        .send()
        .await
        .expect("a long id is valid");
    server.verify().await;
}

#[test]
fn a_refused_long_id_is_kept_whole_but_shown_short() {
    let long_id = format!("0{}", "9".repeat(9_999));
    let refused = UpdateContactInput::builder(&long_id)
        .clear_notes()
        .build()
        .unwrap_err();
    assert_eq!(
        refused,
        InvalidInput::ContactId {
            value: long_id.clone(),
            problem: IdProblem::LeadingZero,
        }
    );
    let message = refused.to_string();
    assert!(message.contains("starts with 0"), "{message}");
    assert!(message.len() < 200, "{} bytes: {message}", message.len());
}

const BLANK_NAMES: [&str; 6] = ["", " ", "\t\n", "\u{a0}", "\u{3000}", "\u{2003}\u{2003}"];

#[tokio::test]
async fn a_blank_tag_name_is_refused_in_add_remove_and_set() {
    let server = silent_server().await;
    let client = client(&server);
    for name in BLANK_NAMES {
        let expected = InvalidInput::BlankTagName {
            name: name.to_owned(),
        };
        let added = client
            .update_contact("123")
            .add_tag("ok")
            .add_tag(Tag::new(name).with_color("red"))
            .send()
            .await;
        assert_eq!(invalid_input(added), expected, "add {name:?}");
        let removed = client
            .update_contact("123")
            .remove_tag("ok")
            .remove_tag(name)
            .send()
            .await;
        assert_eq!(invalid_input(removed), expected, "remove {name:?}");
        let set = client
            .update_contact("123")
            .set_tags(["ok", name])
            .send()
            .await;
        assert_eq!(invalid_input(set), expected, "set {name:?}");
        let built = UpdateContactInput::builder("123").set_tags([name]).build();
        assert_eq!(built.unwrap_err(), expected, "built set {name:?}");
    }
    assert_nothing_was_sent(&server).await;
}

#[tokio::test]
async fn the_same_tag_added_and_removed_is_refused() {
    let server = silent_server().await;
    let client = client(&server);
    let expected = InvalidInput::TagAddedAndRemoved {
        name: "Hot lead".to_owned(),
    };

    let add_then_remove = client
        .update_contact("123")
        .add_tag(Tag::new("Hot lead").with_color("red"))
        .remove_tag("Hot lead")
        .send()
        .await;
    assert_eq!(invalid_input(add_then_remove), expected);
    let remove_then_add = client
        .update_contact("123")
        .remove_tags(["Other", "Hot lead"])
        .add_tags(["New", "Hot lead"])
        .send()
        .await;
    assert_eq!(invalid_input(remove_then_add), expected);
    let built = UpdateContactInput::builder("123")
        .add_tag("Hot lead")
        .remove_tag("Hot lead")
        .build();
    assert_eq!(built.unwrap_err(), expected);

    assert_nothing_was_sent(&server).await;
}

#[tokio::test]
async fn names_that_differ_in_case_or_spacing_are_different_tags() {
    // Names are compared exactly, as the server receives them.
    let server = MockServer::start().await;
    expect_exact_update(
        &server,
        "123",
        r#"{"tags":{"add":[{"name":"Hot lead"}],"remove":["hot lead","Hot lead "]}}"#,
    )
    .await;

    client(&server)
        .update_contact("123")
        .add_tag("Hot lead")
        .remove_tags(["hot lead", "Hot lead "])
        .send()
        .await
        .expect("different names do not conflict");
    server.verify().await;
}

#[tokio::test]
async fn the_same_tag_twice_with_different_colors_is_refused() {
    let server = silent_server().await;
    let client = client(&server);
    let red_then_blue = InvalidInput::ConflictingTagColors {
        name: "Hot lead".to_owned(),
        first: Some("red".to_owned()),
        second: Some("blue".to_owned()),
    };

    let added = client
        .update_contact("123")
        .add_tag(Tag::new("Hot lead").with_color("red"))
        .add_tag("Other")
        .add_tag(Tag::new("Hot lead").with_color("blue"))
        .send()
        .await;
    assert_eq!(invalid_input(added), red_then_blue);
    let set = client
        .update_contact("123")
        .set_tags([
            Tag::new("Hot lead").with_color("red"),
            Tag::new("Hot lead").with_color("blue"),
        ])
        .send()
        .await;
    assert_eq!(invalid_input(set), red_then_blue);
    let color_then_none = client
        .update_contact("123")
        .add_tags([Tag::new("Hot lead").with_color("red"), Tag::new("Hot lead")])
        .send()
        .await;
    assert_eq!(
        invalid_input(color_then_none),
        InvalidInput::ConflictingTagColors {
            name: "Hot lead".to_owned(),
            first: Some("red".to_owned()),
            second: None,
        }
    );

    assert_nothing_was_sent(&server).await;
}

#[tokio::test]
async fn the_same_tag_twice_with_the_same_color_is_sent_once() {
    let server = MockServer::start().await;
    expect_exact_update(
        &server,
        "123",
        r#"{"tags":{"set":[{"color":"red","name":"Hot lead"},{"name":"VIP"}]}}"#,
    )
    .await;

    client(&server)
        .update_contact("123")
        .set_tags([
            Tag::new("Hot lead").with_color("red"),
            Tag::new("VIP"),
            Tag::new("Hot lead").with_color("red"),
            Tag::new("VIP"),
        ])
        .send()
        .await
        .expect("repeats with the same color are allowed");
    server.verify().await;
}

#[tokio::test]
async fn notes_text_that_is_not_json_is_refused() {
    let server = silent_server().await;
    let client = client(&server);
    for text in [
        "{",
        "not json",
        "{\"a\":1}}",
        "{'a': 1}",
        "{\"a\":1,}",
        "NaN",
        "[1] [2]",
    ] {
        let sent = client.update_contact("123").notes_json(text).send().await;
        match invalid_input(sent) {
            InvalidInput::NotesNotJson { reason } => {
                assert!(reason.contains("line 1 column"), "{text:?}: {reason}")
            }
            other => panic!("{text:?}: {other:?}"),
        }
        let built = UpdateContactInput::builder("123").notes_json(text).build();
        assert!(
            matches!(built, Err(InvalidInput::NotesNotJson { .. })),
            "{text:?}"
        );
    }
    assert_nothing_was_sent(&server).await;
}

#[tokio::test]
async fn empty_notes_text_is_refused_rather_than_read_as_clear() {
    let server = silent_server().await;
    let client = client(&server);
    for text in ["", "   ", "\n\t"] {
        let sent = client.update_contact("123").notes_json(text).send().await;
        assert_eq!(
            invalid_input(sent),
            InvalidInput::EmptyNotesText,
            "{text:?}"
        );
    }
    assert_nothing_was_sent(&server).await;
}

#[tokio::test]
async fn notes_that_cannot_be_serialized_are_refused() {
    // JSON object keys must be strings; a map keyed by lists is not JSON.
    let notes: BTreeMap<Vec<u8>, u8> = BTreeMap::from([(vec![1, 2], 3)]);
    let server = silent_server().await;

    let sent = client(&server)
        .update_contact("123")
        .notes(&notes)
        .send()
        .await;

    assert!(
        matches!(
            invalid_input(sent),
            InvalidInput::NotesNotSerializable { ref reason } if reason.contains("key must be a string")
        ),
        "a map with list keys"
    );
    assert_nothing_was_sent(&server).await;
}

#[tokio::test]
async fn an_update_that_changes_nothing_is_refused() {
    let server = silent_server().await;
    let client = client(&server);

    let bare = client.update_contact("123").send().await;
    assert_eq!(invalid_input(bare), InvalidInput::NothingToUpdate);
    let account_only = client.update_contact("123").account_id("42").send().await;
    assert_eq!(invalid_input(account_only), InvalidInput::NothingToUpdate);
    let no_tags_added = client
        .update_contact("123")
        .add_tags(Vec::<Tag>::new())
        .remove_tags(Vec::<String>::new())
        .send()
        .await;
    assert_eq!(invalid_input(no_tags_added), InvalidInput::NothingToUpdate);
    let built = UpdateContactInput::builder("123").account_id("42").build();
    assert_eq!(built.unwrap_err(), InvalidInput::NothingToUpdate);

    assert_nothing_was_sent(&server).await;
}

#[tokio::test]
async fn a_refusal_says_nothing_was_sent_and_which_rule_broke() {
    let server = silent_server().await;

    let error = client(&server)
        .update_contact("0123")
        .clear_notes()
        .send()
        .await
        .unwrap_err();

    assert!(matches!(error, Error::InvalidInput(_)));
    assert_eq!(
        error.to_string(),
        "invalid input, nothing was sent: contact id \"0123\" starts with 0"
    );
    assert_eq!(error.status(), None);
    assert!(error.response().is_none());
    assert_nothing_was_sent(&server).await;
}

#[tokio::test]
async fn replacing_the_tags_cannot_go_out_with_an_add_or_a_remove() {
    let server = silent_server().await;
    let client = client(&server);
    let mixed = [
        UpdateContactInput::builder("123")
            .add_tag("a")
            .set_tags(["b"]),
        UpdateContactInput::builder("123")
            .remove_tag("a")
            .clear_tags(),
        UpdateContactInput::builder("123").clear_tags().add_tag("a"),
        UpdateContactInput::builder("123")
            .set_tags(["b"])
            .remove_tag("a"),
        // `tags` replaces the change made so far; what follows it still
        // cannot be mixed in.
        UpdateContactInput::builder("123")
            .tags(TagChange::clear())
            .add_tag("a"),
    ];
    for builder in mixed {
        assert_eq!(
            builder.build().unwrap_err(),
            InvalidInput::ReplaceCombinedWithAddOrRemove
        );
    }
    let sent = client
        .update_contact("123")
        .add_tag("a")
        .clear_tags()
        .send()
        .await;
    assert_eq!(
        invalid_input(sent),
        InvalidInput::ReplaceCombinedWithAddOrRemove
    );
    assert_nothing_was_sent(&server).await;
}

#[test]
fn a_tag_change_given_whole_replaces_the_one_made_so_far() {
    let input = UpdateContactInput::builder("123")
        .add_tag("a")
        .tags(TagChange::replace(["b"]))
        .build()
        .unwrap();
    assert_eq!(input.body_json(), r#"{"tags":{"set":[{"name":"b"}]}}"#);
    let input = UpdateContactInput::builder("123")
        .clear_tags()
        .tags(TagChange::incremental(["a"], ["c"]))
        .build()
        .unwrap();
    assert_eq!(
        input.body_json(),
        r#"{"tags":{"add":[{"name":"a"}],"remove":["c"]}}"#
    );
}

#[tokio::test]
async fn json_null_notes_are_refused_with_a_hint_to_clear() {
    let server = silent_server().await;
    let client = client(&server);
    let sent = client
        .update_contact("123")
        .notes(&serde_json::Value::Null)
        .send()
        .await;
    assert_eq!(invalid_input(sent), InvalidInput::NullNotes);
    for builder in [
        UpdateContactInput::builder("123").notes(&None::<u32>),
        UpdateContactInput::builder("123").notes(&()),
        UpdateContactInput::builder("123").notes_json("null"),
        UpdateContactInput::builder("123").notes_json(" null\n"),
    ] {
        let error = builder.build().unwrap_err();
        assert_eq!(error, InvalidInput::NullNotes);
        assert!(error.to_string().contains("clear_notes()"), "{error}");
    }
    // A null inside the notes is data, not a clear.
    let input = UpdateContactInput::builder("123")
        .notes(&serde_json::json!({"stage": null}))
        .build()
        .unwrap();
    assert_eq!(input.body_json(), r#"{"notes_json":"{\"stage\":null}"}"#);
    assert_nothing_was_sent(&server).await;
}
