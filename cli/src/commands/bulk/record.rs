//! The run record: what a bulk run was, written beside its results as
//! `RESULTS.run.json` before anything is sent, so that `--resume RESULTS`
//! continues that run and no other: the same target (the mock, or one base
//! URL, with the same API key), the same input (its path and the SHA-256 of
//! its content) and the same options that change what is sent.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::durable;
use super::input::{ColumnNames, Format, Intake, STDIN};
use crate::change::Change;
use crate::context::{Settings, differs};
use crate::print::terminal;

/// The format of the record; a record of another format is refused.
const FORMAT: u32 = 1;

/// What a run was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunRecord {
    /// [`FORMAT`].
    pub format: u32,
    /// Where and how requests went.
    pub settings: Settings,
    /// The fingerprint of the API key (see
    /// [`api_key_fingerprint`](crate::context::api_key_fingerprint)), for a
    /// run against an API.
    pub api_key: Option<String>,
    /// The input file.
    pub input: InputIdentity,
    /// The bulk options that change what is sent.
    pub options: SendOptions,
}

/// Which file the input was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputIdentity {
    /// Its absolute path, or `-` for standard input.
    pub path: PathBuf,
    /// How it is written (a record from before there was a choice is of a
    /// CSV).
    #[serde(default)]
    pub format: Format,
    /// The SHA-256 of its content, in hex.
    pub sha256: String,
    /// How many data rows it has.
    pub rows: u64,
}

impl InputIdentity {
    /// The input, as messages name it.
    pub fn shown(&self) -> String {
        if self.path.as_os_str() == STDIN {
            "standard input".to_owned()
        } else {
            self.path.display().to_string()
        }
    }
}

/// The bulk flags that change what is sent, or when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendOptions {
    /// `--skip-invalid`.
    pub skip_invalid: bool,
    /// `--max-rate`.
    pub max_rate: Option<u32>,
    /// `--no-adaptive`.
    pub no_adaptive: bool,
    /// `--column`: which header each tool column is read from, where the
    /// input has its own names.
    #[serde(default, skip_serializing_if = "ColumnNames::is_empty")]
    pub columns: ColumnNames,
    /// `--ids`: the change for every id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<Change>,
}

impl SendOptions {
    /// Where the flags given to a resume disagree with the run's: a flag
    /// left out agrees with anything.
    pub fn disagreements(&self, given: &SendOptions, found: &mut Vec<String>) {
        let show = |v: Option<u32>| v.map_or_else(|| "none".to_owned(), |v| v.to_string());
        if given.skip_invalid && !self.skip_invalid {
            found.push("--skip-invalid, where the run had none".to_owned());
        }
        if given.no_adaptive && !self.no_adaptive {
            found.push("--no-adaptive, where the run had none".to_owned());
        }
        if !given.columns.is_empty() && given.columns != self.columns {
            let show = |names: &ColumnNames| {
                let pairs: Vec<String> = names.iter().map(|(c, h)| format!("{c}={h:?}")).collect();
                if pairs.is_empty() {
                    "none".to_owned()
                } else {
                    pairs.join(" ")
                }
            };
            found.push(format!(
                "--column {}, where the run had {}",
                terminal(&show(&given.columns)),
                terminal(&show(&self.columns))
            ));
        }
        if let Some(change) = &given.change
            && Some(change) != self.change.as_ref()
        {
            let had = self
                .change
                .as_ref()
                .map_or_else(|| "none".to_owned(), Change::as_flags);
            found.push(format!(
                "the change {}, where the run's was {}",
                terminal(&change.as_flags()),
                terminal(&had)
            ));
        }
        if given.max_rate.is_some() {
            differs(
                found,
                "--max-rate",
                show(given.max_rate),
                show(self.max_rate),
            );
        }
    }
}

/// Where the record of the results at `results` is.
pub fn path_of(results: &Path) -> PathBuf {
    let mut name = results.as_os_str().to_owned();
    name.push(".run.json");
    PathBuf::from(name)
}

/// Writes the record durably beside `results`; with `replace`, over an
/// earlier one.
pub fn write(results: &Path, record: &RunRecord, replace: bool) -> std::io::Result<()> {
    let mut json = serde_json::to_vec_pretty(record).map_err(std::io::Error::other)?;
    json.push(b'\n');
    durable::write_file(&path_of(results), &json, replace)
}

/// Reads the record of the results at `results`.
pub fn read(results: &Path) -> Result<RunRecord, String> {
    let path = path_of(results);
    let text = std::fs::read(&path).map_err(|e| {
        format!(
            "cannot read {}, the record of the run that wrote {}: {e}",
            path.display(),
            results.display()
        )
    })?;
    let record: RunRecord = serde_json::from_slice(&text)
        .map_err(|e| format!("{} is not a run record: {e}", path.display()))?;
    if record.format != FORMAT {
        return Err(format!(
            "{} is a run record of format {}, which this version does not read",
            path.display(),
            record.format
        ));
    }
    Ok(record)
}

impl RunRecord {
    /// How to read the run's input.
    pub fn intake(&self) -> Intake<'_> {
        Intake {
            format: self.input.format,
            columns: &self.options.columns,
            change: self.options.change.as_ref(),
        }
    }

    pub fn new(
        settings: Settings,
        api_key: Option<String>,
        input: InputIdentity,
        options: SendOptions,
    ) -> Self {
        Self {
            format: FORMAT,
            settings,
            api_key,
            input,
            options,
        }
    }
}
