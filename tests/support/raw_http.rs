//! Raw HTTP/1.1 for the hand-made servers and clients of the tests and the
//! benchmarks: one request or response, head and `Content-Length` body,
//! parsed with `httparse`.
//!
//! It is one file for both, so that there is one parser to trust: the tests
//! reach it as `support::raw_http`, the benchmarks include it by path.

use std::io;

use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};

/// More headers than any message here carries: the crate sends fewer than
/// ten.
const MAX_HEADERS: usize = 32;

/// A request, read whole.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// A response, read whole.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// What the start of a buffer holds.
#[derive(Debug)]
pub enum Parsed<T> {
    /// A whole message, and the number of bytes it took: what follows is
    /// the next message.
    Complete(T, usize),
    /// The start of a message: read more.
    Partial,
    /// Something this helper does not read: a malformed head, too many
    /// headers, or a body that is not delimited by `Content-Length`.
    Invalid(String),
}

/// The length of the first request in `buf`, head and body, without copying
/// anything: for servers that only need to know where a request ends.
pub fn request_len(buf: &[u8]) -> Parsed<()> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    match split_request(buf, &mut headers) {
        Parsed::Complete(_, len) => Parsed::Complete((), len),
        Parsed::Partial => Parsed::Partial,
        Parsed::Invalid(reason) => Parsed::Invalid(reason),
    }
}

/// The first request in `buf`.
pub fn parse_request(buf: &[u8]) -> Parsed<Request> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let (head, len) = match split_request(buf, &mut headers) {
        Parsed::Complete(split, len) => (split, len),
        Parsed::Partial => return Parsed::Partial,
        Parsed::Invalid(reason) => return Parsed::Invalid(reason),
    };
    let (request, head_len) = head;
    let headers = match header_map(request.headers) {
        Ok(headers) => headers,
        Err(reason) => return Parsed::Invalid(reason),
    };
    Parsed::Complete(
        Request {
            // httparse leaves neither out of a complete head.
            method: request.method.unwrap_or_default().to_owned(),
            path: request.path.unwrap_or_default().to_owned(),
            headers,
            body: buf[head_len..len].to_vec(),
        },
        len,
    )
}

/// The first response in `buf`. It must have a `Content-Length`: a body
/// that runs to the end of the connection cannot be told from one cut
/// short.
pub fn parse_response(buf: &[u8]) -> Parsed<Response> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut response = httparse::Response::new(&mut headers);
    let head_len = match response.parse(buf) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) => return Parsed::Partial,
        Err(e) => return Parsed::Invalid(format!("a malformed response head: {e}")),
    };
    let body_len = match body_len(response.headers) {
        Ok(Some(len)) => len,
        Ok(None) => return Parsed::Invalid("a response without Content-Length".to_owned()),
        Err(reason) => return Parsed::Invalid(reason),
    };
    let Some(status) = response
        .code
        .and_then(|code| StatusCode::from_u16(code).ok())
    else {
        return Parsed::Invalid(format!("the status {:?}", response.code));
    };
    let headers = match header_map(response.headers) {
        Ok(headers) => headers,
        Err(reason) => return Parsed::Invalid(reason),
    };
    let len = head_len + body_len;
    if buf.len() < len {
        return Parsed::Partial;
    }
    Parsed::Complete(
        Response {
            status,
            headers,
            body: buf[head_len..len].to_vec(),
        },
        len,
    )
}

/// Sends `request` on a new connection to `address` and reads until the
/// server closes it: a raw client, for requests the crate's client would
/// refuse to send. The answer must be one response, exactly as long as its
/// `Content-Length` says.
pub fn exchange(address: std::net::SocketAddr, request: &[u8]) -> io::Result<Response> {
    use std::io::{Read, Write};

    let mut stream = std::net::TcpStream::connect(address)?;
    stream.set_read_timeout(Some(std::time::Duration::from_secs(30)))?;
    // The server may answer (and close) before reading a large body whole.
    let _ = stream.write_all(request);
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes)?;
    let invalid = |reason: String| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{reason} in {:?}", String::from_utf8_lossy(&bytes)),
        )
    };
    match parse_response(&bytes) {
        Parsed::Complete(response, len) if len == bytes.len() => Ok(response),
        Parsed::Complete(_, len) => Err(invalid(format!(
            "{} bytes past the body",
            bytes.len() - len
        ))),
        Parsed::Partial => Err(invalid("the body was cut short".to_owned())),
        Parsed::Invalid(reason) => Err(invalid(reason)),
    }
}

/// Reads one request from a blocking stream; bytes past it are dropped.
pub fn read_request_blocking(stream: &mut impl io::Read) -> io::Result<Request> {
    let mut buf = Vec::new();
    let mut chunk = [0; 8192];
    loop {
        if let Some(request) = whole_request(&buf) {
            return request;
        }
        match stream.read(&mut chunk)? {
            0 => return Err(io::ErrorKind::UnexpectedEof.into()),
            n => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

/// Reads one request from a tokio stream; bytes past it are dropped.
pub async fn read_request(stream: &mut (impl tokio::io::AsyncRead + Unpin)) -> io::Result<Request> {
    use tokio::io::AsyncReadExt;

    let mut buf = Vec::new();
    let mut chunk = [0; 8192];
    loop {
        if let Some(request) = whole_request(&buf) {
            return request;
        }
        match stream.read(&mut chunk).await? {
            0 => return Err(io::ErrorKind::UnexpectedEof.into()),
            n => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

/// The request in `buf` if it is whole, or why it never will be.
fn whole_request(buf: &[u8]) -> Option<io::Result<Request>> {
    match parse_request(buf) {
        Parsed::Complete(request, _) => Some(Ok(request)),
        Parsed::Partial => None,
        Parsed::Invalid(reason) => Some(Err(io::Error::new(io::ErrorKind::InvalidData, reason))),
    }
}

/// The request head at the start of `buf` with the length of its head, and
/// the length of head and body together.
fn split_request<'h, 'b>(
    buf: &'b [u8],
    headers: &'h mut [httparse::Header<'b>],
) -> Parsed<(httparse::Request<'h, 'b>, usize)> {
    let mut request = httparse::Request::new(headers);
    let head_len = match request.parse(buf) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) => return Parsed::Partial,
        Err(e) => return Parsed::Invalid(format!("a malformed request head: {e}")),
    };
    // A request without a length has no body (RFC 9112, section 6.3).
    let body_len = match body_len(request.headers) {
        Ok(len) => len.unwrap_or(0),
        Err(reason) => return Parsed::Invalid(reason),
    };
    let len = head_len + body_len;
    if buf.len() < len {
        Parsed::Partial
    } else {
        Parsed::Complete((request, head_len), len)
    }
}

/// The `Content-Length` of a head, if it has one.
fn body_len(headers: &[httparse::Header<'_>]) -> Result<Option<usize>, String> {
    let mut len = None;
    for header in headers {
        if header.name.eq_ignore_ascii_case("transfer-encoding") {
            // Every client and server here sends a Content-Length.
            return Err("a Transfer-Encoding body".to_owned());
        }
        if header.name.eq_ignore_ascii_case("content-length") {
            let value = std::str::from_utf8(header.value)
                .ok()
                .and_then(|value| value.trim().parse::<usize>().ok())
                .ok_or_else(|| {
                    format!(
                        "the Content-Length {:?}",
                        String::from_utf8_lossy(header.value)
                    )
                })?;
            if len.is_some_and(|len| len != value) {
                return Err("two different Content-Length values".to_owned());
            }
            len = Some(value);
        }
    }
    Ok(len)
}

fn header_map(headers: &[httparse::Header<'_>]) -> Result<HeaderMap, String> {
    let mut map = HeaderMap::with_capacity(headers.len());
    for header in headers {
        let name = HeaderName::from_bytes(header.name.as_bytes())
            .map_err(|e| format!("the header name {:?}: {e}", header.name))?;
        let value = HeaderValue::from_bytes(header.value)
            .map_err(|e| format!("the value of {:?}: {e}", header.name))?;
        map.append(name, value);
    }
    Ok(map)
}
