//! Loosening: this run's limits against the baseline report's, budget by budget. A larger
//! `max:`, a smaller `min:`, a yellow band that starts later, a larger `regression:`
//! allowance, or a limit or budget that is gone each make one row, of the verdict the
//! budget's `loosening:` policy gives (yellow by default; green once approved).
//!
//! A budget is the same budget when its label (`name:`, or its metric and selectors) and
//! metric are: renaming one reads as a removed budget and a new one, which is what a
//! reviewer should see.

use std::collections::HashMap;

use crate::budget::{Budget, Check, Limit, LooseningPolicy};
use crate::model::baseline::{Baseline, BudgetLimits};
use crate::model::report::{Loosened, LooseningKind};
use crate::model::{CheckResult, LimitValue, Subject, Verdict};
use crate::quantity::{format_base, percent};

/// The rows of every loosened or removed budget, in the baseline's order. `approved`
/// (`check --allow-loosening`) makes them green whatever the policy. A baseline that is
/// not a report (a saved criterion baseline) has no limits to compare with: no rows. The
/// limits of a history's run say which run they are (`limits of main at 1a2b3c4`).
pub fn loosened(budget: &Budget, baseline: &Baseline, approved: bool) -> Vec<CheckResult> {
    let Some(before) = baseline.budgets() else { return Vec::new() };
    let of = baseline.limits_of();
    let mut by_label: HashMap<(&str, &str), Vec<&Check>> = HashMap::new();
    for check in &budget.checks {
        by_label.entry((check.label.as_str(), check.metric.name())).or_default().push(check);
    }
    let mut rows = Vec::new();
    for old in before {
        let now = by_label.get(&(old.label.as_str(), old.metric.as_str())).map(Vec::as_slice).unwrap_or_default();
        if now.is_empty() {
            rows.push(removed(old, budget.default_loosening, approved, of));
            continue;
        }
        for check in now {
            let policy = check.loosening.unwrap_or_default();
            rows.extend(
                changes(old, check).into_iter().map(|change| row(old, Some(check), &change, policy, approved, of)),
            );
        }
    }
    rows
}

/// One loosened part of a budget, in base units.
struct Change {
    what: LooseningKind,
    from: Option<f64>,
    to: Option<f64>,
    sentence: String,
}

/// Relative tolerance of a comparison: a limit read back from a report's unit may differ
/// from the budget's in its last bits.
const TOLERANCE: f64 = 1e-9;

fn larger(now: f64, before: f64) -> bool {
    now > before + TOLERANCE * before.abs().max(now.abs())
}

/// What loosened between the baseline's budget and this run's check of the same label.
fn changes(old: &BudgetLimits, check: &Check) -> Vec<Change> {
    let dimension = check.dimension;
    let show = |base: f64| format_base(dimension, base);
    let mut changes = Vec::new();
    let mut limit_loosened = true;
    // Limits of two dimensions (a `k6` limit whose unit changed) cannot be compared: the
    // new one stands in for the old.
    let comparable = old.limit.is_none() || check.limit.is_none() || old.unit.dimension() == dimension;
    match (old.limit, check.limit) {
        (Some(before), Some(now)) if !comparable => {
            let sign = |max: bool| if max { "≤" } else { "≥" };
            changes.push(Change {
                what: if matches!(before, LimitValue::Max(_)) { LooseningKind::Max } else { LooseningKind::Min },
                from: Some(before.amount()),
                to: None,
                sentence: format!(
                    "limit {} {} replaced by {} {}",
                    sign(matches!(before, LimitValue::Max(_))),
                    format_base(old.unit.dimension(), before.amount()),
                    sign(matches!(now, Limit::Max(_))),
                    show(now.value())
                ),
            });
        }
        (Some(LimitValue::Max(before)), Some(Limit::Max(now))) if larger(now, before) => changes.push(Change {
            what: LooseningKind::Max,
            from: Some(before),
            to: Some(now),
            sentence: format!("limit loosened from {} to {}", show(before), show(now)),
        }),
        (Some(LimitValue::Min(before)), Some(Limit::Min(now))) if larger(before, now) => changes.push(Change {
            what: LooseningKind::Min,
            from: Some(before),
            to: Some(now),
            sentence: format!("minimum loosened from {} to {}", show(before), show(now)),
        }),
        (Some(LimitValue::Max(_)), Some(Limit::Max(_))) | (Some(LimitValue::Min(_)), Some(Limit::Min(_))) => {
            limit_loosened = false;
        }
        (Some(before), now) => {
            let (what, sign) = match before {
                LimitValue::Max(_) => (LooseningKind::Max, "≤"),
                LimitValue::Min(_) => (LooseningKind::Min, "≥"),
            };
            let sentence = match now {
                None => format!("limit {sign} {} removed", show(before.amount())),
                Some(now) => {
                    let now_sign = if matches!(now, Limit::Max(_)) { "≤" } else { "≥" };
                    format!("limit {sign} {} replaced by {now_sign} {}", show(before.amount()), show(now.value()))
                }
            };
            changes.push(Change { what, from: Some(before.amount()), to: None, sentence });
        }
        (None, _) => limit_loosened = false,
    }
    // A band written as a share of the limit moves with it: only a band that starts later at
    // the same limit is a loosening of its own.
    if !limit_loosened && let (Some(before), Some(now), Some(limit)) = (old.warn, check.warn, check.limit) {
        let later = match limit {
            Limit::Max(_) => larger(now.threshold, before),
            Limit::Min(_) => larger(before, now.threshold),
        };
        if later {
            changes.push(Change {
                what: LooseningKind::Warn,
                from: Some(before),
                to: Some(now.threshold),
                sentence: format!("warn loosened from {} to {}", show(before), show(now.threshold)),
            });
        }
    }
    match (old.regression, check.regression) {
        (Some(before), Some(now)) if larger(now, before) => changes.push(Change {
            what: LooseningKind::Regression,
            from: Some(before),
            to: Some(now),
            sentence: format!("regression allowance loosened from {} to {}", percent(before), percent(now)),
        }),
        (Some(before), None) => changes.push(Change {
            what: LooseningKind::Regression,
            from: Some(before),
            to: None,
            sentence: format!("regression allowance of {} removed", percent(before)),
        }),
        _ => {}
    }
    changes
}

/// The row of a budget the baseline had and this run has not.
fn removed(old: &BudgetLimits, policy: LooseningPolicy, approved: bool, of: Option<&str>) -> CheckResult {
    let dimension = old.unit.dimension();
    let had = match (old.limit, old.regression) {
        (Some(LimitValue::Max(max)), _) => format!("its limit was ≤ {}", format_base(dimension, max)),
        (Some(LimitValue::Min(min)), _) => format!("its limit was ≥ {}", format_base(dimension, min)),
        (None, Some(regression)) => format!("it allowed {} of regression", percent(regression)),
        (None, None) => "it had no limit".to_owned(),
    };
    let change = Change {
        what: LooseningKind::Removed,
        from: old.limit.map(LimitValue::amount),
        to: None,
        sentence: format!("budget removed ({had})"),
    };
    row(old, None, &change, policy, approved, of)
}

fn row(
    old: &BudgetLimits,
    check: Option<&Check>,
    change: &Change,
    policy: LooseningPolicy,
    approved: bool,
    of: Option<&str>,
) -> CheckResult {
    let unit = old.unit;
    let in_unit = |base: f64| match change.what {
        LooseningKind::Regression => base,
        _ => unit.from_base(base),
    };
    let (verdict, why) = if approved {
        (Verdict::Green, "approved with --allow-loosening".to_owned())
    } else {
        match policy {
            LooseningPolicy::Allow => (Verdict::Green, "loosening: allow".to_owned()),
            LooseningPolicy::Warn | LooseningPolicy::Fail => {
                (policy.verdict(), format!("loosening: {}; approve with --allow-loosening", policy.as_str()))
            }
        }
    };
    let dimension_unit = |base: f64| unit.from_base(base);
    CheckResult {
        budget: old.label.clone(),
        metric: old.metric.clone(),
        source_metric: old.source_metric.clone(),
        stat: None,
        source: None,
        subject: Subject::new(),
        verdict,
        message: match of {
            Some(of) => format!("{}, against the limits of {of} ({why})", change.sentence),
            None => format!("{} ({why})", change.sentence),
        },
        unit,
        value: None,
        lower: None,
        upper: None,
        runs: Vec::new(),
        limit: check.and_then(|check| check.limit).map(|limit| match limit {
            Limit::Max(max) => LimitValue::Max(dimension_unit(max)),
            Limit::Min(min) => LimitValue::Min(dimension_unit(min)),
        }),
        warn: check.and_then(|check| check.warn).map(|warn| dimension_unit(warn.threshold)),
        baseline: None,
        change: None,
        regression: check.and_then(|check| check.regression),
        origins: Vec::new(),
        files: Vec::new(),
        history: None,
        trend: Vec::new(),
        loosened: Some(Loosened { what: change.what, from: change.from.map(in_unit), to: change.to.map(in_unit) }),
    }
}

#[cfg(test)]
mod tests;
