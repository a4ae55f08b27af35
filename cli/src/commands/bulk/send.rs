//! Sending a checked input: its rows are read again, one at a time, and fed
//! to the library's batch; every row's result is written to the results
//! file in line order as soon as it is known.
//!
//! The batch yields results in input order (its reorder window bounds what
//! waits), and rows that are not sent (carried over from an earlier run,
//! skipped, invalid) wait in a queue only behind a sent row whose result has
//! not come yet; the queue is bounded, and reading pauses while it is full,
//! so memory does not grow with the file.

use std::collections::VecDeque;
use std::io;
use std::sync::{Arc, Mutex, MutexGuard};

use futures_util::{StreamExt, stream};
use talktohumans::{BulkItem, BulkOptions, BulkSummary, Client, Error, StopHandle};
use tokio::sync::Notify;

use super::input::{Check, Rows};
use super::progress::Progress;
use super::results::{Outcome, Previous, ResultRow, Writer};
use super::signals::Signals;
use super::summary::Counts;
use crate::print::terminal;

/// Failures shown as they happen; past these, a terminal would scroll away
/// and the results CSV has them all.
const SHOWN_FAILURES: u64 = 20;

/// Rows read ahead of the oldest result still to come.
const MAX_QUEUED: usize = 4096;

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
}

/// What came of it.
pub struct Sent {
    pub counts: Counts,
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

enum Slot {
    /// Sent as the batch's `index`th update.
    Sent {
        index: usize,
        line: u64,
        digest: String,
        contact_id: String,
    },
    /// Known without sending; written once the rows before it are.
    Settled(ResultRow),
}

struct Shared {
    queue: VecDeque<Slot>,
    recorder: Recorder,
    input_end: Option<Result<String, String>>,
}

/// Counts, shows and writes each row's result.
struct Recorder {
    writer: Writer,
    counts: Counts,
    progress: Progress,
    write_error: Option<io::Error>,
    unrecorded: Vec<u64>,
    unrecorded_more: u64,
    stop: Option<StopHandle>,
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
            && let Err(e) = self.writer.write(&row)
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

fn lock(shared: &Mutex<Shared>) -> MutexGuard<'_, Shared> {
    // Nothing panics while holding the lock; recover anyway rather than
    // lose the results.
    shared.lock().unwrap_or_else(|e| e.into_inner())
}

/// The second pass over the input, as the batch's stream of updates.
struct Feed {
    rows: Option<Rows>,
    previous: Option<Previous>,
    shared: Arc<Mutex<Shared>>,
    room: Arc<Notify>,
    next_index: usize,
}

impl Feed {
    async fn next_input(&mut self) -> Option<talktohumans::UpdateContactInput> {
        loop {
            loop {
                {
                    let shared = lock(&self.shared);
                    if shared.recorder.write_error.is_some() {
                        return None;
                    }
                    if shared.queue.len() < MAX_QUEUED {
                        break;
                    }
                }
                self.room.notified().await;
            }
            let rows = self.rows.as_mut()?;
            let row = match rows.next_row() {
                Ok(Some(row)) => row,
                Ok(None) => {
                    let end = self.rows.take()?.finish().map(|(digest, _)| digest);
                    lock(&self.shared).input_end = Some(end);
                    return None;
                }
                Err(e) => return self.end_with(e),
            };
            if let Some(previous) = &mut self.previous {
                match previous.at(row.line) {
                    Ok(Some(old)) if old.digest == row.digest && old.outcome.is_settled() => {
                        self.settle(old);
                        continue;
                    }
                    Ok(_) => {}
                    Err(e) => return self.end_with(e),
                }
            }
            match row.check {
                Check::Ready(input) => {
                    let index = self.next_index;
                    self.next_index += 1;
                    lock(&self.shared).queue.push_back(Slot::Sent {
                        index,
                        line: row.line,
                        digest: row.digest,
                        contact_id: row.contact_id,
                    });
                    return Some(*input);
                }
                Check::NothingToUpdate => self.settle(ResultRow::new(
                    row.line,
                    &row.digest,
                    &row.contact_id,
                    Outcome::Skipped,
                )),
                Check::Invalid(why) => self.settle(ResultRow {
                    error: Some(why),
                    ..ResultRow::new(row.line, &row.digest, &row.contact_id, Outcome::Invalid)
                }),
            }
        }
    }

    /// Writes the row now if no sent row is ahead of it, else queues it.
    fn settle(&self, row: ResultRow) {
        let mut shared = lock(&self.shared);
        if shared.queue.is_empty() {
            shared.recorder.record(row);
        } else {
            shared.queue.push_back(Slot::Settled(row));
        }
    }

    /// The input cannot be read further: nothing more is sent.
    fn end_with(&mut self, error: String) -> Option<talktohumans::UpdateContactInput> {
        self.rows = None;
        let mut shared = lock(&self.shared);
        if let Some(stop) = &shared.recorder.stop {
            stop.stop();
        }
        shared.input_end = Some(Err(error));
        None
    }
}

/// Sends the plan's rows and records every result.
pub async fn send(plan: Plan) -> Sent {
    let printer = plan.progress.printer();
    let shared = Arc::new(Mutex::new(Shared {
        queue: VecDeque::new(),
        recorder: Recorder {
            writer: plan.writer,
            counts: Counts::default(),
            progress: plan.progress,
            write_error: None,
            unrecorded: Vec::new(),
            unrecorded_more: 0,
            stop: None,
        },
        input_end: None,
    }));
    let room = Arc::new(Notify::new());
    let feed = Feed {
        rows: Some(plan.rows),
        previous: plan.previous,
        shared: Arc::clone(&shared),
        room: Arc::clone(&room),
        next_index: 0,
    };
    let inputs = stream::unfold(feed, |mut feed| async move {
        let input = feed.next_input().await?;
        Some((input, feed))
    });
    let mut batch = plan.client.update_contacts_with(plan.options, inputs);
    let stop = batch.stop_handle();
    lock(&shared).recorder.stop = Some(stop.clone());
    plan.signals.attach(stop, printer);

    while let Some(item) = batch.next().await {
        let mut state = lock(&shared);
        let row = match state.queue.pop_front() {
            Some(Slot::Sent {
                index,
                line,
                digest,
                contact_id,
            }) if index == item.index => result_row(line, &digest, &contact_id, item),
            other => {
                // The batch yields in input order, so this cannot happen;
                // should it, the row is reported rather than lost.
                if let Some(slot) = other {
                    state.queue.push_front(slot);
                }
                ResultRow {
                    error: Some(format!(
                        "internal error: result {} came out of order",
                        item.index
                    )),
                    ..ResultRow::new(0, "", item.contact_id.as_str(), Outcome::Failed)
                }
            }
        };
        state.recorder.record(row);
        while matches!(state.queue.front(), Some(Slot::Settled(_))) {
            if let Some(Slot::Settled(row)) = state.queue.pop_front() {
                state.recorder.record(row);
            }
        }
        drop(state);
        room.notify_one();
    }
    let summary = batch.summary().clone();
    // The batch owns the feed, and with it the other handle to `shared`.
    drop(batch);
    let mut state = lock(&shared);
    while let Some(slot) = state.queue.pop_front() {
        if let Slot::Settled(row) = slot {
            state.recorder.record(row);
        }
    }
    state.recorder.progress.finish();
    let recorder = &mut state.recorder;
    Sent {
        counts: std::mem::take(&mut recorder.counts),
        summary,
        write_error: recorder.write_error.take(),
        unrecorded: std::mem::take(&mut recorder.unrecorded),
        unrecorded_more: recorder.unrecorded_more,
        input_end: state.input_end.take(),
    }
}

fn result_row(line: u64, digest: &str, contact_id: &str, item: BulkItem) -> ResultRow {
    let row = |outcome| ResultRow::new(line, digest, contact_id, outcome);
    match item.result {
        Ok(output) => ResultRow {
            http_status: Some(output.status.as_u16()),
            request_id: output.request_id().map(str::to_owned),
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
