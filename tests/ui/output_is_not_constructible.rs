// The output is `#[non_exhaustive]`, so new fields (such as reports about
// the response) can be added without breaking callers; the price is that
// callers cannot build one.
fn output(contact: talktohumans::types::Contact) {
    let _ = talktohumans::UpdateContactOutput {
        contact,
        status: talktohumans::http::StatusCode::OK,
        headers: Default::default(),
        attempts: 1,
    };
}

fn main() {}
