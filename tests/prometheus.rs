//! Prometheus scrapes against a real Prometheus server's numbers (Prometheus 2.42, see
//! tests/fixtures/prometheus/README.md): every `histogram_quantile` it answered on the same
//! scrapes, one scrape at a time and over the window between two, equals ours bit for bit;
//! two scrapes of the app give its counters' increases, its memory growth and its CPU share;
//! budgets on them give the right verdicts through the binary; a bad scrape is an error
//! naming its line, and a NaN is "no data", never a pass.

#![allow(clippy::unwrap_used)] // test setup: a failure should stop the test

use std::path::{Path, PathBuf};

mod common;

use perfbudget::ingest::{self, Measurement};

fn fixture(name: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/prometheus");
    match root.join("real").join(name) {
        real if real.exists() => real,
        _ => root.join("prometheus-repo").join(name),
    }
}

fn read(names: &[&str]) -> Vec<Measurement> {
    let paths: Vec<PathBuf> = names.iter().map(|name| fixture(name)).collect();
    ingest::read_inputs(&paths, &ingest::Options::default()).unwrap().measurements
}

/// The one measurement of this metric, stat and subject.
fn find<'m>(
    measurements: &'m [Measurement],
    metric: &str,
    stat: &str,
    labels: &serde_json::Map<String, serde_json::Value>,
) -> &'m Measurement {
    let found: Vec<&Measurement> = measurements
        .iter()
        .filter(|m| m.metric == metric && m.stat.as_deref() == Some(stat) && m.subject.len() == labels.len())
        .filter(|m| labels.iter().all(|(label, value)| m.subject.get(label) == value.as_str()))
        .collect();
    assert_eq!(found.len(), 1, "{metric} {stat} {labels:?}: {found:?}");
    found[0]
}

fn value(measurements: &[Measurement], metric: &str, stat: &str, labels: &serde_json::Value) -> Option<f64> {
    find(measurements, metric, stat, labels.as_object().unwrap()).value
}

#[test]
fn histogram_quantile_equals_a_real_prometheus_server() {
    let answers: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(fixture("prometheus-answers.json")).unwrap()).unwrap();
    let mut parity = common::Parity::new("Prometheus");
    let mut files: Vec<(String, Option<String>)> = answers
        .iter()
        .map(|answer| (answer["file"].as_str().unwrap().to_owned(), answer["before"].as_str().map(str::to_owned)))
        .collect();
    files.sort();
    files.dedup();
    for (file, before) in &files {
        let measurements = match before {
            Some(before) => read(&[before, file]),
            None => read(&[file]),
        };
        let prefix = if before.is_some() { "window_" } else { "" };
        for answer in answers.iter().filter(|a| a["file"] == file.as_str() && a["before"].as_str() == before.as_deref())
        {
            let q = answer["q"].as_f64().unwrap();
            let stat = format!("{prefix}p({})", (q * 100.0 * 1e6).round() / 1e6);
            let metric = answer["metric"].as_str().unwrap();
            let ours = find(&measurements, metric, &stat, answer["labels"].as_object().unwrap());
            // Prometheus writes NaN where a histogram has no observations; ours is no data.
            let theirs = answer["value"].as_str().unwrap().parse::<f64>().unwrap();
            let theirs = (!theirs.is_nan()).then_some(theirs);
            parity.check(file, format!("{metric} {stat} {}", answer["labels"]), ours.value, theirs);
            assert_eq!(ours.value.is_none(), ours.no_data.is_some(), "{ours:?}");
        }
    }
    // 630 from Prometheus's own scrape in its test data, 42 from a live one, 18 + 6 from
    // the OpenMetrics files, 12 + 12 + 12 from the app's scrapes (classic and OpenMetrics)
    // and 12 from the window between its two scrapes.
    assert_eq!(parity.compared, 744);
    println!("Prometheus histogram_quantile: {} quantiles compared, all equal", parity.compared);
}

#[test]
fn two_scrapes_of_the_app_give_the_window() {
    let measurements = read(&["app-before.prom.txt", "app-after.prom.txt"]);
    // The earlier scrape's own numbers give way to the later one's and the window's.
    let before = fixture("app-before.prom.txt").display().to_string();
    assert!(!measurements.iter().any(|m| m.origin.as_deref() == Some(before.as_str())));
    let items = serde_json::json!({"method": "GET", "handler": "/api/items"});
    let report = serde_json::json!({"method": "GET", "handler": "/api/report"});
    // load.py sent exactly 1000 requests between the scrapes, one in ten to /api/report.
    let counted =
        |labels: &serde_json::Value| value(&measurements, "http_request_duration_seconds", "window_count", labels);
    assert_eq!((counted(&items), counted(&report)), (Some(900.0), Some(100.0)));
    let code = |handler: &str| serde_json::json!({"method": "GET", "handler": handler, "code": "200"});
    assert_eq!(value(&measurements, "http_requests_total", "increase", &code("/api/items")), Some(900.0));
    assert_eq!(value(&measurements, "http_requests_total", "increase", &code("/api/report")), Some(100.0));
    // The window's mean is the sums' difference over the counts'.
    let sum = |file: &str| {
        let one = read(&[file]);
        value(&one, "http_request_duration_seconds", "sum", &report).unwrap()
    };
    let mean = value(&measurements, "http_request_duration_seconds", "window_mean", &report).unwrap();
    assert_eq!(mean, (sum("app-after.prom.txt") - sum("app-before.prom.txt")) / 100.0);
    // /api/report keeps 64 KiB per request: the resident memory grew.
    let rss =
        |file: &str| value(&read(&[file]), "process_resident_memory_bytes", "value", &serde_json::json!({})).unwrap();
    let growth = value(&measurements, "process_resident_memory_bytes", "growth", &serde_json::json!({})).unwrap();
    let (before, after) = (rss("app-before.prom.txt"), rss("app-after.prom.txt"));
    assert_eq!(growth, (after - before) / before);
    assert!(growth > 0.1, "{growth}");
    // The app's scrapes carry no timestamps, so a rate needs the time from the budget.
    let cpu = find(&measurements, "process_cpu_seconds_total", "cpu_share", serde_json::json!({}).as_object().unwrap());
    assert_eq!(cpu.value, None);
    assert!(cpu.no_data.as_deref().unwrap().contains("scrape_elapsed"), "{cpu:?}");
}

#[test]
fn node_exporter_scrapes_carry_their_own_clock() {
    let measurements = read(&["node-before.prom.txt", "node-after.prom.txt"]);
    let clock = |file: &str| value(&read(&[file]), "node_time_seconds", "value", &serde_json::json!({})).unwrap();
    let elapsed = clock("node-after.prom.txt") - clock("node-before.prom.txt");
    let labels = serde_json::json!({"cpu": "0", "mode": "user"});
    let increase = value(&measurements, "node_cpu_seconds_total", "increase", &labels).unwrap();
    let share = value(&measurements, "node_cpu_seconds_total", "cpu_share", &labels).unwrap();
    assert_eq!(share, increase / elapsed);
    // One core was kept busy for two of the seconds between the scrapes.
    let busy: f64 = measurements
        .iter()
        .filter(|m| m.metric == "node_cpu_seconds_total" && m.stat.as_deref() == Some("cpu_share"))
        .filter(|m| m.subject.get("mode") != Some("idle") && m.subject.get("mode") != Some("iowait"))
        .filter_map(|m| m.value)
        .sum();
    assert!(busy > 0.5, "{busy}");
}

/// Runs `check --json` with a budget of `version: 1`, `inputs:` the given fixtures and
/// `budget`, and reads the report.
fn check(inputs: &[&str], budget: &str) -> (common::Run, serde_json::Value) {
    let dir = tempfile::tempdir().unwrap();
    let inputs: Vec<String> = inputs.iter().map(|name| format!("\"{}\"", fixture(name).display())).collect();
    let text = format!("version: 1\ninputs: [{}]\n{budget}", inputs.join(", "));
    std::fs::write(dir.path().join("perfbudget.yml"), text).unwrap();
    let run = common::perfbudget(dir.path(), &["check", "--json", "report.json"]);
    let report = std::fs::read_to_string(dir.path().join("report.json"))
        .map_or(serde_json::Value::Null, |text| serde_json::from_str(&text).unwrap());
    (run, report)
}

#[test]
fn budgets_on_two_scrapes_through_the_binary() {
    let budget = "scrape_elapsed: 20s\nbudgets:\n  \
                  - { name: API p95, metric: prometheus, series: http_request_duration_seconds, labels: { handler: /api/it* }, stat: window_p(95), max: 500ms }\n  \
                  - { name: report p95, metric: prometheus, series: http_request_duration_seconds, labels: { handler: /api/report }, stat: window_p(95), max: 500ms }\n  \
                  - { name: heap growth, metric: prometheus, series: process_resident_memory_bytes, stat: growth, max: 10% }\n  \
                  - { name: CPU, metric: prometheus, series: process_cpu_seconds_total, stat: cpu_share, max: 70% }\n";
    let (run, report) = check(&["app-before.prom.txt", "app-after.prom.txt"], budget);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let checks = common::report_checks(&report, "budget", &|_| true);
    let verdict = |name: &str| checks.iter().find(|check| check.0 == name).map(|check| check.1.as_str()).unwrap();
    assert_eq!(verdict("API p95"), "green", "{checks:?}");
    assert_eq!(verdict("report p95"), "red", "0.66 s: {checks:?}");
    assert_eq!(verdict("heap growth"), "red", "{checks:?}");
    // 0.62 CPU seconds over the 20 s the budget gives.
    let cpu = checks.iter().find(|check| check.0 == "CPU").unwrap();
    assert_eq!((cpu.1.as_str(), cpu.2), ("green", Some(0.62 / 20.0)), "{checks:?}");

    // Without the elapsed time, the CPU share is no data: red, saying what to add.
    let budget = "budgets:\n  - { name: CPU, metric: prometheus, series: process_cpu_seconds_total, stat: cpu_share, max: 70% }\n";
    let (run, report) = check(&["app-before.prom.txt", "app-after.prom.txt"], budget);
    assert_eq!(run.code, 1);
    let checks = common::report_checks(&report, "budget", &|_| true);
    assert_eq!(checks[0].1, "red");
    assert!(checks[0].3.contains("scrape_elapsed"), "{checks:?}");
}

/// A copy of the app's scrape with `edit` applied, in a temporary folder.
fn edited(edit: impl Fn(&str) -> String) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("scrape.prom.txt");
    std::fs::write(&path, edit(&std::fs::read_to_string(fixture("app-after.prom.txt")).unwrap())).unwrap();
    (dir, path)
}

/// `perfbudget measure` on a scrape edited by `edit`: its exit code and stderr.
fn measure_edited(edit: impl Fn(&str) -> String) -> (i32, String) {
    let (dir, path) = edited(edit);
    let run = common::perfbudget(dir.path(), &["measure", path.to_str().unwrap()]);
    (run.code, run.stderr.replace(&format!("{}/", dir.path().display()), ""))
}

/// The line of the scrape (1-based) where `needle` first is.
fn line_of(needle: &str) -> usize {
    let text = std::fs::read_to_string(fixture("app-after.prom.txt")).unwrap();
    text.lines().position(|line| line.contains(needle)).unwrap() + 1
}

#[test]
fn a_bad_scrape_is_an_error_naming_its_line() {
    let inf = r#"http_request_duration_seconds_bucket{handler="/api/report",le="+Inf",method="GET"}"#;
    let bucket = r#"http_request_duration_seconds_bucket{handler="/api/report",le="0.5",method="GET"}"#;

    // Cut mid-line, as a scrape interrupted by a timeout is.
    let (code, stderr) = measure_edited(|text| text[..text.find(inf).unwrap() + 40].to_owned());
    assert_eq!(code, 2, "{stderr}");
    let line = line_of(inf);
    assert!(stderr.contains(&format!("scrape.prom.txt:{line}:41: the last line has no line feed")), "{stderr}");

    // A series given twice.
    let (code, stderr) = measure_edited(|text| text.replacen(inf, &format!("{inf} 3.0\n{inf}"), 1));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains(&format!("scrape.prom.txt:{}:1: the series", line + 1)), "{stderr}");
    assert!(stderr.contains("is given twice: a duplicate series"), "{stderr}");

    // A histogram without its +Inf bucket.
    let (code, stderr) = measure_edited(|text| {
        text.lines().filter(|l| !l.starts_with(inf)).map(|l| format!("{l}\n")).collect::<String>()
    });
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("has no `le=\"+Inf\"` bucket: the scrape may be cut short"), "{stderr}");

    // Counts that decrease.
    let (code, stderr) = measure_edited(|text| {
        let at = text.find(bucket).unwrap() + bucket.len();
        let end = at + text[at..].find('\n').unwrap();
        format!("{} 1.0{}", &text[..at], &text[end..])
    });
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("bucket counts are cumulative"), "{stderr}");
    assert!(stderr.contains(&format!("scrape.prom.txt:{}:1: the bucket counts", line_of(bucket))), "{stderr}");
}

#[test]
fn a_nan_is_no_data_never_a_pass() {
    let (dir, path) = edited(|text| text.replace("process_open_fds 9.0", "process_open_fds NaN"));
    assert!(std::fs::read_to_string(&path).unwrap().contains("process_open_fds NaN"));
    let budget = "version: 1\nbudgets:\n  - { metric: prometheus, series: process_open_fds, stat: value, max: 100 }\n";
    std::fs::write(dir.path().join("perfbudget.yml"), budget).unwrap();
    let run = common::perfbudget(dir.path(), &["check", "--json", "report.json", path.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("report.json")).unwrap()).unwrap();
    let checks = common::report_checks(&report, "metric", &|_| true);
    assert_eq!((checks[0].1.as_str(), checks[0].2), ("red", None), "{checks:?}");
    assert!(checks[0].3.contains("the value is NaN"), "{checks:?}");
}

#[test]
fn a_series_two_targets_report_is_told_apart_by_its_scrape() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["app-before.prom.txt", "app-after.prom.txt", "node-before.prom.txt", "node-after.prom.txt"] {
        std::fs::copy(common::repo().join("tests/fixtures/prometheus/real").join(name), dir.path().join(name)).unwrap();
    }
    let growth = "version: 1\nbudgets:\n  - { metric: prometheus, series: process_resident_memory_bytes, stat: growth, max: 10% }\n";
    std::fs::write(dir.path().join("perfbudget.yml"), growth).unwrap();
    let inputs = ["app-before.prom.txt", "app-after.prom.txt", "node-before.prom.txt", "node-after.prom.txt"];
    let args: Vec<&str> = ["check", "--json", "r.json"].into_iter().chain(inputs).collect();
    let run = common::perfbudget(dir.path(), &args);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("r.json")).unwrap()).unwrap();
    let rows: Vec<(String, String)> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|check| {
            (check["subject"]["scrape"].as_str().unwrap().to_owned(), check["verdict"].as_str().unwrap().to_owned())
        })
        .collect();
    // One row per target, never the median of the two processes.
    assert_eq!(
        rows,
        [
            ("app-before.prom.txt → app-after.prom.txt".to_owned(), "red".to_owned()),
            ("node-before.prom.txt → node-after.prom.txt".to_owned(), "green".to_owned())
        ]
    );
    let app = "version: 1\nbudgets:\n  - { metric: prometheus, series: process_resident_memory_bytes, stat: growth, tags: { scrape: \"app-*\" }, max: 10% }\n";
    std::fs::write(dir.path().join("perfbudget.yml"), app).unwrap();
    let run = common::perfbudget(dir.path(), &args);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("r.json")).unwrap()).unwrap();
    assert_eq!(report["checks"].as_array().unwrap().len(), 1, "{}", run.stdout);
    assert!(report["checks"][0]["message"].as_str().unwrap().contains("27.46%"), "{}", run.stdout);
}
