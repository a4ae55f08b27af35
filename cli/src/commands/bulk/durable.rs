//! Files written so that nothing is lost or clobbered: a new file is created
//! new (never through an existing path or link), and a file that replaces
//! another is written beside it under a fresh name, synced, and renamed over
//! it, so that the old one stays whole until the new one is complete and on
//! disk.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

/// A file being written, to be [`commit`](Self::commit)ted.
pub enum Output {
    /// Written in place: the path did not exist, and was created new.
    New { file: File, path: PathBuf },
    /// Written beside `path`, which it replaces on commit.
    Replacing {
        temporary: NamedTempFile,
        path: PathBuf,
    },
}

impl Output {
    /// Creates `path`, which must not exist (`O_EXCL`: an existing file or
    /// a symbolic link there is an error, not followed).
    pub fn create_new(path: &Path) -> io::Result<Self> {
        let file = OpenOptions::new().write(true).create_new(true).open(path)?;
        Ok(Output::New {
            file,
            path: path.to_owned(),
        })
    }

    /// Starts a file that will replace `path` (which may or may not exist)
    /// on commit.
    pub fn replacing(path: &Path) -> io::Result<Self> {
        Ok(Output::Replacing {
            temporary: temporary_beside(path)?,
            path: path.to_owned(),
        })
    }

    /// Where the file goes.
    pub fn path(&self) -> &Path {
        match self {
            Output::New { path, .. } | Output::Replacing { path, .. } => path,
        }
    }

    /// A handle to write through (the same open file).
    pub fn writer(&self) -> io::Result<File> {
        match self {
            Output::New { file, .. } => file.try_clone(),
            Output::Replacing { temporary, .. } => temporary.as_file().try_clone(),
        }
    }

    /// Makes the file durable under its path: synced, renamed into place if
    /// it replaces another, and its folder synced, so that the rename
    /// survives a crash too.
    pub fn commit(self) -> io::Result<()> {
        match self {
            Output::New { file, path } => {
                file.sync_all()?;
                sync_folder(&path)
            }
            Output::Replacing { temporary, path } => {
                temporary.as_file().sync_all()?;
                temporary.persist(&path).map_err(|e| e.error)?;
                sync_folder(&path)
            }
        }
    }
}

/// Writes `bytes` to `path` durably. With `replace`, an existing file is
/// replaced (and stays whole until the new one is in place); without, an
/// existing `path` is an error and nothing is written there.
pub fn write_file(path: &Path, bytes: &[u8], replace: bool) -> io::Result<()> {
    let mut temporary = temporary_beside(path)?;
    temporary.write_all(bytes)?;
    temporary.as_file().sync_all()?;
    if replace {
        temporary.persist(path).map_err(|e| e.error)?;
    } else {
        temporary.persist_noclobber(path).map_err(|e| e.error)?;
    }
    sync_folder(path)
}

/// A new file beside `path` (same folder, so that the rename is atomic),
/// named after it so that a leftover from a crash says what it was.
fn temporary_beside(path: &Path) -> io::Result<NamedTempFile> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".partial")
        .tempfile_in(folder(path))
}

fn folder(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// Syncs the folder that holds `path`, so that a file created or renamed
/// there is found after a crash.
fn sync_folder(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(folder(path))?.sync_all()
    }
    #[cfg(not(unix))]
    {
        // Other systems cannot open a folder as a file; their renames are
        // durable once the file is.
        let _ = path;
        Ok(())
    }
}
