//! `perfbudget merge` on real reports: each job's report is written by `perfbudget check`
//! on a budget over a real tool output (tests/fixtures/merge/), never by hand. One verdict
//! (the worst wins), one comment with a section per job, one JUnit file; a missing job is
//! named, a duplicated key and every broken report is exit 2 naming the file, and hostile
//! keys forge nothing.
#![allow(clippy::unwrap_used, clippy::panic)] // test setup: a failure should stop the test

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{perfbudget, repo};

fn fixtures() -> PathBuf {
    repo().join("tests/fixtures/merge")
}

/// `perfbudget check -q --budget BUDGET.yml --key KEY --json OUT` in the fixtures folder;
/// returns the exit code.
fn check_job(budget: &str, key: &str, out: &Path) -> i32 {
    let run = perfbudget(
        &fixtures(),
        &["check", "-q", "--budget", &format!("{budget}.yml"), "--key", key, "--json", out.to_str().unwrap()],
    );
    assert!(run.code < 2, "{budget}: {}", run.stderr);
    run.code
}

/// The three jobs' reports in `dir/reports/`: web (red), api (yellow), bench (green).
fn three_jobs(dir: &Path) -> PathBuf {
    let reports = dir.join("reports");
    fs::create_dir_all(&reports).unwrap();
    for (key, code) in [("web", 1), ("api", 0), ("bench", 0)] {
        assert_eq!(check_job(key, key, &reports.join(format!("{key}.json"))), code);
    }
    reports
}

fn merge(dir: &Path, args: &[&str]) -> common::Run {
    let mut all = vec!["merge"];
    all.extend_from_slice(args);
    perfbudget(dir, &all)
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

#[test]
fn the_committed_reports_are_what_check_writes() {
    let dir = tempfile::tempdir().unwrap();
    let committed = repo().join("tests/cmd/merge.in");
    for (budget, key, file) in [
        ("web", "web", "reports/web.json"),
        ("api", "api", "reports/api.json"),
        ("bench", "bench", "reports/bench.json"),
        ("api", "web", "other/web.json"),
    ] {
        let out = dir.path().join(format!("{budget}-{key}.json"));
        check_job(budget, key, &out);
        assert_eq!(read(&out), read(&committed.join(file)), "{file}: run tests/fixtures/merge/make-reports.sh");
    }
}

#[test]
fn three_jobs_merge_into_one_verdict_one_comment_and_one_junit() {
    let dir = tempfile::tempdir().unwrap();
    let reports = three_jobs(dir.path());
    let run = merge(
        dir.path(),
        &[
            "--expect",
            "web,api,bench",
            "--json",
            "merged.json",
            "--markdown",
            "comment.md",
            "--junit",
            "junit.xml",
            "reports",
        ],
    );
    assert_eq!(run.code, 1, "the web job is red: {}", run.stderr);
    assert_eq!(run.stderr, "");
    assert!(
        run.stdout.ends_with("perfbudget: red — 3 jobs (1 red, 1 yellow, 1 green); checks: 3 red, 3 yellow, 2 green\n"),
        "{}",
        run.stdout
    );
    insta::assert_snapshot!("three_jobs_terminal", run.stdout);
    let comment = read(&dir.path().join("comment.md"));
    insta::assert_snapshot!("three_jobs_markdown", comment);
    assert!(comment.starts_with("<!-- perfbudget:v1 key=default -->\n### 🔴 perfbudget: red · merged\n"));
    assert_eq!(comment.matches("<!--").count(), 1, "one marker, one comment");
    // A section per job, worst first.
    let sections: Vec<usize> =
        ["#### 🔴 `web`", "#### 🟡 `api`", "#### 🟢 `bench`"].iter().map(|head| comment.find(head).unwrap()).collect();
    assert!(sections.is_sorted(), "{sections:?}");
    let junit = read(&dir.path().join("junit.xml"));
    insta::assert_snapshot!("three_jobs_junit", junit);
    for suite in ["web", "api", "bench"] {
        assert_eq!(junit.matches(&format!("<testsuite name=\"{suite}\"")).count(), 1, "{junit}");
    }
    assert_eq!(junit.matches("<failure ").count(), 3);

    // The merged JSON holds each job's report whole, under its key.
    let merged: serde_json::Value = serde_json::from_str(&read(&dir.path().join("merged.json"))).unwrap();
    assert_eq!(merged["verdict"], "red");
    assert_eq!(merged["counts"], serde_json::json!({"red": 3, "yellow": 3, "green": 2}));
    let keys: Vec<&str> = merged["jobs"].as_array().unwrap().iter().map(|job| job["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["api", "bench", "web"]);
    for job in merged["jobs"].as_array().unwrap() {
        let key = job["key"].as_str().unwrap();
        let own: serde_json::Value = serde_json::from_str(&read(&reports.join(format!("{key}.json")))).unwrap();
        assert_eq!(job["report"], own, "{key}");
        assert_eq!(job["file"], format!("reports/{key}.json"));
    }
    assert!(merged.get("missing").is_none());

    // Green and yellow only: exit 0, unless --fail-on yellow.
    let run = merge(dir.path(), &["-q", "reports/api.json", "reports/bench.json"]);
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (0, "perfbudget: yellow — 2 jobs (0 red, 1 yellow, 1 green); checks: 0 red, 2 yellow, 2 green\n")
    );
    let run = merge(dir.path(), &["-q", "--fail-on", "yellow", "reports/api.json", "reports/bench.json"]);
    assert_eq!(run.code, 1);
}

#[test]
fn a_missing_job_is_red_or_yellow_and_named() {
    let dir = tempfile::tempdir().unwrap();
    three_jobs(dir.path());
    let run = merge(
        dir.path(),
        &[
            "--expect",
            "api,bench",
            "--expect",
            "docs",
            "--markdown",
            "comment.md",
            "--junit",
            "junit.xml",
            "reports/api.json",
            "reports/bench.json",
        ],
    );
    assert_eq!(run.code, 1, "a missing job is red: {}", run.stderr);
    assert!(run.stdout.starts_with("job docs: red — expected, but no report has this key\n"), "{}", run.stdout);
    assert!(run.stdout.ends_with("2 jobs (0 red, 1 yellow, 1 green), 1 missing; checks: 0 red, 2 yellow, 2 green\n"));
    let comment = read(&dir.path().join("comment.md"));
    assert!(comment.contains("| 🔴 | `docs` | — | expected, but no report has this key |\n"), "{comment}");
    let junit = read(&dir.path().join("junit.xml"));
    assert!(
        junit.contains("<testsuite name=\"docs\" tests=\"1\" skipped=\"0\" errors=\"0\" failures=\"1\">"),
        "{junit}"
    );
    assert!(junit.contains("<failure message=\"expected, but no report has this key\" type=\"missing\"/>"));

    let run = merge(
        dir.path(),
        &["-q", "--expect", "api,bench,docs", "--missing", "yellow", "reports/api.json", "reports/bench.json"],
    );
    assert_eq!(run.code, 0, "yellow when asked: {}", run.stderr);
    assert!(run.stdout.starts_with("perfbudget: yellow — "), "{}", run.stdout);

    // --expect-count: the shortfall is one row; more jobs than expected is a warning.
    let run = merge(dir.path(), &["--expect-count", "4", "reports"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .starts_with("jobs: red — 1 of the 4 expected jobs reported nothing (--expect-count 4; 3 reported)\n"),
        "{}",
        run.stdout
    );
    let run = merge(dir.path(), &["-q", "--expect-count", "2", "reports"]);
    assert_eq!(run.stderr, "warning: 3 jobs reported, more than --expect-count 2\n");
    // A job --expect does not name is merged, with a warning.
    let run = merge(dir.path(), &["-q", "--expect", "web,api", "reports"]);
    assert_eq!(
        run.stderr,
        "warning: reports/bench.json: job `bench` is not among the --expect keys; merged all the same\n"
    );

    // No job reported at all (every matrix job failed before its upload): with expectations
    // that is a verdict naming them, not an error.
    fs::create_dir_all(dir.path().join("empty")).unwrap();
    let run = merge(dir.path(), &["--expect", "web,api", "empty"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "job web: red — expected, but no report has this key\njob api: red — expected, but no report has this key\n\
         perfbudget: red — 0 jobs (0 red, 0 yellow, 0 green), 2 missing; checks: 0 red, 0 yellow, 0 green\n"
    );
    let run = merge(dir.path(), &["empty"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "error: no reports to merge: empty holds no *.json file; give `perfbudget check --json` reports, or --expect \
         the jobs so that missing ones are named\n"
    );
}

#[test]
fn a_duplicated_key_is_exit_2_naming_both_files() {
    let dir = tempfile::tempdir().unwrap();
    three_jobs(dir.path());
    fs::create_dir_all(dir.path().join("other")).unwrap();
    // Another budget, run under the key `web`: a matrix whose legs share one key.
    check_job("api", "web", &dir.path().join("other/web-again.json"));
    let run = merge(dir.path(), &["--markdown", "comment.md", "reports", "other"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "error: other/web-again.json: the job key `web` is also reports/web.json's; give each job its own `check \
         --key` (in a matrix, one per leg: `--key ${{ matrix.name }}`)\n"
    );
    assert!(!dir.path().join("comment.md").exists(), "nothing is written");
    // Two reports without a key, of one file name, in two folders: named alike, refused alike.
    fs::create_dir_all(dir.path().join("a")).unwrap();
    fs::create_dir_all(dir.path().join("b")).unwrap();
    let api = read(&dir.path().join("reports/api.json")).replace("  \"key\": \"api\",\n", "");
    fs::write(dir.path().join("a/report.json"), &api).unwrap();
    fs::write(dir.path().join("b/report.json"), &api).unwrap();
    let run = merge(dir.path(), &["a", "b"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.starts_with("error: b/report.json: the job key `report` is also a/report.json's"),
        "{}",
        run.stderr
    );
}

#[test]
fn broken_reports_exit_2_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let reports = three_jobs(dir.path());
    let web = read(&reports.join("web.json"));
    let cases: Vec<(&str, String, String)> = vec![
        ("cut.json", web[..web.len() / 2].to_owned(), "error: cut.json:".to_owned()),
        (
            "v2.json",
            web.replace("\"schema_version\": 1", "\"schema_version\": 2").replace("\"checks\"", "\"results\""),
            "error: v2.json: JSON report schema_version 2 is not supported; this perfbudget reads version 1\n".to_owned(),
        ),
        (
            "k6.json",
            read(&repo().join("samples/k6-handle-summary.json")),
            "error: k6.json: not a perfbudget JSON report (no `\"tool\": \"perfbudget\"`); write one with `perfbudget check --json FILE`\n".to_owned(),
        ),
        (
            "edited.json",
            web.replacen("\"verdict\": \"red\"", "\"verdict\": \"green\"", 1),
            "error: edited.json: the report says green (3 red, 1 yellow, 0 green), but its checks are red (3 red, 1 yellow, 0 green); it was edited or cut\n".to_owned(),
        ),
        (
            "huge.json",
            web.replace("\"value\": 10884.", "\"value\": 1e308, \"x\": 10884."),
            "error: huge.json: checks[0] (lcp, lcp): ".to_owned(),
        ),
        ("key.json", web.replace("\"key\": \"web\"", "\"key\": \"web\\n::error::forged\""), "error: key.json: the job key holds a control character (a line break, a tab, an escape)\n".to_owned()),
        ("empty.json", String::new(), "error: empty.json:".to_owned()),
    ];
    for (name, text, expected) in &cases {
        fs::write(dir.path().join(name), text).unwrap();
        let run = merge(dir.path(), &["--json", "out.json", "reports/api.json", name]);
        assert_eq!(run.code, 2, "{name}: {}", run.stdout);
        assert!(run.stderr.starts_with(expected.as_str()), "{name}: {}", run.stderr);
        assert!(!dir.path().join("out.json").exists(), "{name}: no report written");
    }
    // A merged report is not a job's report; its own --json in a folder it reads is skipped
    // (a second run over the same folder).
    assert_eq!(merge(dir.path(), &["-q", "--json", "merged.json", "reports"]).code, 1);
    assert_eq!(merge(dir.path(), &["-q", "--json", "reports/merged.json", "reports"]).code, 1);
    let again = merge(dir.path(), &["-q", "--json", "reports/merged.json", "reports"]);
    assert_eq!((again.code, again.stderr.as_str()), (1, ""));
    fs::remove_file(dir.path().join("reports/merged.json")).unwrap();
    let run = merge(dir.path(), &["merged.json"]);
    assert_eq!(
        run.stderr,
        "error: merged.json: a merged report (`perfbudget merge --json`), not one job's report: give the jobs' own reports\n"
    );
    let run = merge(dir.path(), &["missing.json"]);
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (2, "error: cannot read missing.json: No such file or directory (os error 2)\n")
    );
    #[cfg(unix)]
    {
        let fifo = dir.path().join("fifo.json");
        assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
        let run = merge(dir.path(), &["fifo.json"]);
        assert_eq!(run.code, 2);
        assert!(run.stderr.starts_with("error: fifo.json: not a regular file (a FIFO)"), "{}", run.stderr);
    }
    // A key check refuses at the source too.
    let run = perfbudget(&fixtures(), &["check", "-q", "--budget", "api.yml", "--key", "a\tb"]);
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (2, "error: --key: the job key holds a control character (a line break, a tab, an escape)\n")
    );
}

/// The text of a line that markdown parses as markup: code spans removed.
fn outside_code_spans(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(start) = rest.find('`') {
        out.push_str(&rest[..start]);
        let fence_len = rest[start..].chars().take_while(|c| *c == '`').count();
        let fence = "`".repeat(fence_len);
        let body = &rest[start + fence_len..];
        match body.find(&fence) {
            Some(end) => rest = &body[end + fence_len..],
            None => return format!("{out}{}", &rest[start..]),
        }
    }
    out.push_str(rest);
    out
}

const HOSTILE_KEY: &str = "@someone [x](https://evil.example) <!-- | `tick` ##[warning]y ::error::forged %0A GH-12 #3";

#[test]
fn hostile_keys_forge_no_markdown_mention_or_workflow_command() {
    let dir = tempfile::tempdir().unwrap();
    three_jobs(dir.path());
    check_job("web", HOSTILE_KEY, &dir.path().join("reports/hostile.json"));
    let mut command = common::command(dir.path());
    command
        .args(["merge", "--markdown", "comment.md", "--junit", "junit.xml", "--expect"])
        .arg(format!("web,api,bench,@other <!-- x,{HOSTILE_KEY}"))
        .arg("reports")
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", dir.path().join("output.txt"))
        .env("GITHUB_STEP_SUMMARY", dir.path().join("summary.md"));
    let run = common::run(&mut command);
    assert_eq!(run.code, 1, "{}", run.stderr);

    let comment = read(&dir.path().join("comment.md"));
    assert_eq!(comment.matches("<!--").count(), 1, "only the marker: {comment}");
    assert!(!comment.contains("@someone") && !comment.contains("@other"), "no live mention");
    let markup: String = comment.lines().map(outside_code_spans).collect();
    assert!(!markup.contains("https://evil"), "no link outside a code span: {markup}");
    assert!(!comment.contains("##[warning]"));
    // Every row of a table has its header's cells: the key stays in its cell.
    let mut cells = 0;
    for line in comment.lines() {
        assert!(!line.starts_with("::"), "{line}");
        if !line.starts_with('|') {
            cells = 0;
        } else if cells == 0 {
            cells = line.matches(" | ").count();
        } else if !line.starts_with("|:-:|") {
            assert_eq!(line.replace("\\|", "").matches(" | ").count(), cells, "{line}");
        }
    }
    assert!(comment.contains("#### 🔴 ``@\u{2060}someone [x](https://evil.example) <\u{2060}!-- | `tick` #\u{2060}#[warning]y ::error::forged %0A GH-12 #3`` · red"), "{comment}");
    let junit = read(&dir.path().join("junit.xml"));
    assert!(junit.contains("<testsuite name=\"@someone [x](https://evil.example) &lt;!-- | `tick` ##[warning]y ::error::forged %0A GH-12 #3\""), "{junit}");

    // The log: annotations escaped as the runner unescapes them, the tables fenced.
    let token = run.stdout.lines().find_map(|line| line.strip_prefix("::stop-commands::")).unwrap().to_owned();
    let mut fenced = false;
    for line in run.stdout.lines() {
        if line == format!("::stop-commands::{token}") {
            fenced = true;
        } else if line == format!("::{token}::") {
            fenced = false;
        } else if !fenced {
            assert!(line.starts_with("::error title=") || line.starts_with("::warning title="), "{line}");
        }
    }
    assert!(run.stdout.contains("::error title=perfbudget [@someone [x](https%3A//evil.example) <!-- | `tick` ##[warning]y %3A%3Aerror%3A%3Aforged %250A GH-12 #3]%3A lcp::LCP 10.88 s is 335%25 over the 2.5 s limit\n"), "{}", run.stdout);
    let outputs = read(&dir.path().join("output.txt"));
    assert!(outputs.contains("verdict<<ghadelimiter_"), "{outputs}");
    assert!(outputs.contains("\nmissing<<ghadelimiter_"));
    let summary = read(&dir.path().join("summary.md"));
    assert!(summary.starts_with("<!-- perfbudget:v1 key=default -->\n"));
}

#[test]
fn many_jobs_share_the_comment_size_limit_and_each_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let reports = three_jobs(dir.path());
    // 400 jobs: the real web report under 400 keys (the key is the only edit).
    let web = read(&reports.join("web.json"));
    let jobs = |folder: &str, count: usize| {
        let path = dir.path().join(folder);
        fs::create_dir_all(&path).unwrap();
        for index in 0..count {
            let key = format!("\"key\": \"web-{index:04}\"");
            fs::write(path.join(format!("job-{index:04}.json")), web.replace("\"key\": \"web\"", &key)).unwrap();
        }
    };
    jobs("many", 400);
    fs::copy(reports.join("bench.json"), dir.path().join("many/bench.json")).unwrap();
    let run = merge(dir.path(), &["-q", "--markdown", "comment.md", "many"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "perfbudget: red — 401 jobs (400 red, 0 yellow, 1 green); checks: 1200 red, 400 yellow, 1 green\n"
    );
    let comment = read(&dir.path().join("comment.md"));
    assert!(comment.len() <= 65_536, "{} bytes", comment.len());
    for index in 0..400 {
        assert!(
            comment.contains(&format!("| 🔴 | `web-{index:04}` | Shop pages | 3 red, 1 yellow, 0 green |")),
            "{index}"
        );
    }
    assert!(comment.contains("| 🟢 | `bench` | Parser benchmarks | 0 red, 0 yellow, 1 green |"));
    // Each job is a section or, where the room ran out, one line.
    let sections = comment.matches("\n#### ").count();
    let lines = comment.matches("; not shown (size limit), the JSON report has them.\n").count();
    let hidden = 401 - sections - lines;
    assert!(hidden < 10, "{sections} sections, {lines} lines");
    assert!(
        comment
            .contains(&format!("\n{hidden} more jobs are not shown to keep this comment under GitHub's size limit.\n")),
        "{comment}"
    );
    assert!(comment.contains(
        "\n🔴 `web-0001` · red: 3 red, 1 yellow, 0 green; not shown (size limit), the JSON report has them.\n"
    ));
    for line in comment.lines().filter(|line| line.starts_with('|')) {
        assert!(line.ends_with('|'), "a whole row: {line}");
    }
    // 1,200 jobs: not even the jobs' table fits; it says how many it leaves out.
    jobs("more", 1200);
    let run = merge(dir.path(), &["-q", "--markdown", "more.md", "more"]);
    assert_eq!(run.code, 1);
    let comment = read(&dir.path().join("more.md"));
    assert!(comment.len() <= 65_536, "{} bytes", comment.len());
    assert!(comment.contains(
        " more jobs are not shown to keep this comment under GitHub's size limit; the JSON report has them all.\n"
    ));
    // Fewer jobs than fit in full: each job is a section, some with fewer rows.
    let few = dir.path().join("few");
    fs::create_dir_all(&few).unwrap();
    for index in 0..30 {
        fs::write(
            few.join(format!("job-{index:02}.json")),
            web.replace("\"key\": \"web\"", &format!("\"key\": \"web-{index:02}\"")),
        )
        .unwrap();
    }
    let run = merge(dir.path(), &["-q", "--markdown", "few.md", "few"]);
    assert_eq!(run.code, 1);
    let comment = read(&dir.path().join("few.md"));
    assert!(comment.len() <= 65_536);
    assert_eq!(comment.matches("\n#### 🔴 `web-").count(), 30, "every job has its section");
}
