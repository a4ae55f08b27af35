//! The contact's fields that the spec does not know: what a server sends
//! beyond `openapi.yaml`, kept for the caller instead of dropped.
//!
//! Which fields the spec knows is asked of the generated `Contact` itself:
//! serde's derived `Deserialize` names every field it reads (by its name on
//! the wire) when it asks a deserializer for a struct. A deserializer that
//! only listens to that question gets the list, so that it can never differ
//! from what decoding reads.

use std::sync::OnceLock;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use serde_json::{Map, Value};

use crate::generated::types::Contact;

/// The fields of `data.contact` that [`Contact`] does not read; empty when the body has no contact object (a success body
/// always has one: the call would have failed otherwise).
pub(crate) fn extra_fields(body: &[u8]) -> Map<String, Value> {
    #[derive(Deserialize)]
    struct Envelope {
        data: Data,
    }
    #[derive(Deserialize)]
    struct Data {
        contact: Unknown,
    }
    match serde_json::from_slice::<Envelope>(body) {
        Ok(envelope) => envelope.data.contact.0,
        Err(_) => Map::new(),
    }
}

/// The fields of an object that [`Contact`] does not read. The values of
/// those it reads are skipped, not built: they are most of the body, and
/// building them as JSON values would cost more than decoding the contact.
struct Unknown(Map<String, Value>);

impl<'de> Deserialize<'de> for Unknown {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Fields;

        impl<'de> Visitor<'de> for Fields {
            type Value = Unknown;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a contact object")
            }

            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Unknown, A::Error> {
                let known = contact_fields();
                let mut unknown = Map::new();
                while let Some(name) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    if known.contains(&name.as_ref()) {
                        map.next_value::<de::IgnoredAny>()?;
                    } else {
                        unknown.insert(name.into_owned(), map.next_value()?);
                    }
                }
                Ok(Unknown(unknown))
            }
        }

        deserializer.deserialize_map(Fields)
    }
}

/// The wire names of [`Contact`]'s fields.
fn contact_fields() -> &'static [&'static str] {
    static FIELDS: OnceLock<&'static [&'static str]> = OnceLock::new();
    FIELDS.get_or_init(|| {
        let mut listener = FieldNames(&[]);
        // Always an error: the listener answers no question with a value.
        let _ = Contact::deserialize(&mut listener);
        listener.0
    })
}

/// A deserializer that answers every request with an error, keeping the
/// field names of a struct request.
struct FieldNames(&'static [&'static str]);

#[derive(Debug)]
struct Listened;

impl std::fmt::Display for Listened {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("only the field names were asked for")
    }
}

impl std::error::Error for Listened {}

impl de::Error for Listened {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        Listened
    }
}

impl<'de> Deserializer<'de> for &mut FieldNames {
    type Error = Listened;

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Listened> {
        self.0 = fields;
        Err(Listened)
    }

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Listened> {
        Err(Listened)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generated_contact_names_its_fields() {
        let fields = contact_fields();
        for name in ["contact_id", "tags", "notes_json", "about", "account"] {
            assert!(fields.contains(&name), "{name} in {fields:?}");
        }
        assert!(!fields.contains(&"data"));
    }

    #[test]
    fn only_fields_the_spec_does_not_know_are_kept() {
        let body = br#"{"data":{"contact":{"contact_id":"1","zeta":1,"about":null,"alpha":{"x":[true]},"tags":[]}}}"#;
        let extra = extra_fields(body);
        let mut names: Vec<&str> = extra.keys().map(String::as_str).collect();
        names.sort_unstable();
        assert_eq!(names, ["alpha", "zeta"]);
        assert_eq!(extra["alpha"], serde_json::json!({"x": [true]}));
    }

    #[test]
    fn a_body_without_a_contact_object_has_none() {
        for body in [
            &b"not json"[..],
            br#"{"data":{}}"#,
            br#"{"data":{"contact":[]}}"#,
        ] {
            assert!(extra_fields(body).is_empty());
        }
    }
}
