//! Progress of a bulk run: a bar on a terminal, plain lines elsewhere.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::print::err;

/// A progress bar on a terminal; elsewhere (a log, a pipe, CI) a plain line
/// now and then, since escape codes would only garble the output.
pub enum Progress {
    Bar(ProgressBar),
    Lines {
        total: u64,
        done: u64,
        failed: u64,
        started: Instant,
        last: Instant,
        last_done: u64,
    },
}

/// A plain line at least this often while rows finish...
const LINE_EVERY: Duration = Duration::from_secs(5);

impl Progress {
    pub fn new(total: u64) -> Self {
        if crate::print::quiet() {
            // A hidden bar draws nothing, and prints nothing above itself.
            return Progress::Bar(ProgressBar::hidden());
        }
        if std::io::stderr().is_terminal() {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] [{wide_bar:.cyan/blue}] {pos}/{len} \
                     {rate} ETA {eta} failed: {msg}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                // indicatif's own {per_sec} shows four decimals.
                .with_key(
                    "rate",
                    |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                        let _ = write!(w, "{:.1}/s", state.per_sec());
                    },
                )
                .progress_chars("=> "),
            );
            bar.set_message("0");
            bar.enable_steady_tick(Duration::from_millis(200));
            Progress::Bar(bar)
        } else {
            let now = Instant::now();
            Progress::Lines {
                total,
                done: 0,
                failed: 0,
                started: now,
                last: now,
                last_done: 0,
            }
        }
    }

    pub fn advance(&mut self, failed_so_far: u64) {
        match self {
            Progress::Bar(bar) => {
                bar.set_message(failed_so_far.to_string());
                bar.inc(1);
            }
            Progress::Lines {
                total,
                done,
                failed,
                last,
                last_done,
                ..
            } => {
                *done += 1;
                *failed = failed_so_far;
                // ...and at least every tenth of the run (every 100 rows at
                // most often), so that a log shows it moving.
                let step = total.div_ceil(10).max(100);
                if last.elapsed() >= LINE_EVERY || *done - *last_done >= step {
                    self.print_line();
                }
            }
        }
    }

    fn print_line(&mut self) {
        if let Progress::Lines {
            total,
            done,
            failed,
            started,
            last,
            last_done,
        } = self
        {
            let elapsed = started.elapsed().as_secs_f64();
            let rate = if elapsed > 0.0 {
                *done as f64 / elapsed
            } else {
                0.0
            };
            let eta = if rate > 0.0 {
                format!("{:.0}s", total.saturating_sub(*done) as f64 / rate)
            } else {
                "?".to_owned()
            };
            err(format_args!(
                "progress: {done}/{total} done, {failed} failed, {rate:.1}/s, ETA {eta}"
            ));
            *last = Instant::now();
            *last_done = *done;
        }
    }

    pub fn println(&self, message: &str) {
        self.printer().println(message);
    }

    /// A handle that prints above the bar from another task.
    pub fn printer(&self) -> Printer {
        match self {
            Progress::Bar(bar) => Printer(Some(bar.clone())),
            Progress::Lines { .. } => Printer(None),
        }
    }

    pub fn finish(&mut self) {
        match self {
            // Not `finish`, which would fill the bar to 100% after Ctrl-C.
            Progress::Bar(bar) => bar.abandon(),
            Progress::Lines { .. } => self.print_line(),
        }
    }
}

/// Prints lines above the progress bar, if there is one, else to standard
/// error.
#[derive(Clone)]
pub struct Printer(Option<ProgressBar>);

impl Printer {
    pub fn println(&self, message: &str) {
        match &self.0 {
            Some(bar) => bar.println(message),
            None => err(message),
        }
    }
}
