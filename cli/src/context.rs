//! Where requests go and how: the connection flags, the settings they
//! resolve to (which a bulk run records, so that a resume reaches the same
//! place the same way), and the client built from them, or the embedded mock
//! for `--mock`.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use talktohumans::mock::MockServer;
use talktohumans::{API_KEY_ENV, Client, ClientBuilder};

use crate::credentials::store::{Key, Keys};
use crate::credentials::{self, KeyFrom, profiles};
use crate::print::{err, terminal};

/// The environment variable that gives the base URL when `--base-url` is
/// not given.
pub const BASE_URL_ENV: &str = "TALKTOHUMANS_BASE_URL";

const DEFAULT_TIMEOUT: u64 = 30;
const DEFAULT_MAX_RETRIES: u32 = 2;
const DEFAULT_CONCURRENCY: u16 = 8;

/// Where and how requests are sent; accepted before or after the command.
///
/// The values are options without defaults here, so that a resume can tell
/// a flag the user gave (and which must agree with the run it continues)
/// from one left out (which the run's record fills in).
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

    /// With --mock, also seed N generated contacts, with ids from 1000001
    /// on (1000001 to 1000000+N), for trials of large files.
    #[arg(long, global = true, value_name = "N", requires = "mock")]
    pub mock_contacts: Option<u64>,

    /// The API's base URL [env: TALKTOHUMANS_BASE_URL] [default: the
    /// profile's, else https://api.talktohumans.app].
    #[arg(long, global = true, value_name = "URL")]
    pub base_url: Option<String>,

    /// The saved profile whose key (and base URL) to use [default:
    /// "default"]; see `auth login`.
    #[arg(long, global = true, value_name = "NAME", env = "TALKTOHUMANS_PROFILE")]
    pub profile: Option<String>,

    /// Read the API key from this file instead of the environment or a
    /// profile; it comes first.
    #[arg(long, global = true, value_name = "PATH")]
    pub api_key_file: Option<PathBuf>,

    /// How long one attempt may take, in seconds [default: 30].
    #[arg(long, global = true, value_name = "SECONDS")]
    pub timeout: Option<u64>,

    /// How many times a failed request is retried (connection errors,
    /// timeouts, 408, 409, 429 and 5xx) [default: 2].
    #[arg(long, global = true, value_name = "N")]
    pub max_retries: Option<u32>,

    /// How many updates of a bulk run are in flight at once [default: 8].
    #[arg(
        long,
        global = true,
        value_name = "N",
        value_parser = clap::value_parser!(u16).range(1..=256)
    )]
    pub concurrency: Option<u16>,
}

/// Where requests go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// The embedded mock, set up this way.
    Mock {
        /// `--mock-latency`.
        latency_ms: Option<u64>,
        /// `--mock-capacity`.
        capacity: Option<u32>,
        /// `--mock-contacts`.
        contacts: Option<u64>,
    },
    /// An API at this base URL.
    Api {
        /// The base URL.
        base_url: String,
    },
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Mock { .. } => f.write_str("the embedded mock (--mock)"),
            Target::Api { base_url } => write!(f, "the API at {}", terminal(base_url)),
        }
    }
}

/// What the flags and the environment resolve to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// Where requests go.
    pub target: Target,
    /// Seconds one attempt may take.
    pub timeout: u64,
    /// Retries of a failed request.
    pub max_retries: u32,
    /// Updates in flight at once in bulk.
    pub concurrency: u16,
}

impl Connection {
    /// The settings, from the flags, then the environment, then the
    /// defaults.
    pub fn settings(&self) -> Settings {
        let target = if self.mock {
            Target::Mock {
                latency_ms: self.mock_latency,
                capacity: self.mock_capacity,
                contacts: self.mock_contacts,
            }
        } else {
            Target::Api {
                base_url: self
                    .base_url
                    .clone()
                    .or_else(base_url_from_env)
                    .or_else(|| self.key_plan().ok()?.base_url)
                    .unwrap_or_else(|| talktohumans::DEFAULT_BASE_URL.to_owned()),
            }
        };
        Settings {
            target,
            timeout: self.timeout.unwrap_or(DEFAULT_TIMEOUT),
            max_retries: self.max_retries.unwrap_or(DEFAULT_MAX_RETRIES),
            concurrency: self.concurrency.unwrap_or(DEFAULT_CONCURRENCY),
        }
    }

    /// Where the key comes from, and the base URL that goes with it, in the
    /// order `credentials` documents.
    pub fn key_plan(&self) -> Result<credentials::Plan, String> {
        if let Some(name) = &self.profile {
            profiles::check_name(name)?;
        }
        let base_url = self.base_url.clone().or_else(base_url_from_env);
        let given = credentials::Given {
            api_key_file: self.api_key_file.as_deref(),
            env_key: std::env::var(API_KEY_ENV).ok(),
            profile: self.profile.as_deref(),
            base_url: base_url.as_deref(),
        };
        credentials::plan(given, &profiles::config_dir()?)
    }

    /// The key, from where [`key_plan`](Self::key_plan) says.
    pub fn key(&self) -> Result<(Key, KeyFrom), String> {
        let plan = self.key_plan()?;
        let keys = Keys::from_env(&profiles::config_dir()?)?;
        Ok((plan.key(&keys)?, plan.key_from))
    }

    /// Where the flags and the environment disagree with `recorded`, the
    /// settings of a run being continued: one message per disagreement. A
    /// flag left out agrees with anything; the base URL of the environment
    /// counts only for a run against an API, since a mock run's record
    /// already says that nothing leaves the machine.
    pub fn disagreements(&self, recorded: &Settings) -> Vec<String> {
        let mut found = Vec::new();
        let show = |value: Option<String>| value.unwrap_or_else(|| "none".to_owned());
        match &recorded.target {
            Target::Mock {
                latency_ms,
                capacity,
                contacts,
            } => {
                if let Some(url) = &self.base_url {
                    found.push(format!(
                        "--base-url {}: the run was against the embedded mock, and its rows \
                         go nowhere else",
                        terminal(url)
                    ));
                }
                // A mock setting left out takes the run's.
                let text = |v: Option<u64>| show(v.map(|v| v.to_string()));
                if self.mock_latency.is_some() {
                    differs(
                        &mut found,
                        "--mock-latency",
                        text(self.mock_latency),
                        text(*latency_ms),
                    );
                }
                if self.mock_capacity.is_some() {
                    differs(
                        &mut found,
                        "--mock-capacity",
                        show(self.mock_capacity.map(|v| v.to_string())),
                        show(capacity.map(|v| v.to_string())),
                    );
                }
                if self.mock_contacts.is_some() {
                    differs(
                        &mut found,
                        "--mock-contacts",
                        text(self.mock_contacts),
                        text(*contacts),
                    );
                }
            }
            Target::Api { base_url } => {
                if self.mock {
                    found.push(format!(
                        "--mock: the run was against the API at {}",
                        terminal(base_url)
                    ));
                }
                if let Some(url) = &self.base_url {
                    differs(
                        &mut found,
                        "--base-url",
                        terminal(url).into_owned(),
                        terminal(base_url).into_owned(),
                    );
                } else if let Some(url) = base_url_from_env()
                    && &url != base_url
                {
                    found.push(format!(
                        "{BASE_URL_ENV} is {}, where the run was against {}",
                        terminal(&url),
                        terminal(base_url)
                    ));
                }
            }
        }
        if let Some(timeout) = self.timeout {
            differs(
                &mut found,
                "--timeout",
                timeout.to_string(),
                recorded.timeout.to_string(),
            );
        }
        if let Some(retries) = self.max_retries {
            differs(
                &mut found,
                "--max-retries",
                retries.to_string(),
                recorded.max_retries.to_string(),
            );
        }
        if let Some(concurrency) = self.concurrency {
            differs(
                &mut found,
                "--concurrency",
                concurrency.to_string(),
                recorded.concurrency.to_string(),
            );
        }
        found
    }
}

/// Notes a flag whose value is not the recorded one.
pub fn differs(found: &mut Vec<String>, flag: &str, given: String, was: String) {
    if given != was {
        found.push(format!("{flag} {given}, where the run had {was}"));
    }
}

fn base_url_from_env() -> Option<String> {
    std::env::var(BASE_URL_ENV).ok().filter(|u| !u.is_empty())
}

/// A short fingerprint of the API key the flags, environment or profile
/// give (the first 8 bytes of its SHA-256, in hex), so that a run's record
/// can tell whether a resume uses the same key, without holding the key.
/// `None` when there is none.
pub fn api_key_fingerprint(connection: &Connection) -> Option<String> {
    let (key, _) = connection.key().ok()?;
    Some(hex(&Sha256::digest(key.expose().as_bytes())[..8]))
}

/// Lowercase hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut text, b| {
        let _ = write!(text, "{b:02x}");
        text
    })
}

/// A client, and the mock it talks to when `--mock` is given; the mock
/// serves for as long as this lives.
pub struct Session {
    pub client: Client,
    _mock: Option<MockServer>,
}

/// Why no client could be made; the caller exits with a usage error, since
/// every cause is in the flags or the environment.
/// The key comes from `connection` (flag, environment or profile), wherever
/// `settings` send it.
pub async fn connect(settings: &Settings, connection: &Connection) -> Result<Session, String> {
    let configure = |builder: ClientBuilder| {
        builder
            .timeout(Duration::from_secs(settings.timeout))
            .max_retries(settings.max_retries)
    };
    match &settings.target {
        Target::Mock {
            latency_ms,
            capacity,
            contacts,
        } => {
            let mut builder = MockServer::builder();
            if let Some(rate) = capacity {
                builder = builder.capacity(*rate);
            }
            if let Some(n) = contacts {
                builder = builder.generated_contacts(*n);
            }
            let mock = builder
                .start()
                .await
                .map_err(|e| format!("cannot start the mock API: {e}"))?;
            if let Some(ms) = latency_ms {
                // One queued fault covers every request to come.
                mock.delay_next(usize::MAX, Duration::from_millis(*ms));
            }
            err(format_args!(
                "using the embedded mock API at {} (made-up contacts; nothing leaves this machine)",
                mock.base_url()
            ));
            let client = configure(mock.client_builder())
                .build()
                .map_err(|e| e.to_string())?;
            Ok(Session {
                client,
                _mock: Some(mock),
            })
        }
        Target::Api { base_url } => {
            let (key, key_from) = connection.key()?;
            let client = configure(Client::builder().api_key(key.expose()).base_url(base_url))
                .build()
                .map_err(|e| e.to_string())?;
            // Which key goes where, before anything is sent: with profiles,
            // a staging key and a production URL are one flag apart.
            err(format_args!(
                "using {} with the key {}",
                terminal(base_url),
                terminal(&key_from.describe())
            ));
            Ok(Session {
                client,
                _mock: None,
            })
        }
    }
}
