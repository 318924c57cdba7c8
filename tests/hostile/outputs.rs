//! What perfbudget prints and writes, under hostile names and reports and broken outputs:
//! no name forges a workflow command or rewrites the terminal, `comment` and `--baseline`
//! read a report as carefully as any other input, a failed write is an error, and the
//! markdown cannot link or cross-reference anything.

use std::fs;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::common::repo;
use super::{perfbudget, refused};

/// A file name that is two workflow commands and a colour change if printed raw.
const HOSTILE_FILE: &str = "k6\n::error title=forged::x\u{1b}[31m\n##[warning]y.json";

/// A folder name that clears the screen and retitles the terminal if printed raw.
const HOSTILE_FOLDER: &str = "\u{1b}[2J\u{1b}]0;pwned\u{7}k6 runs";

/// Text that the runner or a terminal would act on: a line starting with `::` (after
/// spaces, as the runner trims them), `##[` anywhere, an escape or another control
/// character (tabs and line ends aside).
fn assert_inert(what: &str, text: &str) {
    for line in text.lines() {
        assert!(!line.trim_start().starts_with("::"), "{what}: a workflow command: {line:?}");
        assert!(!line.contains("##["), "{what}: a workflow command: {line:?}");
    }
    assert!(
        !text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\t')),
        "{what}: a control character: {text:?}"
    );
}

#[test]
fn outputs_init_prints_hostile_file_and_folder_names_escaped() {
    let dir = tempfile::tempdir().unwrap();
    fs::copy(repo().join("samples/k6-handle-summary.json"), dir.path().join(HOSTILE_FILE)).unwrap();
    fs::create_dir(dir.path().join(HOSTILE_FOLDER)).unwrap();
    fs::copy(repo().join("samples/k6-handle-summary.json"), dir.path().join(HOSTILE_FOLDER).join("k6.json")).unwrap();
    let run = perfbudget(dir.path(), &["init"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_inert("stdout", &run.stdout);
    assert_inert("stderr", &run.stderr);
    assert!(run.stdout.starts_with("wrote perfbudget.yml: "), "{}", run.stdout);
    // One line per input, each name on its own line and recognisable.
    assert!(
        run.stdout.contains("\n  k6 :\u{2060}:error title=forged:\u{2060}:x #\u{2060}#[warning]y.json\n"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("\n  k6 runs\n"), "{}", run.stdout);
    // The budget still names the real files: the escaping is for the terminal only.
    let run = perfbudget(dir.path(), &["check"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_inert("check", &run.stdout);
}

#[test]
fn outputs_validate_and_measure_print_hostile_names_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let budget = "b\n::error::forged\u{1b}[31m.yml";
    fs::write(dir.path().join(budget), "version: 1\nlimits:\n  lcp: 2.5s\n").unwrap();
    let run = perfbudget(dir.path(), &["validate", budget]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "ok: b :\u{2060}:error:\u{2060}:forged.yml: 1 check\n");

    fs::copy(repo().join("samples/k6-handle-summary.json"), dir.path().join(HOSTILE_FILE)).unwrap();
    let table = perfbudget(dir.path(), &["measure", HOSTILE_FILE]);
    assert_eq!(table.code, 0, "{}", table.stderr);
    assert_inert("measure", &table.stdout);
    // The JSON keeps the name exactly (it is check's input) but no line of it is a command.
    let json = perfbudget(dir.path(), &["measure", "--format", "json", HOSTILE_FILE]);
    assert_eq!(json.code, 0, "{}", json.stderr);
    assert_inert("measure --format json", &json.stdout);
    let measurements: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(measurements[0]["origin"], HOSTILE_FILE);
}

#[test]
fn outputs_errors_naming_a_hostile_file_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join(HOSTILE_FILE), "{\"not\": \"a report\"}").unwrap();
    for args in [
        vec!["measure", HOSTILE_FILE],
        vec!["comment", HOSTILE_FILE],
        vec!["validate", HOSTILE_FILE],
        vec!["init", HOSTILE_FILE],
        vec!["init", "--output", HOSTILE_FILE],
    ] {
        let run = perfbudget(dir.path(), &args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.starts_with("error: "), "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("#\u{2060}#[warning]y.json"), "{args:?}: names the file: {}", run.stderr);
        assert_inert("stderr", &run.stderr);
        assert_inert("stdout", &run.stdout);
    }
    // A usage error echoes the argument: a name a shell glob expanded (`perfbudget measure *`).
    // Its line breaks stay (clap's message spans lines), but no line is a command.
    let run = perfbudget(dir.path(), &["measure", "--x\n::error::forged\u{1b}[31m", "k6.json"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.starts_with("error: unexpected argument '--x\n:\u{2060}:error:\u{2060}:forged' found\n"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("\nUsage: perfbudget measure"), "{}", run.stderr);
    assert_inert("usage error", &run.stderr);
}

#[test]
fn outputs_comment_breaks_workflow_commands_in_code_cells() {
    let dir = tempfile::tempdir().unwrap();
    let report = report_with_budget_name(dir.path(), "##[error]forged", "build ##[warning]x.js");
    let run = perfbudget(dir.path(), &["comment", &report]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_inert("comment", &run.stdout);
    assert!(run.stdout.contains("build #\u{2060}#[warning]x.js"), "{}", run.stdout);
}

/// Writes the built file `dist/BUILT_NAME` and a budget with one summed `bundle_size`
/// entry named `budget_name`, runs `check --json r.json` and returns `r.json`.
fn report_with_budget_name(dir: &Path, budget_name: &str, built_name: &str) -> String {
    fs::create_dir_all(dir.join("dist")).unwrap();
    fs::write(dir.join("dist").join(built_name), "export const a = 1;\n").unwrap();
    let budget = format!(
        "version: 1\nbudgets:\n  - name: {}\n    metric: bundle_size\n    files: [\"dist/*.js\"]\n    max: 100 kB\n",
        serde_json::to_string(budget_name).unwrap()
    );
    fs::write(dir.join("perfbudget.yml"), budget).unwrap();
    let run = perfbudget(dir, &["check", "--no-cache", "--json", "r.json"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    "r.json".to_owned()
}

/// Runs `perfbudget ARGS` with no stdin, killing it after `limit`: `None` if it was
/// still running then.
fn run_within(dir: &Path, args: &[&str], limit: Duration) -> Option<super::common::Run> {
    let mut child = super::common::command(dir)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while started.elapsed() < limit {
        if let Some(status) = child.try_wait().unwrap() {
            let (mut stdout, mut stderr) = (String::new(), String::new());
            child.stdout.take().unwrap().read_to_string(&mut stdout).unwrap();
            child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
            return Some(super::common::Run { code: status.code().unwrap(), stdout, stderr });
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    None
}

#[cfg(unix)]
#[test]
fn outputs_comment_and_baseline_refuse_what_is_not_a_small_regular_file() {
    let dir = tempfile::tempdir().unwrap();
    let sparse = fs::File::create(dir.path().join("sparse.json")).unwrap();
    sparse.set_len(2_000_000_000).unwrap();
    assert!(Command::new("mkfifo").arg(dir.path().join("fifo.json")).status().unwrap().success());
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero.json")).unwrap();
    fs::write(dir.path().join("perfbudget.yml"), "version: 1\nlimits:\n  api_p95: 1s\n").unwrap();
    fs::copy(repo().join("samples/k6-handle-summary.json"), dir.path().join("k6.json")).unwrap();
    let too_large =
        "error: sparse.json: 2 GB is more than the 500 MB perfbudget reads as one report; is this the right file?\n";
    for (report, expected) in [
        ("sparse.json", too_large.to_owned()),
        ("fifo.json", "error: fifo.json: not a regular file (a FIFO); a JSON report is a file written by `perfbudget check --json`\n".to_owned()),
        ("zero.json", "error: zero.json: not a regular file (a character device); a JSON report is a file written by `perfbudget check --json`\n".to_owned()),
        ("/dev/zero", "error: /dev/zero: not a regular file (a character device); a JSON report is a file written by `perfbudget check --json`\n".to_owned()),
        (".", "error: .: not a regular file (a folder); a JSON report is a file written by `perfbudget check --json`\n".to_owned()),
    ] {
        for args in [vec!["comment", report], vec!["check", "--baseline", report, "k6.json"]] {
            let run = run_within(dir.path(), &args, Duration::from_secs(20))
                .unwrap_or_else(|| panic!("{args:?} is still running after 20 s"));
            assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
            assert_eq!(run.stderr, expected, "{args:?}");
            assert_eq!(run.stdout, "", "{args:?}");
        }
    }
}

/// `/dev/full` as stdout: every write fails with "no space left on device".
#[cfg(target_os = "linux")]
fn run_into_dev_full(dir: &Path, args: &[&str]) -> super::common::Run {
    let full = fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let output = super::common::command(dir).args(args).stdout(full).output().unwrap();
    super::common::Run {
        code: output.status.code().unwrap(),
        stdout: String::new(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

#[cfg(target_os = "linux")]
#[test]
fn outputs_a_full_disk_is_an_error_not_a_cut_file() {
    let dir = tempfile::tempdir().unwrap();
    let report = report_with_budget_name(dir.path(), "initial", "app.js");
    for args in [
        vec!["comment", report.as_str()],
        vec!["check", "--no-cache"],
        vec!["measure", "dist"],
        vec!["validate"],
        vec!["schema"],
        vec!["--help"],
    ] {
        let run = run_into_dev_full(dir.path(), &args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.starts_with("error: cannot write to stdout: "), "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("No space left on device"), "{args:?}: {}", run.stderr);
    }
    // The report files: named by flags, written before anything is printed.
    for (flag, what) in [("--json", "JSON report"), ("--markdown", "markdown report"), ("--junit", "JUnit report")] {
        let run = perfbudget(dir.path(), &["check", "--no-cache", flag, "/dev/full"]);
        assert_eq!(run.code, 2, "{flag}: {}", run.stderr);
        assert!(run.stderr.starts_with(&format!("error: cannot write the {what} /dev/full: ")), "{}", run.stderr);
    }
}

/// A reader that stops reading (`| head`) is no error: no message, and the verdict's
/// exit code, so a red run stays red.
#[cfg(unix)]
#[test]
fn outputs_a_closed_pipe_is_quiet_and_keeps_the_verdict() {
    let dir = tempfile::tempdir().unwrap();
    // Far more than a pipe's buffer, so the writer meets the closed end.
    let mut measurements = String::from("[");
    for i in 0..20_000 {
        let comma = if i == 0 { "" } else { "," };
        measurements.push_str(&format!(
            r#"{comma}{{"source":"criterion","metric":"bench_time","subject":{{"id":"bench/{i}"}},"value":2,"unit":"ms"}}"#
        ));
    }
    measurements.push(']');
    fs::write(dir.path().join("m.json"), measurements).unwrap();
    fs::write(dir.path().join("perfbudget.yml"), "version: 1\nlimits:\n  bench_time: 1ms\n").unwrap();
    for (args, code) in [(vec!["measure", "--format", "json", "m.json"], 0), (vec!["check", "--verbose", "m.json"], 1)]
    {
        let mut child = super::common::command(dir.path())
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut head = [0u8; 16];
        child.stdout.take().unwrap().read_exact(&mut head).unwrap();
        // The read end is closed here, as `head -c 16` would.
        let output = child.wait_with_output().unwrap();
        assert_eq!(output.status.code(), Some(code), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
        assert_eq!(String::from_utf8_lossy(&output.stderr), "", "{args:?}");
    }
}

/// The word joiner GitHub's reference and autolink detection stops at.
const WJ: char = '\u{2060}';

#[test]
fn outputs_markdown_cannot_cross_reference_or_show_escapes_in_summaries() {
    let dir = tempfile::tempdir().unwrap();
    let sha = "0123456789abcdef0123456789abcdef01234567";
    let name = format!("initial_js #123 owner/repo#1 GH-42 gh-7 {sha} @team <b>&");
    let report = report_with_budget_name(dir.path(), &name, "app.js");
    let run = perfbudget(dir.path(), &["comment", &report]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = run.stdout;
    // In the table row: markdown escapes, references broken.
    let row = text.lines().find(|line| line.starts_with("| 🟢 |")).unwrap();
    assert!(row.contains(&format!("initial\\_js \\#{WJ}123 owner/repo\\#{WJ}1 GH-{WJ}42 gh-{WJ}7 ")), "{row}");
    // In the <summary> (raw HTML to GitHub): entities, no backslashes.
    let summary = text.lines().find(|line| line.starts_with("<details><summary>Files of ")).unwrap();
    assert!(
        summary.starts_with(&format!(
            "<details><summary>Files of initial_js #{WJ}123 owner/repo#{WJ}1 GH-{WJ}42 gh-{WJ}7 "
        )),
        "{summary}"
    );
    assert!(summary.contains(&format!(" @{WJ}team &lt;b&gt;&amp; (brotli)")), "{summary}");
    assert!(!summary.contains('\\'), "{summary}");
    for line in [row, summary] {
        assert_no_references(line);
    }
}

/// No issue reference (`#1`, `GH-1`) and no run of 7 or more hex digits (a commit SHA)
/// in `line`, once markdown's backslash escapes are removed.
fn assert_no_references(line: &str) {
    let text: Vec<char> = line.replace('\\', "").chars().collect();
    for (at, c) in text.iter().enumerate() {
        let next = text.get(at + 1).copied().unwrap_or(' ');
        assert!(!(*c == '#' && next.is_ascii_digit()), "an issue reference in {line}");
        if at >= 2 && *c == '-' && text[at - 2..at].iter().collect::<String>().eq_ignore_ascii_case("gh") {
            assert!(!next.is_ascii_digit(), "a GH- reference in {line}");
        }
    }
    let longest_hex = line.split(|c: char| !c.is_ascii_hexdigit()).map(str::len).max().unwrap_or(0);
    assert!(longest_hex < 7, "a commit SHA in {line}");
}

/// 200,000 tags in reverse order: each inserted at the front of a sorted vector was
/// quadratic (`measure` 41 s, `comment` 44 s in a debug build). No timing is asserted; the
/// output must be right.
#[test]
fn outputs_a_subject_with_200000_tags_is_read_and_rendered() {
    let dir = tempfile::tempdir().unwrap();
    let count = 200_000;
    let tags: Vec<String> = (0..count).rev().map(|i| format!("\"t{i:06}\":\"v{i}\"")).collect();
    let measurement = format!(
        "[{{\"source\":\"k6\",\"metric\":\"http_req_duration\",\"stat\":\"p(95)\",\"value\":120,\"unit\":\"ms\",\"subject\":{{{}}}}}]\n",
        tags.join(",")
    );
    fs::write(dir.path().join("m.json"), measurement).unwrap();
    let run = perfbudget(dir.path(), &["measure", "--format", "json", "m.json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let read: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let subject = read[0]["subject"].as_object().unwrap();
    assert_eq!(subject.len(), count);
    // Written back in tag order.
    let first = run.stdout.find("\"t000000\"").unwrap();
    assert!(first < run.stdout.find("\"t000001\"").unwrap());
    assert!(run.stdout.find("\"t199998\"").unwrap() < run.stdout.find("\"t199999\"").unwrap());
    assert_eq!(subject["t000000"], "v0");
    assert_eq!(subject["t199999"], "v199999");

    fs::write(dir.path().join("perfbudget.yml"), "version: 1\nlimits:\n  api_p95: 1s\n").unwrap();
    let run = perfbudget(dir.path(), &["check", "--quiet", "--json", "r.json", "m.json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // The report as a fork could hand it to `comment`: the tags in reverse order.
    let report = fs::read_to_string(dir.path().join("r.json")).unwrap();
    let start = report.find("\"subject\": {").unwrap() + "\"subject\": {".len();
    let end = start + report[start..].find('}').unwrap();
    let mut entries: Vec<&str> = report[start..end].split(',').map(str::trim).collect();
    assert_eq!(entries.len(), count);
    entries.reverse();
    fs::write(dir.path().join("reversed.json"), format!("{}{}{}", &report[..start], entries.join(","), &report[end..]))
        .unwrap();
    let run = perfbudget(dir.path(), &["comment", "reversed.json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("| 🟢 | api\\_p95 | `t000000=v0, t000001=v1, "), "{}", run.stdout);
    assert_eq!(run.stdout, perfbudget(dir.path(), &["comment", "r.json"]).stdout);
    // A tag given twice is still refused, naming it.
    let twice = "[{\"source\":\"k6\",\"metric\":\"m\",\"value\":1,\"unit\":\"ms\",\"subject\":{\"b\":\"1\",\"a\":\"2\",\"b\":\"3\"}}]";
    fs::write(dir.path().join("twice.json"), twice).unwrap();
    let stderr = refused(dir.path(), &["measure", "twice.json"], "twice.json", &["subject tag `b` is given twice"]);
    assert!(stderr.contains("subject tag `b` is given twice"), "{stderr}");
}

/// Item 19: "1 files" is "1 file", in the measure table and in the comment's file table.
#[test]
fn outputs_a_single_file_is_counted_in_the_singular() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("dist")).unwrap();
    fs::write(dir.path().join("dist/app.js"), "console.log(1)").unwrap();
    let measure = perfbudget(dir.path(), &["measure", "dist"]);
    assert_eq!(measure.code, 0, "{}", measure.stderr);
    assert!(measure.stdout.contains("\n1 built file, in bytes: 14 raw,"), "{}", measure.stdout);
    fs::write(
        dir.path().join("perfbudget.yml"),
        "version: 1\nbudgets:\n  - { name: app, metric: bundle_size, files: [\"dist/*.js\"], max: 1 kB }\n",
    )
    .unwrap();
    let base = perfbudget(dir.path(), &["check", "--json", "base.json"]);
    assert_eq!(base.code, 0, "{}", base.stderr);
    let run = perfbudget(dir.path(), &["check", "--baseline", "base.json", "--markdown", "comment.md"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let comment = fs::read_to_string(dir.path().join("comment.md")).unwrap();
    assert!(comment.contains("1 file"), "{comment}");
    assert!(!comment.contains("1 files"), "{comment}");
}
