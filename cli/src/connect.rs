//! Builds the client from the flags and the environment, or starts the
//! embedded mock for `--mock`.

use std::time::Duration;

use talktohumans::mock::MockServer;
use talktohumans::{API_KEY_ENV, Client, ClientBuilder};

use crate::Connection;

/// A client, and the mock it talks to when `--mock` is given; the mock
/// serves for as long as this lives.
pub struct Session {
    pub client: Client,
    _mock: Option<MockServer>,
}

/// Why no client could be made; the caller exits with a usage error, since
/// every cause is in the flags or the environment.
pub async fn connect(connection: &Connection) -> Result<Session, String> {
    let configure = |builder: ClientBuilder| {
        builder
            .timeout(Duration::from_secs(connection.timeout))
            .max_retries(connection.max_retries)
    };
    if connection.mock {
        let mut builder = MockServer::builder();
        if let Some(rate) = connection.mock_capacity {
            builder = builder.capacity(rate);
        }
        let mock = builder
            .start()
            .await
            .map_err(|e| format!("cannot start the mock API: {e}"))?;
        if let Some(ms) = connection.mock_latency {
            // One queued fault covers every request to come.
            mock.delay_next(usize::MAX, Duration::from_millis(ms));
        }
        eprintln!(
            "using the embedded mock API at {} (made-up contacts; nothing leaves this machine)",
            mock.base_url()
        );
        let client = configure(mock.client_builder())
            .build()
            .map_err(|e| e.to_string())?;
        return Ok(Session {
            client,
            _mock: Some(mock),
        });
    }
    let Some(key) = std::env::var(API_KEY_ENV).ok().filter(|k| !k.is_empty()) else {
        return Err(format!(
            "{API_KEY_ENV} is not set: set it to your API key, or try the tool with --mock"
        ));
    };
    let client = configure(
        Client::builder()
            .api_key(key)
            .base_url(&connection.base_url),
    )
    .build()
    .map_err(|e| e.to_string())?;
    Ok(Session {
        client,
        _mock: None,
    })
}
