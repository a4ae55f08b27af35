//! Builds the client from the flags and the environment, or starts the
//! embedded mock for `--mock`.

use std::time::Duration;

use talktohumans::mock::MockServer;
use talktohumans::{API_KEY_ENV, Client, ClientBuilder};

use clap::Args;

use crate::print::err;

/// Where and how requests are sent; accepted before or after the command.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Connection")]
pub struct Connection {
    /// Run against an embedded mock of the API, with made-up contacts
    /// (18442, 27051, 30917, 41236) and accounts (42, 77): nothing leaves
    /// this machine and no API key is needed.
    #[arg(long, global = true)]
    pub mock: bool,

    /// With --mock, make every answer take this many milliseconds, to watch
    /// the progress bar and try Ctrl-C.
    #[arg(long, global = true, value_name = "MS", requires = "mock")]
    pub mock_latency: Option<u64>,

    /// With --mock, answer 429 past this many requests a second (a token
    /// bucket holding one second's worth), to try bulk runs against a
    /// rate-limited API.
    #[arg(
        long,
        global = true,
        value_name = "RPS",
        requires = "mock",
        value_parser = clap::value_parser!(u32).range(1..)
    )]
    pub mock_capacity: Option<u32>,

    /// The API's base URL.
    #[arg(
        long,
        global = true,
        value_name = "URL",
        env = "TALKTOHUMANS_BASE_URL",
        default_value = talktohumans::DEFAULT_BASE_URL
    )]
    pub base_url: String,

    /// How long one attempt may take, in seconds.
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = 30)]
    pub timeout: u64,

    /// How many times a failed request is retried (connection errors,
    /// timeouts, 408, 409, 429 and 5xx).
    #[arg(long, global = true, value_name = "N", default_value_t = 2)]
    pub max_retries: u32,

    /// How many updates of a bulk run are in flight at once.
    #[arg(
        long,
        global = true,
        value_name = "N",
        default_value_t = 8,
        value_parser = clap::value_parser!(u16).range(1..=256)
    )]
    pub concurrency: u16,
}

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
        err(format_args!(
            "using the embedded mock API at {} (made-up contacts; nothing leaves this machine)",
            mock.base_url()
        ));
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
