//! Artillery's `run --output` reports against Artillery's own numbers (Artillery 2.0.21, see
//! tests/fixtures/artillery/README.md): every number read from `aggregate` and from each
//! `intermediate` period equals the one Artillery wrote, overall and per endpoint; budgets on
//! them give the right verdicts through the binary, and a budget without `period` reads the
//! whole run only.

#![allow(clippy::unwrap_used)] // test setup: a failure should stop the test

use std::path::{Path, PathBuf};

mod common;

use perfbudget::ingest::{self, Measurement};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/artillery").join(name)
}

/// Every run recorded.
const RUNS: &[&str] = &["report.json", "refused.json", "timeouts.json", "periods.json"];

/// Artillery's summary keys and the canonical statistics they are read as.
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

const BY_ENDPOINT: &str = "plugins.metrics-by-endpoint.response_time.";

fn read(name: &str) -> Vec<Measurement> {
    ingest::read_input(&fixture(name), None).unwrap()
}

fn json(name: &str) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(fixture(name)).unwrap()).unwrap()
}

fn find<'m>(measurements: &'m [Measurement], metric: &str, stat: &str, name: Option<&str>) -> &'m Measurement {
    find_in(measurements, metric, stat, name, None)
}

/// The one measurement of a subject: the whole run (`period` `None`) or one period.
fn find_in<'m>(
    measurements: &'m [Measurement],
    metric: &str,
    stat: &str,
    name: Option<&str>,
    period: Option<&str>,
) -> &'m Measurement {
    let found: Vec<&Measurement> = measurements
        .iter()
        .filter(|m| m.metric == metric && m.stat.as_deref() == Some(stat) && m.subject.get("name") == name)
        .filter(|m| m.subject.get("period") == period)
        .collect();
    assert_eq!(found.len(), 1, "{metric} {stat} {name:?} {period:?}: {found:?}");
    found[0]
}

#[test]
fn every_number_equals_artillerys_json() {
    let mut parity = common::Parity::new("Artillery");
    let mut periods = 0;
    for name in RUNS {
        let measurements = read(name);
        assert!(measurements.iter().all(|m| m.source == "artillery"));
        let report = json(name);
        let mut emitted = compare_period(&mut parity, name, &measurements, &report["aggregate"], None);
        // The periods' stamps, in time order as Artillery writes its entries.
        let mut stamps: Vec<&str> = measurements.iter().filter_map(|m| m.subject.get("period")).collect();
        stamps.sort();
        stamps.dedup();
        let entries = report["intermediate"].as_array().unwrap();
        assert_eq!(stamps.len(), entries.len(), "{name}");
        for (entry, stamp) in entries.iter().zip(&stamps) {
            emitted += compare_period(&mut parity, name, &measurements, entry, Some(stamp));
            periods += 1;
        }
        assert_eq!(measurements.len(), emitted, "{name}: nothing else is emitted");
    }
    println!("artillery: {} numbers compared, all equal ({periods} intermediate periods)", parity.compared);
    // aggregate: report.json: 4 summaries of 10 statistics and a count, and 3 run numbers;
    // refused.json: 2 subjects of 10 no-data statistics, and 3 run numbers;
    // timeouts.json: 3 summaries of 10 statistics and a count, and 3 run numbers;
    // periods.json: 4 summaries of 10 statistics and a count, and 3 run numbers.
    // intermediate: each short run's one period is its aggregate again; periods.json has 4
    // periods of 4 summaries (11 numbers each) and 3 run numbers.
    let aggregates = 4 * 11 + 3 + 2 * 10 + 3 + 3 * 11 + 3 + 4 * 11 + 3;
    let intermediates = (4 * 11 + 3 + 2 * 10 + 3 + 3 * 11 + 3) + 4 * (4 * 11 + 3);
    assert_eq!((periods, parity.compared), (3 + 4, aggregates + intermediates));
}

/// Compares one period (`aggregate`, or an `intermediate` entry with its stamp) with what was
/// read for it; returns how many measurements it has.
fn compare_period(
    parity: &mut common::Parity,
    name: &str,
    measurements: &[Measurement],
    period: &serde_json::Value,
    stamp: Option<&str>,
) -> usize {
    let run = format!("{name} {}", stamp.unwrap_or("aggregate"));
    let find = |metric: &str, stat: &str, endpoint: Option<&str>| find_in(measurements, metric, stat, endpoint, stamp);
    let counters = period["counters"].as_object().unwrap();
    let summaries = period["summaries"].as_object().unwrap();
    // The whole run, and each endpoint the plugin counted.
    let mut subjects: Vec<(String, Option<String>)> = vec![("http.response_time".into(), None)];
    let mut endpoints: Vec<String> = counters
        .keys()
        .filter_map(|key| key.strip_prefix("plugins.metrics-by-endpoint."))
        .map(|rest| rest[..rest.rfind(".codes.").or_else(|| rest.rfind(".errors.")).unwrap()].to_owned())
        .collect();
    endpoints.sort();
    endpoints.dedup();
    subjects.extend(endpoints.into_iter().map(|endpoint| (format!("{BY_ENDPOINT}{endpoint}"), Some(endpoint))));
    let mut emitted = 0;
    for (key, endpoint) in &subjects {
        let summary = summaries.get(key);
        if let Some(summary) = summary {
            let ours = find("http_req_duration", "p(50)", endpoint.as_deref());
            parity.check(&run, format!("{key}.count"), ours.samples.map(|n| n as f64), summary["count"].as_f64());
        }
        for (artillery, stat) in STATS {
            let ours = find("http_req_duration", stat, endpoint.as_deref());
            assert_eq!(ours.unit.as_str(), "ms");
            emitted += 1;
            match summary {
                Some(summary) => {
                    parity.check(&run, format!("{key}.{artillery}"), ours.value, summary[artillery].as_f64());
                    assert_eq!(ours.samples, summary["count"].as_u64(), "{run} {key}");
                }
                None => {
                    // No response: Artillery writes no summary; no data, never 0 ms.
                    assert!(ours.no_data.as_deref().unwrap().contains("recorded no response time"), "{run}");
                    parity.check(&run, format!("{key}.{artillery} is no data"), ours.value, None);
                }
            }
        }
    }
    let requests = counters["http.requests"].as_f64().unwrap();
    parity.check(&run, "http.requests", find("http_reqs", "count", None).value, Some(requests));
    parity.check(
        &run,
        "http.request_rate",
        find("http_reqs", "rate", None).value,
        period["rates"]["http.request_rate"].as_f64(),
    );
    // The error rule: non-2xx responses and transport errors, over requests sent.
    let failed: f64 = counters
        .iter()
        .filter(|(key, _)| {
            key.strip_prefix("http.codes.").is_some_and(|code| !code.starts_with('2')) || key.starts_with("errors.")
        })
        .map(|(_, count)| count.as_f64().unwrap())
        .sum();
    parity.check(
        &run,
        "(non-2xx codes + errors) / http.requests",
        find("http_req_failed", "rate", None).value,
        Some(failed / requests),
    );
    emitted + 3
}

#[test]
fn the_failures_are_what_the_runs_did() {
    let rate = |name: &str| find(&read(name), "http_req_failed", "rate", None).value;
    // 25 requests to /api/flaky, every 8th answered 500: 3 of 75 requests.
    assert_eq!(rate("report.json"), Some(3.0 / 75.0));
    // A closed port: every request is ECONNREFUSED.
    assert_eq!(rate("refused.json"), Some(1.0));
    assert_eq!(json("refused.json")["aggregate"]["counters"]["errors.ECONNREFUSED"], 4);
    // Every 4th /api/stall outlived the 1 s time-out: 3 ETIMEDOUT beside 18 responses, all 200.
    assert_eq!(json("timeouts.json")["aggregate"]["counters"]["errors.ETIMEDOUT"], 3);
    assert_eq!(json("timeouts.json")["aggregate"]["counters"]["http.responses"], 18);
    assert_eq!(rate("timeouts.json"), Some(3.0 / 21.0));
}

fn check(name: &str, budget: &str) -> (common::Run, serde_json::Value) {
    common::check_report(&fixture(name), budget)
}

/// Each check of a report: (budget, verdict, value, message).
fn verdicts(report: &serde_json::Value) -> Vec<common::ReportCheck> {
    common::report_checks(report, "budget", &|_| true)
}

fn verdict<'r>(checks: &'r [common::ReportCheck], budget: &str) -> &'r common::ReportCheck {
    checks.iter().find(|check| check.0 == budget).expect(budget)
}

const BUDGETS: &str = "budgets:
  - { metric: api_p95, max: 100ms }
  - { metric: api_p95, tags: { name: \"/api/users\" }, max: 15ms }
  - { metric: api_p99, tags: { name: \"/api/orders\" }, max: 50ms }
  - { metric: error_rate, max: 5% }
  - { metric: throughput, min: 10/s }
";

#[test]
fn budgets_on_a_run_through_the_binary() {
    let (run, report) = check("report.json", BUDGETS);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let checks = verdicts(&report);
    // A budget without tags reads every subject: the whole run first, then each endpoint.
    let p95: Vec<Option<f64>> = checks.iter().filter(|check| check.0 == "api_p95").map(|check| check.2).collect();
    assert_eq!(p95, [Some(54.1), Some(23.8), Some(57.4), Some(18.0)], "{checks:?}");
    assert_eq!(checks.len(), 8, "{checks:?}");
    let is = |budget: &str, colour: &str, value: f64| {
        let (_, verdict, got, message) = verdict(&checks, budget);
        assert_eq!((verdict.as_str(), *got), (colour, Some(value)), "{budget}: {message}");
    };
    is("api_p95", "green", 54.1);
    is("api_p95 name=/api/users", "red", 18.0);
    is("api_p99 name=/api/orders", "red", 58.6);
    is("error_rate", "green", 0.04);
    is("throughput", "green", 16.0);

    // With limits that hold, the run passes.
    let (run, report) = check("report.json", "limits:\n  api_p95: 100ms\n  error_rate: 5%\n  throughput: 10/s\n");
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(verdicts(&report).iter().all(|check| check.1 == "green"));
}

#[test]
fn per_endpoint_rates_are_no_data_naming_what_artillery_reports() {
    let budget = "budgets:
  - { metric: error_rate, tags: { name: \"/api/users\" }, max: 5% }
  - { metric: throughput, tags: { name: \"/api/users\" }, min: 1/s }
";
    let (run, report) = check("report.json", budget);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    for (_, verdict, value, message) in verdicts(&report) {
        assert_eq!((verdict.as_str(), value), ("red", None), "{message}");
        assert!(message.starts_with("no measurement matched http_"), "{message}");
        assert!(
            message.contains("Artillery reports its request rate and error counts for the whole run only"),
            "{message}"
        );
    }
}

#[test]
fn a_run_without_responses_is_no_data_never_0_ms() {
    let budget = "budgets:
  - { metric: api_p95, max: 100ms }
  - { metric: api_max, tags: { name: \"/api/users\" }, max: 100ms }
  - { metric: error_rate, max: 1% }
";
    let (run, report) = check("refused.json", budget);
    assert_eq!(run.code, 1);
    let checks = verdicts(&report);
    let (_, colour, value, message) = verdict(&checks, "api_p95");
    assert_eq!((colour.as_str(), *value), ("red", None));
    assert!(
        message.starts_with(
            "no data: Artillery recorded no response time (4 requests, 0 responses, 4 errors: ECONNREFUSED 4)"
        ),
        "{message}"
    );
    let (_, colour, value, message) = verdict(&checks, "api_max name=/api/users");
    assert_eq!((colour.as_str(), *value), ("red", None));
    assert!(message.contains("no response time for /api/users (errors: ECONNREFUSED 4)"), "{message}");
    assert_eq!(verdict(&checks, "error_rate").2, Some(1.0));
    assert!(!run.stdout.contains(" 0 ms ┆"), "{}", run.stdout);
}

#[test]
fn bad_input_exits_2_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("perfbudget.yml"), "version: 1\nlimits:\n  api_p95: 100ms\n").unwrap();
    let run_on = |name: &str, text: &str, args: &[&str]| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let mut all = vec!["check"];
        all.extend(args);
        all.push(path.to_str().unwrap());
        let run = common::perfbudget(dir.path(), &all);
        assert_eq!(run.code, 2, "{name}: {}{}", run.stdout, run.stderr);
        (path.display().to_string(), run.stderr)
    };
    // Truncated mid-object: the line and column where it ends.
    let whole = std::fs::read_to_string(fixture("report.json")).unwrap();
    let cut = &whole[..600];
    let line = cut.lines().count();
    let column = cut.lines().last().unwrap().len();
    let (path, stderr) = run_on("truncated.json", cut, &[]);
    assert!(stderr.starts_with(&format!("error: {path}:{line}:{column}: ")), "{stderr}");
    assert!(stderr.contains("truncated?"), "{stderr}");
    // Forced as Artillery, a report without `aggregate` is refused, not read as zeros.
    let (path, stderr) = run_on("no-aggregate.json", r#"{"intermediate": []}"#, &["--input-format", "artillery"]);
    assert!(stderr.starts_with(&format!("error: {path}:")), "{stderr}");
    assert!(stderr.contains("missing field `aggregate`"), "{stderr}");
    // What `artillery run` prints is not a format: the error says to write the report.
    let (path, stderr) = run_on("stdout.txt", &std::fs::read_to_string(fixture("stdout.txt")).unwrap(), &[]);
    assert!(stderr.starts_with(&format!("error: {path}: this is what `artillery run` prints")), "{stderr}");
    assert!(stderr.contains("artillery run --output report.json"), "{stderr}");
    // A garbled counter is refused with its name.
    let garbled = r#"{"aggregate":{"counters":{"http.requests":"75"},"rates":{},"summaries":{},"firstCounterAt":1}}"#;
    let (_, stderr) = run_on("garbled.json", garbled, &[]);
    assert!(stderr.contains(r#"aggregate.counters["http.requests"] is "75", not a number"#), "{stderr}");
}

#[test]
fn init_proposes_budgets_from_a_run() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("report.json"), dir.path().join("report.json")).unwrap();
    let run = common::perfbudget(dir.path(), &["init", "report.json"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.starts_with("wrote perfbudget.yml: 4 checks from 1 inputs"), "{}", run.stdout);
    let budget = std::fs::read_to_string(dir.path().join("perfbudget.yml")).unwrap();
    // The worst p95 and p99 are /api/orders'; the error rate and throughput are the run's.
    for line in [
        "api_p95: 69 ms              # worst today: 57.4 ms",
        "api_p99: 71 ms              # worst today: 58.6 ms",
        "error_rate: 4.8%            # worst today: 4%",
        "throughput: 12/s            # a minimum; lowest today: 16/s",
    ] {
        assert!(budget.contains(line), "{line}: {budget}");
    }
    // The proposed budget passes on the run it came from.
    assert_eq!(common::perfbudget(dir.path(), &["check"]).code, 0);
}

#[test]
fn periods_are_tagged_with_their_start_and_read_only_when_selected() {
    let measurements = read("periods.json");
    let mut stamps: Vec<&str> = measurements.iter().filter_map(|m| m.subject.get("period")).collect();
    stamps.dedup();
    // intermediate[].period 1796143610000 … 1796143640000 (epoch ms), 10 s apart.
    assert_eq!(
        stamps,
        ["2026-12-01T16:46:50Z", "2026-12-01T16:47:00Z", "2026-12-01T16:47:10Z", "2026-12-01T16:47:20Z"]
    );
    // `measure` lists them, after the run's subjects.
    let run = common::perfbudget(&common::repo(), &["measure", fixture("periods.json").to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run_at = run.stdout.find("/api/users").unwrap();
    let last_period_at = run.stdout.find("period=2026-12-01T16:47:20Z");
    assert!(last_period_at.is_some_and(|at| at > run_at), "{}", run.stdout);
    // Without `period`, a budget reads the whole run (aggregate: p95 49.9 ms, 6 of 150
    // failed) and each endpoint, exactly as before periods were read.
    let (run, report) = common::check_report(&fixture("periods.json"), "limits:\n  api_p95: 100ms\n  error_rate: 5%\n");
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let checks = report["checks"].as_array().unwrap();
    assert!(checks.iter().all(|check| check["subject"].get("period").is_none()), "{checks:?}");
    assert_eq!(checks.len(), 4 + 1, "the run and 3 endpoints for api_p95, the run for error_rate");
    // With `period`, one row per period (and per endpoint in it): the worst 10 s window of
    // the run is red on its own, though the whole run's 49.9 ms passes.
    let budget = "budgets:\n  - { metric: api_p95, tags: { period: \"*\" }, max: 50ms }\n";
    let (run, report) = common::check_report(&fixture("periods.json"), budget);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let checks = report["checks"].as_array().unwrap();
    assert_eq!(checks.len(), 4 * 4, "4 periods of the run and 3 endpoints");
    let whole_run: Vec<(&str, f64)> = checks
        .iter()
        .filter(|check| check["subject"].get("name").is_none())
        .map(|check| (check["verdict"].as_str().unwrap(), check["value"].as_f64().unwrap()))
        .collect();
    // intermediate[].summaries["http.response_time"].p95
    assert_eq!(whole_run, [("green", 30.3), ("yellow", 49.9), ("red", 55.2), ("green", 29.1)]);
}
