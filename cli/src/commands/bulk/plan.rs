//! What a bulk run is, before anything is sent: a new run from the flags,
//! or the continuation of a recorded one; the paths it may write; and the
//! file its results go to.

use std::path::{Path, PathBuf};

use talktohumans::InvalidInput;

use super::args::BulkArgs;
use super::check::Checked;
use super::durable::Output;
use super::input::{Format, STDIN};
use super::record::{self, InputIdentity, RunRecord, SendOptions};
use super::results;
use super::stop::{Stop, invalid};
use super::summary::shell_word;
use crate::change::{Change, ChangeError};
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
    let given_input = [
        (Format::Csv, &args.csv),
        (Format::Jsonl, &args.jsonl),
        (Format::Ids, &args.ids),
    ]
    .into_iter()
    .find_map(|(format, path)| Some((format, path.as_deref()?)));
    if given_input.is_some_and(|(_, path)| is_stdin(path))
        && args.change.notes_file.as_deref().is_some_and(is_stdin)
    {
        return Err(Stop::Usage(
            "the input and --notes-file cannot both be standard input (-)".to_owned(),
        ));
    }
    let given = SendOptions {
        skip_invalid: args.skip_invalid,
        max_rate: args.max_rate,
        no_adaptive: args.no_adaptive,
        columns: args.columns.iter().cloned().collect(),
        change: change(args, given_input.map(|(format, _)| format))?,
    };
    let canonical = |path: &Path| {
        if is_stdin(path) {
            return Ok(path.to_owned());
        }
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
        if let Some((format, _)) = given_input
            && format != resumed.input.format
        {
            found.push(format!(
                "{}, where the run read its input with {}",
                format.flag(),
                resumed.input.format.flag()
            ));
        }
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
        match given_input {
            Some((_, path)) => record.input.path = canonical(path)?,
            None if is_stdin(&resumed.input.path) => {
                return Err(Stop::Usage(format!(
                    "the run read its input from standard input, which is gone: give it \
                     again, as --resume {} {} -",
                    shell_word(results),
                    resumed.input.format.flag()
                )));
            }
            None => {}
        }
        return Ok(Setup {
            record,
            results: results.clone(),
            resumed: Some(resumed),
        });
    }
    let Some((format, path)) = given_input else {
        return Err(Stop::Usage(
            "--csv FILE, --jsonl FILE, --ids FILE or --resume RESULTS is needed".to_owned(),
        ));
    };
    let results = match &args.results {
        Some(results) => results.clone(),
        None if is_stdin(path) && !args.dry_run => {
            return Err(Stop::Usage(format!(
                "{} - reads standard input, which has no place for the results beside it: \
                 name the results file with --results",
                format.flag()
            )));
        }
        None => results::default_path(path),
    };
    let settings = connection.settings();
    let api_key = match settings.target {
        Target::Api { .. } => api_key_fingerprint(connection),
        Target::Mock { .. } => None,
    };
    let input = InputIdentity {
        path: canonical(path)?,
        format,
        sha256: String::new(),
        rows: 0,
    };
    Ok(Setup {
        record: RunRecord::new(settings, api_key, input, given),
        results,
        resumed: None,
    })
}

fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == STDIN
}

/// The change that the flags give for every id of `--ids`, checked once
/// here rather than on every row.
fn change(args: &BulkArgs, format: Option<Format>) -> Result<Option<Change>, Stop> {
    const FLAGS: &str = "--add, --remove, --set, --clear-tags, --notes, --notes-file, \
                         --clear-notes or --account";
    if !args.change.given() {
        if format == Some(Format::Ids) && args.resume.is_none() {
            return Err(Stop::Usage(format!(
                "--ids needs the change to make to every id: {FLAGS}"
            )));
        }
        return Ok(None);
    }
    if format.is_some_and(|f| f != Format::Ids) || (format.is_none() && args.resume.is_none()) {
        return Err(Stop::Usage(format!(
            "{FLAGS} give one change for every id of --ids; a CSV or JSON Lines input says the \
             change of each contact in its rows"
        )));
    }
    if let Some(conflict) = args.change.conflict() {
        return Err(Stop::Usage(conflict));
    }
    let change = args.change.change().map_err(invalid)?;
    // Any valid id: what is checked here is the change.
    match change.input("1") {
        Ok(_) => Ok(Some(change)),
        Err(ChangeError::Input(InvalidInput::NothingToUpdate)) => Err(Stop::Usage(format!(
            "--account alone changes nothing: add {FLAGS}"
        ))),
        Err(ChangeError::Input(e)) => Err(invalid(format!("the change: {e}; nothing was sent"))),
        Err(ChangeError::Tag(_, e)) => Err(invalid(format!("the change: {e}; nothing was sent"))),
    }
}

/// Refuses a results file (or run record) that is the input, by file
/// identity (a hard link, `./x` and `x` are the same file), or that exists
/// when nothing said to replace it.
pub fn check_paths(
    setup: &Setup,
    overwrite: bool,
    contacts_out: Option<&Path>,
) -> Result<(), Stop> {
    let input = &setup.record.input.path;
    let sidecar = record::path_of(&setup.results);
    if let Some(contacts) = contacts_out {
        for (what, path) in [
            ("input", input),
            ("results file", &setup.results),
            ("run record", &sidecar),
        ] {
            let same = same_file::is_same_file(contacts, path).unwrap_or(false)
                || contacts == path.as_path();
            if same {
                return Err(Stop::Usage(format!(
                    "--contacts-out {} is the {what}, which it would overwrite; choose another \
                     file",
                    terminal(&contacts.display().to_string())
                )));
            }
        }
        if !overwrite && contacts.symlink_metadata().is_ok() {
            return Err(Stop::Usage(format!(
                "--contacts-out {} exists; choose another file, or pass --overwrite to replace it",
                terminal(&contacts.display().to_string())
            )));
        }
    }
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
    let shown = terminal(&setup.record.input.shown()).into_owned();
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

/// Where the contacts go: like the results, a new file, or one that
/// replaces the old once complete.
pub fn open_contacts(path: &Path, overwrite: bool) -> Result<Output, Stop> {
    let opened = if overwrite {
        Output::replacing(path)
    } else {
        Output::create_new(path)
    };
    opened.map_err(|e| {
        Stop::Exit(
            exit::RESULTS_UNWRITABLE,
            format!(
                "cannot write {}: {e}; nothing was sent",
                terminal(&path.display().to_string())
            ),
        )
    })
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
