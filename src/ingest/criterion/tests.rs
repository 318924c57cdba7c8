use std::time::{Duration, SystemTime};

use super::*;
use crate::ingest::read_input;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/criterion")
}

/// The estimate file as it is, read with serde_json apart from the adapter.
fn estimate(path: &str, statistic: &str) -> (f64, f64, f64) {
    let text = std::fs::read_to_string(fixtures().join(path)).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let e = &value[statistic];
    let interval = &e["confidence_interval"];
    (
        e["point_estimate"].as_f64().unwrap(),
        interval["lower_bound"].as_f64().unwrap(),
        interval["upper_bound"].as_f64().unwrap(),
    )
}

fn find<'a>(measurements: &'a [Measurement], metric: &str, stat: &str, id: &str) -> &'a Measurement {
    measurements
        .iter()
        .find(|m| m.metric == metric && m.stat.as_deref() == Some(stat) && m.subject.get("id") == Some(id))
        .unwrap_or_else(|| panic!("no {metric} {stat} for {id}"))
}

#[test]
fn ids_come_from_benchmark_json_not_directories() {
    let measurements = read_input(&fixtures().join("generated/tree"), None).unwrap();
    let mut ids: Vec<&str> = measurements.iter().filter_map(|m| m.subject.get("id")).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(
        ids,
        vec![
            "fib 30",
            "sizes/16",
            "sizes/256",
            "sizes/hash/16",
            "sizes/hash/256",
            "text/parse/count words",
            "text/parse/csv:line?v2"
        ]
    );
}

#[test]
fn typical_mean_and_median_keep_nanosecond_precision_and_intervals() {
    let measurements = read_input(&fixtures().join("generated/tree"), None).unwrap();
    for (stat, key) in [("typical", "slope"), ("mean", "mean"), ("median", "median")] {
        let m = find(&measurements, "bench_time", stat, "fib 30");
        let (point, lower, upper) = estimate("generated/tree/fib 30/new/estimates.json", key);
        assert_eq!((m.value, m.lower, m.upper, m.unit), (Some(point), Some(lower), Some(upper), Unit::Ns), "{stat}");
    }
    let fib = find(&measurements, "bench_time", "typical", "fib 30");
    assert_eq!(fib.origin.as_deref().map(|o| o.ends_with("generated/tree/fib 30")), Some(true));
}

#[test]
fn throughput_is_work_per_second_from_the_typical_time() {
    let measurements = read_input(&fixtures().join("generated/tree"), None).unwrap();
    let (slope, lower, upper) = estimate("generated/tree/text_parse/csv_line_v2/new/estimates.json", "slope");
    let bytes = find(&measurements, "bench_throughput", "bytes", "text/parse/csv:line?v2");
    assert_eq!(bytes.value, Some(1200.0 * 1e9 / slope));
    assert_eq!((bytes.lower, bytes.upper), (Some(1200.0 * 1e9 / upper), Some(1200.0 * 1e9 / lower)));
    assert_eq!(bytes.unit, Unit::PerSecond);
    let (words, _, _) = estimate("generated/tree/text_parse/count words/new/estimates.json", "slope");
    let elements = find(&measurements, "bench_throughput", "elements", "text/parse/count words");
    assert_eq!(elements.value, Some(200.0 * 1e9 / words));
    assert!(!measurements.iter().any(|m| m.metric == "bench_throughput" && m.subject.get("id") == Some("fib 30")));
}

#[test]
fn a_named_baseline_reads_its_own_directory() {
    let base = read_tree(&fixtures().join("generated/tree"), "base").unwrap();
    let (point, _, _) = estimate("generated/tree/fib 30/base/estimates.json", "slope");
    assert_eq!(find(&base, "bench_time", "typical", "fib 30").value, Some(point));
    let err = read_tree(&fixtures().join("generated/tree"), "nightly").unwrap_err();
    assert!(err.to_string().ends_with("no criterion benchmark has a `nightly/benchmark.json` here"), "{err}");
}

#[test]
fn legacy_0_3_trees_with_pascal_case_keys() {
    let measurements = read_input(&fixtures().join("legacy-0.3"), None).unwrap();
    let typical = find(&measurements, "bench_time", "typical", "Fibonacci/Iterative");
    let (slope, lower, upper) = estimate("legacy-0.3/Fibonacci/Iterative/new/estimates.json", "Slope");
    assert_eq!((typical.value, typical.lower, typical.upper), (Some(slope), Some(lower), Some(upper)));
    let (mean, _, _) = estimate("legacy-0.3/Fibonacci/Iterative/new/estimates.json", "Mean");
    assert_eq!(find(&measurements, "bench_time", "mean", "Fibonacci/Iterative").value, Some(mean));
}

#[test]
fn flat_sampling_has_no_slope_and_the_mean_is_typical() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("flat/new");
    std::fs::create_dir_all(&run).unwrap();
    let source = fixtures().join("generated/tree/fib 30/new");
    std::fs::copy(source.join("benchmark.json"), run.join("benchmark.json")).unwrap();
    let mut estimates: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(source.join("estimates.json")).unwrap()).unwrap();
    estimates["slope"] = serde_json::Value::Null;
    std::fs::write(run.join("estimates.json"), estimates.to_string()).unwrap();
    let measurements = read_input(dir.path(), None).unwrap();
    let (mean, _, _) = estimate("generated/tree/fib 30/new/estimates.json", "mean");
    assert_eq!(find(&measurements, "bench_time", "typical", "fib 30").value, Some(mean));
}

#[test]
fn broken_trees_name_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("parse/new");
    std::fs::create_dir_all(&run).unwrap();
    std::fs::copy(fixtures().join("generated/tree/fib 30/new/benchmark.json"), run.join("benchmark.json")).unwrap();
    let err = read_input(dir.path(), None).unwrap_err().to_string();
    assert!(
        err.ends_with("parse/new: `benchmark.json` has no `estimates.json` beside it (an interrupted run?)"),
        "{err}"
    );

    std::fs::write(
        run.join("estimates.json"),
        r#"{"mean":{"confidence_interval":{"lower_bound":-1,"upper_bound":2},"point_estimate":1},"median":{"confidence_interval":{"lower_bound":1,"upper_bound":2},"point_estimate":1},"slope":null}"#,
    )
    .unwrap();
    let err = read_input(dir.path(), None).unwrap_err().to_string();
    assert!(err.ends_with("estimates.json: the typical lower bound -1 is not a time"), "{err}");

    // JSON has no NaN: a file that writes one does not parse, and says where.
    std::fs::write(run.join("estimates.json"), r#"{"mean":{"confidence_interval":{"lower_bound":NaN,"#).unwrap();
    let err = read_input(dir.path(), None).unwrap_err().to_string();
    assert!(err.contains("estimates.json:1:"), "{err}");

    let lone = fixtures().join("generated/tree/fib 30/new/estimates.json");
    let err = read_input(&lone, None).unwrap_err().to_string();
    assert!(
        err.ends_with(
            "this is one file of a criterion results tree; give the folder instead (usually target/criterion)"
        ),
        "{err}"
    );
}

#[test]
fn every_throughput_variant() {
    let cases = [
        (r#"{"Bytes":100}"#, vec![("bytes", 100.0)]),
        (r#"{"BytesDecimal":100}"#, vec![("bytes", 100.0)]),
        (r#"{"Elements":7}"#, vec![("elements", 7.0)]),
        (r#"{"Bits":800}"#, vec![("bits", 800.0)]),
        (r#"{"ElementsAndBytes":{"elements":7,"bytes":100}}"#, vec![("elements", 7.0), ("bytes", 100.0)]),
        ("null", vec![]),
    ];
    let source = fixtures().join("generated/tree/fib 30/new");
    let (slope, _, _) = estimate("generated/tree/fib 30/new/estimates.json", "slope");
    for (throughput, expected) in cases {
        let dir = tempfile::tempdir().unwrap();
        let run = dir.path().join("b/new");
        std::fs::create_dir_all(&run).unwrap();
        std::fs::copy(source.join("estimates.json"), run.join("estimates.json")).unwrap();
        std::fs::write(
            run.join("benchmark.json"),
            format!(r#"{{"group_id":"b","function_id":null,"value_str":null,"throughput":{throughput},"full_id":"b","directory_name":"b","title":"b"}}"#),
        )
        .unwrap();
        let rows: Vec<(String, f64)> = read_input(dir.path(), None)
            .unwrap()
            .into_iter()
            .filter(|m| m.metric == "bench_throughput")
            .map(|m| (m.stat.unwrap(), m.value.unwrap()))
            .collect();
        let expected: Vec<(String, f64)> =
            expected.into_iter().map(|(stat, work)| (stat.to_owned(), work * 1e9 / slope)).collect();
        assert_eq!(rows, expected, "{throughput}");
    }
}

/// A benchmark directory `<root>/<name>/new/` whose `benchmark.json` was written `ago`
/// before now, with a `sample.json` (as `sample`, if any).
fn written(root: &Path, name: &str, ago: Duration, sample: Option<String>) -> PathBuf {
    let dir = root.join(name);
    let new = dir.join("new");
    std::fs::create_dir_all(&new).unwrap();
    std::fs::copy(fixtures().join("generated/tree/fib 30/new/benchmark.json"), new.join("benchmark.json")).unwrap();
    if let Some(sample) = sample {
        std::fs::write(new.join("sample.json"), sample).unwrap();
    }
    let file = std::fs::File::options().write(true).open(new.join("benchmark.json")).unwrap();
    file.set_modified(SystemTime::now() - ago).unwrap();
    dir
}

/// criterion's `sample.json` of ten flat samples that took `total` in all.
fn samples(total: Duration) -> Option<String> {
    let each = total.as_nanos() as f64 / 10.0;
    Some(format!(r#"{{"sampling_mode":"Flat","iters":{:?},"times":{:?}}}"#, [1.0; 10], [each; 10]))
}

const MINUTE: Duration = Duration::from_secs(60);

fn stale_names(dirs: &[PathBuf]) -> Vec<(String, u64)> {
    stale_benchmarks(dirs)
        .into_iter()
        .map(|(dir, before)| (dir.file_name().unwrap().to_string_lossy().into_owned(), (before.as_secs() + 30) / 60))
        .collect()
}

#[test]
fn a_long_gap_that_the_later_benchmarks_samples_explain_is_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let dirs = [
        written(dir.path(), "parse", 30 * MINUTE, samples(Duration::from_secs(5))),
        written(dir.path(), "lex", 30 * MINUTE - Duration::from_secs(7), samples(Duration::from_secs(5))),
        // 30 minutes after `lex`, of which its samples took 12: warm-up and analysis take
        // about as long again, and 10 minutes more are allowed.
        written(dir.path(), "train", Duration::ZERO, samples(12 * MINUTE)),
    ];
    assert_eq!(stale_names(&dirs), vec![]);
    // The same gap after a benchmark that measured for 5 s: two runs.
    let dirs =
        [dirs[0].clone(), dirs[1].clone(), written(dir.path(), "quick", Duration::ZERO, samples(5 * MINUTE / 60))];
    assert_eq!(stale_names(&dirs), vec![("parse".to_owned(), 30), ("lex".to_owned(), 30)]);
    assert!(CriterionTree.stale_folders(&dirs).is_some());
}

#[test]
fn without_samples_a_gap_is_judged_by_its_length() {
    let dir = tempfile::tempdir().unwrap();
    let dirs = [
        written(dir.path(), "a", 25 * MINUTE, None),
        written(dir.path(), "b", Duration::ZERO, Some("not json".into())),
        written(dir.path(), "c", 9 * MINUTE, None),
    ];
    assert_eq!(stale_names(&dirs), vec![("a".to_owned(), 16)]);
    // Gaps of up to 10 minutes never separate runs.
    assert_eq!(stale_names(&dirs[1..]), vec![]);
}

#[test]
fn the_last_unexplained_gap_starts_the_latest_run() {
    let dir = tempfile::tempdir().unwrap();
    let second = Duration::from_secs(1);
    // Written oldest first, so each is a few microseconds later than its time says.
    let last_week = written(dir.path(), "last week", 7 * 24 * 60 * MINUTE, samples(3 * second));
    let yesterday = written(dir.path(), "yesterday", 24 * 60 * MINUTE, samples(3 * second));
    let first = written(dir.path(), "today first", 40 * MINUTE, samples(3 * second));
    // Today's slow benchmark: 40 minutes after the first, 35 of them its samples.
    let slow = written(dir.path(), "today slow", Duration::ZERO, samples(35 * MINUTE));
    let dirs = [slow, yesterday.clone(), first, last_week.clone()];
    // Oldest first, each with how long before today's first benchmark it was written.
    assert_eq!(
        stale_names(&dirs),
        vec![("last week".to_owned(), 7 * 24 * 60 - 40), ("yesterday".to_owned(), 24 * 60 - 40)]
    );
    let (stale, warning) = CriterionTree.stale_folders(&dirs).unwrap();
    assert_eq!(stale, vec![last_week, yesterday]);
    assert!(
        warning.starts_with("2 criterion benchmark(s) left over from an earlier run are not read as results: "),
        "{warning}"
    );
    assert!(warning.contains("(written about 23 hours or more before the latest run's first benchmark, "), "{warning}");
}

#[test]
fn samples_that_claim_any_time_are_no_panic() {
    let dir = tempfile::tempdir().unwrap();
    let earlier = written(dir.path(), "a", 60 * MINUTE, None);
    for times in ["[1e300]", "[1.7e308,1.7e308]", "[-1e20, 5]", "[]", "[1.9e28]", "[1.8e28]"] {
        let sample = format!(r#"{{"sampling_mode":"Flat","iters":[1],"times":{times}}}"#);
        let later = written(dir.path(), "b", Duration::ZERO, Some(sample));
        let stale = stale_names(&[earlier.clone(), later]);
        // 1.8e28 ns (570 billion years) explains an hour; a total past what a Duration holds
        // explains nothing.
        let expected = if times == "[1.8e28]" { vec![] } else { vec![("a".to_owned(), 60)] };
        assert_eq!(stale, expected, "{times}");
    }
}

#[test]
fn gaps_as_a_person_says_them() {
    let cases = [(0, "about 0 minutes"), (89, "about 1 minute"), (7169, "about 119 minutes"), (7200, "about 2 hours")];
    for (seconds, said) in cases {
        assert_eq!(about(Duration::from_secs(seconds)), said);
    }
    assert_eq!(about(7 * 24 * 60 * MINUTE - 40 * MINUTE), "about 7 days");
    assert_eq!(about(36 * 60 * MINUTE), "about 36 hours");
}

#[test]
fn criterion_0_3_samples_explain_a_gap_too() {
    let dir = tempfile::tempdir().unwrap();
    let legacy = format!("[[1.0,2.0],[{},{}]]", 6e11, 6e11);
    let dirs = [
        written(dir.path(), "a", 25 * MINUTE, samples(Duration::from_secs(1))),
        written(dir.path(), "b", Duration::ZERO, Some(legacy)),
    ];
    assert_eq!(stale_names(&dirs), vec![], "20 minutes of samples explain 25 minutes");
    // criterion's own 0.3 tree reads back.
    assert!(measured(&fixtures().join("legacy-0.3/Fibonacci/Iterative/new")) > Duration::ZERO);
}
