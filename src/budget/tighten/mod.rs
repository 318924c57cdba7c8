//! The ratchet: limits far looser than today's values, brought down to the worst subject
//! plus a margin, rewritten in the budget's own text.
//!
//! A limit is tightened when it is *far* looser than today's worst value: the proposed
//! limit is the worst value plus the margin (minus it, for a minimum), rounded away from the
//! value to two significant digits in the unit the file wrote, and the current limit is
//! more than the margin beyond that proposal. So with `--margin 10%` a p95 of 92 ms gives
//! 110 ms, and a limit of 150 ms (more than 121 ms) becomes 110 ms, while 115 ms stays. A
//! limit is never loosened, and a value of 0 leaves it alone (no margin to keep).
//!
//! Only the number is rewritten: its quotes, spacing, unit, comments and everything else in
//! the file stay as they are. The new text is read back as a budget and must equal the old
//! one in everything but the tightened limits (and the bands written as shares of them),
//! which must read as the new limits; otherwise nothing is written.

use std::collections::HashMap;
use std::path::Path;

use crate::budget::spans::ValueSpan;
use crate::budget::units::{self, RawQuantity};
use crate::budget::{Budget, BudgetError, Check, Limit};
use crate::model::CheckResult;
use crate::quantity::{Dimension, format_base, percent};

/// One limit to tighten.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// The check's index in the budget.
    pub check: usize,
    pub label: String,
    /// Where it is written (`limits.lcp`, `budgets[2].max`) and its line.
    pub location: String,
    pub line: usize,
    /// The limit as written, and as it will be written.
    pub written: String,
    pub rewritten: String,
    /// Base units: the limit now, the new limit, today's worst value.
    pub from: Limit,
    pub to: Limit,
    pub worst: f64,
    pub dimension: Dimension,
}

/// What `tighten` found: the changes, the new text, and why other limits stay.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub changes: Vec<Change>,
    /// The budget text with every change made (the old text when there is none).
    pub text: String,
    /// Limits that could not be considered, each with why.
    pub notes: Vec<String>,
}

/// Why a budget file cannot be rewritten faithfully. Always exit 2.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file}:{line}: {message}; the file is left as it is")]
pub struct Unfaithful {
    pub file: String,
    pub line: usize,
    pub message: String,
}

/// The plan for `budget` (read from `text`) given the run's `rows` (an evaluation of that
/// budget, in its check order) and the margin (a fraction). `base` is the folder the
/// budget's paths are relative to, for reading the new text back.
pub fn plan(
    budget_text: &str,
    budget: &Budget,
    checks: usize,
    rows: &[CheckResult],
    margin: f64,
    base: &Path,
) -> Result<Plan, TightenError> {
    let file = budget.file.as_str();
    let spans = crate::budget::spans::limit_spans(budget_text, file)?;
    let mut by_label: HashMap<&str, Vec<usize>> = HashMap::new();
    for (index, check) in budget.checks.iter().take(checks).enumerate() {
        by_label.entry(check.label.as_str()).or_default().push(index);
    }
    let mut rows_of: HashMap<&str, Vec<&CheckResult>> = HashMap::new();
    for row in rows.iter().filter(|row| row.loosened.is_none()) {
        rows_of.entry(row.budget.as_str()).or_default().push(row);
    }
    let mut changes = Vec::new();
    let mut notes = Vec::new();
    for (index, check) in budget.checks.iter().take(checks).enumerate() {
        let Some(limit) = check.limit else { continue };
        if let Some(preset) = &check.preset {
            notes.push(format!(
                "{}: from the preset `{preset}`, not written in this file (override it under `limits:` to tighten it)",
                check.label
            ));
            continue;
        }
        if by_label[check.label.as_str()].len() > 1 {
            notes.push(format!(
                "{}: several budgets share this label; give each a `name:` to tighten them",
                check.label
            ));
            continue;
        }
        let key = match limit {
            _ if check.location.starts_with("limits.") => check.location.clone(),
            Limit::Max(_) => format!("{}.max", check.location),
            Limit::Min(_) => format!("{}.min", check.location),
        };
        let Some(span) = spans.get(&key) else {
            return Err(Unfaithful {
                file: file.to_owned(),
                line: 1,
                message: format!("cannot find where `{key}` ({}) is written", check.label),
            }
            .into());
        };
        let values: Vec<f64> = rows_of
            .get(check.label.as_str())
            .into_iter()
            .flatten()
            .filter_map(|row| Some(row.unit.to_base(row.value?)))
            .collect();
        let worst = match limit {
            Limit::Max(_) => values.iter().copied().reduce(f64::max),
            Limit::Min(_) => values.iter().copied().reduce(f64::min),
        };
        let Some(worst) = worst else {
            notes.push(format!("{}: nothing measured today, left as it is", check.label));
            continue;
        };
        if let Some(change) = propose(index, check, limit, worst, margin, span, &mut notes)? {
            if let Some(why) = &span.refused {
                return Err(Unfaithful {
                    file: file.to_owned(),
                    line: span.line,
                    message: format!("`{key}` ({}) cannot be rewritten in place: {why}", check.label),
                }
                .into());
            }
            changes.push((change, span.clone()));
        }
    }
    let text = rewrite(budget_text, &changes);
    let changes: Vec<Change> = changes.into_iter().map(|(change, _)| change).collect();
    verify(budget_text, &text, file, base, &changes)?;
    Ok(Plan { changes, text, notes })
}

/// A plan that cannot be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TightenError {
    #[error(transparent)]
    Budget(#[from] BudgetError),
    #[error(transparent)]
    Unfaithful(#[from] Unfaithful),
}

/// The change of one check, if its limit is far looser than today's worst value.
fn propose(
    index: usize,
    check: &Check,
    limit: Limit,
    worst: f64,
    margin: f64,
    span: &ValueSpan,
    notes: &mut Vec<String>,
) -> Result<Option<Change>, TightenError> {
    let dimension = check.dimension;
    if worst <= 0.0 {
        notes.push(format!("{}: today's value is 0, no margin to keep; left as it is", check.label));
        return Ok(None);
    }
    let (number, unit) = split_written(&span.value);
    let factor = match unit_factor(unit, dimension) {
        Some(factor) if !number.is_empty() => factor,
        _ => {
            notes.push(format!("{}: `{}` is not a number and a unit; left as it is", check.label, span.value));
            return Ok(None);
        }
    };
    let (proposed, far) = match limit {
        Limit::Max(current) => {
            let proposed = round_two(worst * (1.0 + margin) / factor, Rounding::Up) * factor;
            (proposed, current > proposed * (1.0 + margin) * (1.0 + 1e-12))
        }
        Limit::Min(current) => {
            let proposed = round_two(worst * (1.0 - margin) / factor, Rounding::Down) * factor;
            (proposed, proposed > 0.0 && current * (1.0 + 1e-12) < proposed * (1.0 - margin))
        }
    };
    if !far {
        return Ok(None);
    }
    if let Some(warn) = check.warn.filter(|warn| warn.fraction.is_none()) {
        let blocked = match limit {
            Limit::Max(_) => warn.threshold > proposed,
            Limit::Min(_) => warn.threshold < proposed,
        };
        if blocked {
            notes.push(format!(
                "{}: could be {}, but its `warn: {}` lies beyond that; move `warn:` first",
                check.label,
                format_base(dimension, proposed),
                format_base(dimension, warn.threshold)
            ));
            return Ok(None);
        }
    }
    let number_text = decimal(proposed / factor);
    let rewritten = format!("{number_text}{}", &span.value[number.len()..]);
    let to = match limit {
        Limit::Max(_) => Limit::Max(proposed),
        Limit::Min(_) => Limit::Min(proposed),
    };
    Ok(Some(Change {
        check: index,
        label: check.label.clone(),
        location: check.location.clone(),
        line: span.line,
        written: span.value.clone(),
        rewritten,
        from: limit,
        to,
        worst,
        dimension,
    }))
}

/// `"150 kB"` → (`"150"`, `" kB"`): the number as written and what follows it.
fn split_written(text: &str) -> (&str, &str) {
    let bytes = text.as_bytes();
    let mut end = 0;
    while end < bytes.len() && (bytes[end].is_ascii_digit() || bytes[end] == b'.') {
        end += 1;
    }
    // An exponent only when digits follow (`1e3ms`, `1e-1`), so the `e` of a unit stays.
    if end > 0 && end < bytes.len() && (bytes[end] == b'e' || bytes[end] == b'E') {
        let mut exponent = end + 1;
        if exponent < bytes.len() && (bytes[exponent] == b'-' || bytes[exponent] == b'+') {
            exponent += 1;
        }
        let digits = exponent;
        while exponent < bytes.len() && bytes[exponent].is_ascii_digit() {
            exponent += 1;
        }
        if exponent > digits {
            end = exponent;
        }
    }
    text.split_at(end)
}

/// How many base units one of the written unit is, read by the loader's own rules.
fn unit_factor(unit: &str, dimension: Dimension) -> Option<f64> {
    let raw = if unit.is_empty() { RawQuantity::Number(1.0) } else { RawQuantity::Text(format!("1{unit}")) };
    units::parse(&raw, dimension, "limit").ok().filter(|factor| *factor > 0.0)
}

#[derive(Debug, Clone, Copy)]
enum Rounding {
    Up,
    Down,
}

/// `value` rounded to two significant digits, away from the measured value.
fn round_two(value: f64, rounding: Rounding) -> f64 {
    if value <= 0.0 || !value.is_finite() {
        return value.max(0.0);
    }
    let step = 10f64.powi(value.log10().floor() as i32 - 1);
    // Without the slack, 110 read as 110.00000000000001 would round up to 120.
    let steps = match rounding {
        Rounding::Up => (value / step - 1e-9).ceil(),
        Rounding::Down => (value / step + 1e-9).floor(),
    };
    steps * step
}

/// A two-significant-digit number as plain decimal text: `110`, `2.1`, `0.011`.
fn decimal(value: f64) -> String {
    let decimals = (1 - value.log10().floor() as i32).clamp(0, 12) as usize;
    let text = format!("{value:.decimals$}");
    if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.').to_owned() } else { text }
}

/// The text with each change's number replaced inside its scalar; the rest byte for byte.
fn rewrite(text: &str, changes: &[(Change, ValueSpan)]) -> String {
    let mut edits: Vec<(std::ops::Range<usize>, &str)> =
        changes.iter().map(|(change, span)| (span.inner(), change.rewritten.as_str())).collect();
    edits.sort_by_key(|(range, _)| range.start);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (range, new) in edits {
        out.push_str(&text[at..range.start]);
        out.push_str(new);
        at = range.end;
    }
    out.push_str(&text[at..]);
    out
}

/// The new text read back: every check and setting as before, but the changed limits
/// (and bands written as shares of them), which read as the new limits.
fn verify(old: &str, new: &str, file: &str, base: &Path, changes: &[Change]) -> Result<(), Unfaithful> {
    let unfaithful = |line: usize, message: String| Unfaithful { file: file.to_owned(), line, message };
    let first_line = changes.first().map_or(1, |change| change.line);
    let before = crate::budget::parse_str(old, file, base).map_err(|error| unfaithful(1, error.to_string()))?;
    let after = crate::budget::parse_str(new, file, base)
        .map_err(|error| unfaithful(first_line, format!("the rewritten file does not read back ({error})")))?;
    let settings = |budget: &Budget| format!("{:?}", Budget { checks: Vec::new(), ..budget.clone() });
    if settings(&before) != settings(&after) || before.checks.len() != after.checks.len() {
        return Err(unfaithful(first_line, "the rewritten file reads as a different budget".into()));
    }
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(b.abs());
    for (index, (old_check, new_check)) in before.checks.iter().zip(&after.checks).enumerate() {
        let change = changes.iter().find(|change| change.check == index);
        let rest = |check: &Check| format!("{:?}", Check { limit: None, warn: None, ..check.clone() });
        let line = change.map_or(first_line, |change| change.line);
        if rest(old_check) != rest(new_check) {
            return Err(unfaithful(line, format!("`{}` reads differently once rewritten", old_check.label)));
        }
        let expected = change.map_or(old_check.limit, |change| Some(change.to));
        let limit_ok = match (expected, new_check.limit) {
            (Some(Limit::Max(a)), Some(Limit::Max(b))) | (Some(Limit::Min(a)), Some(Limit::Min(b))) => {
                if change.is_some() { close(a, b) } else { a == b }
            }
            (a, b) => a.is_none() && b.is_none(),
        };
        let warn_ok = match (old_check.warn, new_check.warn) {
            (Some(a), Some(b)) if change.is_none() => a == b,
            (Some(a), Some(b)) => match (a.fraction, b.fraction) {
                (Some(x), Some(y)) => x == y,
                (None, None) => a.threshold == b.threshold,
                _ => false,
            },
            (a, b) => a.is_none() && b.is_none(),
        };
        if !limit_ok || !warn_ok {
            let what = change.map_or_else(String::new, |change| format!(" as {}", change.rewritten));
            return Err(unfaithful(line, format!("`{}` does not read back{what}", old_check.label)));
        }
    }
    Ok(())
}

/// One line of the plan a person reads: `api_p95 (limits.api_p95, line 4): 300 ms → 110 ms
/// (today's worst 92 ms + 10%)`.
pub fn describe(change: &Change, margin: f64) -> String {
    let sign = if matches!(change.from, Limit::Max(_)) { "+" } else { "−" };
    format!(
        "{} ({}, line {}): {} → {} (today's worst {} {sign} {})",
        change.label,
        change.location,
        change.line,
        format_base(change.dimension, change.from.value()),
        format_base(change.dimension, change.to.value()),
        format_base(change.dimension, change.worst),
        percent(margin)
    )
}

/// Reads a budget file for `tighten`: its text, and the budget the loader reads from that
/// same text (the file is read once).
pub fn read(path: &Path) -> Result<(String, Budget), BudgetError> {
    let file = path.display().to_string();
    let refused = |message: String| BudgetError::File { file: file.clone(), message };
    let bytes = crate::files::read_capped(path, crate::budget::load::MAX_BUDGET_BYTES, &|size| {
        anyhow::anyhow!(
            "the budget file is {size} bytes, more than the {} MiB a budget may be",
            crate::budget::load::MAX_BUDGET_BYTES >> 20
        )
    })
    .map_err(|error| refused(format!("cannot read the budget file: {error:#}")))?;
    let text = String::from_utf8(bytes).map_err(|error| {
        refused(format!(
            "cannot read the budget file: not UTF-8 text (an invalid byte at offset {})",
            error.utf8_error().valid_up_to()
        ))
    })?;
    let budget = crate::budget::parse_str(&text, &file, path.parent().unwrap_or(Path::new("")))?;
    Ok((text, budget))
}

#[cfg(test)]
mod tests;
