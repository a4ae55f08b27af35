//! Checks of the spec for what progenitor 0.15.1 and typify 0.8 are known to
//! panic on (or, for a cycle of references, to overflow the stack on), so
//! that the spec editor gets the place and the fix instead of a backtrace
//! into the generator.
//!
//! Each check stands for a panic reproduced with an edit of the spec; the
//! tests in `tests/spec_errors.rs` make the same edits. The checks are no
//! OpenAPI validator: what the generator already reports well (a 3.1 spec, a
//! missing `operationId`, an unsupported parameter style) is left to it.

use std::collections::HashSet;
use std::fmt;

use serde_json::{Map, Value};

/// The operations of a path item, in the order progenitor visits them.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The first problem found in `doc`, as `<where>: <what>; <fix>`.
pub(super) fn check(doc: &Value) -> Result<(), String> {
    if !progenitor_validates(doc) {
        // progenitor's own message for these is clear, and a spec that fails
        // them is no spec the checks below are written for.
        return Ok(());
    }
    let spec = Spec { doc };
    spec.walk()?;
    spec.operations()
}

/// Whether the spec passes the checks progenitor makes before anything that
/// can panic: an OpenAPI 3.0 version, and one unique `operationId` per
/// operation.
fn progenitor_validates(doc: &Value) -> bool {
    let version = doc.get("openapi").and_then(Value::as_str).unwrap_or("");
    if !version.trim().starts_with("3.0.") {
        return false;
    }
    let mut ids = HashSet::new();
    objects(doc.get("paths"))
        .filter(|(_, item)| item.get("$ref").is_none())
        .flat_map(|(_, item)| METHODS.iter().filter_map(|m| item.get(*m)))
        .all(|operation| {
            operation
                .get("operationId")
                .and_then(Value::as_str)
                .is_some_and(|id| ids.insert(id))
        })
}

/// A JSON pointer into the spec, written as a URI fragment (`#/paths/...`),
/// the way a `$ref` names a place.
#[derive(Clone)]
struct At(String);

impl At {
    fn root() -> Self {
        At("#".to_owned())
    }

    fn key(&self, key: &str) -> Self {
        At(format!(
            "{}/{}",
            self.0,
            key.replace('~', "~0").replace('/', "~1")
        ))
    }

    fn index(&self, index: usize) -> Self {
        At(format!("{}/{index}", self.0))
    }
}

impl fmt::Display for At {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The kinds of component a `$ref` can name.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Schema,
    Parameter,
    RequestBody,
    Response,
    Header,
}

impl Kind {
    const ALL: [Kind; 5] = [
        Kind::Schema,
        Kind::Parameter,
        Kind::RequestBody,
        Kind::Response,
        Kind::Header,
    ];

    /// The key of these components under `components`.
    fn section(self) -> &'static str {
        match self {
            Kind::Schema => "schemas",
            Kind::Parameter => "parameters",
            Kind::RequestBody => "requestBodies",
            Kind::Response => "responses",
            Kind::Header => "headers",
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Kind::Schema => "schema",
            Kind::Parameter => "parameter",
            Kind::RequestBody => "request body",
            Kind::Response => "response",
            Kind::Header => "header",
        }
    }
}

struct Spec<'a> {
    doc: &'a Value,
}

impl<'a> Spec<'a> {
    /// Every place of the spec in document order, with the checks that need
    /// only that place: references, and what the generator cannot convert.
    fn walk(&self) -> Result<(), String> {
        let paths = At::root().key("paths");
        for (path, item) in objects(self.doc.get("paths")) {
            let at = paths.key(path);
            // progenitor reports a path item `$ref` itself.
            if item.get("$ref").is_some() {
                continue;
            }
            for (i, parameter) in arrays(item.get("parameters")) {
                self.parameter(&at.key("parameters").index(i), parameter)?;
            }
            for method in METHODS {
                if let Some(operation) = item.get(method) {
                    self.operation(&at.key(method), operation)?;
                }
            }
        }

        let components = At::root().key("components");
        for kind in Kind::ALL {
            let section = components.key(kind.section());
            for (name, item) in
                objects(self.doc.pointer(&format!("/components/{}", kind.section())))
            {
                let at = section.key(name);
                if kind != Kind::Schema {
                    self.no_cycle(&at, kind, name)?;
                }
                match kind {
                    Kind::Schema => self.schema(&at, item)?,
                    Kind::Parameter => self.parameter(&at, item)?,
                    Kind::RequestBody => self.request_body(&at, item)?,
                    Kind::Response => self.response(&at, item)?,
                    Kind::Header => self.header(&at, item)?,
                }
            }
        }
        Ok(())
    }

    fn operation(&self, at: &At, operation: &Value) -> Result<(), String> {
        for (i, parameter) in arrays(operation.get("parameters")) {
            self.parameter(&at.key("parameters").index(i), parameter)?;
        }
        if let Some(body) = operation.get("requestBody") {
            self.request_body(&at.key("requestBody"), body)?;
        }
        for (status, response) in objects(operation.get("responses")) {
            self.response(&at.key("responses").key(status), response)?;
        }
        Ok(())
    }

    fn parameter(&self, at: &At, parameter: &Value) -> Result<(), String> {
        if let Some(reference) = reference(parameter) {
            return self.reference_resolves(at, reference, Kind::Parameter);
        }
        if parameter.get("in").and_then(Value::as_str) == Some("path")
            && parameter.get("required") != Some(&Value::Bool(true))
        {
            return Err(format!(
                "{at}: path parameter {} lacks `required: true`, which OpenAPI demands of \
                 path parameters and progenitor asserts; add `required: true`",
                name_of(parameter)
            ));
        }
        if let Some(schema) = parameter.get("schema") {
            self.schema(&at.key("schema"), schema)?;
        }
        self.media_schemas(at, parameter)
    }

    fn header(&self, at: &At, header: &Value) -> Result<(), String> {
        if let Some(reference) = reference(header) {
            return self.reference_resolves(at, reference, Kind::Header);
        }
        if let Some(schema) = header.get("schema") {
            self.schema(&at.key("schema"), schema)?;
        }
        self.media_schemas(at, header)
    }

    fn request_body(&self, at: &At, body: &Value) -> Result<(), String> {
        if let Some(reference) = reference(body) {
            return self.reference_resolves(at, reference, Kind::RequestBody);
        }
        let content = at.key("content");
        let media_types: Vec<_> = objects(body.get("content")).collect();
        if media_types.len() > 1 {
            let names: Vec<_> = media_types.iter().map(|(name, _)| name.as_str()).collect();
            return Err(format!(
                "{content}: the request body has {} media types ({}), and progenitor takes \
                 exactly one; keep one of them",
                names.len(),
                names.join(", ")
            ));
        }
        for (media_type, media) in media_types {
            let at = content.key(media_type);
            if media.get("schema").is_none() {
                return Err(format!(
                    "{at}: the request body has no schema; add one under `schema:` \
                     (e.g. a $ref to a component)"
                ));
            }
            let structured =
                is_json(media_type) || media_type == "application/x-www-form-urlencoded";
            if structured && has_entries(media.get("encoding")) {
                return Err(format!(
                    "{}: progenitor does not support `encoding` for a {media_type} request \
                     body; remove `encoding`",
                    at.key("encoding")
                ));
            }
        }
        self.media_schemas(at, body)
    }

    fn response(&self, at: &At, response: &Value) -> Result<(), String> {
        if let Some(reference) = reference(response) {
            return self.reference_resolves(at, reference, Kind::Response);
        }
        for (name, header) in objects(response.get("headers")) {
            self.header(&at.key("headers").key(name), header)?;
        }
        for (media_type, media) in objects(response.get("content")) {
            if !is_json(media_type) {
                continue;
            }
            let at = at.key("content").key(media_type);
            if media.get("schema").is_none() {
                return Err(format!(
                    "{at}: a JSON response without a schema, which progenitor cannot decode; \
                     add `schema: {{}}` for any JSON value (or a $ref), or remove the content \
                     if the response has no body"
                ));
            }
            if has_entries(media.get("encoding")) {
                return Err(format!(
                    "{}: progenitor does not support `encoding` in a JSON response; remove it",
                    at.key("encoding")
                ));
            }
        }
        self.media_schemas(at, response)
    }

    /// The schemas under `content` of a parameter, header, request body or
    /// response.
    fn media_schemas(&self, at: &At, item: &Value) -> Result<(), String> {
        for (media_type, media) in objects(item.get("content")) {
            if let Some(schema) = media.get("schema") {
                self.schema(&at.key("content").key(media_type).key("schema"), schema)?;
            }
        }
        Ok(())
    }

    fn schema(&self, at: &At, schema: &Value) -> Result<(), String> {
        self.schema_in(at, schema, false)
    }

    /// `merged` is for a schema of an `allOf`, which typify merges into the
    /// others rather than converts on its own.
    fn schema_in(&self, at: &At, schema: &Value, merged: bool) -> Result<(), String> {
        if let Some(reference) = reference(schema) {
            // Keys next to a `$ref` are ignored, as OpenAPI 3.0 says.
            return self.reference_resolves(at, reference, Kind::Schema);
        }
        if !schema.is_object() {
            return Ok(());
        }
        empty_all_of(at, schema)?;
        untyped_enum(at, schema)?;
        enum_variant_names(at, schema)?;
        if !merged {
            unconvertible_not(at, schema)?;
        }
        tagged_variant_required(at, schema)?;
        default_fits(at, schema)?;

        for (name, property) in objects(schema.get("properties")) {
            self.schema(&at.key("properties").key(name), property)?;
        }
        for key in ["items", "additionalProperties", "not"] {
            if let Some(sub) = schema.get(key).filter(|s| s.is_object()) {
                self.schema(&at.key(key), sub)?;
            }
        }
        for key in ["allOf", "oneOf", "anyOf"] {
            for (i, sub) in arrays(schema.get(key)) {
                self.schema_in(&at.key(key).index(i), sub, key == "allOf")?;
            }
        }
        Ok(())
    }

    /// Whether `reference`, found at `at` where a `kind` belongs, names a
    /// component.
    ///
    /// progenitor and typify look a reference up by its last segment among
    /// the components of the kind they expect, and panic when it is not
    /// there; so a reference must have the one form
    /// `#/components/<kind>/<name>`, with the kind of its place.
    fn reference_resolves(&self, at: &At, reference: &str, kind: Kind) -> Result<(), String> {
        let section = kind.section();
        let form = format!("#/components/{section}/<Name>");
        if !reference.starts_with('#') {
            return Err(format!(
                "{at}: $ref \"{reference}\" points into another file, and the generator \
                 reads only this one; copy the {} into components.{section} and refer to \
                 it as \"{form}\"",
                kind.noun()
            ));
        }
        let segments: Vec<&str> = reference.split('/').collect();
        match segments[..] {
            ["#", "components", found, name] if found == section => {
                match self.doc.pointer(&format!("/components/{section}/{name}")) {
                    Some(_) => Ok(()),
                    None => Err(format!(
                        "{at}: $ref \"{reference}\" does not resolve (no {} named \"{name}\" \
                         in components.{section}){}; fix the name or add the component",
                        kind.noun(),
                        self.did_you_mean(kind, name)
                    )),
                }
            }
            ["#", "components", found, _] if Kind::ALL.iter().any(|k| k.section() == found) => {
                Err(format!(
                    "{at}: $ref \"{reference}\" names a component of components.{found} where \
                     a {} belongs; refer to one in components.{section} (\"{form}\")",
                    kind.noun()
                ))
            }
            _ => Err(format!(
                "{at}: $ref \"{reference}\" is not of the form \"{form}\", the only one the \
                 generator resolves; make the target a component of components.{section} \
                 and refer to it by that name"
            )),
        }
    }

    /// ` (did you mean "X"?)` when a component of `kind` has a name close to
    /// `name`, for the typo that is the usual cause of a dangling reference.
    fn did_you_mean(&self, kind: Kind, name: &str) -> String {
        let lower = name.to_lowercase();
        objects(self.doc.pointer(&format!("/components/{}", kind.section())))
            .map(|(candidate, _)| (edit_distance(&lower, &candidate.to_lowercase()), candidate))
            .filter(|(distance, _)| *distance <= 2)
            .min()
            .map(|(_, candidate)| format!(" (did you mean \"{candidate}\"?)"))
            .unwrap_or_default()
    }

    /// progenitor follows a reference from component to component without
    /// end, and a cycle overflows its stack, which no panic hook can catch.
    fn no_cycle(&self, at: &At, kind: Kind, name: &str) -> Result<(), String> {
        let section = kind.section();
        let mut chain = vec![name];
        let mut item = self.doc.pointer(&format!("/components/{section}/{name}"));
        while let Some(reference) = item.and_then(reference) {
            let Some(next) = reference
                .strip_prefix(&format!("#/components/{section}/"))
                .filter(|next| !next.contains('/'))
            else {
                // A reference of another form is reported where it stands.
                return Ok(());
            };
            let looped = chain.contains(&next);
            chain.push(next);
            if looped {
                return Err(format!(
                    "{at}: the {} references form a cycle ({}), which sends progenitor into \
                     endless recursion; make one of them a {} instead of a $ref",
                    kind.noun(),
                    chain.join(" -> "),
                    kind.noun()
                ));
            }
            item = self.doc.pointer(&format!("/components/{section}/{next}"));
        }
        Ok(())
    }

    /// The checks that take a whole operation: its path parameters, and the
    /// one success and one error type progenitor gives it.
    fn operations(&self) -> Result<(), String> {
        let paths = At::root().key("paths");
        for (path, item) in objects(self.doc.get("paths")) {
            if item.get("$ref").is_some() {
                continue;
            }
            for method in METHODS {
                let Some(operation) = item.get(method) else {
                    continue;
                };
                let at = paths.key(path).key(method);
                let name = format!(
                    "operation {} ({} {path})",
                    operation["operationId"].as_str().unwrap_or_default(),
                    method.to_uppercase()
                );
                self.path_parameters(&at, path, item, operation)?;
                self.one_type(&name, operation, ResponseClass::Success)?;
                self.one_type(&name, operation, ResponseClass::Error)?;
            }
        }
        Ok(())
    }

    /// progenitor panics when a `{name}` of the path has no path parameter.
    fn path_parameters(
        &self,
        at: &At,
        path: &str,
        item: &Value,
        operation: &Value,
    ) -> Result<(), String> {
        // progenitor matches parameters by name alone, and the operation's
        // override the path item's.
        let mut parameters: Vec<(At, &str, &Value)> = Vec::new();
        let declared = arrays(item.get("parameters"))
            .map(|(i, p)| (at_parent(at).key("parameters").index(i), p))
            .chain(
                arrays(operation.get("parameters"))
                    .map(|(i, p)| (at.key("parameters").index(i), p)),
            );
        for (place, parameter) in declared {
            let Some(parameter) = self.resolve(parameter, Kind::Parameter) else {
                continue;
            };
            let name = parameter.get("name").and_then(Value::as_str).unwrap_or("");
            parameters.retain(|(_, other, _)| *other != name);
            parameters.push((place, name, parameter));
        }

        let Some(in_path) = template_names(path) else {
            return Ok(());
        };
        for name in &in_path {
            match parameters.iter().find(|(_, other, _)| other == name) {
                None => {
                    return Err(format!(
                        "{at}: the path has {{{name}}}, but no parameter \"{name}\" with \
                         `in: path` is declared for it; declare it (with `required: true`) in \
                         the operation's or the path's parameters, or fix the path"
                    ));
                }
                Some((place, _, parameter))
                    if parameter.get("in").and_then(Value::as_str) != Some("path") =>
                {
                    return Err(format!(
                        "{place}: the parameter \"{name}\" is `in: {}`, but the path has \
                         {{{name}}} and progenitor matches parameters by name only; rename \
                         one of them",
                        parameter.get("in").and_then(Value::as_str).unwrap_or("?")
                    ));
                }
                Some(_) => {}
            }
        }
        for (place, name, parameter) in &parameters {
            if parameter.get("in").and_then(Value::as_str) == Some("path")
                && !in_path.iter().any(|n| n == name)
            {
                return Err(format!(
                    "{place}: path parameter \"{name}\" does not appear in the path \"{path}\"; \
                     rename it to match a {{name}} of the path, or remove it"
                ));
            }
        }
        Ok(())
    }

    /// progenitor asserts that the responses of each outcome share one type.
    ///
    /// This follows progenitor's `extract_responses`: which statuses count,
    /// the order, and the `default` that is dropped after a `2XX`; two
    /// bodies are one type when they are the same `$ref`, equal inline
    /// schemas, both absent, or both of media types other than JSON.
    fn one_type(
        &self,
        name: &str,
        operation: &Value,
        outcome: ResponseClass,
    ) -> Result<(), String> {
        let responses = objects(operation.get("responses"));
        // progenitor puts `default` first, then the rest in spec order, and
        // sorts that stably.
        let mut matching: Vec<(Status, &str, Body)> = responses
            .clone()
            .filter(|(status, _)| status.as_str() == "default")
            .chain(responses.filter(|(status, _)| status.as_str() != "default"))
            .filter_map(|(status, response)| {
                let parsed = Status::parse(status)?;
                outcome
                    .covers(parsed)
                    .then(|| (parsed, status.as_str(), self.body(parsed, response)))
            })
            .collect();
        matching.sort_by_key(|(status, _, _)| status.order());
        if let [.., (Status::Range(2), _, _), (Status::Default, _, _)] = matching[..] {
            matching.pop();
        }

        let mut distinct: Vec<&Body> = Vec::new();
        for (_, _, body) in &matching {
            if !distinct.contains(&body) {
                distinct.push(body);
            }
        }
        if distinct.len() <= 1 {
            return Ok(());
        }
        let listed: Vec<String> = matching
            .iter()
            .map(|(_, status, body)| format!("{status}: {body}"))
            .collect();
        let default_note = if matching.iter().any(|(s, _, _)| *s == Status::Default) {
            " (a `default` response counts as a success and as an error)"
        } else {
            ""
        };
        let (outcome, statuses) = match outcome {
            ResponseClass::Success => ("success", "success status"),
            ResponseClass::Error => ("error", "error status (4XX, 5XX, their codes, default)"),
        };
        Err(format!(
            "{name}: its {outcome} responses have different bodies ({}){default_note}, but \
             progenitor gives an operation one {outcome} type (a known limitation of the \
             generator); give every {statuses} the same $ref schema, or no body",
            listed.join("; ")
        ))
    }

    /// What the body of `response` becomes for progenitor.
    fn body(&self, status: Status, response: &'a Value) -> Body {
        let Some(response) = self.resolve(response, Kind::Response) else {
            return Body::None;
        };
        let content = objects(response.get("content"));
        if let Some((_, media)) = content.clone().find(|(media_type, _)| is_json(media_type)) {
            return match media.get("schema") {
                Some(schema) => match reference(schema) {
                    Some(reference) => Body::Ref(reference.to_owned()),
                    None => Body::Inline(schema.clone()),
                },
                None => Body::None,
            };
        }
        if status == Status::Code(101) {
            return Body::Upgrade;
        }
        match content.clone().next() {
            Some((media_type, _)) => Body::Raw(media_type.clone()),
            None => Body::None,
        }
    }

    /// `item`, or what its `$ref` chain leads to.
    fn resolve(&self, mut item: &'a Value, kind: Kind) -> Option<&'a Value> {
        let prefix = format!("#/components/{}/", kind.section());
        // The walk has ruled out cycles; the bound is only a guard.
        for _ in 0..64 {
            let Some(reference) = reference(item) else {
                return Some(item);
            };
            let name = reference.strip_prefix(&prefix)?;
            item = self
                .doc
                .pointer(&format!("/components/{}/{name}", kind.section()))?;
        }
        None
    }
}

/// Which of an operation's two response types a status falls under.
#[derive(Clone, Copy)]
enum ResponseClass {
    Success,
    Error,
}

impl ResponseClass {
    /// progenitor's `is_success_or_default` and `is_error_or_default`.
    fn covers(self, status: Status) -> bool {
        match self {
            ResponseClass::Success => matches!(
                status,
                Status::Default | Status::Code(101) | Status::Code(200..=299) | Status::Range(2)
            ),
            ResponseClass::Error => matches!(
                status,
                Status::Default | Status::Code(400..=599) | Status::Range(4..=5)
            ),
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Status {
    Code(u16),
    Range(u16),
    Default,
}

impl Status {
    fn parse(status: &str) -> Option<Status> {
        if status == "default" {
            return Some(Status::Default);
        }
        if let Some(digit) = status.strip_suffix("XX").and_then(|d| d.parse().ok()) {
            return Some(Status::Range(digit));
        }
        status.parse().ok().map(Status::Code)
    }

    /// progenitor's sort key.
    fn order(self) -> u16 {
        match self {
            Status::Code(code) => code,
            Status::Range(range) => range.saturating_mul(100),
            Status::Default => 1000,
        }
    }
}

/// A response body, as far as progenitor's choice of type goes.
#[derive(PartialEq)]
enum Body {
    Ref(String),
    Inline(Value),
    Raw(String),
    Upgrade,
    None,
}

impl fmt::Display for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Body::Ref(reference) => {
                let name = reference.rsplit('/').next().unwrap_or(reference);
                write!(f, "schema {name}")
            }
            Body::Inline(_) => f.write_str("an inline schema"),
            Body::Raw(media_type) => write!(f, "a {media_type} body"),
            Body::Upgrade => f.write_str("a protocol upgrade"),
            Body::None => f.write_str("no body"),
        }
    }
}

/// typify merges the schemas of an `allOf`, and panics when there are none.
fn empty_all_of(at: &At, schema: &Value) -> Result<(), String> {
    match schema.get("allOf").and_then(Value::as_array) {
        Some(all_of) if all_of.is_empty() => Err(format!(
            "{}: `allOf` is empty, and typify cannot merge zero schemas; list at least one \
             schema, or remove `allOf`",
            at.key("allOf")
        )),
        _ => Ok(()),
    }
}

/// typify infers the type of an enum without `type` from its values, and
/// panics when they are of more than one JSON type (`null` aside).
fn untyped_enum(at: &At, schema: &Value) -> Result<(), String> {
    if schema.get("type").is_some() {
        return Ok(());
    }
    let Some(values) = schema.get("enum").and_then(Value::as_array) else {
        return Ok(());
    };
    let mut kinds: Vec<&str> = Vec::new();
    for value in values.iter().filter(|v| !v.is_null()) {
        let kind = json_type(value);
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    if kinds.len() <= 1 {
        return Ok(());
    }
    Err(format!(
        "{}: the enum has no `type` and values of {} JSON types ({}), and typify needs the \
         values of one type; add `type:` and keep only values of that type",
        at.key("enum"),
        kinds.len(),
        kinds.join(", ")
    ))
}

/// typify makes a Rust enum of a string enum and panics when two values get
/// one variant name; this names the variants the way typify 0.8 does.
fn enum_variant_names(at: &At, schema: &Value) -> Result<(), String> {
    let Some(values) = schema.get("enum").and_then(Value::as_array) else {
        return Ok(());
    };
    let is_string = match schema.get("type").and_then(Value::as_str) {
        Some(kind) => kind == "string",
        None => values.iter().all(|v| v.is_string() || v.is_null()),
    };
    if !is_string {
        return Ok(());
    }
    let values: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
    let first: Vec<String> = values.iter().map(|v| variant_name(v)).collect();
    if all_unique(&first) {
        return Ok(());
    }
    // typify's second try spells out the characters the first one drops.
    let second: Vec<String> = values
        .iter()
        .map(|v| variant_name(&v.replace(|c| c == '_' || !unicode_ident::is_xid_continue(c), "X")))
        .collect();
    for (i, name) in second.iter().enumerate() {
        if let Some(j) = second[..i].iter().position(|other| other == name) {
            let what = if values[i] == values[j] {
                format!("lists {:?} twice", values[i])
            } else {
                format!(
                    "has the values {:?} and {:?}, which typify can only name alike ({name})",
                    values[j], values[i]
                )
            };
            return Err(format!(
                "{}: the enum {what}, and typify panics on two variants of one name; remove \
                 the duplicate, or make the values differ in letters or digits, not only in \
                 case or punctuation",
                at.key("enum")
            ));
        }
    }
    Ok(())
}

/// typify's `sanitize(_, Case::Pascal)`, up to the `_` it appends to a
/// keyword, which does not change whether two names are equal.
fn variant_name(raw: &str) -> String {
    use heck::ToPascalCase;

    let name = match raw {
        "+1" => "plus1".to_owned(),
        "-1" => "minus1".to_owned(),
        _ => raw
            .replace('\'', "")
            .replace(|c| !unicode_ident::is_xid_continue(c), "-")
            .to_pascal_case(),
    };
    match name.chars().next() {
        None => "x".to_pascal_case(),
        Some(c) if unicode_ident::is_xid_start(c) => name,
        Some(_) => format!("{}{name}", "x".to_pascal_case()),
    }
}

fn all_unique(names: &[String]) -> bool {
    let mut seen = HashSet::new();
    names.iter().all(|name| seen.insert(name))
}

/// A schema that is only a `not` goes to typify's `convert_not`, which
/// panics unless the `not` is `{}` or an enum of one JSON type.
fn unconvertible_not(at: &At, schema: &Value) -> Result<(), String> {
    let Some(not) = schema.get("not") else {
        return Ok(());
    };
    let alone = |key: &str| {
        matches!(
            key,
            "not" | "type" | "nullable" | "readOnly" | "writeOnly" | "default"
        ) || is_annotation(key)
    };
    if !keys(schema).all(alone) {
        // With other keywords, typify merges the `not` into the rest.
        return Ok(());
    }
    if reference(not).is_none() {
        if keys(not).all(is_annotation) {
            return Ok(());
        }
        if let Some(values) = not.get("enum").and_then(Value::as_array) {
            if not.get("type").is_some() {
                return Ok(());
            }
            // Without a type, typify takes the enum only when nothing else
            // constrains it, and infers the type from the values.
            let kinds: HashSet<&str> = values.iter().map(json_type).collect();
            let one_scalar_type = kinds.len() == 1
                && kinds
                    .iter()
                    .all(|k| ["boolean", "number", "string"].contains(k));
            if one_scalar_type && keys(not).all(|key| key == "enum" || is_annotation(key)) {
                return Ok(());
            }
        }
    }
    Err(format!(
        "{}: typify converts a schema that is only a `not` when the `not` is `{{}}` or an \
         `enum` of one type, and panics on this one; turn it into an enum of the excluded \
         values, or drop the `not`",
        at.key("not")
    ))
}

/// typify tries a `oneOf` as an externally tagged enum, whose variants are
/// string enums or objects of one required property; it asserts that the
/// one property of such an object is the required one. It stops at the first
/// variant of another shape, and so does this.
fn tagged_variant_required(at: &At, schema: &Value) -> Result<(), String> {
    for (i, variant) in arrays(schema.get("oneOf")) {
        if reference(variant).is_some() {
            return Ok(());
        }
        let kind = variant.get("type").and_then(Value::as_str);
        if let Some(values) = variant.get("enum").and_then(Value::as_array) {
            if matches!(kind, None | Some("string")) && values.iter().all(Value::is_string) {
                continue;
            }
            return Ok(());
        }
        let object_like = matches!(kind, None | Some("object"))
            && [
                "allOf",
                "oneOf",
                "anyOf",
                "not",
                "format",
                "minProperties",
                "maxProperties",
            ]
            .iter()
            .all(|key| variant.get(key).is_none())
            && variant
                .get("additionalProperties")
                .is_none_or(|extra| *extra == Value::Bool(false));
        let properties: Vec<&str> =
            keys(variant.get("properties").unwrap_or(&Value::Null)).collect();
        let required: Vec<&str> = arrays(variant.get("required"))
            .filter_map(|(_, name)| name.as_str())
            .collect();
        match (object_like, &properties[..], &required[..]) {
            (true, [property], [name]) if property == name => {}
            (true, [property], [name]) => {
                return Err(format!(
                    "{}: \"{name}\" is required, but the one property is \"{property}\", \
                     and typify asserts that a one-property variant of a `oneOf` requires \
                     that property; fix the name in `required` or in `properties`",
                    at.key("oneOf").index(i).key("required")
                ));
            }
            _ => return Ok(()),
        }
    }
    Ok(())
}

/// progenitor rejects a `default` that does not fit its schema with a message
/// that does not say which schema.
fn default_fits(at: &At, schema: &Value) -> Result<(), String> {
    let Some(default) = schema.get("default") else {
        return Ok(());
    };
    if default.is_null() {
        return Ok(());
    }
    let fits_type = match schema.get("type").and_then(Value::as_str) {
        Some("string") => default.is_string(),
        Some("integer") => default.is_i64() || default.is_u64(),
        Some("number") => default.is_number(),
        Some("boolean") => default.is_boolean(),
        Some("array") => default.is_array(),
        Some("object") => default.is_object(),
        _ => true,
    };
    let in_enum = match schema.get("enum").and_then(Value::as_array) {
        Some(values) if !values.is_empty() => values.contains(default),
        _ => true,
    };
    if fits_type && in_enum {
        return Ok(());
    }
    let why = if fits_type {
        "is not one of the enum's values"
    } else {
        "is not of the schema's type"
    };
    Err(format!(
        "{}: the default {default} {why}, and progenitor rejects the spec for it; fix the \
         default, or remove it",
        at.key("default")
    ))
}

/// The keys that describe a schema without constraining it.
fn is_annotation(key: &str) -> bool {
    matches!(
        key,
        "description" | "title" | "example" | "deprecated" | "externalDocs"
    ) || key.starts_with("x-")
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The names in `{}` of a path template, or `None` for a template that
/// progenitor rejects itself (with a clear message).
fn template_names(path: &str) -> Option<Vec<String>> {
    let mut names = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find(['{', '}']) {
        let after = &rest[start + 1..];
        let end = after
            .find(['{', '}'])
            .filter(|_| rest[start..].starts_with('{'))?;
        if !after[end..].starts_with('}') {
            return None;
        }
        names.push(after[..end].to_owned());
        rest = &after[end + 1..];
    }
    Some(names)
}

/// progenitor's test for a JSON media type.
fn is_json(media_type: &str) -> bool {
    media_type == "application/json" || media_type.starts_with("application/json;")
}

/// The path item of an operation's pointer.
fn at_parent(at: &At) -> At {
    At(at
        .0
        .rsplit_once('/')
        .map_or("#", |(parent, _)| parent)
        .to_owned())
}

fn reference(item: &Value) -> Option<&str> {
    item.get("$ref").and_then(Value::as_str)
}

fn name_of(parameter: &Value) -> String {
    format!(
        "{:?}",
        parameter.get("name").and_then(Value::as_str).unwrap_or("")
    )
}

fn has_entries(item: Option<&Value>) -> bool {
    item.and_then(Value::as_object)
        .is_some_and(|map| !map.is_empty())
}

fn keys(item: &Value) -> impl Iterator<Item = &str> {
    item.as_object()
        .into_iter()
        .flat_map(Map::keys)
        .map(String::as_str)
}

fn objects(item: Option<&Value>) -> impl Iterator<Item = (&String, &Value)> + Clone {
    item.and_then(Value::as_object).into_iter().flatten()
}

fn arrays(item: Option<&Value>) -> impl Iterator<Item = (usize, &Value)> {
    item.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
}

/// The Levenshtein distance, in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}
