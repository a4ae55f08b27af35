//! `--mock` keeps its word that nothing leaves the machine: with a proxy
//! named in every environment variable reqwest reads, the embedded mock's
//! requests (its key, the contact's data) still go straight to it, and the
//! proxy sees nothing. So does `--base-url` to a loopback address.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use assert_cmd::Command;
use common::{Mock, talktohumans};

/// A proxy that forwards nothing: it keeps the head of every request it
/// gets and answers 502.
struct LoggingProxy {
    url: String,
    seen: Arc<Mutex<Vec<String>>>,
}

impl LoggingProxy {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut head = Vec::new();
                let mut byte = [0; 1];
                while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                    head.push(byte[0]);
                }
                log.lock()
                    .unwrap()
                    .push(String::from_utf8_lossy(&head).into_owned());
                let _ = stream.write_all(
                    b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                );
            }
        });
        Self { url, seen }
    }

    /// The command with this proxy in every variable reqwest reads.
    fn around(&self, mut command: Command) -> Command {
        for name in [
            "HTTP_PROXY",
            "http_proxy",
            "HTTPS_PROXY",
            "https_proxy",
            "ALL_PROXY",
            "all_proxy",
        ] {
            command.env(name, &self.url);
        }
        command
            .env_remove("NO_PROXY")
            .env_remove("no_proxy")
            .env_remove("REQUEST_METHOD");
        command
    }

    fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

#[test]
fn the_embedded_mock_is_never_reached_through_a_proxy() {
    let proxy = LoggingProxy::start();
    proxy
        .around(talktohumans())
        .args([
            "--mock",
            "contact",
            "update",
            "41236",
            "--add",
            "Hot lead:red",
        ])
        .assert()
        .success();
    assert_eq!(proxy.seen(), Vec::<String>::new());
}

#[test]
fn a_loopback_base_url_is_never_reached_through_a_proxy() {
    let proxy = LoggingProxy::start();
    let mock = Mock::start();
    proxy
        .around(mock.command())
        .args(["contact", "update", "41236", "--add", "Hot lead:red"])
        .assert()
        .success();
    assert_eq!(mock.server.request_count(), 1);
    assert_eq!(proxy.seen(), Vec::<String>::new());
}
