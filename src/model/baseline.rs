//! A baseline: the values of an earlier run's report (usually the base branch's), looked
//! up by what was measured, not by budget name, so renaming a budget keeps its history.

use std::collections::HashMap;

use crate::model::report::{CheckResult, LimitValue, Report};
use crate::model::subject::Subject;
use crate::quantity::Unit;

#[derive(Debug, Clone, Default)]
pub struct Baseline {
    /// key -> value in its dimension's base unit.
    values: HashMap<String, BaselineValue>,
    /// key -> the files of a summed bundle check: name (without hash) and bytes.
    files: HashMap<String, Vec<(String, f64)>>,
    /// (budget label, compression) -> the files of a bundle check of each file, with their
    /// bytes: what a pull request removed is found by the check that listed it.
    each_files: HashMap<(String, String), Vec<(String, f64)>>,
    /// Each budget of the report with its limits, in report order; `None` for a baseline
    /// that is not a report (a saved criterion baseline), which says nothing of limits.
    budgets: Option<Vec<BudgetLimits>>,
    /// Which run the limits are an earlier run's of, where the baseline is a history's run
    /// (`main at 1a2b3c4, the merge-base`); loosening rows name it.
    limits_of: Option<String>,
}

/// A budget as an earlier report checked it: what loosening is measured against.
#[derive(Debug, Clone, PartialEq)]
pub struct BudgetLimits {
    /// The budget's label (`name:`, or its metric and selectors): what names it.
    pub label: String,
    pub metric: String,
    pub source_metric: String,
    /// The unit the report wrote its limits in.
    pub unit: Unit,
    /// The limit, in base units.
    pub limit: Option<LimitValue>,
    /// Where the yellow band started, in base units.
    pub warn: Option<f64>,
    /// The allowed worsening, as a fraction.
    pub regression: Option<f64>,
}

/// A baseline value and, where the report kept it, its 95% interval; base units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BaselineValue {
    pub value: f64,
    pub interval: Option<(f64, f64)>,
}

impl Baseline {
    pub fn from_report(report: &Report) -> Baseline {
        let files = report
            .checks
            .iter()
            .filter(|c| !c.files.is_empty())
            .map(|c| {
                let sizes = c.files.iter().filter_map(|f| Some((f.name.clone(), f.value?))).collect();
                (series_key(&c.source_metric, c.stat.as_deref(), &c.subject), sizes)
            })
            .collect();
        let mut each_files: HashMap<(String, String), Vec<(String, f64)>> = HashMap::new();
        for c in
            report.checks.iter().filter(|c| c.metric == crate::model::vocabulary::BUNDLE_METRIC && c.files.is_empty())
        {
            if let (Some(file), Some(stat), Some(value)) =
                (c.subject.get(crate::model::vocabulary::FILE_TAG), &c.stat, c.value)
            {
                each_files
                    .entry((c.budget.clone(), stat.clone()))
                    .or_default()
                    .push((file.to_owned(), c.unit.to_base(value)));
            }
        }
        let values = report
            .checks
            .iter()
            .filter_map(|c| {
                Some(entry(&c.source_metric, c.stat.as_deref(), &c.subject, c.unit, c.value?, c.lower.zip(c.upper)))
            })
            .collect();
        let budgets = limit_rows(report).into_iter().map(BudgetLimits::of_check).collect();
        Baseline { values, files, each_files, budgets: Some(budgets), limits_of: None }
    }

    /// A baseline of limits only: those a history recorded with the run `check --history`
    /// compares with, described by `limits_of` (`main at 1a2b3c4, the merge-base`).
    pub fn from_limits(budgets: Vec<BudgetLimits>, limits_of: String) -> Baseline {
        Baseline { budgets: Some(budgets), limits_of: Some(limits_of), ..Baseline::default() }
    }

    /// A baseline from measurements read directly, such as a saved criterion baseline
    /// (`--criterion-baseline`).
    pub fn from_measurements(measurements: &[crate::model::Measurement]) -> Baseline {
        let values = measurements
            .iter()
            .filter_map(|m| {
                Some(entry(&m.metric, m.stat.as_deref(), &m.subject, m.unit, m.value?, m.lower.zip(m.upper)))
            })
            .collect();
        Baseline { values, files: HashMap::new(), each_files: HashMap::new(), budgets: None, limits_of: None }
    }

    /// Adds another baseline's values; `other` wins where both have one.
    pub fn extend(&mut self, other: Baseline) {
        self.values.extend(other.values);
        self.files.extend(other.files);
        self.each_files.extend(other.each_files);
        if other.budgets.is_some() {
            self.budgets = other.budgets;
            self.limits_of = other.limits_of;
        }
    }

    /// The budgets of the report with their limits, in report order; `None` when the
    /// baseline is not a report. A label whose rows disagree (two entries of one `name:`)
    /// is left out: which of them a budget of this run continues cannot be told.
    pub fn budgets(&self) -> Option<&[BudgetLimits]> {
        self.budgets.as_deref()
    }

    /// Which recorded run the limits come from, when they are a history's.
    pub fn limits_of(&self) -> Option<&str> {
        self.limits_of.as_deref()
    }

    /// The files a bundle check of each file (by its label) listed in the baseline.
    pub fn each_files(&self, label: &str, stat: &str) -> Option<&[(String, f64)]> {
        self.each_files.get(&(label.to_owned(), stat.to_owned())).map(Vec::as_slice)
    }

    /// The files of a summed bundle check in the baseline, with their bytes.
    pub fn files(&self, metric: &str, stat: Option<&str>, subject: &Subject) -> Option<&[(String, f64)]> {
        self.files.get(&series_key(metric, stat, subject)).map(Vec::as_slice)
    }

    /// The baseline value (base unit) for a measured metric, stat and subject.
    pub fn get(&self, metric: &str, stat: Option<&str>, subject: &Subject) -> Option<BaselineValue> {
        self.values.get(&series_key(metric, stat, subject)).copied()
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

impl BudgetLimits {
    /// A budget's limits as a report row states them, in the row's unit.
    pub fn in_unit(
        label: String,
        metric: String,
        source_metric: String,
        unit: Unit,
        limit: Option<LimitValue>,
        warn: Option<f64>,
        regression: Option<f64>,
    ) -> BudgetLimits {
        let base = |value: f64| unit.to_base(value);
        BudgetLimits {
            label,
            metric,
            source_metric,
            unit,
            limit: limit.map(|limit| match limit {
                LimitValue::Max(max) => LimitValue::Max(base(max)),
                LimitValue::Min(min) => LimitValue::Min(base(min)),
            }),
            warn: warn.map(base),
            regression,
        }
    }

    /// The limits of a report's row.
    pub fn of_check(check: &CheckResult) -> BudgetLimits {
        BudgetLimits::in_unit(
            check.budget.clone(),
            check.metric.clone(),
            check.source_metric.clone(),
            check.unit,
            check.limit,
            check.warn,
            check.regression,
        )
    }
}

/// The row that states each budget's limits: its first, rows about loosening left out;
/// labels whose rows disagree are dropped. What a baseline and a recorded run keep.
pub(crate) fn limit_rows(report: &Report) -> Vec<&CheckResult> {
    let mut budgets: Vec<(&CheckResult, BudgetLimits)> = Vec::new();
    let mut index: HashMap<&str, Option<usize>> = HashMap::new();
    for check in report.checks.iter().filter(|check| check.loosened.is_none()) {
        let limits = BudgetLimits::of_check(check);
        match index.get(check.budget.as_str()) {
            None => {
                index.insert(&check.budget, Some(budgets.len()));
                budgets.push((check, limits));
            }
            Some(Some(at)) if !same_limits(&budgets[*at].1, &limits) => {
                index.insert(&check.budget, None);
            }
            Some(_) => {}
        }
    }
    let kept: std::collections::HashSet<usize> = index.values().flatten().copied().collect();
    budgets.into_iter().enumerate().filter(|(at, _)| kept.contains(at)).map(|(_, (check, _))| check).collect()
}

/// Whether two rows of one label carry one budget's limits (the unit may differ by row).
fn same_limits(a: &BudgetLimits, b: &BudgetLimits) -> bool {
    let close = |x: f64, y: f64| (x - y).abs() <= 1e-9 * x.abs().max(y.abs());
    let both = |x: Option<f64>, y: Option<f64>| match (x, y) {
        (Some(x), Some(y)) => close(x, y),
        (x, y) => x.is_none() && y.is_none(),
    };
    let limit = match (a.limit, b.limit) {
        (Some(LimitValue::Max(x)), Some(LimitValue::Max(y))) | (Some(LimitValue::Min(x)), Some(LimitValue::Min(y))) => {
            close(x, y)
        }
        (x, y) => x.is_none() && y.is_none(),
    };
    a.metric == b.metric
        && a.unit.dimension() == b.unit.dimension()
        && limit
        && both(a.warn, b.warn)
        && both(a.regression, b.regression)
}

/// One baseline entry, converted to base units.
fn entry(
    metric: &str,
    stat: Option<&str>,
    subject: &Subject,
    unit: Unit,
    value: f64,
    interval: Option<(f64, f64)>,
) -> (String, BaselineValue) {
    let base = |value: f64| unit.to_base(value);
    let value =
        BaselineValue { value: base(value), interval: interval.map(|(lower, upper)| (base(lower), base(upper))) };
    (series_key(metric, stat, subject), value)
}

/// The key of a measured series: joins the parts with the ASCII unit and record
/// separators, which metric names, stats and tags do not contain.
pub(crate) fn series_key(metric: &str, stat: Option<&str>, subject: &Subject) -> String {
    let mut key = format!("{metric}\u{1f}{}", stat.unwrap_or(""));
    for (tag, value) in subject.iter() {
        key.push('\u{1e}');
        key.push_str(tag);
        key.push('\u{1f}');
        key.push_str(value);
    }
    key
}
