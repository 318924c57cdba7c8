//! What the test crates share: the one way to run the binary (and the scripts that run it)
//! so that the environment running the tests cannot change what it does.
//!
//! Under GitHub Actions the job's own `GITHUB_ACTIONS`, `GITHUB_STEP_SUMMARY` and
//! `GITHUB_OUTPUT` would make every `check` append a report to the job's real step summary
//! and outputs; `NO_COLOR` and `COLUMNS` would change what is printed; and a run with no cache
//! folder would write into the user's `~/.cache`. [`hermetic`] removes all of that. A test that
//! wants one of them sets it after calling it.

#![allow(dead_code)] // each test crate uses its own part of this module

use std::path::{Path, PathBuf};
use std::process::Command;

/// What one run of the binary printed, and its exit code.
pub(crate) struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// The binary under test.
pub(crate) fn binary() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_perfbudget"))
}

/// Where the tests' runs remember compressed sizes: never the user's cache folder.
pub(crate) fn cache_dir() -> &'static Path {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
}

/// Variables the tests' own environment may hold that change what perfbudget prints or
/// writes, besides every `GITHUB_*` one.
const CLEARED: &[&str] = &[
    "NO_COLOR",
    "CLICOLOR",
    "CLICOLOR_FORCE",
    "COLUMNS",
    "LINES",
    "PERFBUDGET_HISTORY",
    "GITLAB_CI",
    "CI_COMMIT_SHA",
    "CI_COMMIT_BRANCH",
    "CI_COMMIT_REF_NAME",
    "CI_MERGE_REQUEST_TARGET_BRANCH_NAME",
    "CI_DEFAULT_BRANCH",
];

/// Removes from `command` every `GITHUB_*` variable of the environment running the tests
/// (not only `GITHUB_ACTIONS`: also `GITHUB_STEP_SUMMARY`, `GITHUB_OUTPUT`, `GITHUB_TOKEN`,
/// ...) and [`CLEARED`], and points the size cache at [`cache_dir`]. For the binary and for
/// any script that runs it.
pub(crate) fn hermetic(command: &mut Command) -> &mut Command {
    for (key, _) in std::env::vars_os() {
        if key.to_str().is_some_and(|key| key.starts_with("GITHUB_")) {
            command.env_remove(key);
        }
    }
    for key in CLEARED {
        command.env_remove(key);
    }
    command.env("PERFBUDGET_CACHE_DIR", cache_dir())
}

/// `perfbudget` to be run in `dir`, with a [`hermetic`] environment. Add arguments,
/// variables and pipes, then run it.
pub(crate) fn command(dir: &Path) -> Command {
    let mut command = Command::new(binary());
    command.current_dir(dir);
    hermetic(&mut command);
    command
}

/// Runs `perfbudget ARGS` in `dir`, outside GitHub Actions and with colours left to the
/// terminal check (the output is a pipe), whatever the environment running the tests.
pub(crate) fn perfbudget(dir: &Path, args: &[&str]) -> Run {
    run(command(dir).args(args))
}

/// Runs a command built from [`command`] and collects what it printed.
pub(crate) fn run(command: &mut Command) -> Run {
    let output = command.output().expect("perfbudget runs");
    Run {
        code: output.status.code().expect("exited, not killed"),
        stdout: String::from_utf8(output.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(output.stderr).expect("utf-8 stderr"),
    }
}

/// The repository's root: the demo's budget and samples, the fixtures.
pub(crate) fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// One check of a JSON report as a test reads it: (key, verdict, value, message), where the
/// key is the check's `budget` label or its `metric`, as the caller asks.
pub(crate) type ReportCheck = (String, String, Option<f64>, String);

/// Runs `check --json` on one input with a budget file of `version: 1` and `budget`, and
/// reads the JSON report it wrote (`Null` when it wrote none).
pub(crate) fn check_report(input: &Path, budget: &str) -> (Run, serde_json::Value) {
    let dir = tempfile::tempdir().expect("a temp dir");
    std::fs::write(dir.path().join("perfbudget.yml"), format!("version: 1\n{budget}")).expect("the budget is written");
    let input = input.to_str().expect("a UTF-8 path");
    let run = perfbudget(dir.path(), &["check", "--json", "report.json", input]);
    let report = std::fs::read_to_string(dir.path().join("report.json"))
        .map_or(serde_json::Value::Null, |text| serde_json::from_str(&text).expect("the report is JSON"));
    (run, report)
}

/// The checks of a report whose subject passes `keep`, keyed by `key` (`"budget"` or
/// `"metric"`).
pub(crate) fn report_checks(
    report: &serde_json::Value,
    key: &str,
    keep: &dyn Fn(&serde_json::Value) -> bool,
) -> Vec<ReportCheck> {
    let field = |check: &serde_json::Value, name: &str| check[name].as_str().unwrap_or_default().to_owned();
    report["checks"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter(|check| keep(&check["subject"]))
        .map(|check| (field(check, key), field(check, "verdict"), check["value"].as_f64(), field(check, "message")))
        .collect()
}

/// Our numbers against a tool's own, bit for bit: the numbers are read, never recomputed
/// through another unit, so any difference fails at once and names the number.
pub(crate) struct Parity {
    tool: &'static str,
    /// How many numbers were compared (all equal, or the test failed).
    pub(crate) compared: usize,
}

impl Parity {
    pub(crate) fn new(tool: &'static str) -> Parity {
        Parity { tool, compared: 0 }
    }

    pub(crate) fn check(&mut self, run: &str, what: impl std::fmt::Display, ours: Option<f64>, theirs: Option<f64>) {
        self.compared += 1;
        assert!(
            ours.map(f64::to_bits) == theirs.map(f64::to_bits),
            "{run}: {what}: ours {ours:?}, {}'s {theirs:?}",
            self.tool
        );
    }
}
