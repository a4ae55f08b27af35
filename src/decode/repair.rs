//! The tolerant reading of a contact: one walk over its JSON value that asks
//! the generated types, value by value, whether each fits its place.
//!
//! To ask whether a value fits its place without decoding the whole contact
//! again, the walk decodes a skeleton: a contact that holds only that value,
//! at the same place (`{"company": {"employee_count": "many"}}`, or
//! `{"tags": [5]}` for an item of a list). The generated types decode it as
//! they decode the real contact, every other field being absent, so the
//! answer is theirs and costs only the value's size.
//!
//! A value that fits is kept whole. One that does not is looked into when
//! its place is a struct or a list, whose fields and items are then asked
//! one by one; otherwise it is the misfit itself: read losslessly if a
//! reading fits, else left out (`None`, or dropped from its list). Each value
//! is decoded a bounded number of times at each level of the types' nesting,
//! which the JSON cannot deepen (a value is looked into only where the types
//! go on), so the walk is linear in the body. It stops after
//! [`MAX_REPAIRS`] repairs.

use serde::Deserialize;
use serde_json::{Map, Number, Value};

use super::{
    CONTACT_POINTER, Decoded, DriftResolution, FOUND_PREVIEW_CHARS, MAX_REPAIRS, ResponseDrift,
};
use crate::generated::types::Contact;
use crate::preview::preview;

/// Reads `contact`, repairing what does not fit. Errors, with the reason:
/// the contact itself does not fit and cannot be read losslessly, or more
/// than [`MAX_REPAIRS`] values needed a repair.
pub(super) fn repair(contact: Value) -> Result<Decoded, String> {
    Walk::default().run(contact)
}

/// [`repair`], and how many decodes it took: the measure of its work that
/// the fuzz target and the tests bound by the size of the body.
#[cfg(any(test, feature = "__fuzz"))]
pub(crate) fn repair_counting(contact: Value) -> (Result<Decoded, String>, usize) {
    let mut walk = Walk::default();
    let result = walk.run_inner(contact);
    (result, walk.decodes)
}

/// One step of a path into the contact.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(String),
    /// The index as sent: the walk builds new lists, so no index shifts.
    Index(usize),
}

/// Why the walk stopped short.
enum Stop {
    /// The contact itself does not fit, with the decoder's message.
    NotAContact(String),
    TooManyRepairs,
}

#[derive(Default)]
struct Walk {
    /// Where the value being looked at is, from the contact.
    path: Vec<Step>,
    drifts: Vec<ResponseDrift>,
    decodes: usize,
}

impl Walk {
    fn run(mut self, contact: Value) -> Result<Decoded, String> {
        self.run_inner(contact)
    }

    fn run_inner(&mut self, contact: Value) -> Result<Decoded, String> {
        let contact = match self.check(contact) {
            Ok(Some(contact)) => contact,
            // The contact has no place to be left out of.
            Ok(None) => unreachable!("the contact itself is never left out"),
            Err(Stop::NotAContact(reason)) => {
                return Err(format!("data.contact does not fit a contact: {reason}"));
            }
            Err(Stop::TooManyRepairs) => {
                return Err(format!(
                    "more than {MAX_REPAIRS} values of data.contact do not fit their types"
                ));
            }
        };
        self.decodes += 1;
        let contact = Contact::deserialize(contact)
            .map_err(|e| format!("data.contact does not fit a contact: {e}"))?;
        Ok((contact, std::mem::take(&mut self.drifts)))
    }

    /// The value at `self.path`, repaired; `None` when it is left out.
    fn check(&mut self, mut value: Value) -> Result<Option<Value>, Stop> {
        let failure = match self.fits(&mut value) {
            Ok(()) => return Ok(Some(value)),
            Err(failure) => failure,
        };
        let value = match value {
            // A struct's place takes `{}`; its fields are asked one by one.
            Value::Object(fields) if self.place_takes(Value::Object(Map::new())) => {
                let mut kept = Map::new();
                for (key, field) in fields {
                    self.path.push(Step::Key(key));
                    let checked = self.check(field);
                    let Some(Step::Key(key)) = self.path.pop() else {
                        unreachable!("the step pushed above")
                    };
                    if let Some(field) = checked? {
                        kept.insert(key, field);
                    }
                }
                Value::Object(kept)
            }
            // serde's structs also read an array, as their fields in order,
            // so an array where `{}` fits is the misfit itself, not its items.
            Value::Array(items)
                if !self.place_takes(Value::Object(Map::new()))
                    && self.place_takes(Value::Array(Vec::new())) =>
            {
                let mut kept = Vec::with_capacity(items.len());
                for (index, item) in items.into_iter().enumerate() {
                    self.path.push(Step::Index(index));
                    let checked = self.check(item);
                    self.path.pop();
                    if let Some(item) = checked? {
                        kept.push(item);
                    }
                }
                Value::Array(kept)
            }
            other => return self.misfit(other, &failure),
        };
        // What is left fits, unless the place wants more than its parts
        // (no generated type does); then the whole value is the misfit. The
        // contact is decoded once more at the end anyway.
        if self.path.is_empty() {
            return Ok(Some(value));
        }
        let mut value = value;
        match self.fits(&mut value) {
            Ok(()) => Ok(Some(value)),
            Err(failure) => self.misfit(value, &failure),
        }
    }

    /// A value that does not fit its place: read losslessly, or left out.
    fn misfit(&mut self, value: Value, failure: &serde_json::Error) -> Result<Option<Value>, Stop> {
        let found = preview(&value.to_string(), FOUND_PREVIEW_CHARS).into_owned();
        let expected = self.expected(failure);
        let read = lossless_readings(&value)
            .into_iter()
            .find_map(|mut candidate| self.fits(&mut candidate).ok().map(|()| candidate));
        let (kept, resolution) = match (read, self.path.last()) {
            (Some(read), _) => (Some(read), DriftResolution::ReadLosslessly),
            (None, Some(Step::Index(_))) => (None, DriftResolution::ItemDropped),
            (None, Some(Step::Key(_))) => (None, DriftResolution::SetToNone),
            (None, None) => return Err(Stop::NotAContact(failure.to_string())),
        };
        if self.drifts.len() == MAX_REPAIRS {
            return Err(Stop::TooManyRepairs);
        }
        self.drifts.push(ResponseDrift {
            path: pointer(&self.path),
            expected,
            found,
            resolution,
        });
        Ok(kept)
    }

    /// What the type expects at `self.path`, in serde's words. A type error
    /// says it ("invalid type: string \"x\", expected i64"); a parse error
    /// inside a string (a timestamp) does not, so a `true`, which no such
    /// type takes, is put there to make the type say it.
    fn expected(&mut self, failure: &serde_json::Error) -> String {
        let said = |message: &str| message.split_once(", expected ").map(|(_, e)| e.to_owned());
        match self.fits(&mut Value::Bool(true)) {
            Ok(()) => "a boolean".to_owned(),
            Err(probe) => said(&probe.to_string())
                .or_else(|| said(&failure.to_string()))
                .unwrap_or_else(|| failure.to_string()),
        }
    }

    fn place_takes(&mut self, mut value: Value) -> bool {
        self.fits(&mut value).is_ok()
    }

    /// Whether the generated types accept `value` at `self.path`: they
    /// decode a contact that holds only it, there. The value is moved into
    /// that skeleton and back, not copied.
    fn fits(&mut self, value: &mut Value) -> Result<(), serde_json::Error> {
        self.decodes += 1;
        let mut skeleton = std::mem::take(value);
        for step in self.path.iter().rev() {
            skeleton = match step {
                Step::Key(key) => Value::Object(Map::from_iter([(key.clone(), skeleton)])),
                Step::Index(_) => Value::Array(vec![skeleton]),
            };
        }
        let result = Contact::deserialize(&skeleton).map(drop);
        for step in &self.path {
            skeleton = match (step, skeleton) {
                (Step::Key(key), Value::Object(mut map)) => map.remove(key).unwrap_or_default(),
                (Step::Index(_), Value::Array(mut items)) => items.pop().unwrap_or_default(),
                (_, other) => other,
            };
        }
        *value = skeleton;
        result
    }
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
        Value::Array(items) if items.is_empty() => vec![Value::Object(Map::new())],
        _ => Vec::new(),
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
        repair(contact).expect("a contact")
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
            assert!(repair(contact.clone()).is_err(), "{contact}");
        }
        assert!(repair(json!([])).is_ok());
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

    fn misfitting_tags(n: usize) -> Value {
        json!({"contact_id": "1", "tags": vec![1; n]})
    }

    #[test]
    fn up_to_the_limit_of_repairs_a_contact_is_read() {
        let (contact, drift) = read(misfitting_tags(MAX_REPAIRS));
        assert_eq!(contact.contact_id.as_deref(), Some("1"));
        assert!(contact.tags.unwrap().is_empty());
        assert_eq!(drift.len(), MAX_REPAIRS);
        assert_eq!(drift[999].path(), "/data/contact/tags/999");
    }

    #[test]
    fn past_the_limit_of_repairs_the_contact_is_refused() {
        let reason = repair(misfitting_tags(MAX_REPAIRS + 1)).unwrap_err();
        assert!(reason.contains("more than 1000 values"), "{reason}");
    }

    /// The work grows with the misfits, not with their square: a bounded
    /// number of decodes per value, each of that value alone.
    #[test]
    fn the_work_is_linear_in_the_misfits() {
        let work = |n| repair_counting(misfitting_tags(n)).1;
        let (small, large) = (work(100), work(800));
        assert!(
            large <= 8 * small,
            "100 misfits: {small} decodes, 800: {large}"
        );
        assert!(large <= 6 * 800 + 10, "{large}");
        // Past the limit, the walk stops at it, whatever follows.
        let huge = repair_counting(misfitting_tags(100_000)).1;
        assert!(huge <= 6 * (MAX_REPAIRS + 1) + 10, "{huge}");
    }

    #[test]
    fn misfits_deep_in_lists_of_structs_are_each_repaired() {
        let experiences: Vec<Value> = (0..50)
            .map(|i| json!({"title": i, "company_name": "ok", "start_at": [1]}))
            .collect();
        let (contact, drift) = read(json!({ "experiences": experiences }));
        let experiences = contact.experiences.unwrap();
        assert_eq!(experiences.len(), 50);
        assert_eq!(experiences[7].title.as_deref(), Some("7"));
        assert_eq!(drift.len(), 100);
        assert_eq!(drift[0].path(), "/data/contact/experiences/0/start_at");
        assert_eq!(drift[1].path(), "/data/contact/experiences/0/title");
        assert_eq!(drift[1].resolution(), DriftResolution::ReadLosslessly);
    }
}
