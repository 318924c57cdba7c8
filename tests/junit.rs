//! JUnit XML from many producers (tests/fixtures/junit: public reports copied from their
//! projects, and generated/ made here by make-fixtures.sh with pytest 9.2.0, vitest 3.2.7,
//! jest 29.7.0 with jest-junit 16.0.0 and cargo-nextest 0.9.143): each report's total by
//! the documented rule, its test count and its suites, and budgets over them through the
//! binary.

#![allow(clippy::unwrap_used)] // test setup: a failure should stop the test

mod common;

use perfbudget::ingest::{self, Measurement};

fn read(path: &str) -> Vec<Measurement> {
    ingest::read_input(&common::repo().join("tests/fixtures/junit").join(path), None).unwrap()
}

/// The report's total: (rule, seconds, test cases, suites).
fn total(measurements: &[Measurement]) -> (String, f64, f64, usize) {
    let whole = |metric: &str| {
        measurements.iter().find(|m| m.metric == metric && m.subject.get("suite").is_none()).unwrap().clone()
    };
    let time = whole("test_time");
    let suites = measurements.iter().filter(|m| m.metric == "test_time" && m.subject.get("suite").is_some()).count();
    (time.stat.unwrap_or_default(), time.value.unwrap(), whole("test_count").value.unwrap(), suites)
}

#[test]
fn every_producer_total_by_its_rule() {
    // (file, rule, total s, test cases, suites): the rule is the first of root `time`,
    // the top-level suites' `time`, the cases' `time` that the report has.
    let expected: &[(&str, &str, f64, f64, usize)] = &[
        ("generated/pytest.xml", "suites", 0.214, 5.0, 1),
        ("generated/vitest.xml", "root", 0.125551098, 5.0, 2),
        ("generated/jest-junit.xml", "root", 0.591, 5.0, 2),
        ("generated/nextest.xml", "root", 0.113, 3.0, 2),
        ("public/dorny-jest-junit.xml", "root", 1.36, 6.0, 2),
        ("public/dorny-jest-junit-empty-testsuite.xml", "root", 11.299, 0.0, 1),
        ("public/dorny-python-xunit-pytest.xml", "suites", 0.019, 10.0, 1),
        ("public/enricomi-pytest-junit.gloo.elastic.xml", "suites", 72.194, 14.0, 1),
        ("public/gotestsum-junitxml-report.golden.xml", "root", 2.1, 60.0, 5),
        ("public/quick-junit-basic_report.xml", "root", 42.235, 8.0, 1),
        ("public/surefire-TEST-org.acme.FlakyTest.xml", "suites", 1.324, 2.0, 1),
        ("public/surefire-TEST-NoTimeTestCaseTest.xml", "suites", 0.563, 8.0, 1),
        ("public/dorny-surefire-TEST-org.apache.pulsar.AddMissingPatchVersionTest.xml", "suites", 0.116, 2.0, 1),
        ("public/enricomi-mocha-latex-utensils.xml", "suites", 0.29, 109.0, 1),
        ("public/enricomi-scalatest-DiffOptionsSuite.xml", "suites", 2.238, 5.0, 1),
        ("public/enricomi-xunit.xml", "root", 4.26, 2.0, 1),
        ("public/dorny-swift-xunit.xml", "suites", 0.22047725, 3.0, 1),
        ("public/enricomi-no-cases.xml", "suites", 0.01, 0.0, 1),
        // PHPUnit-style nesting: the outer suite is the sum of the inner ones, which alone
        // are suites here, so a sum over suites counts no test twice.
        ("public/enricomi-testsuite-in-testsuite.xml", "suites", 4.807419, 5.0, 4),
        ("public/enricomi-testsuite-root.xml", "suites", 4.807419, 5.0, 4),
    ];
    for (file, rule, seconds, cases, suites) in expected {
        let (got_rule, got_seconds, got_cases, got_suites) = total(&read(file));
        assert_eq!((got_rule.as_str(), got_cases, got_suites), (*rule, *cases, *suites), "{file}");
        assert!((got_seconds - seconds).abs() < 1e-12, "{file}: {got_seconds} s");
    }
}

#[test]
fn suites_without_time_sum_their_cases() {
    // nextest writes no `time` on its suites: each is the sum of its cases'.
    let measurements = read("generated/nextest.xml");
    let suite =
        measurements.iter().find(|m| m.metric == "test_time" && m.subject.get("suite") == Some("api::orders")).unwrap();
    assert_eq!((suite.stat.as_deref(), suite.value), (Some("cases"), Some(0.028 + 0.085)));
    // Bazel writes time="0" on its cases: no data, never a 0 s pass.
    let bazel = read("public/enricomi-bazel-suite-logs.xml");
    assert!(bazel.iter().filter(|m| m.metric == "test_time").all(|m| m.value.is_none()), "{bazel:?}");
}

#[test]
fn a_suite_glob_sums_the_matched_suites_through_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = common::repo().join("tests/fixtures/junit/generated");
    let budget = format!(
        "version: 1\ninputs: [{0}/vitest.xml, {0}/pytest.xml]\nbudgets:\n  - {{ name: UI tests, metric: test_time, suite: \"tests/ui/*\", max: 20s }}\n  - {{ name: UI count, metric: test_count, suite: \"tests/ui/*\", min: 6 }}\n  - {{ name: all tests, metric: test_time, max: 0.3s }}\n",
        fixtures.display()
    );
    std::fs::write(dir.path().join("perfbudget.yml"), budget).unwrap();
    let run = common::perfbudget(dir.path(), &["check", "--json", "report.json"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("report.json")).unwrap()).unwrap();
    let row = |name: &str| report["checks"].as_array().unwrap().iter().find(|c| c["budget"] == name).unwrap().clone();
    // The two vitest files: 0.042547794 s + 0.083003304 s.
    assert_eq!(row("UI tests")["value"], 0.042547794 + 0.083003304);
    assert_eq!(row("UI tests")["verdict"], "green");
    assert_eq!(row("UI count")["value"], 5.0);
    assert_eq!(row("UI count")["verdict"], "red");
    // Without `suite:`, the reports' totals: vitest's root time and pytest's session.
    assert_eq!(row("all tests")["value"], 0.125551098 + 0.214);
    assert_eq!(row("all tests")["verdict"], "red");
}
