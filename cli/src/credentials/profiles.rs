//! Named profiles (production, staging, …), each with its own base URL and
//! key, kept in `config.toml` under the configuration folder. The keys
//! themselves are never in that file: it says only which store holds each.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::store::{StoreKind, private_folder, write_private};

/// Overrides the configuration folder, for tests and for keeping several
/// setups apart.
pub const CONFIG_DIR_ENV: &str = "TALKTOHUMANS_CONFIG_DIR";

/// The profile used when none is named.
pub const DEFAULT_PROFILE: &str = "default";

/// One profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Where its requests go; the API's own when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    /// Which store holds its key.
    pub key_store: StoreKind,
}

/// Every profile, as `config.toml` holds them.
#[derive(Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profiles {
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
}

/// The configuration folder: `TALKTOHUMANS_CONFIG_DIR`, else the user's
/// configuration folder (`~/.config/talktohumans` on Linux,
/// `~/Library/Application Support/talktohumans` on macOS, `%APPDATA%` on
/// Windows).
pub fn config_dir() -> Result<PathBuf, String> {
    if let Some(dir) = std::env::var_os(CONFIG_DIR_ENV).filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    dirs::config_dir()
        .map(|dir| dir.join("talktohumans"))
        .ok_or_else(|| format!("cannot find the user's configuration folder: set {CONFIG_DIR_ENV}"))
}

/// A profile name is also a file name: letters, digits, `-` and `_`.
pub fn check_name(name: &str) -> Result<(), String> {
    let fits = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if fits {
        Ok(())
    } else {
        Err(format!(
            "{name:?} is not a profile name: use 1 to 64 letters, digits, '-' or '_'"
        ))
    }
}

impl Profiles {
    fn path(dir: &Path) -> PathBuf {
        dir.join("config.toml")
    }

    /// The profiles in `dir`; none when it has no `config.toml` yet.
    pub fn read(dir: &Path) -> Result<Self, String> {
        let path = Self::path(dir);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        toml::from_str(&text)
            .map_err(|e| format!("{} is not a valid profile file: {e}", path.display()))
    }

    /// Writes the profiles to `dir`, durably, replacing the file whole.
    pub fn write(&self, dir: &Path) -> Result<(), String> {
        private_folder(dir)?;
        let path = Self::path(dir);
        let text = toml::to_string(self).map_err(|e| format!("cannot write the profiles: {e}"))?;
        write_private(&path, text.as_bytes())
            .map_err(|e| format!("cannot write {}: {e}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_survive_a_round_trip_through_their_file() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Profiles::read(dir.path()).unwrap(), Profiles::default());
        let mut profiles = Profiles::default();
        profiles.profiles.insert(
            "staging".into(),
            Profile {
                base_url: Some("https://staging.example".into()),
                key_store: StoreKind::File,
            },
        );
        profiles.profiles.insert(
            DEFAULT_PROFILE.into(),
            Profile {
                base_url: None,
                key_store: StoreKind::Keyring,
            },
        );
        profiles.write(dir.path()).unwrap();
        let text = std::fs::read_to_string(dir.path().join("config.toml")).unwrap();
        assert_eq!(
            text,
            "[profiles.default]\nkey_store = \"keyring\"\n\n\
             [profiles.staging]\nbase_url = \"https://staging.example\"\nkey_store = \"file\"\n"
        );
        assert_eq!(Profiles::read(dir.path()).unwrap(), profiles);
    }

    #[test]
    fn a_broken_file_is_named_in_the_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("config.toml"), "[profiles.x]\nkey = 1\n").unwrap();
        let error = Profiles::read(dir.path()).unwrap_err();
        assert!(
            error.contains("config.toml is not a valid profile file"),
            "{error}"
        );
    }

    #[test]
    fn profile_names_are_safe_file_names() {
        for good in ["default", "prod-eu", "staging_2"] {
            check_name(good).unwrap();
        }
        for bad in ["", "../x", "a b", "x/y", ".hidden", &"x".repeat(65)] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
    }
}
