//! The regression rule on series of known noise (README "Regressions and history"): how
//! often it calls pure noise red, against the single-baseline rule on the same data, and how
//! often it catches real shifts. Seeded, so every run prints the same table.
//!
//! `cargo run --release --example noise_simulation [-- TRIALS]` (default 20,000 per row).

#![allow(clippy::unwrap_used, clippy::print_stdout, missing_docs)]

use std::path::Path;

use perfbudget::budget;
use perfbudget::evaluate::{Against, evaluate_against};
use perfbudget::model::{History, HistoryPoint, Measurement, Subject, Verdict};
use perfbudget::quantity::Unit;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Normal};

/// Base-branch runs in each simulated history.
const RUNS: usize = 30;
/// The share of outliers, drawn with five times the noise.
const OUTLIERS: f64 = 0.01;

/// One draw of a log-normal time around 100 ms with log-sd `noise`, an outlier now and then.
fn draw(rng: &mut StdRng, noise: f64, shift: f64) -> f64 {
    let sd = if rng.random_bool(OUTLIERS) { noise * 5.0 } else { noise };
    100.0 * (shift + Normal::new(0.0, sd).unwrap().sample(rng)).exp()
}

struct Rates {
    noise_rule_red: f64,
    beyond_limit: f64,
    single_red: f64,
}

/// Judges `trials` fresh histories and a current value `shift` (log) away from them.
fn simulate(rng: &mut StdRng, noise: f64, regression: f64, shift: f64, trials: usize) -> Rates {
    let yaml = format!("version: 1\nbudgets:\n  - metric: bench_time\n    regression: {}%\n", regression * 100.0);
    let budget = budget::parse_str(&yaml, "perfbudget.yml", Path::new("")).unwrap();
    let (mut red, mut beyond, mut single_red) = (0usize, 0usize, 0usize);
    for _ in 0..trials {
        let mut history = History::new("main".into(), RUNS, None);
        let values: Vec<f64> = (0..RUNS).map(|_| draw(rng, noise, 0.0)).collect();
        for value in &values {
            let point = HistoryPoint { value: value * 1e6, interval: None, commit: None, same_environment: true };
            history.push("bench_time", Some("typical"), &Subject::new(), point);
        }
        let current = draw(rng, noise, shift);
        let measurement =
            Measurement::new("criterion", "bench_time", Some("typical"), Subject::new(), current, Unit::Ms);
        let result = evaluate_against(&budget, std::slice::from_ref(&measurement), Against::History(&history)).unwrap();
        let check = &result.checks[0];
        red += usize::from(check.verdict == Verdict::Red);
        beyond += usize::from(
            check.message.contains("beyond their prediction limit")
                || check.message.contains("is beyond the prediction limit"),
        );
        // Today's rule against one baseline report: the newest base run.
        single_red += usize::from(current / values[0] - 1.0 > regression);
    }
    let rate = |count: usize| count as f64 / trials as f64;
    Rates { noise_rule_red: rate(red), beyond_limit: rate(beyond), single_red: rate(single_red) }
}

fn percent(rate: f64) -> String {
    format!("{:.2}%", rate * 100.0)
}

fn main() {
    let trials: usize = std::env::args().nth(1).map_or(20_000, |text| text.parse().unwrap());
    let mut rng = StdRng::seed_from_u64(20261201);
    println!(
        "Pure noise, {RUNS} base runs, {trials} trials per row, {}% outliers at 5× the noise:\n",
        OUTLIERS * 100.0
    );
    println!("| noise (log sd) | regression: | red, noise rule | beyond the limit (no floor) | red, single baseline |");
    println!("|---|---|---|---|---|");
    for noise in [0.01, 0.03, 0.10] {
        for regression in [0.05, 0.10, 0.20] {
            let rates = simulate(&mut rng, noise, regression, 0.0, trials);
            println!(
                "| {} | {} | {} | {} | {} |",
                percent(noise),
                percent(regression),
                percent(rates.noise_rule_red),
                percent(rates.beyond_limit),
                percent(rates.single_red)
            );
        }
    }
    println!("\nShifts of 1×, 2×, 3× the noise, `regression:` at half the noise (every shift exceeds it):\n");
    println!("| noise (log sd) | shift | red, noise rule | red, single baseline |");
    println!("|---|---|---|---|");
    for noise in [0.01, 0.03, 0.10] {
        for times in [1.0, 2.0, 3.0] {
            let rates = simulate(&mut rng, noise, noise / 2.0, noise * times, trials);
            println!(
                "| {} | {times}× (+{}) | {} | {} |",
                percent(noise),
                percent((noise * times).exp() - 1.0),
                percent(rates.noise_rule_red),
                percent(rates.single_red)
            );
        }
    }
}
