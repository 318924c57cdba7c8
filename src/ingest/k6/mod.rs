//! k6 end-of-test summaries: `--summary-export` JSON (flat stats per metric) and the
//! `handleSummary(data)` object written as JSON (`{type, contains, values}` per metric), k6
//! 0.4x through 1.x. Submetrics (`http_req_duration{name:GET /api/users}`) become subjects
//! tagged as their selector says; the whole metric has no tags.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::{Adapter, Detection, Error, Head, Located, Measurement, Options, Subject};
use crate::quantity::Unit;

#[derive(Debug)]
pub struct K6Summary;

impl Adapter for K6Summary {
    fn detect(&self, head: &Head) -> Detection {
        let Some(text) = head.object() else { return Detection::No };
        let metrics = text.contains("\"metrics\"") || text.contains("\"k6Version\"");
        let k6_only =
            text.contains("\"root_group\"") || text.contains("\"k6Version\"") || text.contains("\"testRunDurationMs\"");
        let k6_like = text.contains("\"http_req_duration") || text.contains("\"iterations\"");
        Detection::from(metrics && k6_only, metrics && k6_like)
    }

    fn near_miss(&self, _path: &Path, head: &Head) -> Option<String> {
        is_text_summary(&head.bytes).then(|| {
            "this is k6's end-of-test text, which is not a stable format; write JSON with \
             `k6 run --summary-export=summary.json`, or return JSON.stringify(data) from handleSummary"
                .to_owned()
        })
    }

    fn read(&self, path: &Path, _options: &Options) -> Result<Vec<Measurement>, Error> {
        let bytes = super::read_document(path)?;
        Ok(parse(&bytes)?)
    }
}

#[derive(Deserialize)]
struct Summary {
    /// `--summary-export` and handleSummary data: metric key -> entry.
    metrics: Option<serde_json::Value>,
    /// k6 1.5+'s opt-in machine-readable summary (`--new-machine-readable-summary`):
    /// `results.metrics` is a list of `{name, type, contains, category, values}`.
    results: Option<MachineResults>,
    version: Option<String>,
}

#[derive(Deserialize)]
struct MachineResults {
    #[serde(default)]
    metrics: Vec<serde_json::Value>,
    checks: Option<MachineChecks>,
}

#[derive(Deserialize)]
struct MachineChecks {
    #[serde(default)]
    metrics: BTreeMap<String, serde_json::Value>,
}

/// What k6 says a metric holds (handleSummary), or what its stat names imply
/// (`--summary-export`, which drops `type` and `contains`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Trend,
    Rate,
    Counter,
    Gauge,
}

pub use crate::model::vocabulary::{THRESHOLD, THRESHOLD_METRIC_TAG};

/// Built-in k6 trends measured in milliseconds, for `--summary-export` files, which do not
/// say what a trend contains.
const TIME_TRENDS: &[&str] = &[
    "http_req_duration",
    "http_req_blocked",
    "http_req_connecting",
    "http_req_tls_handshaking",
    "http_req_sending",
    "http_req_waiting",
    "http_req_receiving",
    "iteration_duration",
    "group_duration",
];

/// Built-in k6 counters of bytes.
const DATA_COUNTERS: &[&str] = &["data_received", "data_sent"];

pub fn parse(bytes: &[u8]) -> Result<Vec<Measurement>, Located> {
    let summary: Summary = serde_json::from_slice(bytes).map_err(|error| Located::from_json(&error, 1, 1))?;
    let entries: Vec<(String, serde_json::Value)> = match (summary.metrics, summary.results) {
        (Some(serde_json::Value::Object(metrics)), _) => metrics.into_iter().collect(),
        (_, Some(results)) if summary.version.as_deref().is_some_and(|v| v.starts_with("1.")) => {
            // The machine-readable summary lists metrics (checks apart) with their names.
            let checks = results.checks.map(|c| c.metrics.into_values().collect()).unwrap_or_default();
            let mut entries = Vec::new();
            for entry in results.metrics.into_iter().chain::<Vec<serde_json::Value>>(checks) {
                let name = entry.get("name").and_then(serde_json::Value::as_str).map(str::to_owned);
                let name =
                    name.ok_or_else(|| Located { line: 1, column: 1, message: "a metric without `name`".into() })?;
                entries.push((name, entry));
            }
            entries
        }
        (_, Some(_)) => {
            return Err(Located {
                line: 1,
                column: 1,
                message: format!(
                    "k6 machine-readable summary version {:?} is not supported; this perfbudget reads 1.x",
                    summary.version.unwrap_or_default()
                ),
            });
        }
        _ => {
            return Err(Located {
                line: 1,
                column: 1,
                message: "this k6 summary has no `metrics`: write it with `--summary-export` or JSON.stringify(data) in handleSummary".into(),
            });
        }
    };
    let mut measurements = Vec::new();
    for (key, entry) in &entries {
        let (name, subject) = parse_key(key);
        let at = |message: String| Located { line: 1, column: 1, message: format!("metric `{key}`: {message}") };
        let serde_json::Value::Object(entry) = entry else {
            return Err(at("is not an object".into()));
        };
        // handleSummary nests the stats under `values` beside `type` and `contains`.
        let (stats, kind, contains) = match entry.get("values") {
            Some(serde_json::Value::Object(values)) => {
                let kind = match entry.get("type").and_then(serde_json::Value::as_str) {
                    Some("trend") => Kind::Trend,
                    Some("rate") => Kind::Rate,
                    Some("counter") => Kind::Counter,
                    Some("gauge") => Kind::Gauge,
                    other => return Err(at(format!("unknown metric type {other:?}"))),
                };
                (values, kind, entry.get("contains").and_then(serde_json::Value::as_str).map(str::to_owned))
            }
            Some(_) => return Err(at("`values` is not an object".into())),
            None => (entry, infer_kind(entry), None),
        };
        let contains = contains.unwrap_or_else(|| inferred_contains(name, kind).to_owned());
        // k6's own threshold verdicts: `true` means crossed in --summary-export, `{ok}` in
        // handleSummary data; both become passed = 1, failed = 0.
        if let Some(serde_json::Value::Object(thresholds)) = entry.get("thresholds") {
            for (expression, verdict) in thresholds {
                let passed = match verdict {
                    serde_json::Value::Bool(crossed) => !crossed,
                    serde_json::Value::Object(result) => match result.get("ok") {
                        Some(serde_json::Value::Bool(ok)) => *ok,
                        _ => return Err(at(format!("threshold `{expression}` has no boolean `ok`"))),
                    },
                    _ => return Err(at(format!("threshold `{expression}` is neither a boolean nor {{ok}}"))),
                };
                let mut subject = subject.clone();
                subject.insert(THRESHOLD_METRIC_TAG.into(), name.to_owned());
                let value = if passed { 1.0 } else { 0.0 };
                measurements.push(Measurement::new("k6", THRESHOLD, Some(expression), subject, value, Unit::Number));
            }
        }
        for (stat, value) in stats {
            if stat == "thresholds" {
                continue;
            }
            let Some(number) = value.as_f64() else {
                return Err(at(format!("stat `{stat}` is {value}, not a number")));
            };
            // `--summary-export` calls a rate's rate `value`.
            let stat = if kind == Kind::Rate && stat == "value" { "rate" } else { stat.as_str() };
            let unit = unit_of(kind, &contains, stat);
            measurements.push(Measurement::new("k6", name, Some(stat), subject.clone(), number, unit));
        }
    }
    Ok(measurements)
}

/// `name{tag:value,tag2:value}` as k6 parses a threshold's submetric selector: split on
/// `,`, then on the first `:`, spaces and quotes trimmed (`group:::checkout` is the group
/// `::checkout`).
fn parse_key(key: &str) -> (&str, Subject) {
    let Some((name, rest)) = key.split_once('{') else { return (key, Subject::new()) };
    let selector = rest.strip_suffix('}').unwrap_or(rest);
    let trim = |text: &str| text.trim().trim_matches(['"', '\'']).to_owned();
    let subject = selector
        .split(',')
        .map(|part| part.split_once(':').unwrap_or((part, "")))
        .map(|(tag, value)| (trim(tag), trim(value)))
        .collect();
    (name, subject)
}

fn infer_kind(stats: &serde_json::Map<String, serde_json::Value>) -> Kind {
    if stats.contains_key("passes") || stats.contains_key("fails") {
        Kind::Rate
    } else if stats.contains_key("count") {
        Kind::Counter
    } else if stats.contains_key("value") {
        Kind::Gauge
    } else {
        Kind::Trend
    }
}

fn inferred_contains(name: &str, kind: Kind) -> &'static str {
    match kind {
        Kind::Trend if TIME_TRENDS.contains(&name) => "time",
        Kind::Counter if DATA_COUNTERS.contains(&name) => "data",
        _ => "default",
    }
}

/// Trends are in ms (`contains: time`) or bytes (`data`); rates are fractions; counters
/// count (or bytes) with a per-second rate.
fn unit_of(kind: Kind, contains: &str, stat: &str) -> Unit {
    match (kind, stat) {
        (Kind::Rate, "rate") => Unit::Ratio,
        (Kind::Rate, _) => Unit::Number,
        (Kind::Counter, "rate") => Unit::PerSecond,
        _ => match contains {
            "time" => Unit::Ms,
            "data" => Unit::Bytes,
            _ => Unit::Number,
        },
    }
}

/// Whether a file is k6's human end-of-test text, so the error can name the flags that
/// write JSON.
pub fn is_text_summary(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(head);
    text.contains("█ THRESHOLDS")
        || text.contains("█ TOTAL RESULTS")
        || (text.contains("http_req_duration") && text.contains("...: avg="))
        || text.contains("/\\      Grafana")
}

/// Adds k6's own threshold verdicts (`p(95)<200 failed`) to the judged rows of the metric
/// and subject they apply to, beside perfbudget's verdict.
pub fn annotate(checks: &mut [crate::model::CheckResult], measurements: &[Measurement]) {
    let mut thresholds: std::collections::HashMap<(&str, Subject), Vec<String>> = std::collections::HashMap::new();
    for m in measurements.iter().filter(|m| m.metric == THRESHOLD) {
        let Some(metric) = m.subject.get(THRESHOLD_METRIC_TAG) else { continue };
        let subject: Subject = m
            .subject
            .iter()
            .filter(|(tag, _)| *tag != THRESHOLD_METRIC_TAG)
            .map(|(tag, value)| (tag.to_owned(), value.to_owned()))
            .collect();
        let verdict = if m.value == Some(1.0) { "passed" } else { "failed" };
        let expression = m.stat.as_deref().unwrap_or_default();
        thresholds.entry((metric, subject)).or_default().push(format!("{expression} {verdict}"));
    }
    if thresholds.is_empty() {
        return;
    }
    // Judged rows only: a row that matched nothing has no value for k6 to agree with.
    for result in checks.iter_mut().filter(|result| result.source.is_some()) {
        if let Some(verdicts) = thresholds.get(&(result.source_metric.as_str(), result.subject.clone())) {
            result.message.push_str(&format!("; k6's own thresholds: {}", verdicts.join(", ")));
        }
    }
}

#[cfg(test)]
mod tests;
