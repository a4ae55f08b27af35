//! Reading and checking a request body against the rules of `openapi.yaml`,
//! with a message that names the offending field.
//!
//! Checks are in two stages. [`parse`] enforces what the spec's schema says
//! (types, patterns, unknown fields, `set` exclusive of `add`/`remove`);
//! a body that fails it is refused before the contact is looked up.
//! [`ValidUpdate::check_rules`] enforces what the schema cannot say (notes are
//! JSON text, a tag is not both added and removed); it runs after the contact
//! is found, so that a request valid by the schema for an unknown contact is
//! answered 404 like any other.
//!
//! Every check here is written from the API reference and `openapi.yaml`,
//! not taken from the client (`crate::ids`, `crate::tag`, `crate::input`):
//! a mock that ran the client's own checks would repeat any bug in them, and
//! so could never catch one. `tests/mock_agreement.rs` holds the two to the
//! same verdicts on a corpus of bodies.

use std::collections::HashSet;

use serde_json::{Map, Value};

use crate::Tag;
use crate::mock::error::Rejection;

/// A body that conforms to the spec's `UpdateContactRequest` schema.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct ValidUpdate {
    pub(crate) account_id: Option<String>,
    pub(crate) tags: Option<RequestedTags>,
    pub(crate) notes: Option<RequestedNotes>,
}

/// What `tags` asks for.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum RequestedTags {
    /// `tags.set`: replace the tags with these.
    Set(Vec<Tag>),
    /// `tags.add` and `tags.remove`.
    Incremental { add: Vec<Tag>, remove: Vec<String> },
}

/// What `notes_json` asks for.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum RequestedNotes {
    /// `null` or `""`.
    Clear,
    /// Any other string (checked to be JSON by `check_rules`).
    Set(String),
}

fn invalid(message: impl Into<String>) -> Rejection {
    Rejection::unprocessable("invalid_request", message)
}

/// Whether `text` matches the reference's id pattern `^[1-9][0-9]*$`.
pub(crate) fn is_decimal_id(text: &str) -> bool {
    let bytes = text.as_bytes();
    matches!(bytes.first(), Some(b'1'..=b'9')) && bytes.iter().all(u8::is_ascii_digit)
}

/// Whether a tag name is empty or only white space. White space is what
/// either definition counts: ECMAScript's `\s`, which the spec's pattern
/// `\S` uses, and Unicode's `White_Space`, which a reader of "only white
/// space" may mean (they differ in U+0085 and U+FEFF).
pub(crate) fn is_blank_name(name: &str) -> bool {
    const ECMASCRIPT_ONLY: [char; 1] = ['\u{feff}'];
    name.chars()
        .all(|c| c.is_whitespace() || ECMASCRIPT_ONLY.contains(&c))
}

/// Checks the `contact_id` path segment (already percent-decoded).
pub(crate) fn check_contact_id(contact_id: &str) -> Result<(), Rejection> {
    if is_decimal_id(contact_id) {
        return Ok(());
    }
    Err(Rejection::unprocessable(
        "invalid_contact_id",
        format!(
            "contact id {:?} does not match ^[1-9][0-9]*$",
            preview(contact_id)
        ),
    ))
}

/// Is `value` (a `Content-Type` header) `application/json`, with or without
/// parameters?
pub(crate) fn is_json_content_type(value: &str) -> bool {
    let essence = value.split(';').next().unwrap_or_default().trim();
    essence.eq_ignore_ascii_case("application/json")
}

/// Parses and checks a body against the spec's schema.
pub(crate) fn parse(body: &[u8]) -> Result<ValidUpdate, Rejection> {
    if body.is_empty() {
        return Err(Rejection::bad_request(
            "malformed_json",
            "the request body is empty; it must be a JSON object",
        ));
    }
    // serde_json refuses nesting deeper than 128 levels instead of
    // overflowing the stack, so any body is safe to parse.
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        Rejection::bad_request(
            "malformed_json",
            format!("the request body is not valid JSON: {e}"),
        )
    })?;
    let Value::Object(fields) = value else {
        return Err(invalid(format!(
            "the request body must be a JSON object, not {}",
            kind(&value)
        )));
    };
    let mut update = ValidUpdate::default();
    for (key, value) in &fields {
        match key.as_str() {
            "account_id" => update.account_id = Some(account_id(value)?),
            "notes_json" => update.notes = Some(notes(value)?),
            "tags" => update.tags = Some(tags(value)?),
            other => {
                return Err(invalid(format!(
                    "unknown field `{}`; the body takes `account_id`, `tags` and `notes_json`",
                    preview(other)
                )));
            }
        }
    }
    Ok(update)
}

fn account_id(value: &Value) -> Result<String, Rejection> {
    let Value::String(text) = value else {
        return Err(invalid(format!(
            "`account_id` must be a string of digits, not {}",
            kind(value)
        )));
    };
    if is_decimal_id(text) {
        Ok(text.clone())
    } else {
        Err(invalid(format!(
            "`account_id` {:?} does not match ^[1-9][0-9]*$",
            preview(text)
        )))
    }
}

fn notes(value: &Value) -> Result<RequestedNotes, Rejection> {
    match value {
        Value::Null => Ok(RequestedNotes::Clear),
        Value::String(text) if text.is_empty() => Ok(RequestedNotes::Clear),
        Value::String(text) => Ok(RequestedNotes::Set(text.clone())),
        other => Err(invalid(format!(
            "`notes_json` must be a string of JSON text or null, not {}",
            kind(other)
        ))),
    }
}

fn tags(value: &Value) -> Result<RequestedTags, Rejection> {
    let Value::Object(fields) = value else {
        return Err(invalid(format!(
            "`tags` must be an object with `set`, or with `add` and/or `remove`, not {}",
            kind(value)
        )));
    };
    if let Some(other) = fields
        .keys()
        .find(|key| !matches!(key.as_str(), "set" | "add" | "remove"))
    {
        return Err(invalid(format!(
            "unknown field `tags.{}`; `tags` takes `set`, or `add` and/or `remove`",
            preview(other)
        )));
    }
    if let Some(set) = fields.get("set") {
        if fields.len() > 1 {
            return Err(invalid(
                "`tags.set` cannot be combined with `tags.add` or `tags.remove`",
            ));
        }
        return Ok(RequestedTags::Set(tag_inputs(set, "tags.set")?));
    }
    if fields.is_empty() {
        return Err(invalid(
            "`tags` is empty; give `set`, or `add` and/or `remove`",
        ));
    }
    let add = match fields.get("add") {
        Some(add) => tag_inputs(add, "tags.add")?,
        None => Vec::new(),
    };
    let remove = match fields.get("remove") {
        Some(remove) => tag_names(remove)?,
        None => Vec::new(),
    };
    Ok(RequestedTags::Incremental { add, remove })
}

fn tag_inputs(value: &Value, field: &str) -> Result<Vec<Tag>, Rejection> {
    let Value::Array(items) = value else {
        return Err(invalid(format!(
            "`{field}` must be an array of tags, not {}",
            kind(value)
        )));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| tag_input(item, &format!("{field}[{i}]")))
        .collect()
}

fn tag_input(value: &Value, field: &str) -> Result<Tag, Rejection> {
    let Value::Object(fields) = value else {
        return Err(invalid(format!(
            "`{field}` must be an object {{\"name\": ..., \"color\": ...}}, not {}",
            kind(value)
        )));
    };
    if let Some(other) = fields
        .keys()
        .find(|key| !matches!(key.as_str(), "name" | "color"))
    {
        return Err(invalid(format!(
            "unknown field `{field}.{}`; a tag takes `name` and `color`",
            preview(other)
        )));
    }
    let name = required_name(fields, field)?;
    match fields.get("color") {
        None => Ok(Tag::new(name)),
        Some(Value::String(color)) => Ok(Tag::new(name).with_color(color.clone())),
        Some(other) => Err(invalid(format!(
            "`{field}.color` must be a string, not {}",
            kind(other)
        ))),
    }
}

fn required_name(fields: &Map<String, Value>, field: &str) -> Result<String, Rejection> {
    match fields.get("name") {
        None => Err(invalid(format!("`{field}.name` is required"))),
        Some(value) => name(value, &format!("{field}.name")),
    }
}

fn tag_names(value: &Value) -> Result<Vec<String>, Rejection> {
    let Value::Array(items) = value else {
        return Err(invalid(format!(
            "`tags.remove` must be an array of tag names, not {}",
            kind(value)
        )));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| name(item, &format!("tags.remove[{i}]")))
        .collect()
}

/// A tag name: a string that is not empty and not only white space (by both
/// the spec's ECMAScript `\S` and Unicode's definition, like the client).
fn name(value: &Value, field: &str) -> Result<String, Rejection> {
    let Value::String(text) = value else {
        return Err(invalid(format!(
            "`{field}` must be a string, not {}",
            kind(value)
        )));
    };
    if is_blank_name(text) {
        Err(invalid(format!("`{field}` is empty or only white space")))
    } else {
        Ok(text.clone())
    }
}

impl ValidUpdate {
    /// The rules the schema cannot express: notes text is valid JSON, and no
    /// tag is both added and removed.
    pub(crate) fn check_rules(&self) -> Result<(), Rejection> {
        if let Some(RequestedNotes::Set(text)) = &self.notes {
            serde_json::from_str::<serde::de::IgnoredAny>(text).map_err(|e| {
                Rejection::unprocessable(
                    "invalid_notes_json",
                    format!("`notes_json` is not valid JSON text: {e}"),
                )
            })?;
        }
        if let Some(RequestedTags::Incremental { add, remove }) = &self.tags {
            let removed: HashSet<&str> = remove.iter().map(String::as_str).collect();
            if let Some(tag) = add.iter().find(|tag| removed.contains(tag.name())) {
                return Err(Rejection::unprocessable(
                    "tag_added_and_removed",
                    format!(
                        "tag {:?} is both added and removed in one request",
                        preview(tag.name())
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// A JSON value's kind, for messages.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// At most 60 characters of `text`, so that a huge value does not make a huge
/// message.
fn preview(text: &str) -> String {
    match text.char_indices().nth(60) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use http::StatusCode;

    use super::*;

    fn refused(body: &str) -> Rejection {
        parse(body.as_bytes()).expect_err(body)
    }

    #[test]
    fn valid_bodies() {
        assert_eq!(parse(b"{}").unwrap(), ValidUpdate::default());
        let update = parse(
            br#"{"account_id":"42","tags":{"add":[{"name":"a","color":"red"}],"remove":["b"]},"notes_json":"{}"}"#,
        )
        .unwrap();
        assert_eq!(update.account_id.as_deref(), Some("42"));
        assert_eq!(
            update.tags,
            Some(RequestedTags::Incremental {
                add: vec![Tag::new("a").with_color("red")],
                remove: vec!["b".into()],
            })
        );
        assert_eq!(update.notes, Some(RequestedNotes::Set("{}".into())));
        assert_eq!(
            parse(br#"{"notes_json":null}"#).unwrap().notes,
            Some(RequestedNotes::Clear)
        );
        assert_eq!(
            parse(br#"{"notes_json":""}"#).unwrap().notes,
            Some(RequestedNotes::Clear)
        );
        assert_eq!(
            parse(br#"{"tags":{"set":[]}}"#).unwrap().tags,
            Some(RequestedTags::Set(vec![]))
        );
        assert_eq!(
            parse(br#"{"tags":{"add":[]}}"#).unwrap().tags,
            Some(RequestedTags::Incremental {
                add: vec![],
                remove: vec![]
            })
        );
    }

    #[test]
    fn unreadable_bodies_are_400() {
        for body in ["", "{", "nope", "{\"a\":1}}", "\u{feff}{}"] {
            let rejection = refused(body);
            assert_eq!(rejection.status, StatusCode::BAD_REQUEST, "{body:?}");
            assert_eq!(rejection.code, "malformed_json");
        }
        let deep = "[".repeat(100_000);
        assert_eq!(refused(&deep).status, StatusCode::BAD_REQUEST);
    }

    #[test]
    fn schema_violations_are_422() {
        for body in [
            "null",
            "[]",
            "5",
            r#"{"extra":1}"#,
            r#"{"account_id":42}"#,
            r#"{"account_id":"042"}"#,
            r#"{"account_id":""}"#,
            r#"{"account_id":null}"#,
            r#"{"notes_json":{}}"#,
            r#"{"notes_json":1}"#,
            r#"{"tags":null}"#,
            r#"{"tags":[]}"#,
            r#"{"tags":{}}"#,
            r#"{"tags":{"set":[],"add":[]}}"#,
            r#"{"tags":{"set":[],"remove":["a"]}}"#,
            r#"{"tags":{"set":null}}"#,
            r#"{"tags":{"add":["a"]}}"#,
            r#"{"tags":{"add":[{"color":"red"}]}}"#,
            r#"{"tags":{"add":[{"name":"a","size":1}]}}"#,
            r#"{"tags":{"add":[{"name":"a","color":null}]}}"#,
            r#"{"tags":{"add":[{"name":""}]}}"#,
            r#"{"tags":{"add":[{"name":" \t"}]}}"#,
            r#"{"tags":{"add":[{"name":"\u00a0"}]}}"#,
            r#"{"tags":{"remove":[""]}}"#,
            r#"{"tags":{"remove":[1]}}"#,
            r#"{"tags":{"remove":"a"}}"#,
            r#"{"tags":{"keep":[]}}"#,
        ] {
            let rejection = refused(body);
            assert_eq!(
                rejection.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{body}: {rejection:?}"
            );
            assert_eq!(rejection.code, "invalid_request");
        }
    }

    #[test]
    fn rules_beyond_the_schema() {
        let check = |body: &str| parse(body.as_bytes()).unwrap().check_rules();
        assert!(check(r#"{"notes_json":"{\"a\":[1,2]}"}"#).is_ok());
        assert!(check(r#"{"notes_json":"0"}"#).is_ok());
        for notes in [r#""{""#, r#""  ""#, r#""a""#, r#""{} x""#] {
            let rejection = check(&format!(r#"{{"notes_json":{notes}}}"#)).unwrap_err();
            assert_eq!(rejection.code, "invalid_notes_json", "{notes}");
            assert_eq!(rejection.status, StatusCode::UNPROCESSABLE_ENTITY);
        }
        let rejection = check(r#"{"tags":{"add":[{"name":"a"}],"remove":["a"]}}"#).unwrap_err();
        assert_eq!(rejection.code, "tag_added_and_removed");
    }

    #[test]
    fn ids() {
        assert!(check_contact_id("1").is_ok());
        assert!(check_contact_id(&"9".repeat(10_000)).is_ok());
        for bad in ["", "0", "01", "-1", "1a", "１", "1 "] {
            let rejection = check_contact_id(bad).unwrap_err();
            assert_eq!(
                rejection.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{bad:?}"
            );
        }
    }

    #[test]
    fn content_types() {
        for ok in [
            "application/json",
            "Application/JSON",
            "application/json; charset=utf-8",
        ] {
            assert!(is_json_content_type(ok), "{ok}");
        }
        for bad in [
            "",
            "text/plain",
            "application/jsonx",
            "application/x-www-form-urlencoded",
        ] {
            assert!(!is_json_content_type(bad), "{bad}");
        }
    }

    #[test]
    fn messages_stay_short() {
        let long = "x".repeat(10_000);
        let rejection = refused(&format!(r#"{{"{long}":1}}"#));
        assert!(rejection.message.len() < 200, "{}", rejection.message);
    }
}
