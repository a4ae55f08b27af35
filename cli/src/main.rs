//! `talktohumans`: tag contacts and edit their notes from the command line,
//! one contact at a time or thousands from a CSV file.
//!
//! Built only on the `talktohumans` library's public API; this package exists
//! so that clap, csv and indicatif stay out of the library's users' builds.

#![forbid(unsafe_code)]

mod bulk;
mod connect;
mod exit;
mod results;
mod rows;
mod tags;
mod update;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, CommandFactory, Parser, Subcommand};

/// Printed under every `--help`, so that scripts can be written against it.
const EXIT_CODES: &str = "\
Exit codes:
  0    success (in bulk: every row sent was updated, or changed nothing and was skipped)
  2    usage error: unknown flag, flags that cannot go together, no API key
  3    invalid input: a tag, id, notes or CSV row breaks a rule; nothing was sent
  4    API failure: the single update was refused or could not be sent
  5    partial failure: one or more rows of a bulk run failed (see the results CSV)
  130  interrupted by Ctrl-C: the rows not sent are in the results CSV as not_sent

Environment:
  TALKTOHUMANS_API_KEY   the API key (not needed with --mock or --dry-run)
  TALKTOHUMANS_BASE_URL  the API's base URL, as --base-url";

/// Tag contacts and edit their notes on talktohumans.app.
///
/// Try it without an account: every command runs against an embedded mock of
/// the API with --mock, for example
/// `talktohumans --mock contact update 41236 --add "Hot lead:red"`.
#[derive(Debug, Parser)]
#[command(name = "talktohumans", version, after_help = EXIT_CODES)]
struct Cli {
    #[command(flatten)]
    connection: Connection,
    #[command(subcommand)]
    command: Command,
}

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

#[derive(Debug, Subcommand)]
enum Command {
    /// Update contacts: one (`update`) or many from a CSV file (`bulk`).
    #[command(subcommand)]
    Contact(ContactCommand),
    /// Print a shell completion script, e.g. `talktohumans completions bash
    /// > ~/.local/share/bash-completion/completions/talktohumans`.
    Completions {
        /// The shell to complete in.
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Subcommand)]
enum ContactCommand {
    Update(update::UpdateArgs),
    Bulk(bulk::BulkArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
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
        Command::Contact(command) => {
            let runtime = match tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime,
                Err(e) => {
                    eprintln!("error: cannot start the async runtime: {e}");
                    return ExitCode::FAILURE;
                }
            };
            runtime.block_on(async {
                match command {
                    ContactCommand::Update(args) => update::run(&cli.connection, args).await,
                    ContactCommand::Bulk(args) => bulk::run(&cli.connection, args).await,
                }
            })
        }
    };
    ExitCode::from(code)
}

/// Exits with clap's usage error (code 2), shown with the usage of the
/// subcommand at `path`, for rules between flags that clap cannot express
/// with a message that says why.
pub fn usage_error(path: &[&str], message: impl std::fmt::Display) -> ! {
    let mut command = Cli::command();
    command.build();
    for name in path {
        match command.find_subcommand(name) {
            Some(found) => command = found.clone(),
            None => break,
        }
    }
    command
        .error(clap::error::ErrorKind::ArgumentConflict, message)
        .exit()
}

/// Writes to standard output, quietly giving up when the reader has gone
/// (`talktohumans ... | head`), where `println!` would panic.
pub fn out(text: impl std::fmt::Display) {
    use std::io::Write;
    let _ = writeln!(std::io::stdout().lock(), "{text}");
}

/// A file argument whose `-` means standard input.
pub fn read_text(path: &PathBuf) -> std::io::Result<String> {
    if path.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin())
    } else {
        std::fs::read_to_string(path)
    }
}
