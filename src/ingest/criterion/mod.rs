//! criterion.rs result trees (`target/criterion`): one `benchmark.json` + `estimates.json`
//! per benchmark, in `new/` (the latest run) or a named baseline directory. Current
//! (0.5 to 0.8, snake_case) and legacy (0.3, PascalCase) estimates.
//!
//! Ids come from `benchmark.json`'s `full_id`, never from directory names: criterion
//! rewrites `/`, `:`, `?` and more in them, so `text/parse/csv:line?v2` lives in
//! `text_parse/csv_line_v2/`.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use anyhow::{Context, bail};
use rayon::prelude::*;
use serde::Deserialize;

use super::{Adapter, Detection, Error, Head, Located, Measurement, Options, Subject};
use crate::quantity::Unit;

/// The baseline directory read by default: the latest run.
pub const LATEST: &str = "new";

/// Folder depth at which the search for benchmarks stops.
const MAX_DEPTH: usize = 16;

#[derive(Debug)]
pub struct CriterionTree;

impl Adapter for CriterionTree {
    /// Files of a tree are read as a tree, never one by one; a lone file gets an error
    /// that says to give the folder.
    fn detect(&self, head: &Head) -> Detection {
        let tree_file = head.object().is_some_and(|text| {
            (text.contains("\"full_id\"") && text.contains("\"directory_name\""))
                || (text.contains("\"point_estimate\"") && text.contains("\"confidence_interval\""))
        });
        Detection::from(tree_file, false)
    }

    fn read(&self, _path: &Path, _options: &Options) -> Result<Vec<Measurement>, Error> {
        Err(Error::Refused(
            "this is one file of a criterion results tree; give the folder instead (usually target/criterion)".into(),
        ))
    }

    /// A benchmark's directory: it holds `new/benchmark.json` (or the named baseline's).
    fn claims_folder(&self, dir: &Path, options: &Options) -> bool {
        dir.join(&options.criterion_current).join("benchmark.json").is_file()
    }

    fn read_folder(&self, dir: &Path, options: &Options) -> Result<Vec<Measurement>, Error> {
        Ok(read_benchmark(&dir.join(&options.criterion_current))?)
    }

    fn stale_folders(&self, claimed: &[PathBuf]) -> Option<(Vec<PathBuf>, String)> {
        let stale = stale_benchmarks(claimed);
        let (_, newest) = stale.last()?;
        let names: Vec<String> = stale.iter().map(|(dir, _)| dir.display().to_string()).collect();
        let shown = names.iter().take(10).cloned().collect::<Vec<_>>().join(", ");
        let more = names.len().saturating_sub(10);
        let more = if more > 0 { format!(" and {more} more") } else { String::new() };
        let warning = format!(
            "{} criterion benchmark(s) left over from an earlier run are not read as results: {shown}{more} \
             (written {} or more before the latest run's first benchmark, longer than that benchmark's own \
             measuring explains); delete target/criterion before benchmarking to keep only the latest run",
            names.len(),
            about(*newest)
        );
        Some((stale.into_iter().map(|(dir, _)| dir.clone()).collect(), warning))
    }
}

/// Benchmarks of one criterion run finish one after another, each a moment after the one
/// before it plus its own warm-up and measuring. A gap between two of them that is longer
/// than this beyond what the later one's measuring explains separates two runs.
const STALE_GAP: Duration = Duration::from_secs(10 * 60);

/// How long criterion may spend on a benchmark for each second its samples took: its
/// warm-up, which lasts about as long as its samples for a slow routine (one iteration or
/// more of 10 flat samples), and its analysis.
const MEASURING_FACTOR: u32 = 2;

/// The benchmark directories written before the latest run, each with how much earlier
/// than that run's first benchmark its `new/benchmark.json` was written, oldest first.
///
/// The run boundary is the last gap between consecutive `new/benchmark.json` times that is
/// longer than [`STALE_GAP`] beyond [`MEASURING_FACTOR`] times the later benchmark's own
/// sample times (`new/sample.json`): one slow benchmark of a run is a long gap, but one its
/// samples account for. A gap with no samples to explain it (no `sample.json`) is judged
/// by its length alone.
fn stale_benchmarks(dirs: &[PathBuf]) -> Vec<(&PathBuf, Duration)> {
    let mut times: Vec<(SystemTime, &PathBuf)> = dirs
        .iter()
        .filter_map(|dir| {
            let modified = std::fs::metadata(dir.join(LATEST).join("benchmark.json")).and_then(|m| m.modified());
            modified.ok().map(|time| (time, dir))
        })
        .collect();
    times.sort();
    let boundary = times.windows(2).rposition(|pair| {
        let gap = pair[1].0.duration_since(pair[0].0).unwrap_or_default();
        // Most gaps are seconds: the samples are read only for the rare long one.
        // Saturating: a `sample.json` can claim any time, up to centuries.
        let explained = measured(&pair[1].1.join(LATEST)).saturating_mul(MEASURING_FACTOR);
        gap > STALE_GAP && gap > STALE_GAP.saturating_add(explained)
    });
    let Some(boundary) = boundary else { return Vec::new() };
    let run_start = times[boundary + 1].0;
    times[..=boundary].iter().map(|(time, dir)| (*dir, run_start.duration_since(*time).unwrap_or_default())).collect()
}

/// `about 40 minutes`, `about 23 hours`, `about 7 days`: a gap between runs as a person
/// would say it.
fn about(gap: Duration) -> String {
    let minutes = (gap.as_secs() + 30) / 60;
    let (count, unit) = match minutes {
        0..120 => (minutes, "minute"),
        120..2880 => ((minutes + 30) / 60, "hour"),
        _ => ((minutes + 720) / 1440, "day"),
    };
    format!("about {count} {unit}{}", if count == 1 { "" } else { "s" })
}

/// How long a run's samples took in all, from its `sample.json` (`times` are the total
/// nanoseconds of each sample); zero when the file is missing or unreadable, which only
/// makes a long gap less explained.
fn measured(run: &Path) -> Duration {
    /// criterion 0.4 on writes an object, 0.3 a bare `[iters, times]` pair.
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Sample {
        Current { times: Vec<f64> },
        Legacy((Vec<f64>, Vec<f64>)),
    }
    let sample: Option<Sample> = read_json(&run.join("sample.json")).ok();
    let times = match sample {
        Some(Sample::Current { times } | Sample::Legacy((_, times))) => times,
        None => return Duration::ZERO,
    };
    let total: f64 = times.iter().filter(|time| time.is_finite() && **time > 0.0).sum();
    Duration::try_from_secs_f64(total / 1e9).unwrap_or(Duration::ZERO)
}

/// Reads every benchmark of a tree from the baseline directory `baseline` (`new` for the
/// latest run, or a name given to `--save-baseline`).
pub fn read_tree(root: &Path, baseline: &str) -> anyhow::Result<Vec<Measurement>> {
    let mut runs = Vec::new();
    find_runs(root, baseline, 0, &mut runs)?;
    if runs.is_empty() {
        bail!("{}: no criterion benchmark has a `{baseline}/benchmark.json` here", root.display());
    }
    runs.sort();
    // Benchmarks are independent: read them on all cores, in sorted order.
    let read: Vec<Vec<Measurement>> = runs.par_iter().map(|run| read_benchmark(run)).collect::<anyhow::Result<_>>()?;
    Ok(read.into_iter().flatten().collect())
}

/// Collects the `<baseline>/` directories that hold a `benchmark.json`, without entering
/// report, change or other baseline directories.
fn find_runs(dir: &Path, baseline: &str, depth: usize, runs: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    if depth > MAX_DEPTH {
        return Ok(());
    }
    let entries = std::fs::read_dir(dir).with_context(|| format!("cannot list folder {}", dir.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot list folder {}", dir.display()))?;
        let path = entry.path();
        // symlink_metadata: a symlinked folder is not followed, so a link loop cannot recurse.
        let metadata = std::fs::symlink_metadata(&path).with_context(|| format!("cannot read {}", path.display()))?;
        if !metadata.is_dir() {
            continue;
        }
        let name = entry.file_name();
        if name == baseline {
            if path.join("benchmark.json").is_file() {
                runs.push(path);
            }
        } else if path.join("benchmark.json").is_file() || name == "report" || name == "change" {
            // Another baseline of a benchmark (`base/`, a named one), or criterion's HTML or
            // change output: nothing to read there.
        } else {
            find_runs(&path, baseline, depth + 1, runs)?;
        }
    }
    Ok(())
}

#[derive(Deserialize)]
struct Benchmark {
    full_id: String,
    throughput: Option<Throughput>,
}

/// Work per iteration, as the benchmark declared it.
#[derive(Deserialize)]
enum Throughput {
    Bytes(f64),
    BytesDecimal(f64),
    Elements(f64),
    Bits(f64),
    ElementsAndBytes { elements: f64, bytes: f64 },
}

#[derive(Deserialize)]
struct Estimates {
    #[serde(alias = "Mean")]
    mean: Estimate,
    #[serde(alias = "Median")]
    median: Estimate,
    /// `null` for flat sampling (slow benchmarks); always there in criterion 0.3.
    #[serde(alias = "Slope")]
    slope: Option<Estimate>,
}

#[derive(Deserialize)]
struct Estimate {
    confidence_interval: Interval,
    point_estimate: f64,
}

#[derive(Deserialize)]
struct Interval {
    lower_bound: f64,
    upper_bound: f64,
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> anyhow::Result<T> {
    let bytes = super::read_document(path)?;
    serde_json::from_slice(&bytes).map_err(|error| Located::from_json(&error, 1, 1).in_file(path))
}

/// One benchmark's measurements: `bench_time` as `typical` (criterion's headline: the
/// slope, else the mean), `mean` and `median`, each with its 95% interval, in ns; and
/// `bench_throughput` per declared unit of work.
fn read_benchmark(run: &Path) -> anyhow::Result<Vec<Measurement>> {
    let benchmark: Benchmark = read_json(&run.join("benchmark.json"))?;
    let estimates_path = run.join("estimates.json");
    if !estimates_path.is_file() {
        bail!("{}: `benchmark.json` has no `estimates.json` beside it (an interrupted run?)", run.display());
    }
    let estimates: Estimates = read_json(&estimates_path)?;
    let subject = Subject::from([("id", benchmark.full_id.as_str())]);
    let typical = estimates.slope.as_ref().unwrap_or(&estimates.mean);
    let mut measurements = Vec::new();
    for (stat, estimate) in [("typical", typical), ("mean", &estimates.mean), ("median", &estimates.median)] {
        let Estimate { point_estimate, confidence_interval: Interval { lower_bound, upper_bound } } = *estimate;
        for (what, value) in [("estimate", point_estimate), ("lower bound", lower_bound), ("upper bound", upper_bound)]
        {
            if !value.is_finite() || value < 0.0 {
                bail!("{}: the {stat} {what} {value} is not a time", estimates_path.display());
            }
        }
        measurements.push(bench("bench_time", stat, &subject, point_estimate, Unit::Ns, (lower_bound, upper_bound)));
    }
    if let Some(change) = fresh_change(run)? {
        measurements.push(change_measurement(&subject, &change));
    }
    let per_iteration: Vec<(&str, f64)> = match benchmark.throughput {
        None => Vec::new(),
        Some(Throughput::Bytes(bytes) | Throughput::BytesDecimal(bytes)) => vec![("bytes", bytes)],
        Some(Throughput::Elements(elements)) => vec![("elements", elements)],
        Some(Throughput::Bits(bits)) => vec![("bits", bits)],
        Some(Throughput::ElementsAndBytes { elements, bytes }) => vec![("elements", elements), ("bytes", bytes)],
    };
    let Estimate { point_estimate, confidence_interval: Interval { lower_bound, upper_bound } } = *typical;
    for (stat, work) in per_iteration {
        if point_estimate <= 0.0 || lower_bound <= 0.0 {
            continue;
        }
        // Per second: work per iteration over seconds per iteration; the slowest time
        // bounds the lowest rate.
        let rate = |ns: f64| work * 1e9 / ns;
        measurements.push(bench(
            "bench_throughput",
            stat,
            &subject,
            rate(point_estimate),
            Unit::PerSecond,
            (rate(upper_bound), rate(lower_bound)),
        ));
    }
    Ok(measurements)
}

/// criterion's own comparison, `change/estimates.json` beside the run, when it belongs to
/// this run. criterion never deletes `change/`, so one left from an earlier run survives;
/// it is written a moment after `new/estimates.json`, so one older than that (by more than
/// a checkout's spread of times) is stale and skipped.
fn fresh_change(run: &Path) -> anyhow::Result<Option<ChangeEstimates>> {
    let Some(benchmark_dir) = run.parent() else { return Ok(None) };
    let change = benchmark_dir.join("change").join("estimates.json");
    if !change.is_file() || !is_fresh(&change, &run.join("estimates.json")) {
        return Ok(None);
    }
    read_json(&change).map(Some)
}

/// Whether `later` was written no more than two seconds before `earlier`.
fn is_fresh(later: &Path, earlier: &Path) -> bool {
    let modified = |path: &Path| std::fs::metadata(path).and_then(|m| m.modified()).ok();
    match (modified(later), modified(earlier)) {
        (Some(later), Some(earlier)) => later + Duration::from_secs(2) >= earlier,
        _ => false,
    }
}

/// `change/estimates.json`: relative changes (0.05 = +5%), mean and median.
#[derive(Deserialize)]
struct ChangeEstimates {
    #[serde(alias = "Mean")]
    mean: Estimate,
}

/// criterion's mean change as a signed ratio (a plain number), with its interval.
fn change_measurement(subject: &Subject, change: &ChangeEstimates) -> Measurement {
    let Estimate { point_estimate, confidence_interval: Interval { lower_bound, upper_bound } } = change.mean;
    bench("criterion_change", "mean", subject, point_estimate, Unit::Number, (lower_bound, upper_bound))
}

/// criterion's verdict from its stored mean change and noise threshold (1% by default).
/// The p-value of its t-test is printed, never stored, so only this step can be redone.
pub fn change_verdict(lower: f64, upper: f64) -> &'static str {
    if crate::model::vocabulary::criterion_regressed(lower) {
        "regressed"
    } else if upper < -crate::model::vocabulary::CRITERION_NOISE_THRESHOLD {
        "improved"
    } else {
        "within noise"
    }
}

fn bench(metric: &str, stat: &str, subject: &Subject, value: f64, unit: Unit, interval: (f64, f64)) -> Measurement {
    Measurement::new("criterion", metric, Some(stat), subject.clone(), value, unit)
        .with_interval(interval.0, interval.1)
}

/// Adds criterion's own comparison of each judged benchmark (its fresh
/// `change/estimates.json`) beside perfbudget's: its mean change, interval and verdict.
pub fn annotate(checks: &mut [crate::model::CheckResult], measurements: &[Measurement]) {
    let changes: std::collections::HashMap<&Subject, &Measurement> = measurements
        .iter()
        .filter(|m| m.metric == crate::model::vocabulary::CRITERION_CHANGE)
        .map(|m| (&m.subject, m))
        .collect();
    if changes.is_empty() {
        return;
    }
    // A row judged by criterion's own comparison already says it.
    let judged = |result: &crate::model::CheckResult| result.message.contains("by criterion's own comparison");
    for result in checks.iter_mut().filter(|result| result.metric == "bench_time" && result.source.is_some()) {
        if judged(result) {
            continue;
        }
        let Some(change) = changes.get(&result.subject) else { continue };
        let (Some(value), Some(lower), Some(upper)) = (change.value, change.lower, change.upper) else { continue };
        result.message.push_str(&format!(
            "; criterion's own run: mean {} [{}, {}], {}",
            crate::quantity::signed_percent(value),
            crate::quantity::signed_percent(lower),
            crate::quantity::signed_percent(upper),
            change_verdict(lower, upper)
        ));
    }
}

#[cfg(test)]
mod tests;
