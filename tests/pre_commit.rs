//! The pre-commit hook (.pre-commit-hooks.yaml): `pre-commit try-repo` of this repository at
//! HEAD in a temporary git repository, which builds perfbudget with `cargo install` inside
//! pre-commit's cache and runs `perfbudget check` on the repository's budget file: the demo
//! fails the hook with its verdict and exit code. Needs pre-commit (PyPI): without it the test
//! says so and stops, unless CI is set (.ci/run installs it).
//!
//! The build is the slow part: try-repo installs into a new temporary store each time, so
//! `cargo install` runs on every call. It builds unoptimised (a release build of the crate
//! and its dependencies took minutes on 2 cores), into `target/tmp/pre-commit/target`, which
//! stays between runs of the suite so that only the crate itself is compiled again; and the
//! test calls try-repo once.
#![allow(clippy::unwrap_used, clippy::panic, clippy::print_stderr)] // test setup: a failure should stop the test; skips are said

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

use common::{Run, repo};

fn pre_commit_installed() -> bool {
    if Command::new("pre-commit").arg("--version").output().is_ok_and(|output| output.status.success()) {
        return true;
    }
    if std::env::var_os("CI").is_some() {
        panic!("CI is set but pre-commit is not installed; .ci/run installs it");
    }
    eprintln!("pre-commit is not installed: the pre-commit hook is not tested here; CI tests it");
    false
}

fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git").args(args).current_dir(dir).output().unwrap();
    assert!(output.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

/// Where the hook's build and pre-commit's cache stay between runs of the suite.
fn cache() -> PathBuf {
    let cache = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("pre-commit");
    fs::create_dir_all(&cache).unwrap();
    cache
}

/// `pre-commit try-repo <this repository> perfbudget-check --ref HEAD --all-files` in `project`.
fn try_repo(project: &Path, head: &str) -> Run {
    let mut command = Command::new("pre-commit");
    common::hermetic(&mut command)
        .args(["try-repo"])
        .arg(repo())
        .args(["perfbudget-check", "--ref", head, "--all-files", "--color", "never"])
        .current_dir(project)
        .env("CARGO_TARGET_DIR", cache().join("target"))
        // pre-commit runs `cargo install`, a release build; unoptimised, it takes a fraction
        // of the time. The hook, pre-commit's install and the binary's behaviour are the same.
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
        .env("CARGO_PROFILE_RELEASE_LTO", "false")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "256")
        .env("CARGO_PROFILE_RELEASE_DEBUG", "false")
        .env_remove("PRE_COMMIT_COLOR");
    common::run(&mut command)
}

#[test]
fn try_repo_builds_the_hook_and_it_gates_the_budget() {
    if !pre_commit_installed() {
        return;
    }
    let head = git(&repo(), &["rev-parse", "HEAD"]);
    let head = head.trim();
    let hooks = git(&repo(), &["show", &format!("{head}:.pre-commit-hooks.yaml")]);
    assert!(hooks.contains("- id: perfbudget-check\n"), "HEAD has no perfbudget-check hook:\n{hooks}");

    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("shop");
    fs::create_dir_all(project.join("samples")).unwrap();
    for sample in ["lighthouse-13.4.1.json", "k6-handle-summary.json"] {
        fs::copy(repo().join("samples").join(sample), project.join("samples").join(sample)).unwrap();
    }
    // The demo's limits on two of its samples, in the default budget file.
    let budget =
        "version: 1\nextends: [core-web-vitals]\ninputs: [samples/]\nlimits:\n  api_p95: 75ms\n  throughput: 10/s\n";
    fs::write(project.join("perfbudget.yml"), budget).unwrap();
    git(&project, &["init", "-q"]);
    git(&project, &["add", "."]);

    let red = try_repo(&project, head);
    assert_eq!(red.code, 1, "{}{}", red.stdout, red.stderr);
    let expected = common::perfbudget(&project, &["check"]);
    assert_eq!(expected.code, 1);
    let verdict = expected.stdout.lines().last().unwrap();
    assert_eq!(verdict, "perfbudget: red — 2 red, 3 yellow, 1 green");
    assert!(
        red.stdout.contains("perfbudget check.........................................................Failed\n"),
        "{}",
        red.stdout
    );
    assert!(red.stdout.contains("- exit code: 1\n"), "{}", red.stdout);
    assert!(red.stdout.contains(&format!("\n{verdict}\n")), "{}", red.stdout);
}
