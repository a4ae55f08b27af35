//! The floor on loopback: one hyper HTTP/1.1 connection
//! (`hyper::client::conn::http1`) sending the pre-serialized request body
//! with the same headers, and reading the response body into bytes without
//! decoding it. No pool, no URL parsing, no serialization, no JSON decoding.

use bytes::Bytes;
use http::{HeaderValue, Method, Request, header};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use super::server::FixedServer;

pub struct RawHyperClient {
    sender: SendRequest<Full<Bytes>>,
    host: HeaderValue,
    authorization: HeaderValue,
    path: String,
    body: Bytes,
}

impl RawHyperClient {
    /// Connects once; the connection is kept alive for every call. Must be
    /// called within a tokio runtime, which drives the connection.
    pub async fn connect(
        server: &FixedServer,
        contact_id: &str,
        api_key: &str,
        body: &str,
    ) -> Self {
        let stream = TcpStream::connect(server.addr).await.expect("connect");
        stream.set_nodelay(true).expect("TCP_NODELAY");
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .expect("HTTP/1.1 handshake");
        tokio::spawn(connection);
        Self {
            sender,
            host: HeaderValue::from_str(&server.addr.to_string()).expect("a host header"),
            authorization: HeaderValue::from_str(&format!("Bearer {api_key}"))
                .expect("an authorization header"),
            path: format!("/v1/contacts/{contact_id}"),
            body: Bytes::copy_from_slice(body.as_bytes()),
        }
    }

    /// One request; returns the response body, undecoded.
    pub async fn call(&mut self) -> Bytes {
        self.sender.ready().await.expect("the connection is alive");
        let request = Request::builder()
            .method(Method::PATCH)
            .uri(self.path.as_str())
            .header(header::HOST, self.host.clone())
            .header(header::AUTHORIZATION, self.authorization.clone())
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCEPT, "application/json")
            .body(Full::new(self.body.clone()))
            .expect("a request");
        let response = self.sender.send_request(request).await.expect("a response");
        assert!(response.status().is_success());
        response
            .into_body()
            .collect()
            .await
            .expect("the body")
            .to_bytes()
    }
}
