//! CloudWatch Logs as a team exports them or a function prints them: CloudWatch Embedded
//! Metric Format documents ([`emf`]) and AWS Lambda's platform reports ([`lambda`]), in one
//! reader because one Lambda log holds both.
//!
//! A file is read line by line: a REPORT line anywhere in a line (after `aws logs tail`'s
//! prefix too), and a JSON object after any prefix (Lambda's text format puts
//! `TIME\tREQUEST\tINFO\t` first), which is an EMF document, a `platform.report` record, or a
//! JSON-format log line whose `message` holds one of those. Other lines are skipped. A file
//! that is one JSON document over several lines (a pretty-printed document, a CloudWatch
//! Logs subscription payload `{"logEvents": [{"message"}]}`) is read as that document.
//!
//! The statistics of each series are computed from every raw value: `count`, `sum`, `avg`,
//! `min`, `max`, and `p(50)` `p(90)` `p(95)` `p(99)` by nearest rank (the smallest value with
//! at least N % of the values at or below it, so a percentile is always a value that was
//! measured).

mod emf;
mod lambda;

use std::collections::HashMap;
use std::path::Path;

use serde_json::{Map, Value};

use super::lines::Lines;
use super::{Adapter, Detection, Error, Head, Measurement, Options, Subject};
use crate::model::vocabulary::{
    EMF_SOURCE, FUNCTION_TAG, LAMBDA_BILLED_DURATION, LAMBDA_COLD_STARTS, LAMBDA_DURATION, LAMBDA_INIT_DURATION,
    LAMBDA_MAX_MEMORY_USED, LAMBDA_MEMORY_USED_SHARE, LAMBDA_SOURCE, RATE, VALUE_STATS,
};
use crate::quantity::Unit;

#[derive(Debug)]
pub(crate) struct AwsLogs;

/// Lambda's MB, in bytes: a 128 MB function has 128 MiB.
const LAMBDA_MB: f64 = 1024.0 * 1024.0;

impl Adapter for AwsLogs {
    /// An EMF directive, a REPORT line, a `platform.report` record or a subscription
    /// payload of a Lambda log group in the head.
    fn detect(&self, head: &Head) -> Detection {
        let text = head.lines_text();
        let emf = text.contains("\"_aws\"") && text.contains("CloudWatchMetrics");
        let report = text.lines().any(lambda::claims_report);
        let platform = text.contains("\"platform.report\"");
        let payload = text.contains("\"logEvents\"") && text.contains("/aws/lambda");
        Detection::from(emf || report || platform || payload, false)
    }

    fn read(&self, path: &Path, _options: &Options) -> Result<Vec<Measurement>, Error> {
        parse(&super::read_text_document(path)?)
    }
}

/// Every measurement of a log's text.
pub fn parse(text: &str) -> Result<Vec<Measurement>, Error> {
    let mut log = Log::default();
    if is_one_document(text) {
        let document: Value = serde_json::from_str(text).map_err(|error| super::Located::from_json(&error, 1, 1))?;
        log.document(&document).map_err(Error::Refused)?;
    } else {
        let mut lines = Lines::new(text.as_bytes());
        while let Some((number, line)) = lines.next_line()? {
            log.line(line, None).map_err(|message| Error::Line { line: number, message })?;
        }
    }
    if log.is_empty() {
        return Err(Error::Refused("no EMF document, Lambda REPORT line or platform.report record in this log".into()));
    }
    Ok(log.measurements())
}

/// Whether the text is one JSON value over several lines rather than a log of lines: it
/// opens with `{` and its first line is not a whole JSON value.
fn is_one_document(text: &str) -> bool {
    let first = text.trim_start_matches('\u{feff}').trim_start();
    first.starts_with('{')
        && first.lines().next().is_some_and(|line| serde_json::from_str::<serde::de::IgnoredAny>(line).is_err())
}

/// What a log held: EMF values per series, Lambda reports per function, in the order first
/// seen.
#[derive(Debug, Default)]
struct Log {
    series: Vec<Series>,
    index: HashMap<(Subject, String), usize>,
    functions: Vec<(Subject, Vec<lambda::Report>)>,
}

#[derive(Debug)]
struct Series {
    subject: Subject,
    metric: String,
    unit: Unit,
    values: Vec<f64>,
}

impl Log {
    fn is_empty(&self) -> bool {
        self.series.is_empty() && self.functions.is_empty()
    }

    /// One log line (or a log event's message line), of the function `function` when the
    /// log names it.
    fn line(&mut self, line: &str, function: Option<&str>) -> Result<(), String> {
        if lambda::claims_report(line) {
            let report = lambda::parse_report(line)
                .map_err(|why| format!("{why}: not a whole Lambda `REPORT RequestId: ... Duration: N ms ...` line"))?;
            self.report(function, report);
            return Ok(());
        }
        let Some(start) = line.find('{') else { return Ok(()) };
        let json = &line[start..];
        match serde_json::from_str::<Map<String, Value>>(json) {
            Ok(object) => self.object(&object, function, true),
            // A line that names an EMF or platform.report key but does not parse was cut or
            // garbled: its values would otherwise vanish from the gate.
            Err(error) if json.contains("\"_aws\"") || json.contains("platform.report") => {
                let located = super::Located::from_json(&error, 1, start + 1);
                Err(format!(
                    "an EMF document or platform.report record that is not whole JSON: column {}: {}",
                    located.column, located.message
                ))
            }
            Err(_) => Ok(()),
        }
    }

    /// A JSON object of a log: EMF, a platform report, or (once) a JSON-format log line
    /// whose `message` holds one.
    fn object(&mut self, object: &Map<String, Value>, function: Option<&str>, unwrap: bool) -> Result<(), String> {
        if emf::is_emf(object) {
            for found in emf::datapoints(object)? {
                self.add(found)?;
            }
        } else if lambda::is_platform_report(object) {
            let report = lambda::parse_platform_report(object)?;
            self.report(function, report);
        } else if unwrap && let Some(Value::String(message)) = object.get("message") {
            for line in message.lines() {
                self.line(line, function)?;
            }
        }
        Ok(())
    }

    /// A whole-file JSON document: a subscription payload, or one object of the log.
    fn document(&mut self, document: &Value) -> Result<(), String> {
        let Some(object) = document.as_object() else {
            return Err("a JSON document that is not an object: not a CloudWatch log".into());
        };
        let Some(events) = object.get("logEvents") else {
            return self.object(object, None, true);
        };
        let function =
            object.get("logGroup").and_then(Value::as_str).and_then(|group| group.strip_prefix("/aws/lambda/"));
        let events = events.as_array().ok_or("`logEvents` is not an array")?;
        for (at, event) in events.iter().enumerate() {
            let message = event
                .get("message")
                .and_then(Value::as_str)
                .ok_or_else(|| format!("logEvents[{at}] has no `message` string"))?;
            for line in message.split('\n').flat_map(|line| line.split("\\n")) {
                self.line(line, function).map_err(|why| format!("logEvents[{at}]: {why}"))?;
            }
        }
        Ok(())
    }

    fn add(&mut self, found: emf::Datapoints) -> Result<(), String> {
        let key = (found.subject, found.metric);
        match self.index.get(&key) {
            Some(&at) => {
                let series = &mut self.series[at];
                if series.unit.dimension() != found.unit.dimension() {
                    return Err(format!(
                        "metric `{}` is in {} here and in {} before: one metric cannot take both",
                        key.1,
                        found.unit.as_str(),
                        series.unit.as_str()
                    ));
                }
                let unit = series.unit;
                series.values.extend(found.values.iter().map(|v| unit.from_base(found.unit.to_base(*v))));
            }
            None => {
                self.index.insert(key.clone(), self.series.len());
                self.series.push(Series { subject: key.0, metric: key.1, unit: found.unit, values: found.values });
            }
        }
        Ok(())
    }

    fn report(&mut self, function: Option<&str>, report: lambda::Report) {
        let subject = function.map(|name| Subject::from([(FUNCTION_TAG, name)])).unwrap_or_default();
        match self.functions.iter_mut().find(|(known, _)| *known == subject) {
            Some((_, reports)) => reports.push(report),
            None => self.functions.push((subject, vec![report])),
        }
    }

    fn measurements(self) -> Vec<Measurement> {
        let mut measurements = Vec::new();
        for series in &self.series {
            measurements.extend(value_stats(EMF_SOURCE, &series.metric, &series.subject, series.unit, &series.values));
        }
        for (subject, reports) in &self.functions {
            lambda_measurements(subject, reports, &mut measurements);
        }
        measurements
    }
}

/// A function's invocations: each report number's statistics, and its cold starts.
fn lambda_measurements(subject: &Subject, reports: &[lambda::Report], out: &mut Vec<Measurement>) {
    let collect =
        |field: fn(&lambda::Report) -> Option<f64>| -> Vec<f64> { reports.iter().filter_map(field).collect() };
    let shares: Vec<f64> =
        reports.iter().filter_map(|r| Some(r.max_memory_used? / r.memory_size.filter(|size| *size > 0.0)?)).collect();
    let memory: Vec<f64> = collect(|r| r.max_memory_used).into_iter().map(|mb| mb * LAMBDA_MB).collect();
    let init = collect(|r| r.init_duration);
    let series: [(&str, Unit, Vec<f64>); 5] = [
        (LAMBDA_DURATION, Unit::Ms, collect(|r| r.duration)),
        (LAMBDA_BILLED_DURATION, Unit::Ms, collect(|r| r.billed_duration)),
        (LAMBDA_MAX_MEMORY_USED, Unit::Bytes, memory),
        (LAMBDA_MEMORY_USED_SHARE, Unit::Ratio, shares),
        (LAMBDA_INIT_DURATION, Unit::Ms, init.clone()),
    ];
    for (metric, unit, values) in series {
        if values.is_empty() {
            let why = match metric {
                LAMBDA_INIT_DURATION => format!("no cold start (Init Duration) in {} invocations", reports.len()),
                _ => format!(
                    "none of the {} reports has this number (Lambda Managed Instances report only durations)",
                    reports.len()
                ),
            };
            out.extend(no_data(LAMBDA_SOURCE, metric, subject, unit, &why));
        } else {
            out.extend(value_stats(LAMBDA_SOURCE, metric, subject, unit, &values));
        }
    }
    let cold = init.len() as f64;
    let count = Measurement::new(LAMBDA_SOURCE, LAMBDA_COLD_STARTS, Some("count"), subject.clone(), cold, Unit::Number);
    let share = cold / reports.len() as f64;
    let rate = Measurement::new(LAMBDA_SOURCE, LAMBDA_COLD_STARTS, Some(RATE), subject.clone(), share, Unit::Ratio);
    out.extend([count, rate]);
}

/// A series without values: every statistic is no data, with why.
fn no_data(source: &str, metric: &str, subject: &Subject, unit: Unit, why: &str) -> Vec<Measurement> {
    VALUE_STATS
        .iter()
        .filter(|stat| !(unit == Unit::Ratio && **stat == "sum"))
        .map(|stat| {
            let mut measurement = Measurement::new(source, metric, Some(stat), subject.clone(), 0.0, unit);
            measurement.value = None;
            measurement.no_data = Some(why.to_owned());
            measurement
        })
        .collect()
}

/// [`VALUE_STATS`] of a non-empty list of raw values (no `sum` of shares).
fn value_stats(source: &str, metric: &str, subject: &Subject, unit: Unit, values: &[f64]) -> Vec<Measurement> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let count = sorted.len();
    let sum: f64 = values.iter().sum();
    VALUE_STATS
        .iter()
        // A sum of shares (each invocation's memory, an EMF Percent) is no quantity.
        .filter(|stat| !(unit == Unit::Ratio && **stat == "sum"))
        .map(|stat| {
            let value = match *stat {
                "count" => count as f64,
                "sum" => sum,
                "avg" => sum / count as f64,
                "min" => sorted[0],
                "max" => sorted[count - 1],
                "p(50)" => nearest_rank(&sorted, 50),
                "p(90)" => nearest_rank(&sorted, 90),
                "p(95)" => nearest_rank(&sorted, 95),
                _ => nearest_rank(&sorted, 99),
            };
            let unit = if *stat == "count" { Unit::Number } else { unit };
            let mut measurement = Measurement::new(source, metric, Some(stat), subject.clone(), value, unit);
            measurement.samples = Some(count as u64);
            measurement
        })
        .collect()
}

/// The nearest-rank percentile of sorted values: the value at rank ⌈p/100 × n⌉ (from 1).
fn nearest_rank(sorted: &[f64], percent: usize) -> f64 {
    let rank = (percent * sorted.len()).div_ceil(100).max(1);
    sorted[rank - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_is_a_measured_value() {
        let values: Vec<f64> = (1..=20).map(f64::from).collect();
        assert_eq!(nearest_rank(&values, 95), 19.0);
        assert_eq!(nearest_rank(&values, 50), 10.0);
        assert_eq!(nearest_rank(&values, 99), 20.0);
        assert_eq!(nearest_rank(&[7.0], 50), 7.0);
        assert_eq!(nearest_rank(&[1.0, 2.0, 3.0], 90), 3.0);
    }

    #[test]
    fn a_text_log_with_prefixes_emf_and_reports() {
        let text = "START RequestId: a Version: $LATEST\n\
            2024-01-01T00:00:00.000Z\ta\tINFO\t{\"_aws\":{\"Timestamp\":1,\"CloudWatchMetrics\":[{\"Namespace\":\"N\",\"Dimensions\":[[]],\"Metrics\":[{\"Name\":\"t\",\"Unit\":\"Milliseconds\"}]}]},\"t\":[3,1,2]}\n\
            INFO {not json}\n\
            REPORT RequestId: a\tDuration: 10 ms\tBilled Duration: 11 ms\tMemory Size: 128 MB\tMax Memory Used: 64 MB\tInit Duration: 200 ms\t\n\
            REPORT RequestId: b\tDuration: 20 ms\tBilled Duration: 21 ms\tMemory Size: 128 MB\tMax Memory Used: 32 MB\t\n";
        let mut log = Log::default();
        for line in text.lines() {
            log.line(line, None).unwrap();
        }
        let measurements = log.measurements();
        let find = |metric: &str, stat: &str| {
            measurements.iter().find(|m| m.metric == metric && m.stat.as_deref() == Some(stat)).unwrap().value
        };
        assert_eq!(find("t", "p(50)"), Some(2.0));
        assert_eq!(find("lambda_duration", "max"), Some(20.0));
        assert_eq!(find("lambda_memory_used_share", "max"), Some(0.5));
        assert_eq!(find("lambda_max_memory_used", "max"), Some(64.0 * LAMBDA_MB));
        assert_eq!(find("lambda_init_duration", "max"), Some(200.0));
        assert_eq!(find("lambda_cold_starts", "rate"), Some(0.5));
    }

    #[test]
    fn a_cut_emf_line_is_an_error() {
        let mut log = Log::default();
        let why = log.line("{\"_aws\":{\"CloudWatchMetrics\":[{\"Namespace\":\"N\"", None).unwrap_err();
        assert!(why.starts_with("an EMF document or platform.report record that is not whole JSON"), "{why}");
    }
}
