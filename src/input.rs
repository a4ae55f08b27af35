//! The input of an update: its builder, and the checked value that is the
//! only way to a request body, so that every rule of the API is checked
//! before anything is sent.

use std::collections::HashMap;
use std::time::Duration;

use serde::Serialize;

use crate::error::InvalidInput;
use crate::generated::types;
use crate::ids::{AccountId, ContactId};
use crate::options::{PendingHeaders, SendOptions};
use crate::tag::{Tag, TagChange, tag_name};

/// What happens to the notes.
#[derive(Debug, Clone, Default)]
enum NotesChange {
    #[default]
    Untouched,
    Clear,
    Text(String),
    Unserializable(String),
}

/// Builds an [`UpdateContactInput`]; made by [`UpdateContactInput::builder`].
/// [`Client::update_contact`](crate::Client::update_contact) gives the same
/// methods on a builder that also sends.
///
/// Every method takes and returns the builder by value, and none changes its
/// type, so an update can be built from data as easily as from literals:
///
/// ```
/// use talktohumans::{Tag, UpdateContactInput};
///
/// let hot = true;
/// let mut builder = UpdateContactInput::builder("123").account_id("42");
/// if hot {
///     builder = builder.add_tag(Tag::new("Hot lead").with_color("red"));
/// }
/// let input = builder.remove_tag("Old tag").build()?;
/// assert_eq!(
///     input.body_json(),
///     r#"{"account_id":"42","tags":{"add":[{"color":"red","name":"Hot lead"}],"remove":["Old tag"]}}"#
/// );
/// # Ok::<(), talktohumans::InvalidInput>(())
/// ```
///
/// Nothing is checked until [`build`](Self::build), which reports the first
/// broken rule as an [`InvalidInput`]:
/// - ids match `^[1-9][0-9]*$`;
/// - tags are either replaced (`set_tags`, `clear_tags`) or added and removed
///   (`add_tag`, `remove_tag`), never both
///   ([`InvalidInput::ReplaceCombinedWithAddOrRemove`]);
/// - tag names are not empty or only white space;
/// - no tag is both added and removed, and no tag appears twice in one list
///   with different colors (the same tag twice with the same color is sent
///   once);
/// - notes text is valid JSON, and not JSON `null` (which would store a null,
///   not clear the notes);
/// - the update changes tags or notes: an update that changes nothing is
///   refused ([`InvalidInput::NothingToUpdate`]) rather than sent.
#[derive(Debug, Clone, Default)]
#[must_use = "a builder does nothing until it is built"]
pub struct UpdateContactInputBuilder {
    contact_id: String,
    account_id: Option<String>,
    add: Vec<Tag>,
    remove: Vec<String>,
    set: Option<Vec<Tag>>,
    notes: NotesChange,
    options: SendOptions,
    headers: PendingHeaders,
}

impl UpdateContactInputBuilder {
    /// The LinkedIn account whose view of the contact (and notes) to change.
    /// Required by the API when the contact exists under several accounts.
    pub fn account_id(mut self, account_id: impl AsRef<str>) -> Self {
        self.account_id = Some(account_id.as_ref().to_owned());
        self
    }

    /// Sets the whole tag change at once, replacing any tag change made so
    /// far: the way to go when the kind of change is chosen at run time.
    pub fn tags(mut self, change: TagChange) -> Self {
        (self.set, self.add, self.remove) = match change {
            TagChange::Replace(tags) => (Some(tags), Vec::new(), Vec::new()),
            TagChange::Incremental { add, remove } => (None, add, remove),
        };
        self
    }

    /// Adds a tag (`tags.add`).
    pub fn add_tag(mut self, tag: impl Into<Tag>) -> Self {
        self.add.push(tag.into());
        self
    }

    /// Adds several tags (`tags.add`).
    pub fn add_tags<I>(mut self, tags: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<Tag>,
    {
        self.add.extend(tags.into_iter().map(Into::into));
        self
    }

    /// Removes the tag with this name (`tags.remove`); removing a tag the
    /// contact does not have is left to the server.
    pub fn remove_tag(mut self, name: impl Into<String>) -> Self {
        self.remove.push(name.into());
        self
    }

    /// Removes the tags with these names (`tags.remove`).
    pub fn remove_tags<I>(mut self, names: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.remove.extend(names.into_iter().map(Into::into));
        self
    }

    /// Replaces the contact's tags with exactly these (`tags.set`).
    pub fn set_tags<I>(mut self, tags: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<Tag>,
    {
        self.set = Some(tags.into_iter().map(Into::into).collect());
        self
    }

    /// Removes every tag (`"tags": {"set": []}`).
    pub fn clear_tags(mut self) -> Self {
        self.set = Some(Vec::new());
        self
    }

    /// Stores `notes`, serialized as JSON, as the contact's account-scoped
    /// notes.
    ///
    /// A value that serializes to `null` (`serde_json::Value::Null`, a
    /// `None`) is refused when built ([`InvalidInput::NullNotes`]): the API
    /// would store a JSON null, not clear the notes, and a missing value in
    /// a data file should not silently wipe them. Call
    /// [`clear_notes`](Self::clear_notes) to clear.
    pub fn notes<T: Serialize + ?Sized>(mut self, notes: &T) -> Self {
        self.notes = match serde_json::to_string(notes) {
            Ok(text) => NotesChange::Text(text),
            Err(e) => NotesChange::Unserializable(e.to_string()),
        };
        self
    }

    /// Stores already-serialized JSON text as the notes; it is checked to be
    /// valid JSON (and not `null`) and sent unchanged.
    pub fn notes_json(mut self, text: impl Into<String>) -> Self {
        self.notes = NotesChange::Text(text.into());
        self
    }

    /// Clears the notes. Sent as `"notes_json": ""`, one of the two forms the
    /// API documents for clearing (the other is `null`).
    pub fn clear_notes(mut self) -> Self {
        self.notes = NotesChange::Clear;
        self
    }

    /// Overrides the client's number of retries for this update (0 disables
    /// them).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.options.max_retries = Some(retries);
        self
    }

    /// Overrides the client's total deadline for this update: attempts and
    /// the waits between them never go past it. In a batch it counts from
    /// the first attempt (see [`ClientBuilder::deadline`](crate::ClientBuilder::deadline)).
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.options.deadline = Some(deadline);
        self
    }

    /// Time for each attempt of this update, from sending the request to
    /// the last byte of the response, instead of the client's
    /// ([`ClientBuilder::timeout`](crate::ClientBuilder::timeout)). The
    /// deadline still cuts an attempt short. Zero is refused when built
    /// ([`InvalidInput::ZeroAttemptTimeout`]).
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.options.attempt_timeout = Some(timeout);
        self
    }

    /// Adds a header to every request of this update (a tenant, a trace
    /// id, a header the API reads before its reference documents it).
    /// Given twice, a name is sent twice. Checked when built: a header the
    /// client sets itself (`Authorization`, `Content-Type`, `Accept`,
    /// `Content-Length`, `Host`, `User-Agent`, the hop-by-hop headers) is
    /// refused as [`InvalidInput::ReservedHeader`], and a malformed name or
    /// value as [`InvalidInput::InvalidHeader`]. Values are marked
    /// sensitive, so that the HTTP layer's `Debug` output leaves them out.
    ///
    /// ```
    /// use talktohumans::{InvalidInput, UpdateContactInput};
    ///
    /// let input = UpdateContactInput::builder("123")
    ///     .add_tag("Hot lead")
    ///     .header("x-tenant", "acme")
    ///     .build()?;
    /// let refused = UpdateContactInput::builder("123")
    ///     .add_tag("Hot lead")
    ///     .header("Authorization", "Bearer another-key")
    ///     .build()
    ///     .unwrap_err();
    /// assert_eq!(refused, InvalidInput::ReservedHeader { name: "authorization".into() });
    /// # Ok::<(), talktohumans::InvalidInput>(())
    /// ```
    pub fn header(mut self, name: impl Into<String>, value: impl AsRef<[u8]>) -> Self {
        self.headers.push(name.into(), value.as_ref().to_vec());
        self
    }

    /// Checks every rule and returns the update, ready to send.
    pub fn build(self) -> Result<UpdateContactInput, InvalidInput> {
        let contact_id = ContactId::new(&self.contact_id)?;
        let account_id = self
            .account_id
            .as_deref()
            .map(|id| AccountId::new(id).map(|id| id.generated().clone()))
            .transpose()?;
        let tags = match self.set {
            Some(_) if !self.add.is_empty() || !self.remove.is_empty() => {
                return Err(InvalidInput::ReplaceCombinedWithAddOrRemove);
            }
            Some(set) => Some(types::TagsUpdate::Replace(types::TagsReplace {
                set: unique_tags(&set)?,
            })),
            None => incremental(&self.add, &self.remove)?,
        };
        let notes_json = match self.notes {
            NotesChange::Untouched => None,
            NotesChange::Clear => Some(String::new()),
            NotesChange::Text(text) => Some(checked_notes(text)?),
            NotesChange::Unserializable(reason) => {
                return Err(InvalidInput::NotesNotSerializable { reason });
            }
        };
        if tags.is_none() && notes_json.is_none() {
            return Err(InvalidInput::NothingToUpdate);
        }
        if self.options.attempt_timeout == Some(Duration::ZERO) {
            return Err(InvalidInput::ZeroAttemptTimeout);
        }
        let mut options = self.options;
        options.headers = self.headers.check()?;
        Ok(UpdateContactInput {
            contact_id,
            body: types::UpdateContactRequest {
                account_id,
                notes_json,
                tags,
            },
            options,
        })
    }
}

/// The tags, in order, each once; refuses blank names and a name given twice
/// with different colors.
fn unique_tags(tags: &[Tag]) -> Result<Vec<types::TagInput>, InvalidInput> {
    let mut seen: HashMap<&str, Option<&str>> = HashMap::with_capacity(tags.len());
    let mut out = Vec::with_capacity(tags.len());
    for tag in tags {
        let wire = tag.to_wire()?;
        match seen.insert(tag.name(), tag.color()) {
            None => out.push(wire),
            Some(first) if first == tag.color() => {}
            Some(first) => {
                return Err(InvalidInput::ConflictingTagColors {
                    name: tag.name().to_owned(),
                    first: first.map(str::to_owned),
                    second: tag.color().map(str::to_owned),
                });
            }
        }
    }
    Ok(out)
}

fn incremental(add: &[Tag], remove: &[String]) -> Result<Option<types::TagsUpdate>, InvalidInput> {
    if add.is_empty() && remove.is_empty() {
        return Ok(None);
    }
    let add = unique_tags(add)?;
    let mut removed = Vec::with_capacity(remove.len());
    for name in remove {
        let name = tag_name(name)?;
        if add.iter().any(|tag| *tag.name == *name) {
            return Err(InvalidInput::TagAddedAndRemoved {
                name: name.to_string(),
            });
        }
        if !removed.contains(&name) {
            removed.push(name);
        }
    }
    Ok(Some(types::TagsUpdate::Incremental(
        types::TagsIncremental {
            add,
            remove: removed,
        },
    )))
}

fn checked_notes(text: String) -> Result<String, InvalidInput> {
    if text.trim().is_empty() {
        return Err(InvalidInput::EmptyNotesText);
    }
    // Parsing into IgnoredAny checks the syntax without building a value;
    // the `Option` around it is `None` exactly for a top-level `null`.
    let parsed = serde_json::from_str::<Option<serde::de::IgnoredAny>>(&text).map_err(|e| {
        InvalidInput::NotesNotJson {
            reason: e.to_string(),
        }
    })?;
    match parsed {
        Some(_) => Ok(text),
        None => Err(InvalidInput::NullNotes),
    }
}

/// A checked update of one contact, ready to send with
/// [`Client::send`](crate::Client::send) or in bulk with
/// [`Client::update_contacts`](crate::Client::update_contacts). Made by
/// [`UpdateContactInputBuilder::build`].
///
/// ```
/// use talktohumans::{Tag, UpdateContactInput};
///
/// let input = UpdateContactInput::builder("123")
///     .account_id("42")
///     .add_tag(Tag::new("Hot lead").with_color("red"))
///     .remove_tag("Old tag")
///     .build()?;
/// assert_eq!(input.contact_id().as_str(), "123");
/// assert_eq!(
///     input.body_json(),
///     r#"{"account_id":"42","tags":{"add":[{"color":"red","name":"Hot lead"}],"remove":["Old tag"]}}"#
/// );
/// # Ok::<(), talktohumans::InvalidInput>(())
/// ```
#[derive(Debug, Clone)]
pub struct UpdateContactInput {
    contact_id: ContactId,
    body: types::UpdateContactRequest,
    options: SendOptions,
}

impl UpdateContactInput {
    /// Starts an update of `contact_id` (checked by
    /// [`build`](UpdateContactInputBuilder::build)).
    pub fn builder(contact_id: impl AsRef<str>) -> UpdateContactInputBuilder {
        UpdateContactInputBuilder {
            contact_id: contact_id.as_ref().to_owned(),
            ..UpdateContactInputBuilder::default()
        }
    }

    /// The contact this update changes.
    pub fn contact_id(&self) -> &ContactId {
        &self.contact_id
    }

    /// The request body exactly as it is sent.
    pub fn body_json(&self) -> String {
        // Serializing strings, vectors and options cannot fail.
        serde_json::to_string(&self.body).unwrap_or_default()
    }

    /// The JSON Schema (draft 7) of the request body, taken from
    /// `openapi.yaml` at build time with every pattern and length it states.
    ///
    /// ```
    /// let schema = talktohumans::UpdateContactInput::json_schema();
    /// assert_eq!(schema["title"], "UpdateContactRequest");
    /// assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    /// ```
    pub fn json_schema() -> serde_json::Value {
        const SCHEMA: &str = include_str!(concat!(env!("OUT_DIR"), "/request.schema.json"));
        // build.rs writes this text with serde_json, so it always parses;
        // `Null` would be a broken build, and `tests/json_schema.rs` would
        // catch it.
        serde_json::from_str(SCHEMA).unwrap_or_default()
    }

    pub(crate) fn body(&self) -> &types::UpdateContactRequest {
        &self.body
    }

    pub(crate) fn options(&self) -> &SendOptions {
        &self.options
    }

    /// The contact id, for a result that outlives its update: taken rather
    /// than cloned, which a batch would otherwise do once per update.
    pub(crate) fn into_contact_id(self) -> ContactId {
        self.contact_id
    }
}
