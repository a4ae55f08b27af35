//! The builder that [`Client::update_contact`] returns: an
//! [`UpdateContactInputBuilder`] bound to the client that sends it.

use std::time::Duration;

use serde::Serialize;

use crate::client::Client;
use crate::error::{Error, InvalidInput};
use crate::input::{UpdateContactInput, UpdateContactInputBuilder};
use crate::response::UpdateContactOutput;
use crate::tag::{Tag, TagChange};

impl Client {
    /// Starts an update of the contact with this id (checked when sent).
    /// The builder holds a clone of this client.
    pub fn update_contact(&self, contact_id: impl AsRef<str>) -> UpdateContactFluentBuilder {
        UpdateContactFluentBuilder::new(self.clone(), contact_id.as_ref())
    }
}

/// Builds and sends an update of one contact; made by
/// [`Client::update_contact`].
///
/// It owns a clone of the client (a reference count), so it, and the future
/// of [`send`](Self::send), are `Send + 'static`: return them from functions,
/// keep them in structs, or move them into `tokio::spawn`. The methods and
/// rules are those of [`UpdateContactInputBuilder`]; nothing is checked until
/// `send` (or `build`), and a broken rule is an [`InvalidInput`] with nothing
/// sent.
///
/// ```no_run
/// # async fn run(client: talktohumans::Client) -> Result<(), talktohumans::Error> {
/// use talktohumans::Tag;
///
/// let output = client
///     .update_contact("123")
///     .account_id("42")
///     .add_tag(Tag::new("Hot lead").with_color("red"))
///     .remove_tag("Old tag")
///     .send()
///     .await?;
/// println!("{:?} (request {:?})", output.contact.tags, output.request_id());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
#[must_use = "an update does nothing until it is sent"]
pub struct UpdateContactFluentBuilder {
    client: Client,
    input: UpdateContactInputBuilder,
}

impl UpdateContactFluentBuilder {
    fn new(client: Client, contact_id: &str) -> Self {
        Self {
            client,
            input: UpdateContactInput::builder(contact_id),
        }
    }

    fn map(
        mut self,
        change: impl FnOnce(UpdateContactInputBuilder) -> UpdateContactInputBuilder,
    ) -> Self {
        self.input = change(self.input);
        self
    }

    /// See [`UpdateContactInputBuilder::account_id`].
    pub fn account_id(self, account_id: impl AsRef<str>) -> Self {
        self.map(|input| input.account_id(account_id))
    }

    /// See [`UpdateContactInputBuilder::tags`].
    pub fn tags(self, change: TagChange) -> Self {
        self.map(|input| input.tags(change))
    }

    /// See [`UpdateContactInputBuilder::add_tag`].
    pub fn add_tag(self, tag: impl Into<Tag>) -> Self {
        self.map(|input| input.add_tag(tag))
    }

    /// See [`UpdateContactInputBuilder::add_tags`].
    pub fn add_tags<I>(self, tags: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<Tag>,
    {
        self.map(|input| input.add_tags(tags))
    }

    /// See [`UpdateContactInputBuilder::remove_tag`].
    pub fn remove_tag(self, name: impl Into<String>) -> Self {
        self.map(|input| input.remove_tag(name))
    }

    /// See [`UpdateContactInputBuilder::remove_tags`].
    pub fn remove_tags<I>(self, names: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.map(|input| input.remove_tags(names))
    }

    /// See [`UpdateContactInputBuilder::set_tags`].
    pub fn set_tags<I>(self, tags: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<Tag>,
    {
        self.map(|input| input.set_tags(tags))
    }

    /// See [`UpdateContactInputBuilder::clear_tags`].
    pub fn clear_tags(self) -> Self {
        self.map(UpdateContactInputBuilder::clear_tags)
    }

    /// See [`UpdateContactInputBuilder::notes`].
    pub fn notes<T: Serialize + ?Sized>(self, notes: &T) -> Self {
        self.map(|input| input.notes(notes))
    }

    /// See [`UpdateContactInputBuilder::notes_json`].
    pub fn notes_json(self, text: impl Into<String>) -> Self {
        self.map(|input| input.notes_json(text))
    }

    /// See [`UpdateContactInputBuilder::clear_notes`].
    pub fn clear_notes(self) -> Self {
        self.map(UpdateContactInputBuilder::clear_notes)
    }

    /// See [`UpdateContactInputBuilder::max_retries`].
    pub fn max_retries(self, retries: u32) -> Self {
        self.map(|input| input.max_retries(retries))
    }

    /// See [`UpdateContactInputBuilder::deadline`].
    pub fn deadline(self, deadline: Duration) -> Self {
        self.map(|input| input.deadline(deadline))
    }

    /// See [`UpdateContactInputBuilder::attempt_timeout`].
    pub fn attempt_timeout(self, timeout: Duration) -> Self {
        self.map(|input| input.attempt_timeout(timeout))
    }

    /// See [`UpdateContactInputBuilder::header`].
    pub fn header(self, name: impl Into<String>, value: impl AsRef<[u8]>) -> Self {
        self.map(|input| input.header(name, value))
    }

    /// Checks every rule and returns the input without sending it.
    pub fn build(self) -> Result<UpdateContactInput, InvalidInput> {
        self.input.build()
    }

    /// Checks every rule, sends the update, and returns the updated contact
    /// with the response's status, headers and request id. See
    /// [`Client::send`].
    pub async fn send(self) -> Result<UpdateContactOutput, Error> {
        let input = self.input.build()?;
        self.client.send(&input).await
    }
}
