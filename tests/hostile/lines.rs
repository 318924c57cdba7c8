//! Line-oriented inputs (bencher text, k6 streams, cargo-criterion lines) and criterion
//! trees written by one long run: a broken line is an error naming the file and the line,
//! an endless line stops at the line cap, and a slow benchmark leaves nothing out.

use std::fs;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, SystemTime};

use super::{perfbudget, refused};

/// The first line of a k6 stream, so that detection calls the file one.
const K6_METRIC_LINE: &str = r#"{"type":"Metric","data":{"name":"http_req_duration","type":"trend","contains":"time","thresholds":[],"submetrics":null},"metric":"http_req_duration"}"#;

/// One cargo-criterion benchmark line.
const CARGO_CRITERION_LINE: &str = r#"{"reason":"benchmark-complete","id":"a","unit":"ns","typical":{"estimate":5,"lower_bound":4,"upper_bound":6,"unit":"ns"},"mean":{"estimate":5,"lower_bound":4,"upper_bound":6,"unit":"ns"},"median":{"estimate":5,"lower_bound":4,"upper_bound":6,"unit":"ns"},"slope":null,"throughput":[],"change":null}"#;

#[test]
fn a_bench_line_cut_or_garbled_is_an_error_naming_its_line() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("perfbudget.yml"), "version: 1\nlimits:\n  bench_time: 1ms\n").unwrap();
    let head = "   Compiling demo v0.1.0\nrunning 3 tests\ntest fast ... bench:         135 ns/iter (+/- 24)\n";
    for (name, line) in [
        ("cut-number.txt", "test slow ... bench:   2,345,6"),
        ("cut-unit.txt", "test slow ... bench:   2,345,678 ns/"),
        ("cut-deviation.txt", "test slow ... bench:   2,345,678 ns/iter (+/- 1,2"),
        ("cut-separator.txt", "test slow ... ben"),
        ("garbled-thousands.txt", "test slow ... bench:   2,34,5678 ns/iter (+/- 12)"),
        ("garbled-dots.txt", "test slow ... bench:   2.345.678 ns/iter (+/- 12)"),
        ("garbled-separator.txt", "test slow ... bench   2,345,678 ns/iter (+/- 12)"),
        ("garbled-deviation.txt", "test slow ... bench:   2,345,678 ns/iter +/- 12"),
    ] {
        fs::write(dir.path().join(name), format!("{head}{line}\ntest result: ok. 0 passed; 2 measured\n")).unwrap();
        // Before, the line was dropped and `fast` alone passed the budget.
        let stderr = refused(
            dir.path(),
            &["check", name],
            &format!("{name}:4: "),
            &["not a whole `test NAME ... bench: VALUE UNIT (+/- DEVIATION)` line (cut short?)"],
        );
        assert!(stderr.contains("test NAME ... bench: VALUE UNIT (+/- DEVIATION)"), "{name}: {stderr}");
        refused(
            dir.path(),
            &["measure", "--input-format", "bencher", name],
            &format!("{name}:4: "),
            &["not a whole `test NAME ... bench: VALUE UNIT (+/- DEVIATION)` line (cut short?)"],
        );
    }
}

#[test]
fn lines_that_are_not_bench_lines_stay_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let text = "warning: unused variable `x`\n --> src/lib.rs:3:9\n\nrunning 3 tests\n\
                test tests::bench_helpers ... ignored\ntest tests::parse ... ok\n\
                test fast ... bench:         135 ns/iter (+/- 24)\n\
                test slow ... bench:   2,345,678.5 ns/iter (+/- 1,234) = 12 MB/s\n\
                test cycles ... bench:        2835 cycles/iter (+/- 14)\n\
                test result: ok. 1 passed; 0 failed; 1 ignored; 3 measured; 0 filtered out\n";
    fs::write(dir.path().join("bench.txt"), text).unwrap();
    let run = perfbudget(dir.path(), &["measure", "--format", "json", "bench.txt"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rows: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let ids: Vec<(&str, f64)> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["subject"]["id"].as_str().unwrap(), m["value"].as_f64().unwrap()))
        .collect();
    assert_eq!(ids, vec![("fast", 135.0), ("slow", 2_345_678.5), ("cycles", 2835.0)]);
}

/// One criterion benchmark directory `<root>/<id>/new/` whose typical time is `ns`, whose
/// samples took `measured` in all, and whose files were written at `written`.
fn benchmark(root: &Path, id: &str, ns: f64, measured: Duration, written: SystemTime) {
    let new = root.join(id).join("new");
    fs::create_dir_all(&new).unwrap();
    let estimate = format!(
        r#"{{"confidence_interval":{{"confidence_level":0.95,"lower_bound":{},"upper_bound":{}}},"point_estimate":{ns},"standard_error":1.0}}"#,
        ns * 0.99,
        ns * 1.01
    );
    // Ten flat samples of equal length, as criterion takes for a slow routine.
    let per_sample = measured.as_nanos() as f64 / 10.0;
    let iters = (per_sample / ns).max(1.0).round();
    let files = [
        (
            "benchmark.json",
            format!(
                r#"{{"group_id":"{id}","function_id":null,"value_str":null,"throughput":null,"full_id":"{id}","directory_name":"{id}","title":"{id}"}}"#
            ),
        ),
        ("estimates.json", format!(r#"{{"mean":{estimate},"median":{estimate},"slope":null}}"#)),
        (
            "sample.json",
            format!(r#"{{"sampling_mode":"Flat","iters":{:?},"times":{:?}}}"#, [iters; 10], [per_sample; 10]),
        ),
    ];
    for (name, text) in files {
        let path = new.join(name);
        fs::write(&path, text).unwrap();
        fs::File::options().write(true).open(&path).unwrap().set_modified(written).unwrap();
    }
}

#[test]
fn a_slow_benchmark_does_not_make_the_earlier_ones_of_its_run_stale() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("criterion");
    let now = SystemTime::now();
    let minute = Duration::from_secs(60);
    // One run: `parse` (red: 2 ms over a 1 ms limit) and `lex`, then `train`, whose ten
    // samples took 18 minutes, so it finished 20 minutes after them.
    benchmark(&root, "parse", 2_000_000.0, Duration::from_secs(5), now - 20 * minute);
    benchmark(&root, "lex", 500_000.0, Duration::from_secs(5), now - 20 * minute + Duration::from_secs(6));
    benchmark(&root, "train", 900_000.0, 18 * minute, now);
    fs::write(dir.path().join("perfbudget.yml"), "version: 1\nlimits:\n  bench_time: 1ms\n").unwrap();
    let run = perfbudget(dir.path(), &["check", "--verbose", "criterion"]);
    // Before, `parse` and `lex` were skipped as left from an earlier run and the gate passed.
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.stderr, "", "nothing is skipped");
    for id in ["parse", "lex", "train"] {
        assert!(run.stdout.contains(id), "{id}: {}", run.stdout);
    }
    assert!(run.stdout.contains("1 red"), "{}", run.stdout);
}

/// A k6 stream whose second line, a Point, never ends: `size` bytes of `a` in all, as
/// gzip members of 1 MiB each, so that a few MB of file expand to GBs.
fn endless_gzip_line(path: &Path, size: usize) {
    let mut member = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    member.write_all(&vec![b'a'; 1 << 20]).unwrap();
    let member = member.finish().unwrap();
    let mut first = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    first
        .write_all(
            format!(
                "{K6_METRIC_LINE}\n{{\"metric\":\"http_req_duration\",\"type\":\"Point\",\"data\":{{\"tags\":{{\"x\":\""
            )
            .as_bytes(),
        )
        .unwrap();
    let mut file = std::io::BufWriter::new(fs::File::create(path).unwrap());
    file.write_all(&first.finish().unwrap()).unwrap();
    for _ in 0..size >> 20 {
        file.write_all(&member).unwrap();
    }
    file.flush().unwrap();
}

#[cfg(unix)]
#[test]
fn a_gzip_stream_with_a_4_gb_line_is_refused_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    endless_gzip_line(&dir.path().join("k6.json.gz"), 4 << 30);
    assert!(fs::metadata(dir.path().join("k6.json.gz")).unwrap().len() < 8 << 20, "a few MB on disk");
    // Run with 1 GiB of address space: a reader that buffers the line dies trying (before,
    // an allocation failure: exit 134); one that stops at the cap needs a few MB.
    let output = super::common::hermetic(&mut std::process::Command::new("sh"))
        .arg("-c")
        .arg("ulimit -v 1048576 && exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_perfbudget"))
        .args(["measure", "k6.json.gz"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert_eq!(
        stderr,
        "error: k6.json.gz:2: the line is longer than 16 MiB, the most perfbudget reads as one line; \
         is this the right file?\n"
    );
}

#[test]
fn an_over_cap_line_in_a_plain_file_is_refused_naming_its_line() {
    let dir = tempfile::tempdir().unwrap();
    // Each file: one good line, then 100 MB of zero bytes without a line end. The zeros
    // are a sparse hole, so nothing is written to disk.
    for (name, first, format) in [
        ("k6.json", K6_METRIC_LINE, "k6-stream"),
        ("criterion.ndjson", CARGO_CRITERION_LINE, "cargo-criterion"),
        ("bench.txt", "test a ... bench:         135 ns/iter (+/- 24)", "bencher"),
    ] {
        let path = dir.path().join(name);
        fs::write(&path, format!("{first}\n")).unwrap();
        fs::File::options().write(true).open(&path).unwrap().set_len(100_000_000).unwrap();
        let expected = format!(
            "error: {name}:2: the line is longer than 16 MiB, the most perfbudget reads as one line; is this the right file?\n"
        );
        // Detected by content, and declared.
        assert_eq!(
            refused(
                dir.path(),
                &["measure", name],
                name,
                &["the line is longer than 16 MiB, the most perfbudget reads as one"]
            ),
            expected
        );
        assert_eq!(
            refused(
                dir.path(),
                &["measure", "--input-format", format, name],
                name,
                &["the line is longer than 16 MiB, the most perfbudget reads as one"]
            ),
            expected
        );
    }
}

/// Item 4: a benchmark that really is from an earlier run is a red row with no data, never
/// a missing one that lets the budget pass.
#[test]
fn a_benchmark_left_from_an_earlier_run_is_a_red_row_not_a_missing_one() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("criterion");
    let now = SystemTime::now();
    // `old` (red) was written a day before this run's `new`, which measured for 5 s.
    benchmark(&root, "old", 2_000_000.0, Duration::from_secs(5), now - Duration::from_secs(24 * 3600));
    benchmark(&root, "new", 500_000.0, Duration::from_secs(5), now);
    fs::write(dir.path().join("perfbudget.yml"), "version: 1\nlimits:\n  bench_time: 1ms\n").unwrap();
    let run = perfbudget(dir.path(), &["check", "--verbose", "criterion"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("no data: left over from an earlier run"), "{}", run.stdout);
    assert!(
        run.stderr.starts_with("warning: 1 criterion benchmark(s) left over from an earlier run"),
        "{}",
        run.stderr
    );
    let measure = perfbudget(dir.path(), &["measure", "--format", "json", "criterion"]);
    assert_eq!(measure.code, 0, "{}", measure.stderr);
    let rows: serde_json::Value = serde_json::from_str(&measure.stdout).unwrap();
    let old: Vec<&serde_json::Value> =
        rows.as_array().unwrap().iter().filter(|m| m["subject"]["id"] == "old").collect();
    assert_eq!(old.len(), 3, "typical, mean and median");
    assert!(old.iter().all(|m| m["value"].is_null() && m["no_data"].as_str().unwrap().starts_with("left over")));
}
