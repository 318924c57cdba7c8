//! Locust's `--csv` files and `--json` output against Locust's own numbers (Locust 2.47.0,
//! see tests/fixtures/locust/README.md): every number read from `_stats.csv` equals the one
//! Locust wrote, per request and for the Aggregated row; the `--json` of the same run gives
//! the same numbers by Locust's bucket rules; `_stats_history.csv` and `_failures.csv` are
//! read as written; budgets on them give the right verdicts through the binary; bad input is
//! an error naming its line, and a run that measured nothing is red.

#![allow(clippy::unwrap_used)] // test setup: a failure should stop the test

use std::path::{Path, PathBuf};

mod common;

use perfbudget::ingest::{self, Measurement};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/locust").join(name)
}

const RUNS: &[&str] = &["api_stats.csv", "refused_stats.csv", "idle_stats.csv", "both_stats.csv"];

/// Locust's CSV as rows of cells (its fixtures hold no quoted commas).
fn cells(name: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(fixture(name)).unwrap();
    let mut lines = text.lines().map(|line| line.split(',').map(str::to_owned).collect::<Vec<_>>());
    (lines.next().unwrap(), lines.collect())
}

fn find<'m>(measurements: &'m [Measurement], row: &[String], metric: &str, stat: &str) -> &'m Measurement {
    let found: Vec<&Measurement> = measurements
        .iter()
        .filter(|m| m.metric == metric && m.stat.as_deref() == Some(stat))
        .filter(|m| match row[0].is_empty() {
            true => m.subject.is_empty(),
            false => m.subject.get("name") == Some(row[1].as_str()) && m.subject.get("method") == Some(row[0].as_str()),
        })
        .collect();
    assert_eq!(found.len(), 1, "{row:?} {metric} {stat}: {found:?}");
    found[0]
}

#[test]
fn every_number_equals_locusts_csv() {
    let (mut compared, mut equal) = (0, 0);
    for name in RUNS {
        let measurements = ingest::read_input(&fixture(name), None).unwrap();
        assert!(measurements.iter().all(|m| m.source == "locust"));
        let (header, rows) = cells(name);
        let column =
            |row: &Vec<String>, title: &str| -> String { row[header.iter().position(|h| h == title).unwrap()].clone() };
        // 4 latency stats + 11 percentiles + 2 request counts + the error rate, per row.
        assert_eq!(measurements.len(), rows.len() * 18, "{name}");
        for row in &rows {
            let requests: f64 = column(row, "Request Count").parse().unwrap();
            let failures: f64 = column(row, "Failure Count").parse().unwrap();
            // Latency is no data when nothing was measured or every request failed.
            let measured = requests > 0.0 && failures < requests;
            let mut latency = vec![
                ("med", "Median Response Time"),
                ("avg", "Average Response Time"),
                ("min", "Min Response Time"),
                ("max", "Max Response Time"),
            ];
            let percentiles: Vec<(String, String)> =
                header.iter().filter_map(|h| h.strip_suffix('%').map(|n| (format!("p({n})"), h.clone()))).collect();
            assert_eq!(percentiles.len(), 11);
            latency.extend(percentiles.iter().map(|(stat, title)| (stat.as_str(), title.as_str())));
            let mut check = |ours: &Measurement, theirs: Option<f64>| {
                compared += 1;
                assert_eq!(ours.value.map(f64::to_bits), theirs.map(f64::to_bits), "{name} {row:?} {ours:?}");
                assert_eq!(ours.value.is_none(), ours.no_data.is_some());
                equal += 1;
            };
            for (stat, title) in latency {
                let ours = find(&measurements, row, "http_req_duration", stat);
                assert_eq!(ours.unit.as_str(), "ms");
                let cell = column(row, title);
                let theirs = (measured && cell != "N/A").then(|| cell.parse().unwrap());
                check(ours, theirs);
            }
            check(find(&measurements, row, "http_reqs", "count"), Some(requests));
            check(find(&measurements, row, "http_reqs", "rate"), Some(column(row, "Requests/s").parse().unwrap()));
            let failed = find(&measurements, row, "http_req_failed", "rate");
            check(failed, (requests > 0.0).then(|| failures / requests));
        }
    }
    // 4 + 4 + 1 + 4 rows of 18 numbers each.
    assert_eq!((compared, equal), (13 * 18, 13 * 18));
    println!("Locust _stats.csv: {compared} numbers compared, {equal} equal");
}

fn check(name: &str, budget: &str) -> (common::Run, serde_json::Value) {
    common::check_report(&fixture(name), budget)
}

/// Each check of a report on the subject of this `name` (`None`: the whole run, the
/// Aggregated row): (metric, verdict, value, message).
fn verdicts(report: &serde_json::Value, name: Option<&str>) -> Vec<common::ReportCheck> {
    common::report_checks(report, "metric", &|subject| subject["name"].as_str() == name)
}

#[test]
fn budgets_on_the_run_and_one_request_through_the_binary() {
    // Without tags, a limit reads every row: the Aggregated row is the whole run (95% 73 ms,
    // 7 failures of 255, 63.8 requests/s), and /api/flaky (95% 120 ms, 7 of 59 failed)
    // is red on its own.
    let (run, report) = check("api_stats.csv", "limits:\n  api_p95: 100ms\n  error_rate: 5%\n  throughput: 50/s\n");
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let flaky = verdicts(&report, Some("/api/flaky"));
    assert_eq!((flaky[0].1.as_str(), flaky[0].2), ("red", Some(120.0)));
    assert_eq!((flaky[1].1.as_str(), flaky[1].2), ("red", Some(7.0 / 59.0)));
    let checks = verdicts(&report, None);
    assert_eq!(checks.len(), 3, "{checks:?}");
    assert_eq!(checks[0].2, Some(73.0));
    assert_eq!(checks[1].2, Some(7.0 / 255.0));
    assert_eq!(checks[2].2, Some(63.83842975542044));
    assert!(checks.iter().all(|check| check.1 == "green"), "{checks:?}");

    let (run, report) = check("api_stats.csv", "limits:\n  error_rate: 1%\n");
    assert_eq!(run.code, 1);
    assert_eq!(verdicts(&report, None)[0].1, "red");

    // One request by its name: GET /api/users, 95% 71 ms, no failure, 32.3 requests/s.
    let budget = "budgets:\n  - { metric: api_p95, tags: { name: /api/users }, max: 70ms }\n  \
                  - { metric: error_rate, tags: { name: /api/users }, max: 1% }\n  \
                  - { metric: throughput, tags: { name: /api/users }, min: 20/s }\n";
    let (run, report) = check("api_stats.csv", budget);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(verdicts(&report, None).len(), 0, "a tagged budget reads only its request");
    let checks = verdicts(&report, Some("/api/users"));
    assert_eq!((checks[0].1.as_str(), checks[0].2), ("red", Some(71.0)));
    assert_eq!((checks[1].1.as_str(), checks[1].2), ("green", Some(0.0)));
    assert_eq!((checks[2].1.as_str(), checks[2].2), ("green", Some(32.294735052742105)));
}

#[test]
fn a_run_that_measured_nothing_is_red_no_data_never_0_ms() {
    // Every request to a closed port failed: the latencies are times to fail.
    let (run, report) = check("refused_stats.csv", "limits:\n  api_p95: 100ms\n  api_max: 100ms\n  error_rate: 1%\n");
    assert_eq!(run.code, 1);
    let checks = verdicts(&report, None);
    for check in &checks[..2] {
        assert_eq!((check.1.as_str(), check.2), ("red", None), "{check:?}");
        assert!(check.3.starts_with("no data: every request failed (361 of 361)"), "{}", check.3);
    }
    assert_eq!((checks[2].1.as_str(), checks[2].2), ("red", Some(1.0)));
    // No request at all: Locust's 0 and N/A are no data, and so is the error rate.
    let (run, report) = check("idle_stats.csv", "limits:\n  api_p95: 100ms\n  api_avg: 100ms\n  error_rate: 1%\n");
    assert_eq!(run.code, 1);
    let checks = verdicts(&report, None);
    assert!(checks.iter().all(|check| check.1 == "red" && check.2.is_none()), "{checks:?}");
    assert!(checks[0].3.contains("Locust recorded no request"), "{}", checks[0].3);
}

#[test]
fn bad_input_exits_2_naming_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("perfbudget.yml"), "version: 1\nlimits:\n  api_p95: 100ms\n").unwrap();
    let run_on = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let run = common::perfbudget(dir.path(), &["check", path.to_str().unwrap()]);
        assert_eq!(run.code, 2, "{name}: {}{}", run.stdout, run.stderr);
        (path.display().to_string(), run.stderr)
    };
    let whole = std::fs::read_to_string(fixture("api_stats.csv")).unwrap();
    // Cut inside the third row.
    let cut = whole.match_indices('\n').nth(2).unwrap().0 + 20;
    let (path, stderr) = run_on("cut_stats.csv", &whole[..cut]);
    assert!(stderr.starts_with(&format!("error: {path}:4: a row of ")), "{stderr}");
    assert!(stderr.contains("truncated?"), "{stderr}");
    // Cut after a whole row: the Aggregated row is missing.
    let cut = whole.match_indices('\n').nth(3).unwrap().0 + 1;
    let (path, stderr) = run_on("short_stats.csv", &whole[..cut]);
    assert!(stderr.starts_with(&format!("error: {path}:5: the file ends before Locust's Aggregated row")), "{stderr}");
    // The exceptions are a near miss that names _stats.csv.
    let exceptions = std::fs::read_to_string(fixture("api_exceptions.csv")).unwrap();
    let (path, stderr) = run_on("run_exceptions.csv", &exceptions);
    assert!(stderr.starts_with(&format!("error: {path}: this is Locust's _exceptions.csv")), "{stderr}");
    assert!(stderr.contains("PREFIX_stats.csv"), "{stderr}");
    // --json cut short, and an empty list (what --json leaves beside --json-file).
    let json = std::fs::read_to_string(fixture("both.json")).unwrap();
    let (path, stderr) = run_on("cut.json", &json[..json.len() / 2]);
    assert!(stderr.starts_with(&format!("error: {path}:")) && stderr.contains("truncated?"), "{stderr}");
    // `[]` names no tool: it reads as an empty list of measurements, and the budget is red.
    std::fs::write(dir.path().join("empty.json"), "[]\n").unwrap();
    let run = common::perfbudget(dir.path(), &["check", "empty.json"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("red") && run.stdout.contains("no data"), "{}", run.stdout);
}

/// (metric, stat, subject as JSON) of a measurement, to pair the numbers of two files.
fn key(m: &Measurement) -> (String, String, String) {
    (m.metric.clone(), m.stat.clone().unwrap_or_default(), serde_json::to_string(&m.subject).unwrap())
}

#[test]
fn the_json_of_a_run_gives_its_csvs_numbers() {
    // One run written both ways (`--csv both --json > both.json`, tests/fixtures/locust/README.md),
    // its users quiet for the last 3 s so that the last _stats.csv write holds every request.
    let from_json = ingest::read_input(&fixture("both.json"), None).unwrap();
    let from_csv = ingest::read_input(&fixture("both_stats.csv"), None).unwrap();
    assert!(from_json.iter().all(|m| m.source == "locust"));
    assert_eq!(from_json.len(), from_csv.len());
    let csv: std::collections::HashMap<_, _> = from_csv.iter().map(|m| (key(m), m)).collect();
    let mut parity = common::Parity::new("Locust");
    let mut rates = 0;
    for ours in &from_json {
        let theirs = csv.get(&key(ours)).unwrap_or_else(|| panic!("{:?} is not in _stats.csv", key(ours)));
        assert_eq!(ours.unit, theirs.unit);
        if ours.metric == "http_reqs" && ours.stat.as_deref() == Some("rate") {
            // The JSON has no run start, only each request's first: the span it gives is
            // shorter than Locust's by the time to the first request, so the rate is a
            // little higher (0.86% on this run), never lower.
            let (ours, theirs) = (ours.value.unwrap(), theirs.value.unwrap());
            assert!(ours > theirs && ours < theirs * 1.01, "{ours} against {theirs}");
            rates += 1;
            continue;
        }
        parity.check("both.json", format!("{:?}", key(ours)), ours.value, theirs.value);
        assert_eq!(ours.samples, theirs.samples);
    }
    // 4 subjects (3 requests and the run) of 18 numbers: 17 equal, the rate within 1%.
    assert_eq!((parity.compared, rates), (4 * 17, 4));
    println!("Locust --json against _stats.csv: {} numbers equal, {rates} rates within 1%", parity.compared);
}

#[test]
fn every_history_number_is_the_one_locust_wrote() {
    let (header, rows) = cells("both_stats_history.csv");
    let measurements = ingest::read_input(&fixture("both_stats_history.csv"), None).unwrap();
    let column = |row: &Vec<String>, title: &str| row[header.iter().position(|h| h == title).unwrap()].clone();
    let mut parity = common::Parity::new("Locust");
    let mut read_rows = 0;
    // Each second's `period` tag, paired in time order with the seconds that have one.
    let mut stamps: Vec<&str> = measurements.iter().filter_map(|m| m.subject.get("period")).collect();
    stamps.sort();
    stamps.dedup();
    assert_eq!(stamps[0], "2026-12-01T16:46:34Z", "the Timestamp 1796143594 of the first row with a window");
    let mut seconds: Vec<&str> = Vec::new();
    for row in &rows {
        let stamp = match seconds.iter().position(|second| *second == row[0]) {
            Some(at) => at,
            None => {
                seconds.push(&row[0]);
                seconds.len() - 1
            }
        };
        // The first two seconds (1796143592 with no request, 1796143593 with no window)
        // give nothing.
        let stamp = stamp.checked_sub(2).map_or("", |at| stamps[at]);
        let of_row: Vec<&Measurement> = measurements
            .iter()
            .filter(|m| m.subject.get("period") == Some(stamp))
            .filter(|m| match row[2].is_empty() {
                true => m.subject.get("name").is_none(),
                false => m.subject.get("name") == Some(row[3].as_str()) && m.subject.get("method") == Some(&row[2]),
            })
            .collect();
        let total: f64 = column(row, "Total Request Count").parse().unwrap();
        let per_second: f64 = column(row, "Requests/s").parse().unwrap();
        let percentiles: Vec<&String> = header.iter().filter(|h| h.ends_with('%')).collect();
        let windowed = percentiles.iter().any(|title| column(row, title).parse::<f64>().is_ok_and(|v| v > 0.0));
        let expected = match total > 0.0 {
            true => usize::from(windowed) * percentiles.len() + if per_second > 0.0 { 2 } else { 0 },
            false => 0,
        };
        assert_eq!(of_row.len(), expected, "{row:?}: {of_row:?}");
        read_rows += usize::from(expected > 0);
        for m in of_row {
            let theirs = match (m.metric.as_str(), m.stat.as_deref().unwrap()) {
                ("http_reqs", "rate") => per_second,
                ("http_req_failed", "rate") => column(row, "Failures/s").parse::<f64>().unwrap() / per_second,
                (_, stat) => column(row, &format!("{}%", &stat[2..stat.len() - 1])).parse().unwrap(),
            };
            parity.check("both_stats_history.csv", format!("{row:?} {:?}", m.stat), m.value, Some(theirs));
        }
    }
    // 24 rows: 1 before any request, 4 without a window (every percentile 0), 19 read.
    assert_eq!((rows.len(), read_rows), (25, 20));
    println!("Locust _stats_history.csv: {} numbers compared, all equal", parity.compared);
}

#[test]
fn a_budget_reads_periods_only_when_it_selects_them() {
    let dir = tempfile::tempdir().unwrap();
    let budget = "version: 1\ninputs: [both_stats.csv, both_stats_history.csv, both_failures.csv]\n\
                  limits:\n  api_p95: 100ms\n  error_rate: 20%\n";
    for name in ["both_stats.csv", "both_stats_history.csv", "both_failures.csv"] {
        std::fs::copy(fixture(name), dir.path().join(name)).unwrap();
    }
    std::fs::write(dir.path().join("perfbudget.yml"), budget).unwrap();
    let run = common::perfbudget(dir.path(), &["check", "--json", "report.json"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("report.json")).unwrap()).unwrap();
    let checks = report["checks"].as_array().unwrap();
    // As from _stats.csv alone: the run and 3 requests, twice.
    assert_eq!(checks.len(), 8, "{checks:?}");
    assert!(checks.iter().all(|check| check["subject"].get("period").is_none()));
    assert!(checks.iter().all(|check| check["origins"].to_string().contains("both_stats.csv")));

    // Each second's window of one request: POST /api/orders' 95% column of its 5 rows with a
    // window (60 ms each), against 55 ms: every window is red, the whole run (60 ms) too.
    let budget = "budgets:\n  - { metric: api_p95, tags: { period: \"*\", name: /api/orders }, max: 55ms }\n";
    let (run, report) = check("both_stats_history.csv", budget);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let rows = common::report_checks(&report, "metric", &|_| true);
    assert_eq!(rows.iter().map(|row| (row.1.as_str(), row.2)).collect::<Vec<_>>(), [("red", Some(60.0)); 5]);

    // A failures count per error.
    let budget = "budgets:\n  - { metric: k6, k6_metric: http_req_failed, stat: count, tags: { error: \"HTTPError*\" }, max: 5 }\n";
    let (run, report) = check("both_failures.csv", budget);
    let rows = common::report_checks(&report, "metric", &|_| true);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!((rows.len(), rows[0].1.as_str(), rows[0].2), (1, "red", Some(10.0)), "{rows:?}");
}
