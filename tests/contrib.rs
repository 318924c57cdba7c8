//! The examples for other CI systems: the GitLab merge-request note script against a stub
//! `curl`, and the pre-push hook in a real git repository.
#![allow(clippy::unwrap_used)] // test setup: a failure should stop the test

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;

use common::repo;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn executable(path: &Path, script: &str) {
    fs::write(path, script).unwrap();
    Command::new("chmod").arg("+x").arg(path).status().unwrap();
}

/// A `curl` that logs each call and serves two pages of notes: page 1 without our
/// marker, page 2 with `page2` (a JSON array). PUT and POST bodies go to `<dir>/payload`.
fn stub_curl(dir: &Path, page2: &str) -> PathBuf {
    let bin = dir.join("bin");
    fs::create_dir_all(&bin).unwrap();
    fs::write(dir.join("page1.json"), r#"[{"id": 5, "body": "LGTM"}]"#).unwrap();
    fs::write(dir.join("page2.json"), page2).unwrap();
    let script = format!(
        r#"#!/usr/bin/env bash
d='{dir}'
url="${{!#}}"; method=GET; headers=""
while [ $# -gt 0 ]; do
  case "$1" in
    -D) headers="$2"; shift ;;
    -X) method="$2"; shift ;;
    --data) printf '%s' "$2" > "$d/payload"; shift ;;
  esac
  shift
done
echo "$method $url" >> "$d/curl.log"
if [ "$method" = GET ]; then
  case "$url" in
    *page=1) printf 'HTTP/1.1 200 OK\r\nx-next-page: 2\r\n\r\n' > "$headers"; cat "$d/page1.json" ;;
    *page=2) printf 'HTTP/1.1 200 OK\r\nx-next-page: \r\n\r\n' > "$headers"; cat "$d/page2.json" ;;
  esac
fi
"#,
        dir = dir.display()
    );
    executable(&bin.join("curl"), &script);
    bin
}

fn mr_note(dir: &Path, bin: &Path, token: Option<&str>) -> Output {
    let body = dir.join("perfbudget.md");
    fs::write(&body, "<!-- perfbudget:v1 key=perfbudget -->\n### 🔴 perfbudget: red\n").unwrap();
    let mut command = Command::new("bash");
    command
        .arg(repo().join("contrib/gitlab/mr-note.sh"))
        .arg(&body)
        .env("PATH", format!("{}:{}", bin.display(), std::env::var("PATH").unwrap()))
        .env("CI_MERGE_REQUEST_IID", "12")
        .env("CI_API_V4_URL", "https://gitlab.example/api/v4")
        .env("CI_PROJECT_ID", "99")
        .env_remove("PERFBUDGET_GITLAB_TOKEN");
    if let Some(token) = token {
        command.env("PERFBUDGET_GITLAB_TOKEN", token);
    }
    command.output().unwrap()
}

const NOTES: &str = "https://gitlab.example/api/v4/projects/99/merge_requests/12/notes";

#[test]
fn gitlab_note_updates_the_note_with_the_marker_found_on_page_two() {
    let dir = tempfile::tempdir().unwrap();
    let page2 = r#"[{"id": 77, "body": "<!-- perfbudget:v1 key=perfbudget -->\nold"}]"#;
    let bin = stub_curl(dir.path(), page2);
    let output = mr_note(dir.path(), &bin, Some("glpat-x"));
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(
        fs::read_to_string(dir.path().join("curl.log")).unwrap(),
        format!("GET {NOTES}?per_page=100&page=1\nGET {NOTES}?per_page=100&page=2\nPUT {NOTES}/77\n")
    );
    let payload: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.path().join("payload")).unwrap()).unwrap();
    assert_eq!(payload["body"], "<!-- perfbudget:v1 key=perfbudget -->\n### 🔴 perfbudget: red\n");
}

#[test]
fn gitlab_note_is_created_when_no_note_has_the_marker() {
    let dir = tempfile::tempdir().unwrap();
    let bin = stub_curl(dir.path(), "[]");
    let output = mr_note(dir.path(), &bin, Some("glpat-x"));
    assert!(output.status.success(), "{}", text(&output.stderr));
    let log = fs::read_to_string(dir.path().join("curl.log")).unwrap();
    assert_eq!(log.lines().last(), Some(format!("POST {NOTES}").as_str()));
}

#[test]
fn gitlab_note_without_a_token_says_so_and_does_not_fail() {
    let dir = tempfile::tempdir().unwrap();
    let bin = stub_curl(dir.path(), "[]");
    let output = mr_note(dir.path(), &bin, None);
    assert!(output.status.success());
    assert_eq!(text(&output.stdout), "perfbudget: PERFBUDGET_GITLAB_TOKEN is not set: no note written\n");
    assert!(!dir.path().join("curl.log").exists());
}

/// `git ARGS` in `dir`; a push runs the pre-push hook, which runs perfbudget, so the
/// environment is the hermetic one.
fn git(dir: &Path, args: &[&str]) -> Output {
    let mut command = Command::new("git");
    common::hermetic(&mut command)
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        // Nobody's own git settings (a global hooksPath, signing) take part.
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env_remove("PERFBUDGET_BUDGET")
        .env("PATH", format!("{}:{}", binary_dir().display(), std::env::var("PATH").unwrap()))
        .output()
        .expect("git is needed for the hook test")
}

fn binary_dir() -> PathBuf {
    common::binary().parent().unwrap().to_owned()
}

#[test]
fn pre_push_hook_refuses_a_red_budget_and_lets_a_green_one_through() {
    let dir = tempfile::tempdir().unwrap();
    let remote = dir.path().join("remote.git");
    let work = dir.path().join("work");
    fs::create_dir_all(&work).unwrap();
    assert!(git(dir.path(), &["init", "-q", "--bare", remote.to_str().unwrap()]).status.success());
    assert!(git(&work, &["init", "-q", "-b", "main"]).status.success());
    let hook = work.join(".git/hooks/pre-push");
    fs::copy(repo().join("contrib/git-hooks/pre-push"), &hook).unwrap();
    Command::new("chmod").arg("+x").arg(&hook).status().unwrap();
    fs::write(work.join("perfbudget.yml"), "version: 1\nlimits:\n  lcp: 2.5s\ninputs: [m.json]\n").unwrap();
    let measurement = |ms: u32| {
        format!(
            r#"[{{"source":"lighthouse","metric":"lcp","subject":{{"url":"https://x/"}},"value":{ms},"unit":"ms"}}]"#
        )
    };
    fs::write(work.join("m.json"), measurement(3000)).unwrap();
    assert!(git(&work, &["add", "."]).status.success());
    assert!(git(&work, &["commit", "-qm", "first"]).status.success());
    assert!(git(&work, &["remote", "add", "origin", remote.to_str().unwrap()]).status.success());

    let red = git(&work, &["push", "-q", "origin", "main"]);
    assert!(!red.status.success());
    assert!(text(&red.stderr).contains("pre-push: a performance budget is red; push refused"), "{}", text(&red.stderr));

    fs::write(work.join("m.json"), measurement(2000)).unwrap();
    let green = git(&work, &["push", "-q", "origin", "main"]);
    assert!(green.status.success(), "{}", text(&green.stderr));
}

/// contrib/gitlab/matrix.gitlab-ci.yml's two jobs, their scripts run as GitLab would (the
/// install lines left out, perfbudget on PATH): the matrix job once per package in one
/// project folder (the artifacts of every instance unpack side by side), then the merge job.
/// `docs` has no budget, so its instance fails before writing a report: the merge is red and
/// names it.
#[test]
fn the_gitlab_matrix_merges_its_packages_into_one_verdict() {
    let ci: yaml_serde::Value =
        yaml_serde::from_str(&fs::read_to_string(repo().join("contrib/gitlab/matrix.gitlab-ci.yml")).unwrap()).unwrap();
    let script = |job: &str| -> String {
        let lines: Vec<&str> = ci[job]["script"]
            .as_sequence()
            .unwrap()
            .iter()
            .map(|line| line.as_str().unwrap())
            .filter(|line| !line.starts_with("cargo install") && !line.starts_with("apt-get"))
            .collect();
        format!("set -e\n{}\n", lines.join("\n"))
    };
    let packages: Vec<&str> = ci["perfbudget"]["parallel"]["matrix"][0]["PACKAGE"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|value| value.as_str().unwrap())
        .collect();
    assert_eq!(packages, ["web", "api", "docs"]);
    assert_eq!(ci["perfbudget-merge"]["needs"][0].as_str(), Some("perfbudget"));
    assert_eq!(ci["perfbudget-merge"]["when"].as_str(), Some("always"));

    let dir = tempfile::tempdir().unwrap();
    let project = dir.path();
    fs::create_dir_all(project.join("contrib/gitlab")).unwrap();
    fs::copy(repo().join("contrib/gitlab/mr-note.sh"), project.join("contrib/gitlab/mr-note.sh")).unwrap();
    let samples = repo().join("samples");
    for (package, budget) in [("web", "web.yml"), ("api", "api.yml")] {
        let text = fs::read_to_string(repo().join("tests/fixtures/merge").join(budget))
            .unwrap()
            .replace("../../../samples", samples.to_str().unwrap());
        fs::create_dir_all(project.join("packages").join(package)).unwrap();
        fs::write(project.join("packages").join(package).join("perfbudget.yml"), text).unwrap();
    }
    let binary = Path::new(env!("CARGO_BIN_EXE_perfbudget"));
    let path = format!("{}:{}", binary.parent().unwrap().display(), std::env::var("PATH").unwrap());
    let run = |job: &str, package: Option<&str>| {
        let mut command = Command::new("bash");
        common::hermetic(&mut command).arg("-c").arg(script(job)).current_dir(project).env("PATH", &path);
        command.env("CI_JOB_NAME", job).env_remove("CI_MERGE_REQUEST_IID");
        if let Some(package) = package {
            command.env("PACKAGE", package);
        }
        command.output().unwrap()
    };
    let codes: Vec<Option<i32>> =
        packages.iter().map(|package| run("perfbudget", Some(package)).status.code()).collect();
    assert_eq!(codes, [Some(1), Some(0), Some(2)], "web red, api yellow, docs without a budget");
    let merge = run("perfbudget-merge", None);
    assert_eq!(merge.status.code(), Some(1), "{}", text(&merge.stderr));
    let stdout = text(&merge.stdout);
    assert!(stdout.starts_with("job docs: red — expected, but no report has this key\n"), "{stdout}");
    assert!(stdout.ends_with(
        "perfbudget: red — 2 jobs (1 red, 1 yellow, 0 green), 1 missing; checks: 3 red, 3 yellow, 1 green\n\
         perfbudget: not a merge-request pipeline: no note to write\n"
    ));
    let note = fs::read_to_string(project.join("perfbudget.md")).unwrap();
    assert!(
        note.starts_with("<!-- perfbudget:v1 key=perfbudget-merge -->\n### 🔴 perfbudget: red · merged\n"),
        "{note}"
    );
    assert!(note.contains("| 🔴 | `docs` | — | expected, but no report has this key |"), "{note}");
    let junit = fs::read_to_string(project.join("perfbudget-junit.xml")).unwrap();
    assert_eq!(junit.matches("<testsuite ").count(), 3, "{junit}");
}
