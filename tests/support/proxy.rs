//! A logging HTTP proxy that forwards nothing: it records the head of every
//! request it gets (plain or `CONNECT`) and answers 502, for tests that
//! check what would have reached a proxy from the environment.

use std::io::Write;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use super::raw_http;

/// What a proxy saw of one request: its request line and headers.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub target: String,
    pub headers: http::HeaderMap,
}

/// A proxy on a loopback port, serving on its own thread for the life of
/// the process.
#[derive(Clone)]
pub struct LoggingProxy {
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl LoggingProxy {
    /// Starts the proxy on a free loopback port.
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                // A request it cannot read is still a request that reached
                // it: recorded with what little is known.
                let entry = match raw_http::read_request_blocking(&mut stream) {
                    Ok(request) => Seen {
                        method: request.method,
                        target: request.path,
                        headers: request.headers,
                    },
                    Err(e) => Seen {
                        method: String::new(),
                        target: format!("unreadable: {e}"),
                        headers: http::HeaderMap::new(),
                    },
                };
                log.lock().unwrap().push(entry);
                let _ = stream.write_all(
                    b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                );
            }
        });
        Self { url, seen }
    }

    /// The proxy's URL, for `HTTP_PROXY` and the like.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Every request it got so far, oldest first.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}
