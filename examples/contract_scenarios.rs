//! Sends every documented kind of update with the crate's client and checks
//! that each one is answered 200 with a contact that decodes.
//!
//! Used by the contract checks (`.ci/contract/run.sh`) against a mock server
//! made from `openapi.yaml` that validates requests, so a request the crate
//! builds that breaks the spec fails here. It works against any server of the
//! API:
//!
//! ```text
//! cargo run --example contract_scenarios -- <BASE_URL> <API_KEY> [CONTACT_ID [ACCOUNT_ID]] [--account-id-always]
//! ```
//!
//! The contact defaults to `123` and the account to `42`, the spec's examples.
//! With `--account-id-always` every update names the account, as one of a
//! contact under several accounts must.
//!
//! Prints one line per scenario and exits non-zero if any fails.

use std::future::Future;
use std::pin::Pin;
use std::process::ExitCode;

use serde_json::json;
use talktohumans::{Client, Error, Tag, UpdateContactFluentBuilder, UpdateContactOutput};

/// One documented kind of update; `send` builds and sends it.
struct Scenario {
    name: &'static str,
    send: for<'a> fn(&'a Client, &'a Ids) -> Sending<'a>,
}

type Sending<'a> = Pin<Box<dyn Future<Output = Result<UpdateContactOutput, Error>> + 'a>>;

struct Ids {
    contact: String,
    account: String,
    /// Sends `account_id` with every update, as a contact under several
    /// accounts requires.
    account_always: bool,
}

/// Starts an update of the contact, with `account_id` when it must always be
/// given.
fn start(client: &Client, ids: &Ids) -> UpdateContactFluentBuilder {
    let update = client.update_contact(&ids.contact);
    if ids.account_always {
        update.account_id(&ids.account)
    } else {
        update
    }
}

const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "add only",
        send: |c, ids| {
            Box::pin(
                start(c, ids)
                    .add_tag(Tag::new("Hot lead").with_color("red"))
                    .send(),
            )
        },
    },
    Scenario {
        name: "add without color",
        send: |c, ids| Box::pin(start(c, ids).add_tag("Prospect").send()),
    },
    Scenario {
        name: "remove only",
        send: |c, ids| Box::pin(start(c, ids).remove_tag("Old tag").send()),
    },
    Scenario {
        name: "add and remove",
        send: |c, ids| {
            Box::pin(
                start(c, ids)
                    .add_tag(Tag::new("Hot lead").with_color("red"))
                    .remove_tag("Old tag")
                    .send(),
            )
        },
    },
    Scenario {
        name: "set",
        send: |c, ids| {
            Box::pin(
                start(c, ids)
                    .set_tags([Tag::new("Customer").with_color("green"), Tag::new("VIP")])
                    .send(),
            )
        },
    },
    Scenario {
        name: "clear tags",
        send: |c, ids| Box::pin(start(c, ids).clear_tags().send()),
    },
    Scenario {
        name: "notes set",
        send: |c, ids| {
            Box::pin(
                start(c, ids)
                    .notes(&json!({"stage": "demo", "score": 7, "next": ["call", "email"]}))
                    .send(),
            )
        },
    },
    Scenario {
        name: "notes set as JSON text",
        send: |c, ids| {
            Box::pin(
                start(c, ids)
                    .notes_json(r#"{"met_at":"conference"}"#)
                    .send(),
            )
        },
    },
    Scenario {
        name: "notes clear",
        send: |c, ids| Box::pin(start(c, ids).clear_notes().send()),
    },
    Scenario {
        name: "account_id",
        send: |c, ids| {
            Box::pin(
                start(c, ids)
                    .account_id(&ids.account)
                    .add_tag(Tag::new("Hot lead").with_color("red"))
                    .send(),
            )
        },
    },
    Scenario {
        name: "everything together (add, remove, notes, account_id)",
        send: |c, ids| {
            Box::pin(
                start(c, ids)
                    .account_id(&ids.account)
                    .add_tags([
                        Tag::new("Hot lead").with_color("red"),
                        Tag::new("Follow up"),
                    ])
                    .remove_tags(["Old tag", "Cold"])
                    .notes(&json!({"stage": "demo"}))
                    .send(),
            )
        },
    },
    Scenario {
        name: "everything together (set, notes clear, account_id)",
        send: |c, ids| {
            Box::pin(
                start(c, ids)
                    .account_id(&ids.account)
                    .set_tags([Tag::new("Customer").with_color("green")])
                    .clear_notes()
                    .send(),
            )
        },
    },
];

/// Sends `account_id` with every scenario, not only with those about it.
const ACCOUNT_ALWAYS: &str = "--account-id-always";

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let account_always = match args.iter().position(|a| a == ACCOUNT_ALWAYS) {
        Some(at) => {
            args.remove(at);
            true
        }
        None => false,
    };
    let (base_url, api_key) = match (args.first(), args.get(1)) {
        (Some(url), Some(key)) if args.len() <= 4 => (url, key),
        _ => {
            eprintln!(
                "usage: contract_scenarios <BASE_URL> <API_KEY> [CONTACT_ID [ACCOUNT_ID]] [{ACCOUNT_ALWAYS}]"
            );
            return ExitCode::from(2);
        }
    };
    let ids = Ids {
        contact: args.get(2).cloned().unwrap_or_else(|| "123".to_owned()),
        account: args.get(3).cloned().unwrap_or_else(|| "42".to_owned()),
        account_always,
    };
    let client = match Client::builder()
        .api_key(api_key.as_str())
        .base_url(base_url.as_str())
        .max_retries(0)
        .build()
    {
        Ok(client) => client,
        Err(e) => {
            eprintln!("cannot build the client: {e}");
            return ExitCode::from(2);
        }
    };

    let mut failed = 0;
    for scenario in SCENARIOS {
        match (scenario.send)(&client, &ids).await {
            Ok(updated) if updated.status == 200 => {
                println!("ok    {}: 200, contact decoded", scenario.name);
            }
            Ok(updated) => {
                failed += 1;
                println!(
                    "FAIL  {}: status {}, not 200",
                    scenario.name, updated.status
                );
            }
            Err(e) => {
                failed += 1;
                println!("FAIL  {}: {}", scenario.name, describe(&e));
            }
        }
    }
    println!(
        "contract scenarios: {} of {} passed",
        SCENARIOS.len() - failed,
        SCENARIOS.len()
    );
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// The error, with the body the server sent when there is one (it says which
/// rule of the spec the request broke).
fn describe(error: &Error) -> String {
    match error.response() {
        Some(response) => format!(
            "{error}; body: {}",
            String::from_utf8_lossy(response.body())
        ),
        None => error.to_string(),
    }
}
