//! The baseline a user would write instead of this crate: serde structs for
//! the request and the response, and reqwest's
//! `.patch().bearer_auth().json().send()` then `.json()`.
//!
//! The response structs mirror the contact field for field with the same
//! types as the generated ones (`Option` everywhere, `i64` counts, chrono for
//! the date-time fields), so that both decoders do the same work.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A reqwest client and the key, as a user would keep them.
#[derive(Debug, Clone)]
pub struct HandWrittenClient {
    http: reqwest::Client,
    base_url: String,
    api_key: String,
}

impl HandWrittenClient {
    pub fn new(base_url: &str, api_key: &str) -> Self {
        Self {
            // The plain default client: reqwest's defaults (TCP_NODELAY on,
            // unbounded idle pool) are what the crate's client uses too.
            http: reqwest::Client::new(),
            base_url: base_url.to_owned(),
            api_key: api_key.to_owned(),
        }
    }

    /// `PATCH /v1/contacts/{contact_id}`, decoded into the hand-written
    /// contact.
    pub async fn update(
        &self,
        contact_id: &str,
        body: &UpdateRequest<'_>,
    ) -> Result<Contact, reqwest::Error> {
        let response = self
            .http
            .patch(format!("{}/v1/contacts/{contact_id}", self.base_url))
            .bearer_auth(&self.api_key)
            .json(body)
            .send()
            .await?
            .error_for_status()?;
        let decoded: UpdateResponse = response.json().await?;
        Ok(decoded.data.contact)
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }
}

/// The request body.
#[derive(Debug, Clone, Serialize)]
pub struct UpdateRequest<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes_json: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<TagsChange<'a>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TagsChange<'a> {
    pub add: Vec<TagInput<'a>>,
    pub remove: Vec<&'a str>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TagInput<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub color: Option<&'a str>,
    pub name: &'a str,
}

/// The seed's example request, as the hand-written structs hold it.
pub fn seed_request() -> UpdateRequest<'static> {
    UpdateRequest {
        account_id: Some("42"),
        notes_json: None,
        tags: Some(TagsChange {
            add: vec![TagInput {
                color: Some("red"),
                name: "Hot lead",
            }],
            remove: vec!["Old tag"],
        }),
    }
}

/// A one-tag update, as the bulk benchmarks send it.
pub fn hot_lead() -> UpdateRequest<'static> {
    UpdateRequest {
        account_id: None,
        notes_json: None,
        tags: Some(TagsChange {
            add: vec![TagInput {
                color: None,
                name: "Hot lead",
            }],
            remove: Vec::new(),
        }),
    }
}

#[derive(Debug, Deserialize)]
pub struct UpdateResponse {
    pub data: UpdateData,
}

#[derive(Debug, Deserialize)]
pub struct UpdateData {
    pub contact: Contact,
}

#[derive(Debug, Deserialize)]
pub struct Contact {
    pub about: Option<String>,
    pub account: Option<Account>,
    pub account_relationship_id: Option<String>,
    pub app_url: Option<String>,
    pub avatar_url: Option<String>,
    pub background_cover_url: Option<String>,
    pub company: Option<Company>,
    pub connection_invitation: Option<ConnectionInvitation>,
    pub connections_count: Option<i64>,
    pub contact_id: Option<String>,
    pub educations: Option<Vec<Education>>,
    pub experiences: Option<Vec<Experience>>,
    pub first_name: Option<String>,
    pub follower_count: Option<i64>,
    pub headline: Option<String>,
    pub languages: Option<Vec<Language>>,
    pub last_interaction_at: Option<DateTime<Utc>>,
    pub last_name: Option<String>,
    pub linkedin_url: Option<String>,
    pub locations: Option<Vec<Location>>,
    pub name: Option<String>,
    pub notes_json: Option<String>,
    pub primary_company_name: Option<String>,
    pub primary_role_title: Option<String>,
    pub profile_action_label: Option<String>,
    pub profile_action_url: Option<String>,
    pub provider_participant_id: Option<String>,
    pub public_identifier: Option<String>,
    pub sequence: Option<Sequence>,
    pub tags: Option<Vec<ContactTag>>,
}

#[derive(Debug, Deserialize)]
pub struct Account {
    pub account_id: Option<String>,
    pub display_name: Option<String>,
    pub owner_user_id: Option<String>,
    pub provider_account_id: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Company {
    pub about: Option<String>,
    pub avatar_url: Option<String>,
    pub background_cover_url: Option<String>,
    pub company_id: Option<String>,
    pub employee_count: Option<i64>,
    pub follower_count: Option<i64>,
    pub founding_date: Option<String>,
    pub headcount: Option<String>,
    pub headline: Option<String>,
    pub industries: Option<Vec<Industry>>,
    pub linkedin_url: Option<String>,
    pub locations: Option<Vec<Location>>,
    pub name: Option<String>,
    pub notes_json: Option<String>,
    pub provider_participant_id: Option<String>,
    pub public_identifier: Option<String>,
    pub website_url: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct ConnectionInvitation {
    pub invite_id: Option<String>,
    pub invite_state: Option<String>,
    pub invite_type: Option<String>,
    pub received_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Deserialize)]
pub struct ContactTag {
    pub name: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Education {
    pub degree: Option<String>,
    pub description: Option<String>,
    pub education_id: Option<String>,
    pub end_at: Option<String>,
    pub field_of_study: Option<String>,
    pub school_name: Option<String>,
    pub school_participant_id: Option<String>,
    pub school_provider_participant_id: Option<String>,
    pub start_at: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Experience {
    pub company_name: Option<String>,
    pub company_participant_id: Option<String>,
    pub company_provider_participant_id: Option<String>,
    pub description: Option<String>,
    pub employment_type: Option<String>,
    pub end_at: Option<String>,
    pub experience_id: Option<String>,
    pub is_current: Option<bool>,
    pub location: Option<String>,
    pub start_at: Option<String>,
    pub title: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Industry {
    pub hierarchy: Option<String>,
    pub industry_urn: Option<String>,
    pub name: Option<String>,
    pub provider_industry_id: Option<String>,
    pub title: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Language {
    pub language: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Location {
    pub city: Option<String>,
    pub country: Option<String>,
    pub country_code: Option<String>,
    pub country_full: Option<String>,
    pub display_text: Option<String>,
    pub geographic_area: Option<String>,
    pub is_headquarter: Option<bool>,
    pub is_primary: Option<bool>,
    pub linkedin_text: Option<String>,
    pub region_code: Option<String>,
    pub state: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Sequence {
    pub next_step_id: Option<String>,
    pub next_step_scheduled_for: Option<DateTime<Utc>>,
    pub reply_guard_after: Option<DateTime<Utc>>,
    pub sequence_id: Option<String>,
    pub status: Option<String>,
    pub steps: Option<Vec<SequenceStep>>,
    pub stop_if_person_replies: Option<bool>,
}

#[derive(Debug, Deserialize)]
pub struct SequenceStep {
    pub message_mode: Option<String>,
    pub position: Option<i64>,
    pub scheduled_for: Option<DateTime<Utc>>,
    pub state: Option<String>,
    pub step_id: Option<String>,
    pub step_type: Option<String>,
    pub template_run_public_id: Option<String>,
    pub trigger_type: Option<String>,
}
