//! Decoding the body of a successful update: the generated types first, and
//! a tolerant reading of `data.contact` only when they refuse it.
//!
//! The update is applied by the time its response arrives, so one value that
//! does not fit its generated type (a count sent as `"500"`, a timestamp
//! without an offset, a `null` inside an array) must not cost the caller the
//! whole contact. The generated types stay the only description of the
//! contact: the tolerant reading asks them where they fail, by decoding again
//! with `serde_path_to_error`, and repairs the JSON at exactly that place,
//! until they accept it.
//!
//! A body that fits costs what it cost before: the typed decode runs once,
//! as the generated code always ran it, and nothing else does. Only a body
//! that the typed decode refuses is parsed into a `serde_json::Value` and
//! decoded once more per value that does not fit (twice or thrice more when
//! a lossless reading is tried, or the expected type is asked for).

use std::collections::HashMap;
use std::fmt;

use serde_json::{Number, Value};

use crate::generated::types::{Contact, UpdateContactResponse};
use crate::preview::preview;

/// How many characters of a value a drift shows.
const FOUND_PREVIEW_CHARS: usize = 80;

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

    /// The value that came, as compact JSON, cut to 80 characters.
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
        write!(
            f,
            "{}: expected {}, found {} ({done})",
            self.path, self.expected, self.found
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
    let mut root: Value = serde_json::from_slice(body).map_err(|_| typed_error.to_string())?;
    let contact = root
        .get_mut("data")
        .and_then(Value::as_object_mut)
        .and_then(|data| data.get_mut("contact"))
        .filter(|contact| !contact.is_null())
        .ok_or_else(|| NO_CONTACT.to_owned())?;
    Repair::default().run(std::mem::take(contact))
}

/// One step of a path into the contact.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Step {
    Key(String),
    Index(usize),
}

type Path = Vec<Step>;

#[derive(Default)]
struct Repair {
    drifts: Vec<ResponseDrift>,
    /// For each array an item was dropped from (by its path in the body as
    /// sent), the indices dropped, as sent, in order.
    dropped: HashMap<Path, Vec<usize>>,
}

type Failure = serde_path_to_error::Error<serde_json::Error>;

fn decode(contact: &Value) -> Result<Contact, Failure> {
    serde_path_to_error::deserialize(contact)
}

/// The path of a failure, or `None` when serde could not say (a segment it
/// does not know, which no generated type produces).
fn path_of(failure: &Failure) -> Option<Path> {
    use serde_path_to_error::Segment;
    failure
        .path()
        .iter()
        .map(|segment| match segment {
            Segment::Seq { index } => Some(Step::Index(*index)),
            Segment::Map { key } => Some(Step::Key(key.clone())),
            _ => None,
        })
        .collect()
}

fn node_mut<'a>(mut value: &'a mut Value, path: &[Step]) -> Option<&'a mut Value> {
    for step in path {
        value = match (step, value) {
            (Step::Key(key), Value::Object(map)) => map.get_mut(key)?,
            (Step::Index(i), Value::Array(items)) => items.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(value)
}

impl Repair {
    fn run(mut self, mut contact: Value) -> Result<Decoded, String> {
        // Each turn removes a value, turns one into null, or reads one
        // losslessly (after which it fits), so the values bound the turns.
        let turns = 2 * count_values(&contact) + 2;
        for _ in 0..turns {
            let failure = match decode(&contact) {
                Ok(decoded) => return Ok((decoded, self.drifts)),
                Err(failure) => failure,
            };
            let give_up = || format!("data.contact does not fit a contact: {}", failure.inner());
            let path = path_of(&failure).ok_or_else(give_up)?;
            let path = outermost_misfit(&mut contact, path);
            let drift = self
                .fix(&mut contact, &path, &failure)
                .ok_or_else(give_up)?;
            self.drifts.push(drift);
        }
        Err("data.contact does not fit a contact after every repair".to_owned())
    }

    /// Repairs the value at `path`, which `failure` is about: a lossless
    /// reading if one fits, else null, or out of its array. `None` when
    /// nothing can be done there (the contact itself does not fit).
    fn fix(
        &mut self,
        contact: &mut Value,
        path: &[Step],
        failure: &Failure,
    ) -> Option<ResponseDrift> {
        let node = node_mut(contact, path)?;
        let found = preview(&node.to_string(), FOUND_PREVIEW_CHARS).into_owned();
        let expected = expected_at(contact, path, failure);
        let original_path = self.original(path);

        let resolution = if self.read_losslessly(contact, path) {
            DriftResolution::ReadLosslessly
        } else {
            let (last, parent) = path.split_last()?;
            match (node_mut(contact, parent)?, last) {
                (Value::Array(items), Step::Index(i)) if *i < items.len() => {
                    items.remove(*i);
                    let dropped = self
                        .dropped
                        .entry(original_path[..parent.len()].to_vec())
                        .or_default();
                    if let Some(Step::Index(sent)) = original_path.last() {
                        let at = dropped.partition_point(|d| d < sent);
                        dropped.insert(at, *sent);
                    }
                    DriftResolution::ItemDropped
                }
                (Value::Object(map), Step::Key(key)) => {
                    // A null that still does not fit is a field that takes no
                    // null; absent is the last thing left to try.
                    if map.get(key).is_some_and(Value::is_null) {
                        map.remove(key);
                    } else {
                        map.insert(key.clone(), Value::Null);
                    }
                    DriftResolution::SetToNone
                }
                _ => return None,
            }
        };
        Some(ResponseDrift {
            path: pointer(&original_path),
            expected,
            found,
            resolution,
        })
    }

    /// Tries each lossless reading of the value at `path`, keeping the first
    /// that makes the types accept it.
    fn read_losslessly(&self, contact: &mut Value, path: &[Step]) -> bool {
        let Some(node) = node_mut(contact, path) else {
            return false;
        };
        let candidates = lossless_readings(node);
        for candidate in candidates {
            let Some(node) = node_mut(contact, path) else {
                return false;
            };
            let original = std::mem::replace(node, candidate);
            let fits = match decode(contact) {
                Ok(_) => true,
                Err(failure) => !path_of(&failure).is_some_and(|p| p.starts_with(path)),
            };
            if fits {
                return true;
            }
            if let Some(node) = node_mut(contact, path) {
                *node = original;
            }
        }
        false
    }

    /// The path as sent: indices shifted back over the items dropped before.
    fn original(&self, path: &[Step]) -> Path {
        let mut original = Path::with_capacity(path.len());
        for step in path {
            let step = match step {
                Step::Index(now) => {
                    let mut index = *now;
                    for dropped in self.dropped.get(&original).into_iter().flatten() {
                        if *dropped <= index {
                            index += 1;
                        }
                    }
                    Step::Index(index)
                }
                key => key.clone(),
            };
            original.push(step);
        }
        original
    }
}

/// The path cut at the first array that stands where an object is expected.
///
/// serde's derived structs also read an array, as their fields in order, so
/// `"account": [1]` fails at `account/0` as if `account` were a list; the
/// value that does not fit is the array itself, not its item. An array whose
/// place takes `{}` is such an array.
fn outermost_misfit(contact: &mut Value, path: Path) -> Path {
    for (depth, step) in path.iter().enumerate() {
        if !matches!(step, Step::Index(_)) {
            continue;
        }
        let array = &path[..depth];
        let Some(node) = node_mut(contact, array) else {
            break;
        };
        let original = std::mem::replace(node, Value::Object(Default::default()));
        let takes_object = match decode(contact) {
            Ok(_) => true,
            Err(failure) => !path_of(&failure).is_some_and(|p| p.starts_with(array)),
        };
        if let Some(node) = node_mut(contact, array) {
            *node = original;
        }
        if takes_object {
            return array.to_vec();
        }
    }
    path
}

/// The readings of a value as another JSON value that mean the same:
/// - an integral float within ±2^53 (where every integer is exact) as that
///   integer: `123.0` is 123;
/// - a string of ASCII decimal digits, with an optional `-`, that fits an
///   `i64`, as that integer: `"500"` is 500;
/// - an integer as its decimal text, for ids sent as numbers;
/// - `[]` as `{}`: PHP's `json_encode` writes an empty map as `[]`.
///
/// Not among them: `1`/`0` for a boolean, or a timestamp without an offset,
/// whose meaning would be a guess.
fn lossless_readings(value: &Value) -> Vec<Value> {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    match value {
        Value::Number(n) if n.is_f64() => n
            .as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() <= EXACT)
            .map(|f| Value::Number(Number::from(f as i64)))
            .into_iter()
            .collect(),
        Value::Number(n) => vec![Value::String(n.to_string())],
        Value::String(text) => {
            let digits = text.strip_prefix('-').unwrap_or(text);
            if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                text.parse::<i64>()
                    .ok()
                    .map(|i| Value::Number(i.into()))
                    .into_iter()
                    .collect()
            } else {
                Vec::new()
            }
        }
        Value::Array(items) if items.is_empty() => vec![Value::Object(Default::default())],
        _ => Vec::new(),
    }
}

/// What the type expects at `path`, in serde's words. A type error says it
/// ("invalid type: string \"x\", expected i64"); a parse error inside a
/// string (a timestamp) does not, so a value that no such type takes is put
/// there for a moment to make the type say it.
fn expected_at(contact: &mut Value, path: &[Step], failure: &Failure) -> String {
    let message = failure.inner().to_string();
    let said = |message: &str| message.split_once(", expected ").map(|(_, e)| e.to_owned());
    let is_bool = matches!(node_mut(contact, path), Some(Value::Bool(_)));
    if !is_bool && let Some(node) = node_mut(contact, path) {
        let original = std::mem::replace(node, Value::Bool(true));
        let probed = match decode(contact) {
            Err(probe) if path_of(&probe).as_deref() == Some(path) => {
                said(&probe.inner().to_string())
            }
            Err(_) => None,
            Ok(_) => Some("a boolean".to_owned()),
        };
        if let Some(node) = node_mut(contact, path) {
            *node = original;
        }
        if let Some(expected) = probed {
            return expected;
        }
    }
    said(&message).unwrap_or(message)
}

fn count_values(value: &Value) -> usize {
    1 + match value {
        Value::Array(items) => items.iter().map(count_values).sum(),
        Value::Object(map) => map.values().map(count_values).sum(),
        _ => 0,
    }
}

/// A JSON Pointer to `path` inside the contact, from the body's root.
fn pointer(path: &[Step]) -> String {
    let mut pointer = CONTACT_POINTER.to_owned();
    for step in path {
        pointer.push('/');
        match step {
            Step::Key(key) => pointer.push_str(&key.replace('~', "~0").replace('/', "~1")),
            Step::Index(i) => pointer.push_str(&i.to_string()),
        }
    }
    pointer
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(contact: Value) -> Decoded {
        Repair::default().run(contact).expect("a contact")
    }

    #[test]
    fn a_fitting_contact_has_no_drift() {
        let (contact, drift) = read(json!({"contact_id": "1", "follower_count": 5}));
        assert_eq!(contact.follower_count, Some(5));
        assert!(drift.is_empty());
    }

    #[test]
    fn dropped_items_keep_their_sent_index() {
        let (contact, drift) = read(json!({
            "tags": [null, {"name": "a"}, 5, {"name": "b"}, "x"],
        }));
        let names: Vec<_> = contact.tags.unwrap().into_iter().map(|t| t.name).collect();
        assert_eq!(names, [Some("a".into()), Some("b".into())]);
        let paths: Vec<_> = drift.iter().map(ResponseDrift::path).collect();
        assert_eq!(
            paths,
            [
                "/data/contact/tags/0",
                "/data/contact/tags/2",
                "/data/contact/tags/4"
            ]
        );
        assert!(
            drift
                .iter()
                .all(|d| d.resolution == DriftResolution::ItemDropped)
        );
        assert_eq!(drift[0].expected, "struct ContactTag");
    }

    #[test]
    fn lossless_readings_are_kept_and_reported() {
        let (contact, drift) = read(json!({
            "follower_count": 123.0,
            "connections_count": "500",
            "contact_id": 77,
            "account": [],
        }));
        assert_eq!(contact.follower_count, Some(123));
        assert_eq!(contact.connections_count, Some(500));
        assert_eq!(contact.contact_id.as_deref(), Some("77"));
        assert!(contact.account.is_some());
        assert_eq!(drift.len(), 4);
        assert!(
            drift
                .iter()
                .all(|d| d.resolution == DriftResolution::ReadLosslessly)
        );
    }

    #[test]
    fn what_is_not_lossless_is_left_out() {
        for (field, value) in [
            ("follower_count", json!(1.5)),
            ("follower_count", json!("5 000")),
            ("follower_count", json!(1e300)),
            ("follower_count", json!("99999999999999999999")),
            ("headline", json!(1.5)),
            ("last_interaction_at", json!("2023-11-07T05:31:56")),
            ("last_interaction_at", json!("")),
            ("account", json!([1])),
            ("tags", json!({})),
        ] {
            let (contact, drift) = read(json!({ field: value }));
            assert_eq!(
                serde_json::to_value(&contact).unwrap(),
                json!({}),
                "{field}: {value}"
            );
            assert_eq!(drift.len(), 1, "{field}: {value}");
            assert_eq!(drift[0].resolution, DriftResolution::SetToNone);
        }
    }

    #[test]
    fn timestamps_say_what_they_expect() {
        let (_, drift) = read(json!({"last_interaction_at": "2023-11-07T05:31:56"}));
        assert_eq!(
            drift[0].expected,
            "an RFC 3339 formatted date and time string"
        );
        assert_eq!(drift[0].found, "\"2023-11-07T05:31:56\"");
    }

    #[test]
    fn a_contact_that_is_not_an_object_is_refused() {
        for contact in [json!("x"), json!(5), json!([1]), json!(true)] {
            assert!(Repair::default().run(contact.clone()).is_err(), "{contact}");
        }
        assert!(Repair::default().run(json!([])).is_ok());
    }

    #[test]
    fn pointers_escape_keys() {
        assert_eq!(
            pointer(&[Step::Key("a/b~c".into()), Step::Index(3)]),
            "/data/contact/a~1b~0c/3"
        );
    }

    #[test]
    fn previews_are_short() {
        let (_, drift) = read(json!({"follower_count": "x".repeat(1000)}));
        assert!(drift[0].found.chars().count() <= FOUND_PREVIEW_CHARS + 1);
    }
}
