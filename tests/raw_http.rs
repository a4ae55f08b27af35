//! The raw HTTP helper that the tests' own servers and the benchmarks'
//! fixed-response server rely on: a wrong length there would answer
//! pipelined requests out of step, or read a request short.

mod support;

use support::raw_http::{self, Parsed};

const REQUEST: &[u8] = b"PATCH /v1/contacts/123 HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n{\"tags\":null}";

#[test]
fn a_request_is_its_head_and_its_content_length_body() {
    let Parsed::Complete(request, len) = raw_http::parse_request(REQUEST) else {
        panic!("a whole request")
    };
    assert_eq!(len, REQUEST.len());
    assert_eq!(request.method, "PATCH");
    assert_eq!(request.path, "/v1/contacts/123");
    assert_eq!(request.headers["content-type"], "application/json");
    assert_eq!(request.body, br#"{"tags":null}"#);
}

#[test]
fn any_prefix_of_a_request_is_partial() {
    for end in 0..REQUEST.len() {
        assert!(
            matches!(raw_http::request_len(&REQUEST[..end]), Parsed::Partial),
            "{end} bytes"
        );
        assert!(matches!(
            raw_http::parse_request(&REQUEST[..end]),
            Parsed::Partial
        ));
    }
}

#[test]
fn pipelined_requests_are_told_apart() {
    let bodiless = b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
    let buf = [REQUEST, bodiless, REQUEST].concat();
    let mut lens = Vec::new();
    let mut at = 0;
    while let Parsed::Complete((), len) = raw_http::request_len(&buf[at..]) {
        lens.push(len);
        at += len;
    }
    assert_eq!(lens, [REQUEST.len(), bodiless.len(), REQUEST.len()]);
    let Parsed::Complete(second, _) = raw_http::parse_request(&buf[REQUEST.len()..]) else {
        panic!("the second request")
    };
    assert_eq!(second.method, "GET");
    assert!(second.body.is_empty());
}

#[test]
fn bodies_not_delimited_by_content_length_are_refused() {
    for head in [
        "PATCH / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
        "PATCH / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        "PATCH / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
    ] {
        assert!(
            matches!(raw_http::request_len(head.as_bytes()), Parsed::Invalid(_)),
            "{head:?}"
        );
    }
    let close_delimited = b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n{}";
    assert!(matches!(
        raw_http::parse_response(close_delimited),
        Parsed::Invalid(_)
    ));
}

#[test]
fn a_response_is_its_status_headers_and_body() {
    let bytes = b"HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\nX-Request-Id: mock-1\r\n\r\n{}";
    let Parsed::Complete(response, len) = raw_http::parse_response(bytes) else {
        panic!("a whole response")
    };
    assert_eq!(len, bytes.len());
    assert_eq!(response.status, http::StatusCode::NOT_FOUND);
    assert_eq!(response.headers["x-request-id"], "mock-1");
    assert_eq!(response.body, b"{}");
    assert!(matches!(
        raw_http::parse_response(&bytes[..bytes.len() - 1]),
        Parsed::Partial
    ));
}

/// A stream that hands out its bytes one at a time, so that the readers
/// must parse again after every read.
struct Trickle(&'static [u8]);

impl Trickle {
    fn next(&mut self) -> Option<u8> {
        let (first, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(*first)
    }
}

impl std::io::Read for Trickle {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        Ok(self.next().map_or(0, |byte| {
            buf[0] = byte;
            1
        }))
    }
}

impl tokio::io::AsyncRead for Trickle {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        if let Some(byte) = self.next() {
            buf.put_slice(&[byte]);
        }
        std::task::Poll::Ready(Ok(()))
    }
}

#[test]
fn requests_are_read_from_blocking_streams() {
    let request = raw_http::read_request_blocking(&mut Trickle(REQUEST)).unwrap();
    assert_eq!(request.body, br#"{"tags":null}"#);
    let cut = raw_http::read_request_blocking(&mut Trickle(&REQUEST[..REQUEST.len() - 1]));
    assert_eq!(cut.unwrap_err().kind(), std::io::ErrorKind::UnexpectedEof);
}

#[tokio::test]
async fn requests_are_read_from_tokio_streams() {
    let request = raw_http::read_request(&mut Trickle(REQUEST)).await.unwrap();
    assert_eq!(request.body, br#"{"tags":null}"#);
    let cut = raw_http::read_request(&mut Trickle(&REQUEST[..REQUEST.len() - 1])).await;
    assert_eq!(cut.unwrap_err().kind(), std::io::ErrorKind::UnexpectedEof);
}
