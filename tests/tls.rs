//! The default TLS setup changes nothing for the rest of the program: with
//! the default features, a plain `reqwest::Client::new()` (which panics when
//! reqwest has rustls without a crypto provider) still builds in the same
//! program as this crate's client, in either order.

#![cfg(all(
    feature = "rustls",
    not(any(feature = "rustls-ring", feature = "native-tls"))
))]

mod support;

#[test]
fn a_plain_reqwest_client_works_beside_the_crates_client() {
    let before = reqwest::Client::new();
    let client = support::builder()
        .base_url("https://api.talktohumans.app")
        .build()
        .expect("the default features speak TLS");
    let after = reqwest::Client::new();
    // And a plain client can be handed to the crate.
    let with_plain = support::builder()
        .http_client(reqwest::Client::new())
        .build()
        .unwrap();
    assert_eq!(client.base_url(), "https://api.talktohumans.app");
    assert_eq!(with_plain.base_url(), "https://api.talktohumans.app");
    drop((before, after));
}
