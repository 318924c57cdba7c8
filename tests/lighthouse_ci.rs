//! Parity with Lighthouse CI: on the same `.lighthouseci/` folder (real runs, see
//! tests/fixtures/lighthouse/README.md), perfbudget's value and pass/fail for each
//! aggregation method equal what `lhci assert` compared and decided.

#![allow(clippy::unwrap_used, clippy::panic)] // test helpers: a failed setup should stop the test

use std::path::{Path, PathBuf};

use perfbudget::budget;
use perfbudget::evaluate::evaluate;
use perfbudget::ingest;
use perfbudget::model::Verdict;

fn generated() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lighthouse/generated")
}

/// perfbudget's equivalent of the assertions in `make-fixtures.sh`.
fn budget_for(method: &str) -> budget::Budget {
    let entries = [
        ("lcp", "max", "2000ms"),
        ("fcp", "max", "1800ms"),
        ("tbt", "max", "200ms"),
        ("cls", "max", "0.1"),
        ("speed_index", "max", "3400ms"),
        ("tti", "max", "3800ms"),
        ("page_weight.script", "max", "1000B"),
        ("score", "min", "90"),
    ];
    let mut yaml = String::from("version: 1\nbudgets:\n");
    for (metric, key, limit) in entries {
        yaml.push_str(&format!("  - metric: {metric}\n    {key}: {limit}\n    aggregate: {method}\n"));
    }
    budget::parse_str(&yaml, "parity.yml", Path::new("")).unwrap()
}

/// Lighthouse CI's assertion key -> perfbudget's metric and the factor between their scales.
fn metric_of(audit_id: &str, property: Option<&str>) -> (&'static str, f64) {
    match (audit_id, property) {
        ("largest-contentful-paint", None) => ("lcp", 1.0),
        ("first-contentful-paint", None) => ("fcp", 1.0),
        ("total-blocking-time", None) => ("tbt", 1.0),
        ("cumulative-layout-shift", None) => ("cls", 1.0),
        ("speed-index", None) => ("speed_index", 1.0),
        ("interactive", None) => ("tti", 1.0),
        ("resource-summary", Some("script.size")) => ("page_weight.script", 1.0),
        ("categories", Some("performance")) => ("score", 100.0),
        other => panic!("unexpected assertion {other:?}"),
    }
}

#[test]
fn values_and_verdicts_equal_lhci_assert_for_every_aggregation_method() {
    let folder = generated().join("lhci/.lighthouseci");
    let measurements = ingest::read_input(&folder, None).unwrap();
    let mut compared = 0;
    for method in ["median", "optimistic", "pessimistic", "median-run"] {
        let evaluation = evaluate(&budget_for(method), &measurements, None).unwrap();
        let results: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(generated().join(format!("lhci/assertion-results-{method}.json"))).unwrap(),
        )
        .unwrap();
        for assertion in results.as_array().unwrap() {
            let (metric, scale) =
                metric_of(assertion["auditId"].as_str().unwrap(), assertion["auditProperty"].as_str());
            let url = assertion["url"].as_str().unwrap();
            let ours = evaluation
                .checks
                .iter()
                .find(|c| c.metric == metric && c.subject.get("url") == Some(url))
                .unwrap_or_else(|| panic!("{method}: no {metric} row for {url}"));
            let theirs = assertion["actual"].as_f64().unwrap() * scale;
            let value = ours.value.unwrap();
            assert!(
                (value - theirs).abs() <= 1e-9 * theirs.abs().max(1.0),
                "{method} {metric} {url}: ours {value}, lhci {theirs}"
            );
            let passed = assertion["passed"].as_bool().unwrap();
            assert_eq!(ours.verdict != Verdict::Red, passed, "{method} {metric} {url}: {}", ours.message);
            let mut their_runs: Vec<f64> =
                assertion["values"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap() * scale).collect();
            // Lighthouse CI lists the values it aggregated: every run's, or for median-run
            // (except categories) the representative run's alone.
            if method != "median-run" || metric == "score" {
                let mut our_runs = ours.runs.clone();
                our_runs.sort_by(f64::total_cmp);
                their_runs.sort_by(f64::total_cmp);
                assert_eq!(our_runs.len(), their_runs.len(), "{method} {metric} {url}");
                for (ours, theirs) in our_runs.iter().zip(&their_runs) {
                    assert!((ours - theirs).abs() <= 1e-9 * theirs.abs().max(1.0), "{method} {metric} {url}");
                }
            } else {
                assert_eq!(their_runs, vec![value], "{method} {metric} {url}: the representative run's value");
            }
            compared += 1;
        }
    }
    // 2 pages × 8 assertions × 4 methods.
    assert_eq!(compared, 64);
}

#[test]
fn median_run_picks_the_run_lhci_calls_representative() {
    // On the slow page, median and median-run differ for TBT; both must match lhci.
    let folder = generated().join("lhci/.lighthouseci");
    let measurements = ingest::read_input(&folder, None).unwrap();
    let median = evaluate(&budget_for("median"), &measurements, None).unwrap();
    let median_run = evaluate(&budget_for("median-run"), &measurements, None).unwrap();
    let tbt = |evaluation: &perfbudget::model::Evaluation| {
        evaluation
            .checks
            .iter()
            .find(|c| c.metric == "tbt" && c.subject.get("url") == Some("http://127.0.0.1:8765/slow.html"))
            .unwrap()
            .clone()
    };
    assert_eq!(tbt(&median).value, Some(2106.0), "the middle of 2128, 2106 and 2097");
    let representative = tbt(&median_run);
    // Another run than the median's value: otherwise this would not tell the two apart.
    assert!(representative.value.is_some_and(|value| value != 2106.0), "{:?}", representative.value);
    assert!(representative.message.contains("(representative run "), "{}", representative.message);
}

#[test]
fn a_real_user_flow_gives_the_slow_clicks_inp() {
    let flow = generated().join("flow/slow-click-flow.json");
    let measurements = ingest::read_input(&flow, None).unwrap();
    let budget = budget::parse_str("inp: 200ms\n", "b.yml", Path::new("")).unwrap();
    let evaluation = evaluate(&budget, &measurements, None).unwrap();
    assert_eq!(evaluation.checks.len(), 1);
    let inp = &evaluation.checks[0];
    assert_eq!(inp.value, Some(428.31));
    assert_eq!(inp.subject.get("step"), Some("Click three times"));
    assert_eq!(inp.verdict, Verdict::Red);
    assert_eq!(inp.message, "INP 428.3 ms is 114% over the 200 ms limit");
}

#[test]
fn mobile_and_desktop_runs_of_one_page_are_separate_subjects() {
    let runs = generated().join("runs");
    let measurements = ingest::read_input(&runs, None).unwrap();
    let budget = budget::parse_str("version: 1\nlimits:\n  cls: 0.1\n", "b.yml", Path::new("")).unwrap();
    let evaluation = evaluate(&budget, &measurements, None).unwrap();
    let rows: Vec<(Option<&str>, usize, Option<f64>)> =
        evaluation.checks.iter().map(|c| (c.subject.get("form_factor"), c.runs.len(), c.value)).collect();
    assert_eq!(
        rows,
        vec![(Some("desktop"), 0, Some(0.1526278047730798)), (Some("mobile"), 3, Some(0.0926178979312303))]
    );
}
