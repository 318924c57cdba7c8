use super::*;

fn run(text: &str, file: &str) -> Result<Imported, BudgetError> {
    let no_files = |name: &str| Err(format!("cannot read {name}"));
    import(&Source { text, file, files_prefix: "", read_referenced: &no_files })
}

#[test]
fn a_size_limit_list_becomes_bundle_budgets_in_its_units() {
    let imported =
        run(r#"[{"name": "core", "path": "dist/*.js", "limit": "10 kB", "gzip": true}]"#, ".size-limit.json").unwrap();
    assert!(imported.is_lossless(), "{imported:?}");
    assert_eq!(imported.entries[0].fields.last(), Some(&("max", "10 kB".to_owned())));
    assert_eq!(imported.entries[0].fields[3], ("compression", "gzip".to_owned()));
}

#[test]
fn a_size_limit_limit_in_an_unknown_unit_is_an_error_at_its_line() {
    let error = run("[\n  {\"path\": \"a.js\",\n   \"limit\": \"10 k\"}\n]", ".size-limit.json").unwrap_err();
    let BudgetError::At { line, message, .. } = error else { panic!("no position: {error}") };
    assert_eq!(line, 3);
    assert!(message.contains("\"10 k\" is not a size size-limit can read"), "{message}");
}

#[test]
fn unknown_keys_are_errors_at_their_line() {
    let error = run("{\"ci\": {\"assert\": {\n\"assertion\": {}}}}", "lighthouserc.json").unwrap_err();
    assert!(error.to_string().starts_with("lighthouserc.json:2:"), "{error}");
    assert!(error.to_string().contains("did you mean `assertions`?"), "{error}");
}

#[test]
fn javascript_gets_the_node_command_to_dump_it() {
    let error = run("module.exports = {ci: {}}", "lighthouserc.js").unwrap_err();
    let said = error.to_string();
    assert!(said.contains("node -e 'import(require(\"path\").resolve(process.argv[1]))"), "{said}");
    assert!(said.contains("./lighthouserc.js > config.json"), "{said}");
    assert!(run("module.exports = {}", "budget.json").unwrap_err().to_string().contains("is JavaScript"));
}

#[test]
fn bundlewatch_quirks_keep_their_meaning() {
    let config = r#"{"files": [
        {"path": "a.js", "maxSize": "30kB"},
        {"path": "b.js", "maxSize": 20480},
        {"path": "c.js", "maxSize": "0"},
        {"path": "d.js", "maxSize": "40 KiB", "compression": "brotli"}
    ], "defaultCompression": "none"}"#;
    let imported = run(config, "bundlewatch.config.json").unwrap();
    let limits: Vec<(&str, &str)> =
        imported.entries.iter().map(|entry| (entry.fields[4].1.as_str(), entry.fields[3].1.as_str())).collect();
    assert_eq!(limits, [("30 KiB", "none"), ("40 B", "brotli")]);
    assert_eq!(imported.kept.len(), 3, "{:?}", imported.kept);
    assert!(imported.is_lossless());
}

#[test]
fn a_bare_level_is_min_score_and_aggregation_is_written_out() {
    let rc = r#"{"ci": {"assert": {"assertions": {
        "categories:performance": "error",
        "largest-contentful-paint": ["warn", {"maxNumericValue": 2500, "aggregationMethod": "median"}],
        "uses-long-cache-ttl": "warn"
    }}}}"#;
    let imported = run(rc, "lighthouserc.json").unwrap();
    let text = render(&imported, "lighthouserc.json");
    assert!(
        text.contains(
            "  - name: \"categories:performance\"\n    metric: score\n    min: 90\n    aggregate: optimistic\n"
        ),
        "{text}"
    );
    assert!(text.contains("    max: 2500 ms\n    aggregate: median\n    level: warn\n"), "{text}");
    assert_eq!(imported.lost.len(), 1);
    crate::budget::parse_str(&text, "perfbudget.yml", Path::new("")).unwrap();
}

fn field<'a>(entry: &'a Entry, key: &str) -> Option<&'a str> {
    entry.fields.iter().find(|(k, _)| *k == key).map(|(_, v)| v.as_str())
}

#[test]
fn a_yaml_lighthouserc_with_a_matrix_gets_url_globs() {
    let rc = "ci:\n  assert:\n    assertMatrix:\n      - matchingUrlPattern: \"^http://127\\\\.0\\\\.0\\\\.1:8765/slow\"\n        aggregationMethod: median\n        assertions:\n          largest-contentful-paint: [error, {maxNumericValue: 2500}]\n      - matchingUrlPattern: \"/(a|b)\"\n        assertions:\n          speed-index: [error, {maxNumericValue: 3400}]\n";
    let imported = run(rc, ".lighthouserc.yml").unwrap();
    assert_eq!(imported.entries.len(), 1);
    assert_eq!(field(&imported.entries[0], "url"), Some("\"http://127.0.0.1:8765/slow*\""));
    assert_eq!(field(&imported.entries[0], "aggregate"), Some("median"));
    assert_eq!(imported.lost.len(), 1);
    assert!(imported.lost[0].what.contains("has no glob equivalent"), "{:?}", imported.lost);
}

#[test]
fn a_matrix_beside_other_options_is_refused_as_lighthouse_ci_refuses_it() {
    let rc = r#"{"ci": {"assert": {"preset": "lighthouse:all", "assertMatrix": []}}}"#;
    let error = run(rc, "lighthouserc.json").unwrap_err().to_string();
    assert_eq!(
        error,
        "lighthouserc.json: ci.assert: Cannot use assertMatrix with other options (Lighthouse CI refuses it too)"
    );
    let error = run(r#"{"ci": {"collect": {}}}"#, "lighthouserc.json").unwrap_err().to_string();
    assert!(error.contains("has no `ci.assert`"), "{error}");
}

#[test]
fn a_package_json_holds_size_limit_and_bundlesize() {
    let package = r#"{"name": "app", "scripts": {"x": "y"},
        "size-limit": [{"path": "dist/index.js", "limit": "1 MB", "brotli": false}],
        "bundlesize": [{"path": "dist/*.css", "maxSize": "2 kB"}]}"#;
    let no_files = |name: &str| Err(format!("cannot read {name}"));
    let source = Source { text: package, file: "web/package.json", files_prefix: "web/", read_referenced: &no_files };
    let imported = import(&source).unwrap();
    assert_eq!(imported.tools, [Tool::SizeLimit, Tool::Bundlesize]);
    assert_eq!(field(&imported.entries[0], "files"), Some("[\"web/dist/index.js\"]"));
    assert_eq!(field(&imported.entries[0], "compression"), Some("none"));
    assert_eq!(field(&imported.entries[0], "max"), Some("1000 kB"));
    assert_eq!(field(&imported.entries[1], "max"), Some("2 KiB"));
    assert_eq!(field(&imported.entries[1], "compression"), Some("gzip"));
    assert!(imported.is_lossless(), "{imported:?}");
}

#[test]
fn what_size_limit_needs_a_bundler_or_a_browser_for_is_lost() {
    let config = r#"[
        {"path": "index.js", "import": "{ a }", "limit": "1 kB"},
        {"path": "index.js", "limit": "500 ms"},
        {"path": "index.js", "limit": "2 kB", "running": false},
        {"path": "index.js"}
    ]"#;
    let imported = run(config, ".size-limit.json").unwrap();
    assert_eq!(imported.entries.len(), 1);
    assert_eq!(field(&imported.entries[0], "max"), Some("2 kB"));
    let lost: Vec<&str> = imported.lost.iter().map(|note| note.at.as_str()).collect();
    assert_eq!(lost, ["[0]", "[1]", "[2]"]);
    assert_eq!(imported.skipped.len(), 1, "no limit: only a size was printed");
}

#[test]
fn a_lightwallet_budget_keeps_kib_and_reports_what_it_cannot_read() {
    let budget = r#"[{"path": "/shop/*/cart$", "resourceSizes": [{"resourceType": "script", "budget": 125}],
        "resourceCounts": [{"resourceType": "total", "budget": 10}],
        "timings": [{"metric": "interactive", "budget": 5000, "tolerance": 100}, {"metric": "max-potential-fid", "budget": 50}]}]"#;
    let imported = run(budget, "budget.json").unwrap();
    assert_eq!(imported.tools, [Tool::LightWallet]);
    assert_eq!(field(&imported.entries[0], "metric"), Some("page_weight.script"));
    assert_eq!(field(&imported.entries[0], "max"), Some("125 KiB"));
    assert_eq!(field(&imported.entries[0], "url"), Some("\"*://*/shop/*/cart\""));
    assert_eq!(field(&imported.entries[1], "max"), Some("5000 ms"));
    assert_eq!(imported.lost.len(), 2, "{:?}", imported.lost);
    assert_eq!(imported.kept.len(), 1, "tolerance");
    let text = render(&imported, "budget.json");
    crate::budget::parse_str(&text, "perfbudget.yml", Path::new("")).unwrap();
    let error = run(r#"[{"path": "/", "resourceSizes": [{"resourceType": "scripts", "budget": 1}]}]"#, "budget.json")
        .unwrap_err()
        .to_string();
    assert!(error.starts_with("budget.json:1:"), "{error}");
}

#[test]
fn hostile_names_stay_inside_their_comment_and_string() {
    let config = "[{\"name\": \"a\\n- metric: lcp\\u001b[31m\", \"path\": \"x.js\", \"limit\": \"1 kB\"}]";
    let imported = run(config, ".size-limit.json").unwrap();
    let text = render(&imported, ".size-limit.json");
    assert!(!text.contains('\u{1b}'), "{text}");
    assert!(!text.contains("\n- metric: lcp"), "{text}");
    let budget = crate::budget::parse_str(&text, "perfbudget.yml", Path::new("")).unwrap();
    assert_eq!(budget.checks.len(), 1);
    assert_eq!(budget.checks[0].label, "a\n- metric: lcp\u{1b}[31m");
}

#[test]
fn not_a_config_is_an_error_naming_what_would_be() {
    let error = run(r#"{"lighthouseVersion": "12.0.0", "audits": {}}"#, "lhr.json").unwrap_err().to_string();
    assert!(error.starts_with("lhr.json: is not a config perfbudget can import"), "{error}");
    assert!(run("", "x.json").unwrap_err().to_string().contains("is empty"));
    assert!(run("[1, 2", "x.json").unwrap_err().to_string().starts_with("x.json:1:"));
}

#[test]
fn a_camel_case_key_asserted_nothing_in_lighthouse_ci_and_gets_no_check() {
    let rc = r#"{"ci": {"assert": {"assertions": {"largestContentfulPaint": ["error", {"maxNumericValue": 1}]}}}}"#;
    let imported = run(rc, "lighthouserc.json").unwrap();
    assert!(imported.entries.is_empty());
    assert_eq!(imported.kept.len(), 1);
    assert!(
        imported.kept[0].what.contains("\"largest-contentful-paint\" and finds no assertion"),
        "{:?}",
        imported.kept
    );
}

#[test]
fn a_size_limit_folder_path_is_a_changed_meaning() {
    let imported =
        run(r#"[{"path": "dist", "limit": "100 kB"}, {"path": "bin/cli", "limit": "1 kB"}]"#, ".size-limit.json")
            .unwrap();
    assert_eq!(imported.entries.len(), 2);
    assert_eq!(imported.changed.len(), 2);
    assert!(imported.changed[0].what.contains("write \"dist/**\" for the folder"), "{:?}", imported.changed);
}
