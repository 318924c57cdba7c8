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
