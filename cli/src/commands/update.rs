//! `contact update`: one contact, from flags.

use std::path::PathBuf;

use clap::Args;
use talktohumans::types::Contact;
use talktohumans::{InvalidInput, UpdateContactInput, UpdateContactOutput};

use crate::context::{Connection, connect};
use crate::drift::DriftLog;
use crate::exit::{self, UsageError};
use crate::print::{err, out, terminal};
use crate::tags;

const TAGS_HELP: &str = "\
Tags:
  Write a tag as NAME or NAME:COLOR, e.g. --add \"Hot lead:red\". The text after
  the last ':' is the color, so a name that contains ':' ends with ':' (no
  color) or ':COLOR': --add \"Stage: won:\" or --add \"Stage: won:green\". A color
  with a space is refused, since it is almost always such a name without its
  trailing ':'. --remove takes the same syntax, without a color.

  --set replaces all the contact's tags with the ones given; --clear-tags
  removes them all. Neither goes with --add or --remove.

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

    /// The LinkedIn account whose view of the contact (and notes) to change;
    /// required when the contact exists under several accounts.
    #[arg(long, value_name = "ID")]
    account: Option<String>,

    /// Add a tag (repeatable): NAME or NAME:COLOR.
    #[arg(long, value_name = "TAG")]
    add: Vec<String>,

    /// Remove the tag with this name (repeatable).
    #[arg(long, value_name = "TAG")]
    remove: Vec<String>,

    /// Replace all the contact's tags with these (repeatable).
    #[arg(long, value_name = "TAG", conflicts_with = "clear_tags")]
    set: Vec<String>,

    /// Remove all the contact's tags.
    #[arg(long)]
    clear_tags: bool,

    /// Replace the notes with this JSON text.
    #[arg(long, value_name = "JSON", conflicts_with_all = ["notes_file", "clear_notes"])]
    notes: Option<String>,

    /// Replace the notes with the JSON text in this file (`-` reads standard
    /// input).
    #[arg(long, value_name = "FILE", conflicts_with = "clear_notes")]
    notes_file: Option<PathBuf>,

    /// Clear the notes.
    #[arg(long)]
    clear_notes: bool,

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
    if (!args.set.is_empty() || args.clear_tags)
        && (!args.add.is_empty() || !args.remove.is_empty())
    {
        let replace = if args.clear_tags {
            "--clear-tags"
        } else {
            "--set"
        };
        return Err(UsageError {
            path: PATH,
            message: format!(
                "{replace} replaces all the contact's tags, so it cannot be combined with \
                 --add or --remove; give the whole new list with --set, or change some tags \
                 with --add and --remove"
            ),
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
        out(input.body_json());
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
            if args.json {
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
    let mut builder = UpdateContactInput::builder(&args.contact_id);
    if let Some(account) = &args.account {
        builder = builder.account_id(account);
    }
    for text in &args.add {
        builder = builder.add_tag(tags::parse_tag(text)?);
    }
    for text in &args.remove {
        builder = builder.remove_tag(tags::parse_name(text)?);
    }
    if !args.set.is_empty() {
        let set = args
            .set
            .iter()
            .map(|t| tags::parse_tag(t))
            .collect::<Result<Vec<_>, String>>()?;
        builder = builder.set_tags(set);
    }
    if args.clear_tags {
        builder = builder.clear_tags();
    }
    if let Some(notes) = &args.notes {
        builder = builder.notes_json(notes);
    }
    if let Some(path) = &args.notes_file {
        let text = read_text(path)
            .map_err(|e| format!("cannot read the notes file {}: {e}", path.display()))?;
        builder = builder.notes_json(text);
    }
    if args.clear_notes {
        builder = builder.clear_notes();
    }
    builder.build().map_err(|e| match e {
        InvalidInput::NothingToUpdate => Refused::Usage(UsageError {
            path: PATH,
            message: "nothing to change: give --add, --remove, --set, --clear-tags, --notes, \
                      --notes-file or --clear-notes"
                .to_owned(),
        }),
        other => Refused::Invalid(other.to_string()),
    })
}

/// A file argument whose `-` means standard input.
fn read_text(path: &PathBuf) -> std::io::Result<String> {
    if path.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin())
    } else {
        std::fs::read_to_string(path)
    }
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
