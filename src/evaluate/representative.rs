//! Lighthouse CI's representative ("median") run, for `aggregate: median-run`.
//!
//! Lighthouse CI (`packages/utils/src/representative-runs.js`) takes the median FCP and the
//! median TTI of all runs of a page, each as the value at index `floor(n / 2)` of the
//! sorted runs, and picks the run with the smallest (ΔFCP² + ΔTTI²) to them; a run without
//! one of the two audits counts it as 0, and of equally close runs the first wins. The
//! budget's value is that run's, and a representative run without one is a failure. A run
//! is one report file, so runs are told apart by the measurements' `origin`.
//!
//! WebPageTest's runs (source `webpagetest`) have WebPageTest's own median run instead
//! (`TestResults.php::getMedianRunNumber`, default `medianMetric`): the runs sorted by
//! `loadTime`, ties in run order, and the one at index `floor((n - 1) / 2)`, the lower
//! median.

use std::collections::HashMap;

use crate::model::{Measurement, Subject};

/// Every run of every subject, in input order, with its FCP and TTI in ms.
#[derive(Debug, Default)]
pub(super) struct Runs<'m> {
    by_subject: HashMap<&'m Subject, Vec<Run<'m>>>,
}

#[derive(Debug)]
struct Run<'m> {
    origin: &'m str,
    fcp: f64,
    tti: f64,
    load_time: f64,
    webpagetest: bool,
}

impl<'m> Runs<'m> {
    pub(super) fn new(measurements: &'m [Measurement]) -> Runs<'m> {
        let mut by_subject: HashMap<&Subject, Vec<Run<'m>>> = HashMap::new();
        for measurement in measurements {
            let Some(origin) = measurement.origin.as_deref() else { continue };
            let runs = by_subject.entry(&measurement.subject).or_default();
            let at = match runs.iter().position(|run| run.origin == origin) {
                Some(at) => at,
                None => {
                    let webpagetest = measurement.source == "webpagetest";
                    runs.push(Run { origin, fcp: 0.0, tti: 0.0, load_time: 0.0, webpagetest });
                    runs.len() - 1
                }
            };
            // Lighthouse CI counts an audit without a value as 0, as it counts a missing one.
            let ms = measurement.base_value().unwrap_or(0.0) / 1e6;
            match measurement.metric.as_str() {
                "fcp" => runs[at].fcp = ms,
                "tti" => runs[at].tti = ms,
                "load_time" => runs[at].load_time = ms,
                _ => {}
            }
        }
        Runs { by_subject }
    }

    /// The origin of the subject's representative run.
    fn representative_origin(&self, subject: &Subject) -> Option<&'m str> {
        let runs = self.by_subject.get(subject)?;
        if runs.iter().all(|run| run.webpagetest) && !runs.is_empty() {
            let mut by_load_time: Vec<&Run<'m>> = runs.iter().collect();
            by_load_time.sort_by(|a, b| a.load_time.total_cmp(&b.load_time));
            return Some(by_load_time[(by_load_time.len() - 1) / 2].origin);
        }
        let upper_median = |mut values: Vec<f64>| -> f64 {
            values.sort_by(f64::total_cmp);
            values.get(values.len() / 2).copied().unwrap_or(0.0)
        };
        let median_fcp = upper_median(runs.iter().map(|run| run.fcp).collect());
        let median_tti = upper_median(runs.iter().map(|run| run.tti).collect());
        let distance = |run: &Run<'_>| (median_fcp - run.fcp).powi(2) + (median_tti - run.tti).powi(2);
        let mut best: Option<(&Run<'m>, f64)> = None;
        for run in runs {
            let d = distance(run);
            if best.is_none_or(|(_, best_distance)| d < best_distance) {
                best = Some((run, d));
            }
        }
        best.map(|(run, _)| run.origin)
    }

    /// The measurement of `group` (one subject's runs of one metric) taken in the
    /// representative run, and that run's origin; `None` for the measurement when the
    /// representative run has no value for the metric.
    pub(super) fn representative<'a>(&self, group: &[&'a Measurement]) -> (Option<&'a Measurement>, Option<&'m str>) {
        let Some(first) = group.first() else { return (None, None) };
        let Some(origin) = self.representative_origin(&first.subject) else { return (None, None) };
        (group.iter().copied().find(|m| m.origin.as_deref() == Some(origin)), Some(origin))
    }
}
