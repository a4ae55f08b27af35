//! The end of a bulk run: the results saved (or why they could not be),
//! the summary printed, the command that continues the run, and the exit
//! code.

use serde_json::json;

use super::durable::Output;
use super::input::STDIN;
use super::plan::Setup;
use super::record;
use super::send::Sent;
use super::summary::{self, Ending, shell_word};
use crate::exit;
use crate::print::{self, err, out, terminal};

/// Saves the results and reports; the exit code.
pub fn finish(
    setup: &Setup,
    output: Output,
    contacts: Option<Output>,
    sent: &Sent,
    signal: Option<i32>,
) -> u8 {
    let shown = setup.record.input.shown();
    let mut ending = Ending {
        write_failed: false,
        signal,
    };
    let results_shown = terminal(&setup.results.display().to_string()).into_owned();
    let mut resumable = true;
    if let Some(e) = &sent.write_error {
        ending.write_failed = true;
        let kept = match output {
            Output::New { .. } => {
                let _ = output.commit();
                format!("{results_shown} holds the rows recorded before the error")
            }
            Output::Replacing { .. } => {
                resumable = setup.resumed.is_some();
                format!("{results_shown} is as it was before this run")
            }
        };
        err(format_args!(
            "error: cannot write the results: {e}. No update was sent after that; {kept}."
        ));
        if !sent.unrecorded.is_empty() {
            let lines: Vec<String> = sent.unrecorded.iter().map(u64::to_string).collect();
            let more = if sent.unrecorded_more > 0 {
                format!(" and {} more", sent.unrecorded_more)
            } else {
                String::new()
            };
            err(format_args!(
                "these rows were sent but are not in the results, and may have been applied: \
                 line(s) {}{more}",
                lines.join(", ")
            ));
        }
    } else {
        let saved = if matches!(output, Output::Replacing { .. })
            && setup.resumed.as_ref() != Some(&setup.record)
        {
            record::write(&setup.results, &setup.record, true)
        } else {
            Ok(())
        };
        if let Err(e) = saved.and_then(|()| output.commit()) {
            ending.write_failed = true;
            resumable = setup.resumed.is_some();
            err(format_args!(
                "error: cannot save the results in {results_shown}: {e}. The updates of this run \
                 are not recorded there"
            ));
        }
    }
    // The contacts file holds only rows the results hold: kept as far as
    // it was written, like a new results file.
    let contacts_path = contacts.as_ref().map(|c| c.path().display().to_string());
    let contacts_shown = contacts
        .as_ref()
        .map(|c| terminal(&c.path().display().to_string()).into_owned());
    if let (Some(contacts), Some(shown)) = (contacts, &contacts_shown)
        && let Err(e) = contacts.commit()
    {
        ending.write_failed = true;
        err(format_args!(
            "error: cannot save the contacts in {shown}: {e}"
        ));
    }
    let mut code = summary::exit_code(&sent.counts, &ending);
    match &sent.input_end {
        Some(Err(e)) => {
            err(format_args!(
                "error: {}; the rows after it were not sent",
                terminal(e)
            ));
            if code == exit::OK || code == exit::PARTIAL_FAILURE {
                code = exit::INVALID_INPUT;
            }
        }
        Some(Ok(digest)) if *digest != setup.record.input.sha256 => err(format_args!(
            "warning: {} changed while the run read it; the results may not match it",
            terminal(&shown)
        )),
        _ => {}
    }

    out(&sent.summary);
    sent.counts.print();
    if let Some(drift) = &sent.drift {
        out(format_args!("drift: {drift}; the updates were applied"));
    }
    out(format_args!("results: {results_shown}"));
    if let Some(shown) = &contacts_shown {
        out(format_args!("contacts: {shown}"));
    }
    let resume = (resumable && (sent.counts.unfinished() || ending.write_failed)).then(|| {
        // Standard input is gone with this run: the command says to give
        // it again.
        let input = &setup.record.input;
        let again = if input.path.as_os_str() == STDIN {
            format!(" {} -", input.format.flag())
        } else {
            String::new()
        };
        format!(
            "talktohumans contact bulk --resume {}{again}",
            shell_word(&setup.results)
        )
    });
    if let Some(command) = &resume {
        out(format_args!("to continue: {command}"));
    }
    if print::json_mode() {
        let counts = &sent.counts;
        print::json(&json!({
            "rows": {
                "ok": counts.ok,
                "failed": counts.failed,
                "applied_unreadable": counts.applied_unreadable,
                "skipped": counts.skipped,
                "invalid": counts.invalid,
                "not_sent": counts.not_sent,
            },
            "not_sent_reasons": counts.reasons,
            "retries": sent.summary.retries,
            "elapsed_ms": u64::try_from(sent.summary.elapsed.as_millis()).unwrap_or(u64::MAX),
            "drift": sent.drift,
            "results": setup.results.display().to_string(),
            "contacts": contacts_path,
            "resume_command": resume,
            "stopped_by_signal": signal,
            "exit_code": code,
        }));
    }
    code
}
