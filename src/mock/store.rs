//! The mock's state: contacts, their tags, and their notes per account.
//!
//! The store is plain data; the server keeps it behind one mutex, and each
//! update runs start to finish under it, so concurrent requests apply one
//! after the other and never see a half-done update.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::Tag;
use crate::generated::types::{Account, Contact, ContactTag};
use crate::mock::contact::{ContactState, MockContact};
use crate::mock::error::Rejection;
use crate::mock::request::{
    RequestedNotes, RequestedTags, ValidUpdate, is_blank_name, is_decimal_id,
};

/// The first `account_relationship_id` the store hands out.
const FIRST_RELATIONSHIP_ID: u64 = 900_001;

#[derive(Debug, Default)]
pub(crate) struct Store {
    contacts: HashMap<String, StoredContact>,
    accounts: HashMap<String, Account>,
}

#[derive(Debug)]
struct StoredContact {
    profile: Contact,
    /// Never empty: a contact is under at least one account.
    links: Vec<Link>,
    tags: Vec<Tag>,
    update_count: u64,
}

/// A contact under one account.
#[derive(Debug)]
struct Link {
    account_id: String,
    relationship_id: String,
    notes: Option<String>,
}

impl Store {
    /// A store with these accounts and contacts, after checking them; the
    /// error says which seed breaks which rule.
    pub(crate) fn new(accounts: &[Account], contacts: &[MockContact]) -> Result<Store, String> {
        let mut store = Store::default();
        for account in accounts {
            let id = account.account_id.as_deref().unwrap_or_default();
            if !is_decimal_id(id) {
                return Err(format!("account id {id:?} does not match ^[1-9][0-9]*$"));
            }
            store.accounts.insert(id.to_owned(), account.clone());
        }
        let mut next_relationship = FIRST_RELATIONSHIP_ID;
        for contact in contacts {
            let stored = stored_contact(contact, &mut next_relationship)
                .map_err(|e| format!("contact {:?}: {e}", contact.contact_id))?;
            store.contacts.insert(contact.contact_id.clone(), stored);
        }
        Ok(store)
    }

    /// Applies an update to a contact and returns it as the API would.
    ///
    /// Nothing changes unless the whole update is valid.
    pub(crate) fn apply(
        &mut self,
        contact_id: &str,
        update: &ValidUpdate,
    ) -> Result<Contact, Rejection> {
        let contact = self.contacts.get_mut(contact_id).ok_or_else(|| {
            Rejection::not_found(
                "contact_not_found",
                format!("no contact with id {contact_id}"),
            )
        })?;
        let link = contact.link_index(contact_id, update.account_id.as_deref())?;
        update.check_rules()?;
        match &update.tags {
            Some(RequestedTags::Set(tags)) => {
                contact.tags.clear();
                add_tags(&mut contact.tags, tags);
            }
            Some(RequestedTags::Incremental { add, remove }) => {
                let removed: HashSet<&str> = remove.iter().map(String::as_str).collect();
                contact.tags.retain(|tag| !removed.contains(tag.name()));
                add_tags(&mut contact.tags, add);
            }
            None => {}
        }
        if let (Some(notes), Some(link)) = (&update.notes, contact.links.get_mut(link)) {
            link.notes = match notes {
                RequestedNotes::Clear => None,
                RequestedNotes::Set(text) => Some(text.clone()),
            };
        }
        contact.update_count += 1;
        Ok(self.render_link(contact_id, link).unwrap_or_default())
    }

    /// A contact's state, with every account's notes.
    pub(crate) fn state(&self, contact_id: &str) -> Option<ContactState> {
        let contact = self.contacts.get(contact_id)?;
        Some(ContactState {
            contact_id: contact_id.to_owned(),
            accounts: contact.links.iter().map(|l| l.account_id.clone()).collect(),
            tags: contact.tags.clone(),
            notes: contact
                .links
                .iter()
                .filter_map(|l| Some((l.account_id.clone(), l.notes.clone()?)))
                .collect::<BTreeMap<_, _>>(),
            update_count: contact.update_count,
        })
    }

    /// A contact as the API returns it under an account (the first one when
    /// `account_id` is `None`).
    pub(crate) fn render(&self, contact_id: &str, account_id: Option<&str>) -> Option<Contact> {
        let contact = self.contacts.get(contact_id)?;
        let link = match account_id {
            Some(id) => contact.links.iter().position(|l| l.account_id == id)?,
            None => 0,
        };
        self.render_link(contact_id, link)
    }

    fn render_link(&self, contact_id: &str, link: usize) -> Option<Contact> {
        let contact = self.contacts.get(contact_id)?;
        let link = contact.links.get(link)?;
        let account = self
            .accounts
            .get(&link.account_id)
            .cloned()
            .unwrap_or_else(|| Account {
                account_id: Some(link.account_id.clone()),
                ..Account::default()
            });
        let mut rendered = contact.profile.clone();
        rendered.contact_id = Some(contact_id.to_owned());
        rendered.account = Some(account);
        rendered.account_relationship_id = Some(link.relationship_id.clone());
        rendered.tags = Some(
            contact
                .tags
                .iter()
                .map(|tag| ContactTag {
                    name: Some(tag.name().to_owned()),
                })
                .collect(),
        );
        rendered.notes_json = link.notes.clone();
        Some(rendered)
    }
}

impl StoredContact {
    /// Which of the contact's accounts the update is for.
    fn link_index(&self, contact_id: &str, account_id: Option<&str>) -> Result<usize, Rejection> {
        match account_id {
            Some(id) => self
                .links
                .iter()
                .position(|l| l.account_id == id)
                .ok_or_else(|| {
                    Rejection::not_found(
                        "contact_not_found",
                        format!("contact {contact_id} does not exist under account {id}"),
                    )
                }),
            None if self.links.len() == 1 => Ok(0),
            None => {
                let ids: Vec<&str> = self.links.iter().map(|l| l.account_id.as_str()).collect();
                Err(Rejection::unprocessable(
                    "account_id_required",
                    format!(
                        "contact {contact_id} exists under several accounts ({}); give account_id",
                        ids.join(", ")
                    ),
                ))
            }
        }
    }
}

/// Adds tags in order: a new name goes to the end; a name already there keeps
/// its place and takes the new color, if the new tag has one.
fn add_tags(tags: &mut Vec<Tag>, added: &[Tag]) {
    let mut positions: HashMap<String, usize> = tags
        .iter()
        .enumerate()
        .map(|(i, tag)| (tag.name().to_owned(), i))
        .collect();
    for tag in added {
        match positions.get(tag.name()) {
            Some(&i) => {
                if let (Some(color), Some(existing)) = (tag.color(), tags.get_mut(i)) {
                    *existing = Tag::new(tag.name()).with_color(color);
                }
            }
            None => {
                positions.insert(tag.name().to_owned(), tags.len());
                tags.push(tag.clone());
            }
        }
    }
}

/// Checks a seeded contact and turns it into stored state.
fn stored_contact(
    contact: &MockContact,
    next_relationship: &mut u64,
) -> Result<StoredContact, String> {
    if !is_decimal_id(&contact.contact_id) {
        return Err("its id does not match ^[1-9][0-9]*$".into());
    }
    let mut links = Vec::with_capacity(contact.accounts.len());
    for account_id in &contact.accounts {
        if !is_decimal_id(account_id) {
            return Err(format!(
                "account id {account_id:?} does not match ^[1-9][0-9]*$"
            ));
        }
        if links.iter().any(|l: &Link| l.account_id == *account_id) {
            continue;
        }
        links.push(Link {
            account_id: account_id.clone(),
            relationship_id: next_relationship.to_string(),
            notes: None,
        });
        *next_relationship += 1;
    }
    if links.is_empty() {
        return Err("it is under no account".into());
    }
    for tag in &contact.tags {
        if is_blank_name(tag.name()) {
            return Err(format!(
                "tag name {:?} is empty or only white space",
                tag.name()
            ));
        }
    }
    let mut tags = Vec::new();
    add_tags(&mut tags, &contact.tags);
    for (account_id, notes) in &contact.notes {
        let link = links
            .iter_mut()
            .find(|l| l.account_id == *account_id)
            .ok_or_else(|| format!("notes for account {account_id}, which it is not under"))?;
        serde_json::from_str::<serde::de::IgnoredAny>(notes)
            .map_err(|e| format!("notes for account {account_id} are not JSON: {e}"))?;
        link.notes = Some(notes.clone());
    }
    Ok(StoredContact {
        profile: contact.profile.clone(),
        links,
        tags,
        update_count: 0,
    })
}

#[cfg(test)]
mod tests {
    use http::StatusCode;

    use super::*;
    use crate::mock::request::parse;

    fn store() -> Store {
        Store::new(
            &[Account {
                account_id: Some("42".into()),
                display_name: Some("Sam".into()),
                ..Account::default()
            }],
            &[
                MockContact::new("1", "42")
                    .tag(Tag::new("a").with_color("red"))
                    .tag("b")
                    .notes("42", "{}"),
                MockContact::new("2", "42").account("77"),
            ],
        )
        .unwrap()
    }

    fn apply(store: &mut Store, id: &str, body: &str) -> Result<Contact, Rejection> {
        store.apply(id, &parse(body.as_bytes()).unwrap())
    }

    #[test]
    fn add_keeps_places_and_updates_colors() {
        let mut tags = vec![Tag::new("a").with_color("red"), Tag::new("b")];
        add_tags(
            &mut tags,
            &[
                Tag::new("c"),
                Tag::new("a"),
                Tag::new("b").with_color("blue"),
                Tag::new("c").with_color("x"),
            ],
        );
        assert_eq!(
            tags,
            [
                Tag::new("a").with_color("red"),
                Tag::new("b").with_color("blue"),
                Tag::new("c").with_color("x")
            ]
        );
    }

    #[test]
    fn render_fills_the_owned_fields() {
        let mut store = store();
        let contact = apply(&mut store, "1", "{}").unwrap();
        assert_eq!(contact.contact_id.as_deref(), Some("1"));
        assert_eq!(
            contact.account.unwrap().display_name.as_deref(),
            Some("Sam")
        );
        assert_eq!(contact.account_relationship_id.as_deref(), Some("900001"));
        assert_eq!(contact.notes_json.as_deref(), Some("{}"));
        let names: Vec<_> = contact
            .tags
            .unwrap()
            .into_iter()
            .filter_map(|t| t.name)
            .collect();
        assert_eq!(names, ["a", "b"]);
        // An account without details is shown by its id.
        let other = store.render("2", Some("77")).unwrap();
        assert_eq!(other.account.unwrap().account_id.as_deref(), Some("77"));
        assert_eq!(store.state("1").unwrap().update_count(), 1);
    }

    #[test]
    fn a_refused_update_changes_nothing() {
        let mut store = store();
        let before = store.state("1").unwrap();
        let rejection =
            apply(&mut store, "1", r#"{"tags":{"set":[]},"notes_json":"{"}"#).unwrap_err();
        assert_eq!(rejection.code, "invalid_notes_json");
        assert_eq!(store.state("1").unwrap(), before);
    }

    #[test]
    fn accounts_are_resolved() {
        let mut store = store();
        let rejection = apply(&mut store, "2", "{}").unwrap_err();
        assert_eq!(
            (rejection.status, rejection.code),
            (StatusCode::UNPROCESSABLE_ENTITY, "account_id_required")
        );
        let rejection = apply(&mut store, "2", r#"{"account_id":"5"}"#).unwrap_err();
        assert_eq!(rejection.status, StatusCode::NOT_FOUND);
        assert!(apply(&mut store, "2", r#"{"account_id":"77"}"#).is_ok());
        let rejection = apply(&mut store, "3", "{}").unwrap_err();
        assert_eq!(rejection.status, StatusCode::NOT_FOUND);
    }

    #[test]
    fn bad_seeds_are_refused() {
        for contact in [
            MockContact::new("0", "42"),
            MockContact::new("1", "x"),
            MockContact::new("1", "42").tag(" "),
            MockContact::new("1", "42").notes("42", "nope"),
            MockContact::new("1", "42").notes("77", "{}"),
        ] {
            let refused = Store::new(&[], std::slice::from_ref(&contact));
            let named = format!("contact {:?}: ", contact.contact_id());
            assert!(
                refused.as_ref().is_err_and(|why| why.starts_with(&named)),
                "{contact:?}: {refused:?}"
            );
        }
        let no_id = Account::default();
        assert!(Store::new(&[no_id], &[]).is_err());
    }
}
