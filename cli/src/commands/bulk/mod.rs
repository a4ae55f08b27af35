//! `contact bulk`: many updates from a CSV file, checked first, sent with
//! one update per contact at a time in file order, recorded row by row in a
//! results file with a record of the run beside it, stopped cleanly by a
//! signal, and continued with `--resume`.
//!
//! In the order a run goes through them: `args`, `plan` (what the run is),
//! `check` (the first pass), `send` (the second, with `signals` and
//! `progress`), `finish` (with `summary`); and below them `input`,
//! `results`, `record`, `durable` and `stop`.

mod args;
mod check;
mod durable;
mod finish;
mod input;
mod plan;
mod progress;
mod record;
mod results;
mod send;
mod signals;
mod stop;
mod summary;

use std::sync::Arc;

use talktohumans::BulkOptions;

pub use self::args::BulkArgs;
use self::input::Rows;
use self::progress::Progress;
use self::results::{Previous, Writer};
use self::signals::Signals;
use self::stop::{Stop, invalid};
use crate::context::{Connection, connect};
use crate::exit::{self, UsageError};
use crate::print::{err, terminal};

const PATH: &[&str] = &["contact", "bulk"];

pub async fn run(connection: &Connection, args: BulkArgs) -> Result<u8, UsageError> {
    match bulk(connection, &args).await {
        Ok(code) => Ok(code),
        Err(Stop::Usage(message)) => Err(UsageError {
            path: PATH,
            message,
        }),
        Err(Stop::Exit(code, message)) => {
            err(format_args!("error: {message}"));
            Ok(code)
        }
    }
}

async fn bulk(connection: &Connection, args: &BulkArgs) -> Result<u8, Stop> {
    if args.only_failed.is_some() {
        return Err(Stop::Usage(
            "--only-failed is replaced by --resume RESULTS, which continues the run that \
             wrote RESULTS with its own input, target and options"
                .to_owned(),
        ));
    }
    // From the start, so that a signal while checking does not kill the
    // process on its way to sending.
    let signals = Signals::listen().map_err(|e| {
        Stop::Exit(
            exit::FAILURE,
            format!("cannot listen for stop signals: {e}"),
        )
    })?;
    let mut setup = plan::setup(connection, args)?;
    // A dry run writes nothing, so no path of the run's is in its way.
    if !args.dry_run {
        plan::check_paths(&setup, args.overwrite, args.contacts_out.as_deref())?;
    }
    let shown = setup.record.input.shown();
    let checked = check::check_input(&setup)?;
    plan::accept(&mut setup, &checked)?;
    let record = &setup.record;
    if args.dry_run {
        return check::dry_run(checked.file, &shown, record.intake());
    }
    if setup.resumed.is_some() {
        err(format_args!(
            "resuming {}: {} row(s) already done, {} to go",
            terminal(&setup.results.display().to_string()),
            checked.done,
            checked.rows - checked.done
        ));
    }
    if let Some(signal) = signals.first() {
        err("stopped before anything was sent");
        return Ok(exit::stopped_by(signal));
    }

    let session = connect(&record.settings, connection)
        .await
        .map_err(|message| Stop::Exit(exit::USAGE, message))?;
    let output = plan::open_output(&setup, args.overwrite)?;
    let unwritable = |e: std::io::Error| {
        Stop::Exit(
            exit::RESULTS_UNWRITABLE,
            format!(
                "cannot write {}: {e}; nothing was sent",
                terminal(&setup.results.display().to_string())
            ),
        )
    };
    let writer = Writer::new(output.writer().map_err(unwritable)?).map_err(unwritable)?;
    let contacts = match &args.contacts_out {
        Some(path) => Some(plan::open_contacts(path, args.overwrite)?),
        None => None,
    };
    let contacts_file = match &contacts {
        Some(contacts) => Some(contacts.writer().map_err(unwritable)?),
        None => None,
    };
    let previous = match &setup.resumed {
        Some(_) => Some(Previous::open(&setup.results).map_err(invalid)?),
        None => None,
    };
    let options = BulkOptions::default()
        .concurrency(usize::from(record.settings.concurrency))
        .max_rate(record.options.max_rate.unwrap_or(0))
        .adaptive(!record.options.no_adaptive)
        .stop_contact_on_failure(true)
        // The results are put in line order by `send` itself.
        .unordered();
    let sent = send::send(send::Plan {
        client: session.client.clone(),
        options,
        rows: Rows::new(checked.file, &terminal(&shown), record.intake()).map_err(invalid)?,
        previous,
        writer,
        progress: Progress::new(checked.rows),
        signals: Arc::clone(&signals),
        limit: args.limit,
        contacts: contacts_file,
    })
    .await;

    Ok(finish::finish(
        &setup,
        output,
        contacts,
        &sent,
        signals.first(),
    ))
}
