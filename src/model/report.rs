//! The results of a run: each check's verdict and numbers, and the JSON report
//! (`schema_version: 1`) that holds them. The report is also the next run's `--baseline`,
//! so every type here round-trips through serde; every field is documented in the README.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::model::subject::Subject;
use crate::quantity::Unit;

/// Green passes, yellow passes unless `--fail-on yellow`, red fails. Ordered by severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Green,
    Yellow,
    Red,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Green => "green",
            Verdict::Yellow => "yellow",
            Verdict::Red => "red",
        }
    }
}

/// Every check's result, in budget order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Evaluation {
    pub checks: Vec<CheckResult>,
    /// What the history said about the run as a whole, when it was judged against one.
    pub history: Option<HistorySummary>,
}

/// The run's regression checks against a history: how many were judged by the noise rule,
/// at which one-sided level, so a reader knows how many false reds to expect at most.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistorySummary {
    /// The branch whose history was the baseline.
    pub branch: String,
    /// How many runs of it were read.
    pub runs: usize,
    /// Checks judged by the noise rule (a prediction limit from ≥ 8 runs).
    pub noisy_checks: usize,
    /// The rule's one-sided level.
    pub alpha: f64,
}

impl HistorySummary {
    /// The expected number of checks beyond their prediction limit on pure noise
    /// (α × noisy checks); the magnitude floor makes false reds rarer still.
    pub fn expected_false_alarms(&self) -> f64 {
        self.alpha * self.noisy_checks as f64
    }
}

/// Which rule judged a regression against a history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HistoryRule {
    /// A deterministic value (a size, or a series that never moved), compared exactly with
    /// one base run.
    Exact,
    /// A noisy value against the prediction limit of the last runs.
    Noise,
    /// Too few runs for the noise rule: compared with the newest base run.
    Single,
}

/// The evidence of a regression judged against a history, in the result's unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEvidence {
    pub rule: HistoryRule,
    /// How many base runs the rule used.
    pub runs: usize,
    /// The typical value (the geometric mean) of the runs, for the noise rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub typical: Option<f64>,
    /// The one-sided prediction limit, for the noise rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alpha: Option<f64>,
    /// The base run's commit, for the exact and single rules, where it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
}

impl HistoryEvidence {
    /// The evidence with its values (base units) converted to `unit`.
    pub fn in_unit(self, unit: Unit) -> HistoryEvidence {
        HistoryEvidence {
            typical: self.typical.map(|value| unit.from_base(value)),
            limit: self.limit.map(|value| unit.from_base(value)),
            ..self
        }
    }
}

impl Evaluation {
    /// The worst verdict; green when there is nothing to check.
    pub fn verdict(&self) -> Verdict {
        self.checks.iter().map(|check| check.verdict).max().unwrap_or(Verdict::Green)
    }

    pub fn count(&self, verdict: Verdict) -> usize {
        self.checks.iter().filter(|check| check.verdict == verdict).count()
    }
}

/// A limit as reported, in the result's unit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LimitValue {
    Max(f64),
    Min(f64),
}

impl LimitValue {
    /// The limit's number, whichever side it bounds.
    pub fn amount(self) -> f64 {
        match self {
            LimitValue::Max(amount) | LimitValue::Min(amount) => amount,
        }
    }
}

/// One budget check applied to one subject.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    /// The budget's `name:`, or a label made from its metric and selectors.
    pub budget: String,
    /// The budget metric (`api_p95`).
    pub metric: String,
    /// The measurement metric it read (`http_req_duration`).
    pub source_metric: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stat: Option<String>,
    /// The tool the value came from, when something matched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    pub subject: Subject,
    pub verdict: Verdict,
    /// One sentence a person reads.
    pub message: String,
    /// The unit of `value`, `limit`, `warn`, `baseline`, `lower`, `upper` and `runs`.
    pub unit: Unit,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lower: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upper: Option<f64>,
    /// Each run's value, when several runs were combined.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub runs: Vec<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<LimitValue>,
    /// Where the yellow band starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warn: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<f64>,
    /// Relative change against the baseline: (value - baseline) / baseline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<f64>,
    /// The allowed worsening against the baseline, as a fraction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regression: Option<f64>,
    /// The files the value was read from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub origins: Vec<String>,
    /// A summed `bundle_size` check: each file, against the baseline's files.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<FileSize>,
    /// How the regression was judged against a history (`check --history`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<HistoryEvidence>,
    /// Against a history: the base branch's last values of this series (at most
    /// [`TREND_RUNS`]), oldest first, for sparklines and trend charts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trend: Vec<TrendPoint>,
    /// A row about the budget itself rather than a measurement: one of its limits is looser
    /// than the baseline's, or the baseline had the budget and this run has not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loosened: Option<Loosened>,
}

/// What loosened against the baseline, in the row's unit (`regression` as a fraction).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Loosened {
    pub what: LooseningKind,
    /// The baseline's value; for a removed budget, its limit (or `null` for a budget of
    /// `regression:` only).
    #[serde(default)]
    pub from: Option<f64>,
    /// This run's value; `null` when it is gone (a removed budget, limit or regression).
    #[serde(default)]
    pub to: Option<f64>,
}

/// Which part of a budget loosened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LooseningKind {
    /// A larger `max:`, or a `max:` that is gone.
    Max,
    /// A smaller `min:`, or a `min:` that is gone.
    Min,
    /// The yellow band starts later (at an unchanged limit).
    Warn,
    /// A larger `regression:` allowance, or one that is gone.
    Regression,
    /// The whole budget is gone.
    Removed,
}

impl LooseningKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LooseningKind::Max => "max",
            LooseningKind::Min => "min",
            LooseningKind::Warn => "warn",
            LooseningKind::Regression => "regression",
            LooseningKind::Removed => "removed",
        }
    }
}

/// How many base runs a result's trend keeps.
pub(crate) const TREND_RUNS: usize = 20;

/// One base run's value of a result's series, in the result's unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendPoint {
    pub value: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
}

impl CheckResult {
    /// A green row of `budget` in `unit` with nothing measured, no limit and no message: the
    /// start every row is filled in from (`evaluate`, and the rows tighten's tests, bench and
    /// fuzz target make).
    pub fn blank(budget: impl Into<String>, unit: Unit) -> CheckResult {
        CheckResult {
            budget: budget.into(),
            metric: String::new(),
            source_metric: String::new(),
            stat: None,
            source: None,
            subject: Subject::new(),
            verdict: Verdict::Green,
            message: String::new(),
            unit,
            value: None,
            lower: None,
            upper: None,
            runs: Vec::new(),
            limit: None,
            warn: None,
            baseline: None,
            change: None,
            regression: None,
            origins: Vec::new(),
            files: Vec::new(),
            history: None,
            trend: Vec::new(),
            loosened: None,
        }
    }

    /// How far past its limit the value is (relative, bigger is worse), for ordering rows
    /// worst first. Checks without a value sort first within their verdict.
    pub fn severity(&self) -> f64 {
        match (self.value, self.limit) {
            (None, _) => f64::INFINITY,
            (Some(value), Some(LimitValue::Max(max))) if max != 0.0 => (value - max) / max,
            (Some(value), Some(LimitValue::Min(min))) if min != 0.0 => (min - value) / min,
            (Some(_), _) => self.change.unwrap_or(0.0),
        }
    }
}

/// One file of a summed `bundle_size` check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileSize {
    /// The name without its content hash; files are matched with the baseline by it.
    pub name: String,
    /// The names as built, where they differ from `name`: one, or every file that shares
    /// `name` without its hash (sorted). In JSON a string for one, a list for several.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        serialize_with = "one_or_list",
        deserialize_with = "string_or_list"
    )]
    pub built: Vec<String>,
    /// Bytes (the sum over `built`); `null` for a file only the baseline has (removed).
    pub value: Option<f64>,
    /// The baseline's bytes; `null` for a file the baseline lacks (added), or without a
    /// baseline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<f64>,
}

impl FileSize {
    /// How many built files this one stands for: 0 for a removed file.
    pub fn built_files(&self) -> usize {
        if self.value.is_none() { 0 } else { self.built.len().max(1) }
    }
}

/// `built` as the reports of perfbudget 0.1.0 wrote it (one string) while it is one name.
fn one_or_list<S: Serializer>(built: &[String], serializer: S) -> Result<S::Ok, S::Error> {
    match built {
        [one] => serializer.serialize_str(one),
        several => several.serialize(serializer),
    }
}

fn string_or_list<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Built {
        One(String),
        Several(Vec<String>),
    }
    Ok(match Built::deserialize(deserializer)? {
        Built::One(name) => vec![name],
        Built::Several(names) => names,
    })
}

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub schema_version: u32,
    /// Always `perfbudget`.
    pub tool: String,
    /// The perfbudget version that wrote the report.
    pub version: String,
    /// The job's key (`check --key`): its name in a merged report (`perfbudget merge`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    pub budget: BudgetInfo,
    /// The worst verdict of all checks.
    pub verdict: Verdict,
    pub counts: Counts,
    /// One entry per budget check and subject, in budget order.
    pub checks: Vec<CheckResult>,
    /// The run's regression checks against a history (`check --history`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<HistorySummary>,
    /// Where the baseline came from, or that none was found, as the CI job that looked for
    /// one said (`check --baseline-branch`, `--baseline-commit`, `--merge-base`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_source: Option<BaselineSource>,
}

/// Where a run's baseline came from: the base branch's report of one commit, compared with
/// the pull request's merge-base; or no report at all.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BaselineSource {
    /// The branch whose report was looked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// The commit the baseline report was made from; `None` with `found: false`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// The pull request's merge-base with the branch, where it was known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merge_base: Option<String>,
    /// Whether a baseline was found.
    pub found: bool,
    /// Whether the run fails without one (`--require-baseline`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub required: bool,
}

impl BaselineSource {
    /// A baseline was required and none was found: the run cannot be trusted.
    pub fn fails(&self) -> bool {
        self.required && !self.found
    }
}

/// The machine a run was measured on: only runs of the same environment say what noise to
/// expect of times.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Environment {
    pub os: String,
    pub arch: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_model: Option<String>,
    /// The CI runner's kind or label, where the CI says (`github-hosted ubuntu24`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runner: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BudgetInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The budget file, as given on the command line.
    pub file: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub red: usize,
    pub yellow: usize,
    pub green: usize,
}

impl Report {
    pub fn new(evaluation: Evaluation, budget: BudgetInfo) -> Report {
        Report {
            schema_version: SCHEMA_VERSION,
            tool: "perfbudget".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            key: None,
            budget,
            verdict: evaluation.verdict(),
            counts: Counts {
                red: evaluation.count(Verdict::Red),
                yellow: evaluation.count(Verdict::Yellow),
                green: evaluation.count(Verdict::Green),
            },
            checks: evaluation.checks,
            history: evaluation.history,
            baseline_source: None,
        }
    }
}
