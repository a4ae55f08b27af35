//! Changes the tags of many contacts in one batch, from rows that each say
//! which kind of tag change they want, then prints every failure and a
//! summary.
//!
//! ```text
//! cargo run --example bulk_updates
//! TALKTOHUMANS_API_KEY=... cargo run --example bulk_updates -- <ROWS.csv>
//! ```
//!
//! A row is `contact_id,account_id,action,tag`, after a header line.
//! `account_id` may be empty unless the contact is under several accounts.
//! `action` is `add` or `remove` (that tag; the contact's other tags stay),
//! `set` (the tag becomes the contact's only one) or `clear` (every tag goes;
//! `tag` stays empty). There is no quoting, so a tag name cannot hold a comma.
//!
//! Without `TALKTOHUMANS_API_KEY` it runs against the crate's embedded mock of
//! the API, so it needs no account and no network, with sample rows (or the
//! given file). One sample row names a contact the mock does not have, to
//! show a failure. With the key it changes the tags of real contacts as the
//! file says.

use std::process::ExitCode;

use futures_util::{StreamExt, stream};
use talktohumans::mock::{MockServer, seed};
use talktohumans::types::Contact;
use talktohumans::{API_KEY_ENV, BulkOptions, Client, TagChange, UpdateContactInput};

/// No tag names, for the side of an incremental change that is not used.
const NONE: [&str; 0] = [];

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), String> {
    let path = std::env::args_os().nth(1);
    let live = std::env::var_os(API_KEY_ENV).is_some();
    if live && path.is_none() {
        return Err(format!(
            "{API_KEY_ENV} is set, so this changes real contacts: give the rows, \
             as in `cargo run --example bulk_updates -- <ROWS.csv>`"
        ));
    }
    let rows = match &path {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.to_string_lossy()))?,
        None => sample_rows(),
    };

    // Every row is checked before anything is sent: a typo in line 900
    // should not leave the file half applied.
    let mut updates = Vec::new();
    // The file's line number of each update, by the update's index.
    let mut lines = Vec::new();
    let mut refused = Vec::new();
    for (number, line) in rows.lines().enumerate().skip(1) {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        match parse_row(line) {
            Ok(update) => {
                updates.push(update);
                lines.push(number + 1);
            }
            Err(why) => refused.push(format!("line {}: {why}", number + 1)),
        }
    }
    if !refused.is_empty() {
        return Err(format!(
            "nothing was sent, because some rows are not valid updates:\n  {}",
            refused.join("\n  ")
        ));
    }

    // The mock lives until the end of `run`.
    let mock;
    let client = if live {
        let client = Client::from_env().map_err(|e| e.to_string())?;
        println!("Updating contacts on {}", client.base_url());
        client
    } else {
        mock = MockServer::start().await.map_err(|e| e.to_string())?;
        println!(
            "{API_KEY_ENV} is not set: using the embedded mock API at {}",
            mock.base_url()
        );
        mock.client_builder().build().map_err(|e| e.to_string())?
    };
    println!("Sending {} updates, 4 at a time\n", updates.len());
    let mut results =
        client.update_contacts_with(BulkOptions::default().concurrency(4), stream::iter(updates));
    while let Some(item) = results.next().await {
        let line = lines[item.index];
        match &item.result {
            Ok(updated) => println!(
                "  #{} (line {line}) contact {}: tags now {}",
                item.index,
                item.contact_id,
                tag_names(&updated.contact)
            ),
            Err(error) => println!(
                "  #{} (line {line}) contact {}: FAILED: {error}",
                item.index, item.contact_id
            ),
        }
    }
    let summary = results.summary();
    println!("\n{summary}");

    // Against the mock the one failure is the sample's unknown contact, so
    // only a real batch reports failures in its exit status.
    if live && summary.failed_total() > 0 {
        return Err(format!(
            "{} of {} updates failed",
            summary.failed_total(),
            summary.failed_total() + summary.succeeded
        ));
    }
    Ok(())
}

/// The update a row asks for, or why it is not one.
fn parse_row(line: &str) -> Result<UpdateContactInput, String> {
    let fields: Vec<&str> = line.split(',').collect();
    let [contact_id, account_id, action, tag] = fields[..] else {
        return Err(format!(
            "expected 4 fields (contact_id,account_id,action,tag), found {}",
            fields.len()
        ));
    };
    // The kind of change comes from the data, so it is one `TagChange`
    // value whatever the variant, rather than a different builder call per
    // action.
    let change = match action {
        "add" => TagChange::incremental([tag], NONE),
        "remove" => TagChange::incremental(NONE, [tag]),
        "set" => TagChange::replace([tag]),
        "clear" if tag.is_empty() => TagChange::clear(),
        "clear" => return Err(format!("clear takes no tag, found {tag:?}")),
        other => {
            return Err(format!(
                "unknown action {other:?}: expected add, remove, set or clear"
            ));
        }
    };
    let mut update = UpdateContactInput::builder(contact_id).tags(change);
    if !account_id.is_empty() {
        update = update.account_id(account_id);
    }
    update.build().map_err(|e| e.to_string())
}

/// Rows for the mock's seeded contacts, and one contact it does not have.
fn sample_rows() -> String {
    format!(
        "contact_id,account_id,action,tag\n\
         {maya},,add,Renewal\n\
         {tomas},,remove,Old tag\n\
         {priya},,set,Design partner\n\
         {jonas},{sales},add,Renewal\n\
         99999999,,add,Hot lead\n",
        maya = seed::MAYA_CHEN,
        tomas = seed::TOMAS_HERRERA,
        priya = seed::PRIYA_RAMAN,
        // Under two accounts, so the row must name one.
        jonas = seed::JONAS_BERG,
        sales = seed::SALES_TEAM_ACCOUNT,
    )
}

fn tag_names(contact: &Contact) -> String {
    let names: Vec<&str> = contact
        .tags
        .iter()
        .flatten()
        .filter_map(|tag| tag.name.as_deref())
        .collect();
    if names.is_empty() {
        "-".into()
    } else {
        names.join(", ")
    }
}
