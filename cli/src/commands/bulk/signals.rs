//! Stop signals: Ctrl-C (SIGINT), SIGTERM (`timeout`, a job scheduler) and
//! SIGHUP (a closed terminal or SSH session) all stop a bulk run the same
//! way, through the batch's stop handle: no new update is sent, those in
//! flight finish, and the rest are recorded as not sent.

use std::sync::{Arc, OnceLock};

use talktohumans::StopHandle;

use super::progress::Printer;
use crate::print::err;

/// The signals received, and the batch they stop once it exists.
#[derive(Default)]
pub struct Signals {
    first: OnceLock<i32>,
    batch: OnceLock<(StopHandle, Printer)>,
}

const SIGHUP: i32 = 1;
const SIGINT: i32 = 2;
const SIGTERM: i32 = 15;

fn name(signal: i32) -> &'static str {
    match signal {
        SIGHUP => "SIGHUP",
        SIGINT => "Ctrl-C",
        SIGTERM => "SIGTERM",
        _ => "a signal",
    }
}

impl Signals {
    /// Takes over the stop signals from now on: they no longer end the
    /// process, they stop the batch (once there is one).
    pub fn listen() -> std::io::Result<Arc<Self>> {
        let signals = Arc::new(Self::default());
        let state = Arc::clone(&signals);
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let mut interrupt = signal(SignalKind::interrupt())?;
            let mut terminate = signal(SignalKind::terminate())?;
            let mut hangup = signal(SignalKind::hangup())?;
            tokio::spawn(async move {
                loop {
                    let received = tokio::select! {
                        Some(()) = interrupt.recv() => SIGINT,
                        Some(()) = terminate.recv() => SIGTERM,
                        Some(()) = hangup.recv() => SIGHUP,
                        else => break,
                    };
                    state.received(received);
                }
            });
        }
        #[cfg(not(unix))]
        tokio::spawn(async move {
            while tokio::signal::ctrl_c().await.is_ok() {
                state.received(SIGINT);
            }
        });
        Ok(signals)
    }

    fn received(&self, signal: i32) {
        let first = self.first.set(signal).is_ok();
        let message = if first {
            format!(
                "stopping: no new updates; waiting for those in flight ({} received)",
                name(signal)
            )
        } else {
            "still stopping: waiting for the updates in flight, each within --timeout; the \
             results file is finished then"
                .to_owned()
        };
        match self.batch.get() {
            Some((stop, printer)) => {
                stop.stop();
                printer.println(&message);
            }
            None => err(message),
        }
    }

    /// The batch to stop; stopped at once if a signal came before it.
    pub fn attach(&self, stop: StopHandle, printer: Printer) {
        // A signal after `set` finds the batch; one before it is in `first`.
        let _ = self.batch.set((stop.clone(), printer));
        if self.first.get().is_some() {
            stop.stop();
        }
    }

    /// The first signal received, if any.
    pub fn first(&self) -> Option<i32> {
        self.first.get().copied()
    }
}
