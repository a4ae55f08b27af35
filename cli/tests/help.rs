//! The `--help` of every command, kept as snapshots under `tests/help/`:
//! the tool's surface is a promise, as the library's public API listing is,
//! so that a change to a flag or a text shows up in review.
//!
//! Refresh them after an intended change with
//! `UPDATE_HELP_SNAPSHOTS=1 cargo test -p talktohumans-cli --test help`.

mod common;

use std::path::{Path, PathBuf};

use common::talktohumans;

/// The `--help` of the command at `path`, at a fixed width.
fn help(path: &[String]) -> String {
    let output = talktohumans()
        .args(path)
        .arg("--help")
        .env("COLUMNS", "100")
        .output()
        .expect("the binary runs");
    assert!(output.status.success(), "--help of {path:?} failed");
    String::from_utf8(output.stdout).expect("help is UTF-8")
}

/// The subcommands that a help text lists under "Commands:".
fn subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|line| *line != "Commands:")
        .skip(1)
        .take_while(|line| line.starts_with("  "))
        .filter_map(|line| {
            let name = line.split_whitespace().next()?;
            // Each command's own `help` is clap's, and shows nothing new.
            (line.starts_with("  ") && !line.starts_with("   ") && name != "help")
                .then(|| name.to_owned())
        })
        .collect()
}

fn snapshot_path(path: &[String]) -> PathBuf {
    let name = if path.is_empty() {
        "talktohumans".to_owned()
    } else {
        format!("talktohumans-{}", path.join("-"))
    };
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/help")
        .join(format!("{name}.txt"))
}

#[test]
fn every_help_text_matches_its_snapshot() {
    let update = std::env::var_os("UPDATE_HELP_SNAPSHOTS").is_some();
    let mut pending = vec![Vec::<String>::new()];
    let mut seen = Vec::new();
    let mut differ = Vec::new();
    while let Some(path) = pending.pop() {
        let text = help(&path);
        for sub in subcommands(&text) {
            let mut deeper = path.clone();
            deeper.push(sub);
            pending.push(deeper);
        }
        let file = snapshot_path(&path);
        seen.push(file.clone());
        if update {
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(&file, &text).unwrap();
        } else if std::fs::read_to_string(&file).ok().as_deref() != Some(text.as_str()) {
            differ.push(file.display().to_string());
        }
    }
    assert!(seen.len() >= 7, "the walk found every command: {seen:?}");
    // A snapshot of a command that is gone is stale.
    let on_disk: Vec<PathBuf> = std::fs::read_dir(snapshot_path(&[]).parent().unwrap())
        .map(|dir| dir.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    let stale: Vec<_> = on_disk.iter().filter(|p| !seen.contains(p)).collect();
    assert!(
        differ.is_empty() && stale.is_empty(),
        "help texts differ from their snapshots: {differ:?}; stale snapshots: {stale:?}; \
         if the change is intended, run \
         UPDATE_HELP_SNAPSHOTS=1 cargo test -p talktohumans-cli --test help"
    );
}
