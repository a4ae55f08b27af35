//! Decoding the body of a successful update: the generated types first, and
//! a tolerant reading of `data.contact` only when they refuse it.
//!
//! The update is applied by the time its response arrives, so one value that
//! does not fit its generated type (a count sent as `"500"`, a timestamp
//! without an offset, a `null` inside an array) must not cost the caller the
//! whole contact. The generated types stay the only description of the
//! contact: the tolerant reading (`repair`) asks them, value by value, whether
//! a value fits its place, and leaves out or reads losslessly what does not.
//!
//! A body that fits costs what it cost before: the typed decode runs once,
//! as the generated code always ran it, and nothing else does. Only a body
//! that the typed decode refuses is parsed into a `serde_json::Value` and
//! walked, in time linear in its size, and at most [`MAX_REPAIRS`] values
//! are repaired: a body with more is no honest drift, and is refused.

mod repair;

use std::fmt;

use serde_json::Value;

use crate::preview::escape;

use crate::generated::types::{Contact, UpdateContactResponse};

/// How many characters of a value a drift shows.
const FOUND_PREVIEW_CHARS: usize = 80;

/// The most values of one contact that are repaired. An honest server that
/// drifted from the spec gets a few fields wrong, at most once per item of a
/// list; past this many the body is refused as undecodable (the update was
/// applied all the same), so that no body costs more than this many repairs.
pub(crate) const MAX_REPAIRS: usize = 1_000;

/// Where the contact is in the body; drift paths start here.
const CONTACT_POINTER: &str = "/data/contact";

/// Why a success without a contact is not one.
pub(crate) const NO_CONTACT: &str = "the body has no data.contact";

/// A value of the response that did not fit the type the crate decodes it
/// into, and what was done with it. Found on
/// [`UpdateContactOutput::drift`](crate::UpdateContactOutput::drift).
///
/// ```
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use talktohumans::DriftResolution;
/// use talktohumans::mock::{Fault, MockServer, seed};
///
/// let mock = MockServer::start().await?;
/// let body = r#"{"data":{"contact":{"contact_id":"123","follower_count":"many","tags":[null,{"name":"a"}]}}}"#;
/// mock.inject(1, Fault::status(http::StatusCode::OK).raw_body("application/json", body));
/// let client = mock.client_builder().build()?;
/// let output = client.update_contact(seed::TOMAS_HERRERA).add_tag("a").send().await?;
///
/// assert_eq!(output.contact.contact_id.as_deref(), Some("123"));
/// assert_eq!(output.contact.follower_count, None);
/// assert_eq!(output.contact.tags.unwrap().len(), 1);
/// let drift = &output.drift[0];
/// assert_eq!(drift.path(), "/data/contact/follower_count");
/// assert_eq!(drift.expected(), "i64");
/// assert_eq!(drift.found_preview(), r#""many""#);
/// assert_eq!(drift.resolution(), DriftResolution::SetToNone);
/// assert_eq!(output.drift[1].path(), "/data/contact/tags/0");
/// assert_eq!(output.drift[1].resolution(), DriftResolution::ItemDropped);
/// # Ok(())
/// # }
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(run()).unwrap();
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseDrift {
    path: String,
    expected: String,
    found: String,
    resolution: DriftResolution,
}

impl ResponseDrift {
    /// Where the value is in the response body, as a JSON Pointer (RFC 6901)
    /// from the body's root, such as `/data/contact/company/employee_count`
    /// or `/data/contact/tags/2`. Array indices are those of the body as
    /// sent, before any item was dropped.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What the type expected there, in serde's words: `i64`, `a string`,
    /// `a boolean`, `struct Account`, `an RFC 3339 formatted date and time
    /// string`, ...
    pub fn expected(&self) -> &str {
        &self.expected
    }

    /// The value that came, as compact JSON, cut to 80 characters, with
    /// control and invisible formatting characters escaped (`\u{1b}`,
    /// `\u{202e}`) so that it can be shown on a terminal or in a log.
    pub fn found_preview(&self) -> &str {
        &self.found
    }

    /// What the contact has in its place.
    pub fn resolution(&self) -> DriftResolution {
        self.resolution
    }
}

impl fmt::Display for ResponseDrift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let done = match self.resolution {
            DriftResolution::ReadLosslessly => "read losslessly",
            DriftResolution::SetToNone => "left out",
            DriftResolution::ItemDropped => "item dropped",
        };
        // The path's keys and the found value came from the server; the
        // found value was escaped when it was cut.
        write!(
            f,
            "{}: expected {}, found {} ({done})",
            escape(&self.path),
            escape(&self.expected),
            self.found
        )
    }
}

/// What a drifted value became in the decoded contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DriftResolution {
    /// The value was read as its type without losing anything, and is in the
    /// contact: an integral number such as `123.0` or a string of decimal
    /// digits such as `"500"` as an integer, an integer as its decimal text
    /// where text was expected, and `[]` (how PHP encodes an empty object)
    /// as an empty object.
    ReadLosslessly,
    /// The field is `None`.
    SetToNone,
    /// The item was left out of its array; the other items are kept, in
    /// their order.
    ItemDropped,
}

/// The contact of a successful update's body, and what did not fit.
pub(crate) type Decoded = (Contact, Vec<ResponseDrift>);

/// Decodes a success body: the generated types, then, unless `strict`, the
/// tolerant reading. The client runs the same two steps, the first inside the
/// generated method; this puts them in one place for the benchmarks and the
/// fuzz seam.
pub(crate) fn success_body(body: &[u8], strict: bool) -> Result<Decoded, String> {
    match serde_json::from_slice::<UpdateContactResponse>(body) {
        Ok(response) => contact_of(response).map(|contact| (contact, Vec::new())),
        Err(error) if strict => Err(error.to_string()),
        Err(error) => tolerant(body, &error),
    }
}

/// The contact of a decoded body, which the spec does not require.
pub(crate) fn contact_of(response: UpdateContactResponse) -> Result<Contact, String> {
    response.data.contact.ok_or_else(|| NO_CONTACT.to_owned())
}

/// Reads `data.contact` of a body that the generated types refused with
/// `typed_error`, leaving out what does not fit.
///
/// Errors, with the reason: the body is not JSON, or has no `data.contact`
/// object.
pub(crate) fn tolerant(body: &[u8], typed_error: &serde_json::Error) -> Result<Decoded, String> {
    // Not JSON at all: the typed decode's message says where.
    repair::repair(contact_value(body, || typed_error.to_string())?)
}

/// [`tolerant`], and how many decodes its walk took (0 when the body has no
/// contact to walk), for the fuzz target's bound on the work per byte.
#[cfg(feature = "__fuzz")]
pub(crate) fn tolerant_counting(body: &[u8]) -> (Result<Decoded, String>, usize) {
    match contact_value(body, || "the body is not JSON".to_owned()) {
        Ok(contact) => repair::repair_counting(contact),
        Err(reason) => (Err(reason), 0),
    }
}

/// `data.contact` of a body, as a JSON value.
fn contact_value(body: &[u8], not_json: impl FnOnce() -> String) -> Result<Value, String> {
    let mut root: Value = serde_json::from_slice(body).map_err(|_| not_json())?;
    let contact = root
        .get_mut("data")
        .and_then(Value::as_object_mut)
        .and_then(|data| data.get_mut("contact"))
        .filter(|contact| !contact.is_null())
        .ok_or_else(|| NO_CONTACT.to_owned())?;
    Ok(std::mem::take(contact))
}
