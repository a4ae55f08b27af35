//! What a 200 must carry to decode, stated independently of the crate: shared
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

/// Whether `body` is the documented success body: then, and only then, a
/// 200 decodes.
pub fn is_contact(body: &[u8]) -> bool {
    serde_json::from_slice::<Envelope>(body).is_ok_and(|envelope| envelope.data.contact.is_some())
}
