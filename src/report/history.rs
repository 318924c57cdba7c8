//! `perfbudget history show`: each series of a branch's newest runs, as a table with a
//! sparkline or as JSON. Tags and branch names come from reports and are escaped.

use comfy_table::{Cell, CellAlignment, ContentArrangement, Table, presets};
use serde::Serialize;

use super::escape::terminal;
use crate::history::store::{RunInfo, SeriesValues};
use crate::ingest::describe_subject;
use crate::quantity::format_base;

/// What `history show` shows.
#[derive(Debug)]
pub struct Shown<'a> {
    pub branch: &'a str,
    /// The runs, oldest first.
    pub runs: &'a [RunInfo],
    pub series: &'a [SeriesValues],
}

/// Eight heights, lowest first.
const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// The values as bars scaled from their minimum to their maximum; a run that did not
/// measure the series is a space.
pub fn sparkline(values: &[Option<f64>]) -> String {
    let known = values.iter().flatten();
    let min = known.clone().copied().fold(f64::INFINITY, f64::min);
    let max = known.copied().fold(f64::NEG_INFINITY, f64::max);
    values
        .iter()
        .map(|value| match value {
            None => ' ',
            Some(_) if max <= min => BARS[3],
            Some(value) => {
                let step = ((value - min) / (max - min) * 7.0).round();
                BARS[(step as usize).min(7)]
            }
        })
        .collect()
}

/// One value per run (oldest first) of a series.
fn per_run(series: &SeriesValues, runs: usize) -> Vec<Option<f64>> {
    let mut values = vec![None; runs];
    for &(at, value) in &series.values {
        values[at] = Some(value);
    }
    values
}

pub fn table(shown: &Shown<'_>) -> String {
    let mut text = format!(
        "{} runs of {}{}\n",
        shown.runs.len(),
        terminal(shown.branch),
        match (shown.runs.first(), shown.runs.last()) {
            (Some(first), Some(last)) => format!(", {} to {}", first.time, last.time),
            _ => String::new(),
        }
    );
    if shown.series.is_empty() {
        text.push_str("no series\n");
        return text;
    }
    let mut table = Table::new();
    table.load_style(presets::UTF8_FULL_CONDENSED).force_no_tty();
    table.set_content_arrangement(ContentArrangement::Disabled);
    table.set_header(["Metric", "Stat", "Subject", "Runs", "Trend (oldest to newest)", "Newest", "Change"]);
    for series in shown.series {
        let values = per_run(series, shown.runs.len());
        let measured: Vec<f64> = values.iter().flatten().copied().collect();
        let show = |value: f64| format_base(series.unit.dimension(), series.unit.to_base(value));
        let newest = measured.last().map_or_else(String::new, |value| show(*value));
        let change = match measured.as_slice() {
            [.., before, after] if *before > 0.0 => crate::quantity::signed_percent((after - before) / before),
            _ => String::new(),
        };
        table.add_row(vec![
            Cell::new(terminal(&series.metric)),
            Cell::new(terminal(series.stat.as_deref().unwrap_or(""))),
            Cell::new(terminal(&describe_subject(&series.subject))),
            Cell::new(measured.len()).set_alignment(CellAlignment::Right),
            Cell::new(sparkline(&values)),
            Cell::new(newest).set_alignment(CellAlignment::Right),
            Cell::new(change).set_alignment(CellAlignment::Right),
        ]);
    }
    text.push_str(&format!("{table}\n"));
    text
}

#[derive(Serialize)]
struct JsonRun<'a> {
    commit: Option<&'a str>,
    time: &'a str,
    value: f64,
}

#[derive(Serialize)]
struct JsonSeries<'a> {
    metric: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    stat: Option<&'a str>,
    subject: &'a crate::model::Subject,
    unit: crate::quantity::Unit,
    /// Oldest first.
    values: Vec<JsonRun<'a>>,
}

#[derive(Serialize)]
struct JsonShown<'a> {
    branch: &'a str,
    runs: usize,
    series: Vec<JsonSeries<'a>>,
}

pub fn json(shown: &Shown<'_>) -> anyhow::Result<String> {
    let series = shown
        .series
        .iter()
        .map(|series| JsonSeries {
            metric: &series.metric,
            stat: series.stat.as_deref(),
            subject: &series.subject,
            unit: series.unit,
            values: series
                .values
                .iter()
                .map(|&(at, value)| JsonRun {
                    commit: shown.runs[at].commit.as_deref(),
                    time: &shown.runs[at].time,
                    value,
                })
                .collect(),
        })
        .collect();
    let document = JsonShown { branch: shown.branch, runs: shown.runs.len(), series };
    Ok(format!("{}\n", serde_json::to_string_pretty(&document)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparklines_scale_from_the_minimum_to_the_maximum() {
        assert_eq!(sparkline(&[Some(1.0), Some(2.0), Some(8.0), None, Some(4.5)]), "▁▂█ ▅");
        assert_eq!(sparkline(&[Some(3.0), Some(3.0)]), "▄▄");
        assert_eq!(sparkline(&[]), "");
    }
}
