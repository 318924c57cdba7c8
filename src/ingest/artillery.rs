//! Artillery 2.x's `artillery run --output report.json`: `{aggregate, intermediate}`. The
//! whole run is `aggregate`: its subjects are the run without tags and each endpoint of the
//! `metrics-by-endpoint` plugin, tagged `name` (the plugin's key: the request's name, or its
//! URL path). Each `intermediate` entry is one period of the run (10 s by default) with the
//! same metrics, read as the same subjects tagged `period` (its start, ISO 8601 UTC), which
//! only a budget selecting `period` reads ([`crate::model::vocabulary::SELECTED_ONLY_BY_NAME`]):
//! a budget without it judges the whole run as before. Mapped to the canonical HTTP vocabulary.
//!
//! Latency is Artillery's DDSketch summary of `http.response_time` (time to first byte),
//! read as written: `p50` is `p(50)`, `p999` is `p(99.9)`, `mean` is `avg`, `median` is
//! `med`. Artillery writes request and error rates for the run (and each period) only;
//! none is made up per endpoint.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::{Adapter, Detection, Error, Head, Located, Measurement, Options, Subject};
use crate::model::vocabulary::{HTTP_REQ_DURATION, HTTP_REQ_FAILED, HTTP_REQS, PERIOD_TAG, RATE, period_stamp};
use crate::quantity::Unit;

/// The `source` of every measurement read here.
pub(crate) const SOURCE: &str = "artillery";

/// The plugin's prefix of every per-endpoint metric.
const BY_ENDPOINT: &str = "plugins.metrics-by-endpoint.";

/// The summary of an endpoint's latency is `BY_ENDPOINT` + this + the endpoint.
const RESPONSE_TIME: &str = "response_time.";

/// Summary keys and their canonical statistics, in the order they are emitted.
const STATS: &[(&str, &str)] = &[
    ("p50", "p(50)"),
    ("p75", "p(75)"),
    ("p90", "p(90)"),
    ("p95", "p(95)"),
    ("p99", "p(99)"),
    ("p999", "p(99.9)"),
    ("mean", "avg"),
    ("min", "min"),
    ("max", "max"),
    ("median", "med"),
];

#[derive(Debug)]
pub(crate) struct Artillery;

impl Adapter for Artillery {
    fn detect(&self, head: &Head) -> Detection {
        let Some(text) = head.object() else { return Detection::No };
        let has = |key: &str| text.contains(&format!("\"{key}\""));
        // `aggregate` opens the report; its `counters` and the `firstCounterAt`-style
        // timestamps come next, so a long report is known by its head.
        let period = has("counters") && (has("summaries") || has("rates"));
        let own = has("firstCounterAt") || has("firstMetricAt") || has("intermediate");
        Detection::from(has("aggregate") && period && own, has("aggregate") && has("counters") && has("rates"))
    }

    fn near_miss(&self, _path: &Path, head: &Head) -> Option<String> {
        is_printed_summary(&head.text).then(|| {
            "this is what `artillery run` prints, which shows only some statistics of each metric; write its \
             report as JSON with `artillery run --output report.json SCRIPT.yml`"
                .to_owned()
        })
    }

    fn read(&self, path: &Path, _options: &Options) -> Result<Vec<Measurement>, Error> {
        let bytes = super::read_document(path)?;
        Ok(parse(&bytes)?)
    }
}

/// Whether a file is `artillery run`'s standard output: its run id and phases, or its
/// metrics lines (`http.requests: ....... 75`).
pub(crate) fn is_printed_summary(text: &str) -> bool {
    let run = text.starts_with("Test run id: ") && text.contains("Phase started: ");
    run || text.contains("Summary report @ ") || text.contains("\nhttp.requests: ....")
}

#[derive(Deserialize)]
struct Report {
    aggregate: Period,
    #[serde(default)]
    intermediate: Vec<Period>,
}

#[derive(Deserialize)]
struct Period {
    counters: Map<String, Value>,
    #[serde(default)]
    rates: Map<String, Value>,
    #[serde(default)]
    summaries: Map<String, Value>,
    /// An intermediate period's start, epoch ms, which Artillery writes as a string (and
    /// `aggregate`'s as a number, not read).
    #[serde(default)]
    period: Option<Value>,
}

/// Reads one Artillery report: `aggregate`, then each `intermediate` period.
pub fn parse(bytes: &[u8]) -> Result<Vec<Measurement>, Located> {
    let report: Report = serde_json::from_str(super::utf8(bytes)?).map_err(|error| Located::from_json(&error, 1, 1))?;
    let mut measurements = read_period(&report.aggregate, "aggregate", None)?;
    for (index, period) in report.intermediate.iter().enumerate() {
        let place = format!("intermediate[{index}]");
        let start = period.period.as_ref().and_then(epoch_ms).ok_or_else(|| Located {
            line: 1,
            column: 1,
            message: format!("{place}.period is {}, not the epoch ms Artillery writes", shown(period.period.as_ref())),
        })?;
        measurements.extend(read_period(period, &place, Some(&period_stamp(start.div_euclid(1000))))?);
    }
    Ok(measurements)
}

/// A period's start: a string (or number) of whole epoch milliseconds.
fn epoch_ms(value: &Value) -> Option<i64> {
    match value {
        Value::String(text) => text.parse().ok(),
        Value::Number(number) => number.as_i64(),
        _ => None,
    }
}

fn shown(value: Option<&Value>) -> String {
    value.map_or_else(|| "absent".to_owned(), Value::to_string)
}

/// The measurements of one period (`aggregate`, the whole run, when `stamp` is `None`),
/// each subject tagged with the period's stamp.
fn read_period(period: &Period, place: &str, stamp: Option<&str>) -> Result<Vec<Measurement>, Located> {
    let at = |message: String| Located { line: 1, column: 1, message };
    let number = |what: &str, value: &Value| {
        value.as_f64().filter(|v| v.is_finite()).ok_or_else(|| at(format!("{place}.{what} is {value}, not a number")))
    };
    let run = || {
        let mut subject = Subject::new();
        if let Some(stamp) = stamp {
            subject.insert(PERIOD_TAG.into(), stamp.to_owned());
        }
        subject
    };
    let mut counters = Vec::with_capacity(period.counters.len());
    for (key, value) in &period.counters {
        counters.push((key.as_str(), number(&format!("counters[\"{key}\"]"), value)?));
    }
    let counter = |key: &str| counters.iter().find(|(name, _)| *name == key).map(|(_, value)| *value);
    let sum = |keep: &dyn Fn(&str) -> bool| counters.iter().filter(|(key, _)| keep(key)).map(|(_, v)| v).sum::<f64>();
    let requests = counter("http.requests").unwrap_or(0.0);
    let responses = counter("http.responses").unwrap_or(0.0);
    let non2xx = sum(&|key| key.strip_prefix("http.codes.").is_some_and(|code| !code.starts_with('2')));
    let errors = sum(&|key| key.starts_with("errors."));
    let error_names: Vec<String> =
        counters.iter().filter_map(|(key, value)| Some(format!("{} {value}", key.strip_prefix("errors.")?))).collect();
    let errors_shown = match error_names.is_empty() {
        true => String::new(),
        false => format!(": {}", error_names.join(", ")),
    };

    let mut measurements = Vec::new();
    let mut latency = |summary: Option<&Value>, what: &str, subject: Subject, nothing: String| -> Result<(), Located> {
        let summary = match summary {
            Some(value) => {
                Some(value.as_object().ok_or_else(|| at(format!("{place}.summaries[\"{what}\"] is not an object")))?)
            }
            None => None,
        };
        let count = match summary.and_then(|s| s.get("count")) {
            Some(value) => Some(number(&format!("summaries[\"{what}\"].count"), value)?),
            None => None,
        };
        for (key, stat) in STATS {
            let mut measurement =
                Measurement::new(SOURCE, HTTP_REQ_DURATION, Some(stat), subject.clone(), 0.0, Unit::Ms);
            measurement.samples = count.map(whole);
            match summary {
                Some(summary) => match summary.get(*key) {
                    Some(value) => measurement.value = Some(number(&format!("summaries[\"{what}\"].{key}"), value)?),
                    None => continue,
                },
                None => {
                    measurement.value = None;
                    measurement.no_data = Some(nothing.clone());
                }
            }
            measurements.push(measurement);
        }
        Ok(())
    };

    // The whole run. A run that got no response writes no `http.response_time` at all.
    latency(
        period.summaries.get("http.response_time"),
        "http.response_time",
        run(),
        format!(
            "Artillery recorded no response time ({requests} requests, {responses} responses, {errors} errors\
             {errors_shown})"
        ),
    )?;
    // Each endpoint: those with a latency summary, and those that only had errors.
    let mut endpoints = BTreeSet::new();
    for key in period.summaries.keys() {
        if let Some(endpoint) = key.strip_prefix(BY_ENDPOINT).and_then(|rest| rest.strip_prefix(RESPONSE_TIME)) {
            endpoints.insert(endpoint.to_owned());
        }
    }
    for (key, _) in &counters {
        let Some(rest) = key.strip_prefix(BY_ENDPOINT) else { continue };
        let end = [".codes.", ".errors."].iter().filter_map(|part| rest.rfind(part)).max();
        if let Some(end) = end {
            endpoints.insert(rest[..end].to_owned());
        }
    }
    for endpoint in &endpoints {
        let what = format!("{BY_ENDPOINT}{RESPONSE_TIME}{endpoint}");
        let mut subject = run();
        subject.insert("name".into(), endpoint.clone());
        let prefix = format!("{BY_ENDPOINT}{endpoint}.");
        let endpoint_errors: Vec<String> = counters
            .iter()
            .filter_map(|(key, value)| Some(format!("{} {value}", key.strip_prefix(&prefix)?.strip_prefix("errors.")?)))
            .collect();
        let nothing = match endpoint_errors.is_empty() {
            true => format!("Artillery recorded no response time for {endpoint}"),
            false => {
                format!("Artillery recorded no response time for {endpoint} (errors: {})", endpoint_errors.join(", "))
            }
        };
        latency(period.summaries.get(&what), &what, subject, nothing)?;
    }

    let mut rate = Measurement::new(SOURCE, HTTP_REQS, Some(RATE), run(), 0.0, Unit::PerSecond);
    match period.rates.get("http.request_rate") {
        Some(value) if !value.is_null() => rate.value = Some(number("rates[\"http.request_rate\"]", value)?),
        _ => {
            rate.value = None;
            rate.no_data = Some("Artillery wrote no rates[\"http.request_rate\"]".into());
        }
    }
    measurements.push(rate);
    measurements.push(Measurement::new(SOURCE, HTTP_REQS, Some("count"), run(), requests, Unit::Number));
    // A request failed when its response was not 2xx or it got none (a transport error,
    // which Artillery counts in `errors.*` and in `http.requests`).
    let mut failed = Measurement::new(SOURCE, HTTP_REQ_FAILED, Some(RATE), run(), 0.0, Unit::Ratio);
    failed.samples = Some(whole(requests));
    match requests > 0.0 {
        true => failed.value = Some((non2xx + errors) / requests),
        false => {
            failed.value = None;
            failed.no_data = Some("Artillery sent no request (counters[\"http.requests\"] is 0 or absent)".into());
        }
    }
    measurements.push(failed);
    Ok(measurements)
}

/// A count written as a JSON number, for `samples`.
fn whole(value: f64) -> u64 {
    value.max(0.0).round() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detection() {
        let json = br#"{"aggregate":{"counters":{"http.requests":1},"rates":{},"firstCounterAt":1,"summaries":{}},"intermediate":[]}"#;
        assert!(crate::ingest::format::claims(&Artillery, json));
        assert!(!crate::ingest::format::claims(&Artillery, br#"{"metrics":{"http_reqs":{}}}"#));
        assert!(is_printed_summary("Test run id: t1\nPhase started: unnamed (index: 0, duration: 5s)\n"));
        assert!(!is_printed_summary("{\"aggregate\": {}}"));
    }

    #[test]
    fn endpoints_and_the_error_rule() {
        let json = br#"{"aggregate":{"counters":{"http.requests":4,"http.codes.200":2,"http.codes.404":1,
            "errors.ETIMEDOUT":1,"plugins.metrics-by-endpoint./a.b.errors.ETIMEDOUT":1,
            "plugins.metrics-by-endpoint./c.codes.200":2},"rates":{"http.request_rate":2},
            "summaries":{"http.response_time":{"p50":1.5,"p999":9,"count":3},
            "plugins.metrics-by-endpoint.response_time./c":{"max":4,"count":2}}}}"#;
        let measurements = parse(json).unwrap();
        let failed = measurements.iter().find(|m| m.metric == HTTP_REQ_FAILED).unwrap();
        assert_eq!(failed.value, Some(0.5));
        let named = |name: &str| -> Vec<&Measurement> {
            measurements.iter().filter(|m| m.subject.get("name") == Some(name)).collect()
        };
        assert_eq!(named("/c").len(), 1);
        assert_eq!(named("/c")[0].value, Some(4.0));
        assert_eq!(named("/a.b").len(), STATS.len());
        assert!(named("/a.b").iter().all(|m| m.value.is_none()));
        assert!(named("/a.b")[0].no_data.as_deref().unwrap().contains("ETIMEDOUT 1"));
        let overall: Vec<_> =
            measurements.iter().filter(|m| m.metric == HTTP_REQ_DURATION && m.subject.is_empty()).collect();
        assert_eq!(overall.iter().map(|m| m.stat.as_deref().unwrap()).collect::<Vec<_>>(), ["p(50)", "p(99.9)"]);
        assert!(parse(br#"{"aggregate":{"counters":{"http.requests":"x"}}}"#).is_err());
    }

    #[test]
    fn periods_are_the_same_subjects_tagged_with_their_start() {
        let json = br#"{"aggregate":{"counters":{"http.requests":2},"rates":{"http.request_rate":1}},
            "intermediate":[{"counters":{"http.requests":2,"http.codes.500":1},"rates":{"http.request_rate":2},
            "period":"1796143610000"}]}"#;
        let measurements = parse(json).unwrap();
        let period: Vec<&Measurement> = measurements.iter().filter(|m| m.subject.get(PERIOD_TAG).is_some()).collect();
        assert_eq!(period.len(), STATS.len() + 3);
        assert!(period.iter().all(|m| m.subject.get(PERIOD_TAG) == Some("2026-12-01T16:46:50Z")));
        let failed = period.iter().find(|m| m.metric == HTTP_REQ_FAILED).unwrap();
        assert_eq!(failed.value, Some(0.5));
        let error = parse(br#"{"aggregate":{"counters":{}},"intermediate":[{"counters":{},"period":"soon"}]}"#)
            .unwrap_err()
            .message;
        assert_eq!(error, "intermediate[0].period is \"soon\", not the epoch ms Artillery writes");
    }
}
