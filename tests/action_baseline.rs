//! The Action's `baseline: auto` against a stub of GitHub's REST API: real HTTP on
//! 127.0.0.1, one server for the API and a second one (another port, so another origin) for
//! the blob host the artifact download redirects to. `action/check.sh` runs with the
//! variables a runner sets for a `pull_request` event and the real perfbudget binary; the
//! tests read the comment it wrote, its exit code and what each server was asked.
#![allow(clippy::unwrap_used, clippy::panic)] // test setup: a failure should stop the test

use std::collections::HashMap;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

mod common;

use common::repo;

const REPOSITORY_ID: u64 = 4242;
const FORK_ID: u64 = 9999;
const TOKEN: &str = "ghs_stubtoken123";

/// One artifact of the listing, with the summary of its workflow run.
#[derive(Clone)]
struct Artifact {
    id: u64,
    run: u64,
    head_sha: String,
    head_repository_id: u64,
    branch: &'static str,
    expired: bool,
    created_at: &'static str,
    /// What the listing claims; the blob may be bigger.
    size_in_bytes: u64,
}

/// A workflow run as `GET /actions/runs/{id}` answers.
#[derive(Clone)]
struct Run {
    event: &'static str,
    conclusion: &'static str,
    head_sha: String,
    head_repository_id: u64,
    branch: &'static str,
}

#[derive(Default)]
struct Api {
    artifacts: Vec<Artifact>,
    runs: HashMap<u64, Run>,
    /// The archive behind each artifact id, served by the blob host.
    blobs: HashMap<u64, Vec<u8>>,
    /// The compare API's merge-base.
    merge_base: Option<String>,
    /// GitLab: the target branch's artifact files of job `perfbudget`; the report is
    /// served through a redirect to the blob host, other files directly.
    gitlab_files: HashMap<String, Vec<u8>>,
}

/// What the servers were asked: each request line with the Authorization it carried.
#[derive(Default)]
struct Seen {
    api: Vec<(String, Option<String>)>,
    blob: Vec<(String, Option<String>)>,
}

/// A request's path and credential (its Authorization header, or GitLab's `PRIVATE-TOKEN:`
/// or `JOB-TOKEN:` header as `name: value`); `None` when it was not HTTP.
fn read_request(stream: &TcpStream) -> Option<(String, Option<String>)> {
    stream.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let mut reader = BufReader::new(stream.take(64 * 1024));
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let path = line.split(' ').nth(1)?.to_owned();
    let mut authorization = None;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).ok()? == 0 || header == "\r\n" {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            let name = name.to_ascii_lowercase();
            if name == "authorization" {
                authorization = Some(value.trim().to_owned());
            } else if name == "private-token" || name == "job-token" {
                authorization = Some(format!("{name}: {}", value.trim()));
            }
        }
    }
    Some((path, authorization))
}

fn respond(mut stream: TcpStream, status: &str, headers: &str, body: &[u8]) {
    let head = format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n{headers}\r\n", body.len());
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
}

/// Serves up to 200 connections on `listener` with `answer`, on its own thread.
fn serve(
    listener: TcpListener,
    answer: impl Fn(&str) -> (String, String, Vec<u8>) + Send + 'static,
    log: impl Fn(String, Option<String>) + Send + 'static,
) {
    std::thread::spawn(move || {
        for stream in listener.incoming().take(200) {
            let Ok(stream) = stream else { continue };
            let Some((path, authorization)) = read_request(&stream) else { continue };
            log(path.clone(), authorization);
            let (status, headers, body) = answer(&path);
            respond(stream, &status, &headers, &body);
        }
    });
}

/// Starts the API and the blob host; returns the API's base URL and what they saw.
fn start(api: Api) -> (String, Arc<Mutex<Seen>>) {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let api_listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let blob_listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let api_url = format!("http://{}", api_listener.local_addr().unwrap());
    let blob_url = format!("http://{}", blob_listener.local_addr().unwrap());
    let api = Arc::new(api);

    let state = Arc::clone(&api);
    serve(api_listener, move |path| api_answer(&state, path, &blob_url), {
        let seen = Arc::clone(&seen);
        move |path, auth| seen.lock().unwrap().api.push((path, auth))
    });
    let state = Arc::clone(&api);
    serve(
        blob_listener,
        move |path| {
            let id: Option<u64> = path.strip_prefix("/blob/").and_then(|id| id.parse().ok());
            let file = path.strip_prefix("/gitlab/").and_then(|name| state.gitlab_files.get(name));
            match id.and_then(|id| state.blobs.get(&id)).or(file) {
                Some(bytes) => ("200 OK".into(), "Content-Type: application/zip\r\n".into(), bytes.clone()),
                None => ("404 Not Found".into(), String::new(), Vec::new()),
            }
        },
        {
            let seen = Arc::clone(&seen);
            move |path, auth| seen.lock().unwrap().blob.push((path, auth))
        },
    );
    (api_url, seen)
}

fn json(value: &serde_json::Value) -> (String, String, Vec<u8>) {
    ("200 OK".into(), "Content-Type: application/json\r\n".into(), value.to_string().into_bytes())
}

fn api_answer(api: &Api, path: &str, blob_url: &str) -> (String, String, Vec<u8>) {
    if let Some(file) = path.strip_prefix("/api/v4/projects/7/jobs/artifacts/main/raw/") {
        return match file.split_once("?job=") {
            Some(("perfbudget.json", "perfbudget")) if api.gitlab_files.contains_key("perfbudget.json") => {
                ("302 Found".into(), format!("Location: {blob_url}/gitlab/perfbudget.json\r\n"), Vec::new())
            }
            Some((name, "perfbudget")) if api.gitlab_files.contains_key(name) => {
                ("200 OK".into(), String::new(), api.gitlab_files[name].clone())
            }
            _ => ("404 Not Found".into(), String::new(), b"{\"message\":\"404 Not found\"}".to_vec()),
        };
    }
    let prefix = "/repos/acme/shop/";
    let Some(route) = path.strip_prefix(prefix) else {
        return ("404 Not Found".into(), String::new(), Vec::new());
    };
    if route.starts_with("actions/artifacts?name=perfbudget-report&per_page=100&page=") {
        let page: usize = route.rsplit('=').next().unwrap().parse().unwrap();
        let artifacts: Vec<serde_json::Value> = if page == 1 {
            api.artifacts
                .iter()
                .map(|artifact| {
                    serde_json::json!({
                        "id": artifact.id,
                        "name": "perfbudget-report",
                        "size_in_bytes": artifact.size_in_bytes,
                        "archive_download_url": format!("https://api.invalid/zip/{}", artifact.id),
                        "expired": artifact.expired,
                        "created_at": artifact.created_at,
                        "workflow_run": {
                            "id": artifact.run,
                            "repository_id": REPOSITORY_ID,
                            "head_repository_id": artifact.head_repository_id,
                            "head_branch": artifact.branch,
                            "head_sha": artifact.head_sha,
                        }
                    })
                })
                .collect()
        } else {
            Vec::new()
        };
        return json(&serde_json::json!({"total_count": artifacts.len(), "artifacts": artifacts}));
    }
    if let Some(run) = route.strip_prefix("actions/runs/").and_then(|id| api.runs.get(&id.parse().ok()?)) {
        return json(&serde_json::json!({
            "event": run.event,
            "conclusion": run.conclusion,
            "status": "completed",
            "head_sha": run.head_sha,
            "head_branch": run.branch,
            "repository": {"id": REPOSITORY_ID},
            "head_repository": {"id": run.head_repository_id},
        }));
    }
    if let Some(id) = route.strip_prefix("actions/artifacts/").and_then(|rest| rest.strip_suffix("/zip")) {
        return ("302 Found".into(), format!("Location: {blob_url}/blob/{id}\r\n"), Vec::new());
    }
    if route.starts_with("compare/")
        && let Some(sha) = &api.merge_base
    {
        return json(&serde_json::json!({"merge_base_commit": {"sha": sha}}));
    }
    ("404 Not Found".into(), String::new(), Vec::new())
}

/// CRC-32 (IEEE), as zip entries carry it.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// A zip archive of stored (uncompressed) entries, as `unzip` reads it.
fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in entries {
        let offset = out.len() as u32;
        let crc = crc32(data);
        let size = data.len() as u32;
        let fields = |out: &mut Vec<u8>| {
            for value in [0u16, 0, 0, 0x21] {
                out.extend(value.to_le_bytes()); // flags, method (stored), time, date 1980-01-01
            }
            out.extend(crc.to_le_bytes());
            out.extend(size.to_le_bytes());
            out.extend(size.to_le_bytes());
            out.extend((name.len() as u16).to_le_bytes());
            out.extend(0u16.to_le_bytes()); // extra field length
        };
        out.extend(0x0403_4b50u32.to_le_bytes());
        out.extend(20u16.to_le_bytes());
        fields(&mut out);
        out.extend(name.as_bytes());
        out.extend(*data);
        central.extend(0x0201_4b50u32.to_le_bytes());
        central.extend(20u16.to_le_bytes());
        central.extend(20u16.to_le_bytes());
        fields(&mut central);
        for value in [0u16, 0, 0] {
            central.extend(value.to_le_bytes()); // comment length, disk, internal attributes
        }
        central.extend(0u32.to_le_bytes());
        central.extend(offset.to_le_bytes());
        central.extend(name.as_bytes());
    }
    let at = out.len() as u32;
    let count = entries.len() as u16;
    out.extend(&central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    for value in [0u16, 0, count, count] {
        out.extend(value.to_le_bytes());
    }
    out.extend((central.len() as u32).to_le_bytes());
    out.extend(at.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

fn sha(digit: char) -> String {
    digit.to_string().repeat(40)
}

/// A JSON report of a real `perfbudget check` run on measurements of `p95` ms.
fn report_of(dir: &Path, p95: u32) -> Vec<u8> {
    let work = dir.join(format!("report-{p95}"));
    fs::create_dir_all(&work).unwrap();
    fs::copy(repo().join("tests/cmd/check-baseline.in/perfbudget.yml"), work.join("perfbudget.yml")).unwrap();
    let measurements = format!(
        r#"[{{"source":"k6","metric":"http_req_duration","stat":"p(95)","subject":{{"name":"GET /api/users"}},"value":{p95},"unit":"ms"}}]"#
    );
    fs::write(work.join("m.json"), measurements).unwrap();
    let run = common::run(common::command(&work).args(["check", "-q", "--json", "report.json", "m.json"]));
    assert!(run.code <= 1, "{}", run.stderr);
    fs::read(work.join("report.json")).unwrap()
}

fn artifact(id: u64, run: u64, head_sha: &str, created_at: &'static str) -> Artifact {
    Artifact {
        id,
        run,
        head_sha: head_sha.to_owned(),
        head_repository_id: REPOSITORY_ID,
        branch: "main",
        expired: false,
        created_at,
        size_in_bytes: 2000,
    }
}

fn push_run(head_sha: &str) -> Run {
    Run {
        event: "push",
        conclusion: "success",
        head_sha: head_sha.to_owned(),
        head_repository_id: REPOSITORY_ID,
        branch: "main",
    }
}

/// What one run of check.sh left: its exit code and output, the comment, the JSON report.
struct Outcome {
    code: i32,
    stdout: String,
    stderr: String,
    comment: String,
    report: serde_json::Value,
    runner_temp: PathBuf,
}

/// Runs action/check.sh in a copy of tests/cmd/check-baseline.in (whose head.json has a
/// p95 of 330 ms and whose budget allows 10% over the baseline) as the runner runs it for a
/// pull request into main whose base and head are `base_sha` and `head_sha`.
fn pull_request_check(dir: &Path, api_url: &str, base_sha: &str, head_sha: &str, inputs: &[(&str, &str)]) -> Outcome {
    let work = dir.join("work");
    if !work.exists() {
        fs::create_dir_all(&work).unwrap();
        for file in ["perfbudget.yml", "head.json"] {
            fs::copy(repo().join("tests/cmd/check-baseline.in").join(file), work.join(file)).unwrap();
        }
    }
    let event = dir.join("event.json");
    let payload = serde_json::json!({
        "number": 42,
        "pull_request": {
            "number": 42,
            "base": {"ref": "main", "sha": base_sha},
            "head": {"ref": "feature", "sha": head_sha},
        },
        "repository": {"id": REPOSITORY_ID, "full_name": "acme/shop"},
    });
    fs::write(&event, payload.to_string()).unwrap();
    let runner_temp = dir.join("runner-temp");
    fs::create_dir_all(&runner_temp).unwrap();
    let binary = common::binary();
    let mut command = Command::new("bash");
    common::hermetic(&mut command)
        .arg(repo().join("action/check.sh"))
        .current_dir(&work)
        .env("PATH", format!("{}:{}", binary.parent().unwrap().display(), std::env::var("PATH").unwrap()))
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_EVENT_NAME", "pull_request")
        .env("GITHUB_EVENT_PATH", &event)
        .env("GITHUB_REPOSITORY", "acme/shop")
        .env("GITHUB_REPOSITORY_ID", REPOSITORY_ID.to_string())
        .env("GITHUB_API_URL", api_url)
        .env("GITHUB_WORKFLOW", "perf")
        .env("GITHUB_JOB", "budget")
        .env("GITHUB_OUTPUT", dir.join("output.txt"))
        .env("GITHUB_STEP_SUMMARY", dir.join("summary.md"))
        .env("RUNNER_TEMP", &runner_temp)
        .env("GH_TOKEN", TOKEN)
        .env("INPUT_INPUTS", "head.json")
        .env("INPUT_FAIL_ON", "red");
    for (key, value) in inputs {
        command.env(key, value);
    }
    let output = command.output().unwrap();
    let out = runner_temp.join("perfbudget");
    let report = fs::read_to_string(out.join("report.json"))
        .map_or(serde_json::Value::Null, |text| serde_json::from_str(&text).unwrap());
    Outcome {
        code: output.status.code().unwrap(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        comment: fs::read_to_string(out.join("comment.md")).unwrap_or_default(),
        report,
        runner_temp,
    }
}

/// The line of the comment that says what the run was compared with.
fn baseline_line(comment: &str) -> &str {
    comment.lines().find(|line| line.starts_with("Compared with") || line.starts_with("**No baseline**")).unwrap_or("")
}

/// Makes `dir/work` a git repository where `main` and `feature` fork at a commit; returns
/// (merge-base, main's tip, feature's tip).
fn git_checkout(dir: &Path) -> (String, String, String) {
    let work = dir.join("work");
    fs::create_dir_all(&work).unwrap();
    for file in ["perfbudget.yml", "head.json"] {
        fs::copy(repo().join("tests/cmd/check-baseline.in").join(file), work.join(file)).unwrap();
    }
    let git = |args: &[&str]| {
        let output = Command::new("git")
            .args(args)
            .current_dir(&work)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", &work)
            .output()
            .expect("git is needed for the baseline tests");
        assert!(output.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).unwrap().trim().to_owned()
    };
    git(&["init", "-q", "-b", "main"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "fork point"]);
    let fork = git(&["rev-parse", "HEAD"]);
    git(&["commit", "-q", "--allow-empty", "-m", "main moves on"]);
    let main = git(&["rev-parse", "HEAD"]);
    git(&["checkout", "-q", "-b", "feature", &fork]);
    git(&["commit", "-q", "--allow-empty", "-m", "the change"]);
    let feature = git(&["rev-parse", "HEAD"]);
    (fork, main, feature)
}

#[test]
fn the_merge_base_report_wins_over_a_newer_one_and_a_forks_artifact_is_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let (merge_base, main_tip, feature) = git_checkout(dir.path());
    // The merge-base's report had 280 ms (330 ms is then 18% worse: red); main's newer
    // report already had 330 ms (green); the fork's, newest of all, claims to be `main` at
    // the merge-base with 10 s.
    let mut fork = artifact(30, 300, &merge_base, "2026-12-01T12:00:00Z");
    fork.head_repository_id = FORK_ID;
    let api = Api {
        artifacts: vec![
            fork,
            artifact(20, 200, &main_tip, "2026-12-01T11:00:00Z"),
            artifact(10, 100, &merge_base, "2026-12-01T10:00:00Z"),
        ],
        runs: HashMap::from([
            (100, push_run(&merge_base)),
            (200, push_run(&main_tip)),
            (300, Run { head_repository_id: FORK_ID, ..push_run(&merge_base) }),
        ]),
        blobs: HashMap::from([
            (10, zip(&[("report.json", &report_of(dir.path(), 280))])),
            (20, zip(&[("report.json", &report_of(dir.path(), 330))])),
            (30, zip(&[("report.json", &report_of(dir.path(), 10_000))])),
        ]),
        merge_base: None,
        ..Api::default()
    };
    let (url, seen) = start(api);
    let outcome = pull_request_check(dir.path(), &url, &main_tip, &feature, &[]);

    assert_eq!(outcome.code, 1, "{}{}", outcome.stdout, outcome.stderr);
    assert_eq!(outcome.report["verdict"], "red");
    assert_eq!(outcome.report["checks"][0]["baseline"], 280.0);
    assert_eq!(
        baseline_line(&outcome.comment),
        format!("Compared with the report of `main` at {}, the merge-base.", &merge_base[..7])
    );
    assert!(outcome.comment.contains("API p95 330 ms is 18% worse than the baseline 280 ms"), "{}", outcome.comment);
    assert_eq!(outcome.report["baseline_source"]["commit"], merge_base.as_str());
    assert!(
        outcome.stdout.contains(&format!(
            "::notice title=perfbudget::baseline: the report of main at {} (the merge-base), artifact 10 of run 100; \
             looked at 3 artifacts named perfbudget-report: 1 from forks ignored, 0 expired\n",
            &merge_base[..7]
        )),
        "{}",
        outcome.stdout
    );

    let seen = seen.lock().unwrap();
    // git knew the merge-base: the compare API was not asked; the fork's run never looked up
    // nor downloaded; the API got the token, the blob host never did.
    let paths: Vec<&str> = seen.api.iter().map(|(path, _)| path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/repos/acme/shop/actions/artifacts?name=perfbudget-report&per_page=100&page=1",
            "/repos/acme/shop/actions/runs/100",
            "/repos/acme/shop/actions/artifacts/10/zip",
        ]
    );
    assert!(seen.api.iter().all(|(_, auth)| auth.as_deref() == Some(&format!("Bearer {TOKEN}") as &str)));
    assert_eq!(seen.blob, [("/blob/10".to_owned(), None)]);
    assert!(!outcome.stdout.contains(TOKEN) && !outcome.stderr.contains(TOKEN));
}

#[test]
fn without_a_report_at_the_merge_base_the_newest_good_one_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let (merge_base, main_tip, feature) = (sha('a'), sha('b'), sha('c'));
    let failed = sha('d');
    let mut expired = artifact(5, 50, &merge_base, "2026-11-01T10:00:00Z");
    expired.expired = true;
    let api = Api {
        artifacts: vec![
            // The newest is of a failed run; the merge-base's has expired.
            artifact(40, 400, &failed, "2026-12-01T12:00:00Z"),
            artifact(20, 200, &main_tip, "2026-12-01T11:00:00Z"),
            expired,
        ],
        runs: HashMap::from([
            (400, Run { conclusion: "failure", ..push_run(&failed) }),
            (200, push_run(&main_tip)),
            (50, push_run(&merge_base)),
        ]),
        blobs: HashMap::from([(20, zip(&[("report.json", &report_of(dir.path(), 330))]))]),
        // The checkout has neither commit: the compare API answers.
        merge_base: Some(merge_base.clone()),
        ..Api::default()
    };
    let (url, seen) = start(api);
    let outcome = pull_request_check(dir.path(), &url, &main_tip, &feature, &[]);

    assert_eq!(outcome.code, 0, "{}{}", outcome.stdout, outcome.stderr);
    assert_eq!(outcome.report["verdict"], "green");
    assert_eq!(
        baseline_line(&outcome.comment),
        "Compared with the report of `main` at bbbbbbb, not the merge-base aaaaaaa (it has no report): changes \
         between the two commits are part of the comparison."
    );
    let seen = seen.lock().unwrap();
    let paths: Vec<&str> = seen.api.iter().map(|(path, _)| path.as_str()).collect();
    assert_eq!(paths[0], format!("/repos/acme/shop/compare/{main_tip}...{feature}"));
    assert!(paths.contains(&"/repos/acme/shop/actions/runs/400"), "{paths:?}");
    assert!(!paths.contains(&"/repos/acme/shop/actions/runs/50"), "an expired artifact is skipped: {paths:?}");
    assert_eq!(seen.blob, [("/blob/20".to_owned(), None)]);
    assert!(outcome.stdout.contains("1 expired"), "{}", outcome.stdout);
}

#[test]
fn an_archive_over_the_cap_is_refused_even_when_the_listing_says_it_is_small() {
    let dir = tempfile::tempdir().unwrap();
    let (merge_base, feature) = (sha('a'), sha('c'));
    // The listing says 2,000 bytes; the blob is 1.2 MB, over max-artifact-mb: 1.
    let big = vec![b' '; 1_200_000];
    let api = Api {
        artifacts: vec![artifact(10, 100, &merge_base, "2026-12-01T10:00:00Z")],
        runs: HashMap::from([(100, push_run(&merge_base))]),
        blobs: HashMap::from([(10, zip(&[("report.json", &big)]))]),
        merge_base: Some(merge_base.clone()),
        ..Api::default()
    };
    let (url, _) = start(api);
    let outcome = pull_request_check(dir.path(), &url, &merge_base, &feature, &[("INPUT_MAX_ARTIFACT_MB", "1")]);
    assert_eq!(outcome.code, 0, "{}{}", outcome.stdout, outcome.stderr);
    assert!(
        outcome.stdout.contains(
            "::notice title=perfbudget::no baseline: the report artifact of main at aaaaaaa is over max-artifact-mb (1 MB)\n"
        ),
        "{}",
        outcome.stdout
    );
    assert_eq!(
        baseline_line(&outcome.comment),
        "**No baseline**: no report of `main` was found, so nothing was compared with it; only the limits were checked."
    );
    assert!(!outcome.runner_temp.join("perfbudget-baseline/report.json").exists());
}

#[test]
fn only_the_report_is_read_from_the_archive() {
    let dir = tempfile::tempdir().unwrap();
    let (merge_base, feature) = (sha('a'), sha('c'));
    let report = report_of(dir.path(), 280);
    let archive =
        zip(&[("../../escaped.txt", b"outside"), ("/tmp/absolute-escape.txt", b"outside"), ("report.json", &report)]);
    let api = Api {
        artifacts: vec![artifact(10, 100, &merge_base, "2026-12-01T10:00:00Z")],
        runs: HashMap::from([(100, push_run(&merge_base))]),
        blobs: HashMap::from([(10, archive)]),
        merge_base: Some(merge_base.clone()),
        ..Api::default()
    };
    let (url, _) = start(api);
    let outcome = pull_request_check(dir.path(), &url, &merge_base, &feature, &[]);
    assert_eq!(outcome.code, 1, "{}{}", outcome.stdout, outcome.stderr);
    assert_eq!(outcome.report["checks"][0]["baseline"], 280.0);
    let baseline = outcome.runner_temp.join("perfbudget-baseline");
    let mut left: Vec<String> = fs::read_dir(&baseline)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(
        left,
        [
            "artifacts.json",
            "branch",
            "candidates.tsv",
            "commit",
            "compare.json",
            "merge-base",
            "newest.tsv",
            "report.json",
            "run.json"
        ]
    );
    assert!(!dir.path().join("escaped.txt").exists() && !outcome.runner_temp.join("escaped.txt").exists());
    assert!(!Path::new("/tmp/absolute-escape.txt").exists());
}

#[test]
fn no_baseline_is_said_plainly_and_missing_baseline_fail_fails() {
    let dir = tempfile::tempdir().unwrap();
    let (url, _) = start(Api::default());
    let outcome = pull_request_check(dir.path(), &url, &sha('a'), &sha('c'), &[]);
    // The budget's only check is a regression: yellow without a baseline, which passes.
    assert_eq!(outcome.code, 0, "{}{}", outcome.stdout, outcome.stderr);
    let line = "**No baseline**: no report of `main` was found, so nothing was compared with it; only the limits were checked.";
    assert_eq!(baseline_line(&outcome.comment), line);
    assert!(outcome.stdout.contains(
        "::notice title=perfbudget::no baseline: no report of a successful push run on main of this repository \
         (looked at 0 artifacts named perfbudget-report: 0 from forks ignored, 0 expired)\n"
    ));
    assert!(outcome.stdout.contains("::warning title=perfbudget::No baseline: no report of main was found"));
    assert_eq!(outcome.report["baseline_source"], serde_json::json!({"branch": "main", "found": false}));

    let failing = pull_request_check(dir.path(), &url, &sha('a'), &sha('c'), &[("INPUT_MISSING_BASELINE", "fail")]);
    assert_eq!(failing.code, 2, "{}{}", failing.stdout, failing.stderr);
    assert_eq!(
        baseline_line(&failing.comment),
        "**No baseline**: no report of `main` was found, so nothing was compared with it; a baseline is required, \
         so this run fails."
    );
    assert!(failing.stdout.contains("::error title=perfbudget::No baseline: no report of main was found"));
    assert_eq!(failing.report["baseline_source"]["required"], true);
}

#[test]
fn without_actions_read_the_listing_is_refused_and_the_comment_says_no_baseline() {
    let dir = tempfile::tempdir().unwrap();
    // An API that answers nothing under this repository: 404 for the listing.
    let (url, _) = start(Api::default());
    let outcome = pull_request_check(dir.path(), &format!("{url}/nowhere"), &sha('a'), &sha('c'), &[]);
    assert_eq!(outcome.code, 0, "{}{}", outcome.stdout, outcome.stderr);
    assert!(outcome.stdout.contains(
        "::notice title=perfbudget::no baseline: listing the artifacts answered HTTP 404 (the job needs `permissions: actions: read`)\n"
    ), "{}", outcome.stdout);
    assert!(baseline_line(&outcome.comment).starts_with("**No baseline**"));
}

/// Runs contrib/gitlab/baseline.sh as a merge-request pipeline's job `perfbudget` runs it.
fn gitlab_check(dir: &Path, api_url: &str, merge_base: &str) -> (i32, String, String, String) {
    let work = dir.join("work");
    fs::create_dir_all(&work).unwrap();
    for file in ["perfbudget.yml", "head.json"] {
        fs::copy(repo().join("tests/cmd/check-baseline.in").join(file), work.join(file)).unwrap();
    }
    let binary = common::binary();
    let mut command = Command::new("bash");
    common::hermetic(&mut command)
        .arg(repo().join("contrib/gitlab/baseline.sh"))
        .args(["perfbudget", "check", "--markdown", "perfbudget.md", "head.json"])
        .current_dir(&work)
        .env("PATH", format!("{}:{}", binary.parent().unwrap().display(), std::env::var("PATH").unwrap()))
        .env("CI_API_V4_URL", format!("{api_url}/api/v4"))
        .env("CI_PROJECT_ID", "8")
        .env("CI_MERGE_REQUEST_PROJECT_ID", "7")
        .env("CI_MERGE_REQUEST_IID", "12")
        .env("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "main")
        .env("CI_MERGE_REQUEST_DIFF_BASE_SHA", merge_base)
        .env("CI_JOB_NAME", "perfbudget")
        .env("CI_JOB_TOKEN", "glcbt-jobtoken")
        .env_remove("PERFBUDGET_GITLAB_TOKEN");
    let output = command.output().unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
        fs::read_to_string(work.join("perfbudget.md")).unwrap_or_default(),
    )
}

#[test]
fn gitlab_compares_with_the_target_branchs_report_without_sending_the_token_to_storage() {
    let dir = tempfile::tempdir().unwrap();
    let merge_base = sha('a');
    let api = Api {
        gitlab_files: HashMap::from([
            ("perfbudget.json".to_owned(), report_of(dir.path(), 280)),
            ("perfbudget.commit".to_owned(), format!("{merge_base}\n").into_bytes()),
        ]),
        ..Api::default()
    };
    let (url, seen) = start(api);
    let (code, stdout, stderr, comment) = gitlab_check(dir.path(), &url, &merge_base);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert_eq!(baseline_line(&comment), "Compared with the report of `main` at aaaaaaa, the merge-base.");
    assert!(comment.contains("API p95 330 ms is 18% worse than the baseline 280 ms"), "{comment}");
    let seen = seen.lock().unwrap();
    assert_eq!(
        seen.api,
        [
            (
                "/api/v4/projects/7/jobs/artifacts/main/raw/perfbudget.json?job=perfbudget".to_owned(),
                Some("job-token: glcbt-jobtoken".to_owned())
            ),
            (
                "/api/v4/projects/7/jobs/artifacts/main/raw/perfbudget.commit?job=perfbudget".to_owned(),
                Some("job-token: glcbt-jobtoken".to_owned())
            ),
        ]
    );
    assert_eq!(seen.blob, [("/gitlab/perfbudget.json".to_owned(), None)]);
}

#[test]
fn gitlab_without_a_report_says_no_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let (url, _) = start(Api::default());
    let (code, stdout, stderr, comment) = gitlab_check(dir.path(), &url, &sha('a'));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(
        baseline_line(&comment),
        "**No baseline**: no report of `main` was found, so nothing was compared with it; only the limits were checked."
    );
    assert!(stdout.starts_with("perfbudget: no baseline: the target branch has no successful pipeline with a perfbudget perfbudget.json artifact"), "{stdout}");
}

#[test]
fn with_history_a_push_records_its_report_and_a_pull_request_compares_with_the_runs() {
    let dir = tempfile::tempdir().unwrap();
    let merge_base = sha('a');
    let runner_temp = dir.path().join("runner-temp");
    fs::create_dir_all(&runner_temp).unwrap();
    let report = dir.path().join("main-report.json");
    fs::write(&report, report_of(dir.path(), 280)).unwrap();
    // The push run's history-record step, as action.yml has it (the cache restored nothing).
    let action: yaml_serde::Value =
        yaml_serde::from_str(&fs::read_to_string(repo().join("action.yml")).unwrap()).unwrap();
    let steps = action["runs"]["steps"].as_sequence().unwrap();
    let record = steps.iter().find(|step| step["id"].as_str() == Some("history-record")).unwrap();
    let binary = common::binary();
    let mut command = Command::new("bash");
    common::hermetic(&mut command)
        .arg("-c")
        .arg(record["run"].as_str().unwrap())
        .env("PATH", format!("{}:{}", binary.parent().unwrap().display(), std::env::var("PATH").unwrap()))
        .env("RUNNER_TEMP", &runner_temp)
        .env("REPORT_JSON", &report)
        .env("GITHUB_SHA", &merge_base)
        .env("GITHUB_REF_NAME", "main");
    let output = command.output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("recorded 1 measurements of main (aaaaaaa) in "));

    // The pull request: no artifact at all, but the history (restored from the cache).
    let (url, seen) = start(Api { merge_base: Some(merge_base.clone()), ..Api::default() });
    let outcome = pull_request_check(dir.path(), &url, &merge_base, &sha('c'), &[("INPUT_HISTORY", "true")]);
    // Only the merge-base was asked for: no artifact is looked up when the history is there.
    let paths: Vec<String> = seen.lock().unwrap().api.iter().map(|(path, _)| path.clone()).collect();
    assert_eq!(paths, [format!("/repos/acme/shop/compare/{merge_base}...{}", sha('c'))]);
    assert_eq!(outcome.code, 1, "{}{}", outcome.stdout, outcome.stderr);
    assert_eq!(outcome.report["history"]["runs"], 1);
    assert_eq!(outcome.report["checks"][0]["history"]["commit"], merge_base.as_str());
    assert!(outcome.comment.contains("Compared with 1 run of main"), "{}", outcome.comment);
    assert!(!outcome.comment.contains("No baseline"), "{}", outcome.comment);
}

/// The ```yaml blocks of a markdown file.
fn yaml_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```yaml") => current = Some(String::new()),
            (Some(block), "```") => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            (Some(block), _) => block.push_str(&format!("{line}\n")),
            (None, _) => {}
        }
    }
    blocks
}

#[test]
fn the_documented_workflows_parse_and_give_the_action_only_its_inputs() {
    let action: yaml_serde::Value =
        yaml_serde::from_str(&fs::read_to_string(repo().join("action.yml")).unwrap()).unwrap();
    let inputs = action["inputs"].as_mapping().unwrap();
    let docs = fs::read_to_string(repo().join("docs/github-action.md")).unwrap();
    let mut uses = 0;
    for block in yaml_blocks(&docs) {
        let workflow: yaml_serde::Value =
            yaml_serde::from_str(&block).unwrap_or_else(|error| panic!("{error}: {block}"));
        let Some(jobs) = workflow["jobs"].as_mapping() else { continue };
        for job in jobs.values() {
            for step in job["steps"].as_sequence().unwrap() {
                if step["uses"].as_str() != Some("perfbudget/perfbudget@v0") {
                    continue;
                }
                uses += 1;
                for key in step["with"].as_mapping().into_iter().flat_map(|with| with.keys()) {
                    assert!(inputs.contains_key(key), "docs/github-action.md gives the action {key:?}, not an input");
                }
            }
        }
    }
    assert!(uses >= 3, "{uses} uses of the action in docs/github-action.md");
    // The shortest setup grants what baseline: auto needs.
    let shortest = &yaml_blocks(&docs)[0];
    assert!(shortest.contains("actions: read") && shortest.contains("push:"), "{shortest}");
    let gitlab = fs::read_to_string(repo().join("docs/other-ci.md")).unwrap();
    let job: yaml_serde::Value = yaml_serde::from_str(&yaml_blocks(&gitlab)[0]).unwrap();
    let script: Vec<&str> =
        job["perfbudget"]["script"].as_sequence().unwrap().iter().filter_map(|line| line.as_str()).collect();
    assert!(
        script.iter().any(|line| line.starts_with("bash contrib/gitlab/baseline.sh perfbudget check")),
        "{script:?}"
    );
    let paths = &job["perfbudget"]["artifacts"]["paths"];
    assert!(paths.as_sequence().unwrap().iter().any(|path| path.as_str() == Some("perfbudget.commit")));
}

#[test]
fn an_artifact_listed_over_the_cap_is_never_downloaded() {
    let dir = tempfile::tempdir().unwrap();
    let (merge_base, feature) = (sha('a'), sha('c'));
    let mut big = artifact(10, 100, &merge_base, "2026-12-01T10:00:00Z");
    big.size_in_bytes = 60_000_000;
    let api = Api {
        artifacts: vec![big],
        runs: HashMap::from([(100, push_run(&merge_base))]),
        blobs: HashMap::from([(10, zip(&[("report.json", &report_of(dir.path(), 280))]))]),
        merge_base: Some(merge_base.clone()),
        ..Api::default()
    };
    let (url, seen) = start(api);
    let outcome = pull_request_check(dir.path(), &url, &merge_base, &feature, &[]);
    assert_eq!(outcome.code, 0, "{}{}", outcome.stdout, outcome.stderr);
    assert!(
        outcome.stdout.contains(
            "::notice title=perfbudget::no baseline: the report artifact of main at aaaaaaa is 60000000 bytes, over \
             max-artifact-mb (50 MB)\n"
        ),
        "{}",
        outcome.stdout
    );
    let seen = seen.lock().unwrap();
    assert!(seen.api.iter().all(|(path, _)| !path.ends_with("/zip")), "{:?}", seen.api);
    assert!(seen.blob.is_empty());
}

#[test]
fn the_action_uploads_only_default_branch_pushes_and_every_curl_has_a_time_limit() {
    let action: yaml_serde::Value =
        yaml_serde::from_str(&fs::read_to_string(repo().join("action.yml")).unwrap()).unwrap();
    let steps = action["runs"]["steps"].as_sequence().unwrap();
    let step = |id: &str| steps.iter().find(|step| step["id"].as_str() == Some(id)).unwrap();
    let upload = step("upload");
    assert_eq!(upload["uses"].as_str(), Some("actions/upload-artifact@v4"));
    assert_eq!(upload["with"]["name"].as_str(), Some("${{ inputs.artifact-name }}"));
    assert_eq!(upload["with"]["path"].as_str(), Some("${{ steps.check.outputs.json }}"));
    let default_branch_push =
        "github.event_name == 'push' && github.ref == format('refs/heads/{0}', github.event.repository.default_branch)";
    for id in ["upload", "history-record"] {
        assert!(step(id)["if"].as_str().unwrap().contains(default_branch_push), "{id}");
    }
    // The history is saved under a key the next run's restore-keys prefix finds.
    let restore = step("history-restore")["with"]["restore-keys"].as_str().unwrap().to_owned();
    assert!(step("history-save")["with"]["key"].as_str().unwrap().starts_with(&restore));
    assert_eq!(action["inputs"]["max-artifact-mb"]["default"].as_str(), Some("50"));
    assert_eq!(action["inputs"]["missing-baseline"]["default"].as_str(), Some("note"));

    for script in ["action/baseline.sh", "contrib/gitlab/baseline.sh"] {
        let text = fs::read_to_string(repo().join(script)).unwrap().replace("\\\n", " ");
        let calls: Vec<&str> =
            text.lines().filter(|line| line.contains("curl --") && !line.trim_start().starts_with('#')).collect();
        assert!(calls.len() >= 2, "{script}: {calls:?}");
        for call in calls {
            assert!(call.contains("--max-time") && call.contains("--connect-timeout"), "{script}: {call}");
            assert!(!call.contains("--location"), "{script}: curl follows no redirect itself: {call}");
        }
    }
}

#[test]
fn a_hostile_base_branch_name_forges_no_workflow_command_and_no_markdown() {
    let dir = tempfile::tempdir().unwrap();
    let (url, _) = start(Api::default());
    let work = dir.path().join("work");
    // pull_request_check writes the event; rewrite it with a hostile base ref and run again.
    let first = pull_request_check(dir.path(), &url, &sha('a'), &sha('c'), &[]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let event = dir.path().join("event.json");
    let hostile = "main\n::error title=x::forged [link](https://evil.example) @everyone`";
    let mut payload: serde_json::Value = serde_json::from_str(&fs::read_to_string(&event).unwrap()).unwrap();
    payload["pull_request"]["base"]["ref"] = hostile.into();
    fs::write(&event, payload.to_string()).unwrap();
    // Run check.sh directly with the rewritten event (pull_request_check would rewrite it).
    let binary = common::binary();
    let runner_temp = dir.path().join("runner-temp");
    let mut command = Command::new("bash");
    common::hermetic(&mut command)
        .arg(repo().join("action/check.sh"))
        .current_dir(&work)
        .env("PATH", format!("{}:{}", binary.parent().unwrap().display(), std::env::var("PATH").unwrap()))
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_EVENT_NAME", "pull_request")
        .env("GITHUB_EVENT_PATH", &event)
        .env("GITHUB_REPOSITORY", "acme/shop")
        .env("GITHUB_REPOSITORY_ID", REPOSITORY_ID.to_string())
        .env("GITHUB_API_URL", &url)
        .env("GITHUB_OUTPUT", dir.path().join("output.txt"))
        .env("GITHUB_STEP_SUMMARY", dir.path().join("summary.md"))
        .env("RUNNER_TEMP", &runner_temp)
        .env("GH_TOKEN", TOKEN)
        .env("INPUT_INPUTS", "head.json");
    let output = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(!stdout.lines().any(|line| line.starts_with("::error title=x")), "{stdout}");
    assert!(
        stdout.contains("no baseline: no report of a successful push run on main%0A::error title=x::forged"),
        "{stdout}"
    );
    let comment = fs::read_to_string(runner_temp.join("perfbudget/comment.md")).unwrap();
    let line = baseline_line(&comment);
    // A code span: no link, no markdown; the mention broken by a word joiner; one line.
    assert_eq!(
        line,
        "**No baseline**: no report of `` main ::error title=x::forged [link](https://evil.example) @\u{2060}everyone` `` \
         was found, so nothing was compared with it; only the limits were checked."
    );
    assert!(!comment.contains("\n::error"), "{comment}");
}

#[test]
fn a_matrix_job_with_a_key_reads_its_own_report_file_from_the_base_branchs_artifact() {
    // With `key: web` the default-branch run uploaded perfbudget-report-web.json (check.sh's
    // name for a keyed job); the archive also holds another job's file, which is not read.
    let dir = tempfile::tempdir().unwrap();
    let (merge_base, main_tip, feature) = git_checkout(dir.path());
    let api = Api {
        artifacts: vec![artifact(10, 100, &merge_base, "2026-12-01T10:00:00Z")],
        runs: HashMap::from([(100, push_run(&merge_base))]),
        blobs: HashMap::from([(
            10,
            zip(&[
                ("perfbudget-report-api.json", &report_of(dir.path(), 10_000)),
                ("perfbudget-report-web.json", &report_of(dir.path(), 280)),
            ]),
        )]),
        merge_base: None,
        ..Api::default()
    };
    let (url, _seen) = start(api);
    let outcome = pull_request_check(
        dir.path(),
        &url,
        &main_tip,
        &feature,
        &[("INPUT_KEY", "web"), ("INPUT_ARTIFACT_NAME", "perfbudget-report")],
    );

    assert_eq!(outcome.code, 1, "{}{}", outcome.stdout, outcome.stderr);
    assert!(outcome.comment.contains("API p95 330 ms is 18% worse than the baseline 280 ms"), "{}", outcome.comment);
    assert_eq!(
        baseline_line(&outcome.comment),
        format!("Compared with the report of `main` at {}, the merge-base.", &merge_base[..7])
    );
    let written = outcome.runner_temp.join("perfbudget/perfbudget-report-web.json");
    assert!(written.exists(), "the keyed job's own report is written under its key");
}
