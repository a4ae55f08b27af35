// Generated from openapi.yaml by build.rs with progenitor; do not edit.
#[allow(unused_imports)]
pub use progenitor_client::{ByteStream, ClientInfo, Error, ResponseValue};
#[allow(unused_imports)]
use progenitor_client::{encode_path, ClientHooks, OperationInfo, RequestBuilderExt};
/// Types used as operation parameters and responses.
#[allow(clippy::all)]
pub mod types {
    ///The LinkedIn account the contact is seen under.
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, Default)]
    pub struct Account {
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub account_id: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub display_name: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub owner_user_id: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub provider_account_id: ::std::option::Option<::std::string::String>,
    }
    /**LinkedIn account ID returned by GET /v1/accounts. Required when the
contact exists under multiple LinkedIn accounts.
*/
    #[derive(::serde::Serialize, Clone, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
    #[serde(transparent)]
    pub struct AccountId(::std::string::String);
    impl ::std::ops::Deref for AccountId {
        type Target = ::std::string::String;
        fn deref(&self) -> &::std::string::String {
            &self.0
        }
    }
    impl ::std::convert::From<AccountId> for ::std::string::String {
        fn from(value: AccountId) -> Self {
            value.0
        }
    }
    impl ::std::str::FromStr for AccountId {
        type Err = self::error::ConversionError;
        fn from_str(
            value: &str,
        ) -> ::std::result::Result<Self, self::error::ConversionError> {
            static PATTERN: ::std::sync::LazyLock<::regress::Regex> = ::std::sync::LazyLock::new(||
            { ::regress::Regex::new("^[1-9][0-9]*$").unwrap() });
            if PATTERN.find(value).is_none() {
                return Err("doesn't match pattern \"^[1-9][0-9]*$\"".into());
            }
            Ok(Self(value.to_string()))
        }
    }
    impl ::std::convert::TryFrom<&str> for AccountId {
        type Error = self::error::ConversionError;
        fn try_from(
            value: &str,
        ) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }
    impl ::std::convert::TryFrom<::std::string::String> for AccountId {
        type Error = self::error::ConversionError;
        fn try_from(
            value: ::std::string::String,
        ) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }
    impl<'de> ::serde::Deserialize<'de> for AccountId {
        fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
        where
            D: ::serde::Deserializer<'de>,
        {
            ::std::string::String::deserialize(deserializer)?
                .parse()
                .map_err(|e: self::error::ConversionError| {
                    <D::Error as ::serde::de::Error>::custom(e.to_string())
                })
        }
    }
    ///The contact's current company.
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, Default)]
    pub struct Company {
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub about: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub avatar_url: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub background_cover_url: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub company_id: ::std::option::Option<::std::string::String>,
        /**Assumption: a count, `int64`; the reference shows only the
example `123`.
*/
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub employee_count: ::std::option::Option<i64>,
        /**Assumption: a count, `int64`; the reference shows only the
example `123`.
*/
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub follower_count: ::std::option::Option<i64>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub founding_date: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub headcount: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub headline: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub industries: ::std::option::Option<::std::vec::Vec<Industry>>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub linkedin_url: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub locations: ::std::option::Option<::std::vec::Vec<Location>>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub name: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub notes_json: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub provider_participant_id: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub public_identifier: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub website_url: ::std::option::Option<::std::string::String>,
    }
    ///The pending LinkedIn connection invitation, if any.
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, Default)]
    pub struct ConnectionInvitation {
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub invite_id: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub invite_state: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub invite_type: ::std::option::Option<::std::string::String>,
        /**Assumption: an RFC 3339 date-time with an offset (`date-time`);
the reference shows only the example `2023-11-07T05:31:56Z`.
*/
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub received_at: ::std::option::Option<
            ::chrono::DateTime<::chrono::offset::Utc>,
        >,
    }
    /**The full contact.

Assumption: the API reference documents only an example. Every field
may be absent or null (a server returns null where there is no data),
and unknown fields are ignored (a server adds fields over time). The
types of the fields are read from the example: `<string>` is a
string, `123` a 64-bit integer, `true` a boolean, and
`2023-11-07T05:31:56Z` an RFC 3339 date-time; the fields below say
which are counts and timestamps. By default the client still returns
the contact when a value does not fit its type, and reports it.
*/
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, Default)]
    pub struct Contact {
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub about: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub account: ::std::option::Option<Account>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub account_relationship_id: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub app_url: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub avatar_url: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub background_cover_url: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub company: ::std::option::Option<Company>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub connection_invitation: ::std::option::Option<ConnectionInvitation>,
        /**Assumption: a count, `int64`; the reference shows only the
example `123`.
*/
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub connections_count: ::std::option::Option<i64>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub contact_id: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub educations: ::std::option::Option<::std::vec::Vec<Education>>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub experiences: ::std::option::Option<::std::vec::Vec<Experience>>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub first_name: ::std::option::Option<::std::string::String>,
        /**Assumption: a count, `int64`; the reference shows only the
example `123`.
*/
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub follower_count: ::std::option::Option<i64>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub headline: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub languages: ::std::option::Option<::std::vec::Vec<Language>>,
        /**Assumption: an RFC 3339 date-time with an offset (`date-time`);
the reference shows only the example `2023-11-07T05:31:56Z`.
*/
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub last_interaction_at: ::std::option::Option<
            ::chrono::DateTime<::chrono::offset::Utc>,
        >,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub last_name: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub linkedin_url: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub locations: ::std::option::Option<::std::vec::Vec<Location>>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub name: ::std::option::Option<::std::string::String>,
        ///The account-scoped notes, as JSON text.
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub notes_json: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub primary_company_name: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub primary_role_title: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub profile_action_label: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub profile_action_url: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub provider_participant_id: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub public_identifier: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub sequence: ::std::option::Option<Sequence>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub tags: ::std::option::Option<::std::vec::Vec<ContactTag>>,
    }
    ///Contact ID returned by GET /v1/contacts.
    #[derive(::serde::Serialize, Clone, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
    #[serde(transparent)]
    pub struct ContactId(::std::string::String);
    impl ::std::ops::Deref for ContactId {
        type Target = ::std::string::String;
        fn deref(&self) -> &::std::string::String {
            &self.0
        }
    }
    impl ::std::convert::From<ContactId> for ::std::string::String {
        fn from(value: ContactId) -> Self {
            value.0
        }
    }
    impl ::std::str::FromStr for ContactId {
        type Err = self::error::ConversionError;
        fn from_str(
            value: &str,
        ) -> ::std::result::Result<Self, self::error::ConversionError> {
            static PATTERN: ::std::sync::LazyLock<::regress::Regex> = ::std::sync::LazyLock::new(||
            { ::regress::Regex::new("^[1-9][0-9]*$").unwrap() });
            if PATTERN.find(value).is_none() {
                return Err("doesn't match pattern \"^[1-9][0-9]*$\"".into());
            }
            Ok(Self(value.to_string()))
        }
    }
    impl ::std::convert::TryFrom<&str> for ContactId {
        type Error = self::error::ConversionError;
        fn try_from(
            value: &str,
        ) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }
    impl ::std::convert::TryFrom<::std::string::String> for ContactId {
        type Error = self::error::ConversionError;
        fn try_from(
            value: ::std::string::String,
        ) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }
    impl<'de> ::serde::Deserialize<'de> for ContactId {
        fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
        where
            D: ::serde::Deserializer<'de>,
        {
            ::std::string::String::deserialize(deserializer)?
                .parse()
                .map_err(|e: self::error::ConversionError| {
                    <D::Error as ::serde::de::Error>::custom(e.to_string())
                })
        }
    }
    ///A tag on the contact, as the server returns it.
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, Default)]
    pub struct ContactTag {
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub name: ::std::option::Option<::std::string::String>,
    }
    ///An education entry on the contact's profile. `start_at` and `end_at` are kept as text: the API reference does not give them a date format.
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, Default)]
    pub struct Education {
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub degree: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub description: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub education_id: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub end_at: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub field_of_study: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub school_name: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub school_participant_id: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub school_provider_participant_id: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub start_at: ::std::option::Option<::std::string::String>,
    }
    /**Assumption: the API reference documents no error body. Any JSON value
is accepted; a body that is not JSON is kept as raw bytes by the client.
*/
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
    #[serde(transparent)]
    pub struct ErrorBody(pub ::serde_json::Value);
    impl ::std::ops::Deref for ErrorBody {
        type Target = ::serde_json::Value;
        fn deref(&self) -> &::serde_json::Value {
            &self.0
        }
    }
    impl ::std::convert::From<ErrorBody> for ::serde_json::Value {
        fn from(value: ErrorBody) -> Self {
            value.0
        }
    }
    impl ::std::convert::From<::serde_json::Value> for ErrorBody {
        fn from(value: ::serde_json::Value) -> Self {
            Self(value)
        }
    }
    ///A position on the contact's profile. `start_at` and `end_at` are kept as text: the API reference does not give them a date format.
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, Default)]
    pub struct Experience {
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub company_name: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub company_participant_id: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub company_provider_participant_id: ::std::option::Option<
            ::std::string::String,
        >,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub description: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub employment_type: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub end_at: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub experience_id: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub is_current: ::std::option::Option<bool>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub location: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub start_at: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub title: ::std::option::Option<::std::string::String>,
    }
    ///An industry of a company.
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, Default)]
    pub struct Industry {
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub hierarchy: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub industry_urn: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub name: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub provider_industry_id: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub title: ::std::option::Option<::std::string::String>,
    }
    ///A language on the contact's profile.
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, Default)]
    pub struct Language {
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub language: ::std::option::Option<::std::string::String>,
    }
    ///A location of a contact or a company.
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, Default)]
    pub struct Location {
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub city: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub country: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub country_code: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub country_full: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub display_text: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub geographic_area: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub is_headquarter: ::std::option::Option<bool>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub is_primary: ::std::option::Option<bool>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub linkedin_text: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub region_code: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub state: ::std::option::Option<::std::string::String>,
    }
    ///The outreach sequence the contact is in, if any.
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, Default)]
    pub struct Sequence {
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub next_step_id: ::std::option::Option<::std::string::String>,
        /**Assumption: an RFC 3339 date-time with an offset (`date-time`);
the reference shows only the example `2023-11-07T05:31:56Z`.
*/
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub next_step_scheduled_for: ::std::option::Option<
            ::chrono::DateTime<::chrono::offset::Utc>,
        >,
        /**Assumption: an RFC 3339 date-time with an offset (`date-time`);
the reference shows only the example `2023-11-07T05:31:56Z`.
*/
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub reply_guard_after: ::std::option::Option<
            ::chrono::DateTime<::chrono::offset::Utc>,
        >,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub sequence_id: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub status: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub steps: ::std::option::Option<::std::vec::Vec<SequenceStep>>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub stop_if_person_replies: ::std::option::Option<bool>,
    }
    ///A step of an outreach sequence.
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, Default)]
    pub struct SequenceStep {
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub message_mode: ::std::option::Option<::std::string::String>,
        /**Assumption: a count, `int64`; the reference shows only the
example `123`.
*/
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub position: ::std::option::Option<i64>,
        /**Assumption: an RFC 3339 date-time with an offset (`date-time`);
the reference shows only the example `2023-11-07T05:31:56Z`.
*/
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub scheduled_for: ::std::option::Option<
            ::chrono::DateTime<::chrono::offset::Utc>,
        >,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub state: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub step_id: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub step_type: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub template_run_public_id: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub trigger_type: ::std::option::Option<::std::string::String>,
    }
    /**A tag to attach to the contact.

Assumption: the API reference shows `color` on every example item but
neither marks it required nor lists its values (it shows "red"), so it
is optional and an open string.
*/
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
    #[serde(deny_unknown_fields)]
    pub struct TagInput {
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub color: ::std::option::Option<::std::string::String>,
        pub name: TagName,
    }
    /**A tag's name; not empty and not only white space.

Assumption: the API reference states no constraint on tag names; a
name that is empty or only white space (`minLength: 1`, pattern
`\S`) is taken to be a mistake.
*/
    #[derive(::serde::Serialize, Clone, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
    #[serde(transparent)]
    pub struct TagName(::std::string::String);
    impl ::std::ops::Deref for TagName {
        type Target = ::std::string::String;
        fn deref(&self) -> &::std::string::String {
            &self.0
        }
    }
    impl ::std::convert::From<TagName> for ::std::string::String {
        fn from(value: TagName) -> Self {
            value.0
        }
    }
    impl ::std::str::FromStr for TagName {
        type Err = self::error::ConversionError;
        fn from_str(
            value: &str,
        ) -> ::std::result::Result<Self, self::error::ConversionError> {
            if value.chars().count() < 1usize {
                return Err("shorter than 1 characters".into());
            }
            static PATTERN: ::std::sync::LazyLock<::regress::Regex> = ::std::sync::LazyLock::new(||
            { ::regress::Regex::new("\\S").unwrap() });
            if PATTERN.find(value).is_none() {
                return Err("doesn't match pattern \"\\S\"".into());
            }
            Ok(Self(value.to_string()))
        }
    }
    impl ::std::convert::TryFrom<&str> for TagName {
        type Error = self::error::ConversionError;
        fn try_from(
            value: &str,
        ) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }
    impl ::std::convert::TryFrom<::std::string::String> for TagName {
        type Error = self::error::ConversionError;
        fn try_from(
            value: ::std::string::String,
        ) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }
    impl<'de> ::serde::Deserialize<'de> for TagName {
        fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
        where
            D: ::serde::Deserializer<'de>,
        {
            ::std::string::String::deserialize(deserializer)?
                .parse()
                .map_err(|e: self::error::ConversionError| {
                    <D::Error as ::serde::de::Error>::custom(e.to_string())
                })
        }
    }
    /**Adds and removes tags, leaving the others as they are.

Assumption: the API reference does not say what a tag both added and
removed in one request means; the client refuses such a request
rather than guess, and the bundled mock answers it with 422.

Assumption: `minProperties: 1`: the reference does not say whether
`tags: {}` is accepted; it is taken to be a mistake.
*/
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, Default)]
    #[serde(deny_unknown_fields)]
    pub struct TagsIncremental {
        ///Tags to add.
        #[serde(default, skip_serializing_if = "::std::vec::Vec::is_empty")]
        pub add: ::std::vec::Vec<TagInput>,
        ///Names of tags to remove.
        #[serde(default, skip_serializing_if = "::std::vec::Vec::is_empty")]
        pub remove: ::std::vec::Vec<TagName>,
    }
    /**Replaces the contact's tags with exactly these; an empty list removes
them all.

Assumption: the API reference does not say what a tag given twice with
different colors means; the client refuses such a list, in `set` as
in `add`, rather than guess which color wins.

Assumption: the API reference does not show what `set` items are. They
are taken to be the same `{name, color}` objects that `add` takes,
because `set` replaces the whole tag list and a replacement that
could not carry colors would lose information that `add` can express.
*/
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
    #[serde(deny_unknown_fields)]
    pub struct TagsReplace {
        pub set: ::std::vec::Vec<TagInput>,
    }
    /**Use `set` for exact replacement, or `add`/`remove` for incremental
updates. `set` cannot be combined with `add` or `remove`: the two
variants below are exclusive.
*/
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
    #[serde(untagged)]
    pub enum TagsUpdate {
        Replace(TagsReplace),
        Incremental(TagsIncremental),
    }
    impl ::std::convert::From<TagsReplace> for TagsUpdate {
        fn from(value: TagsReplace) -> Self {
            Self::Replace(value)
        }
    }
    impl ::std::convert::From<TagsIncremental> for TagsUpdate {
        fn from(value: TagsIncremental) -> Self {
            Self::Incremental(value)
        }
    }
    /**The response's data.

Assumption: the API reference does not mark `contact` as required;
the client reports a success response without it as an undecodable
response.
*/
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, Default)]
    pub struct UpdateContactData {
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub contact: ::std::option::Option<Contact>,
    }
    /**The changes to make. Fields that are absent are left as they are.

Assumption: the API reference does not say that other fields are
refused; `additionalProperties: false` here and in the tag objects
below makes a misspelt field an error rather than a silent no-op.

Assumption: the API reference does not say what an update that
changes nothing (no `tags` and no `notes_json`, or only empty
`add`/`remove` lists) does; the client refuses it rather than send
it, and the bundled mock accepts it.
*/
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, Default)]
    #[serde(deny_unknown_fields)]
    pub struct UpdateContactRequest {
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub account_id: ::std::option::Option<AccountId>,
        /**Valid JSON text to store as account-scoped notes. Use null or an
empty string to clear notes.
*/
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub notes_json: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub tags: ::std::option::Option<TagsUpdate>,
    }
    ///The response to a successful update.
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
    pub struct UpdateContactResponse {
        pub data: UpdateContactData,
    }
    /// Error types.
    pub mod error {
        /// Error from a `TryFrom` or `FromStr` implementation.
        pub struct ConversionError(::std::borrow::Cow<'static, str>);
        impl ::std::error::Error for ConversionError {}
        impl ::std::fmt::Display for ConversionError {
            fn fmt(
                &self,
                f: &mut ::std::fmt::Formatter<'_>,
            ) -> Result<(), ::std::fmt::Error> {
                ::std::fmt::Display::fmt(&self.0, f)
            }
        }
        impl ::std::fmt::Debug for ConversionError {
            fn fmt(
                &self,
                f: &mut ::std::fmt::Formatter<'_>,
            ) -> Result<(), ::std::fmt::Error> {
                ::std::fmt::Debug::fmt(&self.0, f)
            }
        }
        impl From<&'static str> for ConversionError {
            fn from(value: &'static str) -> Self {
                Self(value.into())
            }
        }
        impl From<String> for ConversionError {
            fn from(value: String) -> Self {
                Self(value.into())
            }
        }
    }
}
#[derive(Clone, Debug)]
/**Client for talktohumans.app API

The contact-update endpoint of the talktohumans.app API, described from its
public API reference. Everything here that the reference does not state is
marked "Assumption:" in the description where it is made.


Version: 1*/
pub struct Client {
    pub(crate) baseurl: String,
    pub(crate) client: reqwest::Client,
    pub(crate) inner: crate::hooks::CallContext,
}
impl Client {
    /// Create a new client.
    ///
    /// `baseurl` is the base URL provided to the internal
    /// `reqwest::Client`, and should include a scheme and hostname,
    /// as well as port and a path stem if applicable.
    pub fn new(baseurl: &str, inner: crate::hooks::CallContext) -> Self {
        #[cfg(not(target_arch = "wasm32"))]
        let client = {
            let dur = ::std::time::Duration::from_secs(15u64);
            reqwest::ClientBuilder::new().connect_timeout(dur).timeout(dur)
        };
        #[cfg(target_arch = "wasm32")]
        let client = reqwest::ClientBuilder::new();
        Self::new_with_client(baseurl, client.build().unwrap(), inner)
    }
    /// Construct a new client with an existing `reqwest::Client`,
    /// allowing more control over its configuration.
    ///
    /// `baseurl` is the base URL provided to the internal
    /// `reqwest::Client`, and should include a scheme and hostname,
    /// as well as port and a path stem if applicable.
    pub fn new_with_client(
        baseurl: &str,
        client: reqwest::Client,
        inner: crate::hooks::CallContext,
    ) -> Self {
        Self {
            baseurl: baseurl.to_string(),
            client,
            inner,
        }
    }
}
impl ClientInfo<crate::hooks::CallContext> for Client {
    fn api_version() -> &'static str {
        "1"
    }
    fn baseurl(&self) -> &str {
        self.baseurl.as_str()
    }
    fn client(&self) -> &reqwest::Client {
        &self.client
    }
    fn inner(&self) -> &crate::hooks::CallContext {
        &self.inner
    }
}
const _: () = {
    #[allow(dead_code)]
    fn assert_client_hooks()
    where
        Client: ClientHooks<crate::hooks::CallContext>,
    {}
};
#[allow(clippy::all)]
impl Client {
    /**Update a contact's tags and notes

Edits a contact's tags (`set`, or `add`/`remove`) and its account-scoped
JSON notes, and returns the full contact.


Sends a `PATCH` request to `/v1/contacts/{contact_id}`

Arguments:
- `contact_id`: Contact ID returned by GET /v1/contacts.
- `body`
*/
    pub async fn update_contact<'a>(
        &'a self,
        contact_id: &'a types::ContactId,
        body: &'a types::UpdateContactRequest,
    ) -> Result<ResponseValue<types::UpdateContactResponse>, Error<types::ErrorBody>> {
        let url = format!(
            "{}/v1/contacts/{}", self.baseurl, encode_path(& contact_id.to_string()),
        );
        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
        header_map
            .append(
                ::reqwest::header::HeaderName::from_static("api-version"),
                ::reqwest::header::HeaderValue::from_static(Self::api_version()),
            );
        #[allow(unused_mut)]
        let mut request = self
            .client
            .patch(url)
            .header(
                ::reqwest::header::ACCEPT,
                ::reqwest::header::HeaderValue::from_static("application/json"),
            )
            .json(&body)
            .headers(header_map)
            .build()?;
        let info = OperationInfo {
            operation_id: "update_contact",
        };
        self.pre(&mut request, &info).await?;
        let result = self.exec(request, &info).await;
        self.post(&result, &info).await?;
        let response = result?;
        match response.status().as_u16() {
            200u16 => ResponseValue::from_response(response).await,
            400u16..=499u16 => {
                Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))
            }
            500u16..=599u16 => {
                Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))
            }
            _ => Err(Error::UnexpectedResponse(response)),
        }
    }
}
/// Items consumers will typically use such as the Client.
pub mod prelude {
    #[allow(unused_imports)]
    pub use super::Client;
}
