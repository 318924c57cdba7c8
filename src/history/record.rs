//! One recorded run as plain data: what `history record` takes from a JSON report and what
//! `history export` writes as one JSON line. Values stay in the unit the report printed
//! them in, so an export and an import give back the same numbers, bit for bit.

use serde::{Deserialize, Serialize};

use crate::model::Subject;
use crate::model::baseline::{BudgetLimits, limit_rows};
use crate::model::report::{Environment, LimitValue, Report};
use crate::quantity::Unit;

/// A run of the gate on one commit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunRecord {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    pub branch: String,
    /// When the run was made, RFC 3339 in UTC (`2026-12-01T16:43:46Z`).
    pub time: String,
    pub environment: Environment,
    /// The budget's `name:`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<String>,
    /// The perfbudget version that wrote the report.
    pub version: String,
    pub measurements: Vec<RecordedValue>,
    /// Each budget's limits as the report checked them, for loosening; `None` for a run
    /// recorded before perfbudget kept them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits: Option<Vec<RecordedLimits>>,
}

/// A budget's limits in a run, in the unit the report wrote them in (exact, like the
/// values): what `check --history` compares this run's budget with for loosening.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordedLimits {
    /// The budget's label (`name:`, or its metric and selectors).
    pub label: String,
    pub metric: String,
    pub source_metric: String,
    pub unit: Unit,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<LimitValue>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warn: Option<f64>,
    /// The allowed worsening, as a fraction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regression: Option<f64>,
}

impl RecordedLimits {
    /// The limits as loosening reads them, in base units.
    pub fn to_budget_limits(&self) -> BudgetLimits {
        BudgetLimits::in_unit(
            self.label.clone(),
            self.metric.clone(),
            self.source_metric.clone(),
            self.unit,
            self.limit,
            self.warn,
            self.regression,
        )
    }
}

/// One measured series' value in a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordedValue {
    pub metric: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stat: Option<String>,
    #[serde(default)]
    pub subject: Subject,
    pub unit: Unit,
    pub value: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lower: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upper: Option<f64>,
    /// How many runs or samples the value summarises, where the report says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub samples: Option<u64>,
}

impl RecordedValue {
    /// The series this value belongs to: what was measured, not which budget read it.
    pub fn key(&self) -> (&str, Option<&str>, &Subject) {
        (&self.metric, self.stat.as_deref(), &self.subject)
    }
}

/// Where a run was made: the commit, branch and time, given or found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    pub commit: Option<String>,
    pub branch: String,
    /// RFC 3339 in UTC.
    pub time: String,
}

/// The run a report describes: every check with a value, once per measured series (two
/// budget entries reading the same series record it once), and each budget's limits as a
/// baseline report's are read.
pub fn from_report(report: &Report, provenance: Provenance, environment: Environment) -> RunRecord {
    let mut seen = std::collections::HashSet::new();
    let measurements = report
        .checks
        .iter()
        .filter_map(|check| {
            let value = check.value?;
            let key = crate::model::baseline::series_key(&check.source_metric, check.stat.as_deref(), &check.subject);
            if !seen.insert(key) {
                return None;
            }
            let samples = if check.runs.len() > 1 { Some(check.runs.len() as u64) } else { None };
            Some(RecordedValue {
                metric: check.source_metric.clone(),
                stat: check.stat.clone(),
                subject: check.subject.clone(),
                unit: check.unit,
                value,
                lower: check.lower,
                upper: check.upper,
                samples,
            })
        })
        .collect();
    let limits = limit_rows(report)
        .into_iter()
        .map(|check| RecordedLimits {
            label: check.budget.clone(),
            metric: check.metric.clone(),
            source_metric: check.source_metric.clone(),
            unit: check.unit,
            limit: check.limit,
            warn: check.warn,
            regression: check.regression,
        })
        .collect();
    RunRecord {
        commit: provenance.commit,
        branch: provenance.branch,
        time: provenance.time,
        environment,
        budget: report.budget.name.clone(),
        version: report.version.clone(),
        measurements,
        limits: Some(limits),
    }
}
