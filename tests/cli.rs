//! The command-line contract: exit codes 0/1/2, messages, files written, on real files.

#![allow(clippy::unwrap_used)] // test helpers: a failed setup should stop the test

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

use common::{perfbudget, repo};

fn temp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

/// `perfbudget check --budget budgets/demo.yml EXTRA...`, run in `dir`.
fn check_demo(dir: &Path, extra: &[&str]) -> common::Run {
    let budget = repo().join("budgets/demo.yml");
    let mut args = vec!["check", "--budget", budget.to_str().unwrap()];
    args.extend_from_slice(extra);
    perfbudget(dir, &args)
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&path, text).unwrap();
    path
}

const P95_280: &str = r#"[{"source":"k6","metric":"http_req_duration","stat":"p(95)","subject":{"name":"GET /api/users"},"value":280,"unit":"ms"}]"#;

#[test]
fn the_demo_shows_every_verdict_and_exits_1() {
    let dir = temp();
    let report = dir.path().join("report.json");
    let run = perfbudget(&repo(), &["check", "--budget", "budgets/demo.yml", "--json", report.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.ends_with("perfbudget: red — 3 red, 3 yellow, 3 green\n"), "{}", run.stdout);
    assert!(!run.stdout.contains('\u{1b}'), "no colour when stdout is not a terminal");
    assert_eq!(run.stderr, "");
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(report).unwrap()).unwrap();
    let rows: Vec<(&str, &str)> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|check| (check["verdict"].as_str().unwrap(), check["message"].as_str().unwrap()))
        .collect();
    assert!(rows.contains(&("red", "LCP 10.88 s is 335% over the 2.5 s limit")), "{rows:?}");
    assert!(
        rows.contains(&("yellow", "CLS 0.09958 is 0.42% under the 0.1 limit, inside the warning band (above 0.09)"))
    );
    assert!(rows.contains(&(
        "green",
        "Bench time 4.708 ns is 53% under the 10 ns limit; criterion's own run: mean +0.26% [-0.85%, +1.3%], within noise"
    )));
    assert!(rows.contains(&("red", "Performance score 32 is 64% under the 90 minimum")));
    assert_eq!(report["checks"][0]["origins"][0], "samples/lighthouse-13.4.1.json");
    assert_eq!(report["checks"][0]["subject"]["url"], "http://localhost:10200/dobetterweb/dbw_tester.html");
    assert_eq!(report["checks"][0]["value"], 10884.681, "LCP's numericValue, exactly");
}

#[test]
fn yellow_passes_unless_fail_on_yellow() {
    let dir = temp();
    write(dir.path(), "perfbudget.yml", "version: 1\ninputs: [k6.json]\nlimits:\n  api_p95: 300ms\n");
    write(dir.path(), "k6.json", P95_280);
    let run = perfbudget(dir.path(), &["check"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.ends_with("perfbudget: yellow — 0 red, 1 yellow, 0 green\n"));
    let run = perfbudget(dir.path(), &["check", "--fail-on", "yellow"]);
    assert_eq!(run.code, 1);
}

#[test]
fn all_green_exits_0_and_quiet_prints_one_line() {
    let dir = temp();
    write(dir.path(), "perfbudget.json", r#"{"api_p95": "1s"}"#);
    write(dir.path(), "k6.json", P95_280);
    let run = perfbudget(dir.path(), &["check", "--quiet", "k6.json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "perfbudget: green — 0 red, 0 yellow, 1 green\n");
}

#[test]
fn a_bad_budget_exits_2_naming_file_line_and_column() {
    let dir = temp();
    write(dir.path(), "budget.yml", "version: 1\nlimits:\n  lcp: 2.5\n");
    let run = perfbudget(dir.path(), &["check", "--budget", "budget.yml", "x.json"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "error: budget.yml:3:8: limits.lcp: `2.5` has no unit; lcp is a time and needs one of: ns, us (or µs), ms, s\n"
    );
    assert_eq!(run.stdout, "");
    let run = perfbudget(dir.path(), &["validate", "budget.yml"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.starts_with("error: budget.yml:3:8: "));
}

#[test]
fn unreadable_unknown_and_malformed_inputs_exit_2() {
    let dir = temp();
    write(dir.path(), "perfbudget.yml", "lcp: 2.5s\n");
    let missing = perfbudget(dir.path(), &["check", "nope.json"]);
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.starts_with("error: cannot read input "), "{}", missing.stderr);
    assert!(missing.stderr.contains("nope.json"));

    write(dir.path(), "notes.txt", "test parse ... bench: 1 ns/iter\n");
    let unknown = perfbudget(dir.path(), &["check", "notes.txt"]);
    assert_eq!(unknown.code, 2);
    assert!(unknown.stderr.contains("notes.txt: not an input perfbudget can read (detected by content, not by name)"));

    write(dir.path(), "bad.json", "[\n  {\"source\": \"k6\", \"metric\": \"m\", \"value\": 1,\n");
    let truncated = perfbudget(dir.path(), &["check", "bad.json"]);
    assert_eq!(truncated.code, 2);
    assert!(truncated.stderr.starts_with("error: bad.json:3:1: EOF while parsing"), "{}", truncated.stderr);
    assert!(truncated.stderr.contains("(the file ends early: truncated?)"));

    write(dir.path(), "empty.json", "");
    let empty = perfbudget(dir.path(), &["check", "empty.json"]);
    assert_eq!(empty.code, 2);
    assert!(empty.stderr.contains("empty.json: the file is empty"));

    std::fs::create_dir(dir.path().join("nothing")).unwrap();
    let folder = perfbudget(dir.path(), &["check", "nothing"]);
    assert_eq!(folder.code, 2);
    assert!(folder.stderr.contains("nothing: no file in this folder is an input perfbudget reads"));
}

#[test]
fn no_inputs_and_no_budget_are_errors() {
    let dir = temp();
    let run = perfbudget(dir.path(), &["check"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .starts_with("error: no budget file: none of perfbudget.yml, perfbudget.yaml, perfbudget.json is in ")
    );
    write(dir.path(), "perfbudget.yaml", "lcp: 2.5s\n");
    let run = perfbudget(dir.path(), &["check"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("perfbudget.yaml: no inputs to check"), "{}", run.stderr);
}

#[test]
fn bad_flags_exit_2() {
    let run = perfbudget(&repo(), &["check", "--fail-on", "orange"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("invalid value 'orange' for '--fail-on <FAIL_ON>'"));
    let unknown = perfbudget(&repo(), &["frobnicate"]);
    assert_eq!(unknown.code, 2);
    assert!(unknown.stderr.starts_with("error: unrecognized subcommand 'frobnicate'\n"), "{}", unknown.stderr);
    assert_eq!(unknown.stdout, "");
}

#[test]
fn check_help_prints_exit_codes_and_an_example() {
    let run = perfbudget(&repo(), &["check", "--help"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("0  nothing red (yellow passes unless --fail-on yellow)"));
    assert!(run.stdout.contains("1  at least one check is red"));
    assert!(run.stdout.contains("2  the run cannot be trusted"));
    assert!(run.stdout.contains("perfbudget check --budget budgets/demo.yml"));
    let version = perfbudget(&repo(), &["--version"]);
    assert_eq!(version.stdout, format!("perfbudget {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn validate_prints_one_ok_line() {
    let run = perfbudget(&repo(), &["validate", "budgets/demo.yml"]);
    assert_eq!((run.code, run.stdout.as_str()), (0, "ok: budgets/demo.yml: 8 checks (3 from presets)\n"));
}

#[test]
fn measure_then_check_round_trips() {
    let dir = temp();
    let measured = perfbudget(&repo(), &["measure", "--format", "json", "samples"]);
    assert_eq!(measured.code, 0, "{}", measured.stderr);
    assert!(measured.stdout.contains("\"origin\": \"samples/lighthouse-13.4.1.json\""));
    write(dir.path(), "measured.json", &measured.stdout);
    let budget = repo().join("budgets/demo.yml");
    let budget = budget.to_str().unwrap();
    let direct =
        perfbudget(&repo(), &["check", "--budget", budget, "--json", dir.path().join("a.json").to_str().unwrap()]);
    // The demo's own inputs plus the re-measured copy: every value appears twice, so each
    // subject now has two identical runs whose median is the same value.
    let again = perfbudget(dir.path(), &["check", "--budget", budget, "--json", "b.json", "measured.json"]);
    assert_eq!((direct.code, again.code), (1, 1));
    let values = |file: &Path| -> Vec<(String, Option<f64>, String)> {
        let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["budget"].to_string(), c["value"].as_f64(), c["verdict"].to_string()))
            .collect()
    };
    assert_eq!(values(&dir.path().join("a.json")), values(&dir.path().join("b.json")));
    let table = perfbudget(&repo(), &["measure", "samples/criterion"]);
    assert!(table.stdout.contains("4.708 ns"), "{}", table.stdout);
    assert!(table.stdout.contains("4.67 ns – 4.751 ns"), "the 95% interval");
    assert!(table.stdout.ends_with("4 measurements\n"), "typical, mean, median and criterion's change");
}

#[test]
fn the_json_report_is_the_next_baseline() {
    let dir = temp();
    write(dir.path(), "perfbudget.yml", "version: 1\nbudgets:\n  - metric: api_p95\n    regression: 10%\n");
    write(dir.path(), "base.json", P95_280);
    write(dir.path(), "head.json", &P95_280.replace("280", "330"));
    let base = perfbudget(dir.path(), &["check", "--json", "out/base-report.json", "base.json"]);
    assert_eq!(base.code, 0, "{}", base.stderr);
    assert!(base.stdout.contains("regression not checked: no --baseline report given"));
    let head = perfbudget(dir.path(), &["check", "--baseline", "out/base-report.json", "head.json"]);
    assert_eq!(head.code, 1);
    assert!(
        head.stdout.contains("API p95 330 ms is 18% worse than the baseline 280 ms (allowed: 10%)"),
        "{}",
        head.stdout
    );
    assert!(head.stdout.contains("+18%"));

    let report_as_input = perfbudget(dir.path(), &["check", "out/base-report.json"]);
    assert_eq!(report_as_input.code, 2);
    assert!(report_as_input.stderr.contains("this is a perfbudget JSON report; give it as `--baseline"));
    let measurements_as_baseline = perfbudget(dir.path(), &["check", "--baseline", "base.json", "head.json"]);
    assert_eq!(measurements_as_baseline.code, 2);
    assert!(measurements_as_baseline.stderr.contains("this looks like measurements JSON"));
}

#[test]
fn markdown_and_junit_files_are_written() {
    let dir = temp();
    let run = check_demo(dir.path(), &["--markdown", "comment.md", "--junit", "junit.xml", "--marker", "web"]);
    assert_eq!(run.code, 1);
    let markdown = std::fs::read_to_string(dir.path().join("comment.md")).unwrap();
    assert!(
        markdown.starts_with(
            "<!-- perfbudget:v1 key=web -->\n### 🔴 perfbudget: red · Demo shop\n\n3 red, 3 yellow, 3 green. Worst: inp: \
             no data.\n"
        ),
        "{markdown}"
    );
    let junit = std::fs::read_to_string(dir.path().join("junit.xml")).unwrap();
    assert!(junit.contains("tests=\"9\""));
    assert!(junit.contains("failures=\"3\""));
}

#[test]
fn schema_validates_every_shipped_budget_and_rejects_a_bad_one() {
    let run = perfbudget(&repo(), &["schema"]);
    assert_eq!(run.code, 0);
    let schema: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    let mut checked = 0;
    for folder in ["budgets", "budgets/presets"] {
        for entry in std::fs::read_dir(repo().join(folder)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "yml") {
                let text = std::fs::read_to_string(&path).unwrap();
                let value: serde_json::Value = yaml_serde::from_str(&text).unwrap();
                let errors: Vec<String> = validator.iter_errors(&value).map(|e| e.to_string()).collect();
                assert!(errors.is_empty(), "{}: {errors:?}", path.display());
                checked += 1;
            }
        }
    }
    assert!(checked >= 5);
    let seed = serde_json::json!({"lcp":"2.5s","inp":"200ms","cls":"0.1","bundle_size":"150kb","api_p95":"100ms"});
    assert!(validator.is_valid(&seed));
    let map_form = serde_json::json!({"budgets": {"lcp":"2.5s","inp":"200ms","cls":"0.1","bundle_size":"150kb"}});
    assert!(validator.is_valid(&map_form), "the budget map form, as written");
    assert!(!validator.is_valid(&serde_json::json!({"budgets": {"lpc": "2.5s"}})));
    assert!(!validator.is_valid(&serde_json::json!({"version": 1, "limts": {}})));
    assert!(!validator.is_valid(&serde_json::json!({"version": 1, "budgets": [{"metric": "lpc", "max": "1s"}]})));
    assert!(!validator.is_valid(&serde_json::json!({"version": 2})));
}

#[test]
fn hostile_subjects_cannot_forge_workflow_commands_on_stdout() {
    let dir = temp();
    write(dir.path(), "perfbudget.yml", "lcp: 2.5s\n");
    let url = "https://x/\n::error::forged\n##[error]also %0A\u{1b}[2J";
    let json = format!(
        r#"[{{"source":"lighthouse","metric":"lcp","subject":{{"url":{}}},"value":3000,"unit":"ms"}}]"#,
        serde_json::to_string(url).unwrap()
    );
    write(dir.path(), "m.json", &json);
    let run = perfbudget(dir.path(), &["check", "m.json"]);
    assert_eq!(run.code, 1);
    // The row is there, its URL cut into harmless lines: the loop below reads a table.
    assert!(run.stdout.contains("https://x/"), "{}", run.stdout);
    assert!(run.stdout.ends_with("perfbudget: red — 1 red, 0 yellow, 0 green\n"), "{}", run.stdout);
    for line in run.stdout.lines() {
        assert!(!line.trim_start().starts_with("::"), "{line}");
        assert!(!line.contains("##["), "{line}");
    }
    assert!(!run.stdout.contains('\u{1b}'));
}

#[test]
fn a_lighthouse_ci_folder_reads_its_reports_and_skips_the_rest() {
    let dir = temp();
    let lhci = dir.path().join(".lighthouseci");
    std::fs::create_dir(&lhci).unwrap();
    for (name, version) in [("lhr-1700000000001.json", "v12.8.2"), ("lhr-1700000000002.json", "v13.4.1")] {
        let source = repo().join(format!("tests/fixtures/lighthouse/lhr-sample_v2-{version}.json"));
        std::fs::copy(source, lhci.join(name)).unwrap();
    }
    write(&lhci, "lhr-1700000000001.html", "<!doctype html><html><head><title>Lighthouse Report</title>");
    write(
        &lhci,
        "assertion-results.json",
        r#"[{"name":"maxNumericValue","expected":2500,"actual":10884.681,"auditId":"largest-contentful-paint","level":"error","passed":false}]"#,
    );
    write(
        &lhci,
        "manifest.json",
        r#"[{"url":"http://localhost/","isRepresentativeRun":true,"jsonPath":"x.json","summary":{"performance":0.32}}]"#,
    );
    write(dir.path(), "perfbudget.yml", "version: 1\ninputs: [.lighthouseci/]\nlimits:\n  lcp: 12s\n");
    let report = dir.path().join("r.json");
    let run = perfbudget(dir.path(), &["check", "--json", report.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(report).unwrap()).unwrap();
    // Lighthouse 12 and 13 reports of one page stay two subjects: their numbers differ.
    let rows: Vec<(String, f64)> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["subject"]["lighthouse"].as_str().unwrap().to_owned(), c["value"].as_f64().unwrap()))
        .collect();
    assert_eq!(rows, vec![("12".to_owned(), 10894.404), ("13".to_owned(), 10884.681)]);
}

#[test]
fn repeated_lighthouse_runs_of_one_page_are_one_subject() {
    let dir = temp();
    let source = repo().join("tests/fixtures/lighthouse/lhr-sample_v2-v10.4.0.json");
    for run in 1..=3 {
        std::fs::copy(&source, dir.path().join(format!("run-{run}.json"))).unwrap();
    }
    write(dir.path(), "perfbudget.yml", "lcp: 14s\n");
    let run = perfbudget(dir.path(), &["check", "--json", "r.json", "run-1.json", "run-2.json", "run-3.json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("13.32 s (3 runs)"), "{}", run.stdout);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("r.json")).unwrap()).unwrap();
    let lcp = &report["checks"][0];
    assert_eq!(lcp["runs"], serde_json::json!([13319.961, 13319.961, 13319.961]));
    assert_eq!(
        lcp["message"],
        "LCP 13.32 s is 4.9% under the 14 s limit, inside the warning band (above 12.6 s) (median of 3 runs)"
    );
}

#[test]
fn html_reports_and_failed_runs_exit_2() {
    let dir = temp();
    write(dir.path(), "perfbudget.yml", "lcp: 2.5s\n");
    write(dir.path(), "report.html", "<!DOCTYPE html>\n<html><head><title>Lighthouse Report</title></head>");
    let html = perfbudget(dir.path(), &["check", "report.html"]);
    assert_eq!(html.code, 2);
    assert!(html.stderr.contains(
        "report.html: this is Lighthouse's HTML report; perfbudget reads its JSON: run Lighthouse with `--output=json`"
    ));
    write(
        dir.path(),
        "failed.json",
        r#"{"lighthouseVersion":"13.5.0","requestedUrl":"http://127.0.0.1:9/","finalDisplayedUrl":"chrome-error://chromewebdata/","runtimeError":{"code":"CHROME_INTERSTITIAL_ERROR","message":"Chrome prevented page load with an interstitial."},"audits":{},"categories":{"performance":{"score":null}}}"#,
    );
    let failed = perfbudget(dir.path(), &["check", "failed.json"]);
    assert_eq!(failed.code, 2);
    assert_eq!(
        failed.stderr,
        "error: failed.json: Lighthouse could not test http://127.0.0.1:9/ (CHROME_INTERSTITIAL_ERROR: Chrome prevented page load with an interstitial.); a failed run cannot pass the gate\n"
    );
}

#[test]
fn lab_and_field_data_are_checked_apart() {
    let dir = temp();
    let fixtures = repo().join("tests/fixtures/lighthouse");
    std::fs::copy(fixtures.join("crux-record-url-200.json"), dir.path().join("crux.json")).unwrap();
    std::fs::copy(fixtures.join("lhr-sample_v2-v13.4.1.json"), dir.path().join("lhr.json")).unwrap();
    write(
        dir.path(),
        "perfbudget.yml",
        "version: 1\ninputs: [crux.json, lhr.json]\nlimits:\n  cls: 0.1\nbudgets:\n  - { name: Field LCP, metric: lcp, data: field, max: 2.5s }\n  - { name: Lab LCP, metric: lcp, data: lab, max: 2.5s }\n",
    );
    let run = perfbudget(dir.path(), &["check", "--json", "r.json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("r.json")).unwrap()).unwrap();
    let rows: Vec<(&str, &str, f64, &str)> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["budget"].as_str().unwrap(),
                c["subject"]["data"].as_str().unwrap(),
                c["value"].as_f64().unwrap(),
                c["verdict"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            ("cls", "field", 0.02, "green"),
            ("cls", "lab", 0.099576, "yellow"),
            ("Field LCP", "field", 895.0, "green"),
            ("Lab LCP", "lab", 10884.681, "red"),
        ]
    );
    assert_eq!(report["checks"][2]["stat"], "p75");
}

#[test]
fn a_crux_error_response_exits_2() {
    let dir = temp();
    std::fs::copy(repo().join("tests/fixtures/lighthouse/crux-error-404-not-found.json"), dir.path().join("crux.json"))
        .unwrap();
    write(dir.path(), "perfbudget.yml", "lcp: 2.5s\n");
    let run = perfbudget(dir.path(), &["check", "crux.json"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .starts_with("error: crux.json: the CrUX API answered 404 NOT_FOUND: chrome ux report data not found")
    );
}

#[test]
fn a_k6_summary_feeds_the_gate_per_endpoint() {
    let dir = temp();
    let fixtures = repo().join("tests/fixtures/k6/generated/v110");
    std::fs::copy(fixtures.join("handle-summary.json"), dir.path().join("summary.json")).unwrap();
    write(
        dir.path(),
        "perfbudget.yml",
        r#"version: 1
inputs: [summary.json]
budgets:
  - { name: Users p95, metric: api_p95, tags: { name: "GET /api/users" }, max: 100ms }
  - { name: Slow p95, metric: api_p95, tags: { name: "GET /api/slow" }, max: 200ms }
  - { name: Checks, metric: k6, k6_metric: checks, stat: rate, min: 99% }
  - { name: Errors, metric: error_rate, tags: { }, max: 5% }
"#,
    );
    let run = perfbudget(dir.path(), &["check", "--json", "r.json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixtures.join("handle-summary.json")).unwrap()).unwrap();
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("r.json")).unwrap()).unwrap();
    let row =
        |budget: &str| report["checks"].as_array().unwrap().iter().find(|c| c["budget"] == budget).unwrap().clone();
    let slow = row("Slow p95");
    assert_eq!(slow["value"], summary["metrics"]["http_req_duration{name:GET /api/slow}"]["values"]["p(95)"]);
    assert_eq!(slow["verdict"], "red", "as k6's own threshold p(95)<200 failed");
    assert_eq!(row("Users p95")["verdict"], "green");
    let checks = row("Checks");
    assert_eq!(checks["value"], summary["metrics"]["checks"]["values"]["rate"]);
    assert_eq!(checks["verdict"], "red");
    // error_rate applies to the whole metric and to no submetric here.
    assert_eq!(row("Errors")["value"], summary["metrics"]["http_req_failed"]["values"]["rate"]);

    std::fs::copy(fixtures.join("text-summary.txt"), dir.path().join("k6.txt")).unwrap();
    let text = perfbudget(dir.path(), &["check", "k6.txt"]);
    assert_eq!(text.code, 2);
    assert!(text.stderr.contains("k6.txt: this is k6's end-of-test text, which is not a stable format; write JSON with `k6 run --summary-export=summary.json`"));
}

#[test]
fn under_github_actions_the_summary_outputs_and_annotations_are_written() {
    let dir = temp();
    write(dir.path(), "perfbudget.yml", "lcp: 2.5s\n");
    let url = "https://x/\n::error::forged";
    let json = format!(
        r#"[{{"source":"lighthouse","metric":"lcp","subject":{{"url":{}}},"value":3000,"unit":"ms"}}]"#,
        serde_json::to_string(url).unwrap()
    );
    write(dir.path(), "m.json", &json);
    // The runner's variables, set on purpose over the hermetic environment.
    let run = common::run(
        common::command(dir.path())
            .args(["check", "--json", "report.json", "m.json"])
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_STEP_SUMMARY", dir.path().join("summary.md"))
            .env("GITHUB_OUTPUT", dir.path().join("output.txt")),
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let stdout = run.stdout;
    let mut lines = stdout.lines();
    assert_eq!(lines.next(), Some("::error title=perfbudget%3A lcp::LCP 3 s is 20%25 over the 2.5 s limit"));
    let stop = lines.next().unwrap();
    let token = stop.strip_prefix("::stop-commands::").unwrap();
    assert!(token.len() >= 32, "{token}");
    assert!(stdout.ends_with(&format!("::{token}::\n")), "the table is fenced: {stdout}");
    let summary = std::fs::read_to_string(dir.path().join("summary.md")).unwrap();
    assert!(summary.starts_with("<!-- perfbudget:v1 key=default -->\n### 🔴 perfbudget: red"));
    let outputs = std::fs::read_to_string(dir.path().join("output.txt")).unwrap();
    let delimiter = format!("ghadelimiter_{token}");
    assert_eq!(
        outputs,
        format!(
            "verdict<<{d}\nred\n{d}\nred<<{d}\n1\n{d}\nyellow<<{d}\n0\n{d}\ngreen<<{d}\n0\n{d}\njson<<{d}\nreport.json\n{d}\n",
            d = delimiter
        )
    );
    // Outside GitHub Actions none of this happens.
    let plain = perfbudget(dir.path(), &["check", "m.json"]);
    assert!(!plain.stdout.contains("::stop-commands::"));
}

#[test]
fn comment_re_renders_the_markdown_from_a_json_report() {
    let dir = temp();
    let run = check_demo(dir.path(), &["--json", "r.json", "--markdown", "direct.md", "--marker", "web"]);
    assert_eq!(run.code, 1);
    let comment = perfbudget(dir.path(), &["comment", "r.json", "--marker", "web"]);
    assert_eq!(comment.code, 0, "{}", comment.stderr);
    assert_eq!(comment.stdout, std::fs::read_to_string(dir.path().join("direct.md")).unwrap());
    write(dir.path(), "bad.json", "{\"schema_version\": 2}");
    let bad = perfbudget(dir.path(), &["comment", "bad.json"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("bad.json:1:"), "{}", bad.stderr);
}

/// A copy of the demo's sample inputs in a fresh folder, for `init` to find.
fn samples_copy() -> tempfile::TempDir {
    let dir = temp();
    for file in ["k6-handle-summary.json", "lighthouse-13.4.1.json"] {
        std::fs::copy(repo().join("samples").join(file), dir.path().join(file)).unwrap();
    }
    let status = Command::new("cp")
        .arg("-r")
        .arg(repo().join("samples/criterion"))
        .arg(dir.path().join("criterion"))
        .status()
        .unwrap();
    assert!(status.success());
    write(dir.path(), "package.json", r#"{"name": "shop"}"#);
    dir
}

#[test]
fn init_writes_a_starter_budget_that_is_green_beside_the_presets_targets() {
    let dir = samples_copy();
    let init = perfbudget(dir.path(), &["init"]);
    assert_eq!(init.code, 0, "{}", init.stderr);
    assert_eq!(
        init.stdout,
        "wrote perfbudget.yml: 13 checks from 3 inputs\n  k6-handle-summary.json\n  lighthouse-13.4.1.json\n  criterion\n\
         today: red — 2 red, 1 yellow, 11 green (the non-green checks are the Core Web Vitals targets of the preset: the gap to close)\n"
    );
    let budget = std::fs::read_to_string(dir.path().join("perfbudget.yml")).unwrap();
    insta::assert_snapshot!(budget);
    // The budget loads, and `check` agrees with what init said.
    let check = perfbudget(dir.path(), &["check", "-q"]);
    assert_eq!(check.stdout, "perfbudget: red — 2 red, 1 yellow, 11 green\n");
    let table = perfbudget(dir.path(), &["check"]).stdout;
    for own in ["fcp", "api_p95", "throughput", "Fibonacci/Iterative"] {
        let row = table.lines().find(|line| line.contains(own)).unwrap();
        assert!(row.contains("green"), "{row}");
    }
}

#[test]
fn init_never_overwrites_a_budget() {
    let dir = samples_copy();
    write(dir.path(), "perfbudget.yml", "version: 1\n");
    let init = perfbudget(dir.path(), &["init"]);
    assert_eq!(init.code, 2);
    assert_eq!(
        init.stderr,
        "error: perfbudget.yml exists: `perfbudget init` never overwrites a budget; remove it or pass --output FILE\n"
    );
    assert_eq!(std::fs::read_to_string(dir.path().join("perfbudget.yml")).unwrap(), "version: 1\n");
    let other = perfbudget(dir.path(), &["init", "--output", "perf/budget.yml", "k6-handle-summary.json"]);
    assert_eq!(other.code, 2, "the folder perf/ does not exist: {}", other.stderr);
    std::fs::create_dir(dir.path().join("perf")).unwrap();
    let other = perfbudget(dir.path(), &["init", "--output", "perf/budget.yml", "k6-handle-summary.json"]);
    assert_eq!(other.code, 0, "{}", other.stderr);
    assert!(other.stdout.starts_with("wrote perf/budget.yml: 3 checks from 1 inputs\n"), "{}", other.stdout);
}

#[test]
fn init_with_nothing_to_read_or_a_broken_named_input_exits_2() {
    let dir = temp();
    write(dir.path(), "package.json", r#"{"name": "shop"}"#);
    let empty = perfbudget(dir.path(), &["init"]);
    assert_eq!(empty.code, 2);
    assert!(empty.stderr.starts_with("error: found no Lighthouse, k6 or criterion output in "), "{}", empty.stderr);
    assert!(!dir.path().join("perfbudget.yml").exists());
    write(dir.path(), "lhr.json", r#"{"lighthouseVersion": "13.0.0", "audits": {"#);
    let broken = perfbudget(dir.path(), &["init", "lhr.json"]);
    assert_eq!(broken.code, 2);
    assert!(broken.stderr.contains("lhr.json"), "{}", broken.stderr);
    assert!(!dir.path().join("perfbudget.yml").exists());
}

#[test]
fn init_leaves_out_a_broken_report_it_found_and_says_so() {
    let dir = samples_copy();
    write(dir.path(), "old-lhr.json", r#"{"lighthouseVersion": "13.0.0", "audits": {"#);
    let init = perfbudget(dir.path(), &["init"]);
    assert_eq!(init.code, 0, "{}", init.stderr);
    assert!(init.stderr.contains("left out old-lhr.json: "), "{}", init.stderr);
    assert!(!std::fs::read_to_string(dir.path().join("perfbudget.yml")).unwrap().contains("old-lhr"));
}

#[test]
fn init_keeps_hostile_benchmark_ids_literal() {
    let dir = temp();
    let ids = ["parse/*", "a\"b\n- metric: lcp", "parse/json"];
    let measurements: Vec<String> = ids
        .iter()
        .zip([120.0, 80.0, 4000.0])
        .map(|(id, ns)| {
            format!(
                r#"{{"source":"criterion","metric":"bench_time","stat":"typical","subject":{{"id":{}}},"value":{ns},"unit":"ns"}}"#,
                serde_json::to_string(id).unwrap()
            )
        })
        .collect();
    write(dir.path(), "bench.json", &format!("[{}]", measurements.join(",")));
    let init = perfbudget(dir.path(), &["init"]);
    assert_eq!(init.code, 0, "{}", init.stderr);
    let budget = std::fs::read_to_string(dir.path().join("perfbudget.yml")).unwrap();
    assert!(budget.contains("    id: \"parse/\\\\*\"\n    max: 150 ns"), "{budget}");
    assert!(!budget.contains("\n- metric: lcp"), "{budget}");
    // `parse/*` as a glob would also take parse/json (4 µs) and be red: escaped, all green.
    let check = perfbudget(dir.path(), &["check", "-q"]);
    assert_eq!(check.stdout, "perfbudget: green — 0 red, 0 yellow, 3 green\n", "{}", check.stderr);
}
