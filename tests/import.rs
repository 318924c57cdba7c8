//! `perfbudget import` against the peer tools themselves: each config of
//! tests/fixtures/import/ (real configs from the tools' docs, see its README) is imported
//! with the binary, the budget is checked on the same inputs the tool judged, and every
//! assertion the tool reported must have the same pass/fail as perfbudget's row.
//! The tools' outputs were recorded (commands and versions in the README), so no npm here.

mod common;

use std::path::{Path, PathBuf};

use common::{perfbudget, repo};
use serde_json::Value;

fn fixtures() -> PathBuf {
    repo().join("tests/fixtures/import")
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("readable")).expect("JSON")
}

/// Imports `config` into a fresh folder, checks `inputs` with it, and returns the exit
/// code of the import and the report's checks.
fn import_and_check(config: &Path, inputs: &[&Path]) -> (i32, Vec<Value>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let budget = dir.path().join("perfbudget.yml");
    let (config_arg, budget_arg) = (config.display().to_string(), budget.display().to_string());
    let imported = perfbudget(&repo(), &["import", &config_arg, "--output", &budget_arg]);
    assert!(imported.code == 0 || imported.code == 1, "{}{}", imported.stdout, imported.stderr);
    let report = dir.path().join("report.json");
    let report_arg = report.display().to_string();
    let mut args = vec!["check", "--budget", &budget_arg, "--json", &report_arg, "--verbose", "--no-cache"];
    let inputs: Vec<String> = inputs.iter().map(|input| input.display().to_string()).collect();
    args.extend(inputs.iter().map(String::as_str));
    let checked = perfbudget(&repo(), &args);
    assert!(checked.code == 0 || checked.code == 1, "{}{}", checked.stdout, checked.stderr);
    let report = json(&report);
    (imported.code, report["checks"].as_array().expect("checks").clone())
}

fn lighthouseci() -> PathBuf {
    repo().join("tests/fixtures/lighthouse/generated/lhci/.lighthouseci")
}

/// The assertion key a row of an imported Lighthouse CI budget came from: its name, without
/// the pattern or path that follows.
fn assertion_key(row: &Value) -> (String, Option<String>) {
    let name = row["budget"].as_str().expect("name");
    let key = name.split(' ').next().unwrap_or(name);
    let mut parts = key.split(':');
    let audit = parts.next().unwrap_or_default().to_owned();
    let property: Vec<&str> = parts.collect();
    (audit, if property.is_empty() { None } else { Some(property.join(".")) })
}

/// Compares every row with Lighthouse CI's result for the same audit, page and limit; rows
/// Lighthouse CI did not list passed there (it lists failures only, unless
/// `includePassedAssertions`). Returns (compared, listed by Lighthouse CI).
fn compare_with_lhci(rows: &[Value], results: &[Value], all_listed: bool) -> (usize, usize) {
    let mut compared = 0;
    let mut listed = 0;
    for row in rows {
        let (audit, property) = assertion_key(row);
        let url = row["subject"]["url"].as_str().expect("a page");
        let limit = row["limit"]["max"].as_f64().or_else(|| row["limit"]["min"].as_f64()).expect("a limit");
        let ours_passed = row["verdict"] != "red";
        let theirs: Vec<&Value> = results
            .iter()
            .filter(|result| {
                result["auditId"] == audit.as_str()
                    && result["auditProperty"].as_str() == property.as_deref()
                    && result["url"] == url
                    && result["name"] != "auditRan"
            })
            .collect();
        // Two budgets of one budget.json on a page: told apart by their limit.
        let theirs = theirs
            .iter()
            .find(|result| {
                let expected = result["expected"].as_f64().expect("expected");
                let scale = if audit == "categories" { 100.0 } else { 1.0 };
                result["name"] == "minScore" || (expected * scale - limit).abs() < 1e-9
            })
            .copied();
        let theirs_passed = match theirs {
            Some(result) => {
                listed += 1;
                result["passed"].as_bool().expect("passed")
            }
            None => {
                assert!(!all_listed, "Lighthouse CI lists no result for {audit} {property:?} on {url}");
                true
            }
        };
        // What Lighthouse CI fails at level warn is yellow here: not red, as it does not fail the build.
        let level_warn = theirs.is_some_and(|result| result["level"] == "warn");
        let ours = if level_warn { row["verdict"] != "yellow" && row["verdict"] != "red" } else { ours_passed };
        let theirs_verdict = theirs_passed;
        assert_eq!(
            ours, theirs_verdict,
            "{audit} {property:?} on {url}: perfbudget {} ({})",
            row["verdict"], row["message"]
        );
        compared += 1;
    }
    (compared, listed)
}

#[test]
fn imported_lighthouse_ci_configs_pass_and_fail_as_lhci_assert_did() {
    let generated = repo().join("tests/fixtures/lighthouse/generated/lhci");
    let mut cases: Vec<(PathBuf, PathBuf, bool)> = ["median", "optimistic", "pessimistic", "median-run"]
        .iter()
        .map(|method| {
            (
                generated.join(format!("rc-{method}.json")),
                generated.join(format!("assertion-results-{method}.json")),
                true,
            )
        })
        .collect();
    for (config, all_listed) in [
        ("docs-complete-experience", true),
        ("docs-no-pwa", true),
        ("docs-assert-matrix", false),
        ("rc-budgets-file", false),
    ] {
        let lhci = fixtures().join("lhci");
        cases.push((lhci.join(format!("{config}.json")), lhci.join(format!("{config}.results.json")), all_listed));
    }
    // SAP/spartacus's own .lighthouserc.yml, recorded with --includePassedAssertions.
    let lhci = fixtures().join("lhci");
    cases.push((lhci.join("spartacus.lighthouserc.yml"), lhci.join("spartacus.results.json"), true));
    let mut compared = 0;
    let mut listed = 0;
    for (config, results, all_listed) in &cases {
        let (_, rows) = import_and_check(config, &[&lighthouseci()]);
        let rows: Vec<Value> = rows.into_iter().filter(|row| row["subject"]["url"].is_string()).collect();
        assert!(!rows.is_empty(), "{}: no rows", config.display());
        let results = json(results);
        let (c, l) = compare_with_lhci(&rows, results.as_array().expect("results"), *all_listed);
        compared += c;
        listed += l;
    }
    // Every row of every imported budget on the 2 pages: 93, of which Lighthouse CI listed
    // 87 (the rest are the passes it does not list for assertMatrix and budgetsFile).
    assert_eq!((compared, listed), (COMPARED, LISTED));
}

/// Rows compared with `lhci assert` over all configs, and how many it listed.
const COMPARED: usize = 93;
const LISTED: usize = 87;

#[test]
fn a_real_config_with_a_key_lighthouse_ci_does_not_know_is_refused_at_its_line() {
    // bbc/simorgh's .lighthouserc.yml puts Lighthouse's `skipAudits` under `assert`, where
    // Lighthouse CI ignores it: the import says so instead of guessing.
    let config = fixtures().join("lhci/simorgh.lighthouserc.yml");
    let dir = tempfile::tempdir().expect("temp dir");
    let output = dir.path().join("perfbudget.yml");
    let run =
        perfbudget(&repo(), &["import", &config.display().to_string(), "--output", &output.display().to_string()]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    let expected = format!("error: {}:20:5: ci.assert: unknown key `skipAudits`", config.display());
    assert!(run.stderr.starts_with(&expected), "{}", run.stderr);
    assert!(!output.exists(), "nothing written");
}

#[test]
fn an_imported_size_limit_config_passes_and_fails_as_size_limit_did() {
    let (code, rows) = import_and_check(&fixtures().join("bundle/.size-limit.json"), &[]);
    assert_eq!(code, 0, "everything in .size-limit.json carries over");
    let recorded = json(&fixtures().join("bundle/size-limit.json"));
    let recorded = recorded.as_array().expect("size-limit --json");
    assert_eq!(rows.len(), recorded.len());
    for theirs in recorded {
        let name = theirs["name"].as_str().expect("name");
        let ours = rows.iter().find(|row| row["budget"] == name).unwrap_or_else(|| panic!("no row {name}"));
        assert_eq!(ours["limit"]["max"].as_f64(), theirs["sizeLimit"].as_f64(), "{name}: limit");
        assert_eq!(
            ours["verdict"] != "red",
            theirs["passed"].as_bool().expect("passed"),
            "{name}: {}",
            ours["message"]
        );
        let (size, exact) = (ours["value"].as_f64().expect("size"), theirs["size"].as_f64().expect("size"));
        // Brotli and raw sizes are byte-exact; gzip within 0.5% (tests/bundle.rs).
        assert!((size - exact).abs() <= exact * 0.005, "{name}: ours {size}, size-limit {exact}");
    }
}

#[test]
fn an_imported_bundlewatch_config_passes_and_fails_as_bundlewatch_did() {
    let (code, rows) = import_and_check(&fixtures().join("bundle/bundlewatch.config.json"), &[]);
    assert_eq!(code, 0, "a numeric maxSize and \"0\" keep their meaning (no check): nothing is lost");
    let printed = std::fs::read_to_string(fixtures().join("bundle/bundlewatch.txt")).expect("recorded");
    let mut compared = 0;
    for line in printed.lines().filter(|line| line.starts_with("PASS ") || line.starts_with("FAIL ")) {
        let file = line[5..].split(": ").next().expect("a file").trim_start_matches("../../");
        let file = file.trim_start_matches("bundle/");
        // bundlewatch printed names with `normalizeFilenames` applied, perfbudget without
        // their content hashes: the folder and the name up to its first `.` or `-` agree.
        let key = |path: &str| {
            let (folder, name) = path.rsplit_once('/').unwrap_or(("", path));
            let folder = folder.rsplit('/').next().unwrap_or_default().to_owned();
            let extension = name.rsplit('.').next().unwrap_or_default().to_owned();
            (folder, name.split(['.', '-']).next().unwrap_or_default().to_owned(), extension)
        };
        let row = rows.iter().find(|row| key(row["subject"]["file"].as_str().unwrap_or_default()) == key(file));
        match row {
            Some(row) => {
                assert_eq!(row["verdict"] != "red", line.starts_with("PASS"), "{line}: perfbudget {}", row["message"]);
                compared += 1;
            }
            // No check: the file's maxSize never failed (a number, "0").
            None => {
                assert!(
                    line.starts_with("PASS") && (line.contains("< Infinity") || line.contains("< 20480")),
                    "{line}"
                );
            }
        }
    }
    assert_eq!(compared, 7);
}

#[test]
fn every_imported_budget_loads_with_validate() {
    let configs = [
        "lhci/docs-complete-experience.json",
        "lhci/docs-no-pwa.json",
        "lhci/docs-assert-matrix.json",
        "lhci/rc-budgets-file.json",
        "lhci/budget.json",
        "lhci/spartacus.lighthouserc.yml",
        "bundle/.size-limit.json",
        "bundle/bundlewatch.config.json",
    ];
    for config in configs {
        let dir = tempfile::tempdir().expect("temp dir");
        let budget = dir.path().join("perfbudget.yml").display().to_string();
        let config = fixtures().join(config).display().to_string();
        let imported = perfbudget(&repo(), &["import", &config, "--output", &budget]);
        assert!(imported.code == 0 || imported.code == 1, "{config}: {}", imported.stderr);
        let validated = perfbudget(&repo(), &["validate", &budget]);
        assert_eq!(validated.code, 0, "{config}: {}", validated.stderr);
        let checks: usize =
            imported.stdout.split(": ").nth(1).and_then(|rest| rest.split(' ').next()?.parse().ok()).expect("a count");
        let noun = if checks == 1 { "check" } else { "checks" };
        assert_eq!(validated.stdout, format!("ok: {budget}: {checks} {noun}\n"), "{config}");
    }
}
