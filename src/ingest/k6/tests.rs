use super::*;

fn fixture(path: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/k6").join(path);
    std::fs::read(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

fn find<'a>(measurements: &'a [Measurement], metric: &str, stat: &str, subject: &Subject) -> &'a Measurement {
    measurements
        .iter()
        .find(|m| m.metric == metric && m.stat.as_deref() == Some(stat) && &m.subject == subject)
        .unwrap_or_else(|| panic!("no {metric} {stat} for {subject:?}"))
}

/// `metric{selector}` stat -> value, as the summary file itself has it (read with serde_json
/// directly, independently of the adapter).
fn file_value(summary: &serde_json::Value, key: &str, stat: &str) -> f64 {
    let metric = &summary["metrics"][key];
    let values = if metric.get("values").is_some() { &metric["values"] } else { metric };
    values[stat].as_f64().unwrap_or_else(|| panic!("{key} {stat}"))
}

#[test]
fn handle_summary_of_k6_1_1_and_0_57() {
    for version in ["v110", "v057"] {
        let bytes = fixture(&format!("generated/{version}/handle-summary.json"));
        let summary: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        let measurements = parse(&bytes).unwrap();
        let all = Subject::new();
        let users = Subject::from([("name", "GET /api/users")]);
        let checkout = Subject::from([("group", "::checkout")]);
        let p95 = find(&measurements, "http_req_duration", "p(95)", &all);
        assert_eq!(p95.value, Some(file_value(&summary, "http_req_duration", "p(95)")), "{version}");
        assert_eq!(p95.unit, Unit::Ms);
        let users_p99 = find(&measurements, "http_req_duration", "p(99)", &users);
        assert_eq!(users_p99.value, Some(file_value(&summary, "http_req_duration{name:GET /api/users}", "p(99)")));
        let checkout_avg = find(&measurements, "http_req_duration", "avg", &checkout);
        assert_eq!(checkout_avg.value, Some(file_value(&summary, "http_req_duration{group:::checkout}", "avg")));
        let failed = find(&measurements, "http_req_failed", "rate", &all);
        assert_eq!((failed.value, failed.unit), (Some(file_value(&summary, "http_req_failed", "rate")), Unit::Ratio));
        let reqs = find(&measurements, "http_reqs", "rate", &all);
        assert_eq!(reqs.unit, Unit::PerSecond);
        assert_eq!(find(&measurements, "data_received", "count", &all).unit, Unit::Bytes);
        assert_eq!(find(&measurements, "vus", "max", &all).value, Some(13.0));
        assert_eq!(
            find(&measurements, "order_placement_duration", "p(90)", &all).unit,
            Unit::Ms,
            "a custom time trend"
        );
        let expected = find(&measurements, "http_req_duration", "med", &Subject::from([("expected_response", "true")]));
        assert!(expected.value.is_some());
    }
}

#[test]
fn summary_export_has_the_same_numbers_as_handle_summary_of_the_same_run() {
    for version in ["v110", "v057"] {
        let export = parse(&fixture(&format!("generated/{version}/summary-export.json"))).unwrap();
        let handle = parse(&fixture(&format!("generated/{version}/handle-summary.json"))).unwrap();
        assert_eq!(export.len(), handle.len(), "{version}");
        for m in &handle {
            let twin = find(&export, &m.metric, m.stat.as_deref().unwrap(), &m.subject);
            assert_eq!(twin.value, m.value, "{version} {} {:?}", m.metric, m.stat);
            // The export does not say what a custom trend contains: it reads as a number.
            if m.metric != "order_placement_duration" {
                assert_eq!(twin.unit, m.unit, "{version} {} {:?}", m.metric, m.stat);
            }
        }
        let rate = find(&export, "http_req_failed", "rate", &Subject::new());
        assert_eq!(rate.unit, Unit::Ratio, "the export's `value` is the rate");
    }
}

#[test]
fn negative_durations_are_kept_as_k6_reports_them() {
    let measurements = parse(&fixture("dineops-handlesummary.json")).unwrap();
    let min = find(&measurements, "http_req_duration", "min", &Subject::new());
    assert_eq!(min.value, Some(-401.453365));
    let custom = find(&measurements, "order_placement_duration", "min", &Subject::new());
    assert_eq!((custom.value, custom.unit), (Some(-860.0), Unit::Number), "contains: default is unitless");
}

#[test]
fn submetric_selectors_parse_as_k6_parses_them() {
    assert_eq!(parse_key("http_req_duration"), ("http_req_duration", Subject::new()));
    assert_eq!(
        parse_key("http_req_duration{name:GET /api/users}"),
        ("http_req_duration", Subject::from([("name", "GET /api/users")]))
    );
    assert_eq!(
        parse_key("http_req_duration{group:::a::b}"),
        ("http_req_duration", Subject::from([("group", "::a::b")]))
    );
    assert_eq!(
        parse_key("http_reqs{ status: '200', method:\"GET\" }"),
        ("http_reqs", Subject::from([("status", "200"), ("method", "GET")]))
    );
    assert_eq!(
        parse_key("http_req_duration{name:http://a/items?id=1}"),
        ("http_req_duration", Subject::from([("name", "http://a/items?id=1")]))
    );
}

#[test]
fn bad_summaries_fail_with_a_reason() {
    let err = parse(br#"{"root_group": {}, "state": {}}"#).unwrap_err();
    assert!(err.message.starts_with("this k6 summary has no `metrics`"));
    let err = parse(br#"{"metrics": {"http_reqs": {"count": "many", "rate": 1}}}"#).unwrap_err();
    assert_eq!(err.message, "metric `http_reqs`: stat `count` is \"many\", not a number");
    let err = parse(b"{\"metrics\": {\"http_reqs\": {\"count\": 1,\n").unwrap_err();
    assert_eq!(err.line, 2);
    assert!(err.message.contains("EOF while parsing"));
    let err = parse(br#"{"metrics": {"x": {"type": "histogram", "values": {}}}}"#).unwrap_err();
    assert_eq!(err.message, "metric `x`: unknown metric type Some(\"histogram\")");
}

#[test]
fn text_summaries_of_both_eras_are_recognised() {
    for version in ["v110", "v057"] {
        let text = fixture(&format!("generated/{version}/text-summary.txt"));
        assert!(is_text_summary(&text[..text.len().min(8192)]), "{version}");
        assert!(!crate::ingest::format::claims(&K6Summary, &text), "{version}");
    }
    assert!(crate::ingest::format::claims(&K6Summary, &fixture("generated/v110/summary-export.json")));
    assert!(crate::ingest::format::claims(&K6Summary, &fixture("dineops-handlesummary.json")));
}

/// The real k6 1.1.0 handleSummary of this project's run, rewritten in the shape of k6's
/// machine-readable summary 1.0.0 (grafana/k6-summary's schema; k6 ≥1.5 only, which does
/// not install here): a `results.metrics` list of `{name, type, contains, category, values}`.
fn machine_readable(rate_values_as_matches: bool) -> String {
    let handle: serde_json::Value = serde_json::from_slice(&fixture("generated/v110/handle-summary.json")).unwrap();
    let mut metrics = Vec::new();
    for (name, entry) in handle["metrics"].as_object().unwrap() {
        let mut values = entry["values"].clone();
        if rate_values_as_matches && entry["type"] == "rate" {
            // The spelling in k6's own source at HEAD: matches and total instead of passes and fails.
            let passes = values["passes"].as_u64().unwrap();
            let fails = values["fails"].as_u64().unwrap();
            values = serde_json::json!({ "rate": values["rate"], "matches": passes, "total": passes + fails });
        }
        metrics.push(serde_json::json!({
            "name": name, "type": entry["type"], "contains": entry["contains"], "category": "http", "values": values,
        }));
    }
    serde_json::json!({
        "version": "1.0.0",
        "metadata": { "generatedAt": "2026-11-23T04:24:48Z", "k6Version": "1.5.0" },
        "config": { "execution": "local", "script": "script.js", "duration": 10.0 },
        "results": { "passed": false, "metrics": metrics, "checks": { "metrics": {}, "orderedChecks": [] } },
    })
    .to_string()
}

#[test]
fn the_machine_readable_summary_reads_like_handle_summary() {
    let handle = parse(&fixture("generated/v110/handle-summary.json")).unwrap();
    for matches in [false, true] {
        let text = machine_readable(matches);
        assert!(crate::ingest::format::claims(&K6Summary, text.as_bytes()));
        let machine = parse(text.as_bytes()).unwrap();
        for m in handle.iter().filter(|m| m.metric != THRESHOLD) {
            let stat = m.stat.as_deref().unwrap();
            if matches && m.unit == Unit::Number && (stat == "passes" || stat == "fails") {
                continue;
            }
            let twin = find(&machine, &m.metric, stat, &m.subject);
            assert_eq!((twin.value, twin.unit), (m.value, m.unit), "{} {stat}", m.metric);
        }
    }
    let later = machine_readable(false).replace("\"version\":\"1.0.0\"", "\"version\":\"2.0.0\"");
    let err = parse(later.as_bytes()).unwrap_err();
    assert_eq!(
        err.message,
        "k6 machine-readable summary version \"2.0.0\" is not supported; this perfbudget reads 1.x"
    );
}
