//! Hostile and broken input through the real binary: every case ends with exit 2 and a
//! message naming the file (or the right result where the input is valid), never a panic
//! and never a pass. Sizes are bounded: the largest file written is a sparse 2 GB file
//! that takes no disk space.
#![allow(clippy::unwrap_used)] // test setup: a failure should stop the test

use std::fs;
use std::path::{Path, PathBuf};

mod budget;
mod bundle;
#[path = "../common/mod.rs"]
mod common;
mod driver;

use common::repo;

mod lines;
mod loadtools;
mod outputs;
mod server_logs;

/// Runs `perfbudget ARGS`; a panic fails the test whatever the exit code.
fn perfbudget(dir: &Path, args: &[&str]) -> common::Run {
    let run = common::perfbudget(dir, args);
    assert!(!run.stderr.contains("crashed"), "a panic: {}", run.stderr);
    run
}

/// Runs `perfbudget ARGS` and expects exit 2 with an `error:` line naming `file`.
/// Runs `perfbudget ARGS` and expects exit 2 with an `error:` line naming `file` and
/// giving one of `reasons` (several where a loop feeds different inputs).
#[track_caller]
fn refused(dir: &Path, args: &[&str], file: &str, reasons: &[&str]) -> String {
    let run = perfbudget(dir, args);
    assert_eq!(run.code, 2, "{args:?}: {}{}", run.stdout, run.stderr);
    assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
    assert!(run.stderr.contains(file), "{args:?}: the message does not name {file}: {}", run.stderr);
    assert!(
        reasons.iter().any(|reason| run.stderr.contains(reason)),
        "{args:?}: the message gives none of the reasons {reasons:?}: {}",
        run.stderr
    );
    run.stderr
}

const REAL_FILES: &[&str] = &[
    "samples/lighthouse-13.4.1.json",
    "tests/fixtures/lighthouse/flow-result-sample-v13.4.1.json",
    "tests/fixtures/lighthouse/psi-lighthouseResult-v8.0.0-dkdev.json",
    "tests/fixtures/lighthouse/crux-record-url-200.json",
    "samples/k6-handle-summary.json",
    "tests/fixtures/k6/generated/v057/summary-export.json",
    "tests/fixtures/k6/generated/v110/stream.ndjson.gz",
    "tests/fixtures/criterion/generated/cargo-criterion-run1.ndjson",
    "tests/fixtures/hyperfine/v1.20.0/scan.json",
];

#[test]
fn truncated_real_reports_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    for real in REAL_FILES {
        let bytes = fs::read(repo().join(real)).unwrap();
        let name = Path::new(real).file_name().unwrap().to_str().unwrap();
        for fraction in [3, 2] {
            // Cut inside a line, so even a line-by-line format is cut mid-record.
            let mut cut = bytes.len() * (fraction - 1) / fraction;
            while cut > 0 && (bytes[cut - 1] == b'\n' || bytes[cut] == b'\n') {
                cut -= 1;
            }
            let truncated = format!("cut-{fraction}-{name}");
            fs::write(dir.path().join(&truncated), &bytes[..cut]).unwrap();
            // Detected by content from what is left, as `check` would read it.
            let stderr = refused(
                dir.path(),
                &["measure", &truncated],
                &truncated,
                &["(the file ends early: truncated?)", "incomplete deflate stream"],
            );
            assert!(!stderr.contains('\u{1b}'), "{stderr}");
        }
    }
}

#[test]
fn the_wrong_declared_format_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    fs::copy(repo().join("samples/lighthouse-13.4.1.json"), dir.path().join("lhr.json")).unwrap();
    for format in
        ["k6-summary", "pagespeed", "crux", "measurements", "k6-stream", "cargo-criterion", "bencher", "hyperfine"]
    {
        refused(
            dir.path(),
            &["measure", "--input-format", format, "lhr.json"],
            "lhr.json",
            &[
                "no `record` in this CrUX response",
                "no `test NAME ... bench:` line",
                "not a PageSpeed Insights response",
                "EOF while parsing",
                "invalid type: map, expected a sequence",
                "this k6 summary has no `metrics`",
                "missing field `results`",
            ],
        );
    }
}

/// The Lighthouse sample with the text `from` replaced by `to`, written as `name`. The text
/// is edited, not re-serialised, so the keys keep Lighthouse's order.
fn edited_lhr(dir: &Path, name: &str, from: &str, to: &str) {
    let lhr = fs::read_to_string(repo().join("samples/lighthouse-13.4.1.json")).unwrap();
    assert!(lhr.contains(from));
    fs::write(dir.join(name), lhr.replacen(from, to, 1)).unwrap();
}

#[test]
fn a_100_mb_string_value_is_read_like_any_other() {
    let dir = tempfile::tempdir().unwrap();
    fs::copy(repo().join("samples/lighthouse-13.4.1.json"), dir.path().join("plain.json")).unwrap();
    let warning = format!("\"runWarnings\": [\"{}\"],", "x".repeat(100_000_000));
    edited_lhr(dir.path(), "big.json", "\"runWarnings\": [],", &warning);
    let plain = perfbudget(dir.path(), &["measure", "--format", "json", "plain.json"]);
    let big = perfbudget(dir.path(), &["measure", "--format", "json", "big.json"]);
    assert_eq!(big.code, 0, "{}", big.stderr);
    assert_eq!(big.stdout.replace("big.json", "plain.json"), plain.stdout);
}

#[test]
fn deep_nesting_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let arrays = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let objects = format!("{}1{}", "{\"a\":".repeat(10_000), "}".repeat(10_000));
    fs::write(dir.path().join("arrays.json"), arrays).unwrap();
    fs::write(dir.path().join("objects.json"), &objects).unwrap();
    for format in ["measurements", "lighthouse", "k6-summary", "pagespeed", "crux"] {
        refused(
            dir.path(),
            &["measure", "--input-format", format, "arrays.json"],
            "arrays.json",
            &["recursion limit exceeded", "invalid type: sequence, expected a string"],
        );
        refused(
            dir.path(),
            &["measure", "--input-format", format, "objects.json"],
            "objects.json",
            &[
                "no `record` in this CrUX response",
                "not a PageSpeed Insights response",
                "invalid type: map, expected a sequence",
                "this k6 summary has no `metrics`",
                "missing field `lighthouseVersion`",
            ],
        );
    }
    refused(
        dir.path(),
        &["measure", "arrays.json"],
        "arrays.json",
        &["not an input perfbudget can read (detected by content, not by name)"],
    );
    let yaml = format!("version: 1\nlimits:\n  lcp: {}2.5s{}\n", "[".repeat(10_000), "]".repeat(10_000));
    fs::write(dir.path().join("deep.yml"), yaml).unwrap();
    refused(
        dir.path(),
        &["validate", "deep.yml"],
        "deep.yml",
        &["limits.lcp: invalid type: sequence, expected a limit for lcp, such as"],
    );
    fs::write(dir.path().join("deep.json"), format!("{{\"version\": 1, \"limits\": {objects}}}")).unwrap();
    refused(
        dir.path(),
        &["validate", "deep.json"],
        "deep.json",
        &["unknown metric `a`; metrics are: lcp, fcp, tbt, speed_index, tti"],
    );
}

#[test]
fn non_finite_and_out_of_range_numbers_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    for (name, value) in [("nan", "NaN"), ("inf", "Infinity"), ("overflow", "1e309"), ("huge", "1e308")] {
        let file = format!("{name}.json");
        let json = format!(
            r#"[{{"source":"lighthouse","metric":"lcp","subject":{{"url":"https://x/"}},"value":{value},"unit":"ms"}}]"#
        );
        fs::write(dir.path().join(&file), json).unwrap();
        refused(
            dir.path(),
            &["measure", &file],
            &format!("{file}:1:"),
            &["is out of range", "expected value", "number out of range"],
        );
    }
    let lcp = lcp_numeric_value();
    edited_lhr(dir.path(), "lhr-huge.json", &lcp, "\"numericValue\": 1e308");
    let stderr = refused(
        dir.path(),
        &["measure", "lhr-huge.json"],
        "lhr-huge.json",
        &["lcp for http://localhost:10200/dobetterweb/dbw_tester.html (data=lab"],
    );
    assert_eq!(
        stderr,
        "error: lhr-huge.json: lcp for http://localhost:10200/dobetterweb/dbw_tester.html \
         (data=lab, form_factor=mobile, lighthouse=13): value 1e308 ms is out of range\n"
    );
    fs::write(dir.path().join("b.yml"), "version: 1\nlimits:\n  lcp: 1e400ms\n").unwrap();
    refused(dir.path(), &["validate", "b.yml"], "b.yml", &["limits.lcp: `1e400ms` is not a finite number"]);
    fs::write(dir.path().join("n.yml"), "version: 1\nlimits:\n  lcp: -2s\n").unwrap();
    refused(
        dir.path(),
        &["validate", "n.yml"],
        "n.yml:3:",
        &["limits.lcp: `-2s` is negative; a time cannot be below zero"],
    );
}

#[test]
fn duplicate_keys_in_a_budget_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("dup.yml"), "version: 1\nlimits:\n  lcp: 2.5s\n  lcp: 4s\n").unwrap();
    refused(dir.path(), &["validate", "dup.yml"], "dup.yml:4:", &["limits: `lcp` is given twice"]);
    fs::write(dir.path().join("dup.json"), r#"{"version": 1, "limits": {"cls": 0.1, "cls": 0.25}}"#).unwrap();
    refused(dir.path(), &["validate", "dup.json"], "dup.json:1:", &["`cls` is given twice"]);
}

#[cfg(unix)]
#[test]
fn non_utf8_names_and_bytes() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let name = std::ffi::OsStr::from_bytes(b"lhr-\xff.json");
    fs::copy(repo().join("samples/lighthouse-13.4.1.json"), dir.path().join(name)).unwrap();
    let output = common::command(dir.path()).arg("measure").arg(name).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&output.stdout).contains("lhr-\u{fffd}.json"));
    fs::write(dir.path().join("bytes.json"), b"[{\"source\":\"x\xff\"}]").unwrap();
    refused(
        dir.path(),
        &["measure", "--input-format", "measurements", "bytes.json"],
        "bytes.json",
        &["not UTF-8 text (an invalid byte at offset 13)"],
    );
    fs::write(dir.path().join("bench.txt"), b"test a ... bench: \xff ns/iter (+/- 1)\n").unwrap();
    refused(dir.path(), &["measure", "--input-format", "bencher", "bench.txt"], "bench.txt", &["not UTF-8 text"]);
}

#[cfg(unix)]
#[test]
fn empty_folders_and_symlink_loops_end_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("empty")).unwrap();
    refused(
        dir.path(),
        &["measure", "empty"],
        "empty",
        &["no file in this folder is an input perfbudget reads (perfbudget"],
    );
    fs::create_dir(dir.path().join("loop")).unwrap();
    std::os::unix::fs::symlink("..", dir.path().join("loop/up")).unwrap();
    std::os::unix::fs::symlink(".", dir.path().join("loop/self")).unwrap();
    refused(dir.path(), &["measure", "loop"], "loop", &["/self: a symbolic link loop (it leads back to loop)"]);
    std::os::unix::fs::symlink("missing.json", dir.path().join("dangling.json")).unwrap();
    refused(dir.path(), &["measure", "dangling.json"], "dangling.json", &["No such file or directory (os error 2)"]);
}

#[cfg(unix)]
#[test]
fn built_files_with_non_utf8_names_and_empty_build_folders() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("dist")).unwrap();
    fs::write(dir.path().join("perfbudget.yml"), "version: 1\nlimits:\n  bundle_size: 10 kB\n").unwrap();
    // An empty build is the right verdict: red, nothing matched.
    let run = perfbudget(dir.path(), &["check", "dist"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.contains("no measurement matched bundle_size brotli"), "{}", run.stdout);
    assert!(run.stdout.contains("the .js files of the folders given as inputs"), "{}", run.stdout);
    fs::write(dir.path().join("dist").join(std::ffi::OsStr::from_bytes(b"app-\xff.js")), "let a = 1;\n").unwrap();
    let run = perfbudget(dir.path(), &["check", "dist"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("(1 file)"), "the file is measured: {}", run.stdout);
    let run = perfbudget(dir.path(), &["measure", "dist"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("dist/app-\u{fffd}.js"), "{}", run.stdout);
}

#[test]
fn a_built_file_over_1_gb_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("dist")).unwrap();
    let file = fs::File::create(dir.path().join("dist/huge.js")).unwrap();
    file.set_len(1_100_000_000).unwrap();
    fs::write(dir.path().join("perfbudget.yml"), "version: 1\nlimits:\n  bundle_size: 10 kB\n").unwrap();
    let stderr = refused(
        dir.path(),
        &["check", "--no-cache", "dist"],
        "dist/huge.js",
        &["1100000000 bytes is more than the 1000000000 perfbudget compresses"],
    );
    assert!(stderr.contains("1100000000 bytes is more than the 1000000000 perfbudget compresses"), "{stderr}");
    // Its raw size needs no reading at all.
    fs::write(
        dir.path().join("perfbudget.yml"),
        "version: 1\nbudgets:\n  - { metric: bundle_size, files: [\"dist/*.js\"], compression: none, max: 2 GB }\n",
    )
    .unwrap();
    let run = perfbudget(dir.path(), &["check"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn a_budget_with_100000_entries_loads() {
    let dir = tempfile::tempdir().unwrap();
    let mut yaml = String::from("version: 1\nbudgets:\n");
    for i in 0..100_000 {
        yaml.push_str(&format!("  - {{metric: bench_time, id: \"bench/{i}\", max: 1ms}}\n"));
    }
    fs::write(dir.path().join("big.yml"), yaml).unwrap();
    let run = perfbudget(dir.path(), &["validate", "big.yml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "ok: big.yml: 100000 checks\n");
}

#[test]
fn a_2_gb_sparse_file_given_as_a_lighthouse_report_is_refused_without_reading_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = fs::File::create(dir.path().join("sparse.json")).unwrap();
    file.set_len(2_000_000_000).unwrap();
    let stderr = refused(
        dir.path(),
        &["measure", "--input-format", "lighthouse", "sparse.json"],
        "sparse.json",
        &["2 GB is more than the 500 MB perfbudget reads as one report; is this"],
    );
    assert_eq!(
        stderr,
        "error: sparse.json: 2 GB is more than the 500 MB perfbudget reads as one report; is this the right file?\n"
    );
    // Detected by content: zeros are no format at all.
    refused(
        dir.path(),
        &["measure", "sparse.json"],
        "sparse.json: not an input perfbudget can read",
        &["(detected by content, not by name); perfbudget reads: perfbudget"],
    );
}

/// The text of the LCP audit's `"numericValue": N` in the sample.
fn lcp_numeric_value() -> String {
    let lhr = fs::read_to_string(repo().join("samples/lighthouse-13.4.1.json")).unwrap();
    let audit = lhr.find("\"largest-contentful-paint\": {").unwrap();
    let at = audit + lhr[audit..].find("\"numericValue\": ").unwrap();
    let end = at + lhr[at..].find([',', '\n']).unwrap();
    lhr[at..end].to_owned()
}

/// Copies `from` (a folder) into `to`, creating its files in name order or in reverse.
fn copy_tree(from: &Path, to: &Path, reverse: bool) {
    fs::create_dir_all(to).unwrap();
    let mut entries: Vec<PathBuf> = fs::read_dir(from).unwrap().map(|entry| entry.unwrap().path()).collect();
    entries.sort();
    if reverse {
        entries.reverse();
    }
    for entry in entries {
        let target = to.join(entry.file_name().unwrap());
        if entry.is_dir() {
            copy_tree(&entry, &target, reverse);
        } else {
            fs::copy(&entry, &target).unwrap();
        }
    }
}

#[test]
fn reports_are_byte_identical_whatever_the_file_order_or_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let budget = "version: 1\ninputs: [.lighthouseci/, criterion/, k6.json]\nlimits:\n  lcp: 2s\n  score: 90\n  \
                  bench_time: 1ms\n  api_p95: 75ms\nbudgets:\n  \
                  - { metric: bundle_size, files: [\"dist/**/*.js\"], max: 200 kB }\n  \
                  - { metric: bundle_size, files: [\"dist/**\"], each: true, compression: gzip, max: 50 KiB }\n";
    let mut outputs = Vec::new();
    for (name, reverse, threads) in [("forward", false, "1"), ("reverse", true, "4")] {
        let work = dir.path().join(name);
        copy_tree(
            &repo().join("tests/fixtures/lighthouse/generated/lhci/.lighthouseci"),
            &work.join(".lighthouseci"),
            reverse,
        );
        copy_tree(&repo().join("tests/fixtures/criterion/generated/tree"), &work.join("criterion"), reverse);
        fs::copy(repo().join("samples/k6-handle-summary.json"), work.join("k6.json")).unwrap();
        copy_tree(&repo().join("tests/fixtures/bundle/dist"), &work.join("dist"), reverse);
        fs::write(work.join("perfbudget.yml"), budget).unwrap();
        let output = common::command(&work)
            .args(["check", "--no-cache", "--json", "r.json", "--markdown", "r.md", "--junit", "r.xml"])
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .unwrap();
        assert!(matches!(output.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&output.stderr));
        let files: Vec<Vec<u8>> =
            ["r.json", "r.md", "r.xml"].iter().map(|file| fs::read(work.join(file)).unwrap()).collect();
        outputs.push((output.stdout, files));
    }
    assert!(outputs[0].1[0].len() > 1000, "the report holds the checks");
    assert_eq!(outputs[0], outputs[1]);
}
