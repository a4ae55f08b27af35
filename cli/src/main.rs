//! `talktohumans`: tag contacts and edit their notes from the command line,
//! one contact at a time or thousands from a CSV file.
//!
//! Built only on the `talktohumans` library's public API; this package exists
//! so that clap, csv and indicatif stay out of the library's users' builds.

#![forbid(unsafe_code)]

mod change;
mod commands;
mod context;
mod credentials;
mod drift;
mod exit;
mod logging;
mod print;
mod returned;
mod tags;

use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

use crate::commands::{auth, bulk, update};
use crate::context::Connection;
use crate::exit::{EXIT_CODES, UsageError};

/// Tag contacts and edit their notes on talktohumans.app.
///
/// Try it without an account: every command runs against an embedded mock of
/// the API with --mock, for example
/// `talktohumans --mock contact update 41236 --add "Hot lead:red"`.
#[derive(Debug, Parser)]
#[command(name = "talktohumans", version, after_help = EXIT_CODES)]
struct Cli {
    /// Show the library's calls on stderr: -v each call and retry, -vv each
    /// attempt, -vvv the bodies too (they hold contacts' data). The
    /// TALKTOHUMANS_LOG environment variable (an EnvFilter, e.g.
    /// "talktohumans=debug") wins over it.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    /// How `contact update` and `contact bulk` print their result: text for
    /// people, or json, one JSON document on standard output (shapes in
    /// each command's help) with everything else on standard error.
    #[arg(long, global = true, value_enum, default_value_t = print::Format::Text)]
    format: print::Format,
    /// Print only errors and warnings (and, with --format json, the JSON):
    /// no progress, no summary, no notes.
    #[arg(short, long, global = true)]
    quiet: bool,
    #[command(flatten)]
    connection: Connection,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Update contacts: one (`update`) or many from a CSV file (`bulk`).
    #[command(subcommand)]
    Contact(ContactCommand),
    /// Keep API keys per profile: `auth login`, `auth status`, `auth logout`.
    #[command(subcommand)]
    Auth(auth::AuthCommand),
    /// Print a shell completion script, e.g. `talktohumans completions bash
    /// > ~/.local/share/bash-completion/completions/talktohumans`.
    Completions {
        /// The shell to complete in.
        shell: clap_complete::Shell,
    },
    /// Print the manual page, e.g. `talktohumans man >
    /// ~/.local/share/man/man1/talktohumans.1`.
    Man,
}

#[derive(Debug, Subcommand)]
enum ContactCommand {
    Update(update::UpdateArgs),
    Bulk(Box<bulk::BulkArgs>),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    print::set_mode(cli.format, cli.quiet);
    if let Err(message) = logging::init(cli.verbose) {
        usage_error(UsageError { path: &[], message });
    }
    let code = match cli.command {
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "talktohumans",
                &mut std::io::stdout(),
            );
            exit::OK
        }
        Command::Man => {
            let mut page = Vec::new();
            match clap_mangen::Man::new(Cli::command()).render(&mut page) {
                Ok(()) => {
                    use std::io::Write;
                    // A reader that has gone (`| head`) is not an error.
                    let _ = std::io::stdout().lock().write_all(&page);
                    exit::OK
                }
                Err(e) => {
                    print::err(format_args!("error: cannot write the manual page: {e}"));
                    exit::FAILURE
                }
            }
        }
        Command::Auth(command) => auth::run(&cli.connection, command),
        Command::Contact(command) => {
            let runtime = match tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime,
                Err(e) => {
                    print::err(format_args!("error: cannot start the async runtime: {e}"));
                    return ExitCode::FAILURE;
                }
            };
            let ran = runtime.block_on(async {
                match command {
                    ContactCommand::Update(args) => update::run(&cli.connection, args).await,
                    ContactCommand::Bulk(args) => bulk::run(&cli.connection, *args).await,
                }
            });
            match ran {
                Ok(code) => code,
                Err(usage) => usage_error(usage),
            }
        }
    };
    ExitCode::from(code)
}

/// Exits with clap's usage error (code 2), shown with the usage of the
/// subcommand the error is about, for rules between flags that clap cannot
/// express with a message that says why.
fn usage_error(usage: UsageError) -> ! {
    let mut command = Cli::command();
    command.build();
    for name in usage.path {
        match command.find_subcommand(name) {
            Some(found) => command = found.clone(),
            None => break,
        }
    }
    command
        .error(clap::error::ErrorKind::ArgumentConflict, usage.message)
        .exit()
}
