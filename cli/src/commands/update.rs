//! `contact update`: one contact, from flags.

use clap::Args;
use serde_json::json;
use talktohumans::types::Contact;
use talktohumans::{InvalidInput, UpdateContactInput, UpdateContactOutput};

use crate::change::{ChangeArgs, ChangeError};
use crate::context::{Connection, connect};
use crate::drift::DriftLog;
use crate::exit::{self, UsageError};
use crate::print::{self, err, out, terminal};
use crate::returned;

const TAGS_HELP: &str = "\
Tags:
  Write a tag as NAME or NAME:COLOR, e.g. --add \"Hot lead:red\". The text after
  the last ':' is the color, so a name that contains ':' ends with ':' (no
  color) or ':COLOR': --add \"Stage: won:\" or --add \"Stage: won:green\". A color
  with a space is refused, since it is almost always such a name without its
  trailing ':'. --remove takes the same syntax, without a color.

  --set replaces all the contact's tags with the ones given; --clear-tags
  removes them all. Neither goes with --add or --remove.

JSON output (--format json): one object on standard output,
  {\"dry_run\": false, \"contact_id\", \"http_status\", \"request_id\", \"contact\": {...}}
  with the contact whole as the server returned it; with --dry-run,
  {\"dry_run\": true, \"contact_id\", \"body\": {...}}; on a failed call,
  {\"error\": {\"message\", \"http_status\", \"request_id\", \"applied\"}}.

Examples:
  talktohumans --mock contact update 41236 --add \"Hot lead:red\" --remove \"Old tag\"
  talktohumans contact update 27051 --account 77 --notes '{\"stage\": \"demo\"}'
  talktohumans contact update 18442 --set \"Customer:green\" --set \"Q4\" --dry-run";

/// Update one contact's tags and notes, and print the updated contact.
#[derive(Debug, Args)]
#[command(after_help = format!("{TAGS_HELP}\n\n{}", exit::EXIT_CODES))]
pub struct UpdateArgs {
    /// The contact's id.
    #[arg(value_name = "ID")]
    contact_id: String,

    #[command(flatten)]
    change: ChangeArgs,

    /// Print the full updated contact as JSON instead of a summary.
    #[arg(long)]
    json: bool,

    /// Check the update and print the exact JSON body it would send; send
    /// nothing.
    #[arg(long)]
    dry_run: bool,
}

const PATH: &[&str] = &["contact", "update"];

pub async fn run(connection: &Connection, args: UpdateArgs) -> Result<u8, UsageError> {
    if let Some(message) = args.change.conflict() {
        return Err(UsageError {
            path: PATH,
            message,
        });
    }
    let input = match build(&args) {
        Ok(input) => input,
        Err(Refused::Usage(usage)) => return Err(usage),
        Err(Refused::Invalid(message)) => {
            err(format_args!(
                "error: {}; nothing was sent",
                terminal(&message)
            ));
            return Ok(exit::INVALID_INPUT);
        }
    };
    if args.dry_run {
        if print::json_mode() {
            print::json(&json!({
                "dry_run": true,
                "contact_id": input.contact_id().as_str(),
                "body": serde_json::from_str::<serde_json::Value>(&input.body_json())
                    .unwrap_or_default(),
            }));
        } else {
            out(input.body_json());
        }
        err(format_args!(
            "dry run: would send PATCH /v1/contacts/{}; nothing was sent",
            input.contact_id()
        ));
        return Ok(exit::OK);
    }
    let session = match connect(&connection.settings(), connection).await {
        Ok(session) => session,
        Err(message) => {
            err(format_args!("error: {message}"));
            return Ok(exit::USAGE);
        }
    };
    Ok(match session.client.send(&input).await {
        Ok(output) => {
            DriftLog::default().note(&output.drift);
            if print::json_mode() {
                print::json(&json!({
                    "dry_run": false,
                    "contact_id": input.contact_id().as_str(),
                    "http_status": output.status.as_u16(),
                    "request_id": output.request_id(),
                    "contact": returned::whole_contact(&output),
                }));
            } else if args.json {
                match serde_json::to_string_pretty(&output.contact) {
                    Ok(json) => out(json),
                    Err(e) => {
                        err(format_args!(
                            "error: the contact could not be printed as JSON: {e}"
                        ));
                        return Ok(exit::API_FAILURE);
                    }
                }
            } else {
                out(summary(&output));
            }
            exit::OK
        }
        Err(e) => {
            err(format_args!("error: {}", terminal(&e.to_string())));
            if print::json_mode() {
                print::json(&json!({
                    "error": {
                        "message": e.to_string(),
                        "http_status": e.status().map(|s| s.as_u16()),
                        "request_id": e.request_id(),
                        "applied": e.applied(),
                    }
                }));
            }
            exit::API_FAILURE
        }
    })
}

/// Why no update could be built from the flags.
enum Refused {
    /// The flags ask for nothing, or for things that do not go together.
    Usage(UsageError),
    /// A value breaks one of the API's rules.
    Invalid(String),
}

impl From<String> for Refused {
    fn from(message: String) -> Self {
        Refused::Invalid(message)
    }
}

fn build(args: &UpdateArgs) -> Result<UpdateContactInput, Refused> {
    let change = args.change.change()?;
    change.input(&args.contact_id).map_err(|e| match e {
        ChangeError::Input(InvalidInput::NothingToUpdate) => Refused::Usage(UsageError {
            path: PATH,
            message: "nothing to change: give --add, --remove, --set, --clear-tags, --notes, \
                      --notes-file or --clear-notes"
                .to_owned(),
        }),
        ChangeError::Input(other) => Refused::Invalid(other.to_string()),
        ChangeError::Tag(_, message) => Refused::Invalid(message),
    })
}

/// The readable form: who the contact is, and what the update left.
fn summary(output: &UpdateContactOutput) -> String {
    let contact: &Contact = &output.contact;
    let mut lines = Vec::new();
    let id = contact.contact_id.as_deref().unwrap_or("?");
    match &contact.name {
        Some(name) => lines.push(format!("Updated contact {id}: {name}")),
        None => lines.push(format!("Updated contact {id}")),
    }
    if let Some(headline) = &contact.headline {
        lines.push(format!("  headline:   {headline}"));
    }
    if let Some(account) = &contact.account {
        let id = account.account_id.as_deref().unwrap_or("?");
        match &account.display_name {
            Some(name) => lines.push(format!("  account:    {id} ({name})")),
            None => lines.push(format!("  account:    {id}")),
        }
    }
    let tags: Vec<&str> = contact
        .tags
        .iter()
        .flatten()
        .filter_map(|t| t.name.as_deref())
        .collect();
    lines.push(format!(
        "  tags:       {}",
        if tags.is_empty() {
            "(none)".to_owned()
        } else {
            tags.join(", ")
        }
    ));
    lines.push(format!(
        "  notes:      {}",
        contact
            .notes_json
            .as_deref()
            .filter(|n| !n.is_empty())
            .unwrap_or("(none)")
    ));
    if let Some(request_id) = output.request_id() {
        lines.push(format!("  request id: {request_id}"));
    }
    // Every line holds text from the server: escaped, so that a name or
    // notes with escape sequences cannot drive the terminal.
    lines
        .iter()
        .map(|line| terminal(line))
        .collect::<Vec<_>>()
        .join("\n")
}
