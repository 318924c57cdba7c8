//! Prometheus scrapes: the text exposition format and OpenMetrics 1.0 (README "Prometheus
//! and OpenMetrics scrapes"). Our own parser ([`parse`]), PromQL's `histogram_quantile`
//! ([`quantile`]) and the window between two scrapes of one target ([`window`]).
//!
//! Each series is a subject tagged with its labels (without `le` and `quantile`); the
//! measurement's metric is the name a PromQL query would use (`http_requests_total`,
//! `http_request_duration_seconds`) and its stat says which number:
//!
//! * counters, gauges and untyped samples: `value`;
//! * histograms: `p(50)` `p(75)` `p(90)` `p(95)` `p(99)` `p(99.9)` as `histogram_quantile`
//!   answers, `count`, `sum` and `mean` (`sum / count`), since the process started;
//! * summaries: each `quantile` series as `p(N)` (the client's own window), `count`, `sum`,
//!   `mean`.
//!
//! Names ending `_seconds` (`_seconds_total`) are in seconds, `_bytes` in bytes, as is a
//! family with `# UNIT seconds` or `bytes`; anything else is a plain number. A NaN or an
//! infinite value (Prometheus allows them) is "no data" for a budget, with the reason.

mod parse;
pub(crate) mod quantile;
pub(crate) mod window;

use std::path::Path;

use super::{Adapter, Detection, Error, Head, Measurement, Options, Subject};
use crate::quantity::Unit;
use parse::parse_as;
pub(crate) use parse::{Family, Kind, Scrape, Syntax};
use parse::{owned, series_key};
use quantile::{Bucket, histogram_quantile};

/// The `source` of every measurement read here.
pub(crate) const SOURCE: &str = "prometheus";
/// The id of the format row that reads scrapes ([`crate::ingest::registry`]).
pub(crate) const FORMAT_ID: &str = "prometheus";

/// The quantiles a histogram is read at, with their stats.
pub(crate) const QUANTILES: &[(f64, &str)] =
    &[(0.5, "p(50)"), (0.75, "p(75)"), (0.9, "p(90)"), (0.95, "p(95)"), (0.99, "p(99)"), (0.999, "p(99.9)")];

#[derive(Debug)]
pub(crate) struct Prometheus;

impl Adapter for Prometheus {
    fn detect(&self, head: &Head) -> Detection {
        let text = head.lines_text();
        if head.decompressed.is_some() {
            return Detection::No;
        }
        let metadata = text.lines().take(50).any(|line| {
            let typed = line.strip_prefix("# TYPE ").and_then(|rest| rest.split_once(' '));
            typed.is_some_and(|(name, kind)| {
                parse::is_metric_name(name)
                    && matches!(
                        kind.trim_end(),
                        "counter"
                            | "gauge"
                            | "histogram"
                            | "summary"
                            | "untyped"
                            | "unknown"
                            | "gaugehistogram"
                            | "info"
                            | "stateset"
                    )
            })
        });
        // Without metadata: every whole line of the head a sample (`name{labels} value`).
        let lines: Vec<&str> = text.lines().filter(|line| !line.trim().is_empty()).collect();
        let whole = match text.len() >= super::format::HEAD_BYTES - 1 {
            true => lines.len().saturating_sub(1),
            false => lines.len(),
        };
        let samples = whole > 0
            && lines[..whole].iter().all(|line| line.starts_with('#') || is_sample_line(line))
            && lines[..whole].iter().any(|line| !line.starts_with('#'));
        Detection::from(metadata, samples)
    }

    fn read(&self, path: &Path, _options: &Options) -> Result<Vec<Measurement>, Error> {
        let scrape = read_scrape(path)?;
        Ok(measurements(&scrape))
    }
}

/// Whether a line parses as one sample of the classic format.
fn is_sample_line(line: &str) -> bool {
    parse_as(&format!("{line}\n"), Syntax::Classic).is_ok_and(|scrape| !scrape.families.is_empty())
}

/// Every measurement of one scrape's bytes.
pub fn parse(bytes: &[u8]) -> Result<Vec<Measurement>, Error> {
    Ok(measurements(&scrape(bytes)?))
}

/// Reads and parses one scrape file.
pub(crate) fn read_scrape(path: &Path) -> Result<Scrape, Error> {
    scrape(&super::read_document(path)?)
}

fn scrape(bytes: &[u8]) -> Result<Scrape, Error> {
    let text = super::utf8(bytes)?;
    parse::parse(text).map_err(|located| {
        let hint = match Syntax::of(text) {
            Syntax::Classic if text.contains("# EOF") => {
                " (read as the classic text format: an OpenMetrics exposition ends with `# EOF`, and this one's last \
                 line is not that, so it was cut off or has text after it)"
            }
            _ => "",
        };
        Error::At(super::Located { message: format!("{}{hint}", located.message), ..located })
    })
}

/// The name PromQL queries a family's samples by: a counter's with `_total` (classic
/// counters declared without it, as prom-client writes after an OpenMetrics scrape, get it
/// too), an info's with `_info`, else the family's.
pub(crate) fn metric_name(family: &Family) -> String {
    match family.kind {
        Kind::Counter if !family.name.ends_with("_total") => format!("{}_total", family.name),
        Kind::Info => format!("{}_info", family.name),
        _ => family.name.clone(),
    }
}

/// The unit of a family's values: `# UNIT`, else the name's last word (`_seconds`,
/// `_bytes`, before `_total`).
pub(crate) fn unit(family: &Family) -> Unit {
    let name = family.name.strip_suffix("_total").unwrap_or(&family.name);
    match family.unit.as_deref() {
        Some("seconds") => Unit::S,
        Some("bytes") => Unit::Bytes,
        _ if name.ends_with("_seconds") => Unit::S,
        _ if name.ends_with("_bytes") => Unit::Bytes,
        _ => Unit::Number,
    }
}

/// A measurement, or "no data" when the value is NaN or infinite.
pub(crate) fn measurement(
    metric: &str,
    stat: &str,
    subject: Subject,
    value: f64,
    unit: Unit,
    what: &str,
) -> Measurement {
    let mut measurement = Measurement::new(SOURCE, metric, Some(stat), subject, value, unit);
    if !value.is_finite() {
        measurement.value = None;
        measurement.no_data = Some(format!("{what} is {}", show(value)));
    }
    measurement
}

fn show(value: f64) -> String {
    match value {
        f64::INFINITY => "+Inf".to_owned(),
        f64::NEG_INFINITY => "-Inf".to_owned(),
        _ => format!("{value}"),
    }
}

fn subject_of(labels: &[(String, String)]) -> Subject {
    labels.iter().cloned().collect()
}

/// Every measurement of one scrape.
pub(crate) fn measurements(scrape: &Scrape) -> Vec<Measurement> {
    let mut out = Vec::new();
    for family in &scrape.families {
        let name = metric_name(family);
        let unit = unit(family);
        match family.kind {
            Kind::Histogram | Kind::GaugeHistogram => {
                for series in histogram_series(family) {
                    out.extend(histogram_measurements(&name, "", series.subject(), &series.buckets, series.sum, unit));
                }
            }
            Kind::Summary => {
                for series in summary_series(family) {
                    for (q, value) in &series.quantiles {
                        let stat = quantile_stat(*q);
                        out.push(measurement(&name, &stat, series.subject(), *value, unit, "the summary's quantile"));
                    }
                    out.extend(count_sum_mean(&name, "", series.subject(), series.count, series.sum, unit));
                }
            }
            _ => {
                for sample in family.samples.iter().filter(|sample| sample.suffix != "_created") {
                    out.push(measurement(&name, "value", subject_of(&sample.labels), sample.value, unit, "the value"));
                }
            }
        }
    }
    out
}

/// `p(99.9)` for 0.999.
pub(crate) fn quantile_stat(q: f64) -> String {
    let percent = (q * 100.0 * 1e6).round() / 1e6;
    format!("p({percent})")
}

/// One histogram series: its labels without `le`, its buckets and sum.
#[derive(Debug, Clone)]
pub(crate) struct HistogramSeries {
    pub labels: Vec<(String, String)>,
    pub buckets: Vec<Bucket>,
    pub sum: Option<f64>,
}

impl HistogramSeries {
    pub(crate) fn subject(&self) -> Subject {
        subject_of(&self.labels)
    }
}

/// A histogram family's series, in the order first written. The parser has checked each
/// has a `+Inf` bucket, so the count is that bucket's.
pub(crate) fn histogram_series(family: &Family) -> Vec<HistogramSeries> {
    let mut series: Vec<HistogramSeries> = Vec::new();
    let mut index: std::collections::HashMap<Vec<(&str, &str)>, usize> = std::collections::HashMap::new();
    for sample in &family.samples {
        let key = series_key(&sample.labels);
        let at = match index.get(&key) {
            Some(&at) => at,
            None => {
                series.push(HistogramSeries { labels: owned(&key), buckets: Vec::new(), sum: None });
                index.insert(key, series.len() - 1);
                series.len() - 1
            }
        };
        match sample.suffix {
            "_bucket" => {
                let bound = sample.label("le").and_then(|le| parse::bucket_bound(le, Syntax::Classic));
                if let Some(upper_bound) = bound {
                    series[at].buckets.push(Bucket { upper_bound, count: sample.value });
                }
            }
            "_sum" | "_gsum" => series[at].sum = Some(sample.value),
            _ => {}
        }
    }
    for one in &mut series {
        one.buckets.sort_by(|a, b| a.upper_bound.total_cmp(&b.upper_bound));
    }
    series.retain(|one| !one.buckets.is_empty());
    series
}

/// The quantiles, count, sum and mean of buckets; `prefix` names a window's (`window_`).
pub(crate) fn histogram_measurements(
    name: &str,
    prefix: &str,
    subject: Subject,
    buckets: &[Bucket],
    sum: Option<f64>,
    unit: Unit,
) -> Vec<Measurement> {
    let count = buckets.last().map_or(0.0, |last| last.count);
    let mut out = Vec::with_capacity(QUANTILES.len() + 3);
    for (q, stat) in QUANTILES {
        let value = histogram_quantile(*q, buckets);
        let mut quantile = measurement(name, &format!("{prefix}{stat}"), subject.clone(), value, unit, "");
        if value.is_nan() {
            quantile.no_data = Some(match count {
                0.0 => "the histogram has no observations".to_owned(),
                _ => "histogram_quantile is NaN for these buckets".to_owned(),
            });
        }
        quantile.samples = Some(count as u64);
        out.push(quantile);
    }
    out.extend(count_sum_mean(name, prefix, subject, Some(count), sum, unit));
    out
}

/// `count`, `sum` and `mean` (no data without observations), each where written.
fn count_sum_mean(
    name: &str,
    prefix: &str,
    subject: Subject,
    count: Option<f64>,
    sum: Option<f64>,
    unit: Unit,
) -> Vec<Measurement> {
    let mut out = Vec::with_capacity(3);
    if let Some(count) = count {
        out.push(measurement(name, &format!("{prefix}count"), subject.clone(), count, Unit::Number, "the count"));
    }
    if let Some(sum) = sum {
        out.push(measurement(name, &format!("{prefix}sum"), subject.clone(), sum, unit, "the sum"));
    }
    if let (Some(count), Some(sum)) = (count, sum) {
        let mut mean = measurement(name, &format!("{prefix}mean"), subject, sum / count, unit, "the mean");
        if count == 0.0 {
            mean.no_data = Some("no observations, so no mean".to_owned());
        }
        mean.samples = Some(count as u64);
        out.push(mean);
    }
    out
}

/// One summary series.
#[derive(Debug, Clone)]
pub(crate) struct SummarySeries {
    pub labels: Vec<(String, String)>,
    pub quantiles: Vec<(f64, f64)>,
    pub count: Option<f64>,
    pub sum: Option<f64>,
}

impl SummarySeries {
    pub(crate) fn subject(&self) -> Subject {
        subject_of(&self.labels)
    }
}

pub(crate) fn summary_series(family: &Family) -> Vec<SummarySeries> {
    let mut series: Vec<SummarySeries> = Vec::new();
    let mut index: std::collections::HashMap<Vec<(&str, &str)>, usize> = std::collections::HashMap::new();
    for sample in family.samples.iter().filter(|sample| sample.suffix != "_created") {
        let key = series_key(&sample.labels);
        let at = match index.get(&key) {
            Some(&at) => at,
            None => {
                series.push(SummarySeries { labels: owned(&key), quantiles: Vec::new(), count: None, sum: None });
                index.insert(key, series.len() - 1);
                series.len() - 1
            }
        };
        match sample.suffix {
            "" => {
                if let Some(q) = sample.label("quantile").and_then(|q| parse::number(q, false)) {
                    series[at].quantiles.push((q, sample.value));
                }
            }
            "_count" => series[at].count = Some(sample.value),
            "_sum" => series[at].sum = Some(sample.value),
            _ => {}
        }
    }
    series
}

#[cfg(test)]
mod tests;
