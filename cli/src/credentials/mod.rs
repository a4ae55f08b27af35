//! Where the API key and the base URL come from.
//!
//! The key, first found wins:
//! 1. `--api-key-file PATH`;
//! 2. `TALKTOHUMANS_API_KEY`;
//! 3. the profile named by `--profile` or `TALKTOHUMANS_PROFILE`, else the
//!    profile `default`, as `auth login` saved it.
//!
//! The base URL: `--base-url` or `TALKTOHUMANS_BASE_URL`, else the profile's
//! when the key is the profile's or the profile was named, else the API's
//! own. A key given by flag or environment never picks up a profile's URL by
//! itself, so that a production key is not sent to a staging URL that a
//! profile happened to hold.

pub mod profiles;
pub mod store;

use std::path::{Path, PathBuf};

use profiles::{DEFAULT_PROFILE, Profiles};
use store::{Key, Keys, StoreKind};

/// What the flags and the environment say.
#[derive(Debug, Default)]
pub struct Given<'a> {
    pub api_key_file: Option<&'a Path>,
    pub env_key: Option<String>,
    /// Named by `--profile` or `TALKTOHUMANS_PROFILE`.
    pub profile: Option<&'a str>,
    /// Given by `--base-url` or `TALKTOHUMANS_BASE_URL`.
    pub base_url: Option<&'a str>,
}

/// Where the key is to be found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyFrom {
    File(PathBuf),
    Environment,
    Profile { name: String, store: StoreKind },
}

impl KeyFrom {
    /// Where the key comes from, for a person: "from TALKTOHUMANS_API_KEY".
    pub fn describe(&self) -> String {
        match self {
            Self::File(path) => format!("from {}", path.display()),
            Self::Environment => format!("from {}", talktohumans::API_KEY_ENV),
            Self::Profile { name, store } => {
                let store = match store {
                    StoreKind::Keyring => "the OS credential store",
                    StoreKind::File => "its key file",
                };
                format!("of profile {name:?} (in {store})")
            }
        }
    }
}

/// Where the key will come from and the base URL it goes with, before any
/// key is read: the order the module documents.
#[derive(Debug)]
pub struct Plan {
    pub key_from: KeyFrom,
    env_key: Option<String>,
    /// `None`: the API's own.
    pub base_url: Option<String>,
}

/// Chooses where the key comes from and which base URL goes with it.
pub fn plan(given: Given<'_>, config_dir: &Path) -> Result<Plan, String> {
    let profiles = Profiles::read(config_dir)?;
    let name = given.profile.unwrap_or(DEFAULT_PROFILE);
    let profile = profiles.profiles.get(name);
    if given.profile.is_some() && profile.is_none() {
        return Err(format!(
            "there is no profile {name:?}: save one with `talktohumans auth login --profile {name}`"
        ));
    }
    let env_key = given.env_key.filter(|k| !k.is_empty());
    let key_from = if let Some(path) = given.api_key_file {
        KeyFrom::File(path.to_owned())
    } else if env_key.is_some() {
        KeyFrom::Environment
    } else if let Some(profile) = profile {
        KeyFrom::Profile {
            name: name.to_owned(),
            store: profile.key_store,
        }
    } else {
        return Err(format!(
            "no API key: run `talktohumans auth login`, set {}, or pass --api-key-file; \
             or try the tool with --mock",
            talktohumans::API_KEY_ENV
        ));
    };
    let profile_counts = given.profile.is_some() || matches!(key_from, KeyFrom::Profile { .. });
    let base_url = given.base_url.map(str::to_owned).or_else(|| {
        profile
            .filter(|_| profile_counts)
            .and_then(|p| p.base_url.clone())
    });
    Ok(Plan {
        key_from,
        env_key,
        base_url,
    })
}

impl Plan {
    /// Reads the key from where the plan says.
    pub fn key(&self, keys: &Keys) -> Result<Key, String> {
        match &self.key_from {
            KeyFrom::File(path) => std::fs::read_to_string(path)
                .map(|text| Key::new(text.trim().to_owned()))
                .map_err(|e| format!("cannot read the key file {}: {e}", path.display())),
            KeyFrom::Environment => Ok(Key::new(self.env_key.clone().unwrap_or_default())),
            KeyFrom::Profile { name, store } => keys.load(name, *store)?.ok_or_else(|| {
                format!(
                    "the key of profile {name:?} is gone from its store: \
                     run `talktohumans auth login --profile {name}` again"
                )
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::profiles::Profile;
    use super::*;

    struct Setup {
        dir: tempfile::TempDir,
        keys: Keys,
    }

    /// A configuration folder with a `default` profile (key "from-default")
    /// and a `staging` one (key "from-staging", its own URL).
    fn setup() -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let keys = Keys::new(dir.path(), true);
        let mut profiles = Profiles::default();
        for (name, url) in [
            ("default", None),
            ("staging", Some("https://staging.example")),
        ] {
            keys.save(name, &Key::new(format!("from-{name}"))).unwrap();
            let profile = Profile {
                base_url: url.map(str::to_owned),
                key_store: StoreKind::File,
            };
            profiles.profiles.insert(name.to_owned(), profile);
        }
        profiles.write(dir.path()).unwrap();
        Setup { dir, keys }
    }

    fn chosen(setup: &Setup, given: Given<'_>) -> (String, KeyFrom, Option<String>) {
        let plan = plan(given, setup.dir.path()).unwrap();
        let key = plan.key(&setup.keys).unwrap();
        (key.expose().to_owned(), plan.key_from, plan.base_url)
    }

    #[test]
    fn a_key_file_comes_before_the_environment_and_profiles() {
        let setup = setup();
        let file = setup.dir.path().join("key.txt");
        std::fs::write(&file, "from-file\n").unwrap();
        let given = Given {
            api_key_file: Some(&file),
            env_key: Some("from-env".into()),
            profile: Some("staging"),
            ..Given::default()
        };
        let (key, from, url) = chosen(&setup, given);
        assert_eq!((key.as_str(), from), ("from-file", KeyFrom::File(file)));
        // The profile was named, so its URL goes with it.
        assert_eq!(url.as_deref(), Some("https://staging.example"));
    }

    #[test]
    fn the_environment_comes_before_profiles() {
        let setup = setup();
        let given = Given {
            env_key: Some("from-env".into()),
            ..Given::default()
        };
        let (key, from, url) = chosen(&setup, given);
        assert_eq!(
            (key.as_str(), from, url),
            ("from-env", KeyFrom::Environment, None)
        );
    }

    #[test]
    fn the_default_profile_is_used_when_nothing_else_is_given() {
        let setup = setup();
        let (key, from, _) = chosen(&setup, Given::default());
        let profile = KeyFrom::Profile {
            name: "default".into(),
            store: StoreKind::File,
        };
        assert_eq!((key.as_str(), from), ("from-default", profile));
    }

    #[test]
    fn a_named_profile_brings_its_key_and_url_unless_the_url_is_given() {
        let setup = setup();
        let given = Given {
            profile: Some("staging"),
            ..Given::default()
        };
        let (key, _, url) = chosen(&setup, given);
        assert_eq!(
            (key.as_str(), url.as_deref()),
            ("from-staging", Some("https://staging.example"))
        );
        let given = Given {
            profile: Some("staging"),
            base_url: Some("http://localhost:9"),
            ..Given::default()
        };
        let (_, _, url) = chosen(&setup, given);
        assert_eq!(url.as_deref(), Some("http://localhost:9"));
    }

    #[test]
    fn missing_keys_and_profiles_say_how_to_fix_them() {
        let empty = tempfile::tempdir().unwrap();
        let error = plan(Given::default(), empty.path()).unwrap_err();
        assert!(error.contains("run `talktohumans auth login`"), "{error}");
        let given = Given {
            profile: Some("prod"),
            env_key: Some("k".into()),
            ..Given::default()
        };
        let error = plan(given, empty.path()).unwrap_err();
        assert!(error.contains("there is no profile \"prod\""), "{error}");
    }
}
