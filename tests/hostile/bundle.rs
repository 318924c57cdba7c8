//! Built files and build manifests as a fork's pull request or an unlucky build leaves
//! them: names that collide once their hashes are gone, a size cache that lies or never
//! answers, manifests that point outside the build, and manifests large enough to show
//! quadratic work.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{perfbudget, refused};

/// Writes `bytes` bytes of JavaScript-looking text to `dir/name`, creating its folders.
fn built(dir: &Path, name: &str, bytes: usize) {
    let path = dir.join(name);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let line = format!("export const {} = \"{name}\";\n", name.replace(['/', '-', '.'], "_"));
    fs::write(path, &line.repeat(bytes / line.len() + 1).as_bytes()[..bytes]).unwrap();
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

fn checks(report: &Value) -> &Vec<Value> {
    report["checks"].as_array().unwrap()
}

/// Item 5: Rollup and Vite name two `index.ts` modules `index-HASH.js` twice. Without
/// their hashes the two chunks share a name; they are compared as one file under it, so
/// a chunk that quadrupled is a regression, not a green "new" file beside a green
/// "removed" one.
#[test]
fn chunks_sharing_a_name_without_their_hashes_are_summed_and_compared_under_it() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    fs::write(
        dir.join("perfbudget.yml"),
        "version: 1\nbudgets:\n  \
         - { name: app, metric: bundle_size, files: [\"dist/**/*.js\"], compression: none, max: 1 MB }\n  \
         - { name: chunks, metric: bundle_size, files: [\"dist/**/*.js\"], each: true, compression: none, regression: 10% }\n",
    )
    .unwrap();
    built(dir, "dist/assets/index-1a2b3c4d.js", 10_000);
    built(dir, "dist/assets/vendor-0f1e2d3c.js", 5_000);
    let run = perfbudget(dir, &["check", "--no-cache", "--json", "base.json"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);

    // The next build splits index.ts in two: one chunk of 40 kB (+300%) and one of 1 kB.
    fs::remove_file(dir.join("dist/assets/index-1a2b3c4d.js")).unwrap();
    built(dir, "dist/assets/index-5e6f7a8b.js", 40_000);
    built(dir, "dist/assets/index-9c8d7e6f.js", 1_000);
    let run =
        perfbudget(dir, &["check", "--no-cache", "--baseline", "base.json", "--json", "r.json", "--markdown", "c.md"]);
    assert_eq!(run.code, 1, "the chunk grew by 310%: {}{}", run.stdout, run.stderr);
    let report = json(&dir.join("r.json"));

    let rows: Vec<&Value> = checks(&report).iter().filter(|c| c["budget"] == "chunks").collect();
    let index: Vec<&&Value> = rows.iter().filter(|c| c["subject"]["file"] == "dist/assets/index.js").collect();
    assert_eq!(index.len(), 1, "one row for both chunks: {rows:#?}");
    assert_eq!(index[0]["verdict"], "red", "{:#?}", index[0]);
    assert_eq!((index[0]["value"].as_f64(), index[0]["baseline"].as_f64()), (Some(41_000.0), Some(10_000.0)));
    let message = index[0]["message"].as_str().unwrap();
    assert!(message.contains("is 310% worse than the baseline 10 kB"), "{message}");
    assert!(message.ends_with("; 2 files that share this name without their hashes, summed"), "{message}");
    assert!(!rows.iter().any(|c| c["message"].as_str().unwrap().contains("removed")), "{rows:#?}");
    assert!(!rows.iter().any(|c| c["message"].as_str().unwrap().contains("a new file")), "{rows:#?}");
    assert!(run.stdout.contains("dist/assets/index.js"), "{}", run.stdout);

    // The summed entry lists the two chunks as one file against the baseline's.
    let app = checks(&report).iter().find(|c| c["budget"] == "app").unwrap();
    assert!(app["message"].as_str().unwrap().ends_with("(3 files)"), "{}", app["message"]);
    let files = app["files"].as_array().unwrap();
    assert_eq!(files.len(), 2, "{files:#?}");
    let file = files.iter().find(|f| f["name"] == "dist/assets/index.js").unwrap();
    assert_eq!((file["value"].as_f64(), file["baseline"].as_f64()), (Some(41_000.0), Some(10_000.0)));
    assert_eq!(file["built"], serde_json::json!(["dist/assets/index-5e6f7a8b.js", "dist/assets/index-9c8d7e6f.js"]));
    let comment = fs::read_to_string(dir.join("c.md")).unwrap();
    assert!(comment.contains("| `dist/assets/index.js` | 41 kB | 10 kB | +31 kB (+310%) |"), "{comment}");
}

/// Item 5: `a-1a2b3c4d-9f8e7d6c.js` without its last hash is `a-1a2b3c4d.js`, the built
/// name of another file. Every file still counts once, in the sum, in the list of files
/// and in the row's message.
#[test]
fn a_stripped_name_equal_to_another_files_built_name_hides_neither() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    fs::write(
        dir.join("perfbudget.yml"),
        "version: 1\nbudgets:\n  \
         - { name: all, metric: bundle_size, files: [\"dist/*.js\"], compression: none, max: 1 MB }\n  \
         - { name: each, metric: bundle_size, files: [\"dist/*.js\"], each: true, compression: none, max: 1 MB }\n",
    )
    .unwrap();
    built(dir, "dist/a-1a2b3c4d.js", 100);
    built(dir, "dist/a-5e6f7a8b.js", 200);
    built(dir, "dist/a-1a2b3c4d-9f8e7d6c.js", 400);
    let run = perfbudget(dir, &["check", "--no-cache", "--json", "r.json"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let report = json(&dir.join("r.json"));
    let all = &checks(&report)[0];
    assert_eq!(all["value"].as_f64(), Some(700.0));
    assert!(all["message"].as_str().unwrap().ends_with("(3 files)"), "{}", all["message"]);
    let files: Vec<(&str, f64)> = all["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["name"].as_str().unwrap(), f["value"].as_f64().unwrap()))
        .collect();
    assert_eq!(files, [("dist/a-1a2b3c4d.js", 400.0), ("dist/a.js", 300.0)]);
    let each: Vec<(&str, f64)> = checks(&report)[1..]
        .iter()
        .map(|c| (c["subject"]["file"].as_str().unwrap(), c["value"].as_f64().unwrap()))
        .collect();
    assert_eq!(each, [("dist/a-1a2b3c4d.js", 400.0), ("dist/a.js", 300.0)]);
}

/// Runs `perfbudget ARGS` in `dir` and gives up after `limit`: a run that hangs fails the
/// test instead of hanging it.
fn perfbudget_within(dir: &Path, args: &[&str], limit: Duration) -> (i32, String) {
    let mut child =
        super::common::command(dir).args(args).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut stdout = String::new();
            std::io::Read::read_to_string(child.stdout.as_mut().unwrap(), &mut stdout).unwrap();
            return (status.code().unwrap(), stdout);
        }
        let hangs = started.elapsed() > limit;
        if hangs {
            child.kill().unwrap();
            child.wait().unwrap();
        }
        assert!(!hangs, "perfbudget {args:?} still ran after {limit:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The cache's entries (one per compression of the one built file).
fn cache_entries(cache: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = walkdir::WalkDir::new(cache)
        .into_iter()
        .map(Result::unwrap)
        .filter(|entry| !entry.file_type().is_dir())
        .map(walkdir::DirEntry::into_path)
        .collect();
    entries.sort();
    entries
}

/// A way to spoil a cache entry, and its name.
type Damage<'a> = (&'a str, &'a dyn Fn(&Path));

/// Item 8: an entry holding `0` (or any size a compressor cannot produce), a FIFO that
/// would block a read for ever, a link to `/dev/zero` that would fill memory, and an
/// endless entry are all misses: the file is compressed again and the entry rewritten.
#[cfg(unix)]
#[test]
fn a_size_cache_entry_that_cannot_be_right_is_a_miss() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    built(dir, "dist/app.js", 43_000);
    let args = ["measure", "--format", "json", "--cache-dir", "cache", "dist"];
    let limit = Duration::from_secs(60);
    let (code, truth) = perfbudget_within(dir, &args, limit);
    assert_eq!(code, 0);
    let entries = cache_entries(&dir.join("cache"));
    assert_eq!(entries.len(), 2, "gzip and brotli: {entries:?}");
    let written: Vec<Vec<u8>> = entries.iter().map(|entry| fs::read(entry).unwrap()).collect();
    let sizes: Vec<f64> = serde_json::from_str::<Value>(&truth).unwrap().as_array().unwrap()[1..]
        .iter()
        .map(|m| m["value"].as_f64().unwrap())
        .collect();
    assert!(sizes.iter().all(|size| *size > 18.0 && *size < 43_000.0), "{sizes:?}");

    let damages: [Damage<'_>; 8] = [
        ("zero", &|entry| fs::write(entry, "0\n").unwrap()),
        ("a gzip member shorter than its header and trailer", &|entry| {
            let gzip = entry.to_string_lossy().contains(".gzip-");
            fs::write(entry, if gzip { "19\n" } else { "0\n" }).unwrap();
        }),
        ("more than 1032:1 for gzip", &|entry| {
            let gzip = entry.to_string_lossy().contains(".gzip-");
            fs::write(entry, if gzip { "58\n" } else { "0\n" }).unwrap();
        }),
        ("above the raw size", &|entry| fs::write(entry, "43100\n").unwrap()),
        ("endless", &|entry| fs::write(entry, "1".repeat(10_000_000)).unwrap()),
        ("a FIFO", &|entry| {
            fs::remove_file(entry).unwrap();
            let status = Command::new("mkfifo").arg(entry).status().unwrap();
            assert!(status.success());
        }),
        ("a link to /dev/zero", &|entry| {
            fs::remove_file(entry).unwrap();
            std::os::unix::fs::symlink("/dev/zero", entry).unwrap();
        }),
        ("a folder", &|entry| {
            fs::remove_file(entry).unwrap();
            fs::create_dir(entry).unwrap();
        }),
    ];
    for (what, damage) in damages {
        for entry in &entries {
            damage(entry);
        }
        let (code, output) = perfbudget_within(dir, &args, limit);
        assert_eq!(code, 0, "{what}");
        assert_eq!(output, truth, "{what}: the sizes are measured again");
        if what != "a folder" {
            let rewritten: Vec<Vec<u8>> = entries.iter().map(|entry| fs::read(entry).unwrap()).collect();
            assert_eq!(rewritten, written, "{what}: the entry is overwritten with the right size");
        }
    }
}

/// Item 18: a manifest names files below its build folder only. webpack's `outputPath`
/// is that folder for files that are not beside the stats file, and may not lead
/// outside the stats file's folder; a name with `..`, a root, or a Windows drive or UNC
/// prefix is refused on every system.
#[cfg(unix)]
#[test]
fn manifest_paths_outside_the_build_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let budget = |manifest: &str, entry: &str| {
        fs::write(
            dir.join("perfbudget.yml"),
            format!(
                "version: 1\nbudgets:\n  - {{ metric: bundle_size, manifest: {manifest}, entry: {entry}, compression: none, max: 1 GB }}\n"
            ),
        )
        .unwrap();
    };
    fs::create_dir_all(dir.join("build")).unwrap();
    budget("build/stats.json", "main");
    for output_path in ["/etc", "..", "../../../../../../../../etc"] {
        let stats =
            serde_json::json!({"outputPath": output_path, "entrypoints": {"main": {"assets": [{"name": "passwd"}]}}});
        fs::write(dir.join("build/stats.json"), stats.to_string()).unwrap();
        let stderr = refused(dir, &["check", "--no-cache"], "build/stats.json", &["outputPath `"]);
        assert!(
            stderr.contains(&format!("outputPath `{output_path}` is outside the stats file's folder")),
            "{output_path}: {stderr}"
        );
    }
    // Inside the stats file's folder, outputPath is where the files are.
    built(dir, "build/dist/main-1a2b3c4d.js", 123);
    let inside = dir.join("build/dist").display().to_string();
    let stats = serde_json::json!({"outputPath": inside, "entrypoints": {"main": {"assets": ["main-1a2b3c4d.js"]}}});
    fs::write(dir.join("build/stats.json"), stats.to_string()).unwrap();
    let run = perfbudget(dir, &["check", "--no-cache", "--json", "r.json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(checks(&json(&dir.join("r.json")))[0]["value"].as_f64(), Some(123.0));

    budget("dist/.vite/manifest.json", "src/main.ts");
    fs::create_dir_all(dir.join("dist/.vite")).unwrap();
    for file in
        ["C:\\Windows\\win.ini", "c:/Windows/win.ini", "\\\\server\\share\\x.js", "..\\..\\etc\\passwd", "/etc/passwd"]
    {
        let manifest = serde_json::json!({"src/main.ts": {"file": file, "isEntry": true}});
        fs::write(dir.join("dist/.vite/manifest.json"), manifest.to_string()).unwrap();
        let stderr =
            refused(dir, &["check", "--no-cache"], "dist/.vite/manifest.json", &["which is outside its build folder"]);
        assert!(stderr.contains(&format!("names `{file}`, which is outside its build folder")), "{file}: {stderr}");
    }

    budget("meta.json", "src/main.ts");
    let meta = serde_json::json!({"inputs": {}, "outputs": {
        "out/main.js": {"entryPoint": "src/main.ts", "imports": [{"path": "D:\\x.js", "kind": "import-statement"}]},
        "D:\\x.js": {}
    }});
    fs::write(dir.join("meta.json"), meta.to_string()).unwrap();
    let stderr =
        refused(dir, &["check", "--no-cache"], "meta.json", &[r#"names `D:\x.js`, which is outside its build folder"#]);
    assert!(stderr.contains("names `D:\\x.js`, which is outside its build folder"), "{stderr}");
}

/// Item 12: an entry of 80,000 files, each listed twice, is de-duplicated in linear time.
/// (The files are not on disk: the run ends at the first one, after the list is read.)
#[test]
fn an_entry_of_80000_files_is_read_in_linear_time() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let names: Vec<Value> = (0..80_000).map(|i| Value::from(format!("chunk-{i}.js"))).collect();
    let twice: Vec<&Value> = names.iter().chain(&names).collect();
    let stats = serde_json::json!({"entrypoints": {"main": {"assets": twice}}});
    fs::write(dir.join("stats.json"), stats.to_string()).unwrap();
    fs::write(
        dir.join("perfbudget.yml"),
        "version: 1\nbudgets:\n  - { metric: bundle_size, manifest: stats.json, entry: main, max: 1 MB }\n",
    )
    .unwrap();
    let started = Instant::now();
    let stderr = refused(
        dir,
        &["check", "--no-cache"],
        "stats.json",
        &["entry `main` names chunk-0.js, which is not in : is the build"],
    );
    assert!(stderr.contains("entry `main` names chunk-0.js, which is not in"), "{stderr}");
    eprintln!("80,000 files listed twice: {:?}", started.elapsed());
}

/// Item 12: an entry's files are matched by name, not each against every file's glob
/// (20,000 files took 5 minutes in a debug build).
#[test]
fn an_entry_of_20000_built_files_is_measured_in_linear_time() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    fs::create_dir(dir.join("dist")).unwrap();
    let names: Vec<Value> = (0..20_000).map(|i| Value::from(format!("chunk-{i}.js"))).collect();
    for i in 0..20_000 {
        fs::write(dir.join("dist").join(format!("chunk-{i}.js")), "x").unwrap();
    }
    let stats = serde_json::json!({"outputPath": "/nowhere", "entrypoints": {"main": {"assets": names}}});
    fs::write(dir.join("dist/stats.json"), stats.to_string()).unwrap();
    fs::write(
        dir.join("perfbudget.yml"),
        "version: 1\nbudgets:\n  - { metric: bundle_size, manifest: dist/stats.json, entry: main, compression: none, max: 1 MB }\n",
    )
    .unwrap();
    let started = Instant::now();
    let run = perfbudget(dir, &["check", "--no-cache"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("Bundle size (raw) 20 kB is 98% under the 1 MB limit (20000 files)"), "{}", run.stdout);
    eprintln!("20,000 files of one entry: {:?}", started.elapsed());
}
