//! Renderers. Each takes a [`json::Report`] (the evaluation plus what budget it came
//! from) and returns text; none reads the environment or writes files.

pub mod escape;
pub mod github;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod measure;
pub mod progress;
pub mod table;

use crate::evaluate::{CheckResult, LimitValue, Verdict};
use crate::ingest::describe_subject;
use json::Report;

/// Rows in display order: red, then yellow, then green; within a verdict the furthest
/// past its limit first; ties keep budget order.
pub fn worst_first(report: &Report) -> Vec<&CheckResult> {
    let mut rows: Vec<&CheckResult> = report.checks.iter().collect();
    rows.sort_by(|a, b| b.verdict.cmp(&a.verdict).then(b.severity().total_cmp(&a.severity())));
    rows
}

/// Display text of the cells every tabular renderer shows, before format escaping.
#[derive(Debug)]
pub struct Cells {
    pub budget: String,
    /// `None` when nothing matched the check.
    pub subject: Option<String>,
    pub value: String,
    pub limit: String,
    pub change: String,
}

impl Cells {
    pub fn of(check: &CheckResult) -> Cells {
        let value = match check.value {
            Some(value) => {
                let mut text = check.unit.format(value);
                if check.runs.len() > 1 {
                    text.push_str(&format!(" ({} runs)", check.runs.len()));
                }
                text
            }
            // A file the baseline had and this build has not.
            None if check.baseline.is_some() => "removed".to_owned(),
            None => "no data".to_owned(),
        };
        let limit = match check.limit {
            Some(LimitValue::Max(max)) => format!("≤ {}", check.unit.format(max)),
            Some(LimitValue::Min(min)) => format!("≥ {}", check.unit.format(min)),
            None => match check.regression {
                Some(allowed) => format!("±{} vs base", crate::quantity::percent(allowed)),
                None => String::new(),
            },
        };
        let change = match (check.change, check.baseline) {
            (Some(change), _) => crate::quantity::signed_percent(change),
            (None, Some(_)) => "0%".to_owned(),
            (None, None) => String::new(),
        };
        let subject = if check.value.is_none() && check.subject.is_empty() {
            None
        } else {
            Some(describe_subject(&check.subject))
        };
        Cells { budget: check.budget.clone(), subject, value, limit, change }
    }
}

/// Whether any row was compared with a baseline: without one the change column is empty
/// and is left out.
pub fn has_changes(report: &Report) -> bool {
    report.checks.iter().any(|check| check.baseline.is_some())
}

/// The one-line summary every renderer starts or ends with.
pub fn summary_counts(report: &Report) -> String {
    format!("{} red, {} yellow, {} green", report.counts.red, report.counts.yellow, report.counts.green)
}

pub fn verdict_icon(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Red => "🔴",
        Verdict::Yellow => "🟡",
        Verdict::Green => "🟢",
    }
}

#[cfg(test)]
pub(crate) mod sample;
