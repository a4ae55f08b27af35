//! The bulk command under a pseudo-terminal: it draws a progress bar.

mod common;

use std::io::Read;

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

#[test]
fn a_terminal_gets_a_progress_bar() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("contact_id,add\n");
    for i in 0..40 {
        text.push_str(&format!("41236,Tag {i}\n"));
    }
    let csv = common::write(dir.path(), "big.csv", &text);

    let pty = native_pty_system()
        .openpty(PtySize {
            rows: 30,
            cols: 120,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut command = CommandBuilder::new(assert_cmd::cargo::cargo_bin("talktohumans"));
    command.args(["--mock", "--mock-latency", "20", "--concurrency", "2"]);
    command.args(["contact", "bulk", "--csv"]);
    command.arg(&csv);
    command.env("TERM", "xterm-256color");
    command.env_remove("TALKTOHUMANS_API_KEY");
    command.env_remove("NO_COLOR");
    command.cwd(dir.path());
    let mut child = pty.slave.spawn_command(command).unwrap();
    drop(pty.slave);
    let mut reader = pty.master.try_clone_reader().unwrap();
    // Read on a thread: the pty's reader ends with an error, not EOF, once
    // the child is gone and the master is dropped.
    let collector = std::thread::spawn(move || {
        let mut screen = Vec::new();
        let mut buffer = [0; 4096];
        while let Ok(n) = reader.read(&mut buffer) {
            if n == 0 {
                break;
            }
            screen.extend_from_slice(&buffer[..n]);
        }
        screen
    });
    let status = child.wait().unwrap();
    drop(pty.master);
    let screen = String::from_utf8_lossy(&collector.join().unwrap()).into_owned();
    assert!(status.success(), "{screen}");
    assert!(screen.contains('\x1b'), "no escape codes: {screen:?}");
    assert!(screen.contains("40/40"), "{screen:?}");
    assert!(screen.contains("ETA"), "{screen:?}");
    assert!(screen.contains("failed: 0"), "{screen:?}");
    assert!(
        !screen.contains("progress: "),
        "plain lines on a terminal: {screen:?}"
    );
    assert!(screen.contains("rows: 40 ok, 0 failed"), "{screen:?}");
}
