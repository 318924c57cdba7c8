//! A base branch's history as plain data for `evaluate`: for each measured series (metric,
//! statistic, subject; the same key a baseline uses) its recorded values, newest first,
//! with the commit and whether the run's environment is the current one.

use std::collections::HashMap;

use crate::model::baseline::series_key;
use crate::model::subject::Subject;

/// The base branch's recorded runs, as `evaluate` needs them.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// The branch the runs were recorded on (`main`).
    pub branch: String,
    /// How many runs of the branch were read.
    pub runs: usize,
    /// The merge-base commit of the change under test, where known: deterministic checks
    /// compare with the run recorded at it.
    pub merge_base: Option<String>,
    series: HashMap<String, Vec<HistoryPoint>>,
}

/// One recorded value of a series; base units.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryPoint {
    pub value: f64,
    /// The 95% interval the run reported with it (criterion).
    pub interval: Option<(f64, f64)>,
    /// The run's commit, where it was recorded.
    pub commit: Option<String>,
    /// Whether the run's environment (OS, architecture, CPU model, runner) is this run's:
    /// only those runs' times say what noise to expect here.
    pub same_environment: bool,
}

impl History {
    pub fn new(branch: String, runs: usize, merge_base: Option<String>) -> History {
        History { branch, runs, merge_base, series: HashMap::new() }
    }

    /// Adds a point to a series; points are added newest first.
    pub fn push(&mut self, metric: &str, stat: Option<&str>, subject: &Subject, point: HistoryPoint) {
        self.series.entry(series_key(metric, stat, subject)).or_default().push(point);
    }

    /// A series' points, newest first; empty when no recorded run measured it.
    pub fn series(&self, metric: &str, stat: Option<&str>, subject: &Subject) -> &[HistoryPoint] {
        self.series.get(&series_key(metric, stat, subject)).map(Vec::as_slice).unwrap_or_default()
    }

    /// How many series the history holds.
    pub fn len(&self) -> usize {
        self.series.len()
    }

    pub fn is_empty(&self) -> bool {
        self.series.is_empty()
    }
}
