//! `perfbudget tighten` through the binary: the file rewritten in place with its comments,
//! `--check`, and the files it refuses to touch (exit 2, the file as it was).
#![allow(clippy::unwrap_used)] // test setup: a failure should stop the test

mod common;

use std::fs;
use std::path::Path;

use common::perfbudget;

const MEASURED: &str = r#"[
  {"source":"k6","metric":"http_req_duration","stat":"p(95)","subject":{"name":"GET /api/users"},"value":92,"unit":"ms"},
  {"source":"k6","metric":"http_req_duration","stat":"p(95)","subject":{"name":"GET /api/search"},"value":71,"unit":"ms"},
  {"source":"lighthouse","metric":"lcp","subject":{"url":"https://shop.example/"},"value":1900,"unit":"ms"}
]"#;

const BUDGET: &str = "# The shop's budget: tightened after the caching work.\nversion: 1\ninputs: [measured.json]\n\
limits:\n  lcp: 2.5s        # Core Web Vitals\n  api_p95: \"300 ms\" # every endpoint\n";

fn folder(budget: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("measured.json"), MEASURED).unwrap();
    fs::write(dir.path().join("perfbudget.yml"), budget).unwrap();
    dir
}

fn budget_text(dir: &Path) -> String {
    fs::read_to_string(dir.join("perfbudget.yml")).unwrap()
}

#[test]
fn the_file_is_rewritten_in_place_keeping_its_comments_and_units() {
    let dir = folder(BUDGET);
    let check = perfbudget(dir.path(), &["tighten", "--check"]);
    assert_eq!(check.code, 1, "{}", check.stderr);
    assert_eq!(budget_text(dir.path()), BUDGET, "--check writes nothing");
    let run = perfbudget(dir.path(), &["tighten"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        run.stdout,
        "lcp (limits.lcp, line 5): 2.5 s → 2.1 s (today's worst 1.9 s + 10%)\n\
         api_p95 (limits.api_p95, line 6): 300 ms → 110 ms (today's worst 92 ms + 10%)\n\
         --- perfbudget.yml\n+++ perfbudget.yml\n\
         @@ -5 +5 @@\n-  lcp: 2.5s        # Core Web Vitals\n+  lcp: 2.1s        # Core Web Vitals\n\
         @@ -6 +6 @@\n-  api_p95: \"300 ms\" # every endpoint\n+  api_p95: \"110 ms\" # every endpoint\n\
         perfbudget: tightened 2 limits in perfbudget.yml\n"
    );
    assert_eq!(budget_text(dir.path()), BUDGET.replace("2.5s", "2.1s").replace("300 ms", "110 ms"));
    // Nothing is left beside it, and a second run finds nothing to do.
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 2);
    let again = perfbudget(dir.path(), &["tighten", "--check"]);
    assert_eq!((again.code, again.stdout.as_str()), (0, "perfbudget: nothing to tighten in perfbudget.yml\n"));
    // The tightened budget passes today's run.
    assert_eq!(perfbudget(dir.path(), &["check", "--quiet"]).code, 0);
}

#[test]
fn the_margin_sets_the_room_kept() {
    let dir = folder(BUDGET);
    let run = perfbudget(dir.path(), &["tighten", "--margin", "50%"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    // 1.9 s + 50% = 2.85 s: the 2.5 s limit is not looser; 92 ms + 50% = 138 ms -> 140 ms.
    assert!(budget_text(dir.path()).contains("lcp: 2.5s") && budget_text(dir.path()).contains("\"140 ms\""));
    let bad = perfbudget(dir.path(), &["tighten", "--margin", "150%"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("`150%` is over 100%"), "{}", bad.stderr);
}

#[test]
fn files_it_cannot_rewrite_faithfully_are_left_alone_with_exit_2() {
    let anchored = "version: 1\ninputs: [measured.json]\nlimits:\n  lcp: &slow 2.5s\n  fcp: *slow\n  api_p95: 300ms\n";
    let dir = folder(anchored);
    let run = perfbudget(dir.path(), &["tighten"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        run.stderr,
        "error: perfbudget.yml:4: `limits.lcp` (lcp) cannot be rewritten in place: it carries an anchor (`&name`): \
         other values may repeat it; the file is left as it is\n"
    );
    assert_eq!(budget_text(dir.path()), anchored);
    // A budget that does not load names its line, as `check` does.
    let dir = folder("version: 1\nlimits:\n  lcp: 2.5\n");
    let run = perfbudget(dir.path(), &["tighten"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.starts_with("error: perfbudget.yml:3:8: "), "{}", run.stderr);
}

#[cfg(unix)]
#[test]
fn read_only_files_and_links_are_refused() {
    use std::os::unix::fs::PermissionsExt;
    let dir = folder(BUDGET);
    let path = dir.path().join("perfbudget.yml");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o444)).unwrap();
    let run = perfbudget(dir.path(), &["tighten"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        run.stderr,
        "error: perfbudget.yml: the file is read-only; tighten rewrites it in place (`--check` only reports, and \
         writes nothing)\n"
    );
    // --check writes nothing, so it reads a read-only file.
    assert_eq!(perfbudget(dir.path(), &["tighten", "--check"]).code, 1);
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();

    std::os::unix::fs::symlink("perfbudget.yml", dir.path().join("link.yml")).unwrap();
    let run = perfbudget(dir.path(), &["tighten", "--budget", "link.yml"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        run.stderr,
        "error: link.yml: is a symbolic link (to perfbudget.yml); tighten replaces the file it rewrites, which would \
         replace the link: give the file it points to\n"
    );
    assert_eq!(budget_text(dir.path()), BUDGET);
}

#[cfg(unix)]
#[test]
fn the_file_keeps_its_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = folder(BUDGET);
    let path = dir.path().join("perfbudget.yml");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
    assert_eq!(perfbudget(dir.path(), &["tighten"]).code, 0);
    assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o640);
}

#[test]
fn a_json_budget_keeps_its_layout() {
    let json = "{\n  \"inputs\": [\"measured.json\"],\n  \"version\": 1,\n  \"limits\": {\n    \"lcp\": \"2.5s\",\n    \
                \"api_p95\": \"100ms\"\n  }\n}\n";
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("measured.json"), MEASURED).unwrap();
    fs::write(dir.path().join("perfbudget.json"), json).unwrap();
    let run = perfbudget(dir.path(), &["tighten"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(fs::read_to_string(dir.path().join("perfbudget.json")).unwrap(), json.replace("2.5s", "2.1s"));
}

#[test]
fn a_budget_without_inputs_names_the_command() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("perfbudget.json"), r#"{"budgets": {"lcp": "2.5s"}}"#).unwrap();
    let run = perfbudget(dir.path(), &["tighten"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "error: perfbudget.json: no inputs to check: list them under `inputs:` in the budget or give them after \
         `perfbudget tighten`\n"
    );
}

/// Every budget file of the repository, each check measured at a third and at a half of its
/// limit: a plan whose text reads back with the same checks, or a refusal, never a panic.
#[test]
fn every_budget_of_the_repository_is_planned_or_refused() {
    use perfbudget::budget::{self, tighten};
    let mut files: Vec<std::path::PathBuf> = Vec::new();
    for folder in ["budgets", "budgets/presets", "tests/cmd/budgets", "examples"] {
        let Ok(entries) = fs::read_dir(common::repo().join(folder)) else { continue };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|ext| ext == "yml" || ext == "yaml" || ext == "json") {
                files.push(path);
            }
        }
    }
    assert!(files.len() >= 8, "{files:?}");
    let mut planned = 0;
    for path in &files {
        let text = fs::read_to_string(path).unwrap();
        let Ok(loaded) = budget::parse_str(&text, "b.yml", Path::new("")) else { continue };
        for share in [0.33, 0.5] {
            let rows: Vec<_> = loaded
                .checks
                .iter()
                .filter_map(|check| {
                    let mut row = serde_json::from_value::<perfbudget::model::CheckResult>(serde_json::json!({
                        "budget": check.label, "metric": "", "source_metric": "", "subject": {},
                        "verdict": "green", "message": "", "unit": "number",
                    }))
                    .unwrap();
                    row.value = Some(check.limit?.value() * share);
                    Some(row)
                })
                .collect();
            match tighten::plan(&text, &loaded, loaded.checks.len(), &rows, 0.1, Path::new("")) {
                Ok(plan) => {
                    let again = budget::parse_str(&plan.text, "b.yml", Path::new("")).unwrap();
                    assert_eq!(again.checks.len(), loaded.checks.len(), "{}", path.display());
                    planned += usize::from(!plan.changes.is_empty());
                }
                Err(error) => assert!(error.to_string().contains("b.yml"), "{}: {error}", path.display()),
            }
        }
    }
    assert!(planned > 0);
}
