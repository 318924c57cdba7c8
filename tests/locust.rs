//! Locust's `--csv` `_stats.csv` against Locust's own numbers (Locust 2.47.0, see
//! tests/fixtures/locust/README.md): every number read equals the one Locust wrote, per
//! request and for the Aggregated row; budgets on them give the right verdicts through the
//! binary; bad input is an error naming its line, and a run that measured nothing is red.

#![allow(clippy::unwrap_used)] // test setup: a failure should stop the test

use std::path::{Path, PathBuf};

mod common;

use perfbudget::ingest::{self, Measurement};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/locust").join(name)
}

const RUNS: &[&str] = &["api_stats.csv", "refused_stats.csv", "idle_stats.csv"];

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
    assert_eq!((compared, equal), (8 * 18 + 18, 8 * 18 + 18));
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
    // The history is a near miss that names _stats.csv.
    let history = std::fs::read_to_string(fixture("api_stats_history.csv")).unwrap();
    let (path, stderr) = run_on("run_stats_history.csv", &history);
    assert!(stderr.starts_with(&format!("error: {path}: this is Locust's _stats_history.csv")), "{stderr}");
    assert!(stderr.contains("PREFIX_stats.csv"), "{stderr}");
}
