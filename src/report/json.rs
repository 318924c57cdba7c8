//! The JSON report (`--json FILE`), `schema_version: 1`. It is also the next run's
//! `--baseline`, so it round-trips through serde. Every field is documented in the README.

use serde::{Deserialize, Serialize};

use crate::evaluate::{CheckResult, Evaluation, Verdict};

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub schema_version: u32,
    /// Always `perfbudget`.
    pub tool: String,
    /// The perfbudget version that wrote the report.
    pub version: String,
    pub budget: BudgetInfo,
    /// The worst verdict of all checks.
    pub verdict: Verdict,
    pub counts: Counts,
    /// One entry per budget check and subject, in budget order.
    pub checks: Vec<CheckResult>,
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
            budget,
            verdict: evaluation.verdict(),
            counts: Counts {
                red: evaluation.count(Verdict::Red),
                yellow: evaluation.count(Verdict::Yellow),
                green: evaluation.count(Verdict::Green),
            },
            checks: evaluation.checks,
        }
    }
}

/// Pretty JSON with a trailing newline. Field order is fixed by the types, so the same
/// evaluation always gives the same bytes. Safe to print in a CI log
/// ([`super::escape::json`]): reports get `cat`.
pub fn render(report: &Report) -> String {
    let mut text = super::escape::json(&serde_json::to_string_pretty(report).unwrap_or_default());
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_documented_shape_and_round_trips() {
        let report = crate::report::sample::report();
        let text = render(&report);
        insta::assert_snapshot!(text);
        let back: Report = serde_json::from_str(&text).unwrap();
        assert_eq!(back, report);
        // The hostile subject is data: escaped by JSON, never a raw control character.
        assert!(text.contains(r#""url": "https://x.example/a|b `tick` <!-- hide @someone [x](https://evil.example)\n::error::forged %0A \u001b[31mred"#));
        assert!(!text.contains('\u{1b}'));
        assert!(text.lines().all(|line| !line.trim_start().starts_with("::")));
        assert!(!text.contains("##["));
    }
}
