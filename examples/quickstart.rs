//! Adds a tag, removes a tag and sets the notes of one contact, then prints
//! the contact.
//!
//! ```text
//! cargo run --example quickstart
//! TALKTOHUMANS_API_KEY=... cargo run --example quickstart -- <CONTACT_ID> [ACCOUNT_ID]
//! ```
//!
//! Without `TALKTOHUMANS_API_KEY` it runs against the crate's embedded mock
//! of the API, so it needs no account and no network. With the key it
//! updates the given contact on the real API: it adds the tag "Hot lead",
//! removes "Old tag", and REPLACES that account's notes on the contact.

use std::process::ExitCode;

use talktohumans::mock::{MockServer, seed};
use talktohumans::types::Contact;
use talktohumans::{API_KEY_ENV, Client, Tag};

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
    let mut args = std::env::args().skip(1);
    let contact_id = args.next();
    let account_id = args.next();

    // The mock lives until the end of `run`.
    let mock;
    let (client, contact_id, account_id) = match std::env::var_os(API_KEY_ENV) {
        Some(_) => {
            let Some(contact_id) = contact_id else {
                return Err(format!(
                    "{API_KEY_ENV} is set, so this updates a real contact: give its id, \
                     as in `cargo run --example quickstart -- <CONTACT_ID> [ACCOUNT_ID]`"
                ));
            };
            let client = Client::from_env().map_err(|e| e.to_string())?;
            println!("Updating contact {contact_id} on {}", client.base_url());
            (client, contact_id, account_id)
        }
        None => {
            mock = MockServer::start().await.map_err(|e| e.to_string())?;
            let client = mock.client_builder().build().map_err(|e| e.to_string())?;
            println!(
                "{API_KEY_ENV} is not set: using the embedded mock API at {}",
                mock.base_url()
            );
            let contact_id = contact_id.unwrap_or_else(|| seed::TOMAS_HERRERA.to_owned());
            (client, contact_id, account_id)
        }
    };

    let mut update = client
        .update_contact(&contact_id)
        .add_tag(Tag::new("Hot lead").with_color("red"))
        .remove_tag("Old tag")
        .notes(&serde_json::json!({
            "stage": "contacted",
            "next_step": "book a demo",
        }));
    if let Some(account_id) = &account_id {
        update = update.account_id(account_id);
    }
    println!("  add tag \"Hot lead\" (red), remove tag \"Old tag\", set notes\n");

    let updated = update.send().await.map_err(|e| e.to_string())?;
    print_contact(&updated.contact);
    println!(
        "\nHTTP {}{}",
        updated.status,
        updated
            .request_id()
            .map(|id| format!(", request id {id}"))
            .unwrap_or_default()
    );
    Ok(())
}

fn print_contact(contact: &Contact) {
    let text = |value: &Option<String>| value.clone().unwrap_or_else(|| "-".into());
    println!("Contact {}", text(&contact.contact_id));
    println!("  name:     {}", text(&contact.name));
    println!("  headline: {}", text(&contact.headline));
    if let Some(account) = &contact.account {
        println!(
            "  account:  {} ({})",
            text(&account.account_id),
            text(&account.display_name)
        );
    }
    let tags: Vec<String> = contact
        .tags
        .iter()
        .flatten()
        .filter_map(|tag| tag.name.clone())
        .collect();
    println!(
        "  tags:     {}",
        if tags.is_empty() {
            "-".into()
        } else {
            tags.join(", ")
        }
    );
    let notes = contact.notes_json.as_deref().map(|notes| {
        serde_json::from_str::<serde_json::Value>(notes)
            .and_then(|value| serde_json::to_string_pretty(&value))
            .unwrap_or_else(|_| notes.to_owned())
    });
    match notes {
        Some(notes) => println!("  notes:    {}", notes.replace('\n', "\n            ")),
        None => println!("  notes:    -"),
    }
}
