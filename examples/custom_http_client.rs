//! Brings your own reqwest client, with a proxy and an extra root
//! certificate (as behind a company proxy that inspects TLS), and updates a
//! contact with it.
//!
//! ```text
//! cargo run --example custom_http_client
//! TALKTOHUMANS_PROXY=http://proxy.internal:3128 cargo run --example custom_http_client -- company-root.pem
//! ```
//!
//! It runs against the crate's embedded mock of the API, so it needs no
//! account and no network. The mock is plain `http://` on loopback: the proxy
//! is set for `https://` URLs only and the certificate matters only to TLS,
//! so here neither is used. Against the real API, `https://`, both would be.
//!
//! With the crate's `rustls-ring` feature the TLS configuration is built
//! before reqwest sees it, and reqwest ignores root certificates added to
//! the builder.

use std::env::VarError;
use std::process::ExitCode;

use talktohumans::Tag;
use talktohumans::mock::{MockServer, seed};
use talktohumans::reqwest;

/// The proxy to send `https://` requests through.
///
/// Not `HTTPS_PROXY`: reqwest already honours `HTTPS_PROXY`, `HTTP_PROXY`,
/// `ALL_PROXY` and `NO_PROXY` by itself as long as no proxy is added, and
/// adding one turns that off.
const PROXY_ENV: &str = "TALKTOHUMANS_PROXY";

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
    let certificate_path = std::env::args_os().nth(1);

    let mock = MockServer::start().await.map_err(|e| e.to_string())?;
    println!("Using the embedded mock API at {}", mock.base_url());
    let builder = mock.client_builder();

    // The crate's reqwest builder rather than `reqwest::Client::builder()`:
    // it keeps the redirect policy that stops the key from following a
    // redirect to another origin, and the TLS backend the crate's features
    // chose.
    let mut http = builder.reqwest_builder().map_err(|e| e.to_string())?;

    match std::env::var(PROXY_ENV) {
        Ok(url) => {
            // The URL is not printed: it may carry the proxy's credentials.
            let proxy = reqwest::Proxy::https(url.as_str())
                .map_err(|e| format!("{PROXY_ENV} is not a proxy URL: {e}"))?;
            http = http.proxy(proxy);
            println!("  proxy for https:// requests: from {PROXY_ENV}");
        }
        Err(VarError::NotPresent) => println!("  proxy: none ({PROXY_ENV} is not set)"),
        Err(VarError::NotUnicode(_)) => return Err(format!("{PROXY_ENV} is not UTF-8")),
    }

    match &certificate_path {
        Some(path) => {
            let pem = std::fs::read(path);
            let path = path.to_string_lossy();
            let pem = pem.map_err(|e| format!("cannot read {path}: {e}"))?;
            // Parsed as a bundle, not with `Certificate::from_pem`: with
            // rustls that one keeps the text unparsed and a file without a
            // certificate would silently add none.
            let certificates = reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|e| format!("{path} is not PEM: {e}"))?;
            if certificates.is_empty() {
                return Err(format!("{path} holds no PEM certificate"));
            }
            let count = certificates.len();
            // Merged with the platform's roots rather than replacing them, so
            // that servers with public certificates still verify.
            http = http.tls_certs_merge(certificates);
            println!("  extra root certificates: {count} from {path}");
        }
        None => println!("  extra root certificates: none (give a PEM file's path to add some)"),
    }

    // The key, the `User-Agent` and the attempt timeout are set on each
    // request, so this client needs none of them.
    let http = http
        .build()
        .map_err(|e| format!("the HTTP client could not be built: {e}"))?;
    let client = builder
        .http_client(http)
        .build()
        .map_err(|e| e.to_string())?;

    let updated = client
        .update_contact(seed::TOMAS_HERRERA)
        .add_tag(Tag::new("Hot lead").with_color("red"))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let tags: Vec<&str> = updated
        .contact
        .tags
        .iter()
        .flatten()
        .filter_map(|tag| tag.name.as_deref())
        .collect();
    println!(
        "\nUpdated contact {}: tags now {} (HTTP {}, request id {})",
        seed::TOMAS_HERRERA,
        tags.join(", "),
        updated.status,
        updated.request_id().unwrap_or("-")
    );
    Ok(())
}
