//! Gatling: numbers computed from a real `simulation.log` against the `js/stats.json`
//! Gatling generated from the same log (tests/fixtures/gatling/README.md names the runs).
#![allow(clippy::unwrap_used)] // test setup: a failure should stop the test

use std::io::BufReader;
use std::path::Path;

use perfbudget::ingest::distribution::Distribution;
use perfbudget::ingest::{Measurement, Subject, gatling_log, gatling_report};

fn fixture(path: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/gatling").join(path)
}

fn read_log(path: &Path) -> Vec<Measurement> {
    let file = std::fs::File::open(path).unwrap();
    if path.extension().is_some_and(|e| e == "gz") {
        gatling_log::parse_all(BufReader::new(flate2::read::MultiGzDecoder::new(file))).unwrap()
    } else {
        gatling_log::parse_all(BufReader::new(file)).unwrap()
    }
}

/// The statistic of the log's raw samples of `metric` for a subject (all for the whole run).
fn from_log(log: &[Measurement], metric: &str, subject: &Subject, stat: &str) -> Option<f64> {
    let parts: Vec<&Distribution> = log
        .iter()
        .filter(|m| m.metric == metric && (subject.is_empty() || &m.subject == subject))
        .filter_map(|m| m.distribution.as_deref())
        .collect();
    Distribution::merge(&parts)?.stat(stat).ok()
}

/// Every number of the report compared with the same number from the log: (compared,
/// equal, the differences).
fn compare(dir: &Path) -> (usize, usize, Vec<String>) {
    let log_path = ["simulation.log", "simulation.log.gz"].iter().map(|n| dir.join(n)).find(|p| p.exists()).unwrap();
    let log = read_log(&log_path);
    let report =
        gatling_report::parse(&std::fs::read_to_string(dir.join("js/stats.json")).unwrap(), [50.0, 75.0, 95.0, 99.0])
            .unwrap();
    let (mut compared, mut equal, mut differences) = (0, 0, Vec::new());
    for reported in &report {
        let Some(value) = reported.value else { continue };
        let stat = reported.stat.as_deref().unwrap();
        let ours = from_log(&log, &reported.metric, &reported.subject, stat);
        compared += 1;
        if ours == Some(value) {
            equal += 1;
        } else {
            differences
                .push(format!("{:?} {} {stat}: report {value}, log {ours:?}", reported.subject, reported.metric));
        }
    }
    (compared, equal, differences)
}

#[test]
fn numbers_from_simulation_log_equal_the_report_of_the_same_run() {
    let mut total = (0, 0);
    let mut all = Vec::new();
    for run in ["apicurio-1u-10i", "apicurio-2u-10i", "apicurio-10u-600i", "apicurio-3u-4000i"] {
        let (compared, equal, differences) = compare(&fixture(run));
        println!("{run}: {equal} of {compared} equal");
        total.0 += compared;
        total.1 += equal;
        all.extend(differences.into_iter().map(|d| format!("{run}: {d}")));
    }
    println!("{}", all.join("\n"));
    println!("all: {} of {} equal", total.1, total.0);
    assert_eq!(total, (440, 440), "{}", all.join("\n"));
}

/// More runs to measure, not committed (public reports without a license): the folders
/// (each a simulation.log and its js/stats.json) in `GATLING_PARITY_DIR`.
#[test]
fn parity_of_more_runs_when_given() {
    let Ok(root) = std::env::var("GATLING_PARITY_DIR") else { return };
    let mut entries: Vec<_> = std::fs::read_dir(root).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    let mut total = (0, 0);
    for dir in entries {
        if std::fs::metadata(dir.join("simulation.log")).map_or(true, |m| m.len() == 0) {
            continue;
        }
        let (compared, equal, differences) = compare(&dir);
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        println!("{name}: {equal} of {compared} equal");
        for difference in differences {
            println!("  {difference}");
        }
        total.0 += compared;
        total.1 += equal;
    }
    println!("all: {} of {} equal", total.1, total.0);
}

/// The report's three files and its folder say the same of the same run.
#[test]
fn stats_js_global_stats_json_and_the_folder_read_as_stats_json() {
    use perfbudget::ingest::{InputFormat, read_input};
    for run in ["apicurio-1u-10i", "apicurio-2u-10i", "apicurio-10u-600i", "apicurio-3u-4000i"] {
        let dir = fixture(run);
        let defaults = [50.0, 75.0, 95.0, 99.0];
        let json =
            gatling_report::parse(&std::fs::read_to_string(dir.join("js/stats.json")).unwrap(), defaults).unwrap();
        let global: Vec<Measurement> = json.iter().filter(|m| m.subject.is_empty()).cloned().collect();
        let global_json =
            gatling_report::parse(&std::fs::read_to_string(dir.join("js/global_stats.json")).unwrap(), defaults)
                .unwrap();
        assert_eq!(global_json, global, "{run}");
        // stats.js holds the numbers as the page prints them: rates with 2 decimals.
        let script =
            gatling_report::parse(&std::fs::read_to_string(dir.join("js/stats.js")).unwrap(), defaults).unwrap();
        assert_eq!(script.len(), json.len(), "{run}");
        for (printed, raw) in script.iter().zip(&json) {
            assert_eq!((&printed.metric, &printed.stat, &printed.subject), (&raw.metric, &raw.stat, &raw.subject));
            let (printed, raw) = (printed.value.unwrap(), raw.value.unwrap());
            let rate = raw.fract() != 0.0;
            assert!(
                if rate { (printed - raw).abs() <= 0.005 + 1e-9 } else { printed == raw },
                "{run}: {printed} vs {raw}"
            );
        }
        // The folder: read from js/stats.json, the percentiles named by index.html's table.
        let folder = read_input(&dir, Some(InputFormat::by_id("gatling").unwrap())).unwrap();
        let values = |list: &[Measurement]| {
            list.iter().map(|m| (m.subject.clone(), m.stat.clone(), m.value)).collect::<Vec<_>>()
        };
        assert_eq!(values(&folder), values(&json), "{run}");
    }
}
