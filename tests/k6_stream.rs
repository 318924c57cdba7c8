//! k6's `--out json` stream against k6's own summary of the same run (k6 1.1.0, see
//! tests/fixtures/k6/README.md): every statistic computed from the raw samples equals
//! the one k6 wrote, bit for bit.

#![allow(clippy::unwrap_used)] // test setup: a failure should stop the test

use std::path::{Path, PathBuf};

mod common;

use perfbudget::budget;
use perfbudget::evaluate::evaluate;
use perfbudget::ingest;

fn run_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/k6/generated/v110")
}

#[test]
fn statistics_from_the_stream_equal_k6s_summary() {
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run_dir().join("handle-summary.json")).unwrap()).unwrap();
    // (k6 summary key, budget selector, stat, limit that never fails in the right unit)
    let mut cases: Vec<(String, String, String, &str)> = Vec::new();
    for (key, tags) in [
        ("http_req_duration", ""),
        ("http_req_duration{name:GET /api/users}", "name: \"GET /api/users\""),
        ("http_req_duration{name:GET /api/slow}", "name: \"GET /api/slow\""),
        ("http_req_duration{group:::checkout}", "group: \"::checkout\""),
        ("http_req_duration{expected_response:true}", "expected_response: \"true\""),
        ("order_placement_duration", ""),
    ] {
        for stat in ["avg", "min", "med", "max", "p(90)", "p(95)", "p(99)"] {
            cases.push((key.to_owned(), tags.to_owned(), stat.to_owned(), "1000s"));
        }
    }
    for (key, stat, limit) in [
        ("http_req_failed", "rate", "100%"),
        ("checks", "rate", "100%"),
        ("iterations", "count", "1e9"),
        ("vus", "max", "1e9"),
    ] {
        cases.push((key.to_owned(), String::new(), stat.to_owned(), limit));
    }
    let mut yaml = String::from("version: 1\nbudgets:\n");
    for (key, tags, stat, limit) in &cases {
        let metric = key.split('{').next().unwrap();
        yaml.push_str(&format!(
            "  - {{ metric: k6, k6_metric: {metric}, stat: \"{stat}\", max: {limit}, tags: {{ {tags} }} }}\n"
        ));
    }
    let budget = budget::parse_str(&yaml, "stream.yml", Path::new("")).unwrap();
    let measurements = ingest::read_input(&run_dir().join("stream.ndjson.gz"), None).unwrap();
    let evaluation = evaluate(&budget, &measurements, None).unwrap();
    assert_eq!(evaluation.checks.len(), cases.len());
    for ((key, _, stat, _), result) in cases.iter().zip(&evaluation.checks) {
        let expected = summary["metrics"][key]["values"][stat].as_f64().unwrap();
        assert_eq!(result.value, Some(expected), "{key} {stat}: {}", result.message);
        assert_eq!(result.stat.as_deref(), Some(stat.as_str()));
    }
    // The selector is the subject, as k6 names the submetric.
    let users = evaluation.checks.iter().find(|c| c.subject.get("name") == Some("GET /api/users")).unwrap();
    assert_eq!(users.subject.len(), 1);
}

#[test]
fn any_tag_combination_not_only_declared_submetrics() {
    // No threshold declared `{name:POST /api/orders, status:200}`: only the stream has it.
    let budget = budget::parse_str(
        "version: 1\nbudgets:\n  - { metric: api_p95, tags: { name: \"POST /api/orders\", status: \"200\", scenario: buy }, max: 1s }\n",
        "b.yml",
        Path::new(""),
    )
    .unwrap();
    let measurements = ingest::read_input(&run_dir().join("stream.ndjson.gz"), None).unwrap();
    let evaluation = evaluate(&budget, &measurements, None).unwrap();
    let row = &evaluation.checks[0];
    assert_eq!(row.stat.as_deref(), Some("p(95)"));
    let value = row.value.unwrap();
    assert!(value > 20.0 && value < 200.0, "{value}");
    assert_eq!(row.verdict.as_str(), "green");
}

#[test]
fn bad_streams_name_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let metric = r#"{"type":"Metric","data":{"name":"http_reqs","type":"counter","contains":"default","thresholds":[],"submetrics":null},"metric":"http_reqs"}"#;
    let truncated = write(
        "t.ndjson",
        &format!("{metric}\n{{\"metric\":\"http_reqs\",\"type\":\"Point\",\"data\":{{\"time\":\"x\",\"val"),
    );
    let err = ingest::read_input(&truncated, None).unwrap_err().to_string();
    assert!(err.contains("t.ndjson:2:"), "{err}");
    let text = write(
        "v.ndjson",
        &format!(
            "{metric}\n{{\"metric\":\"http_reqs\",\"type\":\"Point\",\"data\":{{\"time\":\"x\",\"value\":\"one\",\"tags\":{{}}}}}}\n"
        ),
    );
    let err = ingest::read_input(&text, None).unwrap_err().to_string();
    assert!(err.ends_with("v.ndjson:2:1: the value of a `http_reqs` point is not a number"), "{err}");
    let empty = write("e.ndjson", "");
    assert!(
        ingest::read_input(&empty, ingest::InputFormat::by_id("k6-stream"))
            .unwrap_err()
            .to_string()
            .ends_with("the stream is empty")
    );
}

#[test]
fn measure_summarizes_each_tag_set_and_check_reads_it_back() {
    let run = common::run(
        common::command(&common::repo()).args(["measure", "--format", "json"]).arg(run_dir().join("stream.ndjson.gz")),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let measurements: Vec<ingest::Measurement> = serde_json::from_str(&run.stdout).unwrap();
    let users_p95 = measurements
        .iter()
        .find(|m| {
            m.metric == "http_req_duration"
                && m.stat.as_deref() == Some("p(95)")
                && m.subject.get("name") == Some("GET /api/users")
                && m.subject.get("status") == Some("200")
        })
        .unwrap();
    assert!(users_p95.value.unwrap() > 0.0);
    assert!(measurements.iter().all(|m| m.value.is_some()), "no raw-sample placeholders in the output");
    assert!(ingest::measurements::parse(&run.stdout).is_ok(), "valid measurements JSON");
}

#[test]
fn a_truncated_line_of_an_unread_metric_is_still_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cut.ndjson");
    let metric = r#"{"type":"Metric","data":{"name":"vus","type":"gauge","contains":"default","thresholds":[],"submetrics":null},"metric":"vus"}"#;
    std::fs::write(&path, format!("{metric}\n{{\"metric\":\"vus\",\"type\":\"Point\",\"data\":{{\"time\":\"2026"))
        .unwrap();
    let budget = "version: 1\nbudgets:\n  - { metric: api_p95, max: 1s }\n";
    std::fs::write(dir.path().join("b.yml"), budget).unwrap();
    let run = common::perfbudget(dir.path(), &["check", "--budget", "b.yml", "cut.ndjson"]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stderr, "error: cut.ndjson:2:1: the line is cut short (a truncated stream?)\n");
    assert_eq!(run.stdout, "");
}

#[test]
fn imported_k6_thresholds_agree_with_k6s_verdicts() {
    let dir = tempfile::tempdir().unwrap();
    for file in ["handle-summary.json", "summary-export.json"] {
        std::fs::copy(run_dir().join(file), dir.path().join("summary.json")).unwrap();
        std::fs::write(dir.path().join("b.yml"), "version: 1\ninputs: [summary.json]\nimport_k6_thresholds: true\n")
            .unwrap();
        let run = common::perfbudget(dir.path(), &["check", "--budget", "b.yml", "--json", "r.json"]);
        assert_eq!(run.code, 1, "{file}: {}", run.stderr);
        let report: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.path().join("r.json")).unwrap()).unwrap();
        let checks = report["checks"].as_array().unwrap();
        assert_eq!(checks.len(), 9, "{file}: one check per threshold");
        for check in checks {
            let message = check["message"].as_str().unwrap();
            let expression = check["budget"].as_str().unwrap().rsplit(": ").next().unwrap();
            let k6_failed = message.contains(&format!("{expression} failed"));
            assert!(k6_failed || message.contains(&format!("{expression} passed")), "{file}: {message}");
            assert_eq!(check["verdict"] == "red", k6_failed, "{file}: {message}");
        }
        let red: Vec<&str> =
            checks.iter().filter(|c| c["verdict"] == "red").map(|c| c["budget"].as_str().unwrap()).collect();
        assert_eq!(red, vec!["k6 threshold http_req_duration GET /api/slow: p(95)<200"], "{file}");
    }
}

#[test]
fn apdex_scores_the_streams_request_durations_failures_frustrated() {
    use std::io::BufRead;
    let budget = budget::parse_str(
        "version: 1\nbudgets:\n  - { metric: apdex, apdex_t: 50ms, min: 0.1 }\n  \
         - { metric: apdex, apdex_t: 50ms, apdex_f: 100ms, tags: { name: \"GET /api/slow\" }, min: 0.1 }\n",
        "apdex.yml",
        Path::new(""),
    )
    .unwrap();
    let thresholds: Vec<perfbudget::model::apdex::Thresholds> = budget
        .checks
        .iter()
        .map(|check| perfbudget::model::apdex::Thresholds::from_stat(check.stat.as_deref().unwrap()).unwrap())
        .collect();
    let options = ingest::Options {
        wanted_metrics: Some(budget.checks.iter().map(|check| check.selects().metric.to_owned()).collect()),
        apdex: thresholds.clone(),
        ..ingest::Options::default()
    };
    let path = run_dir().join("stream.ndjson.gz");
    let measurements = ingest::read_inputs(std::slice::from_ref(&path), &options).unwrap().measurements;
    let evaluation = evaluate(&budget, &measurements, None).unwrap();
    // The same scores counted here from the raw points, independently of the reader.
    let mut expected = Vec::new();
    for (t, f, only) in [(50.0, 200.0, None), (50.0, 100.0, Some("GET /api/slow"))] {
        let (mut satisfied, mut tolerated, mut total) = (0u64, 0u64, 0u64);
        let file = flate2::read::GzDecoder::new(std::fs::File::open(&path).unwrap());
        for line in std::io::BufReader::new(file).lines() {
            let point: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
            if point["type"] != "Point" || point["metric"] != "http_req_duration" {
                continue;
            }
            let tags = &point["data"]["tags"];
            if only.is_some_and(|name| tags["name"] != name) {
                continue;
            }
            let value = point["data"]["value"].as_f64().unwrap();
            total += 1;
            if tags["expected_response"] == "true" {
                satisfied += u64::from(value <= t);
                tolerated += u64::from(value > t && value <= f);
            }
        }
        assert!(total > 0 && satisfied < total);
        expected.push((satisfied as f64 + tolerated as f64 / 2.0) / total as f64);
    }
    assert_eq!(thresholds[0].tolerated_ms, 200.0, "F = 4T by default");
    let scores: Vec<Option<f64>> = evaluation.checks.iter().map(|check| check.value).collect();
    assert_eq!(scores, expected.into_iter().map(Some).collect::<Vec<_>>());
    assert_eq!(evaluation.checks[0].stat.as_deref(), Some("apdex(T=50ms,F=200ms)"));
}
