//! The release channel the Action installs from: `release/archive.sh` packs a real binary as
//! the release workflow does, `release/record-checksums.sh` records its sha256 in the
//! action, and `action/install.sh` downloads it over real HTTP (a stub server on 127.0.0.1),
//! verifies it and runs it, or refuses loudly.
#![allow(clippy::unwrap_used, clippy::panic, clippy::print_stderr)] // test setup: a failure should stop the test; skips are said

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

mod common;

use common::repo;

const VERSION: &str = env!("CARGO_PKG_VERSION");
const TARGET: &str = "x86_64-unknown-linux-musl";

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A file server on 127.0.0.1 for `root`: GET of a file under it answers 200 with its bytes,
/// anything else 404. It serves at most 20 connections (each read bounded by a timeout) and
/// records each request line.
struct Stub {
    url: String,
    requests: Arc<Mutex<Vec<String>>>,
}

fn serve(root: &Path) -> Stub {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let requests = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&requests);
    let root = root.to_owned();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(20) {
            let Ok(mut stream) = stream else { continue };
            stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            if reader.read_line(&mut request).is_err() {
                continue;
            }
            let mut header = String::new();
            while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
                header.clear();
            }
            let request = request.trim_end().to_owned();
            seen.lock().unwrap().push(request.clone());
            let path = request.split(' ').nth(1).unwrap_or("/").trim_start_matches('/').to_owned();
            let file = root.join(&path);
            let body = (!path.split('/').any(|part| part == "..")).then(|| fs::read(file).ok()).flatten();
            let (status, body) = match body {
                Some(body) => ("200 OK", body),
                None => ("404 Not Found", b"not found\n".to_vec()),
            };
            let head = format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
            let _ = stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(&body));
        }
    });
    Stub { url, requests }
}

/// The release as the workflow makes it, made once for all the tests:
/// `<folder>/v<VERSION>/` with the archive of the binary under test (this commit's
/// perfbudget, its debug symbols stripped when `strip` is there, to keep the archive small)
/// and SHA256SUMS. Returns the folder and the archive's sha256.
fn release() -> &'static (PathBuf, String) {
    static RELEASE: OnceLock<(PathBuf, String)> = OnceLock::new();
    RELEASE.get_or_init(|| {
        // One folder, made anew by each run of this test binary.
        let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("release");
        let _ = fs::remove_dir_all(&root);
        let folder = root.join(format!("v{VERSION}"));
        fs::create_dir_all(&folder).unwrap();
        let stripped = root.join("perfbudget");
        let strip = Command::new("strip").arg("-o").arg(&stripped).arg(env!("CARGO_BIN_EXE_perfbudget")).status();
        let binary =
            if strip.is_ok_and(|status| status.success()) { stripped } else { env!("CARGO_BIN_EXE_perfbudget").into() };
        let archive = Command::new("bash")
            .arg(repo().join("release/archive.sh"))
            .arg(TARGET)
            .arg(&binary)
            .arg(&folder)
            .output()
            .unwrap();
        assert!(archive.status.success(), "{}", text(&archive.stderr));
        let path = folder.join(format!("perfbudget-{TARGET}.tar.gz"));
        assert_eq!(text(&archive.stdout), format!("{}\n", path.display()));
        let listing = Command::new("tar").arg("-tzvf").arg(&path).output().unwrap();
        let listing = text(&listing.stdout);
        let entries: Vec<(&str, &str)> = listing
            .lines()
            .map(|line| (line.split_whitespace().next().unwrap(), line.split_whitespace().last().unwrap()))
            .collect();
        assert_eq!(entries, [("-rwxr-xr-x", "perfbudget"), ("-rw-r--r--", "README.md")], "{listing}");
        let sums =
            Command::new("sha256sum").arg(format!("perfbudget-{TARGET}.tar.gz")).current_dir(&folder).output().unwrap();
        fs::write(folder.join("SHA256SUMS"), &sums.stdout).unwrap();
        (root, text(&sums.stdout).split(' ').next().unwrap().to_owned())
    })
}

/// A copy of the action's install script with action/checksums.txt and action/VERSION as the
/// release workflow records them from `<dir>/release/v<VERSION>/SHA256SUMS`.
fn recorded_action(dir: &Path) -> PathBuf {
    let action = dir.join("action-copy");
    fs::create_dir_all(action.join("action")).unwrap();
    fs::copy(repo().join("action/install.sh"), action.join("action/install.sh")).unwrap();
    let checksums = action.join("action/checksums.txt");
    fs::write(&checksums, "").unwrap();
    let record = Command::new("bash")
        .arg(repo().join("release/record-checksums.sh"))
        .arg(format!("v{VERSION}"))
        .arg(release().0.join(format!("v{VERSION}/SHA256SUMS")))
        .arg(&checksums)
        .output()
        .unwrap();
    assert!(record.status.success(), "{}", text(&record.stderr));
    assert_eq!(
        text(&record.stdout),
        format!("recorded 1 archives of perfbudget {VERSION} in {}\n", checksums.display())
    );
    action
}

/// Runs the action's install script as the runner does on Linux x64, with `bin` first on PATH
/// (a `cargo` that records its arguments) and `extra` variables.
fn install(dir: &Path, action: &Path, extra: &[(&str, &str)]) -> Output {
    let runner_temp = dir.join("runner-temp");
    fs::create_dir_all(&runner_temp).unwrap();
    let bin = stub_cargo(dir);
    let mut command = Command::new("bash");
    command
        .arg(action.join("action/install.sh"))
        .env_clear()
        .env("PATH", format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default()))
        .env("HOME", dir)
        .env("GITHUB_ACTION_PATH", action)
        .env("RUNNER_TEMP", &runner_temp)
        .env("GITHUB_PATH", dir.join("github-path"))
        .env("RUNNER_OS", "Linux")
        .env("RUNNER_ARCH", "X64");
    for (key, value) in extra {
        command.env(key, value);
    }
    command.output().unwrap()
}

fn stub_cargo(dir: &Path) -> PathBuf {
    let bin = dir.join("bin");
    fs::create_dir_all(&bin).unwrap();
    let cargo = bin.join("cargo");
    fs::write(&cargo, format!("#!/bin/sh\necho \"$*\" > '{}'\n", dir.join("cargo.log").display())).unwrap();
    Command::new("chmod").arg("+x").arg(&cargo).status().unwrap();
    bin
}

fn installed(dir: &Path) -> PathBuf {
    dir.join("runner-temp/perfbudget-install/bin/perfbudget")
}

#[test]
fn install_downloads_the_recorded_release_over_http_verifies_and_runs_it() {
    let dir = tempfile::tempdir().unwrap();
    let (folder, sha256) = release();
    let action = recorded_action(dir.path());
    assert_eq!(
        fs::read_to_string(action.join("action/checksums.txt")).unwrap(),
        format!("{sha256} {VERSION} {TARGET}\n")
    );
    assert_eq!(fs::read_to_string(action.join("action/VERSION")).unwrap(), format!("{VERSION}\n"));
    let stub = serve(folder);
    // An explicit `version:` (with the tag's v) and the action's own version take the same path.
    for asked in [format!("v{VERSION}"), String::new()] {
        let _ = fs::remove_file(dir.path().join("github-path"));
        let output = install(dir.path(), &action, &[("PERFBUDGET_DOWNLOAD_URL", &stub.url), ("INPUT_VERSION", &asked)]);
        assert!(output.status.success(), "{}{}", text(&output.stdout), text(&output.stderr));
        assert_eq!(
            text(&output.stdout),
            format!("perfbudget {VERSION} ({TARGET}) installed from the release, sha256 {sha256}\n")
        );
        let bin = dir.path().join("runner-temp/perfbudget-install/bin");
        assert_eq!(fs::read_to_string(dir.path().join("github-path")).unwrap(), format!("{}\n", bin.display()));
        let version = Command::new(installed(dir.path())).arg("--version").output().unwrap();
        assert_eq!(text(&version.stdout), format!("perfbudget {VERSION}\n"));
        // Only the binary lands on PATH, not the archive's README.
        assert_eq!(fs::read_dir(&bin).unwrap().count(), 1);
    }
    let path = format!("GET /v{VERSION}/perfbudget-{TARGET}.tar.gz HTTP/1.1");
    assert_eq!(*stub.requests.lock().unwrap(), [path.clone(), path]);
    assert!(!dir.path().join("cargo.log").exists(), "nothing was built from source");
}

#[test]
fn install_refuses_an_archive_whose_sha256_is_not_the_recorded_one() {
    let dir = tempfile::tempdir().unwrap();
    let (folder, sha256) = release();
    let action = recorded_action(dir.path());
    // The recorded checksum of another archive: the last hex digit differs.
    let last = if sha256.ends_with('0') { "1" } else { "0" };
    let recorded = format!("{}{last}", &sha256[..63]);
    fs::write(action.join("action/checksums.txt"), format!("{recorded} {VERSION} {TARGET}\n")).unwrap();
    let stub = serve(folder);
    let output = install(dir.path(), &action, &[("PERFBUDGET_DOWNLOAD_URL", &stub.url), ("INPUT_VERSION", VERSION)]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        text(&output.stdout),
        format!(
            "::error title=perfbudget::the downloaded perfbudget {VERSION} ({TARGET}) has sha256 {sha256}, not the {recorded} committed in the action\n"
        )
    );
    assert_eq!(stub.requests.lock().unwrap().len(), 1);
    assert!(!dir.path().join("github-path").exists());
    assert!(!installed(dir.path()).exists());
    assert!(!dir.path().join("cargo.log").exists());
}

#[test]
fn install_fails_loudly_for_an_explicit_version_with_no_recorded_checksum() {
    let dir = tempfile::tempdir().unwrap();
    let (folder, _) = release();
    let action = recorded_action(dir.path());
    let stub = serve(folder);
    let output = install(dir.path(), &action, &[("PERFBUDGET_DOWNLOAD_URL", &stub.url), ("INPUT_VERSION", "9.9.9")]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        text(&output.stdout),
        format!(
            "::error title=perfbudget::version 9.9.9 was asked for, but this action records no checksum of perfbudget 9.9.9 for {TARGET} (recorded: {VERSION}); use an action ref that records it (the release's moving tag, or a commit after its checksums were added) or leave version empty\n"
        )
    );
    // A version input that is not one is refused without being echoed.
    let hostile = install(dir.path(), &action, &[("INPUT_VERSION", "1.0\n::add-mask::x")]);
    assert_eq!(hostile.status.code(), Some(1));
    assert_eq!(text(&hostile.stdout), "::error title=perfbudget::the version input is not a version like 1.2.3\n");
    // Neither a download nor a build from source of something else.
    assert!(stub.requests.lock().unwrap().is_empty());
    assert!(!dir.path().join("cargo.log").exists());
    assert!(!dir.path().join("github-path").exists());
}

#[test]
fn install_without_a_version_or_a_recorded_release_builds_from_source() {
    // Only the decision is checked here: `cargo` is a stub that records its arguments.
    let dir = tempfile::tempdir().unwrap();
    let action = dir.path().join("action-copy");
    fs::create_dir_all(action.join("action")).unwrap();
    fs::copy(repo().join("action/install.sh"), action.join("action/install.sh")).unwrap();
    fs::copy(repo().join("action/VERSION"), action.join("action/VERSION")).unwrap();
    fs::copy(repo().join("action/checksums.txt"), action.join("action/checksums.txt")).unwrap();
    let output = install(dir.path(), &action, &[]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let version = fs::read_to_string(repo().join("action/VERSION")).unwrap();
    assert_eq!(
        text(&output.stdout),
        format!(
            "::notice title=perfbudget::no release of perfbudget {} for {TARGET} is recorded in the action; building it from the action's source\n",
            version.trim()
        )
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("cargo.log")).unwrap(),
        format!(
            "install --quiet --locked --path {} --root {}\n",
            action.display(),
            dir.path().join("runner-temp/perfbudget-install").display()
        )
    );
}

#[test]
fn install_downloads_over_https_only_except_from_this_machine() {
    let dir = tempfile::tempdir().unwrap();
    release();
    let action = recorded_action(dir.path());
    // curl refuses the scheme before any connection: nothing leaves the machine.
    let output = install(
        dir.path(),
        &action,
        &[("PERFBUDGET_DOWNLOAD_URL", "http://mirror.invalid/releases"), ("INPUT_VERSION", VERSION)],
    );
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        text(&output.stdout),
        format!(
            "::error title=perfbudget::could not download perfbudget {VERSION} ({TARGET}) from http://mirror.invalid/releases/v{VERSION}/perfbudget-{TARGET}.tar.gz\n"
        )
    );
    assert!(text(&output.stderr).contains("Protocol \"http\""), "{}", text(&output.stderr));
}

#[test]
fn record_checksums_replaces_the_lines_of_its_version_and_keeps_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let sums = dir.path().join("SHA256SUMS");
    let a = "a".repeat(64);
    let b = "b".repeat(64);
    let c = "c".repeat(64);
    fs::write(
        &sums,
        format!(
            "{b}  perfbudget-x86_64-unknown-linux-musl.tar.gz\n{c}  perfbudget-x86_64-pc-windows-msvc.tar.gz\n{a}  SHA256SUMS.sig\n"
        ),
    )
    .unwrap();
    let checksums = dir.path().join("checksums.txt");
    fs::write(&checksums, format!("{a} 0.1.0 x86_64-unknown-linux-musl\n{a} 0.2.0 x86_64-unknown-linux-musl\n"))
        .unwrap();
    let record = |version: &str, sums: &Path| {
        Command::new("bash")
            .arg(repo().join("release/record-checksums.sh"))
            .arg(version)
            .arg(sums)
            .arg(&checksums)
            .output()
            .unwrap()
    };
    let output = record("v0.2.0", &sums);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(
        fs::read_to_string(&checksums).unwrap(),
        format!(
            "{a} 0.1.0 x86_64-unknown-linux-musl\n{b} 0.2.0 x86_64-unknown-linux-musl\n{c} 0.2.0 x86_64-pc-windows-msvc\n"
        )
    );
    assert_eq!(fs::read_to_string(dir.path().join("VERSION")).unwrap(), "0.2.0\n");

    let empty = dir.path().join("EMPTY");
    fs::write(&empty, "").unwrap();
    let output = record("0.3.0", &empty);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        text(&output.stderr),
        format!("release/record-checksums.sh: {} lists no perfbudget-TARGET.tar.gz archive\n", empty.display())
    );
    let output = record("0.3.0;rm", &sums);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(text(&output.stderr), "release/record-checksums.sh: '0.3.0;rm' is not a version\n");
}

/// The `run:` script of the step `name` of job `job` in .github/workflows/release.yml.
fn workflow_step(job: &str, name: &str) -> String {
    let text = fs::read_to_string(repo().join(".github/workflows/release.yml")).unwrap();
    let workflow: yaml_serde::Value = yaml_serde::from_str(&text).unwrap();
    let steps = workflow["jobs"][job]["steps"].as_sequence().unwrap();
    let step = steps.iter().find(|step| step["name"].as_str() == Some(name)).unwrap();
    step["run"].as_str().unwrap().to_owned()
}

/// Runs a workflow step's script as the runner does (`bash -eo pipefail`), in `cwd`.
fn run_step(script: &str, cwd: &Path, envs: &[(&str, &str)], path_prefix: Option<&Path>) -> Output {
    let mut command = Command::new("bash");
    command.args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script]).current_dir(cwd);
    common::hermetic(&mut command);
    if let Some(prefix) = path_prefix {
        command.env("PATH", format!("{}:{}", prefix.display(), std::env::var("PATH").unwrap_or_default()));
    }
    for (key, value) in envs {
        command.env(key, value);
    }
    command.output().unwrap()
}

const TARGETS: [&str; 5] = [
    "x86_64-unknown-linux-musl",
    "aarch64-unknown-linux-musl",
    "x86_64-apple-darwin",
    "aarch64-apple-darwin",
    "x86_64-pc-windows-msvc",
];

/// A checkout of this repository's release scripts and README in `<dir>/checkout`, with the
/// build jobs' artifacts downloaded into `binaries/` (one file under each target's name),
/// and the host job's "archives and SHA256SUMS" step run there.
fn hosted(dir: &Path) -> PathBuf {
    let checkout = dir.join("checkout");
    for file in ["release/archive.sh", "release/record-checksums.sh", "README.md", "CHANGELOG.md"] {
        fs::create_dir_all(checkout.join(file).parent().unwrap()).unwrap();
        fs::copy(repo().join(file), checkout.join(file)).unwrap();
    }
    // The packing is what is tested here, not the program: a small stand-in keeps the five
    // archives quick to make (the install tests use the real binary).
    let binary = dir.join("stand-in");
    fs::write(&binary, format!("#!/bin/sh\necho perfbudget {VERSION}\n")).unwrap();
    for target in TARGETS {
        let folder = checkout.join(format!("binaries/binary-{target}"));
        fs::create_dir_all(&folder).unwrap();
        let name = if target.contains("windows") { "perfbudget.exe" } else { "perfbudget" };
        fs::copy(&binary, folder.join(name)).unwrap();
    }
    let output = run_step(&workflow_step("host", "archives and SHA256SUMS"), &checkout, &[], None);
    assert!(output.status.success(), "{}{}", text(&output.stdout), text(&output.stderr));
    checkout
}

#[test]
fn the_host_job_packs_five_archives_with_their_sha256sums_and_release_notes() {
    let dir = tempfile::tempdir().unwrap();
    let checkout = hosted(dir.path());
    let sums = fs::read_to_string(checkout.join("dist/SHA256SUMS")).unwrap();
    let mut listed: Vec<&str> = sums.lines().map(|line| line.split("  ").nth(1).unwrap()).collect();
    listed.sort_unstable();
    let mut expected: Vec<String> = TARGETS.iter().map(|target| format!("perfbudget-{target}.tar.gz")).collect();
    expected.sort();
    assert_eq!(listed, expected);
    let check = Command::new("sha256sum")
        .args(["--check", "--strict", "SHA256SUMS"])
        .current_dir(checkout.join("dist"))
        .output()
        .unwrap();
    assert!(check.status.success(), "{}", text(&check.stdout));
    let windows = Command::new("tar")
        .arg("-tzf")
        .arg(checkout.join("dist/perfbudget-x86_64-pc-windows-msvc.tar.gz"))
        .output()
        .unwrap();
    assert_eq!(text(&windows.stdout), "perfbudget.exe\nREADME.md\n");

    let notes = run_step(
        &workflow_step("host", "release notes"),
        &checkout,
        &[("VERSION", VERSION), ("GITHUB_REPOSITORY", "perfbudget/perfbudget")],
        None,
    );
    assert!(notes.status.success(), "{}", text(&notes.stderr));
    let notes = fs::read_to_string(checkout.join("notes.md")).unwrap();
    let changelog = fs::read_to_string(repo().join("CHANGELOG.md")).unwrap();
    let unreleased = changelog.split("## [Unreleased]\n").nth(1).unwrap().split("\n## ").next().unwrap();
    assert!(notes.starts_with(unreleased.trim_end_matches('\n')), "{notes}");
    assert!(notes.ends_with(
        "\nVerify an archive: `sha256sum --check --ignore-missing SHA256SUMS` and\n`gh attestation verify perfbudget-TARGET.tar.gz --repo perfbudget/perfbudget`.\n"
    ), "{notes}");
}

fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .args(["-c", "user.name=test", "-c", "user.email=test@example.invalid", "-c", "init.defaultBranch=main"])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(output.status.success(), "git {args:?}: {}", text(&output.stderr));
    text(&output.stdout)
}

#[test]
fn the_record_job_commits_the_checksums_on_the_tag_moves_the_major_tag_and_opens_one_pull_request() {
    let dir = tempfile::tempdir().unwrap();
    let checkout = hosted(dir.path());
    // The repository as the tag push sees it: origin (a bare repository) with main and the tag,
    // main one commit ahead of the tag; the job's checkout is at the tag.
    fs::create_dir_all(checkout.join("action")).unwrap();
    fs::write(checkout.join("action/checksums.txt"), "").unwrap();
    fs::write(checkout.join("action/VERSION"), format!("{VERSION}\n")).unwrap();
    fs::write(checkout.join(".gitignore"), "/binaries/\n/dist/\n/notes.md\n").unwrap();
    git(&checkout, &["init", "-q"]);
    git(&checkout, &["add", "."]);
    git(&checkout, &["commit", "-q", "-m", "release"]);
    git(&checkout, &["tag", &format!("v{VERSION}")]);
    fs::write(checkout.join("later.txt"), "a commit after the tag\n").unwrap();
    git(&checkout, &["add", "later.txt"]);
    git(&checkout, &["commit", "-q", "-m", "later"]);
    let origin = dir.path().join("origin.git");
    git(dir.path(), &["clone", "-q", "--bare", checkout.to_str().unwrap(), origin.to_str().unwrap()]);
    git(&checkout, &["remote", "add", "origin", origin.to_str().unwrap()]);
    git(&checkout, &["fetch", "-q", "origin"]);
    git(&checkout, &["checkout", "-q", &format!("v{VERSION}")]);

    // gh: `pr view` finds no pull request, `pr create` is logged.
    let bin = dir.path().join("bin");
    fs::create_dir_all(&bin).unwrap();
    let log = dir.path().join("gh.log");
    fs::write(bin.join("gh"), format!("#!/bin/sh\necho \"$*\" >> '{}'\n[ \"$2\" != view ]\n", log.display())).unwrap();
    Command::new("chmod").arg("+x").arg(bin.join("gh")).status().unwrap();
    let envs = [("VERSION", VERSION), ("GITHUB_REPOSITORY", "perfbudget/perfbudget"), ("DEFAULT_BRANCH", "main")];

    let tag = run_step(
        &workflow_step("record", "commit the checksums on the tag and move the major tag"),
        &checkout,
        &envs,
        Some(&bin),
    );
    assert!(tag.status.success(), "{}{}", text(&tag.stdout), text(&tag.stderr));
    let major = format!("v{}", VERSION.split('.').next().unwrap());
    let recorded = git(&origin, &["show", &format!("{major}:action/checksums.txt")]);
    let sums = fs::read_to_string(checkout.join("dist/SHA256SUMS")).unwrap();
    assert_eq!(recorded.lines().count(), 5, "{recorded}");
    for line in sums.lines() {
        let (sha256, file) = line.split_once("  ").unwrap();
        let target = file.trim_start_matches("perfbudget-").trim_end_matches(".tar.gz");
        assert!(recorded.contains(&format!("{sha256} {VERSION} {target}\n")), "{recorded}");
    }
    // The major tag is the release tag plus that one commit.
    assert_eq!(
        git(&origin, &["rev-parse", &format!("{major}^")]),
        git(&origin, &["rev-parse", &format!("v{VERSION}^{{commit}}")])
    );
    assert!(
        text(&tag.stdout).contains(&format!("::notice::uses: perfbudget/perfbudget@{major} (commit ")),
        "{}",
        text(&tag.stdout)
    );

    let pr = run_step(&workflow_step("record", "pull request to main"), &checkout, &envs, Some(&bin));
    assert!(pr.status.success(), "{}{}", text(&pr.stdout), text(&pr.stderr));
    let branch = format!("release/checksums-{VERSION}");
    assert_eq!(git(&origin, &["show", &format!("{branch}:action/checksums.txt")]), recorded);
    // Based on main, not on the tag.
    assert_eq!(git(&origin, &["rev-parse", &format!("{branch}^")]), git(&origin, &["rev-parse", "main"]));
    let calls = fs::read_to_string(&log).unwrap();
    let calls: Vec<&str> = calls.lines().collect();
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert_eq!(calls[0], format!("pr view {branch} --json url"));
    assert!(
        calls[1].starts_with(&format!(
            "pr create --base main --head {branch} --title action: record the checksums of perfbudget {VERSION}"
        )),
        "{}",
        calls[1]
    );
}

#[test]
fn the_npm_job_builds_six_packages_from_the_archives_and_publishes_the_shim_last() {
    if Command::new("node").arg("--version").output().is_err() || Command::new("jq").arg("--version").output().is_err()
    {
        assert!(std::env::var_os("CI").is_none(), "CI is set but node or jq is missing");
        eprintln!("node or jq is not installed: the npm job's step is not tested here; CI tests it");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let checkout = hosted(dir.path());
    for file in [
        "npm/package.mjs",
        "npm/perfbudget/package.json",
        "npm/perfbudget/bin/perfbudget.js",
        "npm/perfbudget/README.md",
    ] {
        fs::create_dir_all(checkout.join(file).parent().unwrap()).unwrap();
        fs::copy(repo().join(file), checkout.join(file)).unwrap();
    }
    // npm: `view` finds nothing published, `publish` is logged.
    let bin = dir.path().join("bin");
    fs::create_dir_all(&bin).unwrap();
    let log = dir.path().join("npm.log");
    fs::write(bin.join("npm"), format!("#!/bin/sh\n[ \"$1\" = view ] && exit 1\necho \"$*\" >> '{}'\n", log.display()))
        .unwrap();
    Command::new("chmod").arg("+x").arg(bin.join("npm")).status().unwrap();
    let script = workflow_step("npm", "publish");

    let no_token = run_step(&script, &checkout, &[("VERSION", VERSION), ("NODE_AUTH_TOKEN", "")], Some(&bin));
    assert_eq!(no_token.status.code(), Some(1));
    assert_eq!(
        text(&no_token.stdout),
        format!("::error::the NPM_TOKEN secret is not set: the npm packages of {VERSION} are not published\n")
    );

    let published = run_step(&script, &checkout, &[("VERSION", VERSION), ("NODE_AUTH_TOKEN", "token")], Some(&bin));
    assert!(published.status.success(), "{}{}", text(&published.stdout), text(&published.stderr));
    let calls = fs::read_to_string(&log).unwrap();
    let folders: Vec<&str> =
        calls.lines().map(|call| call.strip_prefix("publish --provenance --access public npm-out/").unwrap()).collect();
    assert_eq!(
        folders,
        ["cli-darwin-arm64", "cli-darwin-x64", "cli-linux-arm64", "cli-linux-x64", "cli-win32-x64", "perfbudget"]
    );
    for folder in folders {
        let manifest: serde_json::Value = serde_json::from_str(
            &fs::read_to_string(checkout.join("npm-out").join(folder).join("package.json")).unwrap(),
        )
        .unwrap();
        assert_eq!(manifest["version"], VERSION, "{folder}");
    }
    assert!(checkout.join("npm-out/cli-win32-x64/perfbudget.exe").is_file());
    let linux = Command::new(checkout.join("npm-out/cli-linux-x64/perfbudget")).arg("--version").output().unwrap();
    assert_eq!(text(&linux.stdout), format!("perfbudget {VERSION}\n"));
}

#[test]
fn install_on_windows_unpacks_perfbudget_exe_from_the_windows_archive() {
    // The names only (this runs on Linux): the archive of x86_64-pc-windows-msvc holds
    // perfbudget.exe, here a stand-in script that answers --version as the binary does.
    let dir = tempfile::tempdir().unwrap();
    let stand_in = dir.path().join("stand-in");
    fs::write(&stand_in, format!("#!/bin/sh\necho perfbudget {VERSION}\n")).unwrap();
    let folder = dir.path().join(format!("release/v{VERSION}"));
    let target = "x86_64-pc-windows-msvc";
    let archive = Command::new("bash")
        .arg(repo().join("release/archive.sh"))
        .arg(target)
        .arg(&stand_in)
        .arg(&folder)
        .output()
        .unwrap();
    assert!(archive.status.success(), "{}", text(&archive.stderr));
    let sums =
        Command::new("sha256sum").arg(format!("perfbudget-{target}.tar.gz")).current_dir(&folder).output().unwrap();
    let sha256 = text(&sums.stdout).split(' ').next().unwrap().to_owned();
    let action = dir.path().join("action-copy");
    fs::create_dir_all(action.join("action")).unwrap();
    fs::copy(repo().join("action/install.sh"), action.join("action/install.sh")).unwrap();
    fs::write(action.join("action/checksums.txt"), format!("{sha256} {VERSION} {target}\n")).unwrap();
    let stub = serve(&dir.path().join("release"));
    let output = install(
        dir.path(),
        &action,
        &[("PERFBUDGET_DOWNLOAD_URL", &stub.url), ("INPUT_VERSION", VERSION), ("RUNNER_OS", "Windows")],
    );
    assert!(output.status.success(), "{}{}", text(&output.stdout), text(&output.stderr));
    assert_eq!(
        text(&output.stdout),
        format!("perfbudget {VERSION} ({target}) installed from the release, sha256 {sha256}\n")
    );
    assert!(dir.path().join("runner-temp/perfbudget-install/bin/perfbudget.exe").is_file());
    assert_eq!(*stub.requests.lock().unwrap(), [format!("GET /v{VERSION}/perfbudget-{target}.tar.gz HTTP/1.1")]);
}
