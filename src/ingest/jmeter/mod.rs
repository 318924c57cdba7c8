//! Apache JMeter results: the raw samples of a JTL (CSV with or without a header, or XML)
//! and the HTML dashboard's `statistics.json`. A JTL is summarised by the dashboard's own
//! rules (`report/processor/StatisticsSummaryConsumer.java`, `StatisticsSummaryData.java`,
//! `PercentileAggregator.java`, `DescriptiveStatisticsFactory.java` of apache/jmeter at
//! bb30edfe8c, unchanged since 3.0), so a JTL and the dashboard made from it give the same
//! subjects and numbers:
//!
//! * Each label is a subject (`name` tag); the whole run ("Total") is the subject without
//!   tags and leaves out Transaction Controller samples (response message starting with
//!   "Number of samples in transaction"). Empty controllers ("... : 0") count nowhere.
//! * Percentiles (`med`, `p(90)`, `p(95)`, `p(99)`: the dashboard's `aggregate_rpt_pct1..3`
//!   defaults) are commons-math `DescriptiveStatistics` over a sliding window of the last
//!   [`STATISTIC_WINDOW`] samples (`jmeter.reportgenerator.statistic_window`), estimated
//!   with `Percentile.EstimationType.LEGACY`: pos = p/100 × (n + 1), below 1 the smallest,
//!   from n the largest, else linear interpolation between the neighbours.
//! * `avg` is commons-math's running `Mean` over every sample (m += (x − m) / n, not a sum
//!   divided at the end, so it matches the dashboard to the last bit); `min`, `max` and the
//!   count are over every sample.
//! * `http_req_failed` `rate` is the samples with `success=false` over all; `http_reqs`
//!   `rate` is the count over the span from the earliest start to the latest end, ×1000.
//! * `apdex` is [`crate::model::apdex`] over every sample: unlike the statistics table, the
//!   dashboard's Apdex Total includes Transaction Controller samples.
//!
//! The window keeps at most [`STATISTIC_WINDOW`] times per subject, and memory grows with
//! the labels, not with the file.

pub mod jtl_csv;
pub mod jtl_xml;
pub mod statistics;

use std::collections::{HashMap, VecDeque};

use crate::model::apdex::{APDEX, ApdexCounts, Thresholds};
use crate::model::vocabulary::{HTTP_REQ_DURATION, HTTP_REQ_FAILED, HTTP_REQS, NAME_TAG, RATE};
use crate::model::{Measurement, Subject};
use crate::quantity::Unit;

/// The source of JMeter measurements.
pub(crate) const SOURCE: &str = "jmeter";

/// The dashboard's sliding window (`jmeter.reportgenerator.statistic_window`, default 20000).
pub(crate) const STATISTIC_WINDOW: usize = 20_000;

/// The dashboard's percentiles and the stats they are read as: the median, and
/// `aggregate_rpt_pct1..3` (90, 95, 99 by default).
pub(crate) const PERCENTILES: &[(f64, &str)] = &[(50.0, "med"), (90.0, "p(90)"), (95.0, "p(95)"), (99.0, "p(99)")];

/// A Transaction Controller's sample starts its response message with this
/// (`report/core/Sample.java`).
const CONTROLLER_MESSAGE: &str = "Number of samples in transaction";
/// ... and an empty one with this.
const EMPTY_CONTROLLER_MESSAGE: &str = "Number of samples in transaction : 0";

/// What the dashboard reads of one sample.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sample<'a> {
    pub label: &'a str,
    /// Start, epoch ms.
    pub start_ms: i64,
    pub elapsed_ms: i64,
    pub success: bool,
    /// The response message (its start is enough), for Transaction Controller samples.
    pub message: &'a [u8],
}

/// The dashboard's statistics of one label or of the whole run.
#[derive(Debug, Clone)]
pub(crate) struct Summary {
    count: u64,
    errors: u64,
    /// commons-math `FirstMoment`: the running mean.
    mean: f64,
    min: i64,
    max: i64,
    first_start: i64,
    last_end: i64,
    /// The last [`STATISTIC_WINDOW`] elapsed times, oldest first.
    window: VecDeque<f64>,
    apdex: Vec<ApdexCounts>,
}

impl Summary {
    fn new(apdex: &[Thresholds]) -> Summary {
        Summary {
            count: 0,
            errors: 0,
            mean: 0.0,
            min: i64::MAX,
            max: i64::MIN,
            first_start: i64::MAX,
            last_end: i64::MIN,
            window: VecDeque::new(),
            apdex: apdex.iter().map(|thresholds| ApdexCounts::new(*thresholds)).collect(),
        }
    }

    /// The statistics table's part of a sample.
    fn add_statistics(&mut self, sample: &Sample<'_>) {
        self.count += 1;
        self.errors += u64::from(!sample.success);
        let elapsed = sample.elapsed_ms as f64;
        self.mean += (elapsed - self.mean) / self.count as f64;
        self.min = self.min.min(sample.elapsed_ms);
        self.max = self.max.max(sample.elapsed_ms);
        self.first_start = self.first_start.min(sample.start_ms);
        self.last_end = self.last_end.max(sample.start_ms.saturating_add(sample.elapsed_ms));
        if self.window.len() == STATISTIC_WINDOW {
            self.window.pop_front();
        }
        self.window.push_back(elapsed);
    }

    fn add_apdex(&mut self, sample: &Sample<'_>) {
        for counts in &mut self.apdex {
            counts.add(sample.elapsed_ms as f64, sample.success);
        }
    }

    /// commons-math `Percentile` (`EstimationType.LEGACY`) of the sorted window.
    fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
        let n = sorted.len();
        let (first, last) = (*sorted.first()?, *sorted.last()?);
        if n == 1 {
            return Some(first);
        }
        let quantile = p / 100.0;
        let pos = if quantile == 0.0 {
            0.0
        } else if quantile == 1.0 {
            n as f64
        } else {
            quantile * (n as f64 + 1.0)
        };
        if pos < 1.0 {
            return Some(first);
        }
        if pos >= n as f64 {
            return Some(last);
        }
        let floor = pos.floor();
        let index = floor as usize;
        let (lower, upper) = (sorted[index - 1], sorted[index]);
        Some(lower + (pos - floor) * (upper - lower))
    }

    /// The measurements of this subject.
    fn push_measurements(&self, subject: &Subject, out: &mut Vec<Measurement>) {
        let samples = Some(self.count);
        let mut push = |metric: &str, stat: &str, value: Option<f64>, unit: Unit, why: &str| {
            let mut measurement = Measurement::new(SOURCE, metric, Some(stat), subject.clone(), 0.0, unit);
            measurement.samples = samples;
            measurement.value = value;
            if value.is_none() {
                measurement.no_data = Some(why.to_owned());
            }
            out.push(measurement);
        };
        let mut sorted: Vec<f64> = self.window.iter().copied().collect();
        sorted.sort_by(f64::total_cmp);
        let none = "no sample";
        for (p, stat) in PERCENTILES {
            push(HTTP_REQ_DURATION, stat, Summary::percentile(&sorted, *p), Unit::Ms, none);
        }
        let some = self.count > 0;
        push(HTTP_REQ_DURATION, "avg", some.then_some(self.mean), Unit::Ms, none);
        push(HTTP_REQ_DURATION, "min", some.then_some(self.min as f64), Unit::Ms, none);
        push(HTTP_REQ_DURATION, "max", some.then_some(self.max as f64), Unit::Ms, none);
        push(HTTP_REQ_FAILED, RATE, some.then(|| self.errors as f64 / self.count as f64), Unit::Ratio, none);
        push(HTTP_REQS, "count", Some(self.count as f64), Unit::Number, none);
        let span = self.last_end.saturating_sub(self.first_start);
        let throughput = (some && span > 0).then(|| (self.count as f64 / span as f64) * 1000.0);
        push(
            HTTP_REQS,
            RATE,
            throughput,
            Unit::PerSecond,
            "the samples span no time: JMeter's throughput is undefined",
        );
        for counts in &self.apdex {
            push(APDEX, &counts.thresholds.stat(), counts.score(), Unit::Number, none);
        }
    }
}

/// Every label's and the whole run's summaries, fed one sample at a time.
#[derive(Debug)]
pub(crate) struct Run {
    apdex: Vec<Thresholds>,
    labels: Vec<(String, Summary)>,
    index: HashMap<String, usize>,
    /// The label of the previous sample: consecutive samples often share one.
    last: Option<usize>,
    total: Summary,
    /// The whole run's Apdex, over every sample (controllers included), as the dashboard's.
    total_apdex: Summary,
}

impl Run {
    /// A run whose Apdex is scored with JMeter's default thresholds and `apdex`.
    pub(crate) fn new(apdex: &[Thresholds]) -> Run {
        let mut thresholds = vec![Thresholds::default()];
        for wanted in apdex {
            if !thresholds.contains(wanted) {
                thresholds.push(*wanted);
            }
        }
        Run {
            labels: Vec::new(),
            index: HashMap::new(),
            last: None,
            total: Summary::new(&[]),
            total_apdex: Summary::new(&thresholds),
            apdex: thresholds,
        }
    }

    pub(crate) fn add(&mut self, sample: &Sample<'_>) {
        if sample.message.starts_with(EMPTY_CONTROLLER_MESSAGE.as_bytes()) {
            return;
        }
        let at = match self.last {
            Some(at) if self.labels[at].0 == sample.label => at,
            _ => match self.index.get(sample.label) {
                Some(&at) => at,
                None => {
                    self.labels.push((sample.label.to_owned(), Summary::new(&self.apdex)));
                    self.index.insert(sample.label.to_owned(), self.labels.len() - 1);
                    self.labels.len() - 1
                }
            },
        };
        self.last = Some(at);
        let summary = &mut self.labels[at].1;
        summary.add_statistics(sample);
        summary.add_apdex(sample);
        if !sample.message.starts_with(CONTROLLER_MESSAGE.as_bytes()) {
            self.total.add_statistics(sample);
        }
        self.total_apdex.add_apdex(sample);
    }

    /// Whether no sample was read.
    pub(crate) fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The whole run's measurements (no tags), then each label's in order of appearance.
    pub(crate) fn into_measurements(mut self) -> Vec<Measurement> {
        let mut out = Vec::new();
        self.total.apdex = std::mem::take(&mut self.total_apdex.apdex);
        self.total.push_measurements(&Subject::new(), &mut out);
        for (label, summary) in &self.labels {
            let subject: Subject = [(NAME_TAG.to_owned(), label.clone())].into_iter().collect();
            summary.push_measurements(&subject, &mut out);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_percentiles_interpolate_at_p_times_n_plus_one() {
        let sorted = [10.0, 20.0, 30.0, 40.0];
        // pos = 0.5 × 5 = 2.5: between the 2nd and 3rd values.
        assert_eq!(Summary::percentile(&sorted, 50.0), Some(25.0));
        // pos = 0.9 × 5 = 4.5 ≥ n: the largest.
        assert_eq!(Summary::percentile(&sorted, 90.0), Some(40.0));
        // pos = 0.1 × 5 = 0.5 < 1: the smallest.
        assert_eq!(Summary::percentile(&sorted, 10.0), Some(10.0));
        assert_eq!(Summary::percentile(&[7.0], 99.0), Some(7.0));
        assert_eq!(Summary::percentile(&[], 99.0), None);
    }

    #[test]
    fn the_window_keeps_the_last_samples_and_the_total_skips_controllers() {
        let mut run = Run::new(&[]);
        let sample = |elapsed: i64, message: &'static str| Sample {
            message: message.as_bytes(),
            label: "a",
            start_ms: 1000 + elapsed,
            elapsed_ms: elapsed,
            success: true,
        };
        for elapsed in 0..(STATISTIC_WINDOW as i64 + 10) {
            run.add(&sample(elapsed, "OK"));
        }
        run.add(&Sample {
            label: "tc",
            ..sample(5, "Number of samples in transaction : 2, number of failing samples : 0")
        });
        run.add(&Sample {
            label: "empty",
            ..sample(5, "Number of samples in transaction : 0, number of failing samples : 0")
        });
        let a = &run.labels[0].1;
        assert_eq!((a.window.len(), a.window.front(), a.min), (STATISTIC_WINDOW, Some(&10.0), 0));
        assert_eq!(run.total.count, STATISTIC_WINDOW as u64 + 10);
        assert_eq!(run.total_apdex.apdex[0].total, STATISTIC_WINDOW as u64 + 11);
        assert_eq!(run.labels.len(), 2, "an empty controller is no label");
    }
}
