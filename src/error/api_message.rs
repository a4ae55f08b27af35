//! The server's message in an error body, found without building the body
//! as a `serde_json::Value`: a body of 4 MiB of `[0,0,...]` is about 64 MB
//! as a `Value`, and an error may be one of many in flight.
//!
//! The body is read with serde as a stream: the fields that can hold the
//! message are kept when they are strings, and everything else is skipped
//! (`IgnoredAny`) without being stored, so the cost is the message's length.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// The first string among the body's `message`, `error`, `error.message`,
/// `detail` and `title`, when the body is a JSON object (a key given twice
/// counts as its last value, as in a `serde_json::Value`).
pub(super) fn find(body: &[u8]) -> Option<String> {
    let fields = serde_json::from_slice::<MessageFields>(body).ok()?;
    fields
        .message
        .or(fields.error)
        .or(fields.error_message)
        .or(fields.detail)
        .or(fields.title)
}

#[derive(Default)]
struct MessageFields {
    message: Option<String>,
    error: Option<String>,
    error_message: Option<String>,
    detail: Option<String>,
    title: Option<String>,
}

impl<'de> Deserialize<'de> for MessageFields {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(FieldsVisitor)
    }
}

struct FieldsVisitor;

impl<'de> Visitor<'de> for FieldsVisitor {
    type Value = MessageFields;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<MessageFields, A::Error> {
        let mut fields = MessageFields::default();
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::Message => fields.message = map.next_value::<Text>()?.0,
                Key::Error => {
                    let error = map.next_value::<ErrorField>()?;
                    fields.error = error.text;
                    fields.error_message = error.message;
                }
                Key::Detail => fields.detail = map.next_value::<Text>()?.0,
                Key::Title => fields.title = map.next_value::<Text>()?.0,
                Key::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(fields)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<MessageFields, A::Error> {
        skip_seq(seq).map(|()| MessageFields::default())
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<MessageFields, E> {
        Ok(MessageFields::default())
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<MessageFields, E> {
        Ok(MessageFields::default())
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<MessageFields, E> {
        Ok(MessageFields::default())
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<MessageFields, E> {
        Ok(MessageFields::default())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<MessageFields, E> {
        Ok(MessageFields::default())
    }

    fn visit_unit<E: de::Error>(self) -> Result<MessageFields, E> {
        Ok(MessageFields::default())
    }
}

fn skip_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
    while seq.next_element::<IgnoredAny>()?.is_some() {}
    Ok(())
}

/// The keys that can hold the message; any other is skipped.
enum Key {
    Message,
    Error,
    Detail,
    Title,
    Other,
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = Key;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }

            fn visit_str<E: de::Error>(self, key: &str) -> Result<Key, E> {
                Ok(match key {
                    "message" => Key::Message,
                    "error" => Key::Error,
                    "detail" => Key::Detail,
                    "title" => Key::Title,
                    _ => Key::Other,
                })
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// A value kept when it is a string, skipped otherwise.
struct Text(Option<String>);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_any(ErrorFieldVisitor { in_error: false })
            .map(|field| Text(field.text))
    }
}

/// `error`: a string, or an object whose `message` is.
#[derive(Default)]
struct ErrorField {
    text: Option<String>,
    message: Option<String>,
}

impl<'de> Deserialize<'de> for ErrorField {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ErrorFieldVisitor { in_error: true })
    }
}

/// Reads a string as text; an object's `message` only for `error`; skips
/// anything else.
struct ErrorFieldVisitor {
    in_error: bool,
}

impl<'de> Visitor<'de> for ErrorFieldVisitor {
    type Value = ErrorField;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<ErrorField, E> {
        Ok(ErrorField {
            text: Some(text.to_owned()),
            message: None,
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ErrorField, A::Error> {
        let mut field = ErrorField::default();
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::Message if self.in_error => field.message = map.next_value::<Text>()?.0,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(field)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<ErrorField, A::Error> {
        skip_seq(seq).map(|()| ErrorField::default())
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<ErrorField, E> {
        Ok(ErrorField::default())
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<ErrorField, E> {
        Ok(ErrorField::default())
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<ErrorField, E> {
        Ok(ErrorField::default())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<ErrorField, E> {
        Ok(ErrorField::default())
    }

    fn visit_unit<E: de::Error>(self) -> Result<ErrorField, E> {
        Ok(ErrorField::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    /// The lookup the crate did on a parsed `Value`, as the reference.
    fn from_value(body: &[u8]) -> Option<String> {
        let json: Value = serde_json::from_slice(body).ok()?;
        let candidates = [
            json.get("message"),
            json.get("error").filter(|e| e.is_string()),
            json.get("error").and_then(|e| e.get("message")),
            json.get("detail"),
            json.get("title"),
        ];
        candidates
            .into_iter()
            .flatten()
            .find_map(|v| v.as_str())
            .map(str::to_owned)
    }

    #[test]
    fn finds_what_the_value_lookup_found() {
        let bodies = [
            json!({"message": "a"}),
            json!({"error": "b", "message": 5}),
            json!({"error": {"message": "c", "code": "x"}, "detail": "d"}),
            json!({"error": {"code": "x"}, "detail": "d", "title": "t"}),
            json!({"title": "t"}),
            json!({"error": ["message"], "title": {"message": "no"}}),
            json!({"detail": null, "title": "\u{1b}[2J"}),
            json!([{"message": "inside an array"}]),
            json!("message"),
            json!(null),
            json!({}),
            json!({"other": {"message": "nested elsewhere"}}),
        ];
        for body in bodies {
            let bytes = body.to_string().into_bytes();
            assert_eq!(find(&bytes), from_value(&bytes), "{body}");
        }
        for raw in [
            &br#"{"message":"first","message":"last"}"#[..],
            br#"{"message":"a","message":5,"title":"t"}"#,
            br#"{"message":"\u00e9\n"}"#,
            br#"{"message":"cut"#,
            br#"{"message":"a"} trailing"#,
            b"",
            b"not json",
        ] {
            assert_eq!(
                find(raw),
                from_value(raw),
                "{}",
                String::from_utf8_lossy(raw)
            );
        }
    }
}
