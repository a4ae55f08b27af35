//! A proxy named in the environment (`HTTP_PROXY`, `ALL_PROXY`, ...) never
//! sees a request to loopback or over plain http: the key would reach it in
//! clear text. `https://` to another host still goes through it, as a
//! `CONNECT` tunnel that keeps the key inside TLS.
//!
//! Its own test binary, because the environment is the whole process's.

use std::sync::OnceLock;
use std::time::Duration;

mod support;

use support::proxy::LoggingProxy;
use talktohumans::mock::{MockServer, seed};
use talktohumans::{Client, Error};

/// The proxy, named in every variable reqwest reads. Every test calls this
/// before it builds a client, so the variables are set once, before any
/// client reads them.
fn proxy() -> &'static LoggingProxy {
    static PROXY: OnceLock<LoggingProxy> = OnceLock::new();
    PROXY.get_or_init(|| {
        let proxy = LoggingProxy::start();
        // SAFETY: set while no other thread of this binary reads the
        // environment: each test waits here before doing anything else.
        unsafe {
            for name in [
                "HTTP_PROXY",
                "http_proxy",
                "HTTPS_PROXY",
                "https_proxy",
                "ALL_PROXY",
                "all_proxy",
            ] {
                std::env::set_var(name, proxy.url());
            }
            for name in ["NO_PROXY", "no_proxy", "REQUEST_METHOD"] {
                std::env::remove_var(name);
            }
        }
        proxy
    })
}

/// Nothing but the https test's tunnels reached the proxy, and nothing that
/// reached it carried a key.
fn assert_no_plain_request(proxy: &LoggingProxy) {
    let seen = proxy.seen();
    assert!(
        seen.iter()
            .all(|s| s.method == "CONNECT" && !s.headers.contains_key("authorization")),
        "the proxy saw {seen:#?}"
    );
}

/// Sends one update with `client`, which must reach `mock` with no plain
/// request through the proxy.
async fn reaches_the_mock_directly(client: &Client, mock: &MockServer, proxy: &LoggingProxy) {
    client
        .update_contact(seed::TOMAS_HERRERA)
        .add_tag("direct")
        .send()
        .await
        .expect("the update reaches the mock");
    assert_eq!(mock.request_count(), 1);
    assert_no_plain_request(proxy);
}

#[tokio::test]
async fn the_mocks_client_goes_straight_to_the_mock() {
    let proxy = proxy();
    let mock = MockServer::start().await.unwrap();
    let client = mock.client_builder().max_retries(0).build().unwrap();
    reaches_the_mock_directly(&client, &mock, proxy).await;
}

#[tokio::test]
async fn a_loopback_base_url_by_name_goes_straight_to_it() {
    let proxy = proxy();
    let mock = MockServer::start().await.unwrap();
    let client = support::builder()
        .api_key(mock.api_key())
        .base_url(format!("http://localhost:{}", mock.address().port()))
        .max_retries(0)
        .build()
        .unwrap();
    reaches_the_mock_directly(&client, &mock, proxy).await;
}

/// The crate's builder, handed on to reqwest by the caller, keeps the rule.
#[tokio::test]
async fn the_reqwest_builder_for_loopback_has_no_proxy() {
    let proxy = proxy();
    let mock = MockServer::start().await.unwrap();
    let builder = mock.client_builder().max_retries(0);
    let http = builder.reqwest_builder().unwrap().build().unwrap();
    let client = builder.http_client(http).build().unwrap();
    reaches_the_mock_directly(&client, &mock, proxy).await;
}

/// Plain http to another host, allowed on purpose, still never goes to a
/// proxy: the host does not resolve, so the call fails on its own.
#[tokio::test]
async fn plain_http_to_another_host_is_never_proxied() {
    let proxy = proxy();
    let client = support::builder()
        .base_url("http://contacts.invalid")
        .allow_insecure_http(true)
        .connect_timeout(Duration::from_secs(5))
        .max_retries(0)
        .build()
        .unwrap();
    let error = client
        .update_contact("1")
        .add_tag("x")
        .send()
        .await
        .unwrap_err();
    // Through the proxy it would be its 502.
    assert!(
        matches!(error, Error::Transport { .. } | Error::Timeout { .. }),
        "{error:?}"
    );
    assert_no_plain_request(proxy);
}

/// https to another host keeps the environment's proxy, which sees only the
/// tunnel's target, never the key.
#[cfg(any(feature = "rustls", feature = "native-tls", feature = "rustls-ring"))]
#[tokio::test]
async fn https_to_another_host_tunnels_through_the_proxy() {
    let proxy = proxy();
    let client = support::builder()
        .base_url("https://contacts.invalid")
        .max_retries(0)
        .build()
        .unwrap();
    let error = client
        .update_contact("1")
        .add_tag("x")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    let seen = proxy.seen();
    assert!(
        seen.iter()
            .any(|s| s.method == "CONNECT" && s.target == "contacts.invalid:443"),
        "the proxy saw {seen:#?}"
    );
    assert_no_plain_request(proxy);
}
