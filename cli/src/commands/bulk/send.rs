//! Sending a checked input: its rows are read again, one at a time, and fed
//! to the library's batch; every row's result is written to the results
//! file in line order as soon as it and the rows before it are known.
//!
//! Rows read and not yet written are bounded: reading pauses while too many
//! wait, so memory does not grow with the file.
//!
//! A contact's rows apply in file order, and none after one that failed
//! (it is recorded `not_sent`), so that a resume sends the failed row and
//! those after it, in order: the batch does both, told to stop a contact on
//! its first failure. A row waiting for its contact's turn holds no slot in
//! the batch, so reading goes on with other contacts' rows.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Write};
use std::sync::{Arc, Mutex, MutexGuard};

use futures_util::{StreamExt, stream};
use sha2::{Digest, Sha256};
use talktohumans::{
    BulkItem, BulkOptions, BulkSummary, Client, Error, ErrorKind, NotSent, StopHandle,
    UpdateContactInput,
};
use tokio::sync::Notify;

use super::input::{Check, Row, Rows};
use super::progress::Progress;
use super::results::{Outcome, Previous, ResultRow, Writer};
use super::signals::Signals;
use super::summary::Counts;
use crate::context::hex;
use crate::drift::DriftLog;
use crate::print::terminal;
use crate::returned;
use crate::tags;

/// Failures shown as they happen; past these, a terminal would scroll away
/// and the results CSV has them all.
const SHOWN_FAILURES: u64 = 20;

/// Rows read and not yet written, at most.
const MAX_WAITING: u64 = 4096;

/// The rows of a sent row's result that may have been applied, listed when
/// the results file cannot be written; past these, a count.
const LISTED_UNRECORDED: usize = 1000;

/// What to send, and where the results go.
pub struct Plan {
    pub client: Client,
    pub options: BulkOptions,
    /// The input, from its start.
    pub rows: Rows,
    /// The results of the run being continued.
    pub previous: Option<Previous>,
    pub writer: Writer,
    pub progress: Progress,
    pub signals: Arc<Signals>,
    /// `--limit`: how many rows to send at most.
    pub limit: Option<u64>,
    /// `--contacts-out`: where each ok row's contact goes, whole.
    pub contacts: Option<File>,
}

/// What came of it.
pub struct Sent {
    pub counts: Counts,
    /// What the server's answers held that did not fit, if anything.
    pub drift: Option<String>,
    pub summary: BulkSummary,
    /// Why the results file could not be written, if it could not.
    pub write_error: Option<io::Error>,
    /// Rows sent but missing from the results file, since it could not be
    /// written: they may have been applied.
    pub unrecorded: Vec<u64>,
    /// How many more such rows than those listed.
    pub unrecorded_more: u64,
    /// The input's SHA-256 as read this time, or why it could not be read
    /// to the end.
    pub input_end: Option<Result<String, String>>,
}

/// A row to send, and where its result goes.
struct Pending {
    /// Its place among the rows read (0 for the first).
    seq: u64,
    line: u64,
    digest: String,
    contact_id: String,
}

struct SendState {
    /// The place of the first row not yet written; rows are read in order,
    /// so those from here up to `next_seq` wait.
    front_seq: u64,
    next_seq: u64,
    /// Results known, waiting for the rows before them.
    done: HashMap<u64, ResultRow>,
    /// The rows given to the batch, by the batch's index.
    in_flight: HashMap<usize, Pending>,
    /// The batch's index of the next row given.
    next_index: usize,
    /// The line of each failed row, by the batch's index: the batch names
    /// the failed update that held a row back by its index, and the results
    /// name it by its line.
    failed_lines: HashMap<usize, u64>,
    recorder: Recorder,
    input_end: Option<Result<String, String>>,
}

impl SendState {
    /// Notes the result of row `seq`, and writes every row now known in
    /// line order.
    fn settle(&mut self, seq: u64, row: ResultRow) {
        self.done.insert(seq, row);
        while let Some(row) = self.done.remove(&self.front_seq) {
            self.recorder.record(row);
            self.front_seq += 1;
        }
    }

    /// Notes a row given to the batch, as its next update.
    fn give(&mut self, pending: Pending) {
        self.in_flight.insert(self.next_index, pending);
        self.next_index += 1;
    }
}

/// Counts, shows and writes each row's result.
struct Recorder {
    writer: Writer,
    counts: Counts,
    drift: DriftLog,
    progress: Progress,
    write_error: Option<io::Error>,
    unrecorded: Vec<u64>,
    unrecorded_more: u64,
    stop: Option<StopHandle>,
    contacts: Option<File>,
}

impl Recorder {
    fn record(&mut self, row: ResultRow) {
        self.counts.add(row.outcome, row.error.as_deref());
        self.progress.advance(self.counts.failed);
        if row.outcome == Outcome::Failed {
            if self.counts.failed <= SHOWN_FAILURES {
                self.progress.println(&format!(
                    "line {}: contact {}: failed: {}",
                    row.line,
                    terminal(&row.contact_id),
                    terminal(row.error.as_deref().unwrap_or(""))
                ));
            } else if self.counts.failed == SHOWN_FAILURES + 1 {
                self.progress
                    .println("more failures are only in the results CSV");
            }
        }
        if row.outcome == Outcome::AppliedUnreadable
            && self.counts.applied_unreadable <= SHOWN_FAILURES
        {
            self.progress.println(&format!(
                "line {}: contact {}: applied, but the answer could not be read: {}",
                row.line,
                terminal(&row.contact_id),
                terminal(row.error.as_deref().unwrap_or(""))
            ));
        }
        if self.write_error.is_none()
            && let Err(e) = self
                .writer
                .write(&row)
                .and_then(|()| self.write_contact(&row))
        {
            self.write_error = Some(e);
            // Nothing more goes out that could not be recorded; what is in
            // flight finishes, so that its outcome is at least reported.
            if let Some(stop) = &self.stop {
                stop.stop();
            }
        }
        if self.write_error.is_some() && row.outcome.was_sent() {
            if self.unrecorded.len() < LISTED_UNRECORDED {
                self.unrecorded.push(row.line);
            } else {
                self.unrecorded_more += 1;
            }
        }
    }
}

impl Recorder {
    /// Writes an ok row's contact as one JSON line, after its results row,
    /// so that the contacts file never holds a row the results do not.
    fn write_contact(&mut self, row: &ResultRow) -> io::Result<()> {
        let (Some(file), Some(contact)) = (&mut self.contacts, &row.contact) else {
            return Ok(());
        };
        let mut line = serde_json::to_vec(&serde_json::json!({
            "line": row.line,
            "contact_id": row.contact_id,
            "contact": contact,
        }))
        .map_err(io::Error::other)?;
        line.push(b'\n');
        file.write_all(&line)
    }
}

fn lock(shared: &Mutex<SendState>) -> MutexGuard<'_, SendState> {
    // Nothing panics while holding the lock; recover anyway rather than
    // lose the results.
    shared.lock().unwrap_or_else(|e| e.into_inner())
}

/// The second pass over the input, as the batch's stream of updates.
struct Feed {
    rows: Option<Rows>,
    previous: Option<Previous>,
    /// `--limit`, and how many rows it still lets through.
    limit: Option<(u64, u64)>,
    shared: Arc<Mutex<SendState>>,
    room: Arc<Notify>,
}

/// What the feed does next.
enum Next {
    Read,
    Wait,
    End,
}

impl Feed {
    async fn next_input(&mut self) -> Option<UpdateContactInput> {
        loop {
            match self.next() {
                Next::End => return None,
                Next::Wait => self.room.notified().await,
                Next::Read => {
                    if let Some(input) = self.read_row() {
                        return Some(input);
                    }
                }
            }
        }
    }

    /// Whether to read on, wait for a result, or end.
    fn next(&mut self) -> Next {
        let shared = lock(&self.shared);
        if shared.recorder.write_error.is_some() || self.rows.is_none() {
            return Next::End;
        }
        if shared.next_seq - shared.front_seq >= MAX_WAITING {
            return Next::Wait;
        }
        Next::Read
    }

    /// Reads a row, and gives it to the batch if it is to be sent now.
    fn read_row(&mut self) -> Option<UpdateContactInput> {
        let rows = self.rows.as_mut()?;
        let mut row = match rows.next_row() {
            Ok(Some(row)) => row,
            Ok(None) => {
                let end = self.rows.take()?.finish().map(|(digest, _)| digest);
                lock(&self.shared).input_end = Some(end);
                return None;
            }
            Err(e) => {
                self.end_with(e);
                return None;
            }
        };
        let carried = match &mut self.previous {
            Some(previous) => match previous.at(row.line) {
                Ok(Some(old)) if old.digest == row.digest && old.outcome.is_settled() => Some(old),
                Ok(_) => None,
                Err(e) => {
                    self.end_with(e);
                    return None;
                }
            },
            None => None,
        };
        let mut shared = lock(&self.shared);
        let seq = shared.next_seq;
        shared.next_seq += 1;
        if let Some(old) = carried {
            shared.settle(seq, old);
            return None;
        }
        let check = std::mem::replace(&mut row.check, Check::NothingToUpdate);
        let Row {
            line,
            digest,
            contact_id,
            ..
        } = row;
        match check {
            Check::Ready(_) if self.limit.is_some_and(|(_, left)| left == 0) => {
                let limit = self.limit.map_or(0, |(limit, _)| limit);
                let row = ResultRow {
                    error: Some(format!(
                        "not sent: past --limit {limit}; --resume sends the rest"
                    )),
                    ..ResultRow::new(line, &digest, &contact_id, Outcome::NotSent)
                };
                shared.settle(seq, row);
            }
            Check::Ready(input) => {
                if let Some((_, left)) = &mut self.limit {
                    *left -= 1;
                }
                shared.give(Pending {
                    seq,
                    line,
                    digest,
                    contact_id,
                });
                return Some(*input);
            }
            Check::NothingToUpdate => {
                let row = ResultRow::new(line, &digest, &contact_id, Outcome::Skipped);
                shared.settle(seq, row);
            }
            Check::Invalid(why) => {
                let row = ResultRow {
                    error: Some(why),
                    ..ResultRow::new(line, &digest, &contact_id, Outcome::Invalid)
                };
                shared.settle(seq, row);
            }
        }
        None
    }

    /// The input cannot be read further: nothing more is sent.
    fn end_with(&mut self, error: String) {
        self.rows = None;
        let mut shared = lock(&self.shared);
        if let Some(stop) = &shared.recorder.stop {
            stop.stop();
        }
        shared.input_end = Some(Err(error));
    }
}

/// Sends the plan's rows and records every result.
pub async fn send(plan: Plan) -> Sent {
    let printer = plan.progress.printer();
    let shared = Arc::new(Mutex::new(SendState {
        front_seq: 0,
        next_seq: 0,
        done: HashMap::new(),
        in_flight: HashMap::new(),
        next_index: 0,
        failed_lines: HashMap::new(),
        recorder: Recorder {
            writer: plan.writer,
            counts: Counts::default(),
            drift: DriftLog::default(),
            progress: plan.progress,
            write_error: None,
            unrecorded: Vec::new(),
            unrecorded_more: 0,
            stop: None,
            contacts: plan.contacts,
        },
        input_end: None,
    }));
    let room = Arc::new(Notify::new());
    let feed = Feed {
        rows: Some(plan.rows),
        previous: plan.previous,
        limit: plan.limit.map(|limit| (limit, limit)),
        shared: Arc::clone(&shared),
        room: Arc::clone(&room),
    };
    let inputs = stream::unfold(feed, |mut feed| async move {
        let input = feed.next_input().await?;
        Some((input, feed))
    });
    let mut batch = plan.client.update_contacts_with(plan.options, inputs);
    let stop = batch.stop_handle();
    lock(&shared).recorder.stop = Some(stop.clone());
    plan.signals.attach(stop, printer);

    let mut held_back = 0;
    while let Some(item) = batch.next().await {
        if let Err(Error::NotSent(NotSent::EarlierUpdateFailed { .. })) = &item.result {
            held_back += 1;
        }
        let mut state = lock(&shared);
        match state.in_flight.remove(&item.index) {
            Some(pending) => {
                if let Ok(output) = &item.result {
                    state.recorder.drift.note(&output.drift);
                }
                let index = item.index;
                let keep_contact = state.recorder.contacts.is_some();
                let row = result_row(&pending, item, &state.failed_lines, keep_contact);
                if row.outcome == Outcome::Failed {
                    state.failed_lines.insert(index, pending.line);
                }
                state.settle(pending.seq, row);
            }
            // Every item is one the feed gave; should one not be, it is
            // reported rather than lost.
            None => state.recorder.record(ResultRow {
                error: Some(format!("internal error: unknown result {}", item.index)),
                ..ResultRow::new(0, "", item.contact_id.as_str(), Outcome::Failed)
            }),
        }
        drop(state);
        room.notify_one();
    }
    let mut summary = batch.summary().clone();
    // The batch counts a row it held back among its failures, but the fault
    // is its contact's failed row, already counted: the held-back row is
    // counted once, among the `not_sent` rows, with its reason.
    if let Some(not_sent) = summary.failed.get_mut(&ErrorKind::NotSent) {
        *not_sent = not_sent.saturating_sub(held_back);
        if *not_sent == 0 {
            summary.failed.remove(&ErrorKind::NotSent);
        }
    }
    // The batch owns the feed, and with it the other handle to `shared`.
    drop(batch);
    let mut state = lock(&shared);
    state.recorder.progress.finish();
    let recorder = &mut state.recorder;
    Sent {
        counts: std::mem::take(&mut recorder.counts),
        drift: recorder.drift.summary(),
        summary,
        write_error: recorder.write_error.take(),
        unrecorded: std::mem::take(&mut recorder.unrecorded),
        unrecorded_more: recorder.unrecorded_more,
        input_end: state.input_end.take(),
    }
}

fn result_row(
    pending: &Pending,
    item: BulkItem,
    failed_lines: &HashMap<usize, u64>,
    keep_contact: bool,
) -> ResultRow {
    let row = |outcome| ResultRow::new(pending.line, &pending.digest, &pending.contact_id, outcome);
    // The batch names the failed row by its own index; a line means
    // something to whoever reads the results.
    if let Err(Error::NotSent(NotSent::EarlierUpdateFailed { index })) = &item.result
        && let Some(first) = failed_lines.get(index)
    {
        return ResultRow {
            error: Some(format!(
                "not sent: an earlier row of this contact (line {first}) failed, so this one \
                 was held back"
            )),
            ..row(Outcome::NotSent)
        };
    }
    match item.result {
        Ok(output) => ResultRow {
            http_status: Some(output.status.as_u16()),
            request_id: output.request_id().map(str::to_owned),
            // A contact's tags come back as names only (the API reference
            // returns no color), so the cell holds names.
            tags: Some(tags::write_cell(
                output
                    .contact
                    .tags
                    .iter()
                    .flatten()
                    .filter_map(|tag| Some((tag.name.as_deref()?, None))),
            )),
            notes_sha256: output
                .contact
                .notes_json
                .as_deref()
                .filter(|notes| !notes.is_empty())
                .map(|notes| hex(&Sha256::digest(notes.as_bytes())[..8])),
            contact: keep_contact.then(|| returned::whole_contact(&output)),
            ..row(Outcome::Ok)
        },
        // Every reason the batch gives for not sending, whatever it is.
        Err(error @ Error::NotSent(_)) => ResultRow {
            error: Some(error.to_string()),
            ..row(Outcome::NotSent)
        },
        Err(error) => ResultRow {
            http_status: error.status().map(|s| s.as_u16()),
            request_id: error.request_id().map(str::to_owned),
            error: Some(error.to_string()),
            ..row(if error.applied() {
                Outcome::AppliedUnreadable
            } else {
                Outcome::Failed
            })
        },
    }
}
