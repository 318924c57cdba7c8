//! The pull-request comment of any report: its names, messages, history branch and trend
//! commits are untrusted, its numbers anything finite. Whatever they are, the comment stays
//! under the cap, holds only our marker as an HTML comment, no live mention, no control
//! character and no line a runner would read as a workflow command; and the bars and
//! sparklines are only our own characters.
#![no_main]

use libfuzzer_sys::fuzz_target;
use perfbudget::model::{BaselineSource, CheckResult, HistorySummary, LimitValue, Loosened, LooseningKind, Subject, TrendPoint, Verdict};
use perfbudget::quantity::Unit;
use perfbudget::report::json::{BudgetInfo, Counts, Report};
use perfbudget::report::markdown;

/// A finite number from eight bytes (zero where there are none).
fn number(bytes: &[u8]) -> f64 {
    let mut word = [0u8; 8];
    for (slot, byte) in word.iter_mut().zip(bytes) {
        *slot = *byte;
    }
    let value = f64::from_le_bytes(word);
    if value.is_finite() { value } else { 0.0 }
}

fn check(parts: &[String], numbers: &[u8], index: usize) -> CheckResult {
    let text = |at: usize| parts.get(at).cloned().unwrap_or_default();
    let mut subject = Subject::new();
    subject.insert(text(2), text(3));
    let value = number(numbers.get(index * 8..).unwrap_or_default());
    let limit = number(numbers.get(index * 8 + 8..).unwrap_or_default());
    let verdict = [Verdict::Green, Verdict::Yellow, Verdict::Red][index % 3];
    CheckResult {
        budget: text(1),
        metric: "lcp".into(),
        source_metric: "lcp".into(),
        stat: None,
        source: Some(text(4)),
        subject,
        verdict,
        message: text(5),
        unit: Unit::Ms,
        value: (index % 4 != 3).then_some(value),
        lower: None,
        upper: None,
        runs: Vec::new(),
        limit: Some(if index % 2 == 0 { LimitValue::Max(limit) } else { LimitValue::Min(limit) }),
        warn: Some(limit * 0.9),
        baseline: (index % 3 == 1).then_some(limit),
        change: (index % 3 == 1).then_some(value / 100.0),
        regression: Some(0.1),
        origins: Vec::new(),
        files: Vec::new(),
        history: None,
        trend: (0..index % 21)
            .map(|at| TrendPoint {
                value: number(numbers.get(at * 3..).unwrap_or_default()),
                commit: Some(text(6 + at % 2)),
            })
            .collect(),
        loosened: (index % 5 == 4).then_some(Loosened {
            what: [LooseningKind::Max, LooseningKind::Regression, LooseningKind::Removed][index % 3],
            from: Some(limit),
            to: (index % 2 == 0).then_some(value),
        }),
    }
}

fuzz_target!(|data: &[u8]| {
    let (numbers, text) = data.split_at(data.len().min(64));
    let text = String::from_utf8_lossy(text);
    let parts: Vec<String> = text.split('\u{1f}').map(str::to_owned).collect();
    let checks: Vec<CheckResult> = (0..(data.len() % 7)).map(|index| check(&parts, numbers, index)).collect();
    let count = |verdict: Verdict| checks.iter().filter(|check| check.verdict == verdict).count();
    let report = Report {
        schema_version: 1,
        tool: "perfbudget".into(),
        version: "0.1.0".into(),
        key: parts.get(10).cloned(),
        budget: BudgetInfo { name: parts.first().cloned(), file: parts.get(8).cloned().unwrap_or_default() },
        verdict: checks.iter().map(|check| check.verdict).max().unwrap_or(Verdict::Green),
        counts: Counts { red: count(Verdict::Red), yellow: count(Verdict::Yellow), green: count(Verdict::Green) },
        history: Some(HistorySummary {
            branch: parts.get(9).cloned().unwrap_or_default(),
            runs: data.len(),
            noisy_checks: checks.len(),
            alpha: 0.01,
        }),
        // The base branch comes from the pull request: untrusted too.
        baseline_source: Some(BaselineSource {
            branch: parts.get(11).cloned(),
            commit: None,
            merge_base: None,
            found: data.len() % 2 == 0,
            required: data.len() % 3 == 0,
        }),
        checks,
    };
    let cap = 2_000 + data.len() * 10;
    let comment = markdown::render(&report, "fuzz", cap);
    assert!(comment.len() <= cap, "{} bytes over the cap {cap}", comment.len());
    assert_eq!(comment.matches("<!--").count(), 1, "only the marker: {comment}");
    assert!(!comment.chars().any(|c| c.is_control() && c != '\n'), "a control character: {comment:?}");
    let chars: Vec<char> = comment.chars().collect();
    for (at, c) in chars.iter().enumerate() {
        if *c == '@' {
            assert_eq!(chars.get(at + 1), Some(&'\u{2060}'), "a live mention: {comment}");
        }
    }
    assert!(!comment.lines().any(|line| line.trim_start().starts_with("::")), "a workflow command: {comment}");
});
