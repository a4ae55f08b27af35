//! Where a profile's key is kept: the OS credential store when there is one
//! (macOS Keychain, Windows Credential Manager, the Secret Service on Linux),
//! otherwise a file that only its owner can read.

use std::fmt;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The service name of the keys in the OS credential store; the profile is
/// the user name.
const KEYRING_SERVICE: &str = "talktohumans";

/// `file` keeps keys in files even where an OS credential store exists:
/// for tests, and for servers whose Secret Service is not worth setting up.
pub const STORE_ENV: &str = "TALKTOHUMANS_KEY_STORE";

/// Which store holds a profile's key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StoreKind {
    /// The OS credential store.
    Keyring,
    /// A file under the configuration folder, readable by its owner only.
    File,
}

/// A key, kept out of `Debug` output.
pub struct Key(String);

impl Key {
    pub fn new(key: String) -> Self {
        Self(key)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Key(<redacted>)")
    }
}

/// The keys of every profile, in the configuration folder `dir` or the OS
/// credential store.
pub struct Keys {
    dir: PathBuf,
    prefer_file: bool,
}

/// What `save` did.
pub struct Saved {
    pub kind: StoreKind,
    /// Why the OS credential store was not used, when it was not.
    pub keyring_unavailable: Option<String>,
    /// The key file, when a file was used.
    pub file: Option<PathBuf>,
}

impl Keys {
    /// The stores under the configuration folder `dir`; `prefer_file` skips
    /// the OS credential store.
    pub fn new(dir: &Path, prefer_file: bool) -> Self {
        Self {
            dir: dir.to_owned(),
            prefer_file,
        }
    }

    /// From the environment: `TALKTOHUMANS_KEY_STORE=file` prefers files.
    pub fn from_env(dir: &Path) -> Result<Self, String> {
        let prefer_file = match std::env::var(STORE_ENV).as_deref() {
            Err(_) | Ok("") | Ok("auto") => false,
            Ok("file") => true,
            Ok(other) => {
                return Err(format!(
                    "{STORE_ENV}={other:?} is not a key store: use \"file\" or \"auto\""
                ));
            }
        };
        Ok(Self::new(dir, prefer_file))
    }

    /// Keeps `key` for `profile`: in the OS credential store unless files
    /// are preferred or it cannot be reached, else in a file.
    pub fn save(&self, profile: &str, key: &Key) -> Result<Saved, String> {
        let keyring_unavailable = if self.prefer_file {
            Some(format!("{STORE_ENV}=file"))
        } else {
            match keyring_call(profile, |entry| entry.set_password(key.expose())) {
                Ok(()) => {
                    // A key left in a file by an earlier login would be a
                    // second copy that logout might not find.
                    self.remove_file(profile)?;
                    return Ok(Saved {
                        kind: StoreKind::Keyring,
                        keyring_unavailable: None,
                        file: None,
                    });
                }
                Err(e) => Some(e.to_string()),
            }
        };
        let file = self.write_file(profile, key)?;
        Ok(Saved {
            kind: StoreKind::File,
            keyring_unavailable,
            file: Some(file),
        })
    }

    /// The key of `profile` from `kind`; `None` when it holds none.
    pub fn load(&self, profile: &str, kind: StoreKind) -> Result<Option<Key>, String> {
        match kind {
            StoreKind::Keyring => match keyring_call(profile, |entry| entry.get_password()) {
                Ok(key) => Ok(Some(Key::new(key))),
                Err(keyring::Error::NoEntry) => Ok(None),
                Err(e) => Err(format!(
                    "cannot read the key of profile {profile:?} from the OS credential store: {e}"
                )),
            },
            StoreKind::File => {
                let path = self.file(profile);
                match fs::read_to_string(&path) {
                    Ok(text) => Ok(Some(Key::new(text.trim_end().to_owned()))),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                    Err(e) => Err(format!("cannot read {}: {e}", path.display())),
                }
            }
        }
    }

    /// Forgets the key of `profile` in both stores.
    pub fn delete(&self, profile: &str) -> Result<(), String> {
        if !self.prefer_file {
            match keyring_call(profile, |entry| entry.delete_credential()) {
                Ok(()) | Err(keyring::Error::NoEntry) => {}
                // No store to reach holds no key of ours either.
                Err(keyring::Error::NoStorageAccess(_) | keyring::Error::PlatformFailure(_)) => {}
                Err(e) => {
                    return Err(format!(
                        "cannot remove the key from the OS credential store: {e}"
                    ));
                }
            }
        }
        self.remove_file(profile)
    }

    /// The file that holds the key of `profile` when no OS store is used.
    pub fn file(&self, profile: &str) -> PathBuf {
        self.dir.join("keys").join(format!("{profile}.key"))
    }

    fn remove_file(&self, profile: &str) -> Result<(), String> {
        let path = self.file(profile);
        match fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(format!("cannot remove {}: {e}", path.display())),
        }
    }

    fn write_file(&self, profile: &str, key: &Key) -> Result<PathBuf, String> {
        let path = self.file(profile);
        let folder = path.parent().expect("the key file is in a folder");
        private_folder(folder)?;
        write_private(&path, key.expose().as_bytes())
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        Ok(path)
    }
}

/// Runs `call` on an entry of the OS credential store, on a thread of its
/// own: its Secret Service client runs a tokio runtime, which must not be
/// the caller's (keyring's "Tokio runtime caution").
fn keyring_call<T: Send>(
    profile: &str,
    call: impl FnOnce(&keyring::Entry) -> keyring::Result<T> + Send,
) -> keyring::Result<T> {
    std::thread::scope(|scope| {
        scope
            .spawn(|| call(&keyring::Entry::new(KEYRING_SERVICE, profile)?))
            .join()
            .unwrap_or_else(|_| {
                Err(keyring::Error::PlatformFailure(
                    "the credential store's client panicked".into(),
                ))
            })
    })
}

/// Creates `folder` (and its parents) if needed; on Unix the folder itself
/// is made readable by its owner only.
pub fn private_folder(folder: &Path) -> Result<(), String> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(folder)
        .map_err(|e| format!("cannot create {}: {e}", folder.display()))
}

/// Writes `bytes` to `path` durably and readable by its owner only: a new
/// temporary file beside it (never through an existing path or link), synced,
/// renamed over it, and the folder synced.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let folder = path.parent().unwrap_or(Path::new("."));
    let mut builder = tempfile::Builder::new();
    builder.prefix(".talktohumans-");
    // Elsewhere, files under the user's own folders are the user's alone.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o600));
    }
    let mut file = builder.tempfile_in(folder)?;
    file.write_all(bytes)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    #[cfg(unix)]
    OpenOptions::new().read(true).open(folder)?.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_in_a_file_is_readable_by_its_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let keys = Keys::new(dir.path(), true);
        let saved = keys
            .save("staging", &Key::new("tth_test_1".into()))
            .unwrap();
        assert_eq!(saved.kind, StoreKind::File);
        let file = saved.file.unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                fs::metadata(&file).unwrap().permissions().mode() & 0o777,
                0o600
            );
            let folder = fs::metadata(file.parent().unwrap()).unwrap();
            assert_eq!(folder.permissions().mode() & 0o777, 0o700);
        }
        let loaded = keys.load("staging", StoreKind::File).unwrap().unwrap();
        assert_eq!(loaded.expose(), "tth_test_1");
        keys.delete("staging").unwrap();
        assert!(keys.load("staging", StoreKind::File).unwrap().is_none());
    }

    #[test]
    fn a_saved_key_replaces_the_last_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let keys = Keys::new(dir.path(), true);
        keys.save("default", &Key::new("first".into())).unwrap();
        keys.save("default", &Key::new("second".into())).unwrap();
        let loaded = keys.load("default", StoreKind::File).unwrap().unwrap();
        assert_eq!(loaded.expose(), "second");
        let names: Vec<_> = fs::read_dir(dir.path().join("keys"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["default.key"]);
    }

    /// An OS credential store that cannot be reached, as on a server with
    /// no Secret Service.
    struct Unreachable;

    impl keyring::credential::CredentialBuilderApi for Unreachable {
        fn build(
            &self,
            _target: Option<&str>,
            _service: &str,
            _user: &str,
        ) -> keyring::Result<Box<keyring::credential::Credential>> {
            let credential = keyring::mock::MockCredential::default();
            credential.set_error(keyring::Error::NoStorageAccess(
                "the store is locked".into(),
            ));
            Ok(Box::new(credential))
        }

        fn as_any(&self) -> &dyn std::any::Any {
            self
        }
    }

    // One test for both, because the keyring's store is chosen for the whole
    // process.
    #[test]
    fn the_os_store_is_used_when_it_answers_and_a_file_when_it_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let keys = Keys::new(dir.path(), false);
        keyring::set_default_credential_builder(keyring::mock::default_credential_builder());
        let saved = keys
            .save("default", &Key::new("tth_test_1".into()))
            .unwrap();
        assert_eq!(saved.kind, StoreKind::Keyring);
        assert!(saved.keyring_unavailable.is_none());
        assert!(!keys.file("default").exists(), "no second copy in a file");

        keyring::set_default_credential_builder(Box::new(Unreachable));
        let saved = keys
            .save("default", &Key::new("tth_test_2".into()))
            .unwrap();
        assert_eq!(saved.kind, StoreKind::File);
        assert!(saved.keyring_unavailable.unwrap().contains("locked"));
        let loaded = keys.load("default", StoreKind::File).unwrap().unwrap();
        assert_eq!(loaded.expose(), "tth_test_2");
        // Logging out of an unreachable store still removes the file.
        keys.delete("default").unwrap();
        assert!(!keys.file("default").exists());
    }

    #[test]
    fn the_key_is_not_in_debug_output() {
        assert_eq!(
            format!("{:?}", Key::new("tth_live_x".into())),
            "Key(<redacted>)"
        );
    }
}
