//! `auth login`, `auth status` and `auth logout`: keys kept per profile, so
//! that no key has to live in a shell's environment or history.

use std::io::{IsTerminal, Read};

use clap::Subcommand;

use crate::context::Connection;
use crate::credentials::profiles::{self, DEFAULT_PROFILE, Profile, Profiles};
use crate::credentials::store::{Key, Keys, StoreKind};
use crate::exit;
use crate::print::{err, out, terminal};

/// Keep API keys per profile, in the OS credential store or a private file.
#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// Save an API key for a profile (--profile, default "default"), with
    /// the --base-url given, if any. The key is typed without echo, or read
    /// from standard input when that is not a terminal
    /// (`talktohumans auth login < key.txt`).
    Login,
    /// Show each profile: its base URL and where its key is kept (never the
    /// key). Nothing is sent: the API has no call that checks a key without
    /// changing a contact.
    Status,
    /// Forget a profile (--profile, default "default") and its key.
    Logout,
}

pub fn run(connection: &Connection, command: AuthCommand) -> u8 {
    let result = match command {
        AuthCommand::Login => login(connection),
        AuthCommand::Status => status(connection),
        AuthCommand::Logout => logout(connection),
    };
    match result {
        Ok(()) => exit::OK,
        Err((code, message)) => {
            err(format_args!("error: {}", terminal(&message)));
            code
        }
    }
}

type Outcome = Result<(), (u8, String)>;

fn usage(message: String) -> (u8, String) {
    (exit::USAGE, message)
}

/// The configuration folder, the key stores and the profile's name.
fn setup(connection: &Connection) -> Result<(std::path::PathBuf, Keys, String), (u8, String)> {
    let name = connection
        .profile
        .clone()
        .unwrap_or_else(|| DEFAULT_PROFILE.to_owned());
    profiles::check_name(&name).map_err(usage)?;
    let dir = profiles::config_dir().map_err(usage)?;
    let keys = Keys::from_env(&dir).map_err(usage)?;
    Ok((dir, keys, name))
}

fn login(connection: &Connection) -> Outcome {
    let (dir, keys, name) = setup(connection)?;
    let key = read_key().map_err(usage)?;
    // The library's own rules for a key and a base URL, before anything is
    // kept.
    let mut check = talktohumans::Client::builder().api_key(key.expose());
    if let Some(url) = &connection.base_url {
        check = check.base_url(url);
    }
    check.build().map_err(|e| usage(e.to_string()))?;

    let mut all = Profiles::read(&dir).map_err(usage)?;
    let saved = keys.save(&name, &key).map_err(|e| (exit::FAILURE, e))?;
    all.profiles.insert(
        name.clone(),
        Profile {
            base_url: connection.base_url.clone(),
            key_store: saved.kind,
        },
    );
    all.write(&dir).map_err(|e| (exit::FAILURE, e))?;
    match (saved.kind, saved.file, saved.keyring_unavailable) {
        (StoreKind::File, Some(file), why) => {
            out(format_args!(
                "Saved the key of profile {name:?} in {}, readable by you only.",
                file.display()
            ));
            if let Some(why) = why {
                out(format_args!(
                    "(The OS credential store was not used: {}.)",
                    terminal(&why)
                ));
            }
        }
        _ => out(format_args!(
            "Saved the key of profile {name:?} in the OS credential store."
        )),
    }
    Ok(())
}

/// The key, typed without echo on a terminal, else read from standard input.
fn read_key() -> Result<Key, String> {
    let text = if std::io::stdin().is_terminal() {
        rpassword::prompt_password("API key (not shown): ")
            .map_err(|e| format!("cannot read the key: {e}"))?
    } else {
        let mut text = String::new();
        std::io::stdin()
            .take(64 * 1024)
            .read_to_string(&mut text)
            .map_err(|e| format!("cannot read the key from standard input: {e}"))?;
        text
    };
    let key = text.trim();
    if key.is_empty() {
        return Err("no key was given".to_owned());
    }
    Ok(Key::new(key.to_owned()))
}

fn status(connection: &Connection) -> Outcome {
    let (dir, keys, _) = setup(connection)?;
    let all = Profiles::read(&dir).map_err(usage)?;
    if all.profiles.is_empty() {
        out("No profiles: save a key with `talktohumans auth login`.");
    }
    for (name, profile) in &all.profiles {
        let url = profile
            .base_url
            .as_deref()
            .unwrap_or(talktohumans::DEFAULT_BASE_URL);
        let kept = match profile.key_store {
            StoreKind::Keyring => "in the OS credential store".to_owned(),
            StoreKind::File => format!("in {}", keys.file(name).display()),
        };
        let state = match keys.load(name, profile.key_store) {
            Ok(Some(_)) => "",
            Ok(None) => " (missing: log in again)",
            Err(_) => " (cannot be read: log in again)",
        };
        out(format_args!("{name}: {}, key {kept}{state}", terminal(url)));
    }
    if std::env::var_os(talktohumans::API_KEY_ENV).is_some_and(|k| !k.is_empty()) {
        out(format_args!(
            "{} is set: commands use it instead of a profile's key.",
            talktohumans::API_KEY_ENV
        ));
    }
    Ok(())
}

fn logout(connection: &Connection) -> Outcome {
    let (dir, keys, name) = setup(connection)?;
    let mut all = Profiles::read(&dir).map_err(usage)?;
    if all.profiles.remove(&name).is_none() {
        return Err(usage(format!("there is no profile {name:?}")));
    }
    keys.delete(&name).map_err(|e| (exit::FAILURE, e))?;
    all.write(&dir).map_err(|e| (exit::FAILURE, e))?;
    out(format_args!("Forgot profile {name:?} and its key."));
    Ok(())
}
