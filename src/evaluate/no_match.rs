//! The result of a check that matched no measurement: what it looked for, and what the
//! inputs hold instead.

use std::collections::HashMap;

use crate::budget::Check;
use crate::budget::metric::{Metric, Selects};
use crate::model::{CheckResult, Measurement, Subject, Verdict, describe_subject};
use crate::quantity::{Dimension, Unit};

use super::group::stat_rank;
use super::new_result;

/// The result of a check that matched nothing: red unless optional, saying what was
/// looked for and what was found.
pub(super) fn no_match(
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
        // autocannon has more percentiles than the list above shows, and never a p95.
        if selects.stats.rank(Some("p(95)")).is_some() && candidates.iter().any(|m| m.source == "autocannon") {
            found.push_str(
                "; autocannon reports no p95 (its percentiles nearest it are p(90) and p(97.5)): use api_p90 or \
                 api_p99, or `metric: k6` with `k6_metric: http_req_duration` and `stat: p(97.5)`",
            );
        }
        found
    } else {
        let mut subjects: Vec<String> = candidates.iter().map(|m| describe_subject(&m.subject)).collect();
        subjects.sort();
        subjects.dedup();
        let subjects: Vec<&str> = subjects.iter().map(String::as_str).collect();
        let mut found = format!("{} is there for {}", selects.metric, first_few(&subjects, 5));
        // Artillery counts requests and rates them for the whole run only.
        if matches!(selects.metric, "http_req_failed" | "http_reqs")
            && candidates.iter().any(|m| m.source == "artillery")
        {
            found.push_str(
                "; Artillery reports its request rate and error counts for the whole run only, not per endpoint \
                 (its metrics-by-endpoint plugin gives each endpoint's response times): budget them without `tags:`",
            );
        }
        found
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
