//! A scripted HTTP server for tests on tokio's paused clock
//! (`#[tokio::test(start_paused = true)]`), where the client's waits take no
//! real time and a call's elapsed time on the tokio clock is exactly the sum
//! of its waits (each rounded up to the timer's millisecond).
//!
//! Why not wiremock or the crate's mock: with the clock paused, tokio moves
//! it on to the next timer whenever the runtime has nothing to run, and a
//! request on its way over a socket leaves it nothing to run. Every request
//! has an attempt timeout, which would then fire at once. Tokio leaves a
//! paused clock alone while a `spawn_blocking` task runs, so this server
//! serves each connection in a blocking task that the client itself starts,
//! from its DNS resolver, before it connects. The clock stands still from
//! then until the client has read the answer and closed the connection;
//! after that the client only computes until it waits. During a wait nothing
//! holds the clock, and tokio moves it straight to the wait's end.
//!
//! It works the same on a running clock, for the tests that need one.

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use talktohumans::reqwest::dns::{Addrs, Name, Resolve, Resolving};
use talktohumans::{Client, ClientBuilder};

use super::raw_http::{self, Request};

/// How long a connection's task waits for the client to connect or to send
/// its next bytes. Far beyond what any test needs: it only keeps a broken
/// test from holding the clock, and the runtime's shutdown, forever.
const GIVE_UP: Duration = Duration::from_secs(10);

/// What the server answers one request with.
#[derive(Debug, Clone)]
pub struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    hang: bool,
}

impl Reply {
    /// This status, with an empty body.
    pub fn status(status: u16) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            hang: false,
        }
    }

    /// No answer at all: the server reads the request and keeps the
    /// connection open. It lets go of the clock, so that the client's
    /// timeout can fire.
    pub fn hang() -> Self {
        Self {
            hang: true,
            ..Self::status(0)
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn body(self, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Self {
            body: body.into(),
            ..self.header("content-type", content_type)
        }
    }

    fn to_bytes(&self) -> Vec<u8> {
        let reason = http::StatusCode::from_u16(self.status)
            .ok()
            .and_then(|status| status.canonical_reason())
            .unwrap_or("");
        let mut head = format!("HTTP/1.1 {} {reason}\r\n", self.status);
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        // Closed after every answer, so that every attempt opens a new
        // connection, served by the task that its own resolution started.
        head.push_str(&format!(
            "content-length: {}\r\nconnection: close\r\n\r\n",
            self.body.len()
        ));
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(&self.body);
        bytes
    }
}

/// A server on a free loopback port. It answers each request with the next
/// reply queued by [`reply_once`](Self::reply_once), else with the one set
/// by [`reply_always`](Self::reply_always), and keeps every request it read.
#[derive(Clone)]
pub struct Server(Arc<ScriptedState>);

struct ScriptedState {
    listener: TcpListener,
    address: SocketAddr,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    once: VecDeque<Reply>,
    always: Option<Reply>,
    requests: Vec<Request>,
    /// The connections of [`Reply::hang`], open until the server goes.
    hanging: Vec<TcpStream>,
}

impl Server {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
        // Accepting polls, so that a task whose client never connects can
        // give up.
        listener
            .set_nonblocking(true)
            .expect("a non-blocking listener");
        let address = listener.local_addr().expect("the listener's address");
        Self(Arc::new(ScriptedState {
            listener,
            address,
            state: Mutex::default(),
        }))
    }

    /// Answers the next request not yet answered by an earlier
    /// `reply_once` with `reply`.
    pub fn reply_once(&self, reply: Reply) {
        self.0.state().once.push_back(reply);
    }

    /// Answers every request that no `reply_once` answers with `reply`.
    pub fn reply_always(&self, reply: Reply) {
        self.0.state().always = Some(reply);
    }

    /// Forgets the replies and the requests.
    pub fn reset(&self) {
        let mut state = self.0.state();
        state.once.clear();
        state.always = None;
        state.requests.clear();
    }

    /// The requests read so far, in order.
    pub fn requests(&self) -> Vec<Request> {
        self.0.state().requests.clone()
    }

    pub fn request_count(&self) -> usize {
        self.0.state().requests.len()
    }

    /// A client built from `builder` that sends to this server, each
    /// request on a connection that holds the clock (see the module's
    /// documentation).
    pub fn client(&self, builder: ClientBuilder) -> Client {
        let http = builder
            .reqwest_builder()
            .expect("the builder's reqwest settings")
            .dns_resolver(HoldTheClock(Arc::clone(&self.0)))
            // Nothing pooled: every request resolves the name, and so
            // starts the task that serves it.
            .pool_max_idle_per_host(0)
            .no_proxy()
            .build()
            .expect("a reqwest client");
        builder
            // A name, not an address: only names go through the resolver.
            .base_url(format!("http://localhost:{}", self.0.address.port()))
            .http_client(http)
            .build()
            .expect("a client for the scripted server")
    }
}

impl ScriptedState {
    fn state(&self) -> MutexGuard<'_, State> {
        // A test that panicked elsewhere leaves the state as usable as it was.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Serves one connection, blocking: run as a blocking task, for which
    /// the clock stands still.
    fn serve_one(&self) {
        let Some(mut stream) = self.accept() else {
            return;
        };
        if stream.set_read_timeout(Some(GIVE_UP)).is_err() {
            return;
        }
        let Ok(request) = raw_http::read_request_blocking(&mut stream) else {
            return;
        };
        let reply = {
            let mut state = self.state();
            state.requests.push(request);
            let next = state.once.pop_front().or_else(|| state.always.clone());
            next.unwrap_or_else(|| {
                Reply::status(501).body("text/plain", "the test scripted no reply for this")
            })
        };
        if reply.hang {
            self.state().hanging.push(stream);
            return;
        }
        if stream.write_all(&reply.to_bytes()).is_err() {
            return;
        }
        // Until the client has closed its end, it may still be reading.
        let _ = stream.shutdown(Shutdown::Write);
        let mut rest = [0; 1024];
        while matches!(stream.read(&mut rest), Ok(n) if n > 0) {}
    }

    fn accept(&self) -> Option<TcpStream> {
        let give_up = Instant::now() + GIVE_UP;
        loop {
            match self.listener.accept() {
                Ok((stream, _)) => return stream.set_nonblocking(false).ok().map(|()| stream),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock && Instant::now() < give_up => {
                    std::thread::sleep(Duration::from_millis(1));
                }
                Err(_) => return None,
            }
        }
    }
}

/// The resolver of a [`Server`]'s clients: it resolves to the server, and
/// starts the task that serves the connection the client opens next.
struct HoldTheClock(Arc<ScriptedState>);

impl Resolve for HoldTheClock {
    fn resolve(&self, _: Name) -> Resolving {
        let shared = Arc::clone(&self.0);
        // Spawned before the client connects: the clock stands still from
        // here.
        tokio::task::spawn_blocking(move || shared.serve_one());
        let addrs: Addrs = Box::new(std::iter::once(self.0.address));
        Box::pin(std::future::ready(Ok(addrs)))
    }
}
