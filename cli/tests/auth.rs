//! `auth login`, `auth status` and `auth logout` with the file store, and
//! the order in which a key is chosen: `--api-key-file`, then
//! `TALKTOHUMANS_API_KEY`, then the profile.

mod common;

use std::path::Path;

use assert_cmd::Command;
use common::{Mock, talktohumans};
use predicates::prelude::*;
use talktohumans::mock::seed;

/// The binary with its configuration in `config`.
fn with_config(config: &Path) -> Command {
    let mut command = talktohumans();
    command.env("TALKTOHUMANS_CONFIG_DIR", config);
    command
}

fn login(config: &Path, profile: &str, base_url: &str, key: &str) {
    with_config(config)
        .args([
            "auth",
            "login",
            "--profile",
            profile,
            "--base-url",
            base_url,
        ])
        .write_stdin(format!("{key}\n"))
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "Saved the key of profile \"{profile}\" in "
        )))
        .stdout(predicate::str::contains(key).not());
}

fn update(config: &Path) -> Command {
    let mut command = with_config(config);
    command.args([
        "--max-retries",
        "0",
        "contact",
        "update",
        seed::MAYA_CHEN,
        "--add",
        "Q4",
    ]);
    command
}

#[test]
fn a_saved_key_is_kept_privately_and_never_shown() {
    let config = tempfile::tempdir().unwrap();
    login(
        config.path(),
        "staging",
        "https://staging.example",
        "tth_test_secret",
    );
    let key_file = config.path().join("keys").join("staging.key");
    assert_eq!(
        std::fs::read_to_string(&key_file).unwrap(),
        "tth_test_secret"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let profiles = std::fs::read_to_string(config.path().join("config.toml")).unwrap();
    assert!(!profiles.contains("tth_test_secret"), "{profiles}");

    with_config(config.path())
        .args(["auth", "status"])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "staging: https://staging.example, key in {}",
            key_file.display()
        )))
        .stdout(predicate::str::contains("tth_test_secret").not());

    with_config(config.path())
        .args(["auth", "logout", "--profile", "staging"])
        .assert()
        .success();
    assert!(!key_file.exists());
    with_config(config.path())
        .args(["auth", "status"])
        .assert()
        .success()
        .stdout("No profiles: save a key with `talktohumans auth login`.\n");
}

#[test]
fn a_key_of_the_wrong_form_is_not_saved() {
    let config = tempfile::tempdir().unwrap();
    with_config(config.path())
        .args(["auth", "login"])
        .write_stdin("two words\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("API key"));
    assert!(!config.path().join("config.toml").exists());
}

#[test]
fn keys_are_chosen_flag_then_environment_then_profile() {
    let mock = Mock::start();
    let config = tempfile::tempdir().unwrap();
    login(
        config.path(),
        "trial",
        mock.server.base_url(),
        mock.server.api_key(),
    );

    // The profile's key and URL, when nothing else is given.
    update(config.path())
        .args(["--profile", "trial"])
        .assert()
        .success()
        .stderr(predicate::str::contains(format!(
            "using {} with the key of profile \"trial\"",
            mock.server.base_url()
        )));
    assert_eq!(mock.server.request_count(), 1);

    // The environment's key wins over the profile's: the mock refuses it.
    update(config.path())
        .args(["--profile", "trial"])
        .env("TALKTOHUMANS_API_KEY", "tth_wrong")
        .assert()
        .code(4)
        .stderr(predicate::str::contains("from TALKTOHUMANS_API_KEY"));

    // A key file wins over both.
    let key_file = config.path().join("key.txt");
    std::fs::write(&key_file, format!("{}\n", mock.server.api_key())).unwrap();
    update(config.path())
        .args(["--profile", "trial", "--api-key-file"])
        .arg(&key_file)
        .env("TALKTOHUMANS_API_KEY", "tth_wrong")
        .assert()
        .success();
    assert_eq!(mock.server.request_count(), 3);
}

#[test]
fn a_missing_profile_or_key_says_how_to_get_one() {
    let config = tempfile::tempdir().unwrap();
    update(config.path())
        .args(["--profile", "prod"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "there is no profile \"prod\": save one with `talktohumans auth login --profile prod`",
        ));
    update(config.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no API key: run `talktohumans auth login`",
        ));
}
