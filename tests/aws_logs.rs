//! CloudWatch EMF and Lambda reports (tests/fixtures/cloudwatch-emf, tests/fixtures/lambda):
//! every statistic perfbudget reads equals a recomputation here from the raw values of the
//! files, per series (namespace, dimension set, metric; function), never across dimension
//! sets; and broken lines are errors naming the file and line.

#![allow(clippy::unwrap_used, clippy::panic)] // test setup: a failure should stop the test

use std::collections::BTreeMap;
use std::path::PathBuf;

mod common;

use perfbudget::ingest::{self, Measurement, Subject};

fn fixture(path: &str) -> PathBuf {
    common::repo().join("tests/fixtures").join(path)
}

/// The statistics of raw values, computed independently of the reader: a percentile is the
/// value at 1-based rank ceil(p/100 * n) of the sorted values.
fn expected_stats(values: &[f64]) -> BTreeMap<String, f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = sorted.len();
    let rank = |p: f64| sorted[((p / 100.0 * n as f64).ceil() as usize).clamp(1, n) - 1];
    let sum: f64 = values.iter().sum();
    BTreeMap::from([
        ("count".to_owned(), n as f64),
        ("sum".to_owned(), sum),
        ("avg".to_owned(), sum / n as f64),
        ("min".to_owned(), sorted[0]),
        ("max".to_owned(), sorted[n - 1]),
        ("p(50)".to_owned(), rank(50.0)),
        ("p(90)".to_owned(), rank(90.0)),
        ("p(95)".to_owned(), rank(95.0)),
        ("p(99)".to_owned(), rank(99.0)),
    ])
}

/// Every (metric, subject) series of raw EMF values in a log, read here with serde_json
/// alone: each line's JSON object, each directive's dimension sets and metrics.
fn raw_emf(text: &str) -> BTreeMap<(String, Subject), Vec<f64>> {
    let mut series: BTreeMap<(String, Subject), Vec<f64>> = BTreeMap::new();
    for line in text.lines() {
        let Ok(document) = serde_json::from_str::<serde_json::Value>(line) else { continue };
        for directive in document["_aws"]["CloudWatchMetrics"].as_array().unwrap() {
            for set in directive["Dimensions"].as_array().unwrap() {
                let mut subject = Subject::from([("namespace", directive["Namespace"].as_str().unwrap())]);
                for key in set.as_array().unwrap() {
                    let key = key.as_str().unwrap();
                    subject.insert(key.to_owned(), document[key].as_str().unwrap().to_owned());
                }
                for metric in directive["Metrics"].as_array().unwrap() {
                    let name = metric["Name"].as_str().unwrap();
                    let scale = if metric["Unit"] == "Percent" { 0.01 } else { 1.0 };
                    let values = match &document[name] {
                        serde_json::Value::Array(values) => values.iter().map(|v| v.as_f64().unwrap()).collect(),
                        value => vec![value.as_f64().unwrap()],
                    };
                    let entry = series.entry((name.to_owned(), subject.clone())).or_default();
                    entry.extend(values.into_iter().map(|v| v * scale));
                }
            }
        }
    }
    series
}

/// The reader's statistics, by (metric, subject) and stat.
fn read_stats(measurements: &[Measurement]) -> BTreeMap<(String, Subject), BTreeMap<String, Option<f64>>> {
    let mut stats: BTreeMap<(String, Subject), BTreeMap<String, Option<f64>>> = BTreeMap::new();
    for m in measurements {
        stats.entry((m.metric.clone(), m.subject.clone())).or_default().insert(m.stat.clone().unwrap(), m.value);
    }
    stats
}

fn assert_equal(expected: &BTreeMap<String, f64>, got: &BTreeMap<String, Option<f64>>, what: &str) -> usize {
    let mut compared = 0;
    for (stat, value) in expected {
        match got.get(stat) {
            // The reader keeps no sum of shares.
            None if stat == "sum" => continue,
            Some(Some(got)) => {
                assert!((got - value).abs() <= 1e-9 * value.abs().max(1.0), "{what} {stat}: {got} != {value}");
            }
            other => panic!("{what} {stat}: {other:?}"),
        }
        compared += 1;
    }
    compared
}

#[test]
fn emf_statistics_equal_a_recomputation_from_the_raw_values() {
    let mut compared = 0;
    let mut series_count = 0;
    for file in ["cloudwatch-emf/generated/python.log", "cloudwatch-emf/generated/node.log"] {
        let path = fixture(file);
        let raw = raw_emf(&std::fs::read_to_string(&path).unwrap());
        let read = read_stats(&ingest::read_input(&path, None).unwrap());
        assert_eq!(read.keys().collect::<Vec<_>>(), raw.keys().collect::<Vec<_>>(), "{file}: the same series");
        for (key, values) in &raw {
            compared += assert_equal(&expected_stats(values), &read[key], &format!("{file} {key:?}"));
            series_count += 1;
        }
    }
    // Python: Latency and DbQueryTime in 2 sets of PutOrder/GetOrder plus `orders` (3
    // series each), the batch's DbQueryTime and RowsWritten; Node: 2 metrics x 2 operations.
    // 12 x 9 statistics, less the sums of the 2 Percent series.
    assert_eq!((series_count, compared), (12, 106));
}

#[test]
fn the_batch_split_over_lines_is_one_series_and_sets_are_never_pooled() {
    let measurements = ingest::read_input(&fixture("cloudwatch-emf/generated/python.log"), None).unwrap();
    let count = |subject: Subject| {
        measurements
            .iter()
            .find(|m| m.metric == "DbQueryTime" && m.stat.as_deref() == Some("count") && m.subject == subject)
            .unwrap()
            .value
    };
    // 250 values over three lines of at most 100.
    assert_eq!(count(Subject::from([("namespace", "Shop"), ("Service", "reports")])), Some(250.0));
    // 120 requests x 2 values in the `Service` set; its own set keeps them apart from the
    // `Service, Operation` sets (80 GetOrder + 40 PutOrder requests).
    assert_eq!(count(Subject::from([("namespace", "Shop"), ("Service", "orders")])), Some(240.0));
    let get = Subject::from([("namespace", "Shop"), ("Service", "orders"), ("Operation", "GetOrder")]);
    assert_eq!(count(get), Some(160.0));
}

/// Every Lambda report's (duration, billed, memory size, max memory used, init duration)
/// of a JSON-format log, read here with serde_json.
fn raw_platform_reports(text: &str) -> Vec<[Option<f64>; 5]> {
    text.lines()
        .map(|line| {
            let record: serde_json::Value = serde_json::from_str(line).unwrap();
            let metrics = &record["record"]["metrics"];
            ["durationMs", "billedDurationMs", "memorySizeMB", "maxMemoryUsedMB", "initDurationMs"]
                .map(|key| metrics[key].as_f64())
        })
        .collect()
}

/// The same of a text log's REPORT lines, by splitting each on `: ` and the unit words.
fn raw_report_lines(text: &str) -> Vec<[Option<f64>; 5]> {
    text.lines()
        .filter(|line| line.starts_with("REPORT "))
        .map(|line| {
            let field = |key: &str| {
                let at = line.find(&format!("\t{key}: ")).or_else(|| line.find(&format!(" {key}: ")))?;
                let rest = &line[at + key.len() + 3..];
                rest.split_whitespace().next()?.parse::<f64>().ok()
            };
            ["Duration", "Billed Duration", "Memory Size", "Max Memory Used", "Init Duration"].map(field)
        })
        .collect()
}

fn assert_lambda(file: &str, reports: &[[Option<f64>; 5]], subject: &Subject) -> usize {
    let read = read_stats(&ingest::read_input(&fixture(file), None).unwrap());
    let column = |i: usize| reports.iter().filter_map(|r| r[i]).collect::<Vec<f64>>();
    let mib = 1024.0 * 1024.0;
    let shares: Vec<f64> = reports.iter().filter_map(|r| Some(r[3]? / r[2]?)).collect();
    let mut compared = 0;
    for (metric, values) in [
        ("lambda_duration", column(0)),
        ("lambda_billed_duration", column(1)),
        ("lambda_max_memory_used", column(3).into_iter().map(|mb| mb * mib).collect()),
        ("lambda_memory_used_share", shares),
        ("lambda_init_duration", column(4)),
    ] {
        let got = &read[&(metric.to_owned(), subject.clone())];
        if values.is_empty() {
            assert!(got.values().all(Option::is_none), "{file} {metric}: no data");
            continue;
        }
        compared += assert_equal(&expected_stats(&values), got, &format!("{file} {metric}"));
    }
    let cold = column(4).len() as f64;
    let starts = &read[&("lambda_cold_starts".to_owned(), subject.clone())];
    assert_eq!((starts["count"], starts["rate"]), (Some(cold), Some(cold / reports.len() as f64)), "{file}");
    compared + 2
}

#[test]
fn lambda_statistics_equal_a_recomputation_from_the_raw_reports() {
    let platform = std::fs::read_to_string(fixture("lambda/public/datadog-test-platform-report.ndjson")).unwrap();
    let mut compared = assert_lambda(
        "lambda/public/datadog-test-platform-report.ndjson",
        &raw_platform_reports(&platform),
        &Subject::new(),
    );
    let lines = std::fs::read_to_string(fixture("lambda/report-lines.log")).unwrap();
    compared += assert_lambda("lambda/report-lines.log", &raw_report_lines(&lines), &Subject::new());
    // A subscription payload: the function is its log group's.
    let payload: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("lambda/public/datadog-cloudwatch_log_coldstart.json")).unwrap(),
    )
    .unwrap();
    let text: String = payload["logEvents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["message"].as_str().unwrap().replace("\\t", "\t").replace("\\n", "\n"))
        .collect();
    compared += assert_lambda(
        "lambda/public/datadog-cloudwatch_log_coldstart.json",
        &raw_report_lines(&text),
        &Subject::from([("function", "storms-cloudwatch-event")]),
    );
    assert_eq!(compared, 138);
}

#[test]
fn cold_start_reads_the_longest_init_duration() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("lambda/public/datadog-test-platform-report.ndjson");
    let budget = format!(
        "version: 1\ninputs: [{}]\nbudgets:\n  - {{ metric: cold_start, max: 1s }}\n  - {{ metric: lambda, lambda_metric: duration, stat: p(95), max: 1s }}\n",
        input.display()
    );
    std::fs::write(dir.path().join("perfbudget.yml"), budget).unwrap();
    let run = common::perfbudget(dir.path(), &["check", "--json", "report.json"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("report.json")).unwrap()).unwrap();
    let checks = report["checks"].as_array().unwrap();
    // Init durations 1234 and 985.413 ms: the longest is over 1 s.
    assert_eq!((checks[0]["value"].as_f64(), checks[0]["verdict"].as_str()), (Some(1234.0), Some("red")));
    // Durations 0.62, 0.81, 30000, 2.524 ms: the nearest-rank p95 of 4 is the 4th.
    assert_eq!((checks[1]["value"].as_f64(), checks[1]["verdict"].as_str()), (Some(30000.0), Some("red")));
}

#[test]
fn broken_lines_are_errors_naming_the_file_and_line() {
    let error = |file: &str| ingest::read_input(&fixture(file), None).unwrap_err().to_string();
    assert!(
        error("lambda/malformed-report.log").ends_with(
            "malformed-report.log:2: no `RequestId: ID` after `REPORT`: not a whole Lambda `REPORT RequestId: ... \
             Duration: N ms ...` line"
        ),
        "{}",
        error("lambda/malformed-report.log")
    );
    // AWS's own example is not JSON (a trailing comma).
    assert!(
        error("lambda/public/awsdocs-telemetry-platform.report-example.json.txt")
            .contains(".json.txt:13:5: trailing comma")
    );
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "cut.log",
            "{\"_aws\":{\"Timestamp\":1,\"CloudWatchMetrics\":[{\"Namespace\":\"N\",\"Metrics\":[{\"Name\":\"t\"}]}]},\"t\":1}\n{\"_aws\":{\"CloudWatchMetrics\":[{\"Names",
            "cut.log:2: an EMF document or platform.report record that is not whole JSON",
        ),
        (
            "novalue.log",
            "{\"_aws\":{\"Timestamp\":1,\"CloudWatchMetrics\":[{\"Namespace\":\"N\",\"Metrics\":[{\"Name\":\"t\"}]}]}}\n",
            "novalue.log:1: metric `t` (namespace `N`): the document has no value for it",
        ),
    ];
    for (name, text, expected) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let message = ingest::read_input(&path, None).unwrap_err().to_string();
        assert!(message.contains(expected), "{message}");
    }
}
