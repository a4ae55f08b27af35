//! Interleaved comparisons: rounds in which every variant runs one chunk of
//! work, in a rotating order, and the ratio of each pair is taken within the
//! round. On a shared machine whose load changes from second to second this
//! is much steadier than comparing two criterion benchmarks measured a minute
//! apart, because both sides of every ratio see the same load.

use std::time::Duration;

/// One side of a comparison: runs one chunk of `ops` operations and returns
/// the time it took.
pub struct Variant<'a> {
    pub name: &'static str,
    pub run: Box<dyn FnMut() -> Duration + 'a>,
}

impl<'a> Variant<'a> {
    pub fn new(name: &'static str, run: impl FnMut() -> Duration + 'a) -> Self {
        Self {
            name,
            run: Box::new(run),
        }
    }
}

/// Whether a section named `name` should run, given the command line's
/// positional arguments (criterion's filters): all run when there is none.
pub fn selected(name: &str) -> bool {
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    filters.is_empty() || filters.iter().any(|f| name.contains(f.as_str()))
}

/// Runs one warm-up round and `rounds` measured rounds, then prints each
/// variant's median time per operation and, for each `(a, b)` in `ratios`,
/// the median of the per-round ratios `time(a) / time(b)` with its
/// interquartile range (`higher_is_better` prints `time(b) / time(a)`, a
/// throughput ratio, instead).
pub fn compare(
    title: &str,
    rounds: usize,
    ops: u64,
    variants: &mut [Variant<'_>],
    ratios: &[(usize, usize, &str)],
    higher_is_better: bool,
) {
    let n = variants.len();
    let mut times: Vec<Vec<f64>> = vec![Vec::with_capacity(rounds); n];
    for round in 0..=rounds {
        for k in 0..n {
            let i = (round + k) % n;
            let elapsed = (variants[i].run)().as_secs_f64();
            if round > 0 {
                times[i].push(elapsed);
            }
        }
    }
    println!("{title} ({rounds} interleaved rounds of {ops} operations)");
    for (variant, samples) in variants.iter().zip(&times) {
        let per_op_ns = median(samples.clone()) * 1e9 / ops as f64;
        println!("   {:<52} {}", variant.name, per_op(per_op_ns));
    }
    for &(a, b, label) in ratios {
        let per_round: Vec<f64> = times[a]
            .iter()
            .zip(&times[b])
            .map(|(ta, tb)| if higher_is_better { tb / ta } else { ta / tb })
            .collect();
        let (q1, q2, q3) = quartiles(per_round);
        println!("   {label:<52} {q2:>7.3}x  [IQR {q1:.3}, {q3:.3}]");
    }
}

fn per_op(ns: f64) -> String {
    if ns >= 1e3 {
        format!("{:>9.2} µs/op", ns / 1e3)
    } else {
        format!("{ns:>9.1} ns/op")
    }
}

fn median(samples: Vec<f64>) -> f64 {
    quartiles(samples).1
}

fn quartiles(mut samples: Vec<f64>) -> (f64, f64, f64) {
    samples.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| {
        if samples.is_empty() {
            return f64::NAN;
        }
        let pos = q * (samples.len() - 1) as f64;
        let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
        samples[lo] + (samples[hi] - samples[lo]) * (pos - lo as f64)
    };
    (at(0.25), at(0.5), at(0.75))
}
