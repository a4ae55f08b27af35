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
