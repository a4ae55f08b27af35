//! What every connection of one mock server shares (the store, the faults,
//! the capacity, the request log), apart from the server that starts them and the handler
//! that uses them, so that both depend on it and not on each other.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use bytes::Bytes;
use http::{HeaderMap, Method};

use crate::mock::capacity::Capacity;
use crate::mock::faults::FaultQueue;
use crate::mock::store::Store;

/// The largest request body the mock reads; a larger one is answered 413.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// How many requests [`MockServer::received_requests`](crate::mock::MockServer::received_requests) keeps (the latest).
pub const REQUEST_LOG_CAPACITY: usize = 1000;

/// What every connection of one server shares.
#[derive(Debug)]
pub(crate) struct ServerState {
    pub(crate) api_key: String,
    store: Mutex<Store>,
    pub(crate) faults: FaultQueue,
    /// Capacity mode's token bucket, if on.
    pub(crate) capacity: Option<Capacity>,
    request_count: AtomicU64,
    log: Mutex<VecDeque<ReceivedRequest>>,
}

impl ServerState {
    pub(crate) fn new(api_key: String, store: Store, capacity: Option<Capacity>) -> Self {
        Self {
            api_key,
            store: Mutex::new(store),
            faults: FaultQueue::default(),
            capacity,
            request_count: AtomicU64::new(0),
            log: Mutex::new(VecDeque::new()),
        }
    }

    /// How many requests arrived.
    pub(crate) fn request_count(&self) -> u64 {
        self.request_count.load(Ordering::Relaxed)
    }

    /// The latest requests, oldest first.
    pub(crate) fn received(&self) -> Vec<ReceivedRequest> {
        self.log().iter().cloned().collect()
    }

    /// The store, locked. A poisoned lock is recovered: no code panics while
    /// holding it, and a mock must keep answering.
    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn log(&self) -> MutexGuard<'_, VecDeque<ReceivedRequest>> {
        self.log.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Counts a request and returns its number, from 1.
    pub(crate) fn next_request_number(&self) -> u64 {
        self.request_count.fetch_add(1, Ordering::Relaxed) + 1
    }

    pub(crate) fn record(&self, request: ReceivedRequest) {
        let mut log = self.log();
        if log.len() == REQUEST_LOG_CAPACITY {
            log.pop_front();
        }
        log.push_back(request);
    }
}

/// A request as the mock received it.
///
/// ```
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use talktohumans::mock::{MockServer, seed};
///
/// let mock = MockServer::start().await?;
/// let client = mock.client_builder().build()?;
/// client.update_contact(seed::MAYA_CHEN).add_tag("Seen").send().await?;
/// let request = &mock.received_requests()[0];
/// assert_eq!(request.method(), "PATCH");
/// assert_eq!(request.path(), "/v1/contacts/18442");
/// assert_eq!(request.body_json().unwrap()["tags"]["add"][0]["name"], "Seen");
/// # Ok(())
/// # }
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(run()).unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct ReceivedRequest {
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

impl ReceivedRequest {
    /// The method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The path, with the query if there was one, as sent (not decoded).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The headers, `Authorization` included.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body (empty when it was larger than [`MAX_BODY_BYTES`]).
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The body parsed as JSON, when it is JSON.
    pub fn body_json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }
}
