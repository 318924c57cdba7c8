//! Budget × measurements × optional baseline → verdicts. Pure: no I/O, no environment,
//! no clock, so every rule is tested as a table.
//!
//! This module holds the entry point and its bounds; `group` gathers each check's
//! measurements by subject, `judge` gives each subject its verdict, `stream` merges raw k6
//! samples into one measurement, and `no_match` words the result of a check that found
//! nothing.

pub mod bundle;
mod group;
pub mod history_rule;
mod judge;
pub mod loosening;
mod no_match;
mod representative;
mod select;
mod stream;

use std::collections::HashMap;

use crate::budget::metric::{Metric, Selects};
use crate::budget::{Aggregate, Budget, Check, Limit};
use crate::model::baseline::Baseline;
use crate::model::history::History;
use crate::model::report::{HistoryRule, HistorySummary};
use crate::model::{CheckResult, Evaluation, LimitValue, Measurement, Subject, Verdict};
use crate::quantity::Unit;

use group::group_by_subject;
use judge::judge_group;
use no_match::no_match;
use stream::stream_measurement;

/// A result for `check` with its limits in `unit` and nothing measured yet.
fn new_result(check: &Check, selects: &Selects<'_>, unit: Unit, subject: Subject) -> CheckResult {
    CheckResult {
        metric: check.metric.name().to_owned(),
        source_metric: selects.metric.to_owned(),
        subject,
        limit: check.limit.map(|limit| match limit {
            Limit::Max(max) => LimitValue::Max(unit.from_base(max)),
            Limit::Min(min) => LimitValue::Min(unit.from_base(min)),
        }),
        warn: check.warn.map(|warn| unit.from_base(warn.threshold)),
        regression: check.regression,
        ..CheckResult::blank(check.label.clone(), unit)
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

/// What a run's values are compared with for `regression:` entries.
#[derive(Debug, Clone, Copy, Default)]
pub enum Against<'a> {
    /// Nothing: regressions are not checked.
    #[default]
    Nothing,
    /// One earlier report (`--baseline`, `--criterion-baseline`).
    Baseline(&'a Baseline),
    /// The base branch's recorded runs (`--history`).
    History(&'a History),
}

impl<'a> Against<'a> {
    /// The single baseline, where that is what the run is compared with.
    pub fn baseline(self) -> Option<&'a Baseline> {
        match self {
            Against::Baseline(baseline) => Some(baseline),
            Against::Nothing | Against::History(_) => None,
        }
    }
}

impl<'a> From<Option<&'a Baseline>> for Against<'a> {
    fn from(baseline: Option<&'a Baseline>) -> Against<'a> {
        baseline.map_or(Against::Nothing, Against::Baseline)
    }
}

/// Checks every budget entry against the measurements (and the baseline, if any).
pub fn evaluate(
    budget: &Budget,
    measurements: &[Measurement],
    baseline: Option<&Baseline>,
) -> Result<Evaluation, Error> {
    evaluate_against(budget, measurements, Against::from(baseline))
}

/// Checks every budget entry against the measurements and what they are compared with.
pub fn evaluate_against(
    budget: &Budget,
    measurements: &[Measurement],
    against: Against<'_>,
) -> Result<Evaluation, Error> {
    let baseline = against.baseline();
    // With nothing else to compare with, criterion's own comparison with its previous run
    // (its `change/estimates.json`, or cargo-criterion's `change`) judges a regression.
    let criterion_changes: HashMap<&Subject, &Measurement> = match against {
        Against::Nothing => measurements
            .iter()
            .filter(|m| m.metric == crate::model::vocabulary::CRITERION_CHANGE && m.stat.as_deref() == Some("mean"))
            .map(|m| (&m.subject, m))
            .collect(),
        Against::Baseline(_) | Against::History(_) => HashMap::new(),
    };
    let selected = select::select(&budget.checks, measurements, MAX_SELECTED).ok_or(Error::TooManySelected)?;
    let needs_runs = budget.checks.iter().any(|check| check.aggregate == Aggregate::MedianRun);
    let runs = if needs_runs { representative::Runs::new(measurements) } else { representative::Runs::default() };
    let mut by_metric: HashMap<&str, Vec<&Measurement>> = HashMap::new();
    let mut checks = Vec::new();
    for (check, matched) in budget.checks.iter().zip(selected) {
        let selects = check.selects();
        let first_row = checks.len();
        'entry: {
            if matched.is_empty() {
                // Only a check that found nothing needs to know what else is there.
                if by_metric.is_empty() {
                    for measurement in measurements {
                        by_metric.entry(measurement.metric.as_str()).or_default().push(measurement);
                    }
                }
                let candidates: &[&Measurement] = by_metric.get(selects.metric).map(Vec::as_slice).unwrap_or_default();
                checks.push(no_match(check, &selects, candidates, &by_metric));
                break 'entry;
            }
            // Raw k6 samples become one measurement: everything the check selected, merged.
            let from_stream: Vec<Measurement>;
            let matched = if matched.iter().any(|m| m.distribution.is_some()) {
                from_stream = vec![stream_measurement(check, &selects, &matched)];
                matched.into_iter().filter(|m| m.distribution.is_none()).chain(from_stream.iter()).collect()
            } else {
                matched
            };
            let groups = group_by_subject(check, &selects, matched);
            if first_row + groups.len() > MAX_ROWS {
                return Err(Error::TooManyRows { entry: check.label.clone() });
            }
            for group in groups {
                let own_change = if check.metric == Metric::BenchTime && check.regression.is_some() {
                    criterion_changes.get(&group.subject).copied()
                } else {
                    None
                };
                checks.push(judge_group(check, &selects, group, against, own_change, &runs));
            }
            if check.metric == Metric::BundleSize
                && check.each
                && let Some(baseline) = baseline
            {
                let removed = bundle::removed_files(check, &selects, &checks[first_row..], baseline);
                checks.extend(removed);
            }
            if checks.len() > MAX_ROWS {
                return Err(Error::TooManyRows { entry: check.label.clone() });
            }
        }
        if check.yellow_only {
            for result in &mut checks[first_row..] {
                if result.verdict == Verdict::Red {
                    result.verdict = Verdict::Yellow;
                    result.message.push_str(" (level: warn, so yellow)");
                }
            }
        }
    }
    let history = match against {
        Against::History(history) => Some(HistorySummary {
            branch: history.branch.clone(),
            runs: history.runs,
            noisy_checks: checks
                .iter()
                .filter(|check| check.history.as_ref().is_some_and(|evidence| evidence.rule == HistoryRule::Noise))
                .count(),
            alpha: history_rule::ALPHA,
        }),
        Against::Nothing | Against::Baseline(_) => None,
    };
    Ok(Evaluation { checks, history })
}

#[cfg(test)]
mod tests;
