//! What a bulk run is, before anything is sent: a new run from the flags,
//! or the continuation of a recorded one; the paths it may write; and the
//! file its results go to.

use std::path::{Path, PathBuf};

use super::args::BulkArgs;
use super::check::Checked;
use super::durable::Output;
use super::record::{self, InputIdentity, RunRecord, SendOptions};
use super::results;
use super::stop::{Stop, invalid};
use super::summary::shell_word;
use crate::context::{Connection, Target, api_key_fingerprint};
use crate::exit;
use crate::print::terminal;

/// What the run is: new, or the continuation of a recorded one.
pub struct Setup {
    pub record: RunRecord,
    pub results: PathBuf,
    /// The record of the run being continued.
    pub resumed: Option<RunRecord>,
}

/// The run's record, from the flags or from the run it continues.
pub fn setup(connection: &Connection, args: &BulkArgs) -> Result<Setup, Stop> {
    let given = SendOptions {
        skip_invalid: args.skip_invalid,
        max_rate: args.max_rate,
        no_adaptive: args.no_adaptive,
        columns: args.columns.iter().cloned().collect(),
    };
    let canonical = |path: &Path| {
        std::fs::canonicalize(path).map_err(|e| {
            invalid(format!(
                "cannot read {}: {e}",
                terminal(&path.display().to_string())
            ))
        })
    };
    if let Some(results) = &args.resume {
        let resumed = record::read(results).map_err(invalid)?;
        let mut found = connection.disagreements(&resumed.settings);
        resumed.options.disagreements(&given, &mut found);
        if matches!(resumed.settings.target, Target::Api { .. })
            && let Some(key) = api_key_fingerprint(connection)
            && resumed.api_key.as_ref() != Some(&key)
        {
            found.push(
                "the API key (from --api-key-file, the environment or the profile) is \
                 another key than the run's"
                    .to_owned(),
            );
        }
        if !found.is_empty() {
            return Err(Stop::Usage(format!(
                "--resume continues the run recorded in {} as it was, and these disagree with \
                 it: {}; leave them out",
                terminal(&record::path_of(results).display().to_string()),
                found.join("; ")
            )));
        }
        let mut record = resumed.clone();
        if let Some(csv) = &args.csv {
            record.input.path = canonical(csv)?;
        }
        return Ok(Setup {
            record,
            results: results.clone(),
            resumed: Some(resumed),
        });
    }
    let Some(csv) = &args.csv else {
        return Err(Stop::Usage(
            "--csv FILE or --resume RESULTS is needed".to_owned(),
        ));
    };
    let settings = connection.settings();
    let api_key = match settings.target {
        Target::Api { .. } => api_key_fingerprint(connection),
        Target::Mock { .. } => None,
    };
    let input = InputIdentity {
        path: canonical(csv)?,
        sha256: String::new(),
        rows: 0,
    };
    Ok(Setup {
        record: RunRecord::new(settings, api_key, input, given),
        results: args
            .results
            .clone()
            .unwrap_or_else(|| results::default_path(csv)),
        resumed: None,
    })
}

/// Refuses a results file (or run record) that is the input, by file
/// identity (a hard link, `./x` and `x` are the same file), or that exists
/// when nothing said to replace it.
pub fn check_paths(setup: &Setup, overwrite: bool) -> Result<(), Stop> {
    let input = &setup.record.input.path;
    let sidecar = record::path_of(&setup.results);
    for (what, path) in [("results file", &setup.results), ("run record", &sidecar)] {
        if same_file::is_same_file(input, path).unwrap_or(false) {
            return Err(Stop::Usage(format!(
                "the {what} {} is the input {}, which it would overwrite; choose another \
                 --results",
                terminal(&path.display().to_string()),
                terminal(&input.display().to_string())
            )));
        }
        if setup.resumed.is_none() && !overwrite && path.symlink_metadata().is_ok() {
            return Err(Stop::Usage(format!(
                "{} exists (the results of another run?); continue that run with --resume {}, \
                 choose another --results, or pass --overwrite to replace it",
                terminal(&path.display().to_string()),
                shell_word(&setup.results)
            )));
        }
    }
    Ok(())
}

/// Takes in what the first pass found: a resume refuses an input that
/// changed, and invalid rows stop a run without `--skip-invalid`.
pub fn accept(setup: &mut Setup, checked: &Checked) -> Result<(), Stop> {
    let shown = terminal(&setup.record.input.path.display().to_string()).into_owned();
    if let Some(resumed) = &setup.resumed
        && resumed.input.sha256 != checked.sha256
    {
        return Err(invalid(format!(
            "{shown} has changed since the run that {} records (SHA-256 {} then, {} now; {} rows \
             then, {} now){}; nothing was sent. A resume sends the same file: put it back as it \
             was, or start a new run with the rows still to send",
            terminal(&setup.results.display().to_string()),
            resumed.input.sha256,
            checked.sha256,
            resumed.input.rows,
            checked.rows,
            checked.changes
        )));
    }
    setup.record.input.sha256.clone_from(&checked.sha256);
    setup.record.input.rows = checked.rows;
    if checked.invalid > 0 && !setup.record.options.skip_invalid {
        return Err(invalid(format!(
            "{} invalid row(s) in {shown}; nothing was sent. Fix them, or pass --skip-invalid to \
             send the valid rows only",
            checked.invalid
        )));
    }
    Ok(())
}

/// Where the results go: a new file, created new; or, for a resume or with
/// --overwrite, a file that replaces the old one once complete. A new run's
/// record is written first, durably, so that its results can always be
/// continued; one that replaces another is written when its results are.
pub fn open_output(setup: &Setup, overwrite: bool) -> Result<Output, Stop> {
    let shown = terminal(&setup.results.display().to_string()).into_owned();
    let unwritable = |e: std::io::Error| {
        Stop::Exit(
            exit::RESULTS_UNWRITABLE,
            format!("cannot write {shown}: {e}; nothing was sent"),
        )
    };
    if setup.resumed.is_some() || overwrite {
        return Output::replacing(&setup.results).map_err(unwritable);
    }
    let sidecar = record::path_of(&setup.results);
    record::write(&setup.results, &setup.record, false).map_err(|e| {
        Stop::Exit(
            exit::RESULTS_UNWRITABLE,
            format!(
                "cannot write {}: {e}; nothing was sent",
                terminal(&sidecar.display().to_string())
            ),
        )
    })?;
    Output::create_new(&setup.results).map_err(unwritable)
}
