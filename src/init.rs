//! `perfbudget init`: a commented starter budget from the outputs already in a folder.
//!
//! The limits sit a little above today's numbers (20% above the worst subject for a
//! lower-is-better metric, 20% under the worst for a higher-is-better one, rounded to two
//! significant digits), so the starter budget is green today and red on a real slowdown.
//! Core Web Vitals come from the `core-web-vitals` preset instead: they are targets, not
//! today's numbers.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::budget::escape_glob;
use crate::budget::metric::{Direction, Metric};
use crate::ingest::{self, Measurement};
use crate::model::vocabulary::reads_subject;
use crate::quantity::{self, Dimension};

/// Headroom over today's worst value.
const HEADROOM: f64 = 0.2;

/// Benchmarks that get a budget of their own; the rest are counted in a comment.
const MAX_BENCHMARKS: usize = 20;

/// Folders the search never enters: dependencies, build output, version control.
const SKIPPED_FOLDERS: &[&str] = &["node_modules", "target", "dist", "build", "vendor"];

/// Budget metrics a starter budget proposes, in the order they are written, beside the
/// preset's LCP, INP and CLS.
const PROPOSED: &[Metric] = &[
    Metric::Fcp,
    Metric::Tbt,
    Metric::SpeedIndex,
    Metric::Ttfb,
    Metric::Score,
    Metric::PageWeight("page_weight"),
    Metric::ApiP95,
    Metric::ApiP99,
    Metric::ErrorRate,
    Metric::Throughput,
];

/// Where `init` looks in `folder` when no input is named: `.lighthouseci/` and
/// `target/criterion/` where they exist, the files in the folder whose content a reader
/// recognises, and each subfolder (a criterion tree, a folder of k6 summaries), which the
/// caller reads whole and keeps when it holds something. Hidden folders and those in
/// [`SKIPPED_FOLDERS`] are not searched. Sorted, so the budget's `inputs:` is stable.
pub fn discover(folder: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = [".lighthouseci", "target/criterion"]
        .into_iter()
        .filter(|conventional| folder.join(conventional).is_dir())
        .map(PathBuf::from)
        .collect();
    let mut files = Vec::new();
    let mut folders = Vec::new();
    for entry in entries(folder, Path::new("")) {
        let path = folder.join(&entry);
        if path.is_dir() {
            if searchable(&entry) {
                folders.push(entry);
            }
        } else if path.is_file() && ingest::detect(&path).is_ok() {
            files.push(entry);
        }
    }
    files.sort();
    folders.sort();
    found.extend(files);
    found.extend(folders);
    found
}

/// The entries of `folder/dir`, as paths relative to `folder`; none when it cannot be read.
fn entries(folder: &Path, dir: &Path) -> Vec<PathBuf> {
    let Ok(read) = std::fs::read_dir(folder.join(dir)) else { return Vec::new() };
    read.filter_map(Result::ok).map(|entry| dir.join(entry.file_name())).collect()
}

fn searchable(dir: &Path) -> bool {
    let name = dir.file_name().and_then(|name| name.to_str()).unwrap_or("");
    !name.starts_with('.') && !SKIPPED_FOLDERS.contains(&name)
}

/// The starter budget's text, from the inputs and what they held.
pub fn starter(inputs: &[PathBuf], measurements: &[Measurement]) -> String {
    let mut text = String::new();
    text.push_str("# perfbudget starter budget, written by `perfbudget init` from today's numbers.\n");
    text.push_str("# Limits sit about 20% beyond today's worst value: tighten them as you go.\n");
    text.push_str("# Reference: https://github.com/perfbudget/perfbudget#budget-file\n");
    text.push_str("version: 1\n");
    let web = measurements.iter().any(|m| Metric::parse(&m.metric).is_some_and(Metric::is_lighthouse));
    if web {
        text.push_str("extends: [core-web-vitals]      # LCP 2.5 s, INP 200 ms, CLS 0.1: Google's \"good\" at p75\n");
    }
    text.push_str("defaults:\n  warn: 10%                      # yellow within 10% of a limit\n");
    text.push_str("  # regression: 10%              # with --baseline REPORT.json: red when over 10% worse\n");
    text.push_str("inputs:\n");
    for input in inputs {
        let _ = writeln!(text, "  - {}", yaml_string(&input.display().to_string()));
    }

    let mut limits = String::new();
    for metric in PROPOSED {
        let values = selected(*metric, measurements).filter_map(Measurement::base_value);
        if let Some(line) = limit_line(*metric, values) {
            limits.push_str(&line);
        }
    }
    if !limits.is_empty() {
        text.push_str("\nlimits:\n");
        text.push_str(&limits);
    }
    let benchmarks = benchmark_budgets(measurements);
    if !benchmarks.is_empty() {
        text.push_str("\nbudgets:\n");
        text.push_str(&benchmarks);
    }
    text
}

/// `  metric: LIMIT   # today: VALUE`, or a comment when there is no sensible limit
/// (today's worst is 0, so 20% more is still 0).
fn limit_line(metric: Metric, values: impl Iterator<Item = f64>) -> Option<String> {
    let direction = metric.direction()?;
    let dimension = metric.dimension()?;
    let worst = values.fold(None, |worst: Option<f64>, value| {
        Some(match (worst, direction) {
            (None, _) => value,
            (Some(w), Direction::LowerIsBetter) => w.max(value),
            (Some(w), Direction::HigherIsBetter) => w.min(value),
        })
    })?;
    let name = metric.name();
    let today = format_limit(dimension, worst);
    if worst == 0.0 && metric == Metric::ErrorRate {
        return Some(format!("  {name}: 1%{}# today: 0%\n", pad(name, "1%")));
    }
    if worst == 0.0 {
        return Some(format!("  # {name}: today {today}; pick a limit\n"));
    }
    let suggested = suggested_limit(direction, worst);
    // A ratio cannot pass 100%: 20% beyond an error rate of 90% or more is no limit.
    if dimension == Dimension::Ratio && suggested >= 1.0 {
        return Some(format!("  # {name}: today {today}; pick a limit\n"));
    }
    let limit = format_limit(dimension, suggested);
    let kind = match direction {
        Direction::LowerIsBetter => "worst today",
        Direction::HigherIsBetter => "a minimum; lowest today",
    };
    Some(format!("  {name}: {limit}{}# {kind}: {today}\n", pad(name, &limit)))
}

/// One long-form budget per criterion benchmark (its typical time, as `bench_time` reads
/// it), for the first [`MAX_BENCHMARKS`] ids in order.
fn benchmark_budgets(measurements: &[Measurement]) -> String {
    // The slowest value of each id, in id order, of the statistic the budget reads: the
    // preferred one an id has (criterion's `typical`, not its `mean` beside it).
    let stats = Metric::BenchTime.selects(None, None).stats;
    let mut ids: BTreeMap<&str, (usize, f64)> = BTreeMap::new();
    for measurement in selected(Metric::BenchTime, measurements) {
        let (Some(id), Some(value)) = (measurement.subject.get("id"), measurement.base_value()) else { continue };
        let Some(rank) = stats.rank(measurement.stat.as_deref()) else { continue };
        let (best, worst) = ids.entry(id).or_insert((rank, value));
        if rank < *best {
            (*best, *worst) = (rank, value);
        } else if rank == *best {
            *worst = worst.max(value);
        }
    }
    let ids: BTreeMap<&str, f64> = ids.into_iter().map(|(id, (_, worst))| (id, worst)).collect();
    let mut text = String::new();
    for (id, worst) in ids.iter().take(MAX_BENCHMARKS) {
        let limit = format_limit(Dimension::Time, suggested_limit(Direction::LowerIsBetter, *worst));
        let today = format_limit(Dimension::Time, *worst);
        let _ = write!(
            text,
            "  - metric: bench_time\n    id: {}\n    max: {limit}                  # today: {today}\n",
            yaml_string(&escape_glob(id))
        );
    }
    if ids.len() > MAX_BENCHMARKS {
        let _ = writeln!(
            text,
            "  # {} more benchmarks: add entries like these, or one with `id: \"group/*\"` for a group",
            ids.len() - MAX_BENCHMARKS
        );
    }
    text
}

/// The measurements a budget on `metric` without selectors would read (not a run's periods).
fn selected(metric: Metric, measurements: &[Measurement]) -> impl Iterator<Item = &Measurement> {
    measurements.iter().filter(move |measurement| {
        let selects = metric.selects(None, None);
        measurement.metric == selects.metric
            && selects.stats.rank(measurement.stat.as_deref()).is_some()
            && reads_subject(&measurement.subject, |_| false)
    })
}

/// [`HEADROOM`] beyond today's worst value, rounded away from it.
fn suggested_limit(direction: Direction, worst: f64) -> f64 {
    match direction {
        Direction::LowerIsBetter => round_significant(worst * (1.0 + HEADROOM), f64::ceil),
        Direction::HigherIsBetter => round_significant(worst * (1.0 - HEADROOM), f64::floor),
    }
}

/// Rounds to two significant digits with `round` (ceil for a maximum, floor for a minimum).
fn round_significant(value: f64, round: fn(f64) -> f64) -> f64 {
    if value <= 0.0 || !value.is_finite() {
        return value;
    }
    let scale = 10f64.powi(value.log10().floor() as i32 - 1);
    // The division can land a hair off an exact multiple (4.2 / 0.1): trim that first.
    let steps = (value / scale * 1e9).round() / 1e9;
    round(steps) * scale
}

/// A limit as the budget parser reads it. Times under 1 ns stay in ns: budgets have no ps.
fn format_limit(dimension: Dimension, base: f64) -> String {
    if dimension == Dimension::Time && base > 0.0 && base < 1.0 {
        return format!("{} ns", quantity::significant(base));
    }
    quantity::format_base(dimension, base)
}

fn pad(name: &str, value: &str) -> String {
    " ".repeat(30usize.saturating_sub(name.len() + value.len() + 4).max(1))
}

/// A YAML double-quoted scalar: a JSON string is one, with every control character escaped.
fn yaml_string(value: &str) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "\"\"".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_to_two_significant_digits_in_the_safe_direction() {
        assert_eq!(round_significant(15_667.0, f64::ceil), 16_000.0);
        assert_eq!(round_significant(25.6, f64::floor), 25.0);
        assert_eq!(round_significant(4.2, f64::ceil), 4.2);
        assert!((round_significant(5.6496, f64::ceil) - 5.7).abs() < 1e-12);
    }

    #[test]
    fn limits_are_written_as_the_parser_reads_them() {
        assert_eq!(format_limit(Dimension::Time, 1.6e10), "16 s");
        assert_eq!(format_limit(Dimension::Time, 0.52), "0.52 ns");
        assert_eq!(format_limit(Dimension::Size, 151_000.0), "151 kB");
        assert_eq!(format_limit(Dimension::Rate, 9.9), "9.9/s");
    }

    #[test]
    fn a_zero_error_rate_gets_one_percent_and_other_zeros_a_comment() {
        let error = limit_line(Metric::ErrorRate, [0.0].into_iter()).unwrap();
        assert!(error.starts_with("  error_rate: 1%"), "{error}");
        let tbt = limit_line(Metric::Tbt, [0.0, 0.0].into_iter()).unwrap();
        assert_eq!(tbt, "  # tbt: today 0 ms; pick a limit\n");
    }

    #[test]
    fn higher_is_better_metrics_get_a_minimum_under_the_lowest_value() {
        let score = limit_line(Metric::Score, [41.0, 32.0, 57.0].into_iter()).unwrap();
        assert!(score.starts_with("  score: 25 "), "{score}");
        assert!(score.ends_with("# a minimum; lowest today: 32\n"), "{score}");
    }

    #[test]
    fn hostile_benchmark_ids_stay_one_quoted_literal_glob() {
        assert_eq!(yaml_string(&escape_glob("a*b\n- metric: lcp")), r#""a\\*b\n- metric: lcp""#);
    }
}
