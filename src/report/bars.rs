//! Pictures made of text, the same on GitHub, GitLab, in e-mail and in a terminal: a bar of
//! how much of its limit a value uses, and a sparkline of a series. Every character is
//! generated here; no input string reaches them.

use crate::model::{CheckResult, LimitValue};

/// Cells of a bar; each cell is 10% of the limit.
pub const BAR_CELLS: usize = 10;

/// Eighths of a cell, from one eighth to a whole cell.
const EIGHTHS: [char; 8] = ['▏', '▎', '▍', '▌', '▋', '▊', '▉', '█'];
/// An empty cell before the warning band, and one inside it.
const EMPTY: char = '░';
const WARNING: char = '▒';
/// Past the end of a full bar: the value is over its limit.
const OVER: char = '▶';

/// How much of its limit a check's value uses: `value / max` for a maximum, `min / value`
/// for a minimum (at the limit both are 1; beyond it, more). `None` without a value or a
/// limit, or where the share is no number (a limit or, for a minimum, a value of 0).
pub fn budget_use(check: &CheckResult) -> Option<f64> {
    share_of(check.limit?, check.value?).filter(|share| *share >= 0.0)
}

/// Where the warning band starts, as a share of the limit ([`budget_use`]'s scale).
pub fn warning_use(check: &CheckResult) -> Option<f64> {
    share_of(check.limit?, check.warn?).filter(|share| *share > 0.0 && *share < 1.0)
}

/// `value` as a share of `limit`: `value / max`, or `min / value`; `None` where that is no
/// number.
fn share_of(limit: LimitValue, value: f64) -> Option<f64> {
    let share = match limit {
        LimitValue::Max(max) if max > 0.0 => value / max,
        LimitValue::Min(min) if min > 0.0 && value > 0.0 => min / value,
        _ => return None,
    };
    share.is_finite().then_some(share)
}

/// The bar of a share of the limit: filled to the share in eighths of a cell (rounded
/// down), the empty
/// cells of the warning band shaded darker, and an arrow when the value is over its limit.
pub fn bar(share: f64, warning: Option<f64>) -> String {
    // Rounded down, so that only a value at or over its limit fills the bar.
    let eighths = (share.clamp(0.0, 1.0) * (BAR_CELLS * 8) as f64).floor() as usize;
    let (full, part) = (eighths / 8, eighths % 8);
    let mut text: String = std::iter::repeat_n(EIGHTHS[7], full).collect();
    let mut cells = full;
    if part > 0 {
        text.push(EIGHTHS[part - 1]);
        cells += 1;
    }
    let band_starts = warning.map_or(BAR_CELLS, |warning| (warning * BAR_CELLS as f64).floor() as usize);
    for cell in cells..BAR_CELLS {
        text.push(if cell >= band_starts { WARNING } else { EMPTY });
    }
    if share > 1.0 {
        text.push(OVER);
    }
    text
}

/// A share of the limit as people read it: `86%`, `124%`; never `100%` for a share that is
/// not exactly at the limit.
pub fn share_text(share: f64) -> String {
    let pct = share * 100.0;
    let mut decimals = 0;
    let mut text = format!("{pct:.0}");
    let misleads = |text: &str| {
        let shown: f64 = text.parse().unwrap_or(pct);
        (shown == 100.0 && pct != 100.0) || (shown == 0.0 && pct != 0.0)
    };
    while misleads(&text) && decimals < 4 {
        decimals += 1;
        text = format!("{pct:.decimals$}");
    }
    format!("{text}%")
}

/// A check's bar and share, `████████▋▒ 86%`; empty without a limit to use.
pub fn use_cell(check: &CheckResult) -> Option<(String, String)> {
    let share = budget_use(check)?;
    Some((bar(share, warning_use(check)), share_text(share)))
}

/// Eight heights, lowest first.
const SPARKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// The values as bars scaled from their minimum to their maximum; a missing value is a
/// space, and a series that never moved is a flat line.
pub fn sparkline(values: &[Option<f64>]) -> String {
    let known = values.iter().flatten().filter(|value| value.is_finite());
    let min = known.clone().copied().fold(f64::INFINITY, f64::min);
    let max = known.copied().fold(f64::NEG_INFINITY, f64::max);
    values
        .iter()
        .map(|value| match value {
            Some(value) if value.is_finite() => {
                if max <= min {
                    SPARKS[3]
                } else {
                    SPARKS[(((value - min) / (max - min) * 7.0).round() as usize).min(7)]
                }
            }
            _ => ' ',
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_fill_in_eighths_and_shade_the_warning_band() {
        assert_eq!(bar(0.86, Some(0.9)), "████████▌▒");
        assert_eq!(bar(0.9958, Some(0.9)), "█████████▉");
        assert_eq!(bar(0.5, Some(0.9)), "█████░░░░▒");
        assert_eq!(bar(0.0, None), "░░░░░░░░░░");
        assert_eq!(bar(1.0, Some(0.9)), "██████████");
        assert_eq!(bar(1.24, Some(0.9)), "██████████▶");
        assert_eq!(bar(0.95, Some(0.9)), "█████████▌");
        assert_eq!(bar(0.3, Some(0.5)), "███░░▒▒▒▒▒");
    }

    #[test]
    fn a_share_reads_100_only_at_the_limit() {
        assert_eq!(share_text(0.86), "86%");
        assert_eq!(share_text(1.0), "100%");
        assert_eq!(share_text(0.9996), "99.96%");
        assert_eq!(share_text(1.0004), "100.04%");
        assert_eq!(share_text(0.0), "0%");
        assert_eq!(share_text(0.000_02), "0.002%");
        assert_eq!(share_text(2.81), "281%");
    }

    #[test]
    fn sparklines_scale_from_the_minimum_to_the_maximum() {
        assert_eq!(sparkline(&[Some(1.0), Some(2.0), Some(8.0), None, Some(4.5)]), "▁▂█ ▅");
        assert_eq!(sparkline(&[Some(3.0), Some(3.0)]), "▄▄");
        assert_eq!(sparkline(&[Some(f64::NAN), Some(1.0)]), " ▄");
        assert_eq!(sparkline(&[]), "");
    }
}
