//! The WebPageTest, CloudWatch (EMF, Lambda) and JUnit fixtures broken as a gate meets them:
//! cut mid-record, a number that is no number, a metric without its value. Each is refused
//! (exit 2) with a message naming the file and the line, never read into a pass.

use std::fs;

use super::{common::repo, refused};

/// The fixture's bytes cut inside the line that holds `marker` (just before it), so even a
/// line-read format is cut mid-record.
fn cut_before(fixture: &str, marker: &str) -> Vec<u8> {
    let bytes = fs::read(repo().join("tests/fixtures").join(fixture)).unwrap();
    let at = bytes.windows(marker.len()).position(|window| window == marker.as_bytes());
    assert!(at.is_some(), "{fixture} has no {marker:?}");
    bytes[..at.unwrap()].to_vec()
}

#[test]
fn cut_and_garbled_server_logs_web_results_and_test_reports_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let emf = fs::read_to_string(repo().join("tests/fixtures/cloudwatch-emf/generated/python.log")).unwrap();
    let emf_line = |number: usize, edit: &dyn Fn(&str) -> String| -> Vec<u8> {
        let lines: Vec<String> = emf
            .lines()
            .enumerate()
            .map(|(i, line)| if i + 1 == number { edit(line) } else { line.to_owned() })
            .collect();
        lines.join("\n").into_bytes()
    };
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        // EMF cut inside its 5th line, a NaN and a negative share written into one.
        (
            "emf-cut.log",
            emf_line(5, &|line| line[..line.len() / 2].to_owned()),
            "emf-cut.log:5: an EMF document or platform.report record that is not whole JSON",
        ),
        (
            "emf-nan.log",
            emf_line(5, &|line| line.replacen("\"Latency\": ", "\"Latency\": NaN, \"x\": ", 1)),
            "emf-nan.log:5: an EMF document",
        ),
        (
            "emf-no-value.log",
            emf_line(5, &|line| line.replacen("\"Latency\": ", "\"LatencyMs\": ", 1)),
            "emf-no-value.log:5: metric `Latency` (namespace `Shop`): the document has no value for it",
        ),
        (
            "emf-string.log",
            emf_line(3, &|line| line.replacen("\"DbQueryTime\": [", "\"DbQueryTime\": [\"12\", ", 1)),
            "emf-string.log:3: metric `DbQueryTime` (namespace `Shop`): the value \"12\" is not a number",
        ),
        // Lambda: a REPORT line cut after `Max Mem`, a platform.report record cut mid-line.
        (
            "report-cut.log",
            cut_before("lambda/report-lines.log", "ory Used: 90 MB"),
            "report-cut.log:3: `Max Mem` after the last field (cut short?)",
        ),
        (
            "platform-cut.ndjson",
            cut_before("lambda/public/datadog-test-platform-report.ndjson", "\"initDurationMs\":985"),
            "platform-cut.ndjson:3: an EMF document or platform.report record that is not whole JSON",
        ),
        // JUnit cut mid-element; a time with a thousands separator.
        ("vitest-cut.xml", cut_before("junit/generated/vitest.xml", "name=\"Form &gt; validates\""), "(cut short?)"),
        (
            "vitest-comma.xml",
            String::from_utf8(fs::read(repo().join("tests/fixtures/junit/generated/vitest.xml")).unwrap())
                .unwrap()
                .replacen("time=\"0.125551098\"", "time=\"1,125.551098\"", 1)
                .into_bytes(),
            "vitest-comma.xml:2:1: <testsuites> has time=\"1,125.551098\", which is not a number of seconds",
        ),
        // WebPageTest cut in its runs.
        (
            "wpt-cut.json",
            cut_before("webpagetest/api-nodejs-testResults.json", "\"repeatView\""),
            "(the file ends early: truncated?)",
        ),
    ];
    for (name, bytes, reason) in &cases {
        fs::write(dir.path().join(name), bytes).unwrap();
        refused(dir.path(), &["measure", name], name, &[reason]);
    }
    assert_eq!(cases.len(), 9);
}
