//! hyperfine's real exports (tests/fixtures/hyperfine, made by its make-fixtures.sh with
//! hyperfine 1.15.0 and 1.20.0): every number read equals hyperfine's own JSON, the CSV
//! equals the JSON, and budgets over them give the right verdicts through the binary.

#![allow(clippy::unwrap_used)] // test setup: a failure should stop the test

use std::path::{Path, PathBuf};

mod common;

use perfbudget::ingest::{self, Measurement};

const VERSIONS: [&str; 2] = ["v1.15.0", "v1.20.0"];

/// The exports that hold results (the aborted-first ones are empty files).
const RUNS: [&str; 7] = ["sleep", "sleep-no-shell", "scan", "lists", "single", "ignore-failure", "aborted-second"];

/// hyperfine's statistics, as the JSON names them and as perfbudget's `stat`.
const STATS: [&str; 7] = ["mean", "median", "min", "max", "stddev", "user", "system"];

fn fixture(version: &str, name: &str) -> PathBuf {
    common::repo().join("tests/fixtures/hyperfine").join(version).join(name)
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The subject hyperfine's result stands for: its command and its parameters.
fn subject(result: &serde_json::Value) -> ingest::Subject {
    let mut subject = ingest::Subject::from([("id", result["command"].as_str().unwrap())]);
    for (name, value) in result.get("parameters").and_then(|p| p.as_object()).into_iter().flatten() {
        subject.insert(name.clone(), value.as_str().unwrap().to_owned());
    }
    subject
}

fn find<'a>(measurements: &'a [Measurement], subject: &ingest::Subject, stat: &str) -> &'a Measurement {
    let found: Vec<&Measurement> =
        measurements.iter().filter(|m| &m.subject == subject && m.stat.as_deref() == Some(stat)).collect();
    assert_eq!(found.len(), 1, "{subject:?} {stat}");
    found[0]
}

#[test]
fn every_number_equals_hyperfines_json() {
    let (mut compared, mut equal, mut no_data) = (0, 0, 0);
    for version in VERSIONS {
        for run in RUNS {
            let path = fixture(version, &format!("{run}.json"));
            let export = json(&path);
            let measurements = ingest::read_input(&path, None).unwrap();
            let results = export["results"].as_array().unwrap();
            assert_eq!(measurements.len(), results.len() * STATS.len(), "{version}/{run}");
            for result in results {
                let subject = subject(result);
                let runs = result["times"].as_array().unwrap().len() as u64;
                let failed = result["exit_codes"].as_array().unwrap().iter().filter(|code| **code != 0).count();
                for stat in STATS {
                    let measurement = find(&measurements, &subject, stat);
                    assert_eq!((measurement.metric.as_str(), measurement.unit.as_str()), ("bench_time", "s"));
                    assert_eq!(measurement.samples, Some(runs));
                    match (failed, result[stat].as_f64()) {
                        (0, Some(theirs)) => {
                            compared += 1;
                            assert_eq!(measurement.value, Some(theirs), "{version}/{run} {subject:?} {stat}");
                            equal += 1;
                        }
                        (failed, theirs) => {
                            // A failing command's numbers, and a single run's stddev, are no data.
                            assert!(failed > 0 || (stat == "stddev" && theirs.is_none() && runs == 1));
                            assert_eq!(measurement.value, None);
                            assert!(measurement.no_data.is_some());
                            no_data += 1;
                        }
                    }
                }
            }
        }
    }
    println!(
        "hyperfine JSON: {compared} numbers compared, {equal} equal; {no_data} no data (failed runs, single-run stddev)"
    );
    assert_eq!(compared, equal);
    assert_eq!((compared, no_data), (180, 30), "every statistic of both versions' exports");
}

#[test]
fn the_csv_equals_the_json() {
    let (mut compared, mut equal) = (0, 0);
    for version in VERSIONS {
        for run in RUNS {
            let export = json(&fixture(version, &format!("{run}.json")));
            let csv = ingest::read_input(&fixture(version, &format!("{run}.csv")), None).unwrap();
            let results = export["results"].as_array().unwrap();
            assert_eq!(csv.len(), results.len() * STATS.len(), "{version}/{run}");
            for result in results {
                let subject = subject(result);
                for stat in STATS {
                    let measurement = find(&csv, &subject, stat);
                    assert_eq!(measurement.samples, None, "the CSV has no runs");
                    // The CSV has no exit codes: its values are hyperfine's even for failed runs.
                    compared += 1;
                    assert_eq!(measurement.value, result[stat].as_f64(), "{version}/{run} {subject:?} {stat}");
                    equal += 1;
                }
            }
        }
    }
    println!("hyperfine CSV: {compared} numbers compared with the JSON, {equal} equal");
    assert_eq!(compared, equal);
}

/// A folder with `b.yml` holding these budget entries and the named fixtures.
fn workspace(budgets: &str, files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("b.yml"), format!("version: 1\nbudgets:\n{budgets}")).unwrap();
    for (name, fixture_name) in files {
        std::fs::copy(fixture("v1.15.0", fixture_name), dir.path().join(name)).unwrap();
    }
    dir
}

/// One check of a JSON report: its subject's id, verdict, value and message.
type Row = (String, String, Option<f64>, String);

/// `check` with a JSON report: its exit code, each check's row, and what it printed on stderr.
fn check(dir: &Path, input: &str) -> (i32, Vec<Row>, String) {
    let run = common::perfbudget(dir, &["check", "--budget", "b.yml", "--json", "r.json", input]);
    if run.code == 2 {
        return (2, Vec::new(), run.stderr);
    }
    let report = json(&dir.join("r.json"));
    let checks = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["subject"]["id"].as_str().unwrap_or_default().to_owned(),
                c["verdict"].as_str().unwrap().to_owned(),
                c["value"].as_f64(),
                c["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    (run.code, checks, run.stderr)
}

#[test]
fn a_budget_over_the_mean_through_the_binary() {
    let sleep = json(&fixture("v1.15.0", "sleep.json"));
    let mean = |i: usize| sleep["results"][i]["mean"].as_f64().unwrap();
    // The fixture's own numbers decide the verdicts below.
    assert!(mean(0) < 0.020 && mean(1) > 0.020, "{} {}", mean(0), mean(1));
    for input in ["sleep.json", "sleep.csv"] {
        let budget = "  - { metric: bench_time, id: \"sleep 0.01\", statistic: mean, max: 20ms }\n";
        let dir = workspace(budget, &[(input, &format!("sleep.{}", &input[6..]))]);
        let (code, checks, stderr) = check(dir.path(), input);
        assert_eq!(code, 0, "{input}: {stderr}");
        assert_eq!(checks.len(), 1);
        assert_eq!((checks[0].0.as_str(), checks[0].1.as_str(), checks[0].2), ("sleep 0.01", "green", Some(mean(0))));
        // Without `statistic:`, bench_time reads the mean too; `sleep 0.02` is over 20 ms.
        let dir = workspace("  - { metric: bench_time, max: 20ms }\n", &[(input, &format!("sleep.{}", &input[6..]))]);
        let (code, checks, stderr) = check(dir.path(), input);
        assert_eq!(code, 1, "{input}: {stderr}");
        let verdicts: Vec<(&str, &str, Option<f64>)> =
            checks.iter().map(|(id, verdict, value, _)| (id.as_str(), verdict.as_str(), *value)).collect();
        assert_eq!(verdicts, vec![("sleep 0.01", "green", Some(mean(0))), ("sleep 0.02", "red", Some(mean(1)))]);
    }
}

#[test]
fn failed_runs_are_red_no_data() {
    let dir = workspace("  - { metric: bench_time, max: 1s }\n", &[("h.json", "ignore-failure.json")]);
    let (code, checks, stderr) = check(dir.path(), "h.json");
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(checks.len(), 2);
    for (id, verdict, value, message) in &checks {
        assert_eq!((verdict.as_str(), *value), ("red", None), "{id}");
        assert!(message.contains("runs failed (exit code 1)"), "{id}: {message}");
    }
    assert!(checks[0].3.contains("6 of 6 runs failed"), "{}", checks[0].3);
}

#[test]
fn bad_exports_exit_2_naming_the_file() {
    let sleep = std::fs::read_to_string(fixture("v1.15.0", "sleep.json")).unwrap();
    let csv = std::fs::read_to_string(fixture("v1.15.0", "sleep.csv")).unwrap();
    let cut = sleep.len() / 2;
    let cut_position = {
        let before = &sleep[..cut];
        (before.matches('\n').count() + 1, before.len() - before.rfind('\n').map_or(0, |i| i + 1))
    };
    let negative = sleep.replacen("\"min\": 0.", "\"min\": -0.", 1);
    let nan = csv.replacen("sleep 0.01,0.013167463,", "sleep 0.01,NaN,", 1);
    let cases: Vec<(&str, String, String)> = vec![
        ("cut.json", sleep[..cut].to_owned(), format!("cut.json:{}:", cut_position.0)),
        (
            "empty-results.json",
            "{\"results\": []}\n".to_owned(),
            "empty-results.json: hyperfine's export has no results: it measured no command".to_owned(),
        ),
        ("negative.json", negative, "negative.json: bench_time min for sleep 0.01: value -0.".to_owned()),
        ("nan.csv", nan, "nan.csv: bench_time mean for sleep 0.01: value NaN is not a finite number".to_owned()),
        ("header.csv", csv.replacen("stddev,median", "median,stddev", 1), "header.csv: this looks like".to_owned()),
        ("aborted.json", String::new(), "aborted.json: the file is empty".to_owned()),
    ];
    let dir = workspace("  - { metric: bench_time, max: 1s }\n", &[]);
    for (name, content, expected) in cases {
        std::fs::write(dir.path().join(name), content).unwrap();
        let (code, _, stderr) = check(dir.path(), name);
        assert_eq!(code, 2, "{name}: {stderr}");
        assert!(stderr.starts_with(&format!("error: {expected}")), "{name}: {stderr}");
    }
    // The truncated JSON names its line and column.
    let (_, _, stderr) = check(dir.path(), "cut.json");
    assert!(stderr.contains("(the file ends early: truncated?)"), "{stderr}");
    // A wrong header read as hyperfine anyway is an error on line 1.
    let run =
        common::perfbudget(dir.path(), &["check", "--budget", "b.yml", "--input-format", "hyperfine", "header.csv"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.starts_with("error: header.csv:1: the header is `command,mean,median,stddev"), "{}", run.stderr);
}

#[test]
fn measure_lists_each_command_with_its_parameters() {
    let run = common::run(
        common::command(&common::repo()).args(["measure", "--format", "json"]).arg(fixture("v1.20.0", "scan.json")),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let measurements: Vec<Measurement> = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(measurements.len(), 3 * STATS.len());
    let tagged = measurements.iter().filter(|m| m.subject.get("delay").is_some()).count();
    assert_eq!(tagged, measurements.len(), "every command of a scan has its parameter");
    assert!(ingest::measurements::parse(&run.stdout).is_ok(), "valid measurements JSON");
}

#[test]
fn init_proposes_a_budget_on_each_commands_mean() {
    let dir = workspace("", &[("sleep.json", "sleep.json")]);
    std::fs::remove_file(dir.path().join("b.yml")).unwrap();
    let run = common::perfbudget(dir.path(), &["init", "sleep.json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let budget = std::fs::read_to_string(dir.path().join("perfbudget.yml")).unwrap();
    assert!(budget.contains("    id: \"sleep 0.01\"\n    max: 16 ms                  # today: 13.17 ms\n"), "{budget}");
    assert!(budget.contains("    id: \"sleep 0.02\"\n    max: 31 ms                  # today: 25.5 ms\n"), "{budget}");
}
