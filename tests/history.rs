//! The history file through the binary, with real processes and real files: runs recorded
//! by `check --json` + `history record`, `check --history` verdicts against them,
//! processes that record at once, a writer killed mid-write, and damaged files.
#![allow(clippy::unwrap_used)] // test setup: a failure should stop the test

mod common;

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use common::{command, perfbudget};

const BUDGET: &str = "version: 1\nname: bench\nbudgets:\n  - metric: bench_time\n    regression: 10%\n";

/// A measurements JSON input of one criterion-like benchmark time, in ms.
fn measurement(ms: f64) -> String {
    format!(
        r#"[{{"source":"criterion","metric":"bench_time","stat":"typical","subject":{{"id":"parse/json"}},"value":{ms},"unit":"ms"}}]"#
    )
}

/// Runs `check --json` on `ms` and records the report as commit `commit` of main on day `day`.
fn record(dir: &Path, ms: f64, commit: &str, day: u32) {
    std::fs::write(dir.join("m.json"), measurement(ms)).unwrap();
    let check = perfbudget(dir, &["check", "--json", "r.json", "m.json"]);
    assert_eq!(check.code, 0, "{}", check.stderr);
    let time = format!("2026-11-{day:02}T10:00:00Z");
    let args =
        ["history", "record", "r.json", "--history", "h.db", "--branch", "main", "--commit", commit, "--time", &time];
    let recorded = perfbudget(dir, &args);
    assert_eq!(recorded.code, 0, "{}", recorded.stderr);
    assert_eq!(
        recorded.stdout,
        format!("recorded 1 measurements of main ({}) in h.db\n", &commit[..7.min(commit.len())])
    );
}

fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("perfbudget.yml"), BUDGET).unwrap();
    dir
}

/// The one row of `check --history h.db` on `ms`: (exit code, verdict, message).
fn judged(dir: &Path, ms: f64) -> (i32, String, String) {
    std::fs::write(dir.join("m.json"), measurement(ms)).unwrap();
    let run = perfbudget(dir, &["check", "--history", "h.db", "--branch", "main", "--json", "now.json", "m.json"]);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("now.json")).unwrap()).unwrap();
    let check = &report["checks"][0];
    (run.code, check["verdict"].as_str().unwrap().to_owned(), check["message"].as_str().unwrap().to_owned())
}

const STEADY: [f64; 10] = [100.0, 102.0, 98.0, 101.0, 99.0, 100.0, 103.0, 97.0, 100.0, 100.0];

#[test]
fn check_against_recorded_runs_says_what_it_used() {
    let dir = setup();
    let (code, verdict, message) = judged(dir.path(), 120.0);
    assert_eq!(
        (code, verdict.as_str(), message.as_str()),
        (0, "yellow", "Bench time: no baseline: the history holds no run of main")
    );
    for (day, ms) in STEADY.iter().enumerate() {
        record(dir.path(), *ms, &format!("{day:07}aaaaaaaa"), day as u32 + 1);
    }
    let (code, verdict, message) = judged(dir.path(), 150.0);
    assert_eq!(
        (code, verdict.as_str(), message.as_str()),
        (
            1,
            "red",
            "Bench time 150 ms is 50% worse than the typical 99.99 ms of the last 10 runs of main, beyond their \
             prediction limit 105.3 ms (n = 10, α = 0.01; allowed: 10%)"
        )
    );
    let run = perfbudget(dir.path(), &["check", "--history", "h.db", "--branch", "main", "m.json"]);
    assert!(
        run.stdout.contains(
            "Compared with 10 runs of main: 1 check judged by the noise rule at α = 0.01, so about 0.01 expected \
             beyond their prediction limit by chance alone; a red also needs the change to exceed the regression allowance\n"
        ),
        "{}",
        run.stdout
    );
    let (_, verdict, _) = judged(dir.path(), 104.0);
    assert_eq!(verdict, "green");
    // `history:` in the budget names the same file.
    std::fs::write(dir.path().join("perfbudget.yml"), format!("{BUDGET}history: h.db\n")).unwrap();
    std::fs::write(dir.path().join("m.json"), measurement(150.0)).unwrap();
    let run = perfbudget(dir.path(), &["check", "m.json"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let shown = perfbudget(dir.path(), &["history", "show", "--metric", "bench_time"]);
    assert!(
        shown.stdout.starts_with("10 runs of main, 2026-11-01T10:00:00Z to 2026-11-10T10:00:00Z\n"),
        "{}",
        shown.stdout
    );
    assert!(shown.stdout.contains("│ bench_time ┆ typical ┆ parse/json ┆   10 ┆ ▅▇▂▆▃▅█▁▅▅"), "{}", shown.stdout);
}

#[test]
fn an_export_imports_into_another_file_with_the_same_numbers() {
    let dir = setup();
    for (day, ms) in [(1, 100.0), (2, 100.125), (3, 99.875)] {
        record(dir.path(), ms, &format!("c{day}aaaaaaa"), day);
    }
    let exported = perfbudget(dir.path(), &["history", "export", "--history", "h.db"]);
    assert_eq!(exported.code, 0, "{}", exported.stderr);
    assert_eq!(exported.stdout.lines().count(), 3);
    std::fs::write(dir.path().join("runs.jsonl"), &exported.stdout).unwrap();
    let imported = perfbudget(dir.path(), &["history", "import", "runs.jsonl", "--history", "copy.db"]);
    assert_eq!(imported.stdout, "imported 3 runs into copy.db (0 already there)\n");
    let again = perfbudget(dir.path(), &["history", "export", "--history", "copy.db"]);
    assert_eq!(again.stdout, exported.stdout);
    let pruned = perfbudget(dir.path(), &["history", "prune", "--keep", "1", "--history", "copy.db"]);
    assert_eq!(pruned.stdout, "deleted 2 runs from copy.db, kept the newest 1 of each branch\n");
    // A line that is not a run stops the import, names the line, and imports nothing.
    let bad = exported.stdout.replacen("\"value\":100.125", "\"value\":1e999", 1);
    std::fs::write(dir.path().join("bad.jsonl"), bad).unwrap();
    let refused = perfbudget(dir.path(), &["history", "import", "bad.jsonl", "--history", "fresh.db"]);
    assert_eq!(refused.code, 2);
    assert!(refused.stderr.starts_with("error: bad.jsonl:2:"), "{}", refused.stderr);
    let empty = perfbudget(dir.path(), &["history", "export", "--history", "fresh.db"]);
    assert_eq!((empty.code, empty.stdout.as_str()), (0, ""), "nothing of the bad export was imported");
}

#[test]
fn processes_recording_at_once_all_land() {
    let dir = setup();
    std::fs::write(dir.path().join("m.json"), measurement(100.0)).unwrap();
    assert_eq!(perfbudget(dir.path(), &["check", "--json", "r.json", "m.json"]).code, 0);
    let writers: Vec<_> = (0..8)
        .map(|index| {
            command(dir.path())
                .args(["history", "record", "r.json", "--history", "h.db", "--branch", "main"])
                .args(["--commit", &format!("writer{index}"), "--time", &format!("2026-11-01T10:00:{index:02}Z")])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for writer in writers {
        let output = writer.wait_with_output().unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    }
    let exported = perfbudget(dir.path(), &["history", "export", "--history", "h.db"]);
    let mut commits: Vec<String> = exported
        .stdout
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap()["commit"].as_str().unwrap().to_owned())
        .collect();
    commits.sort();
    assert_eq!(commits, (0..8).map(|index| format!("writer{index}")).collect::<Vec<_>>());
}

/// A report of `checks` benchmark rows, large enough that recording it takes a while.
fn large_report(checks: usize) -> String {
    let rows: Vec<String> = (0..checks)
        .map(|index| {
            format!(
                r#"{{"budget":"b","metric":"bench_time","source_metric":"bench_time","stat":"typical","source":"criterion","subject":{{"id":"bench/{index}"}},"verdict":"green","message":"m","unit":"ms","value":{}}}"#,
                1.0 + index as f64
            )
        })
        .collect();
    format!(
        r#"{{"schema_version":1,"tool":"perfbudget","version":"0.1.0","budget":{{"file":"b.yml"}},"verdict":"green","counts":{{"red":0,"yellow":0,"green":{checks}}},"checks":[{}]}}"#,
        rows.join(",")
    )
}

#[test]
fn a_writer_killed_mid_write_loses_nothing_already_recorded() {
    let dir = setup();
    std::fs::write(dir.path().join("small.json"), large_report(3)).unwrap();
    std::fs::write(dir.path().join("large.json"), large_report(60_000)).unwrap();
    let small = ["history", "record", "small.json", "--history", "h.db", "--branch", "main", "--commit", "kept"];
    assert_eq!(perfbudget(dir.path(), &small).code, 0);
    // How long one whole record takes here, into a scratch file: the kills below fall
    // from early in it (reading the report) to late (inside the transaction).
    let started = std::time::Instant::now();
    let scratch = ["history", "record", "large.json", "--history", "scratch.db", "--branch", "main"];
    assert_eq!(perfbudget(dir.path(), &scratch).code, 0);
    let whole = started.elapsed().as_millis() as u64;
    let mut landed = 0;
    for delay in [10, 30, 50, 70, 80, 90, 95].map(|percent| whole * percent / 100) {
        let mut writer = command(dir.path())
            .args(["history", "record", "large.json", "--history", "h.db", "--branch", "main", "--commit", "killed"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay));
        let _ = writer.kill();
        let finished = writer.wait().unwrap().success();
        // A write-ahead log left behind holds the frames of a transaction the kill cut short.
        let log = std::fs::metadata(dir.path().join("h.db-wal")).map_or(0, |log| log.len());
        // The history opens, holds the run recorded before, and each killed run wholly or not at all.
        let exported = perfbudget(dir.path(), &["history", "export", "--history", "h.db"]);
        assert_eq!(exported.code, 0, "after a kill at {delay} ms: {}", exported.stderr);
        let runs: Vec<serde_json::Value> =
            exported.stdout.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
        assert_eq!(runs[0]["commit"], "kept");
        assert_eq!(runs[0]["measurements"].as_array().unwrap().len(), 3);
        for run in &runs[1..] {
            assert_eq!(run["measurements"].as_array().unwrap().len(), 60_000, "a killed run landed in part");
        }
        // A kill after the commit lands the run although the process did not finish.
        let now = runs.len() - 1;
        assert!(now == landed || now == landed + 1, "after a kill at {delay} ms: {now} runs, {landed} before");
        assert!(!finished || now == landed + 1, "a finished record landed");
        landed = now;
        eprintln!("killed at {delay} ms: {} runs, {landed} large ones landed, {log} bytes of log left", runs.len());
    }
}

#[test]
fn a_damaged_history_is_exit_2_naming_it_never_an_empty_history() {
    let dir = setup();
    for day in 1..=12 {
        record(dir.path(), 100.0 + f64::from(day), &format!("c{day:02}aaaaaa"), day);
    }
    std::fs::write(dir.path().join("m.json"), measurement(100.0)).unwrap();
    let bytes = std::fs::read(dir.path().join("h.db")).unwrap();
    let mut cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("cut.db", bytes[..bytes.len() / 2].to_vec(), "cut.db: a truncated history: "),
        ("text.db", b"runs: many\n".repeat(50), "text.db: not a perfbudget history (not an SQLite database)"),
    ];
    // Every page after the header's overwritten: SQLite finds the damage when it reads them.
    let mut scrambled = bytes.clone();
    for byte in scrambled.iter_mut().skip(4096) {
        *byte = 0x5a;
    }
    cases.push(("scrambled.db", scrambled, "scrambled.db: a damaged history (database disk image is malformed)"));
    for (name, content, expected) in cases {
        std::fs::write(dir.path().join(name), content).unwrap();
        let run = perfbudget(dir.path(), &["check", "--history", name, "--branch", "main", "m.json"]);
        assert_eq!(run.code, 2, "{name}: {}", run.stdout);
        assert!(run.stderr.starts_with(&format!("error: {expected}")), "{name}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "{name}: no verdict from a damaged history");
    }
}

/// Runs git in `dir`, quietly, with a fixed identity.
fn git(dir: &Path, args: &[&str]) -> String {
    let output = std::process::Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "init.defaultBranch=main"])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(output.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

#[test]
fn sizes_compare_with_the_run_at_the_merge_base_that_git_finds() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    std::fs::write(dir.join("perfbudget.yml"), "version: 1\nbudgets:\n  - metric: page_weight\n    regression: 1%\n")
        .unwrap();
    let weight = |bytes: u32| {
        format!(
            r#"[{{"source":"lighthouse","metric":"page_weight","subject":{{"url":"https://shop/"}},"value":{bytes},"unit":"B"}}]"#
        )
    };
    git(dir, &["init", "-q"]);
    git(dir, &["commit", "-q", "--allow-empty", "-m", "base"]);
    let base = git(dir, &["rev-parse", "HEAD"]);
    git(dir, &["switch", "-q", "-c", "feature"]);
    git(dir, &["commit", "-q", "--allow-empty", "-m", "feature work"]);
    git(dir, &["switch", "-q", "main"]);
    git(dir, &["commit", "-q", "--allow-empty", "-m", "main moved on"]);
    let newer = git(dir, &["rev-parse", "HEAD"]);
    // main's runs: 100 kB at the merge-base, 110 kB after it.
    for (commit, bytes, day) in [(&base, 100_000, 1), (&newer, 110_000, 2)] {
        std::fs::write(dir.join("m.json"), weight(bytes)).unwrap();
        assert_eq!(perfbudget(dir, &["check", "--json", "r.json", "m.json"]).code, 0);
        let time = format!("2026-11-0{day}T10:00:00Z");
        let args = ["history", "record", "r.json", "--history", "h.db", "--commit", commit, "--time", &time];
        assert_eq!(perfbudget(dir, &args).code, 0, "the branch comes from git: main");
    }
    git(dir, &["switch", "-q", "feature"]);
    std::fs::write(dir.join("m.json"), weight(105_000)).unwrap();
    let run = perfbudget(dir, &["check", "--history", "h.db", "--branch", "main", "--json", "now.json", "m.json"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("now.json")).unwrap()).unwrap();
    assert_eq!(
        report["checks"][0]["message"],
        format!(
            "Page weight 105 kB is 5% worse than the baseline 100 kB (allowed: 1%) (exact, against main at {}, the \
             merge-base)",
            &base[..7]
        )
    );
    assert_eq!(report["checks"][0]["history"]["commit"], base.as_str());
}

#[test]
fn missing_baseline_red_makes_no_history_a_failure() {
    let dir = setup();
    std::fs::write(dir.path().join("perfbudget.yml"), format!("{BUDGET}defaults:\n  missing_baseline: red\n")).unwrap();
    std::fs::write(dir.path().join("m.json"), measurement(100.0)).unwrap();
    let run = perfbudget(dir.path(), &["check", "--history", "h.db", "--branch", "main", "m.json"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.contains("Bench time: no baseline: the history holds no run of main"), "{}", run.stdout);
    assert_eq!(run.stderr, "warning: h.db: no history there yet: no baseline for any regression check\n");
    let without = perfbudget(dir.path(), &["check", "m.json"]);
    assert_eq!(without.code, 1, "no --baseline either: red too");
    assert!(without.stdout.contains("regression not checked: no --baseline report given"), "{}", without.stdout);
}

#[cfg(unix)]
#[test]
fn a_fifo_or_a_folder_as_the_history_is_refused_before_it_is_opened() {
    let dir = setup();
    std::fs::write(dir.path().join("m.json"), measurement(100.0)).unwrap();
    let fifo = dir.path().join("fifo.db");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    std::fs::create_dir(dir.path().join("folder.db")).unwrap();
    for (name, kind) in [("fifo.db", "a FIFO"), ("folder.db", "a folder")] {
        let expected = format!(
            "error: {name}: not a regular file ({kind}); a history is a file that `perfbudget history record` writes\n"
        );
        let check = perfbudget(dir.path(), &["check", "--history", name, "--branch", "main", "m.json"]);
        assert_eq!((check.code, check.stderr.as_str()), (2, expected.as_str()));
        let show = perfbudget(dir.path(), &["history", "show", "--history", name]);
        assert_eq!((show.code, show.stderr.as_str()), (2, expected.as_str()));
    }
}

/// A budget of the benchmark time with a `max:` and `loosening: fail`.
fn limited(max: &str) -> String {
    format!("version: 1\nname: bench\nbudgets:\n  - metric: bench_time\n    max: {max}\n    loosening: fail\n")
}

#[test]
fn a_limit_looser_than_the_recorded_runs_is_a_row_of_check_history() {
    let dir = setup();
    std::fs::write(dir.path().join("perfbudget.yml"), limited("200ms")).unwrap();
    record(dir.path(), 100.0, "c1aaaaaaa", 1);
    let exported = perfbudget(dir.path(), &["history", "export", "--history", "h.db"]);
    assert!(
        exported.stdout.contains(
            r#""limits":[{"label":"bench_time","metric":"bench_time","source_metric":"bench_time","unit":"ms","limit":{"max":200.0},"warn":180.0}]}"#
        ),
        "{}",
        exported.stdout
    );
    std::fs::write(dir.path().join("perfbudget.yml"), limited("300ms")).unwrap();
    let args = ["check", "--history", "h.db", "--branch", "main", "--merge-base", "c1aaaaaaa", "--json", "now.json"];
    let run = perfbudget(dir.path(), &[&args[..], &["m.json"]].concat());
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("now.json")).unwrap()).unwrap();
    let loosened: Vec<(&str, &str)> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|check| !check["loosened"].is_null())
        .map(|check| (check["verdict"].as_str().unwrap(), check["message"].as_str().unwrap()))
        .collect();
    assert_eq!(
        loosened,
        [(
            "red",
            "limit loosened from 200 ms to 300 ms, against the limits of main at c1aaaaa, the merge-base (loosening: \
             fail; approve with --allow-loosening)"
        )]
    );
    let approved = perfbudget(dir.path(), &[&args[..], &["--allow-loosening", "m.json"]].concat());
    assert_eq!(approved.code, 0, "{}{}", approved.stdout, approved.stderr);
    assert!(approved.stdout.contains("perfbudget: green"), "{}", approved.stdout);
    // The same limit is no row; an export line of an older perfbudget (no limits) imports
    // fine and its run compares no limits.
    std::fs::write(dir.path().join("perfbudget.yml"), limited("200ms")).unwrap();
    let same = perfbudget(dir.path(), &[&args[..], &["m.json"]].concat());
    assert_eq!(same.code, 0, "{}", same.stdout);
    assert!(!same.stdout.contains("loosened"), "{}", same.stdout);
    let old_line = exported.stdout.split(",\"limits\"").next().unwrap().to_owned() + "}\n";
    std::fs::write(dir.path().join("old.jsonl"), old_line).unwrap();
    let imported = perfbudget(dir.path(), &["history", "import", "old.jsonl", "--history", "old.db"]);
    assert_eq!(imported.stdout, "imported 1 runs into old.db (0 already there)\n", "{}", imported.stderr);
    let bad = exported
        .stdout
        .replace(r#""max":200.0"#, r#""max":-1e308"#)
        .replace("\"unit\":\"ms\",\"limit", "\"unit\":\"s\",\"limit");
    std::fs::write(dir.path().join("bad.jsonl"), bad).unwrap();
    let refused = perfbudget(dir.path(), &["history", "import", "bad.jsonl", "--history", "bad.db"]);
    assert_eq!(refused.code, 2, "{}", refused.stdout);
    assert_eq!(
        refused.stderr, "error: bad.jsonl:1: the limit of budget \"bench_time\" (-1e308) is not a finite number\n",
        "a limit that is not finite in base units is refused, naming the line"
    );
    std::fs::write(dir.path().join("perfbudget.yml"), limited("300ms")).unwrap();
    let old = perfbudget(dir.path(), &["check", "--history", "old.db", "--branch", "main", "m.json"]);
    assert_eq!(old.code, 0, "{}", old.stdout);
    assert!(!old.stdout.contains("loosened"), "{}", old.stdout);
}
