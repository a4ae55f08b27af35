//! Any response (status, headers, body) through the real decoding path gives
//! `Ok` or a typed error that keeps what arrived, and never panics.
//!
//! Run with `cargo fuzz run response` from the repository root.

#![no_main]

use std::sync::OnceLock;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use talktohumans::{Error, fuzzing};

#[path = "../../tests/oracle/success_body.rs"]
mod success_body;
use success_body::{has_contact, is_contact, may_need_too_many_repairs};

#[derive(Arbitrary, Debug)]
struct Response<'a> {
    status: u16,
    headers: Vec<(&'a [u8], &'a [u8])>,
    body: Body<'a>,
}

/// The body, as given or inside the documented envelope, so that the
/// fuzzer reaches the contact's decoding without first finding the envelope.
#[derive(Arbitrary, Debug)]
enum Body<'a> {
    Raw(&'a [u8]),
    /// `{"data":` and the bytes and `}`.
    InData(&'a [u8]),
    /// `{"data":{"contact":{` and the bytes and `}}}`.
    InContact(&'a [u8]),
}

impl Body<'_> {
    fn bytes(&self) -> Vec<u8> {
        let wrap = |before: &[u8], inner: &[u8], after: &[u8]| [before, inner, after].concat();
        match self {
            Body::Raw(bytes) => bytes.to_vec(),
            Body::InData(bytes) => wrap(br#"{"data":"#, bytes, b"}"),
            Body::InContact(bytes) => wrap(br#"{"data":{"contact":{"#, bytes, b"}}}"),
        }
    }
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        // Everything logged at TRACE level, so that the logging of bodies
        // and headers runs too; the output is discarded.
        tracing_subscriber::fmt()
            .with_max_level(tracing_subscriber::filter::LevelFilter::TRACE)
            .with_writer(std::io::sink)
            .init();
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a runtime")
    })
}

fuzz_target!(|input: Response<'_>| {
    // Every status a server can send: 100 to 999.
    let status = 100 + input.status % 900;
    let body = input.body.bytes();
    let body = body.as_slice();
    let result = runtime()
        .block_on(fuzzing::decode(status, &input.headers, body))
        .expect("a status from 100 to 999 can arrive");
    let _ = format!("{result:?}");
    let success = (200..300).contains(&status);
    match result {
        Ok(updated) => {
            assert!(success);
            assert_eq!(updated.status.as_u16(), status);
            assert!(has_contact(body) || is_contact(body));
            assert!(!is_contact(body) || updated.drift.is_empty());
        }
        Err(error) => {
            let _ = error.to_string();
            assert_eq!(error.attempts(), 1);
            assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
            match &error {
                Error::UndecodableResponse(undecodable) => {
                    assert!(success, "{error}");
                    assert_eq!(undecodable.response().body().as_ref(), body);
                    let too_many = may_need_too_many_repairs(body)
                        && undecodable.reason().contains("more than 1000 values");
                    assert!(
                        too_many || (!has_contact(body) && !is_contact(body)),
                        "{error}"
                    );
                }
                Error::Api(api) => {
                    assert!(!success, "{error}");
                    assert_eq!(api.response().body().as_ref(), body);
                    let _ = (
                        api.message(),
                        api.json(),
                        api.retry_after(),
                        api.request_id(),
                    );
                }
                other => panic!("not a typed response error: {other:?}"),
            }
        }
    }
});
