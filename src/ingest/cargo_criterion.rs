//! cargo-criterion's `--message-format=json` stream: one JSON object per line; every
//! `benchmark-complete` line is a benchmark (a tool that keeps only the first drops the
//! rest). Its `change` values are ratios despite `"unit": "%"`, and its `id` is criterion's
//! title, which may be cut to 100 bytes and `...`.

use std::io::BufRead;
use std::path::Path;

use serde::Deserialize;

use super::lines::Lines;
use super::{Adapter, Detection, Error, Head, Located, Measurement, Options, Subject};
use crate::quantity::Unit;

#[derive(Debug)]
pub struct CargoCriterion;

/// cargo's own build messages: what `cargo bench --message-format=json` prints.
const CARGO_REASONS: &[&str] = &["compiler-artifact", "compiler-message", "build-script-executed", "build-finished"];

impl Adapter for CargoCriterion {
    fn detect(&self, head: &Head) -> Detection {
        let Some(text) = head.object() else { return Detection::No };
        let first = text.lines().next().unwrap_or_default();
        let criterion =
            first.contains("\"reason\":\"benchmark-complete\"") || first.contains("\"reason\":\"group-complete\"");
        Detection::from(criterion, false)
    }

    fn near_miss(&self, _path: &Path, head: &Head) -> Option<String> {
        let first = head.object()?.lines().next().unwrap_or_default();
        CARGO_REASONS.iter().any(|reason| first.contains(&format!("\"reason\":\"{reason}\""))).then(|| CARGO.to_owned())
    }

    fn read(&self, path: &Path, _options: &Options) -> Result<Vec<Measurement>, Error> {
        let file = std::fs::File::open(path)?;
        parse(std::io::BufReader::new(file))
    }
}

/// What cargo's own build messages are, and what to give instead.
const CARGO: &str = "these are cargo's build messages (`cargo bench --message-format=json`), not benchmarks; \
                     for criterion's JSON lines run `cargo criterion --message-format=json`, or give perfbudget \
                     the target/criterion folder";

#[derive(Deserialize)]
struct Line {
    reason: String,
    id: Option<String>,
    unit: Option<String>,
    typical: Option<Estimate>,
    mean: Option<Estimate>,
    median: Option<Estimate>,
    #[serde(default)]
    throughput: Vec<Throughput>,
    change: Option<Change>,
}

#[derive(Deserialize)]
struct Estimate {
    estimate: f64,
    lower_bound: f64,
    upper_bound: f64,
}

#[derive(Deserialize)]
struct Throughput {
    per_iteration: f64,
    unit: String,
}

#[derive(Deserialize)]
struct Change {
    mean: Estimate,
}

pub fn parse(reader: impl BufRead) -> Result<Vec<Measurement>, Error> {
    let mut measurements = Vec::new();
    let mut benchmarks = 0;
    let mut lines = Lines::new(reader);
    while let Some((number, line)) = lines.next_line()? {
        if line.trim().is_empty() {
            continue;
        }
        let at = |message: String| Error::At(Located { line: number, column: 1, message });
        let parsed: Line =
            serde_json::from_str(line).map_err(|error| Error::At(Located::from_json(&error, number, 1)))?;
        if CARGO_REASONS.contains(&parsed.reason.as_str()) {
            return Err(Error::Refused(CARGO.to_owned()));
        }
        if parsed.reason != "benchmark-complete" {
            continue;
        }
        benchmarks += 1;
        let id = parsed.id.ok_or_else(|| at("a benchmark-complete line without `id`".into()))?;
        let unit = match parsed.unit.as_deref() {
            Some("ns") | None => Unit::Ns,
            Some(other) => return Err(at(format!("measurement unit {other:?}: perfbudget reads wall time in ns"))),
        };
        let subject = Subject::from([("id", id.as_str())]);
        let (Some(typical), Some(mean), Some(median)) = (parsed.typical, parsed.mean, parsed.median) else {
            return Err(at(format!("benchmark `{id}` lacks typical, mean or median")));
        };
        for (stat, estimate) in [("typical", &typical), ("mean", &mean), ("median", &median)] {
            if [estimate.estimate, estimate.lower_bound, estimate.upper_bound]
                .iter()
                .any(|v| !v.is_finite() || *v < 0.0)
            {
                return Err(at(format!("benchmark `{id}`: the {stat} estimate is not a time")));
            }
            measurements.push(bench("bench_time", stat, &subject, estimate, unit));
        }
        for throughput in &parsed.throughput {
            if typical.estimate <= 0.0 || typical.lower_bound <= 0.0 {
                continue;
            }
            let stat = if throughput.unit == "elements" { "elements" } else { "bytes" };
            let rate = |ns: f64| throughput.per_iteration * 1e9 / ns;
            let mut m = bench("bench_throughput", stat, &subject, &typical, Unit::PerSecond);
            (m.value, m.lower, m.upper) =
                (Some(rate(typical.estimate)), Some(rate(typical.upper_bound)), Some(rate(typical.lower_bound)));
            measurements.push(m);
        }
        if let Some(change) = parsed.change {
            measurements.push(bench("criterion_change", "mean", &subject, &change.mean, Unit::Number));
        }
    }
    if benchmarks == 0 {
        return Err(Error::At(Located { line: 1, column: 1, message: "no `benchmark-complete` line".into() }));
    }
    Ok(measurements)
}

fn bench(metric: &str, stat: &str, subject: &Subject, estimate: &Estimate, unit: Unit) -> Measurement {
    Measurement::new("cargo-criterion", metric, Some(stat), subject.clone(), estimate.estimate, unit)
        .with_interval(estimate.lower_bound, estimate.upper_bound)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(path: &str) -> std::fs::File {
        std::fs::File::open(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/criterion/generated").join(path))
            .unwrap()
    }

    #[test]
    fn every_benchmark_line_with_its_intervals_and_change() {
        let measurements = parse(std::io::BufReader::new(fixture("cargo-criterion-run2.ndjson"))).unwrap();
        let typical: Vec<&Measurement> =
            measurements.iter().filter(|m| m.metric == "bench_time" && m.stat.as_deref() == Some("typical")).collect();
        assert_eq!(typical.len(), 7, "all seven benchmarks, not only the first");
        let fib = typical.iter().find(|m| m.subject.get("id") == Some("fib 30")).unwrap();
        assert_eq!(
            (fib.value, fib.lower, fib.upper),
            (Some(518.1442520103675), Some(517.8796397067408), Some(518.4826500061425))
        );
        let change = measurements
            .iter()
            .find(|m| m.metric == "criterion_change" && m.subject.get("id") == Some("fib 30"))
            .unwrap();
        assert!(change.value.unwrap() > 0.9 && change.value.unwrap() < 1.1, "a ratio, not a percentage");
        assert!(measurements.iter().any(|m| m.metric == "bench_throughput" && m.stat.as_deref() == Some("bytes")));
    }

    #[test]
    fn truncated_lines_and_cargo_messages_are_errors() {
        let text = "{\"reason\":\"benchmark-complete\",\"id\":\"a\",\"unit\":\"ns\",\"typical\":{\"estimate\":1,\n";
        match parse(text.as_bytes()) {
            Err(Error::At(located)) => {
                assert_eq!(located.line, 1);
                assert!(located.message.contains("EOF while parsing"), "{}", located.message);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            parse(std::io::BufReader::new(fixture("cargo-bench-message-format-json.ndjson"))),
            Err(Error::Refused(message)) if message == CARGO
        ));
        let build = Head::new(b"{\"reason\":\"compiler-artifact\",\"package_id\":\"x\"}".to_vec());
        assert_eq!(CargoCriterion.detect(&build), Detection::No);
        assert_eq!(CargoCriterion.near_miss(Path::new("build.json"), &build).as_deref(), Some(CARGO));
        let mut endless = b"{\"reason\":\"group-complete\"}\n".to_vec();
        endless.resize(endless.len() + crate::ingest::lines::MAX_LINE_BYTES + 1, b' ');
        assert!(matches!(parse(endless.as_slice()), Err(Error::Line { line: 2, .. })));
        match parse("{\"reason\":\"group-complete\",\"group_name\":\"g\",\"benchmarks\":[]}\n".as_bytes()) {
            Err(Error::At(located)) => assert_eq!(located.message, "no `benchmark-complete` line"),
            other => panic!("{other:?}"),
        }
    }
}
