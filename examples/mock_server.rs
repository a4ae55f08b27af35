//! Runs the crate's mock of the API on its own, for tests written in any
//! language and for tools, until it is killed:
//!
//! ```text
//! cargo run --features mock --example mock_server -- --port 8080 --api-key tth_mock_key
//! ```
//!
//! Prints its base URL on the first line of stdout, then serves the default
//! contacts (see `talktohumans::mock::seed`) on 127.0.0.1. With
//! `--capacity 300` it answers 429 past 300 requests a second (a token
//! bucket of `--burst` tokens, by default one second's worth), to try bulk
//! runs against a rate-limited API. `--contacts 5000` adds that many
//! made-up contacts (ids 1000001 on, see `seed::generated`), for runs that
//! need many distinct contacts.

use clap::Parser;
use talktohumans::mock::{DEFAULT_API_KEY, MockServer, seed};

/// Serves a mock of the talktohumans.app API on 127.0.0.1 until killed.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Port to listen on (0: a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,

    /// API key the mock accepts as `Authorization: Bearer <key>`.
    #[arg(long, default_value = DEFAULT_API_KEY)]
    api_key: String,

    /// Answer 429 past this many requests a second (a token bucket).
    #[arg(long, value_name = "RPS", value_parser = clap::value_parser!(u32).range(1..))]
    capacity: Option<u32>,

    /// With --capacity, the bucket's size: requests allowed at once after a
    /// quiet spell (default: the capacity, one second's worth).
    #[arg(long, value_name = "N", requires = "capacity", value_parser = clap::value_parser!(u32).range(1..))]
    burst: Option<u32>,

    /// Also serve this many made-up contacts, ids 1000001 to 1000000 + N,
    /// under account 42.
    #[arg(long, value_name = "N", default_value_t = 0)]
    contacts: u64,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let mut builder = MockServer::builder().port(args.port).api_key(args.api_key);
    if let Some(rate) = args.capacity {
        builder = builder.capacity(rate);
    }
    if let Some(burst) = args.burst {
        builder = builder.burst(burst);
    }
    builder = builder.generated_contacts(args.contacts);
    let mock = builder.start().await?;
    // stdout carries only the URL, so that a script can read it.
    println!("{}", mock.base_url());
    eprintln!(
        "mock serving PATCH {}/v1/contacts/{{contact_id}}; contacts {}, {} (under accounts {} and {}), {}, {}",
        mock.base_url(),
        seed::MAYA_CHEN,
        seed::JONAS_BERG,
        seed::SAM_ACCOUNT,
        seed::SALES_TEAM_ACCOUNT,
        seed::PRIYA_RAMAN,
        seed::TOMAS_HERRERA,
    );
    if args.contacts > 0 {
        eprintln!(
            "and {} generated contacts, {} to {} (under account {})",
            args.contacts,
            seed::generated_id(0),
            seed::generated_id(args.contacts - 1),
            seed::SAM_ACCOUNT,
        );
    }
    // Serves until the process is killed.
    std::future::pending::<()>().await;
    Ok(())
}
