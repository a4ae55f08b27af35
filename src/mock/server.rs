//! The server: start and stop, configuration, and what tests can read back.

use std::collections::HashMap;
use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use http::StatusCode;
use tokio::sync::oneshot;

use crate::generated::types::{Account, Contact};
use crate::mock::capacity::Capacity;
use crate::mock::contact::{ContactState, MockContact};
use crate::mock::faults::{Fault, RandomFaults};
use crate::mock::handler::router;
use crate::mock::seed;
use crate::mock::state::{ReceivedRequest, ServerState};
use crate::mock::store::Store;
use crate::{ApiKey, ClientBuilder};

/// The API key a mock accepts unless told otherwise.
pub const DEFAULT_API_KEY: &str = "tth_mock_key";

/// Why a mock server could not start.
///
/// ```
/// # async fn run() {
/// use talktohumans::mock::{MockError, MockServer};
///
/// let error = MockServer::builder().api_key("has a space").start().await.unwrap_err();
/// assert!(matches!(error, MockError::InvalidApiKey));
/// # }
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(run());
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MockError {
    /// The address could not be listened on (the port is taken, ...).
    #[error("the mock server cannot listen on {address}: {source}")]
    Bind {
        /// The address.
        address: SocketAddr,
        /// The system's error.
        #[source]
        source: std::io::Error,
    },
    /// The API key is empty or has a character that is not printable ASCII,
    /// so no client could send it.
    #[error("the mock's API key is empty or has a character that is not printable ASCII")]
    InvalidApiKey,
    /// A seeded contact or account breaks a rule of the API (an id that does
    /// not match `^[1-9][0-9]*$`, a blank tag name, notes that are not JSON,
    /// notes for an account the contact is not under).
    #[error("invalid seed: {0}")]
    InvalidSeed(String),
}

/// Configures a [`MockServer`]; made by [`MockServer::builder`].
///
/// ```
/// # async fn run() -> Result<(), talktohumans::mock::MockError> {
/// use talktohumans::Tag;
/// use talktohumans::mock::{MockContact, MockServer};
///
/// let mock = MockServer::builder()
///     .api_key("tth_test_key")
///     .without_default_seed()
///     .contact(MockContact::new("5001", "42").tag(Tag::new("VIP").with_color("gold")))
///     .start()
///     .await?;
/// assert_eq!(mock.contact("5001").unwrap().tag_names(), ["VIP"]);
/// assert!(mock.contact(talktohumans::mock::seed::MAYA_CHEN).is_none());
/// # Ok(())
/// # }
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(run()).unwrap();
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct MockServerBuilder {
    api_key: String,
    port: u16,
    default_seed: bool,
    accounts: Vec<Account>,
    contacts: Vec<MockContact>,
    capacity: Option<u32>,
    burst: Option<u32>,
}

impl Default for MockServerBuilder {
    fn default() -> Self {
        Self {
            api_key: DEFAULT_API_KEY.to_owned(),
            port: 0,
            default_seed: true,
            accounts: Vec::new(),
            contacts: Vec::new(),
            capacity: None,
            burst: None,
        }
    }
}

impl MockServerBuilder {
    /// The API key the mock accepts (default [`DEFAULT_API_KEY`]).
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = key.into();
        self
    }

    /// The port to listen on, on 127.0.0.1 (default 0: a free port).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Starts without the default contacts and accounts of [`seed`].
    pub fn without_default_seed(mut self) -> Self {
        self.default_seed = false;
        self
    }

    /// Adds a contact; one with the same id as an earlier or default one
    /// replaces it.
    pub fn contact(mut self, contact: MockContact) -> Self {
        // Replaced when the server starts, in one pass: a retain here would
        // make seeding many contacts quadratic.
        self.contacts.push(contact);
        self
    }

    /// Adds contacts, as [`contact`](Self::contact) does.
    pub fn contacts(self, contacts: impl IntoIterator<Item = MockContact>) -> Self {
        contacts.into_iter().fold(self, Self::contact)
    }

    /// Adds `n` made-up contacts ([`seed::generated`]), for trials and
    /// benchmarks that update many distinct contacts; in a batch, the
    /// updates of one contact go one at a time, so a batch over a handful
    /// of contacts cannot show the pace of many.
    ///
    /// ```
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// use talktohumans::mock::{seed, MockServer};
    ///
    /// let mock = MockServer::builder().generated_contacts(1000).start().await?;
    /// let client = mock.client_builder().build()?;
    /// client.update_contact(seed::generated_id(999)).add_tag("Q4").send().await?;
    /// assert_eq!(mock.contact(&seed::generated_id(999)).unwrap().tag_names(), ["Q4"]);
    /// assert!(mock.contact(&seed::generated_id(1000)).is_none());
    /// # Ok(())
    /// # }
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(run()).unwrap();
    /// ```
    pub fn generated_contacts(self, n: u64) -> Self {
        self.contacts(seed::generated(n))
    }

    /// Describes an account (display name, owner, ...), shown as the
    /// contact's `account`. An account without a description is shown with
    /// its id only. One with the same id as an earlier one replaces it.
    pub fn account(mut self, account: Account) -> Self {
        self.accounts.retain(|a| a.account_id != account.account_id);
        self.accounts.push(account);
        self
    }

    /// Capacity mode: at most `requests_per_second` requests a second, as a
    /// token bucket (default: no limit; 0 also means none). A request that
    /// finds the bucket empty is answered 429 `rate_limited`, with
    /// `Retry-After` (whole seconds, rounded up) and `retry-after-ms` (the
    /// milliseconds until a token is there, rounded up), and changes
    /// nothing. The bucket holds [`burst`](Self::burst) tokens, by default
    /// one second's worth (`requests_per_second`), and starts full.
    ///
    /// Every request takes a token, whatever its path, key or body, except
    /// those that an injected fault answers. [`MockServer::rate_limited_count`]
    /// counts the 429s.
    ///
    /// ```
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// use talktohumans::mock::{seed, MockServer};
    ///
    /// let mock = MockServer::builder().capacity(10).burst(1).start().await?;
    /// let client = mock.client_builder().max_retries(0).build()?;
    /// let update = || client.update_contact(seed::MAYA_CHEN).add_tag("Q4").send();
    /// update().await?;
    /// let error = update().await.unwrap_err();
    /// assert_eq!(error.status().unwrap(), 429);
    /// assert_eq!(error.response().unwrap().headers()["retry-after"], "1");
    /// assert_eq!(mock.rate_limited_count(), 1);
    /// # Ok(())
    /// # }
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(run()).unwrap();
    /// ```
    pub fn capacity(mut self, requests_per_second: u32) -> Self {
        self.capacity = Some(requests_per_second).filter(|&rate| rate > 0);
        self
    }

    /// In capacity mode, how many requests may come at once after a quiet
    /// spell: the bucket's size (at least 1; default the capacity, one
    /// second's worth). Without [`capacity`](Self::capacity), it does
    /// nothing.
    pub fn burst(mut self, requests: u32) -> Self {
        self.burst = Some(requests.max(1));
        self
    }

    /// Checks the seed, listens, and serves in a task of the current tokio
    /// runtime until the [`MockServer`] is dropped.
    ///
    /// # Panics
    /// When called outside a tokio runtime, like `tokio::spawn`.
    pub async fn start(self) -> Result<MockServer, MockError> {
        let key_ok = !self.api_key.is_empty() && self.api_key.bytes().all(|b| b.is_ascii_graphic());
        if !key_ok {
            return Err(MockError::InvalidApiKey);
        }
        let (mut accounts, mut contacts) = if self.default_seed {
            (seed::accounts(), seed::contacts())
        } else {
            (Vec::new(), Vec::new())
        };
        for account in self.accounts {
            accounts.retain(|a| a.account_id != account.account_id);
            accounts.push(account);
        }
        contacts.extend(self.contacts);
        let contacts = latest_of_each(contacts);
        let store = Store::new(&accounts, &contacts).map_err(MockError::InvalidSeed)?;

        let address = SocketAddr::from((Ipv4Addr::LOCALHOST, self.port));
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .map_err(|source| MockError::Bind { address, source })?;
        let address = listener
            .local_addr()
            .map_err(|source| MockError::Bind { address, source })?;

        let capacity = self
            .capacity
            .map(|rate| Capacity::new(rate, self.burst.unwrap_or(rate)));
        let shared = Arc::new(ServerState::new(self.api_key, store, capacity));
        let (stop, stopped) = oneshot::channel::<()>();
        let app = router(Arc::clone(&shared));
        tokio::spawn(async move {
            let serving = axum::serve(listener, app).with_graceful_shutdown(async {
                // Either a stop signal or the sender dropped: both mean stop.
                let _ = stopped.await;
            });
            // axum retries failed accepts itself; serving ends only on stop.
            let _ = serving.await;
        });
        Ok(MockServer {
            shared,
            address,
            base_url: format!("http://{address}"),
            _stop: stop,
        })
    }
}

/// The contacts with the last of each id kept, at its place: a later
/// contact replaces an earlier one with its id.
fn latest_of_each(contacts: Vec<MockContact>) -> Vec<MockContact> {
    let last: HashMap<&str, usize> = contacts
        .iter()
        .enumerate()
        .map(|(at, contact)| (contact.contact_id.as_str(), at))
        .collect();
    let keep: Vec<bool> = contacts
        .iter()
        .enumerate()
        .map(|(at, contact)| last[contact.contact_id.as_str()] == at)
        .collect();
    contacts
        .into_iter()
        .zip(keep)
        .filter_map(|(contact, keep)| keep.then_some(contact))
        .collect()
}

/// An in-memory mock of the API's `PATCH /v1/contacts/{contact_id}`, served
/// on `127.0.0.1`. See [the module docs](crate::mock) for its behaviour.
///
/// It stops when dropped.
///
/// ```
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use talktohumans::mock::{seed, MockServer};
///
/// let mock = MockServer::start().await?;
/// let client = mock.client_builder().build()?;
/// let contact = client
///     .update_contact(seed::TOMAS_HERRERA)
///     .add_tag("Met at expo")
///     .remove_tag("Old tag")
///     .send()
///     .await?
///     .contact;
/// assert_eq!(contact.name.as_deref(), Some("Tomás Herrera"));
/// assert_eq!(mock.contact(seed::TOMAS_HERRERA).unwrap().tag_names(), ["Newsletter", "Met at expo"]);
/// assert_eq!(mock.request_count(), 1);
/// # Ok(())
/// # }
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(run()).unwrap();
/// ```
pub struct MockServer {
    shared: Arc<ServerState>,
    address: SocketAddr,
    base_url: String,
    /// Dropping it stops the server.
    _stop: oneshot::Sender<()>,
}

impl fmt::Debug for MockServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockServer")
            .field("base_url", &self.base_url)
            .field("request_count", &self.request_count())
            .finish_non_exhaustive()
    }
}

impl MockServer {
    /// Starts a mock with the default seed and key on a free port.
    ///
    /// # Panics
    /// When called outside a tokio runtime, like `tokio::spawn`.
    pub async fn start() -> Result<MockServer, MockError> {
        Self::builder().start().await
    }

    /// Starts configuring a mock.
    pub fn builder() -> MockServerBuilder {
        MockServerBuilder::default()
    }

    /// The base URL to give the client, such as `http://127.0.0.1:41234`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The address the mock listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The API key the mock accepts.
    pub fn api_key(&self) -> &str {
        &self.shared.api_key
    }

    /// A client builder with the mock's base URL and key already set.
    pub fn client_builder(&self) -> ClientBuilder {
        crate::Client::builder()
            .api_key(ApiKey::new(self.shared.api_key.clone()))
            .base_url(self.base_url.clone())
    }

    /// A contact's current state (tags with colors, notes per account), or
    /// `None` when there is no such contact.
    pub fn contact(&self, contact_id: &str) -> Option<ContactState> {
        self.shared.store().state(contact_id)
    }

    /// A contact exactly as the API would return it under this account (the
    /// contact's first account when `None`); `None` when there is no such
    /// contact under that account.
    pub fn returned_contact(&self, contact_id: &str, account_id: Option<&str>) -> Option<Contact> {
        self.shared.store().render(contact_id, account_id)
    }

    /// How many requests arrived, whatever their path, method or answer.
    pub fn request_count(&self) -> u64 {
        self.shared.request_count()
    }

    /// How many requests capacity mode answered 429 (see
    /// [`MockServerBuilder::capacity`]); 0 without it. Injected 429s are
    /// not counted.
    pub fn rate_limited_count(&self) -> u64 {
        self.shared.capacity.as_ref().map_or(0, |c| c.refused())
    }

    /// The latest requests, oldest first (at most [`REQUEST_LOG_CAPACITY`](crate::mock::REQUEST_LOG_CAPACITY)).
    pub fn received_requests(&self) -> Vec<ReceivedRequest> {
        self.shared.received()
    }

    /// The next `n` requests are answered with `status` and the mock's JSON
    /// error body, without being handled. With `retry_after`, the answer
    /// carries `Retry-After` (whole seconds, rounded up) and `retry-after-ms`.
    ///
    /// Queued after faults already queued; see [`inject`](Self::inject).
    pub fn fail_next(&self, n: usize, status: StatusCode, retry_after: Option<Duration>) {
        let mut fault = Fault::status(status);
        if let Some(wait) = retry_after {
            fault = fault.retry_after(wait).retry_after_ms(wait);
        }
        self.inject(n, fault);
    }

    /// The next `n` requests each wait `delay`, then are handled normally.
    pub fn delay_next(&self, n: usize, delay: Duration) {
        self.inject(n, Fault::delay(delay));
    }

    /// The next `n` requests, after those that queued faults already cover,
    /// get this fault. Faults apply to every request, before its key or body
    /// is looked at, and a request takes the first fault in the queue.
    ///
    /// ```
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// use std::time::Duration;
    /// use http::StatusCode;
    /// use talktohumans::mock::{seed, Fault, MockServer};
    ///
    /// let mock = MockServer::start().await?;
    /// mock.inject(1, Fault::status(StatusCode::SERVICE_UNAVAILABLE).retry_after_ms(Duration::from_millis(10)));
    /// // The client retries the 503 after 10 ms and succeeds.
    /// let client = mock.client_builder().build()?;
    /// client.update_contact(seed::MAYA_CHEN).add_tag("Retried").send().await?;
    /// assert_eq!(mock.request_count(), 2);
    /// assert_eq!(mock.pending_faults(), 0);
    /// # Ok(())
    /// # }
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(run()).unwrap();
    /// ```
    pub fn inject(&self, n: usize, fault: Fault) {
        self.shared.faults.push(fault, n);
    }

    /// From now on, requests that no queued fault covers get a fault at
    /// random, as `faults` says; replaces earlier random faults.
    /// [`clear_faults`](Self::clear_faults) ends them.
    pub fn random_faults(&self, faults: RandomFaults) {
        self.shared.faults.set_random(faults);
    }

    /// How many requests the queued faults will still affect.
    pub fn pending_faults(&self) -> usize {
        self.shared.faults.pending()
    }

    /// Drops every queued fault, and stops random faults.
    pub fn clear_faults(&self) {
        self.shared.faults.clear();
    }
}
