//! k6's `--out json` stream (NDJSON, plain or gzip): a `Metric` line for each metric, then
//! one `Point` line per sample with its tags. Samples are kept per metric and tag set, for
//! the metrics a budget reads only, so memory grows with those samples and not with the
//! file; `evaluate` merges the tag sets a check selects and computes k6's statistics.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;

use super::distribution::Distribution;
use super::format::GZIP_MAGIC;
use super::lines::Lines;
use super::{Adapter, Detection, Error, Head, Located, Measurement, Options, Subject};
use crate::model::apdex::{APDEX, ApdexCounts, Thresholds};
use crate::model::vocabulary::HTTP_REQ_DURATION;
use crate::quantity::Unit;

#[derive(Debug)]
pub struct K6Stream;

impl Adapter for K6Stream {
    fn detect(&self, head: &Head) -> Detection {
        let text = head.lines_text();
        let first = text.lines().next().unwrap_or_default();
        let stream = first.starts_with('{')
            && (first.contains("\"type\":\"Metric\"")
                || (first.contains("\"type\":\"Point\"") && first.contains("\"metric\":")));
        Detection::from(stream, false)
    }

    fn read(&self, path: &Path, options: &Options) -> Result<Vec<Measurement>, Error> {
        let mut file = std::fs::File::open(path)?;
        let mut magic = [0u8; 2];
        let gzip = file.read(&mut magic).map(|n| n == 2 && magic == GZIP_MAGIC).unwrap_or(false);
        let file = std::fs::File::open(path)?;
        let reader: Box<dyn BufRead> = if gzip {
            Box::new(BufReader::new(flate2::read::MultiGzDecoder::new(file)))
        } else {
            Box::new(BufReader::with_capacity(1 << 20, file))
        };
        parse_scoring(reader, options.wanted_metrics.as_ref(), &options.apdex)
    }
}

#[derive(Deserialize)]
struct Line<'a> {
    #[serde(rename = "type", borrow)]
    kind: &'a str,
    #[serde(borrow)]
    metric: Option<&'a str>,
    data: Data,
}

#[derive(Deserialize)]
struct Data {
    name: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    contains: Option<String>,
    value: Option<serde_json::Value>,
    #[serde(default)]
    tags: Option<HashMap<String, String>>,
}

/// What a metric is, from its `Metric` line.
struct MetricInfo {
    kind: String,
    contains: String,
}

/// Reads the stream, keeping samples of `wanted` metrics (all when `None`).
pub fn parse(
    reader: impl BufRead,
    wanted: Option<&std::collections::HashSet<String>>,
) -> Result<Vec<Measurement>, Error> {
    parse_scoring(reader, wanted, &[])
}

/// Reads the stream as [`parse`] does and, when `apdex` is wanted, scores every
/// `http_req_duration` point with each of the `apdex` thresholds, per tag set (`apdex`
/// measurements). A point tagged `expected_response: false` (k6's failed request) counts as
/// failed, as JMeter's dashboard counts a failed sample.
pub fn parse_scoring(
    reader: impl BufRead,
    wanted: Option<&std::collections::HashSet<String>>,
    apdex: &[Thresholds],
) -> Result<Vec<Measurement>, Error> {
    let scoring = !apdex.is_empty() && wanted.is_none_or(|wanted| wanted.contains(APDEX));
    let keeps = |name: &str| wanted.is_none_or(|wanted| wanted.contains(name));
    let mut scores: HashMap<Subject, Vec<ApdexCounts>> = HashMap::new();
    let mut score_order: Vec<Subject> = Vec::new();
    let mut metrics: HashMap<String, MetricInfo> = HashMap::new();
    let mut groups: HashMap<(String, Subject), Distribution> = HashMap::new();
    let mut order: Vec<(String, Subject)> = Vec::new();
    let mut seen_line = false;
    let mut lines = Lines::new(reader);
    while let Some((number, line)) = lines.next_line()? {
        if line.trim().is_empty() {
            continue;
        }
        seen_line = true;
        let at = |message: String| Error::At(Located { line: number, column: 1, message });
        // Most points belong to metrics no budget reads: k6 writes a point's metric first,
        // so those lines are skipped unparsed. A whole line ends with `}`; one that does not
        // was cut short, and that is an error whatever its metric.
        if let (Some(wanted), Some(rest)) = (wanted, line.strip_prefix("{\"metric\":\""))
            && let Some(end) = rest.find('"')
            && !wanted.contains(&rest[..end])
            && !(scoring && &rest[..end] == HTTP_REQ_DURATION)
        {
            if !line.trim_end().ends_with('}') {
                return Err(at("the line is cut short (a truncated stream?)".into()));
            }
            continue;
        }
        let parsed: Line<'_> =
            serde_json::from_str(line).map_err(|error| Error::At(Located::from_json(&error, number, 1)))?;
        match parsed.kind {
            "Metric" => {
                let name = parsed.data.name.ok_or_else(|| at("a Metric line without `data.name`".into()))?;
                let kind = parsed.data.kind.unwrap_or_default();
                metrics.insert(name, MetricInfo { kind, contains: parsed.data.contains.unwrap_or_default() });
            }
            "Point" => {
                let name = parsed.metric.ok_or_else(|| at("a Point line without `metric`".into()))?;
                let score = scoring && name == HTTP_REQ_DURATION;
                if !keeps(name) && !score {
                    continue;
                }
                let info =
                    metrics.get(name).ok_or_else(|| at(format!("a Point of `{name}` before its Metric line")))?;
                let value = match &parsed.data.value {
                    Some(serde_json::Value::Number(number)) => number.as_f64().filter(|v| v.is_finite()),
                    _ => None,
                }
                .ok_or_else(|| at(format!("the value of a `{name}` point is not a number")))?;
                let subject: Subject = parsed.data.tags.unwrap_or_default().into_iter().collect();
                if score {
                    let success = subject.get("expected_response") != Some("false");
                    let counts = match scores.get_mut(&subject) {
                        Some(counts) => counts,
                        None => {
                            score_order.push(subject.clone());
                            scores.entry(subject.clone()).or_insert_with(|| {
                                apdex.iter().map(|thresholds| ApdexCounts::new(*thresholds)).collect()
                            })
                        }
                    };
                    for counts in counts {
                        counts.add(value, success);
                    }
                    if !keeps(name) {
                        continue;
                    }
                }
                let key = (name.to_owned(), subject);
                let sample = number as u64;
                match groups.get_mut(&key) {
                    Some(distribution) => add(distribution, sample, value),
                    None => {
                        let distribution = match info.kind.as_str() {
                            "trend" => Distribution::Trend(vec![(sample, value)]),
                            "rate" => Distribution::Rate { trues: u64::from(value != 0.0), total: 1 },
                            "counter" => Distribution::Counter { sum: value, first: sample },
                            "gauge" => Distribution::Gauge { last: (sample, value), min: value, max: value },
                            other => return Err(at(format!("unknown metric type {other:?} of `{name}`"))),
                        };
                        order.push(key.clone());
                        groups.insert(key, distribution);
                    }
                }
            }
            other => return Err(at(format!("unknown line type {other:?}"))),
        }
    }
    if !seen_line {
        return Err(Error::At(Located { line: 1, column: 1, message: "the stream is empty".into() }));
    }
    let mut measurements = Vec::with_capacity(order.len() + score_order.len());
    for subject in score_order {
        let Some(counts) = scores.remove(&subject) else { continue };
        let mut measurement = Measurement::new("k6", APDEX, None, subject, 0.0, Unit::Number);
        measurement.value = None;
        measurement.no_data = Some("raw samples: the score is computed when a budget selects them".into());
        measurement.samples = counts.first().map(|counts| counts.total);
        measurement.distribution = Some(Arc::new(Distribution::Apdex(counts)));
        measurements.push(measurement);
    }
    for key in order {
        let Some(distribution) = groups.remove(&key) else { continue };
        let (name, subject) = key;
        let info = &metrics[&name];
        let unit = match (info.kind.as_str(), info.contains.as_str()) {
            ("rate", _) => Unit::Ratio,
            (_, "time") => Unit::Ms,
            (_, "data") => Unit::Bytes,
            _ => Unit::Number,
        };
        let mut measurement = Measurement::new("k6", &name, None, subject, 0.0, unit);
        measurement.value = None;
        measurement.no_data = Some("raw samples: a statistic is computed when a budget selects them".into());
        measurement.samples = Some(distribution.sample_count());
        measurement.distribution = Some(Arc::new(distribution));
        measurements.push(measurement);
    }
    Ok(measurements)
}

fn add(distribution: &mut Distribution, sample: u64, value: f64) {
    match distribution {
        Distribution::Trend(values) => values.push((sample, value)),
        Distribution::Rate { trues, total } => {
            *trues += u64::from(value != 0.0);
            *total += 1;
        }
        Distribution::Counter { sum, .. } => *sum += value,
        Distribution::Gauge { last, min, max } => {
            *last = (sample, value);
            *min = min.min(value);
            *max = max.max(value);
        }
        // Not kinds of a k6 metric.
        Distribution::GatlingRequests(_) | Distribution::Throughput { .. } => {}
        // Scores are counted apart (`parse_scoring`), never grouped here.
        Distribution::Apdex(_) => {}
    }
}

/// The default summary statistics of each kind (k6's, and Gatling's report's), for showing
/// raw samples without a budget.
const DEFAULT_STATS: &[(&str, &[&str])] = &[
    ("trend", &["avg", "min", "med", "max", "p(90)", "p(95)"]),
    ("rate", &["rate"]),
    ("counter", &["count"]),
    ("gauge", &["value", "min", "max"]),
    // Gatling's report: its default percentiles are 50, 75, 95 and 99.
    ("gatling", &["count", "avg", "min", "med", "p(75)", "p(95)", "p(99)", "max"]),
    ("throughput", &["rate", "count"]),
];

/// Replaces each stream group (raw samples of one metric and tag set) with k6's default
/// summary statistics of it, as `perfbudget measure` shows them; other measurements pass
/// through. The result is plain measurements JSON that `check` reads back.
pub fn summarize(measurements: Vec<Measurement>) -> Vec<Measurement> {
    let mut out = Vec::with_capacity(measurements.len());
    for measurement in measurements {
        let Some(distribution) = measurement.distribution.clone() else {
            out.push(measurement);
            continue;
        };
        let kind = match distribution.as_ref() {
            Distribution::Trend(_) => "trend",
            Distribution::Rate { .. } => "rate",
            Distribution::Counter { .. } => "counter",
            Distribution::Gauge { .. } => "gauge",
            Distribution::GatlingRequests(_) => "gatling",
            Distribution::Throughput { .. } => "throughput",
            Distribution::Apdex(_) => "apdex",
        };
        let stats = DEFAULT_STATS.iter().find(|(k, _)| *k == kind).map(|(_, stats)| *stats).unwrap_or_default();
        for stat in stats {
            let Ok(value) = distribution.stat(stat) else { continue };
            let mut summary = measurement.clone();
            summary.distribution = None;
            summary.stat = Some((*stat).to_owned());
            summary.value = Some(value);
            summary.no_data = None;
            // A count of requests is a number, whatever the unit of the times or rates.
            if *stat == "count" && matches!(kind, "gatling" | "throughput") {
                summary.unit = Unit::Number;
            }
            out.push(summary);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const METRIC: &str = r#"{"type":"Metric","data":{"name":"d","type":"trend","contains":"time"},"metric":"d"}"#;

    #[test]
    fn unreadable_lines_are_errors_with_their_number() {
        let mut bytes =
            format!("{METRIC}\n{{\"metric\":\"d\",\"type\":\"Point\",\"data\":{{\"value\":1,\"tags\":{{\"x\":\"")
                .into_bytes();
        bytes.extend_from_slice(b"\xff\"}}}\n");
        match parse(bytes.as_slice(), None) {
            Err(Error::At(Located { line: 2, .. })) => {}
            other => panic!("{other:?}"),
        }
        let mut endless = format!("{METRIC}\n").into_bytes();
        endless.resize(endless.len() + crate::ingest::lines::MAX_LINE_BYTES + 1, b'{');
        // Skipped or read, an over-cap line is refused: `d` is wanted, `other` is not.
        for wanted in [None, Some(std::collections::HashSet::from(["other".to_owned()]))] {
            match parse(endless.as_slice(), wanted.as_ref()) {
                Err(Error::Line { line: 2, .. }) => {}
                other => panic!("{other:?}"),
            }
        }
    }
}
