//! What the server returned, as the tool passes it on whole (`--contacts-out`,
//! `--format json`).

/// The contact as the server returned it, fields the spec does not know
/// included: read from the body kept byte for byte, or, should that not
/// hold one where the spec puts it, the decoded contact.
pub fn whole_contact(output: &talktohumans::UpdateContactOutput) -> serde_json::Value {
    serde_json::from_slice::<serde_json::Value>(output.raw_body())
        .ok()
        .and_then(|mut body| Some(body.pointer_mut("/data/contact")?.take()))
        .filter(serde_json::Value::is_object)
        .unwrap_or_else(|| serde_json::to_value(&output.contact).unwrap_or_default())
}
