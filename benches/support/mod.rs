//! What the benchmarks share: a fixed-response server on loopback, the two
//! baselines (a hand-written reqwest + serde client, and raw hyper sending
//! pre-serialized bytes), and the seed's request and response.

// Each bench binary uses a different part of this module.
#![allow(dead_code)]

pub mod hand_written;
pub mod paired;
#[path = "../../tests/support/raw_http.rs"]
pub mod raw_http;
pub mod raw_hyper;
pub mod report;
pub mod server;

use talktohumans::{Client, Tag, UpdateContactInput};

/// The full contact response from the API reference's example: the tests'
/// fixture, so that the benchmarks measure the body the tests check.
pub const SEED_RESPONSE: &[u8] = include_bytes!("../../tests/fixtures/seed_example_response.json");

/// The API reference's example request body, as the client serializes it:
/// the tests' fixture without its final newline, which
/// `tests/request_bodies.rs` checks the client sends byte for byte.
pub const SEED_REQUEST: &str =
    include_str!("../../tests/fixtures/seed_example_request.json").trim_ascii_end();

/// The key every client sends (the server does not check it).
pub const API_KEY: &str = "tth_bench_key";

/// The contact every single-call benchmark updates.
pub const CONTACT_ID: &str = "123";

/// The seed's example update, built and checked by the crate.
pub fn seed_update(contact_id: &str) -> UpdateContactInput {
    UpdateContactInput::builder(contact_id)
        .account_id("42")
        .add_tag(Tag::new("Hot lead").with_color("red"))
        .remove_tag("Old tag")
        .build()
        .expect("the seed's update is valid")
}

/// The crate's client for a server at `base_url`, with its defaults.
pub fn our_client(base_url: &str) -> Client {
    Client::builder()
        .api_key(API_KEY)
        .base_url(base_url)
        .build()
        .expect("a loopback client builds")
}

/// A single-threaded runtime for the client side; the server runs on its own
/// thread, so client and server each have one of the machine's cores.
pub fn client_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}
