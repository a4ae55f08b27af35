//! A minimal HTTP/1.1 server on 127.0.0.1 that answers every request with the
//! same 200 response (the seed's full contact), with keep-alive, so that the
//! server costs as little as possible and the clients are what is measured.
//!
//! It finds where each request ends with `raw_http::request_len` (the
//! tests' parser, which copies nothing), skips the `Content-Length` body,
//! and writes the pre-built response; requests that arrive together
//! (pipelined) are answered with one write. It runs on its own thread with a
//! single-threaded tokio runtime, until the process exits.

use std::net::SocketAddr;
use std::sync::mpsc;
use std::thread;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::SEED_RESPONSE;
use super::raw_http::{self, Parsed};

/// A running server.
#[derive(Debug, Clone)]
pub struct FixedServer {
    pub addr: SocketAddr,
}

impl FixedServer {
    /// `http://127.0.0.1:PORT`
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

/// The whole response, head and body, built once.
fn response_bytes() -> &'static [u8] {
    let head = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nx-request-id: req_bench\r\n\r\n",
        SEED_RESPONSE.len()
    );
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(SEED_RESPONSE);
    Box::leak(bytes.into_boxed_slice())
}

/// Starts the server on its own thread and returns once it listens.
pub fn start() -> FixedServer {
    let (ready, addr) = mpsc::channel();
    thread::Builder::new()
        .name("fixed-server".into())
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a tokio runtime for the server");
            runtime.block_on(async move {
                let listener = TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("bind 127.0.0.1");
                ready
                    .send(listener.local_addr().expect("a local address"))
                    .expect("the caller waits");
                let response = response_bytes();
                loop {
                    let Ok((stream, _)) = listener.accept().await else {
                        continue;
                    };
                    tokio::spawn(serve(stream, response));
                }
            });
        })
        .expect("spawn the server thread");
    FixedServer {
        addr: addr.recv().expect("the server starts"),
    }
}

/// Answers requests on one connection until the client closes it.
async fn serve(mut stream: TcpStream, response: &'static [u8]) {
    let _ = stream.set_nodelay(true);
    let mut buf: Vec<u8> = Vec::with_capacity(16 * 1024);
    let mut out: Vec<u8> = Vec::with_capacity(response.len());
    loop {
        // Every complete request in the buffer gets its response.
        let mut consumed = 0;
        loop {
            match raw_http::request_len(&buf[consumed..]) {
                Parsed::Complete((), len) => {
                    consumed += len;
                    out.extend_from_slice(response);
                }
                Parsed::Partial => break,
                Parsed::Invalid(_) => return,
            }
        }
        if !out.is_empty() {
            if stream.write_all(&out).await.is_err() {
                return;
            }
            out.clear();
        }
        buf.drain(..consumed);
        match stream.read_buf(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
    }
}
