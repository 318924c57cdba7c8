//! The npm packages (npm/): `npm/package.mjs` builds the linux-x64 platform package from the
//! binary under test and the `perfbudget` shim package, `npm pack` packs both, and they are
//! installed offline into an empty project from the tarballs; then `npx perfbudget` runs the
//! demo from that clean folder. Without the platform package the shim names it and the npm
//! lockfile bug. Needs node and npm: without them the tests say so and stop, unless CI is set
//! (.ci/run installs them).
#![allow(clippy::unwrap_used, clippy::panic, clippy::print_stderr)] // test setup: a failure should stop the test; skips are said

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

mod common;

use common::{Run, repo};

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Whether node and npm are there; without them outside CI, a visible skip.
fn node_and_npm() -> bool {
    let found = |tool: &str| Command::new(tool).arg("--version").output().is_ok_and(|output| output.status.success());
    if found("node") && found("npm") {
        return true;
    }
    if std::env::var_os("CI").is_some() {
        panic!("CI is set but node or npm is not installed; .ci/run installs them");
    }
    eprintln!("node or npm is not installed: the npm packages are not tested here; CI tests them");
    false
}

/// npm with its cache, configuration and logs in `dir`, never reaching the registry.
fn npm_command(program: &str, dir: &Path, cwd: &Path) -> Command {
    let mut command = Command::new(program);
    common::hermetic(&mut command)
        .current_dir(cwd)
        .env("HOME", dir)
        .env("npm_config_cache", dir.join("npm-cache"))
        .env("npm_config_userconfig", dir.join("npmrc"))
        .env("npm_config_offline", "true")
        .env("npm_config_audit", "false")
        .env("npm_config_fund", "false")
        .env("npm_config_update_notifier", "false")
        .env_remove("PERFBUDGET_BINARY");
    command
}

/// The binary under test without its debug symbols (when `strip` is there): the same program,
/// a sixth of the size to copy, pack and unpack.
fn binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let stripped = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("npm-perfbudget");
        let strip = Command::new("strip").arg("-o").arg(&stripped).arg(env!("CARGO_BIN_EXE_perfbudget")).status();
        if strip.is_ok_and(|status| status.success()) { stripped } else { env!("CARGO_BIN_EXE_perfbudget").into() }
    })
}

fn run(command: &mut Command) -> Run {
    common::run(command)
}

fn package(dir: &Path, args: &[&str]) -> PathBuf {
    let out = dir.join("packages");
    let made = run(Command::new("node").arg(repo().join("npm/package.mjs")).args(args).arg("--out").arg(&out));
    assert_eq!(made.code, 0, "{}", made.stderr);
    PathBuf::from(made.stdout.trim_end())
}

/// `npm pack` of a package folder into `dir`; returns the tarball.
fn pack(dir: &Path, folder: &Path) -> PathBuf {
    let packed = run(npm_command("npm", dir, folder).args(["pack", "--silent", "--pack-destination"]).arg(dir));
    assert_eq!(packed.code, 0, "{}", packed.stderr);
    dir.join(packed.stdout.trim())
}

/// An empty project in `<dir>/project` with `tarballs` installed into it.
fn project(dir: &Path, tarballs: &[&Path]) -> PathBuf {
    let project = dir.join("project");
    fs::create_dir_all(&project).unwrap();
    fs::write(project.join("package.json"), r#"{"name": "shop", "version": "1.0.0", "private": true}"#).unwrap();
    let installed = run(npm_command("npm", dir, &project).args(["install", "--no-progress"]).args(tarballs));
    assert_eq!(installed.code, 0, "{}{}", installed.stdout, installed.stderr);
    project
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            fs::create_dir_all(&target).unwrap();
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
fn npx_runs_the_platform_binary_on_the_demo_from_a_clean_project() {
    if !node_and_npm() {
        return;
    }
    if !cfg!(all(target_os = "linux", target_arch = "x86_64")) {
        eprintln!("not linux-x64: the linux-x64 package is not installable here");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let platform = package(
        dir.path(),
        &[
            "platform",
            "--target",
            "x86_64-unknown-linux-musl",
            "--binary",
            binary().to_str().unwrap(),
            "--version",
            VERSION,
        ],
    );
    let shim = package(dir.path(), &["main", "--version", VERSION]);
    let platform = pack(dir.path(), &platform);
    let shim = pack(dir.path(), &shim);
    assert_eq!(platform.file_name().unwrap(), format!("perfbudget-cli-linux-x64-{VERSION}.tgz").as_str());
    assert_eq!(shim.file_name().unwrap(), format!("perfbudget-{VERSION}.tgz").as_str());
    let project = project(dir.path(), &[&shim, &platform]);
    assert!(project.join("node_modules/@perfbudget/cli-linux-x64/perfbudget").is_file());
    // The other platforms' optional packages are left out, not fetched.
    let scoped: Vec<String> = fs::read_dir(project.join("node_modules/@perfbudget"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(scoped, ["cli-linux-x64"]);

    let version = run(npm_command("npx", dir.path(), &project).args(["perfbudget", "--version"]));
    assert_eq!(
        (version.code, version.stdout.as_str(), version.stderr.as_str()),
        (0, format!("perfbudget {VERSION}\n").as_str(), "")
    );

    // The demo, copied into the project: the same table and exit code as the binary run directly.
    copy_tree(&repo().join("budgets"), &project.join("budgets"));
    copy_tree(&repo().join("samples"), &project.join("samples"));
    let npx =
        run(npm_command("npx", dir.path(), &project).args(["perfbudget", "check", "--budget", "budgets/demo.yml"]));
    let direct = common::perfbudget(&project, &["check", "--budget", "budgets/demo.yml"]);
    assert_eq!(npx.code, 1, "{}", npx.stderr);
    assert!(npx.stdout.ends_with("perfbudget: red — 3 red, 3 yellow, 3 green\n"), "{}", npx.stdout);
    assert_eq!((npx.stdout, npx.stderr), (direct.stdout, direct.stderr));
}

#[test]
fn without_its_platform_package_the_shim_names_it_and_the_npm_bug() {
    if !node_and_npm() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let shim = package(dir.path(), &["main", "--version", VERSION]);
    let shim = pack(dir.path(), &shim);
    let project = project(dir.path(), &[&shim]);
    let platform = match (std::env::consts::OS, std::env::consts::ARCH) {
        ("macos", "aarch64") => "darwin-arm64",
        ("macos", _) => "darwin-x64",
        ("linux", "aarch64") => "linux-arm64",
        ("windows", _) => "win32-x64",
        _ => "linux-x64",
    };
    let missing = run(npm_command("npx", dir.path(), &project).args(["perfbudget", "--version"]));
    assert_eq!(missing.code, 2);
    assert_eq!(missing.stdout, "");
    assert_eq!(
        missing.stderr,
        format!(
            "perfbudget: the package @perfbudget/cli-{platform}, which holds the binary for {platform}, is not installed. npm leaves out the optional dependency of this platform when the lockfile was made on another one (npm bug https://github.com/npm/cli/issues/4828), and so do --omit=optional and --no-optional. Delete package-lock.json and node_modules and run npm install again, or add @perfbudget/cli-{platform} to your dependencies, or set PERFBUDGET_BINARY to a perfbudget binary.\n"
        )
    );

    // PERFBUDGET_BINARY runs the binary it names instead.
    let binary = env!("CARGO_BIN_EXE_perfbudget");
    let overridden = run(npm_command("npx", dir.path(), &project)
        .args(["perfbudget", "--version"])
        .env("PERFBUDGET_BINARY", binary));
    assert_eq!((overridden.code, overridden.stdout), (0, format!("perfbudget {VERSION}\n")));
    let absent = dir.path().join("no-such-binary");
    let broken = run(npm_command("npx", dir.path(), &project)
        .args(["perfbudget", "--version"])
        .env("PERFBUDGET_BINARY", &absent));
    assert_eq!(broken.code, 2);
    assert_eq!(
        broken.stderr,
        format!("perfbudget: could not run {0} (PERFBUDGET_BINARY): spawnSync {0} ENOENT\n", absent.display())
    );
}

#[test]
fn the_shim_the_builder_and_the_optional_dependencies_name_the_same_five_packages() {
    if !node_and_npm() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(repo().join("npm/perfbudget/package.json")).unwrap()).unwrap();
    assert_eq!(manifest["version"], VERSION, "npm/perfbudget/package.json has another version than Cargo.toml");
    let optional = manifest["optionalDependencies"].as_object().unwrap();
    let shim = fs::read_to_string(repo().join("npm/perfbudget/bin/perfbudget.js")).unwrap();
    let targets = [
        ("x86_64-unknown-linux-musl", "linux", "x64", "perfbudget"),
        ("aarch64-unknown-linux-musl", "linux", "arm64", "perfbudget"),
        ("x86_64-apple-darwin", "darwin", "x64", "perfbudget"),
        ("aarch64-apple-darwin", "darwin", "arm64", "perfbudget"),
        ("x86_64-pc-windows-msvc", "win32", "x64", "perfbudget.exe"),
    ];
    let mut names = Vec::new();
    for (target, os, cpu, file) in targets {
        let folder = package(
            dir.path(),
            &["platform", "--target", target, "--binary", binary().to_str().unwrap(), "--version", "1.2.3"],
        );
        let built: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(folder.join("package.json")).unwrap()).unwrap();
        let name = format!("@perfbudget/cli-{os}-{cpu}");
        assert_eq!(built["name"], name.as_str());
        assert_eq!(built["version"], "1.2.3");
        assert_eq!(built["os"], serde_json::json!([os]));
        assert_eq!(built["cpu"], serde_json::json!([cpu]));
        assert_eq!(built["files"], serde_json::json!([file]));
        assert!(built.get("scripts").is_none(), "no install scripts");
        assert!(folder.join(file).is_file());
        assert_eq!(optional[&name], VERSION);
        assert!(shim.contains(&format!("\"{os}-{cpu}\": \"{name}\",")), "the shim does not map {os}-{cpu} to {name}");
        names.push(name);
    }
    let mut listed: Vec<&String> = optional.keys().collect();
    listed.sort();
    names.sort();
    assert_eq!(listed, names.iter().collect::<Vec<_>>());
    assert!(manifest.get("scripts").is_none(), "no install scripts");

    let main = package(dir.path(), &["main", "--version", "1.2.3"]);
    let built: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(main.join("package.json")).unwrap()).unwrap();
    assert_eq!(built["version"], "1.2.3");
    assert!(built["optionalDependencies"].as_object().unwrap().values().all(|version| version == "1.2.3"));

    let refused = run(Command::new("node")
        .arg(repo().join("npm/package.mjs"))
        .args(["main", "--version", "1.2", "--out"])
        .arg(dir.path()));
    assert_eq!(refused.code, 2);
    assert!(
        refused.stderr.starts_with("npm/package.mjs: --version \"1.2\" is not a version like 1.2.3\n"),
        "{}",
        refused.stderr
    );
}
