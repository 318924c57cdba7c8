//! One subject's verdict: its runs combined into one value, judged against the limit and
//! the baseline, in sentences that read like the README's verdict table.

use crate::budget::metric::{Direction, Metric, Selects};
use crate::budget::{Aggregate, Check, Limit};
use crate::model::baseline::{Baseline, BaselineValue};
use crate::model::{CheckResult, Measurement, Verdict};
use crate::quantity::{Dimension, format_base, percent, signed_percent};

use super::group::{self, Group};
use super::history_rule::{self, Kind};
use super::{Against, bundle, new_result, representative};

/// One subject's result: its measurements combined into one value, then judged against
/// the check's limit and the baseline.
pub(super) fn judge_group(
    check: &Check,
    selects: &Selects<'_>,
    group: Group<'_>,
    against: Against<'_>,
    own_change: Option<&Measurement>,
    runs: &representative::Runs<'_>,
) -> CheckResult {
    let baseline = against.baseline();
    let first = group.measurements[0];
    let unit = first.unit;
    let stat = first.stat.clone();
    let mut origins: Vec<String> = group.measurements.iter().filter_map(|m| m.origin.clone()).collect();
    origins.sort();
    origins.dedup();
    let mut result = new_result(check, selects, unit, group.subject);
    result.stat = stat;
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
    let (value, representative_run) =
        match aggregate_value(check, selects, &group.measurements, baseline, runs, &mut result) {
            Ok(aggregated) => aggregated,
            Err(message) => return no_data(result, check, message),
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
    judge_value(check, selects, &what, dimension, unit.to_base(value), (against, own_change), &mut result);
    append_suffixes(check, &group.measurements, baseline.is_some(), representative_run.as_deref(), &mut result);
    result
}

/// The group's value in the result's unit (its first measurement's): a bundle's sizes
/// summed, else the runs combined as the check's `aggregate:` says, with the run
/// `median-run` chose; or, as the error, the message of a result without data. A summed
/// bundle check lists its files in `result.files`, and several runs are kept in
/// `result.runs`.
fn aggregate_value(
    check: &Check,
    selects: &Selects<'_>,
    measurements: &[&Measurement],
    baseline: Option<&Baseline>,
    runs: &representative::Runs<'_>,
    result: &mut CheckResult,
) -> Result<(f64, Option<String>), String> {
    let unit = result.unit;
    // Values stay in the measurement's unit, as the source wrote them: a trip through base
    // units (×1e6 for ms) and back can change the last bit of a number that must equal the
    // tool's own. Base units serve only comparisons.
    let same_unit = measurements.iter().all(|m| m.unit == unit);
    let in_unit = |m: &Measurement| if same_unit { m.value } else { Some(unit.from_base(m.base_value()?)) };
    let values: Vec<f64> = measurements.iter().filter_map(|m| in_unit(m)).collect();
    let without: Vec<&Measurement> = measurements.iter().copied().filter(|m| m.value.is_none()).collect();
    let reason = |m: &Measurement| m.no_data.clone().unwrap_or_else(|| "the tool gave no value".to_owned());
    // As Lighthouse CI: no run with a value fails any method, and `pessimistic` also fails
    // when some run has none.
    if values.is_empty() {
        return Err(format!("no data: {}", reason(without[0])));
    }
    if check.aggregate == Aggregate::Pessimistic && !without.is_empty() {
        return Err(format!(
            "no data in {} of {} runs ({}): pessimistic counts a run without a value as failed",
            without.len(),
            measurements.len(),
            reason(without[0])
        ));
    }
    if group::sums_tests(check) {
        // A suite without a time would make the sum look faster than the tests were.
        if let Some(missing) = without.first() {
            return Err(format!(
                "no data: {} of the {} summed have no value ({})",
                without.len(),
                measurements.len(),
                reason(missing)
            ));
        }
        return Ok((values.iter().sum(), None));
    }
    if check.metric == Metric::BundleSize {
        // Sizes add up: the files of a summed check, or of a row that several files share.
        if !check.each {
            let baseline_files =
                baseline.and_then(|b| b.files(selects.metric, result.stat.as_deref(), &result.subject));
            result.files = bundle::files(measurements, baseline_files);
        }
        return Ok((values.iter().sum(), None));
    }
    if values.len() > 1 {
        result.runs = values.clone();
    }
    match check.aggregate {
        // Lighthouse CI compares a category's score over every run, taking the highest,
        // even for `median-run` (lighthouse-ci#1064); the gate must agree with it.
        Aggregate::MedianRun if check.metric == Metric::Score => {
            Ok((values.iter().copied().fold(f64::NEG_INFINITY, f64::max), None))
        }
        Aggregate::MedianRun => {
            let (chosen, origin) = runs.representative(measurements);
            let representative_run = origin.map(str::to_owned);
            match chosen.and_then(in_unit) {
                Some(value) => Ok((value, representative_run)),
                None => {
                    let why = chosen.map_or_else(|| format!("has no {} value", check.metric), reason);
                    Err(format!(
                        "no data: the representative run ({}) {why}, and Lighthouse CI fails that too",
                        representative_run.as_deref().unwrap_or("unknown"),
                    ))
                }
            }
        }
        aggregate => Ok((combine(&values, aggregate, check.direction()), None)),
    }
}

/// Judges `value` (base units) against the check's limit and, where it has `regression:`,
/// the baseline; writes the worst verdict into `result`, and the sentences, the reason for
/// the verdict first.
fn judge_value(
    check: &Check,
    selects: &Selects<'_>,
    what: &str,
    dimension: Dimension,
    value: f64,
    (against, own_change): (Against<'_>, Option<&Measurement>),
    result: &mut CheckResult,
) {
    let baseline = against.baseline();
    let unit = result.unit;
    let show = |base: f64| format_base(dimension, base);
    let mut verdicts: Vec<(Verdict, String)> = Vec::new();
    if let Some(limit) = check.limit {
        verdicts.push(judge_limit(what, value, limit, check.warn.map(|warn| warn.threshold), &show));
    }
    let baseline_value = baseline.and_then(|b| b.get(selects.metric, result.stat.as_deref(), &result.subject));
    if let Some(base) = baseline_value {
        result.baseline = Some(unit.from_base(base.value));
        // Only from a positive baseline is a relative change what it says (see judge_regression).
        if base.value > 0.0 {
            result.change = Some((value - base.value) / base.value);
        }
    }
    let current =
        Sample { value, interval: result.lower.zip(result.upper).map(|(l, u)| (unit.to_base(l), unit.to_base(u))) };
    let direction = check.direction();
    if let Against::History(history) = against {
        let points = history.series(selects.metric, result.stat.as_deref(), &result.subject);
        result.trend = points
            .iter()
            .take(crate::model::report::TREND_RUNS)
            .rev()
            .map(|point| crate::model::report::TrendPoint {
                value: unit.from_base(point.value),
                commit: point.commit.clone(),
            })
            .collect();
        if let Some(allowed) = check.regression {
            let kind = if dimension == Dimension::Size { Kind::Deterministic } else { Kind::Noisy };
            let missing = check.missing_baseline;
            let question = history_rule::Question { what, current, allowed, direction, kind, missing, show: &show };
            let judged = history_rule::judge(&question, history, points);
            if let Some(base) = judged.baseline {
                result.baseline = Some(unit.from_base(base));
                if base > 0.0 {
                    result.change = Some((value - base) / base);
                }
            }
            result.history = judged.evidence.map(|evidence| evidence.in_unit(unit));
            verdicts.push((judged.verdict, judged.message));
        } else if let Some(newest) = points.first() {
            result.baseline = Some(unit.from_base(newest.value));
            if newest.value > 0.0 {
                result.change = Some((value - newest.value) / newest.value);
            }
        }
    } else if let Some(allowed) = check.regression
        && baseline.is_none()
        && let Some((mean, lower, upper)) = own_change.and_then(|m| Some((m.value?, m.lower?, m.upper?)))
    {
        result.change = Some(mean);
        verdicts.push(own_comparison(what, (mean, lower, upper), allowed));
    } else if let Some(allowed) = check.regression {
        let (verdict, message) =
            judge_regression(what, current, baseline.is_some(), baseline_value, allowed, direction, &show);
        // Nothing to compare with: the budget's `missing_baseline:` decides.
        let verdict = if baseline.is_none() { check.missing_baseline } else { verdict };
        verdicts.push((verdict, message));
    }
    let worst = verdicts.iter().map(|(verdict, _)| *verdict).max().unwrap_or(Verdict::Green);
    result.verdict = worst;
    // Lead with the reason for the verdict; keep the other sentences after it.
    verdicts.sort_by_key(|(verdict, _)| std::cmp::Reverse(*verdict));
    result.message = verdicts.into_iter().map(|(_, message)| message).collect::<Vec<_>>().join("; ");
}

/// criterion's own comparison of this run with its previous one, its mean change and 95%
/// interval, judged as two reports' intervals are: worse than `allowed` and real
/// (criterion's own verdict: the interval above its 1% noise threshold) is red; worse but
/// not real is yellow, "inconclusive: re-run"; real but within `allowed` is yellow.
fn own_comparison(what: &str, (mean, lower, upper): (f64, f64, f64), allowed: f64) -> (Verdict, String) {
    let real = crate::model::vocabulary::criterion_regressed(lower);
    let compared = format!(
        "{what} is {} by criterion's own comparison with its previous run: mean {} [{}, {}]",
        if mean >= 0.0 { "slower" } else { "faster" },
        signed_percent(mean),
        signed_percent(lower),
        signed_percent(upper)
    );
    match (mean > allowed, real) {
        (true, true) => (Verdict::Red, format!("{compared}, beyond the allowed {}, and real", percent(allowed))),
        (true, false) => (
            Verdict::Yellow,
            format!("inconclusive: re-run: {compared}, beyond the allowed {} but within noise", percent(allowed)),
        ),
        (false, true) => {
            (Verdict::Yellow, format!("{compared}: a real change, within the allowed {}", percent(allowed)))
        }
        (false, false) => (Verdict::Green, format!("{compared}, within the allowed {}", percent(allowed))),
    }
}

/// Ends the message with how the value was made: a summed bundle's file count, a file new
/// since the baseline or shared by several built files, and how several runs combined.
fn append_suffixes(
    check: &Check,
    measurements: &[&Measurement],
    have_baseline: bool,
    representative_run: Option<&str>,
    result: &mut CheckResult,
) {
    if check.metric == Metric::BundleSize {
        let present: usize = result.files.iter().map(crate::model::report::FileSize::built_files).sum();
        match (check.each, have_baseline, &result.baseline) {
            (false, _, _) if present == 1 => result.message.push_str(" (1 file)"),
            (false, _, _) => result.message.push_str(&format!(" ({present} files)")),
            (true, true, None) => result.message.push_str("; a new file (not in the baseline)"),
            (true, _, _) => {}
        }
        let sharing = bundle::built_count(measurements);
        if check.each && sharing > 1 {
            result.message.push_str(&format!("; {sharing} files that share this name without their hashes, summed"));
        }
    }
    if group::sums_tests(check) {
        let what = if check.selectors.iter().any(|s| s.tag == crate::model::vocabulary::SUITE_TAG) {
            "suite"
        } else {
            "report"
        };
        let plural = if measurements.len() == 1 { "" } else { "s" };
        result.message.push_str(&format!(" (the sum of {} {what}{plural})", measurements.len()));
    }
    if result.runs.len() > 1 {
        let how = match (check.aggregate, representative_run) {
            (Aggregate::Median, _) => "median".to_owned(),
            (Aggregate::Optimistic, _) => "best".to_owned(),
            (Aggregate::Pessimistic, _) => "worst".to_owned(),
            (Aggregate::MedianRun, Some(run)) => format!("representative run {run}"),
            (Aggregate::MedianRun, None) if check.metric == Metric::Score => "highest, as Lighthouse CI".to_owned(),
            (Aggregate::MedianRun, None) => "representative run".to_owned(),
        };
        result.message.push_str(&format!(" ({how} of {} runs)", result.runs.len()));
    }
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
pub(super) struct Sample {
    pub value: f64,
    pub interval: Option<(f64, f64)>,
}

/// Worse than the baseline by more than `allowed` is red. With both 95% intervals known
/// (criterion), a change counts as real only when the intervals do not overlap: a large
/// change with overlapping intervals is yellow ("inconclusive: re-run"), and a real
/// worsening within `allowed` is yellow too. Without intervals the plain relative rule
/// applies and a worsening within `allowed` stays green.
pub(super) fn judge_regression(
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
        (false, false, _) if worse == 0.0 => {
            (Verdict::Green, format!("{what} {} is the same as the baseline", show(value)))
        }
        (false, false, _) => (
            Verdict::Green,
            format!("{what} is {} {better_word} than the baseline {}", percent(worse), show(base.value)),
        ),
    }
}
