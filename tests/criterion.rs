//! The statistical regression rule on a real criterion tree: the same benchmarks run fast
//! (saved as `base`) and then with SLOW=1 (`new`), see tests/fixtures/criterion/README.md.

#![allow(clippy::unwrap_used)] // test setup: a failure should stop the test

use std::path::Path;

mod common;

use perfbudget::baseline::Baseline;
use perfbudget::budget;
use perfbudget::evaluate::evaluate;
use perfbudget::ingest::{self, criterion};
use perfbudget::report::json::{BudgetInfo, Report};

/// Runs the binary in `dir` with `args`, then the given input paths.
fn perfbudget(dir: &Path, args: &[&str], inputs: &[&Path]) -> common::Run {
    common::run(common::command(dir).args(args).args(inputs))
}

#[test]
fn the_slowed_benchmarks_are_red_and_the_rest_pass() {
    let tree = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/criterion/generated/tree");
    let budget =
        budget::parse_str("version: 1\nbudgets:\n  - metric: bench_time\n    regression: 5%\n", "b.yml", Path::new(""))
            .unwrap();
    let base = criterion::read_tree(&tree, "base").unwrap();
    let base_report =
        Report::new(evaluate(&budget, &base, None).unwrap(), BudgetInfo { name: None, file: "b.yml".into() });
    let baseline = Baseline::from_report(&base_report);
    let new = ingest::read_input(&tree, None).unwrap();
    let mut evaluation = evaluate(&budget, &new, Some(&baseline)).unwrap();
    ingest::annotate(&mut evaluation, &new);
    let verdicts: Vec<(&str, &str, String)> = evaluation
        .checks
        .iter()
        .map(|c| (c.subject.get("id").unwrap(), c.verdict.as_str(), quantity(c.change.unwrap())))
        .collect();
    // criterion's own verdicts on this run (run2.txt): fib 30 and sizes/hash/* "regressed",
    // the rest "no change" or "within noise threshold".
    assert_eq!(
        verdicts,
        vec![
            ("fib 30", "red", "+102%".to_owned()),
            ("sizes/16", "green", "-1.4%".to_owned()),
            ("sizes/256", "green", "-0.09%".to_owned()),
            ("sizes/hash/16", "red", "+99%".to_owned()),
            ("sizes/hash/256", "red", "+191%".to_owned()),
            ("text/parse/count words", "green", "+0.03%".to_owned()),
            ("text/parse/csv:line?v2", "green", "+1.2%".to_owned()),
        ]
    );
}

fn quantity(change: f64) -> String {
    perfbudget::quantity::signed_percent(change)
}

#[test]
fn a_saved_baseline_of_the_same_tree_is_the_comparison() {
    let tree = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/criterion/generated/tree");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("b.yml"), "version: 1\nbudgets:\n  - metric: bench_time\n    regression: 5%\n")
        .unwrap();
    let run = perfbudget(
        dir.path(),
        &["check", "--budget", "b.yml", "--json", "r.json", "--criterion-baseline", "base"],
        &[&tree],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("r.json")).unwrap()).unwrap();
    let fib = report["checks"].as_array().unwrap().iter().find(|c| c["subject"]["id"] == "fib 30").unwrap();
    assert_eq!(fib["verdict"], "red");
    let message = fib["message"].as_str().unwrap();
    assert!(message.starts_with("Bench time 518.3 ns is 102% worse than the baseline 256 ns (allowed: 5%), and the 95% intervals do not overlap"), "{message}");
    // criterion's own comparison of the same run, from its change/estimates.json.
    assert!(message.ends_with("; criterion's own run: mean +102% [+102%, +103%], regressed"), "{message}");

    let missing = perfbudget(dir.path(), &["check", "--budget", "b.yml", "--criterion-baseline", "nightly"], &[&tree]);
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.contains("no input holds a criterion baseline `nightly/`"), "{}", missing.stderr);
}

#[test]
fn benchmarks_left_from_an_earlier_run_are_not_read_as_results_and_said() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/criterion/generated/tree");
    let dir = tempfile::tempdir().unwrap();
    for bench in ["fib 30", "sizes/16"] {
        let to = dir.path().join("criterion").join(bench).join("new");
        std::fs::create_dir_all(&to).unwrap();
        for file in ["benchmark.json", "estimates.json"] {
            std::fs::copy(fixture.join(bench).join("new").join(file), to.join(file)).unwrap();
        }
    }
    // `sizes/16` was written an hour before `fib 30`, which has no samples to explain the
    // gap: a leftover of an earlier run.
    let old =
        std::fs::File::options().write(true).open(dir.path().join("criterion/sizes/16/new/benchmark.json")).unwrap();
    old.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(3600)).unwrap();
    drop(old);
    let inputs = ingest::read_inputs(&[dir.path().join("criterion")], &ingest::Options::default()).unwrap();
    // Its results are not read: no measurement of it has a value.
    let values: Vec<(&str, Option<f64>)> =
        inputs.measurements.iter().map(|m| (m.subject.get("id").unwrap(), m.value)).collect();
    assert!(values.iter().all(|(id, value)| (*id == "fib 30") == value.is_some()), "{values:?}");
    assert!(values.iter().any(|(id, _)| *id == "fib 30"), "{values:?}");
    assert_eq!(inputs.warnings.len(), 1);
    assert!(
        inputs.warnings[0]
            .starts_with("1 criterion benchmark(s) left over from an earlier run are not read as results"),
        "{}",
        inputs.warnings[0]
    );
    assert!(inputs.warnings[0].contains("criterion/sizes/16"));

    let run = perfbudget(dir.path(), &["measure", "criterion"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.starts_with("warning: 1 criterion benchmark(s) left over from an earlier run"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("(written about 60 minutes or more before the latest run's first benchmark"),
        "{}",
        run.stderr
    );
    // Listed without a value, never dropped.
    assert!(run.stdout.contains("fib 30") && run.stdout.contains("sizes/16"), "{}", run.stdout);
}

#[test]
fn a_saved_baseline_can_be_read_as_the_current_results() {
    let tree = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/criterion/generated/tree");
    let run = perfbudget(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &["measure", "--format", "json", "--criterion-current", "base"],
        &[&tree],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let measurements: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let fib = measurements
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["subject"]["id"] == "fib 30" && m["stat"] == "typical")
        .unwrap();
    let base: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(tree.join("fib 30/base/estimates.json")).unwrap()).unwrap();
    assert_eq!(fib["value"], base["slope"]["point_estimate"]);
}

#[test]
fn a_tree_without_benchmarks_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("criterion/report")).unwrap();
    std::fs::write(dir.path().join("criterion/report/index.html"), "<html></html>").unwrap();
    let run = perfbudget(dir.path(), &["measure", "criterion"], &[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("criterion: no file in this folder is an input perfbudget reads"), "{}", run.stderr);
}

#[test]
fn in_the_default_flow_only_change_holds_the_comparison() {
    // After `cargo bench` twice (fast, then SLOW=1), base/ was overwritten with new/: a
    // baseline comparison finds nothing, and criterion's change/ shows the regression.
    let tree = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/criterion/generated/default-flow/tree");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("b.yml"),
        "version: 1\nbudgets:\n  - metric: bench_time\n    id: \"fib 30\"\n    regression: 5%\n",
    )
    .unwrap();
    let run = perfbudget(
        dir.path(),
        &["check", "--budget", "b.yml", "--json", "r.json", "--criterion-baseline", "base"],
        &[&tree],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("r.json")).unwrap()).unwrap();
    let fib = &report["checks"][0];
    assert_eq!(fib["change"], 0.0, "base/ is new/");
    let message = fib["message"].as_str().unwrap();
    assert!(message.contains("; criterion's own run: mean +"), "{message}");
    assert!(message.ends_with("regressed"), "{message}");
}
