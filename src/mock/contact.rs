//! Contacts as a test describes them to the mock ([`MockContact`]) and as it
//! reads them back ([`ContactState`]).

use std::collections::BTreeMap;

use crate::Tag;
use crate::generated::types::Contact;

/// A contact to seed the mock with.
///
/// A contact exists under one LinkedIn account or more; its tags belong to
/// the contact and its notes to each account.
///
/// ```
/// use talktohumans::Tag;
/// use talktohumans::mock::MockContact;
///
/// let contact = MockContact::new("5001", "42")
///     .account("77")
///     .name("Ada Lovelace")
///     .headline("Analyst at Difference Engines")
///     .tag(Tag::new("Hot lead").with_color("red"))
///     .tag("Newsletter")
///     .notes("42", r#"{"stage": "demo"}"#);
/// assert_eq!(contact.contact_id(), "5001");
/// assert_eq!(contact.account_ids(), ["42", "77"]);
/// ```
#[derive(Debug, Clone)]
pub struct MockContact {
    pub(crate) contact_id: String,
    pub(crate) accounts: Vec<String>,
    pub(crate) profile: Contact,
    pub(crate) tags: Vec<Tag>,
    pub(crate) notes: Vec<(String, String)>,
}

impl MockContact {
    /// A contact with this id under this account, with an empty profile, no
    /// tags and no notes. Both ids must match `^[1-9][0-9]*$`, or
    /// [`start`](crate::mock::MockServerBuilder::start) refuses the seed.
    pub fn new(contact_id: impl Into<String>, account_id: impl Into<String>) -> Self {
        Self {
            contact_id: contact_id.into(),
            accounts: vec![account_id.into()],
            profile: Contact::default(),
            tags: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Also under this account. A contact under several accounts can only be
    /// updated with an `account_id`.
    #[must_use]
    pub fn account(mut self, account_id: impl Into<String>) -> Self {
        let account_id = account_id.into();
        if !self.accounts.contains(&account_id) {
            self.accounts.push(account_id);
        }
        self
    }

    /// The profile the mock returns (name, headline, company, ...).
    ///
    /// The fields that the mock owns are ignored: `contact_id`, `account`,
    /// `account_relationship_id`, `tags` and `notes_json` come from the
    /// contact's id, accounts, tags and notes.
    #[must_use]
    pub fn profile(mut self, profile: Contact) -> Self {
        self.profile = profile;
        self
    }

    /// Sets the profile's `name`.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.profile.name = Some(name.into());
        self
    }

    /// Sets the profile's `headline`.
    #[must_use]
    pub fn headline(mut self, headline: impl Into<String>) -> Self {
        self.profile.headline = Some(headline.into());
        self
    }

    /// Adds a tag, as `tags.add` would: a name given again updates the color
    /// when the later one has a color.
    #[must_use]
    pub fn tag(mut self, tag: impl Into<Tag>) -> Self {
        self.tags.push(tag.into());
        self
    }

    /// Sets the notes (JSON text) under one of the contact's accounts.
    #[must_use]
    pub fn notes(mut self, account_id: impl Into<String>, notes_json: impl Into<String>) -> Self {
        let account_id = account_id.into();
        self.notes.retain(|(account, _)| *account != account_id);
        self.notes.push((account_id, notes_json.into()));
        self
    }

    /// The contact's id.
    pub fn contact_id(&self) -> &str {
        &self.contact_id
    }

    /// The ids of the accounts the contact is under, in the order given.
    pub fn account_ids(&self) -> &[String] {
        &self.accounts
    }
}

/// A contact's state in the mock at one moment, for tests to check what the
/// requests did. Read with [`MockServer::contact`](crate::mock::MockServer::contact).
///
/// Unlike the API's response, it shows the tags' colors and the notes under
/// every account.
///
/// ```
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use talktohumans::mock::{MockServer, seed};
///
/// let mock = MockServer::start().await?;
/// let client = mock.client_builder().build()?;
/// client.update_contact(seed::MAYA_CHEN).clear_tags().send().await?;
/// let state = mock.contact(seed::MAYA_CHEN).expect("a seeded contact");
/// assert!(state.tags().is_empty());
/// assert_eq!(state.update_count(), 1);
/// # Ok(())
/// # }
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(run()).unwrap();
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactState {
    pub(crate) contact_id: String,
    pub(crate) accounts: Vec<String>,
    pub(crate) tags: Vec<Tag>,
    pub(crate) notes: BTreeMap<String, String>,
    pub(crate) update_count: u64,
}

impl ContactState {
    /// The contact's id.
    pub fn contact_id(&self) -> &str {
        &self.contact_id
    }

    /// The ids of the accounts the contact is under.
    pub fn account_ids(&self) -> &[String] {
        &self.accounts
    }

    /// The tags, with their colors, in the order they were added.
    pub fn tags(&self) -> &[Tag] {
        &self.tags
    }

    /// The tags' names, in order.
    pub fn tag_names(&self) -> Vec<&str> {
        self.tags.iter().map(Tag::name).collect()
    }

    /// The tag with this exact name.
    pub fn tag(&self, name: &str) -> Option<&Tag> {
        self.tags.iter().find(|tag| tag.name() == name)
    }

    /// The notes under this account, as the JSON text last stored; `None`
    /// when there are none.
    pub fn notes(&self, account_id: &str) -> Option<&str> {
        self.notes.get(account_id).map(String::as_str)
    }

    /// How many updates of this contact succeeded.
    pub fn update_count(&self) -> u64 {
        self.update_count
    }
}
