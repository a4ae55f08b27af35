//! Ratios between benchmarks of the same run, read from criterion's
//! estimates (`<criterion dir>/<group>/<bench>/new/estimates.json`).
//!
//! Only estimates written by this process are used, so a benchmark left out
//! by a filter shows as "not run" rather than with an old figure.

use std::env;
use std::path::PathBuf;
use std::process::Command;
use std::time::SystemTime;

use serde::Deserialize;

/// True when criterion measures (`cargo bench`), false in its test mode
/// (`cargo test --benches`, where each benchmark runs once) and for `--list`.
pub fn measuring() -> bool {
    let args: Vec<String> = env::args().collect();
    args.iter().any(|a| a == "--bench") && !args.iter().any(|a| a == "--list" || a == "--test")
}

/// Where criterion writes, found the way criterion finds it.
pub fn criterion_dir() -> PathBuf {
    if let Some(home) = env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    if let Some(target) = env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(target).join("criterion");
    }
    #[derive(Deserialize)]
    struct Metadata {
        target_directory: PathBuf,
    }
    let from_metadata = env::var_os("CARGO").and_then(|cargo| {
        let output = Command::new(cargo)
            .args(["metadata", "--format-version", "1", "--no-deps"])
            .output()
            .ok()?;
        serde_json::from_slice::<Metadata>(&output.stdout).ok()
    });
    match from_metadata {
        Some(metadata) => metadata.target_directory.join("criterion"),
        None => PathBuf::from("target/criterion"),
    }
}

/// The median time of one iteration, in ns, with its 95 % confidence interval.
#[derive(Debug, Clone, Copy)]
pub struct Estimate {
    pub median: f64,
    pub low: f64,
    pub high: f64,
}

#[derive(Deserialize)]
struct Estimates {
    median: Stat,
}

#[derive(Deserialize)]
struct Stat {
    point_estimate: f64,
    confidence_interval: Interval,
}

#[derive(Deserialize)]
struct Interval {
    lower_bound: f64,
    upper_bound: f64,
}

/// The estimate of benchmark `id` (`group/function[/parameter]`) if this
/// process (started at `since`) measured it.
pub fn estimate(id: &str, since: SystemTime) -> Option<Estimate> {
    let path = criterion_dir().join(id).join("new").join("estimates.json");
    let modified = std::fs::metadata(&path).ok()?.modified().ok()?;
    if modified < since {
        return None;
    }
    let estimates: Estimates = serde_json::from_slice(&std::fs::read(&path).ok()?).ok()?;
    Some(Estimate {
        median: estimates.median.point_estimate,
        low: estimates.median.confidence_interval.lower_bound,
        high: estimates.median.confidence_interval.upper_bound,
    })
}

/// Prints one line: `label: ours / baseline = ratio [low, high]`, where the
/// interval combines both medians' intervals (its widest reading).
pub fn ratio(label: &str, ours: &str, baseline: &str, since: SystemTime) {
    match (estimate(ours, since), estimate(baseline, since)) {
        (Some(a), Some(b)) => println!(
            "{label:<58} {:>7.3}x  [{:.3}, {:.3}]   ({} / {})",
            a.median / b.median,
            a.low / b.high,
            a.high / b.low,
            human(a.median),
            human(b.median),
        ),
        _ => println!("{label:<58}  not run"),
    }
}

/// Prints the throughput ratio `ours / baseline` (higher is better) of two
/// benchmarks that each process `elements` items per iteration.
pub fn throughput_ratio(label: &str, ours: &str, baseline: &str, elements: u64, since: SystemTime) {
    match (estimate(ours, since), estimate(baseline, since)) {
        (Some(a), Some(b)) => {
            let per_sec = |ns: f64| elements as f64 / (ns / 1e9);
            println!(
                "{label:<58} {:>7.3}x  [{:.3}, {:.3}]   ({:.0}/s vs {:.0}/s)",
                b.median / a.median,
                b.low / a.high,
                b.high / a.low,
                per_sec(a.median),
                per_sec(b.median),
            )
        }
        _ => println!("{label:<58}  not run"),
    }
}

/// Prints one benchmark's median time per element.
pub fn per_element(label: &str, id: &str, elements: u64, since: SystemTime) {
    match estimate(id, since) {
        Some(e) => println!(
            "{label:<58} {:>9.1} ns  [{:.1}, {:.1}]",
            e.median / elements as f64,
            e.low / elements as f64,
            e.high / elements as f64,
        ),
        None => println!("{label:<58}  not run"),
    }
}

fn human(ns: f64) -> String {
    if ns >= 1e9 {
        format!("{:.3} s", ns / 1e9)
    } else if ns >= 1e6 {
        format!("{:.3} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.1} ns")
    }
}
