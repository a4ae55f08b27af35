//! The contacts and accounts a mock starts with unless told otherwise
//! ([`MockServerBuilder::without_default_seed`](crate::mock::MockServerBuilder::without_default_seed)).
//!
//! The people and companies are made up. The ids are long enough that a
//! tool generating ids at random, or taking the spec's example id `123`, is
//! unlikely to hit one.
//!
//! | contact | accounts | tags | notes |
//! | --- | --- | --- | --- |
//! | [`MAYA_CHEN`] | [`SAM_ACCOUNT`] | Hot lead (red), Q3 pipeline (blue) | under Sam's account |
//! | [`JONAS_BERG`] | [`SAM_ACCOUNT`], [`SALES_TEAM_ACCOUNT`] | Partner (green) | under both, different |
//! | [`PRIYA_RAMAN`] | [`SALES_TEAM_ACCOUNT`] | none | none |
//! | [`TOMAS_HERRERA`] | [`SAM_ACCOUNT`] | Old tag (gray), Newsletter | none |
//!
//! [`JONAS_BERG`] exists under two accounts, so every update of him needs an
//! `account_id`.

use chrono::{DateTime, Utc};

use crate::Tag;
use crate::generated::types::{
    Account, Company, ConnectionInvitation, Contact, Education, Experience, Industry, Language,
    Location, Sequence, SequenceStep,
};
use crate::mock::contact::MockContact;

/// Sam Rivera's LinkedIn account.
pub const SAM_ACCOUNT: &str = "42";
/// The sales team's shared LinkedIn account.
pub const SALES_TEAM_ACCOUNT: &str = "77";

/// Maya Chen, Head of Growth at Lumen Analytics: under [`SAM_ACCOUNT`], with
/// tags and notes.
pub const MAYA_CHEN: &str = "18442";
/// Jonas Berg, CTO at Fjordline Logistics: under both accounts, so an update
/// needs an `account_id`; in an outreach sequence.
pub const JONAS_BERG: &str = "27051";
/// Priya Raman, product designer: under [`SALES_TEAM_ACCOUNT`], no tags, no
/// notes, a pending connection invitation.
pub const PRIYA_RAMAN: &str = "30917";
/// Tomás Herrera, founder of Brasa Foods: under [`SAM_ACCOUNT`], tagged
/// "Old tag" and "Newsletter", no notes.
pub const TOMAS_HERRERA: &str = "41236";

fn at(text: &str) -> Option<DateTime<Utc>> {
    text.parse().ok()
}

fn some(text: &str) -> Option<String> {
    Some(text.to_owned())
}

/// The default accounts.
pub fn accounts() -> Vec<Account> {
    vec![
        Account {
            account_id: some(SAM_ACCOUNT),
            display_name: some("Sam Rivera"),
            provider_account_id: some("ACoAAB8kQ2sBm3xYqLr7"),
            owner_user_id: some("7"),
        },
        Account {
            account_id: some(SALES_TEAM_ACCOUNT),
            display_name: some("Northwind Sales"),
            provider_account_id: some("ACoAAC91Zt0Hq5vWnE2d"),
            owner_user_id: some("9"),
        },
    ]
}

/// The default contacts.
pub fn contacts() -> Vec<MockContact> {
    vec![
        MockContact::new(MAYA_CHEN, SAM_ACCOUNT)
            .profile(maya())
            .tag(Tag::new("Hot lead").with_color("red"))
            .tag(Tag::new("Q3 pipeline").with_color("blue"))
            .notes(
                SAM_ACCOUNT,
                r#"{"stage":"demo booked","next_step":"send pricing","deal_size_eur":24000}"#,
            ),
        MockContact::new(JONAS_BERG, SAM_ACCOUNT)
            .account(SALES_TEAM_ACCOUNT)
            .profile(jonas())
            .tag(Tag::new("Partner").with_color("green"))
            .notes(SAM_ACCOUNT, r#"{"met_at":"Nordic Logistics Summit 2025"}"#)
            .notes(SALES_TEAM_ACCOUNT, r#"{"stage":"renewal","owner":"alex"}"#),
        MockContact::new(PRIYA_RAMAN, SALES_TEAM_ACCOUNT).profile(priya()),
        MockContact::new(TOMAS_HERRERA, SAM_ACCOUNT)
            .profile(tomas())
            .tag(Tag::new("Old tag").with_color("gray"))
            .tag("Newsletter"),
    ]
}

/// The id of the first generated contact: far from the seeded ones.
pub const FIRST_GENERATED_ID: u64 = 1_000_001;

/// The id of generated contact `i` (from 0): `FIRST_GENERATED_ID + i`.
///
/// ```
/// use talktohumans::mock::seed;
///
/// assert_eq!(seed::generated_id(0), "1000001");
/// assert_eq!(seed::generated_id(41), "1000042");
/// ```
pub fn generated_id(i: u64) -> String {
    FIRST_GENERATED_ID.saturating_add(i).to_string()
}

/// `n` made-up contacts for trials and benchmarks that need many distinct
/// contacts: ids from [`generated_id`]`(0)` on, each under [`SAM_ACCOUNT`],
/// named "Contact N" with a short headline, no tags and no notes. The
/// profile is small, so that a mock of a hundred thousand of them stays
/// within a few hundred megabytes.
///
/// ```
/// use talktohumans::mock::seed;
///
/// let contacts = seed::generated(3);
/// assert_eq!(contacts.len(), 3);
/// assert_eq!(contacts[2].contact_id(), "1000003");
/// assert_eq!(contacts[2].account_ids(), [seed::SAM_ACCOUNT]);
/// ```
pub fn generated(n: u64) -> Vec<MockContact> {
    (0..n)
        .map(|i| {
            let number = i + 1;
            let contact_id = generated_id(i);
            let profile = Contact {
                name: Some(format!("Contact {number}")),
                headline: Some(format!("Buyer #{number} at Example Co")),
                app_url: Some(format!("https://talktohumans.app/contacts/{contact_id}")),
                ..Contact::default()
            };
            MockContact::new(contact_id, SAM_ACCOUNT).profile(profile)
        })
        .collect()
}

fn location(city: &str, state: &str, country: &str, code: &str) -> Location {
    Location {
        city: some(city),
        state: some(state),
        country: some(country),
        country_full: some(country),
        country_code: some(code),
        display_text: Some(format!("{city}, {country}")),
        linkedin_text: Some(format!("{city}, {state}, {country}")),
        is_primary: Some(true),
        ..Location::default()
    }
}

fn maya() -> Contact {
    Contact {
        provider_participant_id: some("ACoAAAx81Lq0Zp4mB7sNcR"),
        name: some("Maya Chen"),
        first_name: some("Maya"),
        last_name: some("Chen"),
        headline: some("Head of Growth at Lumen Analytics | B2B SaaS"),
        primary_role_title: some("Head of Growth"),
        primary_company_name: some("Lumen Analytics"),
        public_identifier: some("maya-chen-growth"),
        linkedin_url: some("https://www.linkedin.com/in/maya-chen-growth"),
        app_url: Some(format!("https://talktohumans.app/contacts/{MAYA_CHEN}")),
        about: some(
            "Growth lead for data products. Previously marketing at two analytics start-ups.",
        ),
        follower_count: Some(3120),
        connections_count: Some(500),
        languages: Some(vec![
            Language {
                language: some("English"),
            },
            Language {
                language: some("Mandarin"),
            },
        ]),
        locations: Some(vec![location("Toronto", "Ontario", "Canada", "CA")]),
        experiences: Some(vec![
            Experience {
                experience_id: some("61001"),
                is_current: Some(true),
                company_name: some("Lumen Analytics"),
                title: some("Head of Growth"),
                employment_type: some("Full-time"),
                location: some("Toronto, Canada"),
                start_at: some("2022-03"),
                ..Experience::default()
            },
            Experience {
                experience_id: some("61002"),
                is_current: Some(false),
                company_name: some("Quantive"),
                title: some("Marketing Manager"),
                start_at: some("2018-06"),
                end_at: some("2022-02"),
                ..Experience::default()
            },
        ]),
        educations: Some(vec![Education {
            education_id: some("71001"),
            school_name: some("University of Waterloo"),
            degree: some("BMath"),
            field_of_study: some("Statistics"),
            start_at: some("2011"),
            end_at: some("2015"),
            ..Education::default()
        }]),
        company: Some(Company {
            company_id: some("81001"),
            name: some("Lumen Analytics"),
            headline: some("Analytics for operations teams"),
            website_url: some("https://lumen-analytics.example"),
            headcount: some("51-200"),
            employee_count: Some(140),
            founding_date: some("2016"),
            industries: Some(vec![Industry {
                name: some("software_development"),
                title: some("Software Development"),
                ..Industry::default()
            }]),
            locations: Some(vec![Location {
                is_headquarter: Some(true),
                ..location("Toronto", "Ontario", "Canada", "CA")
            }]),
            ..Company::default()
        }),
        last_interaction_at: at("2025-06-03T14:12:00Z"),
        ..Contact::default()
    }
}

fn jonas() -> Contact {
    Contact {
        provider_participant_id: some("ACoAAAy22Hn5Rb0kD9wPtE"),
        name: some("Jonas Berg"),
        first_name: some("Jonas"),
        last_name: some("Berg"),
        headline: some("CTO at Fjordline Logistics"),
        primary_role_title: some("Chief Technology Officer"),
        primary_company_name: some("Fjordline Logistics"),
        public_identifier: some("jonasberg"),
        linkedin_url: some("https://www.linkedin.com/in/jonasberg"),
        app_url: Some(format!("https://talktohumans.app/contacts/{JONAS_BERG}")),
        follower_count: Some(870),
        connections_count: Some(412),
        languages: Some(vec![
            Language {
                language: some("Norwegian"),
            },
            Language {
                language: some("English"),
            },
        ]),
        locations: Some(vec![location("Bergen", "Vestland", "Norway", "NO")]),
        experiences: Some(vec![Experience {
            experience_id: some("61003"),
            is_current: Some(true),
            company_name: some("Fjordline Logistics"),
            title: some("Chief Technology Officer"),
            start_at: some("2019-01"),
            ..Experience::default()
        }]),
        company: Some(Company {
            company_id: some("81002"),
            name: some("Fjordline Logistics"),
            headcount: some("201-500"),
            employee_count: Some(320),
            website_url: some("https://fjordline-logistics.example"),
            ..Company::default()
        }),
        sequence: Some(Sequence {
            sequence_id: some("91001"),
            status: some("active"),
            stop_if_person_replies: Some(true),
            steps: Some(vec![
                SequenceStep {
                    step_id: some("92001"),
                    step_type: some("message"),
                    trigger_type: some("delay"),
                    position: Some(1),
                    message_mode: some("template"),
                    state: some("sent"),
                    scheduled_for: at("2025-05-20T08:00:00Z"),
                    ..SequenceStep::default()
                },
                SequenceStep {
                    step_id: some("92002"),
                    step_type: some("message"),
                    trigger_type: some("delay"),
                    position: Some(2),
                    message_mode: some("template"),
                    state: some("scheduled"),
                    scheduled_for: at("2025-06-10T08:00:00Z"),
                    ..SequenceStep::default()
                },
            ]),
            next_step_id: some("92002"),
            next_step_scheduled_for: at("2025-06-10T08:00:00Z"),
            ..Sequence::default()
        }),
        last_interaction_at: at("2025-05-21T09:45:00Z"),
        ..Contact::default()
    }
}

fn priya() -> Contact {
    Contact {
        provider_participant_id: some("ACoAAAz93Kd1Wm6tF2qLxB"),
        name: some("Priya Raman"),
        first_name: some("Priya"),
        last_name: some("Raman"),
        headline: some("Product designer · design systems"),
        primary_role_title: some("Senior Product Designer"),
        primary_company_name: some("Kitebird"),
        linkedin_url: some("https://www.linkedin.com/in/priya-raman-design"),
        app_url: Some(format!("https://talktohumans.app/contacts/{PRIYA_RAMAN}")),
        locations: Some(vec![location("Bengaluru", "Karnataka", "India", "IN")]),
        connection_invitation: Some(ConnectionInvitation {
            invite_id: some("95001"),
            invite_state: some("pending"),
            invite_type: some("received"),
            received_at: at("2025-06-01T17:30:00Z"),
        }),
        ..Contact::default()
    }
}

fn tomas() -> Contact {
    Contact {
        provider_participant_id: some("ACoAAA0x4Tr8Qe3vJ5nYhC"),
        name: some("Tomás Herrera"),
        first_name: some("Tomás"),
        last_name: some("Herrera"),
        headline: some("Founder at Brasa Foods"),
        primary_role_title: some("Founder"),
        primary_company_name: some("Brasa Foods"),
        linkedin_url: some("https://www.linkedin.com/in/tomas-herrera-brasa"),
        app_url: Some(format!("https://talktohumans.app/contacts/{TOMAS_HERRERA}")),
        locations: Some(vec![location("Valencia", "Valencia", "Spain", "ES")]),
        connections_count: Some(238),
        ..Contact::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mock::store::Store;

    #[test]
    fn the_seed_is_valid_and_has_a_contact_under_two_accounts() {
        let contacts = contacts();
        let store = Store::new(&accounts(), &contacts).unwrap();
        let jonas = store.state(JONAS_BERG).unwrap();
        assert_eq!(jonas.account_ids(), [SAM_ACCOUNT, SALES_TEAM_ACCOUNT]);
        assert_ne!(jonas.notes(SAM_ACCOUNT), jonas.notes(SALES_TEAM_ACCOUNT));
        // The dates parsed.
        let maya = store.render(MAYA_CHEN, None).unwrap();
        assert!(maya.last_interaction_at.is_some());
        // No seeded id is the spec's example id.
        assert!(contacts.iter().all(|c| c.contact_id() != "123"));
    }
}
