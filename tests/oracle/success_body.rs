//! What a success must carry to decode, stated independently of the crate: shared
//! by the property tests (`tests/fuzz_properties.rs`) and the fuzz target
//! (`fuzz/`).

/// The documented success body: a `data.contact` that is a contact.
#[derive(serde::Deserialize)]
pub struct Envelope {
    pub data: Data,
}

#[derive(serde::Deserialize)]
pub struct Data {
    pub contact: Option<talktohumans::types::Contact>,
}

/// Whether `body` is the documented success body, every value fitting its
/// type: then, and only then, a success decodes with `strict_responses`, and
/// it decodes without drift by default.
pub fn is_contact(body: &[u8]) -> bool {
    serde_json::from_slice::<Envelope>(body).is_ok_and(|envelope| envelope.data.contact.is_some())
}

/// Whether `body` is JSON with a `data.contact` object (or `[]`, PHP's empty
/// object): then, and only then, a success decodes by default, whatever its
/// values.
pub fn has_contact(body: &[u8]) -> bool {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return false;
    };
    match value
        .get("data")
        .filter(|data| data.is_object())
        .and_then(|data| data.get("contact"))
    {
        Some(serde_json::Value::Object(_)) => true,
        Some(serde_json::Value::Array(items)) => items.is_empty(),
        _ => false,
    }
}

/// The most values of a contact the tolerant reading repairs: past it, a
/// contact that would otherwise decode is refused as undecodable.
pub const MAX_REPAIRS: usize = 1_000;

/// Whether `data.contact` of `body` holds more JSON values (itself, and
/// every value inside it) than [`MAX_REPAIRS`], so that it can need more
/// repairs than that: only then may a body with a contact be refused.
pub fn may_need_too_many_repairs(body: &[u8]) -> bool {
    fn count(value: &serde_json::Value) -> usize {
        1 + match value {
            serde_json::Value::Array(items) => items.iter().map(count).sum(),
            serde_json::Value::Object(map) => map.values().map(count).sum(),
            _ => 0,
        }
    }
    serde_json::from_slice::<serde_json::Value>(body)
        .is_ok_and(|value| count(&value["data"]["contact"]) > MAX_REPAIRS)
}
