//! Budget × measurements × optional baseline → verdicts. Pure: no I/O, no environment,
//! no clock, so every rule is tested as a table.

use std::collections::{BTreeMap, HashMap};

use crate::budget::metric::{Direction, Metric, Selects, Stats};
use crate::budget::{Aggregate, Budget, Check, Limit};
use crate::model::baseline::{Baseline, BaselineValue};
use crate::model::vocabulary::FILE_TAG;
use crate::model::{CheckResult, Evaluation, LimitValue, Measurement, Subject, Verdict, describe_subject};
use crate::quantity::{Dimension, Unit, format_base, percent};

/// A result for `check` with its limits in `unit` and nothing measured yet.
fn new_result(check: &Check, selects: &Selects<'_>, unit: Unit, subject: Subject) -> CheckResult {
    CheckResult {
        budget: check.label.clone(),
        metric: check.metric.name().to_owned(),
        source_metric: selects.metric.to_owned(),
        stat: None,
        source: None,
        subject,
        verdict: Verdict::Green,
        message: String::new(),
        unit,
        value: None,
        lower: None,
        upper: None,
        runs: Vec::new(),
        limit: check.limit.map(|limit| match limit {
            Limit::Max(max) => LimitValue::Max(unit.from_base(max)),
            Limit::Min(min) => LimitValue::Min(unit.from_base(min)),
        }),
        warn: check.warn.map(|warn| unit.from_base(warn.threshold)),
        baseline: None,
        change: None,
        regression: check.regression,
        origins: Vec::new(),
        files: Vec::new(),
    }
}

/// The most result rows (a check applied to one subject) one run makes. A row holds about
/// 850 bytes, so this bounds a run's rows to about 170 MB: a small budget of broad entries
/// over a large input (every entry × every subject) would otherwise grow without bound.
pub const MAX_ROWS: usize = 200_000;

/// The most (check, measurement) pairs selection keeps: each is a reference, and a budget of
/// 1,000 entries that each select 100,000 measurements would hold 100 million of them.
pub const MAX_SELECTED: usize = 5_000_000;

/// Why a run cannot be evaluated within bounded memory.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error(
        "the budget's entries select more than {MAX_SELECTED} measurements in all; narrow the entries' selectors \
         (url:, id:, tags:, files:) or split the gate into several runs"
    )]
    TooManySelected,
    #[error(
        "the budget would make more than {MAX_ROWS} result rows (entry {entry:?} reaches it); narrow the \
         entries' selectors (url:, id:, tags:, files:) or split the gate into several runs"
    )]
    TooManyRows { entry: String },
}

/// Checks every budget entry against the measurements (and the baseline, if any).
pub fn evaluate(
    budget: &Budget,
    measurements: &[Measurement],
    baseline: Option<&Baseline>,
) -> Result<Evaluation, Error> {
    let selected = select::select(&budget.checks, measurements, MAX_SELECTED).ok_or(Error::TooManySelected)?;
    let needs_runs = budget.checks.iter().any(|check| check.aggregate == Aggregate::MedianRun);
    let runs = if needs_runs { representative::Runs::new(measurements) } else { representative::Runs::default() };
    let mut by_metric: HashMap<&str, Vec<&Measurement>> = HashMap::new();
    let mut checks = Vec::new();
    for (check, matched) in budget.checks.iter().zip(selected) {
        let selects = check.selects();
        if matched.is_empty() {
            // Only a check that found nothing needs to know what else is there.
            if by_metric.is_empty() {
                for measurement in measurements {
                    by_metric.entry(measurement.metric.as_str()).or_default().push(measurement);
                }
            }
            let candidates: &[&Measurement] = by_metric.get(selects.metric).map(Vec::as_slice).unwrap_or_default();
            checks.push(no_match(check, &selects, candidates, &by_metric));
            continue;
        }
        // Raw k6 samples become one measurement: everything the check selected, merged.
        let from_stream: Vec<Measurement>;
        let matched = if matched.iter().any(|m| m.distribution.is_some()) {
            from_stream = vec![stream_measurement(check, &selects, &matched)];
            matched.into_iter().filter(|m| m.distribution.is_none()).chain(from_stream.iter()).collect()
        } else {
            matched
        };
        let first_row = checks.len();
        let groups = group_by_subject(check, &selects, matched);
        if first_row + groups.len() > MAX_ROWS {
            return Err(Error::TooManyRows { entry: check.label.clone() });
        }
        for group in groups {
            checks.push(judge_group(check, &selects, group, baseline, &runs));
        }
        if check.metric == Metric::BundleSize
            && check.each
            && let Some(baseline) = baseline
        {
            let removed = removed_files(check, &selects, &checks[first_row..], baseline);
            checks.extend(removed);
        }
        if checks.len() > MAX_ROWS {
            return Err(Error::TooManyRows { entry: check.label.clone() });
        }
    }
    Ok(Evaluation { checks })
}

/// For a `bundle_size` check of each file: a green row for every file the baseline's same
/// check had that is gone now, so a pull request shows what it removed.
fn removed_files(check: &Check, selects: &Selects<'_>, rows: &[CheckResult], baseline: &Baseline) -> Vec<CheckResult> {
    let stat = check.compression.stat();
    let Some(before) = baseline.each_files(&check.label, stat) else { return Vec::new() };
    let present: std::collections::HashSet<&str> = rows.iter().filter_map(|row| row.subject.get(FILE_TAG)).collect();
    before
        .iter()
        .filter(|(name, _)| !present.contains(name.as_str()))
        .map(|(name, bytes)| {
            let mut result = new_result(check, selects, Unit::Bytes, Subject::from([(FILE_TAG, name.as_str())]));
            result.stat = Some(stat.to_owned());
            result.source = Some(crate::model::vocabulary::BUNDLE_SOURCE.to_owned());
            result.baseline = Some(*bytes);
            result.change = Some(-1.0);
            result.message =
                format!("removed since the baseline, where it was {}", format_base(Dimension::Size, *bytes));
            result
        })
        .collect()
}

/// The position of the measurement's stat in the accepted list (lower is preferred), or
/// `None` when the stat is not one this check reads.
fn stat_rank(selects: &Selects<'_>, measurement: &Measurement) -> Option<usize> {
    selects.stats.rank(measurement.stat.as_deref())
}

/// One subject's measurements (several when runs repeat), with the subject they describe.
struct Group<'a> {
    subject: Subject,
    measurements: Vec<&'a Measurement>,
}

fn group_by_subject<'a>(check: &Check, selects: &Selects<'_>, matched: Vec<&'a Measurement>) -> Vec<Group<'a>> {
    if check.metric == Metric::BundleSize && !check.each {
        // size-limit's model: the matched files are summed into one number.
        let subject = match &check.entry {
            Some(entry) => Subject::from([("entry", entry.entry.as_str())]),
            None => {
                let files =
                    check.selectors.iter().find(|s| s.tag == FILE_TAG).map(ToString::to_string).unwrap_or_default();
                Subject::from([("files", files.trim_start_matches("file="))])
            }
        };
        return vec![Group { subject, measurements: matched }];
    }
    if check.metric == Metric::BundleSize {
        // A file is shown, and found in the baseline, by its name without a content hash;
        // files that share that name are one row, their sizes summed.
        return bundle::by_name(&matched)
            .into_iter()
            .map(|(name, measurements)| Group { subject: Subject::from([(FILE_TAG, name.as_str())]), measurements })
            .collect();
    }
    let mut groups: BTreeMap<&Subject, Vec<&'a Measurement>> = BTreeMap::new();
    for measurement in matched {
        groups.entry(&measurement.subject).or_default().push(measurement);
    }
    groups
        .into_iter()
        .map(|(subject, mut measurements)| {
            // Where a subject has several accepted stats (k6's `med` and `p(50)`), read the
            // preferred one only.
            let best = measurements.iter().filter_map(|m| stat_rank(selects, m)).min().unwrap_or(0);
            measurements.retain(|m| stat_rank(selects, m) == Some(best));
            Group { subject: subject.clone(), measurements }
        })
        .collect()
}

fn judge_group(
    check: &Check,
    selects: &Selects<'_>,
    group: Group<'_>,
    baseline: Option<&Baseline>,
    runs: &representative::Runs<'_>,
) -> CheckResult {
    let first = group.measurements[0];
    let unit = first.unit;
    let stat = first.stat.clone();
    let mut origins: Vec<String> = group.measurements.iter().filter_map(|m| m.origin.clone()).collect();
    origins.sort();
    origins.dedup();
    let mut result = new_result(check, selects, unit, group.subject);
    result.stat = stat.clone();
    result.source = Some(first.source.clone());
    result.origins = origins;
    let what = subject_label(check);
    // A `k6` entry's dimension comes from its limit's unit; one with only `regression:` has
    // no limit, so it takes the measurement's, and compares like with like.
    let dimension = match (check.limit, check.metric.dimension()) {
        (None, None) => unit.dimension(),
        _ => check.dimension,
    };
    if let Some(mismatch) = group.measurements.iter().find(|m| m.unit.dimension() != dimension) {
        result.verdict = Verdict::Red;
        result.message = format!(
            "{what} is {} ({}) but the budget's limit is {}: the limit cannot apply",
            mismatch.unit.dimension().noun(),
            mismatch.unit.as_str(),
            dimension.noun()
        );
        return result;
    }
    let direction = check.direction();
    // Values stay in the measurement's unit, as the source wrote them: a trip through base
    // units (×1e6 for ms) and back can change the last bit of a number that must equal the
    // tool's own. Base units serve only comparisons.
    let same_unit = group.measurements.iter().all(|m| m.unit == unit);
    let in_unit = |m: &Measurement| if same_unit { m.value } else { Some(unit.from_base(m.base_value()?)) };
    let values: Vec<f64> = group.measurements.iter().filter_map(|m| in_unit(m)).collect();
    let without: Vec<&Measurement> = group.measurements.iter().copied().filter(|m| m.value.is_none()).collect();
    let reason = |m: &Measurement| m.no_data.clone().unwrap_or_else(|| "the tool gave no value".to_owned());
    // As Lighthouse CI: no run with a value fails any method, and `pessimistic` also fails
    // when some run has none.
    if values.is_empty() {
        return no_data(result, check, format!("no data: {}", reason(without[0])));
    }
    if check.aggregate == Aggregate::Pessimistic && !without.is_empty() {
        let message = format!(
            "no data in {} of {} runs ({}): pessimistic counts a run without a value as failed",
            without.len(),
            group.measurements.len(),
            reason(without[0])
        );
        return no_data(result, check, message);
    }
    let mut representative_run = None;
    let value = if check.metric == Metric::BundleSize {
        // Sizes add up: the files of a summed check, or of a row that several files share.
        if !check.each {
            let baseline_files = baseline.and_then(|b| b.files(selects.metric, stat.as_deref(), &result.subject));
            result.files = bundle::files(&group.measurements, baseline_files);
        }
        values.iter().sum()
    } else {
        if values.len() > 1 {
            result.runs = values.clone();
        }
        match check.aggregate {
            // Lighthouse CI compares a category's score over every run, taking the highest,
            // even for `median-run` (lighthouse-ci#1064); the gate must agree with it.
            Aggregate::MedianRun if check.metric == Metric::Score => {
                values.iter().copied().fold(f64::NEG_INFINITY, f64::max)
            }
            Aggregate::MedianRun => {
                let (chosen, origin) = runs.representative(&group.measurements);
                representative_run = origin.map(str::to_owned);
                match chosen.and_then(in_unit) {
                    Some(value) => value,
                    None => {
                        let why = chosen.map_or_else(|| format!("has no {} value", check.metric), reason);
                        let message = format!(
                            "no data: the representative run ({}) {why}, and Lighthouse CI fails that too",
                            representative_run.as_deref().unwrap_or("unknown"),
                        );
                        return no_data(result, check, message);
                    }
                }
            }
            aggregate => combine(&values, aggregate, direction),
        }
    };
    // Every input value is finite in base units, but a sum of sizes or a stream's mean can
    // still overflow: such a value is no verdict's evidence.
    if !unit.to_base(value).is_finite() {
        result.verdict = Verdict::Red;
        result.message = format!("{what}: the combined value is out of range ({value:e} {})", unit.as_str());
        return result;
    }
    if group.measurements.len() == 1 {
        result.lower = first.lower;
        result.upper = first.upper;
    }
    result.value = Some(value);
    let value = unit.to_base(value);

    let show = |base: f64| format_base(dimension, base);
    let mut verdicts: Vec<(Verdict, String)> = Vec::new();
    if let Some(limit) = check.limit {
        verdicts.push(judge_limit(&what, value, limit, check.warn.map(|warn| warn.threshold), &show));
    }
    let baseline_value = baseline.and_then(|b| b.get(selects.metric, stat.as_deref(), &result.subject));
    if let Some(base) = baseline_value {
        result.baseline = Some(unit.from_base(base.value));
        // Only from a positive baseline is a relative change what it says (see judge_regression).
        if base.value > 0.0 {
            result.change = Some((value - base.value) / base.value);
        }
    }
    if let Some(allowed) = check.regression {
        let current =
            Sample { value, interval: result.lower.zip(result.upper).map(|(l, u)| (unit.to_base(l), unit.to_base(u))) };
        verdicts.push(judge_regression(&what, current, baseline.is_some(), baseline_value, allowed, direction, &show));
    }
    let worst = verdicts.iter().map(|(verdict, _)| *verdict).max().unwrap_or(Verdict::Green);
    result.verdict = worst;
    // Lead with the reason for the verdict; keep the other sentences after it.
    verdicts.sort_by_key(|(verdict, _)| std::cmp::Reverse(*verdict));
    result.message = verdicts.into_iter().map(|(_, message)| message).collect::<Vec<_>>().join("; ");
    if check.metric == Metric::BundleSize {
        let present: usize = result.files.iter().map(crate::model::report::FileSize::built_files).sum();
        match (check.each, baseline.is_some(), &result.baseline) {
            (false, _, _) if present == 1 => result.message.push_str(" (1 file)"),
            (false, _, _) => result.message.push_str(&format!(" ({present} files)")),
            (true, true, None) => result.message.push_str("; a new file (not in the baseline)"),
            (true, _, _) => {}
        }
        let sharing = bundle::built_count(&group.measurements);
        if check.each && sharing > 1 {
            result.message.push_str(&format!("; {sharing} files that share this name without their hashes, summed"));
        }
    }
    if result.runs.len() > 1 {
        let how = match (check.aggregate, &representative_run) {
            (Aggregate::Median, _) => "median".to_owned(),
            (Aggregate::Optimistic, _) => "best".to_owned(),
            (Aggregate::Pessimistic, _) => "worst".to_owned(),
            (Aggregate::MedianRun, Some(run)) => format!("representative run {run}"),
            (Aggregate::MedianRun, None) if check.metric == Metric::Score => "highest, as Lighthouse CI".to_owned(),
            (Aggregate::MedianRun, None) => "representative run".to_owned(),
        };
        result.message.push_str(&format!(" ({how} of {} runs)", result.runs.len()));
    }
    result
}

/// The check's statistic over every stream sample it selected, merged as k6 merges a
/// submetric's samples. Its subject is the selector (`name=GET /api/users`), which is
/// how k6 names the same submetric in a summary.
fn stream_measurement(check: &Check, selects: &Selects<'_>, matched: &[&Measurement]) -> Measurement {
    let raw: Vec<&Measurement> = matched.iter().copied().filter(|m| m.distribution.is_some()).collect();
    let parts: Vec<&crate::model::distribution::Distribution> =
        raw.iter().filter_map(|m| m.distribution.as_deref()).collect();
    let first = raw[0];
    let mut subject = Subject::new();
    for selector in &check.selectors {
        let patterns: Vec<String> = selector
            .include
            .iter()
            .map(|p| p.text.clone())
            .chain(selector.exclude.iter().map(|p| format!("!{}", p.text)))
            .collect();
        subject.insert(selector.tag.clone(), patterns.join(","));
    }
    let stats: Vec<&str> = match selects.stats {
        Stats::Any => Vec::new(),
        Stats::One(stat) => vec![stat],
        Stats::OneOf(stats) | Stats::OneOfOrNone(stats) => stats.to_vec(),
    };
    let merged = crate::model::distribution::Distribution::merge(&parts);
    let mut result: Result<(&str, f64), String> = Err("the budget names no statistic".into());
    if let Some(merged) = &merged {
        for stat in &stats {
            match merged.stat(stat) {
                Ok(value) => {
                    result = Ok((stat, value));
                    break;
                }
                Err(reason) => result = Err(reason),
            }
        }
    } else {
        result = Err(format!("{} mixes metric kinds", selects.metric));
    }
    let mut measurement = Measurement::new(&first.source, selects.metric, None, subject, 0.0, first.unit);
    measurement.origin = first.origin.clone();
    measurement.samples = merged.as_ref().map(crate::model::distribution::Distribution::sample_count);
    match result {
        Ok((stat, value)) => {
            measurement.stat = Some(stat.to_owned());
            measurement.value = Some(value);
        }
        Err(reason) => {
            measurement.stat = stats.first().map(|stat| (*stat).to_owned());
            measurement.value = None;
            measurement.no_data = Some(format!("from the k6 stream: {reason}"));
        }
    }
    measurement
}

/// A result without a value: red, or for an optional check a pass that says it was not
/// checked.
fn no_data(mut result: CheckResult, check: &Check, message: String) -> CheckResult {
    if check.optional {
        result.verdict = Verdict::Green;
        result.message = format!("not checked (optional): {message}");
    } else {
        result.verdict = Verdict::Red;
        result.message = message;
    }
    result
}

/// How the checked quantity is named in sentences: `LCP`, `http_reqs rate`.
fn subject_label(check: &Check) -> String {
    match (&check.k6_metric, &check.stat) {
        (Some(k6_metric), Some(stat)) => format!("{k6_metric} {stat}"),
        // Every bundle row says which size it is: sizes differ threefold between them.
        _ if check.metric == Metric::BundleSize => format!("{} ({})", check.metric.label(), check.compression.stat()),
        _ => check.metric.label(),
    }
}

/// Combines repeated runs of one subject. Median of an even count is the mean of the two
/// middle values.
fn combine(values: &[f64], aggregate: Aggregate, direction: Direction) -> f64 {
    debug_assert!(aggregate != Aggregate::MedianRun, "median-run is chosen by run, not by value");
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let (best, worst) = match direction {
        Direction::LowerIsBetter => (sorted[0], sorted[sorted.len() - 1]),
        Direction::HigherIsBetter => (sorted[sorted.len() - 1], sorted[0]),
    };
    match aggregate {
        Aggregate::Optimistic => best,
        Aggregate::Pessimistic => worst,
        Aggregate::Median | Aggregate::MedianRun => {
            let middle = sorted.len() / 2;
            // Halves first: the same number as (a + b) / 2, which overflows for two huge values.
            if sorted.len() % 2 == 1 { sorted[middle] } else { sorted[middle - 1] / 2.0 + sorted[middle] / 2.0 }
        }
    }
}

/// Red beyond the limit; yellow inside the warning band; exactly at the limit passes.
fn judge_limit(
    what: &str,
    value: f64,
    limit: Limit,
    warn: Option<f64>,
    show: &dyn Fn(f64) -> String,
) -> (Verdict, String) {
    let relative = |limit: f64| if limit == 0.0 { None } else { Some(((value - limit) / limit).abs()) };
    let by = |limit: f64, word: &str| match relative(limit) {
        Some(fraction) => format!("{} {word}", percent(fraction)),
        None => word.to_owned(),
    };
    match limit {
        Limit::Max(max) => {
            if value > max {
                (Verdict::Red, format!("{what} {} is {} the {} limit", show(value), by(max, "over"), show(max)))
            } else if value == max {
                (Verdict::Yellow, format!("{what} {} is exactly at the {} limit (passes)", show(value), show(max)))
            } else if warn.is_some_and(|warn| value > warn) {
                let warn = warn.unwrap_or(max);
                (
                    Verdict::Yellow,
                    format!(
                        "{what} {} is {} the {} limit, inside the warning band (above {})",
                        show(value),
                        by(max, "under"),
                        show(max),
                        show(warn)
                    ),
                )
            } else {
                (Verdict::Green, format!("{what} {} is {} the {} limit", show(value), by(max, "under"), show(max)))
            }
        }
        Limit::Min(min) => {
            if value < min {
                (Verdict::Red, format!("{what} {} is {} the {} minimum", show(value), by(min, "under"), show(min)))
            } else if value == min {
                (Verdict::Yellow, format!("{what} {} is exactly at the {} minimum (passes)", show(value), show(min)))
            } else if warn.is_some_and(|warn| value < warn) {
                let warn = warn.unwrap_or(min);
                (
                    Verdict::Yellow,
                    format!(
                        "{what} {} is {} the {} minimum, inside the warning band (below {})",
                        show(value),
                        by(min, "above"),
                        show(min),
                        show(warn)
                    ),
                )
            } else {
                (Verdict::Green, format!("{what} {} is {} the {} minimum", show(value), by(min, "above"), show(min)))
            }
        }
    }
}

/// A value with its 95% interval where the input gave one; base units.
#[derive(Debug, Clone, Copy)]
struct Sample {
    value: f64,
    interval: Option<(f64, f64)>,
}

/// Worse than the baseline by more than `allowed` is red. With both 95% intervals known
/// (criterion), a change counts as real only when the intervals do not overlap: a large
/// change with overlapping intervals is yellow ("inconclusive: re-run"), and a real
/// worsening within `allowed` is yellow too. Without intervals the plain relative rule
/// applies and a worsening within `allowed` stays green.
fn judge_regression(
    what: &str,
    current: Sample,
    have_baseline: bool,
    baseline: Option<BaselineValue>,
    allowed: f64,
    direction: Direction,
    show: &dyn Fn(f64) -> String,
) -> (Verdict, String) {
    let Some(base) = baseline else {
        return if have_baseline {
            (Verdict::Green, format!("{what} is new: the baseline has no value to compare with"))
        } else {
            (Verdict::Yellow, format!("{what} regression not checked: no --baseline report given"))
        };
    };
    let value = current.value;
    // A relative change needs a positive baseline: from a negative one (k6 reports negative
    // durations) its sign flips and a slowdown would read as an improvement, and from 0 it
    // is no number. Only the plain comparison is then sound.
    if !(base.value > 0.0 && base.value.is_finite()) {
        let worse = match direction {
            Direction::LowerIsBetter => value > base.value,
            Direction::HigherIsBetter => value < base.value,
        };
        return if value == base.value {
            (Verdict::Green, format!("{what} {} is the same as the baseline", show(value)))
        } else if worse {
            (
                Verdict::Yellow,
                format!(
                    "{what} {} is worse than the baseline {}, from which no relative change can be computed \
                     (it is not above 0): the allowed {} cannot be checked",
                    show(value),
                    show(base.value),
                    percent(allowed)
                ),
            )
        } else {
            (Verdict::Green, format!("{what} {} is better than the baseline {}", show(value), show(base.value)))
        };
    }
    let change = (value - base.value) / base.value;
    let worse = match direction {
        Direction::LowerIsBetter => change,
        Direction::HigherIsBetter => -change,
    };
    let (worse_word, better_word) = match direction {
        Direction::LowerIsBetter => ("worse", "better"),
        Direction::HigherIsBetter => ("lower", "higher"),
    };
    // Whether the intervals are apart on the worse side: the change is real.
    let apart = match (current.interval, base.interval, direction) {
        (Some((lower, _)), Some((_, base_upper)), Direction::LowerIsBetter) => Some(lower > base_upper),
        (Some((_, upper)), Some((base_lower, _)), Direction::HigherIsBetter) => Some(upper < base_lower),
        _ => None,
    };
    let compared =
        format!("{what} {} is {} {worse_word} than the baseline {}", show(value), percent(worse), show(base.value));
    match (worse > allowed, worse > 0.0, apart) {
        (true, _, Some(false)) => (
            Verdict::Yellow,
            format!("inconclusive: re-run: {compared} (allowed: {}), but the 95% intervals overlap", percent(allowed)),
        ),
        (true, _, Some(true)) => {
            (Verdict::Red, format!("{compared} (allowed: {}), and the 95% intervals do not overlap", percent(allowed)))
        }
        (true, _, None) => (Verdict::Red, format!("{compared} (allowed: {})", percent(allowed))),
        (false, true, Some(true)) => (
            Verdict::Yellow,
            format!(
                "{compared}: a real change (the 95% intervals do not overlap), within the allowed {}",
                percent(allowed)
            ),
        ),
        (false, true, _) => (
            Verdict::Green,
            format!(
                "{what} is {} {worse_word} than the baseline {}, within the allowed {}",
                percent(worse),
                show(base.value),
                percent(allowed)
            ),
        ),
        (false, false, _) => (
            Verdict::Green,
            format!("{what} is {} {better_word} than the baseline {}", percent(worse), show(base.value)),
        ),
    }
}

/// The result of a check that matched nothing: red unless optional, saying what was
/// looked for and what was found.
fn no_match(
    check: &Check,
    selects: &Selects<'_>,
    candidates: &[&Measurement],
    by_metric: &HashMap<&str, Vec<&Measurement>>,
) -> CheckResult {
    let mut looked_for = selects.metric.to_owned();
    if let Some(stats) = selects.stats.describe() {
        looked_for = format!("{looked_for} {stats}");
    }
    let selectors: Vec<String> = check.selectors.iter().map(ToString::to_string).collect();
    if !selectors.is_empty() {
        looked_for = format!("{looked_for} with {}", selectors.join(" and "));
    }
    if check.metric == Metric::Inp && candidates.is_empty() {
        let mut result = new_result(check, selects, Unit::Ms, Subject::new());
        result.verdict = if check.optional { Verdict::Green } else { Verdict::Red };
        let prefix = if check.optional { "not checked (optional): " } else { "" };
        result.message = format!(
            "{prefix}no data for inp: lab INP exists only in timespan steps of a user flow; use tbt as the lab proxy, \
             or feed a user flow or field data (PageSpeed Insights, CrUX)"
        );
        return result;
    }
    let found = if candidates.is_empty() {
        let mut metrics: Vec<&str> = by_metric.keys().copied().collect();
        metrics.sort_unstable();
        if metrics.is_empty() {
            "the inputs hold no measurements".to_owned()
        } else {
            format!("the inputs have no {} at all; they have {}", selects.metric, first_few(&metrics, 8))
        }
    } else if candidates.iter().all(|m| stat_rank(selects, m).is_none()) {
        let mut stats: Vec<&str> = candidates.iter().filter_map(|m| m.stat.as_deref()).collect();
        stats.sort_unstable();
        stats.dedup();
        let mut found = format!("{} is there with {}", selects.metric, first_few(&stats, 10));
        if candidates.iter().any(|m| m.source == "k6") {
            found.push_str(
                "; a k6 summary holds only the stats of summaryTrendStats: add the missing one with \
                 `k6 run --summary-trend-stats=\"avg,min,med,max,p(90),p(95),p(99)\"`, or give perfbudget the \
                 `--out json` stream, from which any statistic is computed",
            );
        }
        found
    } else {
        let mut subjects: Vec<String> = candidates.iter().map(|m| describe_subject(&m.subject)).collect();
        subjects.sort();
        subjects.dedup();
        let subjects: Vec<&str> = subjects.iter().map(String::as_str).collect();
        format!("{} is there for {}", selects.metric, first_few(&subjects, 5))
    };
    let unit = check.metric.display_unit();
    let unit = if unit.dimension() == check.dimension { unit } else { base_unit(check.dimension) };
    let prefix = if check.optional { "not checked (optional): " } else { "" };
    let mut result = new_result(check, selects, unit, Subject::new());
    result.verdict = if check.optional { Verdict::Green } else { Verdict::Red };
    result.message = format!("{prefix}no measurement matched {looked_for}; {found}");
    if check.metric == Metric::BundleSize {
        result.message.push_str(if check.files_from_inputs {
            " (without `files:`, bundle_size reads the .js files of the folders given as inputs)"
        } else {
            " (`files:` globs are read from the budget file's folder; a folder's files are `dist/**`)"
        });
    }
    result
}

fn base_unit(dimension: Dimension) -> Unit {
    match dimension {
        Dimension::Time => Unit::Ns,
        Dimension::Size => Unit::Bytes,
        Dimension::Ratio => Unit::Ratio,
        Dimension::Rate => Unit::PerSecond,
        Dimension::Number => Unit::Number,
    }
}

fn first_few(items: &[&str], limit: usize) -> String {
    let shown: Vec<&str> = items.iter().take(limit).copied().collect();
    let more = items.len().saturating_sub(limit);
    if more > 0 { format!("{} (+{more} more)", shown.join(", ")) } else { shown.join(", ") }
}

pub mod bundle;
mod representative;
mod select;
#[cfg(test)]
mod tests;
