//! autocannon's `--json` results against autocannon's own numbers (autocannon 9.0.0, see
//! tests/fixtures/autocannon/README.md): every number read equals the one autocannon wrote,
//! and the run printed both ways matches autocannon's text table too; budgets on them give
//! the right verdicts through the binary.

#![allow(clippy::unwrap_used)] // test setup: a failure should stop the test

use std::path::{Path, PathBuf};

mod common;

use perfbudget::ingest::{self, Measurement};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/autocannon").join(name)
}

/// Every run recorded as JSON.
const RUNS: &[&str] =
    &["plain.json", "both.json", "flaky.json", "timeouts.json", "refused.json", "workers.json", "rate-limited.json"];

fn read(name: &str) -> Vec<Measurement> {
    ingest::read_input(&fixture(name), None).unwrap()
}

fn json(name: &str) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(fixture(name)).unwrap()).unwrap()
}

fn find<'m>(measurements: &'m [Measurement], metric: &str, stat: &str) -> &'m Measurement {
    let found: Vec<&Measurement> =
        measurements.iter().filter(|m| m.metric == metric && m.stat.as_deref() == Some(stat)).collect();
    assert_eq!(found.len(), 1, "{metric} {stat}: {found:?}");
    found[0]
}

/// `p97_5` as the canonical `p(97.5)`.
fn canonical(key: &str) -> Option<String> {
    match key {
        "mean" => Some("avg".into()),
        "min" | "max" => Some(key.into()),
        _ if key.starts_with('p') && key[1..].bytes().all(|b| b.is_ascii_digit() || b == b'_') => {
            Some(format!("p({})", key[1..].replace('_', ".")))
        }
        _ => None,
    }
}

#[test]
fn every_number_equals_autocannons_json() {
    let mut parity = common::Parity::new("autocannon");
    for name in RUNS {
        let measurements = read(name);
        let run = json(name);
        assert!(measurements.iter().all(|m| m.source == "autocannon"));
        // The run is one subject: its URL, and its title where it has one.
        let url = run["url"].as_str().unwrap();
        for m in &measurements {
            assert_eq!(m.subject.get("url"), Some(url), "{name}");
            assert_eq!(m.subject.get("title"), run["title"].as_str(), "{name}");
        }
        let latency = run["latency"].as_object().unwrap();
        let responded = latency["totalCount"].as_f64().unwrap() > 0.0;
        let mut emitted = 0;
        for (key, value) in latency {
            let Some(stat) = canonical(key) else { continue };
            let ours = find(&measurements, "http_req_duration", &stat);
            assert_eq!(ours.unit.as_str(), "ms");
            emitted += 1;
            if responded {
                parity.check(name, format!("latency.{key}"), ours.value, value.as_f64());
            } else {
                // autocannon writes zeros for a run that measured nothing: no data, never 0 ms.
                assert_eq!(value.as_f64(), Some(0.0), "{name}: {key}");
                assert_eq!(ours.value, None, "{name}: {key}");
                assert!(ours.no_data.as_deref().unwrap().contains("recorded no latency"), "{name}");
                parity.check(name, format!("latency.{key} is no data"), ours.value, None);
            }
        }
        // p0_001 to p99_999, mean, min and max.
        assert_eq!(emitted, 18, "{name}");
        let requests = &run["requests"];
        assert_eq!(run["sampleInt"].as_f64(), Some(1000.0));
        parity.check(
            name,
            "requests.average",
            find(&measurements, "http_reqs", "rate").value,
            requests["average"].as_f64(),
        );
        parity.check(
            name,
            "requests.total",
            find(&measurements, "http_reqs", "count").value,
            requests["total"].as_f64(),
        );
        // The error rule: non-2xx responses and requests without one, over all requests.
        let (non2xx, errors, total) =
            (run["non2xx"].as_f64().unwrap(), run["errors"].as_f64().unwrap(), requests["total"].as_f64().unwrap());
        let codes: f64 = run["statusCodeStats"]
            .as_object()
            .unwrap()
            .iter()
            .filter(|(code, _)| !code.starts_with('2'))
            .map(|(_, stats)| stats["count"].as_f64().unwrap())
            .sum();
        assert_eq!(codes, non2xx, "{name}: non2xx is the non-2xx status codes");
        let rule = (non2xx + errors) / (total + errors);
        parity.check(
            name,
            "(non2xx + errors) / (total + errors)",
            find(&measurements, "http_req_failed", "rate").value,
            Some(rule),
        );
        assert_eq!(measurements.len(), emitted + 3, "{name}: nothing else is emitted");
    }
    println!("autocannon: {} numbers compared, all equal", parity.compared);
    assert_eq!(parity.compared, RUNS.len() * 21);
}

#[test]
fn the_failures_are_what_the_runs_did() {
    let rate = |name: &str| find(&read(name), "http_req_failed", "rate").value;
    // Every 8th request to /api/flaky answers 500.
    assert_eq!(rate("flaky.json"), Some(250.0 / 2000.0));
    // Every 4th request outlived the 1 s time-out: 8 errors beside 36 responses, all 200.
    assert_eq!(
        (json("timeouts.json")["timeouts"].as_f64(), json("timeouts.json")["non2xx"].as_f64()),
        (Some(8.0), Some(0.0))
    );
    assert_eq!(rate("timeouts.json"), Some(8.0 / 44.0));
    // A closed port: every request is a socket error.
    assert_eq!(rate("refused.json"), Some(1.0));
    assert_eq!(rate("plain.json"), Some(0.0));
    // Two workers' results are merged by autocannon into one, read like any other.
    assert_eq!(json("workers.json")["workers"], 2);
    assert_eq!(find(&read("workers.json"), "http_reqs", "count").value, Some(739.0));
}

/// The cells of the row of a box-drawn table that starts with `label`.
fn row<'t>(table: &'t str, label: &str) -> Vec<&'t str> {
    let line = table.lines().find(|line| line.starts_with(&format!("│ {label} "))).unwrap();
    line.split('│').map(str::trim).filter(|cell| !cell.is_empty()).skip(1).collect()
}

#[test]
fn the_same_run_matches_autocannons_text_table() {
    let table = std::fs::read_to_string(fixture("both-table.txt")).unwrap();
    let measurements = read("both.json");
    let value = |metric: &str, stat: &str| find(&measurements, metric, stat).value.unwrap();
    let mut compared = 0;
    let header = row(&table, "Stat");
    assert_eq!(header, ["2.5%", "50%", "97.5%", "99%", "Avg", "Stdev", "Max"]);
    for (cell, stat) in row(&table, "Latency").iter().zip(["p(2.5)", "p(50)", "p(97.5)", "p(99)", "avg", "", "max"]) {
        if stat.is_empty() {
            continue; // the standard deviation, which no budget reads
        }
        let number: f64 = cell.strip_suffix(" ms").unwrap().parse().unwrap();
        assert_eq!(number, value("http_req_duration", stat), "{stat}");
        compared += 1;
    }
    // Req/Sec: 1%, 2.5%, 50%, 97.5%, Avg, Stdev, Min; counts with thousands separators.
    let average: f64 = row(&table, "Req/Sec")[4].replace(',', "").parse().unwrap();
    assert_eq!(average, value("http_reqs", "rate"));
    compared += 1;
    // The status codes table: every response was a 200.
    assert_eq!(row(&table, "200"), ["2000"]);
    assert_eq!(value("http_reqs", "count"), 2000.0);
    assert_eq!(value("http_req_failed", "rate"), 0.0);
    compared += 2;
    // The footer abbreviates the count: "2k requests in 2.01s".
    assert!(table.contains(&format!("{}k requests in", value("http_reqs", "count") / 1000.0)));
    println!("autocannon text table: {compared} numbers compared, {compared} equal");
}

/// Runs `check` on one fixture with a budget of these limits, and reads its JSON report.
fn check(name: &str, limits: &str) -> (common::Run, serde_json::Value) {
    common::check_report(&fixture(name), &format!("limits:\n{limits}"))
}

/// Each check of a report: metric -> (verdict, value, message).
fn verdicts(report: &serde_json::Value) -> Vec<common::ReportCheck> {
    common::report_checks(report, "metric", &|_| true)
}

fn verdict<'r>(checks: &'r [common::ReportCheck], metric: &str) -> &'r common::ReportCheck {
    checks.iter().find(|check| check.0 == metric).unwrap()
}

#[test]
fn budgets_on_a_run_through_the_binary() {
    // The limits without selectors read the run, as k6's overall metrics are read.
    let limits = "  api_p99: 100ms\n  api_avg: 10ms\n  error_rate: 1%\n  throughput: 500/s\n";
    let (run, report) = check("plain.json", limits);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let checks = verdicts(&report);
    assert_eq!(verdict(&checks, "api_p99").1, "green");
    assert_eq!(verdict(&checks, "api_p99").2, Some(13.0));
    assert_eq!(verdict(&checks, "api_avg").2, Some(6.21));
    assert_eq!(verdict(&checks, "error_rate").2, Some(0.0));
    assert_eq!(verdict(&checks, "throughput").2, Some(1490.0));
    assert!(checks.iter().all(|check| check.1 == "green"), "{checks:?}");

    // Every 8th request failed, and the flaky endpoint is slower on average.
    let (run, report) = check("flaky.json", limits);
    assert_eq!(run.code, 1);
    let checks = verdicts(&report);
    assert_eq!(verdict(&checks, "error_rate").1, "red");
    assert_eq!(verdict(&checks, "error_rate").2, Some(0.125));
    assert_eq!(verdict(&checks, "api_avg").1, "red");
    assert_eq!(verdict(&checks, "api_p99").1, "green");
    assert_eq!(verdict(&checks, "throughput").1, "green");
}

#[test]
fn a_p95_budget_is_red_and_names_the_percentiles_autocannon_has() {
    let (run, report) = check("plain.json", "  api_p95: 100ms\n");
    assert_eq!(run.code, 1);
    let checks = verdicts(&report);
    let (_, verdict, value, message) = verdict(&checks, "api_p95");
    assert_eq!((verdict.as_str(), *value), ("red", None));
    assert!(
        message.starts_with(
            "no measurement matched http_req_duration p(95); http_req_duration is there with avg, max, min"
        ),
        "{message}"
    );
    assert!(
        message.contains("autocannon reports no p95 (its percentiles nearest it are p(90) and p(97.5))"),
        "{message}"
    );
}

#[test]
fn a_run_without_responses_is_no_data_never_0_ms() {
    let (run, report) = check("refused.json", "  api_p99: 100ms\n  api_max: 100ms\n  error_rate: 1%\n");
    assert_eq!(run.code, 1);
    let checks = verdicts(&report);
    for metric in ["api_p99", "api_max"] {
        let (_, verdict, value, message) = verdict(&checks, metric);
        assert_eq!((verdict.as_str(), *value), ("red", None), "{metric}");
        assert!(
            message.starts_with("no data: autocannon recorded no latency (0 responses, 37688 socket errors"),
            "{message}"
        );
    }
    assert_eq!(verdict(&checks, "error_rate").2, Some(1.0));
    assert!(!run.stdout.contains(" 0 ms ┆"), "{}", run.stdout);
}

#[test]
fn a_rate_limited_run_is_read_with_a_note() {
    let (run, report) = check("rate-limited.json", "  api_p99: 100ms\n  error_rate: 1%\n");
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let checks = verdicts(&report);
    let (_, verdict, value, message) = verdict(&checks, "api_p99");
    assert_eq!((verdict.as_str(), *value), ("green", Some(42.0)));
    assert!(
        message.contains("autocannon ran rate-limited (-R): its histogram holds 4179 samples for 600 responses"),
        "{message}"
    );
    // Only latency is back-filled: the error rate counts responses.
    assert!(!verdict_message(&checks, "error_rate").contains("rate-limited"));
    // A run without a rate has no such note.
    let (_, report) = check("plain.json", "  api_p99: 100ms\n");
    assert!(!verdict_message(&verdicts(&report), "api_p99").contains("rate-limited"));
}

fn verdict_message<'r>(checks: &'r [(String, String, Option<f64>, String)], metric: &str) -> &'r str {
    &verdict(checks, metric).3
}

#[test]
fn bad_input_exits_2_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let budget = dir.path().join("perfbudget.yml");
    std::fs::write(&budget, "version: 1\nlimits:\n  api_p99: 100ms\n").unwrap();
    let run_on = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let run = common::perfbudget(dir.path(), &["check", path.to_str().unwrap()]);
        assert_eq!(run.code, 2, "{name}: {}{}", run.stdout, run.stderr);
        (path.display().to_string(), run.stderr)
    };
    // Truncated mid-object: the line and column where it ends.
    let whole = std::fs::read_to_string(fixture("plain.json")).unwrap();
    let (path, stderr) = run_on("truncated.json", &whole[..700]);
    assert!(stderr.starts_with(&format!("error: {path}:1:700: ")), "{stderr}");
    assert!(stderr.contains("truncated?"), "{stderr}");
    // The text table is not a format: the error says to write JSON.
    let (path, stderr) = run_on("table.txt", &std::fs::read_to_string(fixture("text-table.txt")).unwrap());
    assert!(stderr.starts_with(&format!("error: {path}: this is autocannon's text table")), "{stderr}");
    assert!(stderr.contains("autocannon --json URL"), "{stderr}");
    // A JSON object with a `latency` but none of autocannon's run keys is not claimed.
    let (path, stderr) = run_on("other.json", r#"{"latency": {"p99": 12}, "requests": 10, "throughput": 5}"#);
    assert!(stderr.starts_with(&format!("error: {path}: not an input perfbudget can read")), "{stderr}");
    // Forced as autocannon, a result without latency percentiles is refused, not read as zeros.
    let path = dir.path().join("no-percentiles.json");
    std::fs::write(&path, r#"{"errors":0,"non2xx":0,"latency":{"mean":3},"requests":{"average":1,"total":1}}"#)
        .unwrap();
    let run = common::perfbudget(dir.path(), &["check", "--input-format", "autocannon", path.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("`latency` has no p99"), "{}", run.stderr);
}

#[test]
fn init_proposes_budgets_from_a_run() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("plain.json"), dir.path().join("result.json")).unwrap();
    let run = common::perfbudget(dir.path(), &["init", "result.json"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.starts_with("wrote perfbudget.yml: 3 checks from 1 inputs"), "{}", run.stdout);
    let budget = std::fs::read_to_string(dir.path().join("perfbudget.yml")).unwrap();
    for line in ["api_p99: 16 ms              # worst today: 13 ms", "error_rate: 1%", "throughput: 1100/s"] {
        assert!(budget.contains(line), "{line}: {budget}");
    }
    // The proposed budget passes on the run it came from.
    assert_eq!(common::perfbudget(dir.path(), &["check"]).code, 0);
}

#[test]
fn init_on_a_run_that_reached_no_server_proposes_nothing_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("refused.json"), dir.path().join("result.json")).unwrap();
    let run = common::perfbudget(dir.path(), &["init", "result.json"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        run.stderr,
        "error: nothing in result.json can be budgeted from today's numbers (every metric is 0, 100% errors or no \
         data: did the run reach its server?); run it again, or write the limits yourself\n"
    );
    assert!(!dir.path().join("perfbudget.yml").exists(), "no budget is written");
}
