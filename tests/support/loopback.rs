//! The tests' own loopback endpoints, for what neither wiremock nor the
//! crate's mock can do: a server that hands each raw connection to the test
//! (to stream forever, trickle bytes or never answer), and an address that
//! refuses every connection.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::net::{TcpListener, TcpSocket, TcpStream};

/// A server on a free loopback port that serves each connection it accepts
/// with the test's own function, in a task of its own, until the runtime
/// ends.
pub struct RawServer {
    url: String,
    connections: Arc<AtomicUsize>,
}

impl RawServer {
    pub async fn start<F, Fut>(serve: F) -> Self
    where
        F: Fn(TcpStream) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free loopback port");
        let url = format!("http://{}", listener.local_addr().expect("its address"));
        let connections = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&connections);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                counter.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(serve(stream));
            }
        });
        Self { url, connections }
    }

    /// `http://127.0.0.1:<port>`, for `ClientBuilder::base_url`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// How many connections it accepted: with a client that does not
    /// reuse them here (every server answers `connection: close` or never
    /// ends its answer), how many attempts reached it.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

/// A loopback address where a connection is refused for as long as this
/// value lives.
///
/// A socket is bound to the port but never listens: the kernel answers a
/// connection there with a reset, and no other socket can take the port
/// meanwhile. (A port found free by binding a listener and dropping it
/// could be taken again before the test connects.)
pub struct RefusedAddress {
    _socket: TcpSocket,
    address: SocketAddr,
}

impl RefusedAddress {
    pub fn new() -> Self {
        let socket = TcpSocket::new_v4().expect("a TCP socket");
        socket
            .bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .expect("a free loopback port");
        let address = socket.local_addr().expect("its address");
        Self {
            _socket: socket,
            address,
        }
    }

    /// `http://127.0.0.1:<port>`, for `ClientBuilder::base_url`.
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }
}

impl Default for RefusedAddress {
    fn default() -> Self {
        Self::new()
    }
}
