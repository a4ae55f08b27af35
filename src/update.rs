//! The update builder: the only way to make a request body, so that every
//! rule of the API is checked before anything is sent.

use std::collections::HashMap;
use std::marker::PhantomData;
use std::time::Duration;

use serde::Serialize;

use crate::client::Client;
use crate::error::{Error, InvalidInput};
use crate::generated::types;
use crate::ids::{AccountId, ContactId};
use crate::response::Updated;
use crate::tag::{Tag, tag_name};

/// Where a builder's tags stand. The state is part of the builder's type, so
/// that combining `set` with `add`/`remove` does not compile.
pub mod tags {
    mod sealed {
        pub trait Sealed {}
    }

    /// A tag state of [`UpdateContact`](crate::UpdateContact).
    pub trait TagState: sealed::Sealed {}
    /// States that accept `add_tag`/`remove_tag`.
    pub trait AcceptsIncremental: TagState {}
    /// States that accept `set_tags`/`clear_tags`.
    pub trait AcceptsReplace: TagState {}

    /// No tag change yet.
    #[derive(Debug, Clone, Copy)]
    pub struct Untouched;
    /// Tags are added and removed (`tags.add`/`tags.remove`).
    #[derive(Debug, Clone, Copy)]
    pub struct Incremental;
    /// Tags are replaced (`tags.set`).
    #[derive(Debug, Clone, Copy)]
    pub struct Replace;

    impl sealed::Sealed for Untouched {}
    impl sealed::Sealed for Incremental {}
    impl sealed::Sealed for Replace {}
    impl TagState for Untouched {}
    impl TagState for Incremental {}
    impl TagState for Replace {}
    impl AcceptsIncremental for Untouched {}
    impl AcceptsIncremental for Incremental {}
    impl AcceptsReplace for Untouched {}
    impl AcceptsReplace for Replace {}
}

use tags::{AcceptsIncremental, AcceptsReplace, Incremental, Replace, TagState, Untouched};

/// The target of a builder made with [`ContactUpdate::builder`]: it builds a
/// [`ContactUpdate`] to send later (for example in bulk), not a request.
#[derive(Debug, Clone, Copy)]
pub struct Detached;

/// What happens to the notes.
#[derive(Debug, Clone, Default)]
enum NotesChange {
    #[default]
    Untouched,
    Clear,
    Text(String),
    Unserializable(String),
}

#[derive(Debug, Clone, Default)]
struct Draft {
    contact_id: String,
    account_id: Option<String>,
    add: Vec<Tag>,
    remove: Vec<String>,
    set: Option<Vec<Tag>>,
    notes: NotesChange,
    options: SendOptions,
}

/// Per-call overrides of the client's retry and deadline settings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct SendOptions {
    pub(crate) max_retries: Option<u32>,
    pub(crate) deadline: Option<Duration>,
}

/// Builds an update of one contact; made by [`Client::update_contact`] (then
/// [`send`](UpdateContact::send)) or [`ContactUpdate::builder`] (then
/// [`build`](UpdateContact::build)).
///
/// Nothing is checked until `send` or `build`, which report the first broken
/// rule as [`InvalidInput`] without sending anything:
/// - ids match `^[1-9][0-9]*$`;
/// - tag names are not empty or only white space;
/// - no tag is both added and removed, and no tag appears twice in one list
///   with different colors (the same tag twice with the same color is sent
///   once);
/// - notes text is valid JSON;
/// - the update changes tags or notes: an update that changes nothing is
///   refused ([`InvalidInput::NothingToUpdate`]) rather than sent.
///
/// `set` and `add`/`remove` cannot be combined: after `add_tag` there is no
/// `set_tags`, and the reverse.
///
/// ```compile_fail
/// # fn f(client: talktohumans::Client) {
/// client.update_contact("1").add_tag("a").clear_tags();
/// # }
/// ```
#[derive(Debug, Clone)]
#[must_use = "an update does nothing until it is sent or built"]
pub struct UpdateContact<Target, Tags: TagState = Untouched> {
    target: Target,
    draft: Draft,
    tags: PhantomData<Tags>,
}

impl<Target, Tags: TagState> UpdateContact<Target, Tags> {
    pub(crate) fn new(target: Target, contact_id: &str) -> Self {
        Self {
            target,
            draft: Draft {
                contact_id: contact_id.to_owned(),
                ..Draft::default()
            },
            tags: PhantomData,
        }
    }

    fn into_state<Next: TagState>(self) -> UpdateContact<Target, Next> {
        UpdateContact {
            target: self.target,
            draft: self.draft,
            tags: PhantomData,
        }
    }

    /// The LinkedIn account whose view of the contact (and notes) to change.
    /// Required by the API when the contact exists under several accounts.
    pub fn account_id(mut self, account_id: impl AsRef<str>) -> Self {
        self.draft.account_id = Some(account_id.as_ref().to_owned());
        self
    }

    /// Stores `notes`, serialized as JSON, as the contact's account-scoped notes.
    pub fn notes<T: Serialize + ?Sized>(mut self, notes: &T) -> Self {
        self.draft.notes = match serde_json::to_string(notes) {
            Ok(text) => NotesChange::Text(text),
            Err(e) => NotesChange::Unserializable(e.to_string()),
        };
        self
    }

    /// Stores already-serialized JSON text as the notes; it is checked to be
    /// valid JSON and sent unchanged.
    pub fn notes_json(mut self, text: impl Into<String>) -> Self {
        self.draft.notes = NotesChange::Text(text.into());
        self
    }

    /// Clears the notes. Sent as `"notes_json": ""`, one of the two forms the
    /// API documents for clearing (the other is `null`).
    pub fn clear_notes(mut self) -> Self {
        self.draft.notes = NotesChange::Clear;
        self
    }

    /// Overrides the client's number of retries for this update (0 disables
    /// them).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.draft.options.max_retries = Some(retries);
        self
    }

    /// Overrides the client's total deadline for this update: attempts and
    /// the waits between them never go past it.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.draft.options.deadline = Some(deadline);
        self
    }

    /// Checks every rule and returns the update, ready to send.
    pub fn build(self) -> Result<ContactUpdate, InvalidInput> {
        self.draft.build()
    }
}

impl<Target, Tags: AcceptsIncremental> UpdateContact<Target, Tags> {
    /// Adds a tag (`tags.add`).
    pub fn add_tag(mut self, tag: impl Into<Tag>) -> UpdateContact<Target, Incremental> {
        self.draft.add.push(tag.into());
        self.into_state()
    }

    /// Adds several tags (`tags.add`).
    pub fn add_tags<I>(mut self, tags: I) -> UpdateContact<Target, Incremental>
    where
        I: IntoIterator,
        I::Item: Into<Tag>,
    {
        self.draft.add.extend(tags.into_iter().map(Into::into));
        self.into_state()
    }

    /// Removes the tag with this name (`tags.remove`); removing a tag the
    /// contact does not have is left to the server.
    pub fn remove_tag(mut self, name: impl Into<String>) -> UpdateContact<Target, Incremental> {
        self.draft.remove.push(name.into());
        self.into_state()
    }

    /// Removes the tags with these names (`tags.remove`).
    pub fn remove_tags<I>(mut self, names: I) -> UpdateContact<Target, Incremental>
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.draft.remove.extend(names.into_iter().map(Into::into));
        self.into_state()
    }
}

impl<Target, Tags: AcceptsReplace> UpdateContact<Target, Tags> {
    /// Replaces the contact's tags with exactly these (`tags.set`).
    pub fn set_tags<I>(mut self, tags: I) -> UpdateContact<Target, Replace>
    where
        I: IntoIterator,
        I::Item: Into<Tag>,
    {
        self.draft.set = Some(tags.into_iter().map(Into::into).collect());
        self.into_state()
    }

    /// Removes every tag (`"tags": {"set": []}`).
    pub fn clear_tags(mut self) -> UpdateContact<Target, Replace> {
        self.draft.set = Some(Vec::new());
        self.into_state()
    }
}

impl<Tags: TagState> UpdateContact<&Client, Tags> {
    /// Checks every rule, sends the update, and returns the updated contact.
    pub async fn send(self) -> Result<types::Contact, Error> {
        Ok(self.send_detailed().await?.contact)
    }

    /// Like [`send`](Self::send), with the response's status and headers
    /// (and so its request id).
    pub async fn send_detailed(self) -> Result<Updated, Error> {
        let client = self.target;
        let update = self.build()?;
        client.send(&update).await
    }
}

impl Draft {
    fn build(self) -> Result<ContactUpdate, InvalidInput> {
        let contact_id = ContactId::new(&self.contact_id)?;
        let account_id = self
            .account_id
            .as_deref()
            .map(|id| AccountId::new(id).map(|id| id.generated().clone()))
            .transpose()?;
        let tags = match self.set {
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
        Ok(ContactUpdate {
            contact_id,
            body: types::UpdateContactRequest {
                account_id,
                notes_json,
                tags,
            },
            options: self.options,
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
        match seen.insert(tag.name(), tag.color_name()) {
            None => out.push(wire),
            Some(first) if first == tag.color_name() => {}
            Some(first) => {
                return Err(InvalidInput::ConflictingTagColors {
                    name: tag.name().to_owned(),
                    first: first.map(str::to_owned),
                    second: tag.color_name().map(str::to_owned),
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
    // Parsing into IgnoredAny checks the syntax without building a value.
    serde_json::from_str::<serde::de::IgnoredAny>(&text).map_err(|e| {
        InvalidInput::NotesNotJson {
            reason: e.to_string(),
        }
    })?;
    Ok(text)
}

/// A checked update of one contact, ready to send with [`Client::send`] or in
/// bulk. Made by [`UpdateContact::build`].
///
/// ```
/// use talktohumans::{ContactUpdate, Tag};
///
/// let update = ContactUpdate::builder("123")
///     .account_id("42")
///     .add_tag(Tag::new("Hot lead").color("red"))
///     .remove_tag("Old tag")
///     .build()?;
/// assert_eq!(
///     update.body_json(),
///     r#"{"account_id":"42","tags":{"add":[{"color":"red","name":"Hot lead"}],"remove":["Old tag"]}}"#
/// );
/// # Ok::<(), talktohumans::InvalidInput>(())
/// ```
#[derive(Debug, Clone)]
pub struct ContactUpdate {
    contact_id: ContactId,
    body: types::UpdateContactRequest,
    options: SendOptions,
}

impl ContactUpdate {
    /// Starts an update of `contact_id` that is built, not sent.
    pub fn builder(contact_id: impl AsRef<str>) -> UpdateContact<Detached> {
        UpdateContact::new(Detached, contact_id.as_ref())
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
    /// let schema = talktohumans::ContactUpdate::json_schema();
    /// assert_eq!(schema.schema.metadata.unwrap().title.as_deref(), Some("UpdateContactRequest"));
    /// ```
    pub fn json_schema() -> schemars::schema::RootSchema {
        const SCHEMA: &str = include_str!(concat!(env!("OUT_DIR"), "/request.schema.json"));
        // build.rs writes this text from the spec; `tests/json_schema.rs`
        // proves it is a schema, so failing here is a broken build, not input.
        serde_json::from_str(SCHEMA).expect("build.rs writes a valid JSON Schema")
    }

    pub(crate) fn body(&self) -> &types::UpdateContactRequest {
        &self.body
    }

    pub(crate) fn options(&self) -> SendOptions {
        self.options
    }
}
