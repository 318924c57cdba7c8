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
    /// Each series' change points, in index order (as `series`).
    pub changes: &'a [Vec<Change>],
}

/// A change point of a series: the first run of the new level, and the change.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Change {
    /// Index into the runs shown.
    #[serde(skip)]
    pub run: usize,
    /// `mean after / mean before − 1`.
    pub change: f64,
    pub p_value: f64,
}

pub use super::bars::sparkline;

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
    table.set_header([
        "Metric",
        "Stat",
        "Subject",
        "Runs",
        "Trend (oldest to newest)",
        "Newest",
        "Change",
        "Change points",
    ]);
    for (series, changes) in shown.series.iter().zip(shown.changes) {
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
            Cell::new(change_points(shown.runs, changes)),
        ]);
    }
    text.push_str(&format!("{table}\n"));
    text
}

/// The newest three change points: `1a2b3c4 +12%`, from the run that starts the new level.
fn change_points(runs: &[RunInfo], changes: &[Change]) -> String {
    let shown: Vec<String> = changes
        .iter()
        .rev()
        .take(3)
        .map(|change| {
            let commit = runs[change.run].commit.as_deref().map_or_else(|| runs[change.run].time.clone(), short);
            format!("{} {}", terminal(&commit), crate::quantity::signed_percent(change.change))
        })
        .collect();
    shown.join(", ")
}

fn short(commit: &str) -> String {
    commit.chars().take(7).collect()
}

#[derive(Serialize)]
struct JsonChange<'a> {
    commit: Option<&'a str>,
    time: &'a str,
    change: f64,
    p_value: f64,
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
    change_points: Vec<JsonChange<'a>>,
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
        .zip(shown.changes)
        .map(|(series, changes)| JsonSeries {
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
            change_points: changes
                .iter()
                .map(|change| JsonChange {
                    commit: shown.runs[change.run].commit.as_deref(),
                    time: &shown.runs[change.run].time,
                    change: change.change,
                    p_value: change.p_value,
                })
                .collect(),
        })
        .collect();
    let document = JsonShown { branch: shown.branch, runs: shown.runs.len(), series };
    Ok(format!("{}\n", serde_json::to_string_pretty(&document)?))
}
