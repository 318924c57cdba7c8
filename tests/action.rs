//! The GitHub Action: `action.yml` stays injection-free and wired to its own steps, and the
//! comment script updates the sticky comment, creates it, or degrades to a notice when the
//! token cannot write. (The install script is tested in tests/release.rs.)
#![allow(clippy::unwrap_used, clippy::panic)] // test setup: a failure should stop the test

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;

use common::repo;

/// The main action and the comment-only action of the fork-safe recipe.
const ACTIONS: [&str; 2] = ["action.yml", "comment/action.yml"];

fn action(file: &str) -> yaml_serde::Value {
    let text = fs::read_to_string(repo().join(file)).unwrap();
    yaml_serde::from_str(&text).unwrap()
}

fn run_script(script: &Path, envs: &[(&str, &Path)], path_prefix: Option<&Path>) -> Output {
    let mut command = Command::new("bash");
    command.arg(script).env_clear();
    let system_path = std::env::var("PATH").unwrap_or_default();
    let path = match path_prefix {
        Some(prefix) => format!("{}:{system_path}", prefix.display()),
        None => system_path,
    };
    command.env("PATH", path).env("HOME", std::env::temp_dir());
    for (key, value) in envs {
        command.env(key, value);
    }
    command.output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn actions_are_composite_and_no_expression_reaches_a_shell() {
    for file in ACTIONS {
        let action = action(file);
        assert_eq!(action["runs"]["using"].as_str(), Some("composite"));
        let folder = repo().join(file).parent().unwrap().to_owned();
        for step in action["runs"]["steps"].as_sequence().unwrap() {
            if let Some(uses) = step["uses"].as_str() {
                // Another action, pinned to a major version of GitHub's own; it runs no shell.
                assert!(uses.starts_with("actions/") && uses.contains("@v"), "{file}: step uses {uses}");
                assert!(step.get("run").is_none(), "{file}: a step with both uses and run");
                continue;
            }
            let run = step["run"].as_str().unwrap();
            assert!(!run.contains("${{"), "{file}: expression inside run: {run}");
            assert_eq!(step["shell"].as_str(), Some("bash"));
            // Every script a step names ships with the action.
            if let Some((_, script)) = run.trim().rsplit_once("$GITHUB_ACTION_PATH/") {
                let script = folder.join(script.trim_end_matches('"'));
                assert!(script.is_file(), "{file}: {} is missing", script.display());
            }
        }
    }
}

#[test]
fn action_outputs_and_inputs_refer_to_what_exists() {
    for file in ACTIONS {
        outputs_and_inputs_exist(file);
    }
    assert_eq!(action("action.yml")["inputs"]["fail-on"]["default"].as_str(), Some("red"));
}

fn outputs_and_inputs_exist(file: &str) {
    let action = action(file);
    let ids: Vec<&str> =
        action["runs"]["steps"].as_sequence().unwrap().iter().filter_map(|step| step["id"].as_str()).collect();
    let no_outputs = yaml_serde::Mapping::new();
    for (name, output) in action["outputs"].as_mapping().unwrap_or(&no_outputs) {
        let value = output["value"].as_str().unwrap();
        let step = value.split("steps.").nth(1).unwrap().split('.').next().unwrap();
        assert!(ids.contains(&step), "output {name:?} reads unknown step {step}");
    }
    let inputs = action["inputs"].as_mapping().unwrap();
    for name in inputs.keys().chain(action["outputs"].as_mapping().into_iter().flat_map(|outputs| outputs.keys())) {
        let name = name.as_str().unwrap();
        let kebab = name.split('-').all(|word| !word.is_empty() && word.chars().all(|c| c.is_ascii_lowercase()));
        assert!(kebab, "{file}: `{name}` is not kebab-case");
    }
    let yaml = fs::read_to_string(repo().join(file)).unwrap();
    for used in yaml.split("inputs.").skip(1) {
        let name: String = used.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
        assert!(inputs.contains_key(yaml_serde::Value::from(name.as_str())), "{file} uses undeclared input {name}");
    }
}

/// Runs action/comment.sh with a stub `gh` that logs its arguments and answers the
/// comment listing with `listing` (or fails when `listing` is None).
fn comment(dir: &Path, listing: Option<&str>, event: &str) -> (Output, String) {
    comment_on(dir, listing, event, None)
}

fn comment_on(dir: &Path, listing: Option<&str>, event: &str, pr_number: Option<&str>) -> (Output, String) {
    let (bin, log) = stub_gh(dir, listing);
    let body = dir.join("comment.md");
    fs::write(&body, "<!-- perfbudget:v1 key=ci-bench -->\n### perfbudget: green\n").unwrap();
    let event_path = dir.join("event.json");
    fs::write(&event_path, event).unwrap();
    let mut envs = vec![
        ("MARKDOWN_FILE", body.as_path()),
        ("GITHUB_EVENT_PATH", event_path.as_path()),
        ("GITHUB_REPOSITORY", Path::new("acme/shop")),
    ];
    if let Some(number) = pr_number {
        envs.push(("PERFBUDGET_PR_NUMBER", Path::new(number)));
    }
    let output = run_script(&repo().join("action/comment.sh"), &envs, Some(&bin));
    let calls = fs::read_to_string(&log).unwrap_or_default();
    (output, calls)
}

/// A `gh` in `<dir>/bin` that logs its arguments to `<dir>/gh.log` and answers the comment
/// listing with `listing` (or fails when `listing` is None, as a read-only token does),
/// and a pull request's head sha with `$STUB_HEAD_SHA`.
fn stub_gh(dir: &Path, listing: Option<&str>) -> (PathBuf, PathBuf) {
    let bin = dir.join("bin");
    fs::create_dir_all(&bin).unwrap();
    let log = dir.join("gh.log");
    let list = match listing {
        Some(ids) => format!("printf '%s' '{ids}'"),
        None => "echo 'HTTP 403: Resource not accessible by integration' >&2; exit 1".into(),
    };
    let stub = format!(
        "#!/bin/sh\necho \"$*\" >> '{}'\ncase \"$*\" in *--paginate*) {list} ;; *pulls/*) echo \"$STUB_HEAD_SHA\" ;; esac\n",
        log.display()
    );
    let gh = bin.join("gh");
    fs::write(&gh, stub).unwrap();
    Command::new("chmod").arg("+x").arg(&gh).status().unwrap();
    (bin, log)
}

const PULL_REQUEST: &str = r#"{"pull_request": {"number": 42}}"#;

#[test]
fn comment_updates_the_existing_sticky_comment() {
    let dir = tempfile::tempdir().unwrap();
    let (output, calls) = comment(dir.path(), Some("1001\n"), PULL_REQUEST);
    assert!(output.status.success());
    let lines: Vec<&str> = calls.lines().collect();
    assert!(lines[0].starts_with("api --paginate repos/acme/shop/issues/42/comments"));
    let body = dir.path().join("comment.md");
    assert_eq!(lines[1], format!("api -X PATCH repos/acme/shop/issues/comments/1001 -F body=@{}", body.display()));
    assert_eq!(lines.len(), 2);
}

#[test]
fn comment_creates_one_when_none_has_the_marker() {
    let dir = tempfile::tempdir().unwrap();
    let (output, calls) = comment(dir.path(), Some(""), PULL_REQUEST);
    assert!(output.status.success());
    let body = dir.path().join("comment.md");
    assert_eq!(
        calls.lines().nth(1).unwrap(),
        format!("api -X POST repos/acme/shop/issues/42/comments -F body=@{}", body.display())
    );
}

#[test]
fn comment_without_write_access_is_a_notice_not_a_failure() {
    let dir = tempfile::tempdir().unwrap();
    let (output, calls) = comment(dir.path(), None, PULL_REQUEST);
    assert!(output.status.success());
    assert!(text(&output.stdout).starts_with("::notice title=perfbudget::could not read the pull request's comments"));
    assert_eq!(calls.lines().count(), 1);
}

#[test]
fn comment_outside_a_pull_request_does_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (output, calls) = comment(dir.path(), Some(""), r#"{"ref": "refs/heads/main"}"#);
    assert!(output.status.success());
    assert_eq!(text(&output.stdout), "::notice title=perfbudget::not a pull request: no comment to write\n");
    assert_eq!(calls, "");
}

#[test]
fn check_runs_the_gate_with_the_inputs_and_keeps_the_reports() {
    let dir = tempfile::tempdir().unwrap();
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_perfbudget"));
    let runner_temp = dir.path().join("runner-temp");
    let mut command = Command::new("bash");
    // check.sh runs perfbudget: none of the job's own GITHUB_* may reach it.
    common::hermetic(&mut command)
        .arg(repo().join("action/check.sh"))
        .current_dir(repo())
        .env("PATH", format!("{}:{}", binary.parent().unwrap().display(), std::env::var("PATH").unwrap()))
        .env("RUNNER_TEMP", &runner_temp)
        .env("INPUT_BUDGET", "budgets/demo.yml")
        .env("INPUT_FAIL_ON", "red")
        .env("INPUT_COMMENT_KEY", "web perf");
    let output = command.output().unwrap();
    // The demo budget has red rows: the step fails as the gate does.
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let out = runner_temp.join("perfbudget");
    let markdown = fs::read_to_string(out.join("comment.md")).unwrap();
    assert!(markdown.starts_with("<!-- perfbudget:v1 key=webperf -->\n"), "{markdown}");
    let report: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["verdict"], "red");
    assert!(fs::read_to_string(out.join("junit.xml")).unwrap().contains("<testsuites"));
}

#[test]
fn comment_from_a_workflow_run_uses_the_saved_pull_request_number() {
    let dir = tempfile::tempdir().unwrap();
    let event = r#"{"workflow_run": {"pull_requests": []}}"#;
    let (output, calls) = comment_on(dir.path(), Some(""), event, Some("7"));
    assert!(output.status.success());
    assert!(calls.lines().nth(1).unwrap().starts_with("api -X POST repos/acme/shop/issues/7/comments"));
}

#[test]
fn comment_refuses_a_pull_request_number_that_is_not_one() {
    let dir = tempfile::tempdir().unwrap();
    let hostile = "7\n::set-output name=verdict::green";
    let (output, calls) = comment_on(dir.path(), Some(""), PULL_REQUEST, Some(hostile));
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        text(&output.stdout),
        "::error title=perfbudget::the pull request number given in PERFBUDGET_PR_NUMBER is not a number\n"
    );
    assert_eq!(calls, "");
}

#[test]
fn comment_action_renders_the_report_with_the_trusted_binary_and_posts_it() {
    let dir = tempfile::tempdir().unwrap();
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_perfbudget"));
    let report = dir.path().join("report.json");
    let gate = common::run(
        common::command(&repo()).args(["check", "-q", "--budget", "budgets/demo.yml", "--json"]).arg(&report),
    );
    assert_eq!(gate.code, 1, "{}", gate.stderr);
    let (bin, log) = stub_gh(dir.path(), Some(""));
    let runner_temp = dir.path().join("runner-temp");
    fs::create_dir_all(&runner_temp).unwrap();
    let event = dir.path().join("event.json");
    fs::write(&event, r#"{"workflow_run": {"id": 1}}"#).unwrap();
    let path = format!("{}:{}:{}", bin.display(), binary.parent().unwrap().display(), std::env::var("PATH").unwrap());
    // The steps after the install, run as the runner would: each `run:` with its `env:`.
    let action = action("comment/action.yml");
    for step in action["runs"]["steps"].as_sequence().unwrap().iter().skip(1) {
        let mut command = Command::new("bash");
        // The step runs `perfbudget comment`: the runner's variables are the ones set here.
        common::hermetic(&mut command)
            .arg("-c")
            .arg(step["run"].as_str().unwrap())
            .env("PATH", &path)
            .env("GITHUB_ACTION_PATH", repo().join("comment"))
            .env("RUNNER_TEMP", &runner_temp)
            .env("GITHUB_EVENT_PATH", &event)
            .env("GITHUB_REPOSITORY", "acme/shop")
            .env("INPUT_REPORT_JSON", &report)
            .env("INPUT_COMMENT_KEY", "perf-budget")
            .env("PERFBUDGET_PR_NUMBER", "7")
            .env("PERFBUDGET_HEAD_SHA", "4f1c0de")
            .env("STUB_HEAD_SHA", "4f1c0de")
            .env("GH_TOKEN", "token");
        let output = command.output().unwrap();
        assert!(output.status.success(), "{}", text(&output.stderr));
    }
    let markdown = runner_temp.join("perfbudget-comment.md");
    let body = fs::read_to_string(&markdown).unwrap();
    assert!(body.starts_with("<!-- perfbudget:v1 key=perf-budget -->\n"), "{body}");
    assert!(body.contains("3 red"), "{body}");
    let calls = fs::read_to_string(log).unwrap();
    let calls: Vec<&str> = calls.lines().collect();
    assert_eq!(calls[0], "api repos/acme/shop/pulls/7 --jq .head.sha");
    assert_eq!(calls[2], format!("api -X POST repos/acme/shop/issues/7/comments -F body=@{}", markdown.display()));
}

#[test]
fn comment_skips_a_pull_request_whose_head_moved_on() {
    let dir = tempfile::tempdir().unwrap();
    let (bin, log) = stub_gh(dir.path(), Some(""));
    let body = dir.path().join("comment.md");
    fs::write(&body, "<!-- perfbudget:v1 key=default -->\n").unwrap();
    let output = run_script(
        &repo().join("action/comment.sh"),
        &[
            ("MARKDOWN_FILE", &body),
            ("GITHUB_EVENT_PATH", Path::new("/nonexistent")),
            ("GITHUB_REPOSITORY", Path::new("acme/shop")),
            ("PERFBUDGET_PR_NUMBER", Path::new("7")),
            ("PERFBUDGET_HEAD_SHA", Path::new("4f1c0de")),
            ("STUB_HEAD_SHA", Path::new("9a9a9a9")),
        ],
        Some(&bin),
    );
    assert!(output.status.success());
    assert_eq!(
        text(&output.stdout),
        "::notice title=perfbudget::pull request 7 is not at the commit the report was made from; no comment written\n"
    );
    assert_eq!(fs::read_to_string(log).unwrap(), "api repos/acme/shop/pulls/7 --jq .head.sha\n");
}

#[test]
fn every_input_and_output_is_documented_in_the_readme() {
    let readme = fs::read_to_string(repo().join("README.md")).unwrap();
    let section = readme.split("### As a GitHub Action").nth(1).unwrap().split("\n### ").next().unwrap();
    for file in ACTIONS {
        let action = action(file);
        for key in ["inputs", "outputs"] {
            let no_entries = yaml_serde::Mapping::new();
            for name in action[key].as_mapping().unwrap_or(&no_entries).keys() {
                let name = name.as_str().unwrap();
                assert!(section.contains(&format!("`{name}`")), "{file}: {key} `{name}` is not in the README");
            }
        }
    }
}

/// Every shell script in the repository: `*.sh` files and files whose first line runs a
/// shell (`.ci/run`, the pre-push hook), outside `target/` and `.git/`.
fn shell_scripts() -> Vec<String> {
    let mut scripts = Vec::new();
    let walk = walkdir::WalkDir::new(repo())
        .into_iter()
        .filter_entry(|entry| !matches!(entry.file_name().to_str(), Some("target" | ".git" | "node_modules")));
    for entry in walk {
        let entry = entry.unwrap();
        if !entry.file_type().is_file() {
            continue;
        }
        let path = entry.path();
        let first_line = fs::read(path).ok().and_then(|bytes| {
            let line = bytes.split(|b| *b == b'\n').next().unwrap_or_default().to_vec();
            String::from_utf8(line).ok()
        });
        let shebang = first_line.is_some_and(|line| {
            line.starts_with("#!") && ["/sh", "/bash", "env sh", "env bash"].iter().any(|shell| line.ends_with(shell))
        });
        if shebang || path.extension().is_some_and(|ext| ext == "sh") {
            scripts.push(path.strip_prefix(repo()).unwrap().display().to_string());
        }
    }
    scripts.sort();
    scripts
}

#[test]
fn scripts_pass_shellcheck() {
    let scripts = shell_scripts();
    // The action's 5, contrib's 3, .ci/run, the 2 release scripts, the 2 bench scripts and
    // the fixture generators.
    for script in [
        "action/install.sh",
        "action/check.sh",
        "action/comment.sh",
        "action/baseline.sh",
        "action/merge.sh",
        "contrib/gitlab/baseline.sh",
        ".ci/run",
        "contrib/git-hooks/pre-push",
        "release/archive.sh",
        "release/record-checksums.sh",
    ] {
        assert!(scripts.iter().any(|found| found == script), "{script} was not found among {scripts:?}");
    }
    assert!(scripts.len() >= 15, "{scripts:?}");
    let output = match Command::new("shellcheck").args(&scripts).current_dir(repo()).output() {
        Ok(output) => output,
        // On CI a missing linter fails the test: .ci/run installs it, so this cannot pass
        // unlinted there. On a laptop without it, say so and stop.
        Err(error) if std::env::var_os("CI").is_none() => {
            eprintln!("shellcheck is not installed ({error}): {} scripts not linted; CI lints them", scripts.len());
            return;
        }
        Err(error) => panic!("CI is set but shellcheck is not installed ({error}); .ci/run installs it"),
    };
    assert!(output.status.success(), "{}{}", text(&output.stdout), text(&output.stderr));
}

#[test]
fn the_repository_runs_its_own_action_without_expressions_in_shells() {
    let mut uses_itself = false;
    for entry in fs::read_dir(repo().join(".github/workflows")).unwrap() {
        let path = entry.unwrap().path();
        let workflow: yaml_serde::Value = yaml_serde::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        for job in workflow["jobs"].as_mapping().unwrap().values() {
            for step in job["steps"].as_sequence().unwrap() {
                if let Some(run) = step["run"].as_str() {
                    assert!(!run.contains("${{"), "{}: expression inside run: {run}", path.display());
                }
                uses_itself |= step["uses"].as_str() == Some("./");
            }
        }
    }
    assert!(uses_itself, "no workflow runs the action with `uses: ./`");
}

/// The action's two steps on an emulated runner: `check.sh` with the runner's files, then
/// `comment.sh` for the pull request of `event`. Returns the step outputs (delimiter and
/// temporary paths replaced), the step summary, the annotations, the comment step's
/// stdout and the `gh` calls.
fn emulated_run(dir: &Path, event: &str, listing: Option<&str>) -> String {
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_perfbudget"));
    let (bin, log) = stub_gh(dir, listing);
    let runner_temp = dir.join("runner-temp");
    let event_path = dir.join("event.json");
    fs::write(&event_path, event).unwrap();
    let path = format!("{}:{}:{}", bin.display(), binary.parent().unwrap().display(), std::env::var("PATH").unwrap());
    let runner = |script: &str| {
        let mut command = Command::new("bash");
        // The emulated runner's GITHUB_* only, never the real job's (its token, its summary).
        common::hermetic(&mut command)
            .arg(repo().join(script))
            .current_dir(repo())
            .env("PATH", &path)
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_OUTPUT", dir.join("output.txt"))
            .env("GITHUB_STEP_SUMMARY", dir.join("summary.md"))
            .env("GITHUB_EVENT_PATH", &event_path)
            .env("GITHUB_REPOSITORY", "acme/shop")
            .env("GITHUB_WORKFLOW", "perf")
            .env("GITHUB_JOB", "budget")
            .env("RUNNER_TEMP", &runner_temp)
            .env("INPUT_BUDGET", "budgets/demo.yml")
            .env("MARKDOWN_FILE", runner_temp.join("perfbudget/comment.md"))
            .env_remove("INPUT_COMMENT_KEY")
            .env_remove("PERFBUDGET_PR_NUMBER")
            .env_remove("PERFBUDGET_HEAD_SHA");
        command.output().unwrap()
    };
    let check = runner("action/check.sh");
    assert_eq!(check.status.code(), Some(1), "{}", text(&check.stderr));
    let comment = runner("action/comment.sh");
    assert!(comment.status.success(), "the comment never fails the job: {}", text(&comment.stderr));

    let stdout = text(&check.stdout);
    let token = stdout.lines().find_map(|line| line.strip_prefix("::stop-commands::")).unwrap();
    let annotations: Vec<&str> = stdout.lines().take_while(|line| !line.starts_with("::stop-commands::")).collect();
    let outputs = fs::read_to_string(dir.join("output.txt"))
        .unwrap()
        .replace(&format!("ghadelimiter_{token}"), "ghadelimiter_TOKEN")
        .replace(&runner_temp.display().to_string(), "$RUNNER_TEMP");
    let calls = fs::read_to_string(log).unwrap_or_default().replace(&runner_temp.display().to_string(), "$RUNNER_TEMP");
    format!(
        "== annotations\n{}\n== $GITHUB_OUTPUT\n{outputs}== comment step\n{}== gh calls\n{calls}== $GITHUB_STEP_SUMMARY\n{}",
        annotations.join("\n"),
        text(&comment.stdout),
        fs::read_to_string(dir.join("summary.md")).unwrap()
    )
}

#[test]
fn emulated_runner_same_repository_pull_request() {
    let dir = tempfile::tempdir().unwrap();
    insta::assert_snapshot!(emulated_run(dir.path(), PULL_REQUEST, Some("")));
}

#[test]
fn emulated_runner_fork_pull_request_with_a_read_only_token() {
    let dir = tempfile::tempdir().unwrap();
    let event = r#"{"pull_request": {"number": 42, "head": {"repo": {"fork": true}}}}"#;
    let run = emulated_run(dir.path(), event, None);
    insta::assert_snapshot!(run);
    let comment_step = run.split("== comment step\n").nth(1).unwrap().split("== gh calls").next().unwrap();
    assert_eq!(
        comment_step,
        "::notice title=perfbudget::could not read the pull request's comments (a fork's read-only token?); the step summary has the report\n"
    );
    // The summary and the annotations are there all the same.
    assert!(run.contains("::error title=perfbudget%3A"), "{run}");
    assert!(run.contains("== $GITHUB_STEP_SUMMARY\n<!-- perfbudget:v1 key=perf-budget -->\n"), "{run}");
}

/// Every `$INPUT_*` a step's script reads is set in the step's `env:`: an input that the
/// YAML forgets to pass would be silently empty.
#[test]
fn every_input_a_script_reads_is_passed_by_its_step() {
    for file in ACTIONS {
        let action = action(file);
        let folder = repo().join(file).parent().unwrap().to_owned();
        for step in action["runs"]["steps"].as_sequence().unwrap() {
            // `uses:` steps (the cache, the artifact upload) run no script of ours.
            let Some(run) = step["run"].as_str() else { continue };
            let Some((_, script)) = run.trim().rsplit_once("$GITHUB_ACTION_PATH/") else { continue };
            let text = fs::read_to_string(folder.join(script.trim_end_matches('"'))).unwrap();
            for used in text.split("INPUT_").skip(1) {
                let name: String = used.chars().take_while(|c| c.is_ascii_uppercase() || *c == '_').collect();
                let name = format!("INPUT_{name}");
                assert!(
                    !step["env"][name.as_str()].is_null(),
                    "{file}: {script} reads {name}, which its step does not set"
                );
            }
        }
    }
}

/// A matrix of three jobs and the final `mode: merge` job, on an emulated runner: each job
/// runs check.sh with its `key:` (its report is `perfbudget-report-KEY.json`), the reports
/// are put in one folder as `download-artifact` with `merge-multiple` does, then the merge
/// job runs the action's merge and comment steps. One verdict, one comment.
#[test]
fn merge_mode_turns_a_matrix_into_one_verdict_and_one_comment() {
    let dir = tempfile::tempdir().unwrap();
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_perfbudget"));
    let (bin, log) = stub_gh(dir.path(), Some(""));
    let path = format!("{}:{}:{}", bin.display(), binary.parent().unwrap().display(), std::env::var("PATH").unwrap());
    let downloads = dir.path().join("workspace/perfbudget-reports");
    fs::create_dir_all(&downloads).unwrap();
    for (key, code) in [("web", 1), ("api", 0), ("bench", 0)] {
        let runner_temp = dir.path().join(format!("runner-temp-{key}"));
        let mut command = Command::new("bash");
        common::hermetic(&mut command)
            .arg(repo().join("action/check.sh"))
            .current_dir(repo().join("tests/fixtures/merge"))
            .env("PATH", &path)
            .env("RUNNER_TEMP", &runner_temp)
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_OUTPUT", runner_temp.join("output.txt"))
            .env("GITHUB_WORKFLOW", "perf")
            .env("GITHUB_JOB", "budget")
            .env("INPUT_MODE", "check")
            .env("INPUT_BUDGET", format!("{key}.yml"))
            .env("INPUT_KEY", key);
        let output = command.output().unwrap();
        assert_eq!(output.status.code(), Some(code), "{key}: {}", text(&output.stderr));
        let report = runner_temp.join(format!("perfbudget/perfbudget-report-{key}.json"));
        let outputs = fs::read_to_string(runner_temp.join("output.txt")).unwrap();
        assert!(outputs.contains(&format!("\n{}\n", report.display())), "{outputs}");
        // upload-artifact `perfbudget-report-KEY`, then download-artifact with
        // `pattern: perfbudget-report-*` and `merge-multiple: true`: one folder.
        fs::copy(&report, downloads.join(report.file_name().unwrap())).unwrap();
    }

    let runner_temp = dir.path().join("runner-temp-merge");
    let event = dir.path().join("event.json");
    fs::write(&event, PULL_REQUEST).unwrap();
    let action = action("action.yml");
    let steps = action["runs"]["steps"].as_sequence().unwrap();
    let step = |id: &str| steps.iter().find(|step| step["id"].as_str() == Some(id)).unwrap();
    assert_eq!(step("merge")["if"].as_str(), Some("${{ inputs.mode == 'merge' }}"));
    assert_eq!(step("check")["if"].as_str(), Some("${{ inputs.mode != 'merge' }}"));
    let runner = |script: &str| {
        let mut command = Command::new("bash");
        common::hermetic(&mut command)
            .arg(repo().join(script))
            .current_dir(dir.path().join("workspace"))
            .env("PATH", &path)
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_OUTPUT", dir.path().join("output.txt"))
            .env("GITHUB_STEP_SUMMARY", dir.path().join("summary.md"))
            .env("GITHUB_EVENT_PATH", &event)
            .env("GITHUB_REPOSITORY", "acme/shop")
            .env("GITHUB_WORKFLOW", "perf")
            .env("GITHUB_JOB", "report")
            .env("RUNNER_TEMP", &runner_temp)
            .env("INPUT_REPORTS", "perfbudget-reports")
            .env("INPUT_EXPECT", "web\napi\nbench\ndocs\n")
            .env("INPUT_MISSING", "red")
            .env("INPUT_FAIL_ON", "red")
            .env("MARKDOWN_FILE", runner_temp.join("perfbudget/comment.md"))
            .env("GH_TOKEN", "token");
        command.output().unwrap()
    };
    let merge = runner("action/merge.sh");
    assert_eq!(merge.status.code(), Some(1), "web is red and docs is missing: {}", text(&merge.stderr));
    let comment = runner("action/comment.sh");
    assert!(comment.status.success(), "{}", text(&comment.stderr));

    let stdout = text(&merge.stdout);
    let token = stdout.lines().find_map(|line| line.strip_prefix("::stop-commands::")).unwrap();
    let annotations: Vec<&str> = stdout.lines().take_while(|line| !line.starts_with("::stop-commands::")).collect();
    let temp = runner_temp.display().to_string();
    let outputs = fs::read_to_string(dir.path().join("output.txt"))
        .unwrap()
        .replace(&format!("ghadelimiter_{token}"), "ghadelimiter_TOKEN")
        .replace(&temp, "$RUNNER_TEMP");
    let calls = fs::read_to_string(&log).unwrap().replace(&temp, "$RUNNER_TEMP");
    let body = fs::read_to_string(runner_temp.join("perfbudget/comment.md")).unwrap();
    assert!(body.starts_with("<!-- perfbudget:v1 key=perf-report -->\n### 🔴 perfbudget: red · merged\n"), "{body}");
    assert!(body.contains("| 🔴 | `docs` | — | expected, but no report has this key |"), "{body}");
    // One comment: the listing, then one POST.
    assert_eq!(calls.lines().count(), 2, "{calls}");
    insta::assert_snapshot!(format!(
        "== annotations\n{}\n== $GITHUB_OUTPUT\n{outputs}== comment step\n{}== gh calls\n{calls}",
        annotations.join("\n"),
        text(&comment.stdout)
    ));
    let junit = fs::read_to_string(runner_temp.join("perfbudget/junit.xml")).unwrap();
    assert_eq!(junit.matches("<testsuite ").count(), 4, "{junit}");
}

#[test]
fn merge_mode_with_no_report_at_all_names_the_expected_jobs() {
    // Every matrix job failed before its upload: download-artifact finds nothing and makes
    // no folder; the merge is red, naming each expected job.
    let dir = tempfile::tempdir().unwrap();
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_perfbudget"));
    let mut command = Command::new("bash");
    common::hermetic(&mut command)
        .arg(repo().join("action/merge.sh"))
        .current_dir(dir.path())
        .env("PATH", format!("{}:{}", binary.parent().unwrap().display(), std::env::var("PATH").unwrap()))
        .env("RUNNER_TEMP", dir.path().join("runner-temp"))
        .env("INPUT_EXPECT", "web,api");
    let output = command.output().unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    assert_eq!(
        text(&output.stdout),
        "job web: red — expected, but no report has this key\njob api: red — expected, but no report has this key\n\
         perfbudget: red — 0 jobs (0 red, 0 yellow, 0 green), 2 missing; checks: 0 red, 0 yellow, 0 green\n"
    );
    // A mode that is neither is refused before anything runs.
    let mut command = Command::new("bash");
    common::hermetic(&mut command)
        .arg(repo().join("action/check.sh"))
        .current_dir(dir.path())
        .env("RUNNER_TEMP", dir.path().join("runner-temp"))
        .env("INPUT_MODE", "merg\n::set-output name=verdict::green");
    let output = command.output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(text(&output.stdout), "::error title=perfbudget::the input mode is check or merge\n");
}
