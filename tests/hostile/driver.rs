//! Issue 13, items 1, 2, 6 and 9: every value passes one validating driver whatever the
//! path it came by, a broken report in a folder is an error, and baselines at or below 0
//! (or beyond range) never turn a slowdown green.

use std::fs;
use std::path::Path;

use super::{common::repo, edited_lhr, lcp_numeric_value, perfbudget, refused};

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

/// Item 1: a folder's files get the same range check as a file named directly; two runs of
/// 1e308 ms and -1e308 gave a NaN median, which is green against any limit.
#[test]
fn values_read_from_a_folder_are_range_checked() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("runs")).unwrap();
    let lcp = lcp_numeric_value();
    edited_lhr(&dir.path().join("runs"), "lhr-1.json", &lcp, "\"numericValue\": 1e308");
    edited_lhr(&dir.path().join("runs"), "lhr-2.json", &lcp, "\"numericValue\": -1e308");
    write(dir.path(), "b.yml", "version: 1\nbudgets:\n  - { metric: lcp, max: 2.5s, aggregate: median }\n");
    let stderr = refused(
        dir.path(),
        &["check", "--budget", "b.yml", "runs"],
        "lhr-1.json",
        &["lcp for http://localhost:10200/dobetterweb/dbw_tester.html (data=lab"],
    );
    assert!(stderr.contains("lcp for http://localhost:10200/dobetterweb/dbw_tester.html"), "{stderr}");
    assert!(stderr.ends_with(": value 1e308 ms is out of range\n"), "{stderr}");
}

/// Item 1: values that are finite but physically impossible.
#[test]
fn impossible_values_are_refused_with_the_rule_they_break() {
    let dir = tempfile::tempdir().unwrap();
    let lcp = lcp_numeric_value();
    edited_lhr(dir.path(), "negative.json", &lcp, "\"numericValue\": -2500");
    let stderr = refused(
        dir.path(),
        &["measure", "negative.json"],
        "negative.json",
        &["lcp for http://localhost:10200/dobetterweb/dbw_tester.html (data=lab"],
    );
    assert!(stderr.ends_with("value -2500 ms is impossible: a time from lighthouse is at least 0\n"), "{stderr}");

    edited_lhr(dir.path(), "score.json", "\"score\": 0.32", "\"score\": 7.5");
    write(dir.path(), "score.yml", "version: 1\nlimits:\n  score: 90\n");
    let stderr = refused(
        dir.path(),
        &["check", "--budget", "score.yml", "score.json"],
        "score.json",
        &["score for http://localhost:10200/dobetterweb/dbw_tester.html"],
    );
    assert!(
        stderr.ends_with(
            "value 750 is impossible: a score from lighthouse is 0 to 100 (a Lighthouse report writes it as 0 to 1)\n"
        ),
        "{stderr}"
    );

    let k6 = fs::read_to_string(repo().join("samples/k6-handle-summary.json")).unwrap();
    let failed =
        r#""http_req_failed":{"type":"rate","contains":"default","values":{"passes":0,"fails":1424,"rate":0}}"#;
    assert!(k6.contains(failed));
    write(dir.path(), "k6.json", &k6.replace(failed, &failed.replace("\"rate\":0}", "\"rate\":-0.5}")));
    write(dir.path(), "k6.yml", "version: 1\nlimits:\n  error_rate: 1%\n");
    let stderr = refused(
        dir.path(),
        &["check", "--budget", "k6.yml", "k6.json"],
        "k6.json",
        &["http_req_failed rate: value -0.5 is impossible: a ratio from k6 is a"],
    );
    assert!(
        stderr.contains("http_req_failed rate: value -0.5 is impossible: a ratio from k6 is a fraction from 0 to 1"),
        "{stderr}"
    );
}

/// Item 1: what the sources document as possible is still read, and `check` never writes a
/// report that `--baseline` or `comment` then refuses (k6's negative durations).
#[test]
fn a_report_check_writes_is_one_baseline_and_comment_read_back() {
    let dir = tempfile::tempdir().unwrap();
    fs::copy(repo().join("samples/k6-handle-summary.json"), dir.path().join("k6.json")).unwrap();
    write(
        dir.path(),
        "b.yml",
        "version: 1\nbudgets:\n  - { metric: k6, k6_metric: http_req_duration, stat: min, regression: 10% }\n  - { metric: api_p95, max: 500ms }\n",
    );
    let first = perfbudget(dir.path(), &["check", "--budget", "b.yml", "--json", "base.json", "k6.json"]);
    assert_eq!(first.code, 0, "{}{}", first.stdout, first.stderr);
    let report = fs::read_to_string(dir.path().join("base.json")).unwrap();
    assert!(report.contains("-401.453365"), "the negative minimum is kept as k6 wrote it");
    let again = perfbudget(
        dir.path(),
        &["check", "--budget", "b.yml", "--baseline", "base.json", "--json", "now.json", "k6.json"],
    );
    assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);
    let now = fs::read_to_string(dir.path().join("now.json")).unwrap();
    assert!(now.contains("http_req_duration min -401.5 ms is the same as the baseline"), "{now}");
    let comment = perfbudget(dir.path(), &["comment", "base.json"]);
    assert_eq!(comment.code, 0, "{}", comment.stderr);
}

/// Item 2: an empty or cut-off report beside good ones is an error naming it, not a run
/// that did not happen; other JSON (Lighthouse CI's manifest) is still skipped.
#[test]
fn broken_reports_in_a_folder_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let lhci = dir.path().join(".lighthouseci");
    fs::create_dir(&lhci).unwrap();
    fs::copy(repo().join("samples/lighthouse-13.4.1.json"), lhci.join("lhr-1.json")).unwrap();
    write(&lhci, "manifest.json", r#"[{"url":"http://localhost/","isRepresentativeRun":true}]"#);
    write(dir.path(), "b.yml", "version: 1\nbudgets:\n  - { metric: lcp, max: 20s }\n");
    let good = perfbudget(dir.path(), &["check", "--budget", "b.yml", ".lighthouseci"]);
    assert_eq!(good.code, 0, "{}{}", good.stdout, good.stderr);

    write(&lhci, "lhr-2.json", "");
    let stderr = refused(
        dir.path(),
        &["check", "--budget", "b.yml", ".lighthouseci"],
        "lhr-2.json",
        &["named like a Lighthouse CI report (lhr-*.json) but the file is empty"],
    );
    assert!(stderr.contains("named like a Lighthouse CI report (lhr-*.json) but the file is empty"), "{stderr}");

    let lhr = fs::read_to_string(repo().join("samples/lighthouse-13.4.1.json")).unwrap();
    // Cut before the keys detection looks for, so no format claims what is left.
    write(&lhci, "lhr-2.json", &lhr[..lhr.find("\"lighthouseVersion\"").unwrap()]);
    let stderr = refused(
        dir.path(),
        &["check", "--budget", "b.yml", ".lighthouseci"],
        "lhr-2.json",
        &["named like a Lighthouse CI report (lhr-*.json) but is not valid JSON"],
    );
    assert!(stderr.contains("is not valid JSON at line"), "{stderr}");
    assert!(stderr.contains("truncated?"), "{stderr}");

    write(&lhci, "lhr-2.json", r#"{"requestedUrl": "http://localhost/"}"#);
    let stderr = refused(
        dir.path(),
        &["check", "--budget", "b.yml", ".lighthouseci"],
        "lhr-2.json",
        &["named like a Lighthouse CI report (lhr-*.json) but is not a"],
    );
    assert!(stderr.contains("is not a Lighthouse report"), "{stderr}");

    fs::remove_file(lhci.join("lhr-2.json")).unwrap();
    write(&lhci, "other.json", "{\"a\": [1, 2");
    let stderr = refused(
        dir.path(),
        &["check", "--budget", "b.yml", ".lighthouseci"],
        "other.json",
        &["named like a report but is not valid JSON at line 1, column 11: EOF"],
    );
    assert!(stderr.contains("named like a report but is not valid JSON at line 1"), "{stderr}");
}

/// Item 6: a negative baseline (k6 reports negative durations) made a slowdown read as
/// "162% better"; an infinite one gave NaN and green.
#[test]
fn baselines_at_or_below_zero_or_out_of_range_never_call_a_slowdown_better() {
    let dir = tempfile::tempdir().unwrap();
    let p95 = |ms: &str| {
        format!(r#"[{{"source":"k6","metric":"http_req_duration","stat":"p(95)","value":{ms},"unit":"ms"}}]"#)
    };
    write(dir.path(), "base.json", &p95("-401"));
    write(dir.path(), "now.json", &p95("250"));
    write(dir.path(), "b.yml", "version: 1\nbudgets:\n  - { metric: api_p95, regression: 10% }\n");
    let base = perfbudget(dir.path(), &["check", "--budget", "b.yml", "--json", "report.json", "base.json"]);
    assert_ne!(base.code, 2, "{}", base.stderr);
    let run = perfbudget(dir.path(), &["check", "--budget", "b.yml", "--baseline", "report.json", "now.json"]);
    assert_eq!(run.code, 0, "yellow passes unless --fail-on yellow: {}", run.stderr);
    assert!(run.stdout.contains("is worse than the baseline -401 ms"), "{}", run.stdout);
    assert!(!run.stdout.contains("better"), "{}", run.stdout);
    let strict = perfbudget(
        dir.path(),
        &["check", "--budget", "b.yml", "--baseline", "report.json", "--fail-on", "yellow", "now.json"],
    );
    assert_eq!(strict.code, 1, "{}", strict.stdout);

    let report = fs::read_to_string(dir.path().join("report.json")).unwrap();
    assert!(report.contains("\"value\": -401.0"), "{report}");
    let edited = report.replace("\"value\": -401.0", "\"value\": 1e308").replace("\"unit\": \"ms\"", "\"unit\": \"s\"");
    write(dir.path(), "huge.json", &edited);
    let stderr = refused(
        dir.path(),
        &["check", "--budget", "b.yml", "--baseline", "huge.json", "now.json"],
        "huge.json",
        &["checks[0] (api_p95, http_req_duration): value 1e308 s is out of range"],
    );
    assert!(stderr.contains("checks[0] (api_p95, http_req_duration): value 1e308 s is out of range"), "{stderr}");
}

/// Item 9: a `metric: k6` entry with only `regression:` was red against an identical
/// baseline, its unit falling back to a plain number.
#[test]
fn a_regression_only_k6_entry_works() {
    let dir = tempfile::tempdir().unwrap();
    fs::copy(repo().join("samples/k6-handle-summary.json"), dir.path().join("k6.json")).unwrap();
    write(
        dir.path(),
        "b.yml",
        "version: 1\nbudgets:\n  - { metric: k6, k6_metric: http_req_duration, stat: p(95), regression: 10% }\n",
    );
    let base = perfbudget(dir.path(), &["check", "--budget", "b.yml", "--json", "base.json", "k6.json"]);
    assert_eq!(base.code, 0, "{}{}", base.stdout, base.stderr);
    let run = perfbudget(
        dir.path(),
        &["check", "--budget", "b.yml", "--baseline", "base.json", "--json", "now.json", "k6.json"],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let now = fs::read_to_string(dir.path().join("now.json")).unwrap();
    assert!(now.contains("is the same as the baseline"), "{now}");
    assert!(run.stdout.ends_with("perfbudget: green — 0 red, 0 yellow, 2 green\n"), "{}", run.stdout);
    assert!(!run.stdout.contains("cannot apply"), "{}", run.stdout);
}

/// `count` criterion benchmarks as measurements JSON.
fn benchmarks(count: usize) -> String {
    let rows: Vec<String> = (0..count)
        .map(|i| {
            format!(
                r#"{{"source":"criterion","metric":"bench_time","subject":{{"id":"b{i}"}},"value":{i},"unit":"ns"}}"#
            )
        })
        .collect();
    format!("[{}]", rows.join(",\n"))
}

/// `entries` budget entries that each select every benchmark.
fn broad_budget(entries: usize) -> String {
    let mut yaml = String::from("version: 1\nbudgets:\n");
    for i in 0..entries {
        yaml.push_str(&format!("  - {{ name: e{i}, metric: bench_time, id: \"*\", max: 1ms }}\n"));
    }
    yaml
}

/// Item 17: rows are entries × subjects at about 850 bytes each; a small budget over a large
/// input grew without bound (6.7 GB for 50 kB × 10,000 measurements).
#[test]
fn rows_and_selections_are_bounded() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "m.json", &benchmarks(10_000));
    write(dir.path(), "rows.yml", &broad_budget(21));
    let stderr = refused(
        dir.path(),
        &["check", "--budget", "rows.yml", "m.json"],
        "rows.yml",
        &[r#"the budget would make more than 200000 result rows (entry "e20""#],
    );
    assert_eq!(
        stderr,
        "error: rows.yml: the budget would make more than 200000 result rows (entry \"e20\" reaches it); narrow the \
         entries' selectors (url:, id:, tags:, files:) or split the gate into several runs\n"
    );
    write(dir.path(), "pairs.yml", &broad_budget(1_000));
    let stderr = refused(
        dir.path(),
        &["check", "--budget", "pairs.yml", "m.json"],
        "pairs.yml",
        &["the budget's entries select more than 5000000 measurements in all"],
    );
    assert!(stderr.contains("select more than 5000000 measurements in all"), "{stderr}");
    // Just under the bound, the run is judged as usual.
    write(dir.path(), "fits.yml", &broad_budget(20));
    let run = perfbudget(dir.path(), &["check", "--budget", "fits.yml", "m.json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.ends_with("perfbudget: green — 0 red, 0 yellow, 200000 green\n"),
        "{}",
        &run.stdout[run.stdout.len() - 200..]
    );
}

/// A FIFO or a device named as an input or as the budget waited forever for a writer.
#[test]
fn pipes_and_devices_are_refused_before_they_are_opened() {
    let dir = tempfile::tempdir().unwrap();
    let made = std::process::Command::new("mkfifo").arg(dir.path().join("pipe.json")).status().unwrap();
    assert!(made.success());
    let stderr = refused(
        dir.path(),
        &["measure", "pipe.json"],
        "pipe.json",
        &["not a regular file (a FIFO); an input is a report file or a folder of"],
    );
    assert_eq!(
        stderr,
        "error: pipe.json: not a regular file (a FIFO); an input is a report file or a folder of them\n"
    );
    let stderr = refused(
        dir.path(),
        &["measure", "--input-format", "k6-stream", "pipe.json"],
        "pipe.json",
        &["not a regular file (a FIFO); an input is a report file or a folder of"],
    );
    assert!(stderr.contains("not a regular file (a FIFO)"), "{stderr}");
    let stderr = refused(
        dir.path(),
        &["validate", "pipe.json"],
        "pipe.json",
        &["cannot read the budget file: pipe.json: not a regular file (a FIFO)"],
    );
    assert!(stderr.contains("not a regular file (a FIFO); perfbudget reads files, not pipes or devices"), "{stderr}");
    let stderr = refused(
        dir.path(),
        &["measure", "/dev/zero"],
        "/dev/zero",
        &["not a regular file (a character device); an input is a report file or"],
    );
    assert!(stderr.contains("not a regular file (a character device)"), "{stderr}");
}
