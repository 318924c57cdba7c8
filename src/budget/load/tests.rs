use std::path::Path;

use super::*;
use crate::budget::metric::Metric;
use crate::budget::{Compression, Limit, Warn};
use crate::quantity::Dimension;

fn parse(text: &str) -> Result<Budget, BudgetError> {
    parse_str(text, "perfbudget.yml", Path::new("ci"))
}

fn error(text: &str) -> String {
    parse(text).unwrap_err().to_string()
}

fn check<'a>(budget: &'a Budget, label: &str) -> &'a Check {
    budget.checks.iter().find(|check| check.label == label).unwrap_or_else(|| panic!("no check {label}"))
}

#[test]
fn short_and_long_forms_mix_in_one_file() {
    let budget = parse(
        r#"
version: 1
name: Shop
inputs: [.lighthouseci/, k6/summary.json]
limits:
  lcp: 2.5s
  score: 90
budgets:
  - name: Checkout LCP
    metric: lcp
    url: "*/checkout*"
    max: 2.0s
    warn: 1.8s
  - metric: api_p95
    tags: { name: "GET /api/users" }
    max: 300ms
    regression: 10%
  - metric: k6
    k6_metric: http_reqs
    stat: rate
    min: 1000/s
  - metric: bundle_size
    files: ["dist/assets/*.js", "!**/*.map"]
    compression: gzip
    each: true
    max: 50 KiB
  - metric: bench_time
    id: "parse/*"
    max: 2ms
    regression: 5%
    optional: true
"#,
    )
    .unwrap();
    assert_eq!(budget.name.as_deref(), Some("Shop"));
    assert_eq!(budget.inputs, vec![Path::new("ci/.lighthouseci"), Path::new("ci/k6/summary.json")]);
    assert_eq!(budget.checks.len(), 7);

    let lcp = check(&budget, "lcp");
    assert_eq!(lcp.limit, Some(Limit::Max(2.5e9)));
    assert_eq!(lcp.warn, Some(Warn { threshold: 2.25e9, fraction: Some(0.1) }));
    assert_eq!(check(&budget, "score").limit, Some(Limit::Min(90.0)));

    let checkout = check(&budget, "Checkout LCP");
    assert_eq!(checkout.limit, Some(Limit::Max(2e9)));
    assert_eq!(checkout.warn, Some(Warn { threshold: 1.8e9, fraction: None }));
    assert!(checkout.selectors[0].matches("https://shop.example/checkout/pay"));
    assert!(!checkout.selectors[0].matches("https://shop.example/cart"));

    let api = check(&budget, "api_p95 name=GET /api/users");
    assert_eq!(api.regression, Some(0.1));
    assert_eq!(api.limit, Some(Limit::Max(3e8)));

    let k6 = check(&budget, "k6 http_reqs rate");
    assert_eq!(k6.limit, Some(Limit::Min(1000.0)));
    assert_eq!(k6.dimension, Dimension::Rate);

    let bundle = budget.checks.iter().find(|c| c.metric == Metric::BundleSize).unwrap();
    assert_eq!(bundle.limit, Some(Limit::Max(51_200.0)));
    assert_eq!(bundle.compression, Compression::Gzip);
    assert!(bundle.each);
    assert!(bundle.selectors[0].matches("dist/assets/index.js"));
    assert!(!bundle.selectors[0].matches("dist/assets/legacy/index.js"), "* stays in one folder");
    assert!(!bundle.selectors[0].matches("dist/assets/index.js.map"));

    let bench = budget.checks.iter().find(|c| c.metric == Metric::BenchTime).unwrap();
    assert!(bench.optional);
    assert_eq!(bench.regression, Some(0.05));
    assert_eq!(bench.location, "budgets[4]");
}

#[test]
fn inputs_are_relative_to_the_budget_file() {
    let budget = parse_str(
        "version: 1\ninputs: [../samples/, ./k6.json]\nlimits:\n  lcp: 1s\n",
        "budgets/demo.yml",
        Path::new("budgets"),
    )
    .unwrap();
    assert_eq!(budget.inputs, vec![Path::new("samples"), Path::new("budgets/k6.json")]);
}

#[test]
fn data_selects_lab_or_field() {
    let budget = parse("version: 1\nbudgets:\n  - metric: lcp\n    data: field\n    max: 2.5s\n").unwrap();
    assert_eq!(budget.checks[0].label, "lcp data=field");
    assert!(budget.checks[0].selectors[0].matches("field"));
    assert!(!budget.checks[0].selectors[0].matches("lab"));
    assert!(
        error("version: 1\nbudgets:\n  - metric: api_p95\n    data: lab\n    max: 1s\n")
            .contains("`data` applies to Lighthouse metrics only")
    );
    assert!(
        error("version: 1\nbudgets:\n  - metric: lcp\n    data: feild\n    max: 1s\n")
            .contains("unknown value `feild`; did you mean `field`?")
    );
}

#[test]
fn the_seed_budget_json_is_a_budget_as_it_is() {
    let budget = parse_str(
        r#"{"lcp":"2.5s","inp":"200ms","cls":"0.1","bundle_size":"150kb","api_p95":"100ms"}"#,
        "budget.json",
        Path::new(""),
    )
    .unwrap();
    let limits: Vec<(&str, Option<Limit>)> = budget.checks.iter().map(|c| (c.metric.name(), c.limit)).collect();
    assert_eq!(
        limits,
        vec![
            ("lcp", Some(Limit::Max(2.5e9))),
            ("inp", Some(Limit::Max(2e8))),
            ("cls", Some(Limit::Max(0.1))),
            ("bundle_size", Some(Limit::Max(150_000.0))),
            ("api_p95", Some(Limit::Max(1e8))),
        ]
    );
    let bundle = &budget.checks[3];
    assert_eq!(bundle.compression, Compression::Brotli);
    assert!(!bundle.each);
    assert!(bundle.selectors[0].matches("dist/assets/app.js"));
    assert!(!bundle.selectors[0].matches("dist/assets/app.css"));
}

#[test]
fn presets_apply_and_own_limits_override_them() {
    let budget = parse("version: 1\nextends: [core-web-vitals]\n").unwrap();
    let limits: Vec<(&str, Option<Limit>)> = budget.checks.iter().map(|c| (c.metric.name(), c.limit)).collect();
    assert_eq!(
        limits,
        vec![("lcp", Some(Limit::Max(2.5e9))), ("inp", Some(Limit::Max(2e8))), ("cls", Some(Limit::Max(0.1)))]
    );
    assert_eq!(budget.preset_checks(), 3);

    let budget = parse("version: 1\nextends: core-web-vitals\nlimits:\n  lcp: 2s\n").unwrap();
    assert_eq!(budget.checks.len(), 3);
    assert_eq!(budget.preset_checks(), 2);
    assert_eq!(check(&budget, "lcp").limit, Some(Limit::Max(2e9)));
}

#[test]
fn defaults_set_the_band_and_regression_of_every_check() {
    let budget = parse(
        "version: 1\ndefaults: { warn: 20%, regression: 5% }\nlimits:\n  lcp: 2s\n  score: 90\nbudgets:\n  - metric: tbt\n    max: 300ms\n    warn: 250ms\n",
    )
    .unwrap();
    assert_eq!(check(&budget, "lcp").warn, Some(Warn { threshold: 1.6e9, fraction: Some(0.2) }));
    assert_eq!(check(&budget, "lcp").regression, Some(0.05));
    // For a minimum the band lies above it.
    assert_eq!(check(&budget, "score").warn.map(|w| w.threshold), Some(108.0));
    assert_eq!(check(&budget, "tbt").warn.map(|w| w.threshold), Some(2.5e8));
}

#[test]
fn a_percentage_warn_is_relative_to_the_limit() {
    let budget = parse("version: 1\nbudgets:\n  - metric: lcp\n    max: 2s\n    warn: 25%\n").unwrap();
    assert_eq!(budget.checks[0].warn, Some(Warn { threshold: 1.5e9, fraction: Some(0.25) }));
}

#[test]
fn regression_only_budgets_need_no_limit() {
    let budget = parse("version: 1\nbudgets:\n  - metric: bench_time\n    id: \"*\"\n    regression: 5%\n").unwrap();
    assert_eq!(budget.checks[0].limit, None);
    assert_eq!(budget.checks[0].warn, None);
}

#[test]
fn json_budgets_read_like_yaml() {
    let budget = parse_str(
        r#"{"version": 1, "limits": {"cls": 0.1}, "budgets": [{"metric": "score", "min": 95}]}"#,
        "perfbudget.json",
        Path::new(""),
    )
    .unwrap();
    assert_eq!(budget.checks.len(), 2);
    assert_eq!(budget.checks[1].limit, Some(Limit::Min(95.0)));
}

#[test]
fn unknown_keys_say_where_and_suggest_the_closest() {
    assert_eq!(
        error("version: 1\nlimts:\n  lcp: 2s\n"),
        "perfbudget.yml:2:1: unknown key `limts`; did you mean `limits`?"
    );
    assert_eq!(
        error("version: 1\nlimits:\n  lcp: 2s\n  lpc: 3s\n"),
        "perfbudget.yml:4:3: limits: unknown metric `lpc`; did you mean `lcp`?"
    );
    assert_eq!(
        error("version: 1\nbudgets:\n  - metric: lcp\n    max: 2s\n    wran: 1s\n"),
        "perfbudget.yml:5:5: budgets[0]: unknown key `wran`; did you mean `warn`?"
    );
    assert_eq!(
        error("version: 1\nbudgets:\n  - metric: lcp\n    max: 2s\n    aggregate: mediam\n"),
        "perfbudget.yml:5:16: budgets[0].aggregate: unknown value `mediam`; did you mean `median`?"
    );
    assert_eq!(
        error("version: 1\nbudgets:\n  - metric: api_p59\n    max: 2s\n"),
        "perfbudget.yml:3:13: budgets[0].metric: unknown metric `api_p59`; did you mean `api_p95`?"
    );
    assert_eq!(
        error("version: 1\nextends: [core-web-vital]\n"),
        "perfbudget.yml:2:11: extends[0]: unknown preset `core-web-vital`; did you mean `core-web-vitals`?"
    );
    assert!(error("version: 1\nxyzzy: 1\n").contains("unknown key `xyzzy`; expected one of: version, name, extends"));
}

#[test]
fn unit_errors_point_at_the_value() {
    assert_eq!(
        error("version: 1\nlimits:\n  lcp: 2.5\n"),
        "perfbudget.yml:3:8: limits.lcp: `2.5` has no unit; lcp is a time and needs one of: ns, us (or µs), ms, s"
    );
    assert!(error("limits:\n  bundle_size: 10k\n").contains("unknown unit `k`"));
    assert_eq!(
        error("version: 1\nlimits:\n  bundle_size: 10k\n"),
        "perfbudget.yml:3:16: limits.bundle_size: `10k`: unknown unit `k`; a size takes one of: B, kB (= KB = kb, 1000 B), KiB (1024 B), MB (= mb), MiB, GB (= gb), GiB"
    );
    assert_eq!(
        error("lcp: 5 parsecs\n"),
        "perfbudget.yml:1:6: lcp: `5 parsecs`: unknown unit `parsecs`; a time takes one of: ns, us (or µs), ms, s"
    );
    assert_eq!(
        error("version: 1\nlimits:\n  lcp: -1s\n"),
        "perfbudget.yml:3:8: limits.lcp: `-1s` is negative; a time cannot be below zero"
    );
    assert_eq!(
        error("version: 1\nlimits:\n  cls: .nan\n"),
        "perfbudget.yml:3:8: limits.cls: `NaN` is not a finite number"
    );
}

#[test]
fn impossible_values_are_rejected() {
    assert_eq!(
        error("version: 1\nlimits:\n  score: 0.9\n"),
        "perfbudget.yml:3:10: limits.score: score is 0-100; did you mean 90?"
    );
    assert!(error("version: 1\nlimits:\n  score: 120\n").contains("score is 0-100; 120 is out of range"));
    assert!(error("version: 1\nlimits:\n  cls: 150\n").contains("a CLS of 150 is impossible"));
    assert_eq!(
        error("version: 1\nbudgets:\n  - metric: lcp\n    max: 2s\n    warn: 3s\n"),
        "perfbudget.yml:3:5: budgets[0]: budget `lcp`: warn 3 s is above the limit max: 2 s; the warning must come before the limit"
    );
    assert!(
        error("version: 1\nbudgets:\n  - metric: score\n    min: 90\n    warn: 80\n")
            .contains("warn 80 is below the limit min: 90")
    );
}

#[test]
fn max_and_min_follow_the_metric_direction() {
    assert_eq!(
        error("version: 1\nbudgets:\n  - metric: lcp\n    min: 2s\n"),
        "perfbudget.yml:3:5: budgets[0]: budget `lcp`: lcp is better when lower, so it takes `max:`, not `min:`"
    );
    assert!(
        error("version: 1\nbudgets:\n  - metric: throughput\n    max: 100/s\n")
            .contains("throughput is better when higher, so it takes `min:`")
    );
    assert!(
        error("version: 1\nbudgets:\n  - metric: lcp\n    max: 2s\n    min: 1s\n")
            .contains("give `max` or `min`, not both")
    );
    assert!(error("version: 1\nbudgets:\n  - metric: lcp\n").contains("needs a limit: `max:`"));
    // A k6 metric takes either; its dimension comes from the limit's unit.
    let budget =
        parse("version: 1\nbudgets:\n  - metric: k6\n    k6_metric: checks\n    stat: rate\n    min: 99%\n").unwrap();
    assert_eq!(budget.checks[0].limit, Some(Limit::Min(0.99)));
}

#[test]
fn selectors_and_keys_belong_to_their_metrics() {
    assert!(
        error("version: 1\nbudgets:\n  - metric: api_p95\n    url: \"*\"\n    max: 1s\n")
            .contains("`url` applies to Lighthouse metrics only")
    );
    assert!(
        error("version: 1\nbudgets:\n  - metric: lcp\n    files: [a]\n    max: 1s\n")
            .contains("`files` applies to bundle_size only")
    );
    assert!(error("version: 1\nbudgets:\n  - metric: k6\n    max: 1s\n").contains("`metric: k6` needs `k6_metric`"));
    assert!(
        error("version: 1\nlimits:\n  k6: 1s\n").contains("`k6` needs `k6_metric` and `stat`, so it has no short form")
    );
    assert!(
        error("version: 1\nbudgets:\n  - metric: bundle_size\n    files: [\"a[\"]\n    max: 1kB\n")
            .contains("is not a valid glob")
    );
    assert!(
        error("version: 1\nbudgets:\n  - metric: bundle_size\n    files: []\n    max: 1kB\n")
            .contains("`files` is empty")
    );
}

#[test]
fn structure_errors() {
    assert_eq!(
        error("version: 2\nlimits:\n  lcp: 2s\n"),
        "perfbudget.yml:1:10: version: budget file version 2 is not supported; this perfbudget reads version 1"
    );
    assert!(error("limits:\n  lcp: 2s\n").contains("missing `version: 1`"));
    assert!(error("version: 1\nlcp: 2s\n").contains("in the full form, put them under `limits:`"));
    assert_eq!(
        error("version: 1\nlimits:\n  lcp: 2s\n  lcp: 3s\n"),
        "perfbudget.yml:4:3: limits: `lcp` is given twice"
    );
    assert_eq!(error(""), "perfbudget.yml: the budget file is empty; start with `version: 1` and `limits:`");
    assert!(error("version: 1\n").contains("the budget has no checks"));
    assert!(error("- lcp\n").contains("invalid type: sequence, expected a budget"));
    assert_eq!(
        error("version: 1\nlimits: [\n"),
        "perfbudget.yml:2:9: limits: invalid type: sequence, expected a map of metric -> limit, such as `lcp: 2.5s`"
    );
    assert_eq!(
        error("version: 1\nlimits:\n  lcp: \"2s\n"),
        "perfbudget.yml:4:1: found unexpected end of stream, while scanning a quoted scalar at line 3 column 8"
    );
}

#[test]
fn json_errors_carry_line_and_column() {
    let err =
        parse_str("{\n  \"version\": 1,\n  \"limits\": {\"lcp\": \"2.5\"}\n}", "b.json", Path::new("")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "b.json:3:25: `2.5` has no unit; lcp is a time and needs one of: ns, us (or µs), ms, s"
    );
    let err = parse_str("{\"version\": 1, \"limits\": {\"lcp\": \"2s\"", "b.json", Path::new("")).unwrap_err();
    assert!(err.to_string().starts_with("b.json:1:"), "{err}");
    let err = parse_str("{\"version\": 1, \"limitz\": {}}", "b.json", Path::new("")).unwrap_err();
    assert_eq!(err.to_string(), "b.json:1:23: unknown key `limitz`; did you mean `limits`?");
}

#[test]
fn limits_stay_finite_in_base_units() {
    assert_eq!(
        error("version: 1\nbudgets:\n  - metric: tbt\n    max: 1e300 s\n"),
        "perfbudget.yml:4:10: budgets[0].max: `1e300 s` is too large for a time (it overflows in nanoseconds)"
    );
    // A minimum near the largest number has its yellow band end there.
    let budget = parse("version: 1\nlimits:\n  throughput: 1.7e308/s\n").unwrap();
    assert_eq!(budget.checks[0].warn.map(|warn| warn.threshold), Some(f64::MAX));
}

#[test]
fn the_budget_map_form_reads_as_limits_in_json_and_yaml() {
    let json =
        r#"{"budgets": {"lcp": "2.5s", "inp": "200ms", "cls": "0.1", "bundle_size": "150kb", "api_p95": "100ms"}}"#;
    let budget = parse(json).unwrap();
    let labels: Vec<&str> = budget.checks.iter().map(|check| check.label.as_str()).collect();
    assert_eq!(labels, ["lcp", "inp", "cls", "bundle_size", "api_p95"]);
    assert_eq!(check(&budget, "lcp").limit, Some(Limit::Max(2.5e9)));
    assert_eq!(check(&budget, "bundle_size").limit, Some(Limit::Max(150_000.0)));
    assert_eq!(check(&budget, "cls").limit, Some(Limit::Max(0.1)));
    let yaml = parse("version: 1\nname: Shop\nbudgets:\n  lcp: 2.5s\n  score: 90\n").unwrap();
    assert_eq!(yaml.checks.len(), 2);
    assert_eq!(check(&yaml, "score").limit, Some(Limit::Min(90.0)));
    // With other keys of the full form, the file says which version it is.
    assert_eq!(
        error("name: Shop\nbudgets:\n  lcp: 2.5s\n"),
        "perfbudget.yml:1:1: missing `version: 1` at the top of the budget file"
    );
    assert!(
        error("budgets:\n  lcp: 2.5s\n  nope: 1\n").starts_with("perfbudget.yml:3:3: budgets: unknown metric `nope`")
    );
}

#[test]
fn a_prometheus_entry_names_its_series_stat_and_labels() {
    let yaml = "version: 1\nscrape_elapsed: 90s\nbudgets:\n  - metric: prometheus\n    series: http_request_duration_seconds\n    \
                labels: { handler: \"/api/*\" }\n    stat: window_p(95)\n    max: 500ms\n";
    let budget = parse(yaml).unwrap();
    assert_eq!(budget.scrape_elapsed, Some(90.0));
    let check = &budget.checks[0];
    assert_eq!(check.label, "prometheus http_request_duration_seconds window_p(95) handler=/api/*");
    assert_eq!(check.selects().metric, "http_request_duration_seconds");
    assert_eq!(check.selects().stats.rank(Some("window_p(95)")), Some(0));
    assert_eq!(check.selects().stats.rank(Some("p(95)")), None);
    assert!(check.selectors[0].matches("/api/items"));
    assert_eq!(check.limit, Some(Limit::Max(500e6)), "in nanoseconds");
    // Either direction; the dimension is the limit's.
    let growth = "version: 1\nbudgets:\n  - { metric: prometheus, series: up, stat: value, min: 1 }\n";
    assert_eq!(parse(growth).unwrap().checks[0].limit, Some(Limit::Min(1.0)));

    assert!(
        error("version: 1\nbudgets:\n  - { metric: prometheus, stat: value, max: 1 }\n")
            .contains("`metric: prometheus` needs `series`")
    );
    assert!(
        error("version: 1\nbudgets:\n  - { metric: api_p95, series: x, max: 1s }\n")
            .contains("`series` applies to `metric: prometheus` only")
    );
    assert!(
        error("version: 1\nbudgets:\n  - { metric: api_p95, labels: { a: b }, max: 1s }\n")
            .contains("`labels` applies to `metric: prometheus`")
    );
    assert!(
        error("version: 1\nlimits:\n  prometheus: 1s\n")
            .contains("`prometheus` needs `series` and `stat`, so it has no short form")
    );
    assert!(
        error("version: 1\nscrape_elapsed: 5\nlimits:\n  lcp: 1s\n")
            .contains("`5` has no unit; scrape_elapsed is a time and needs one of: ns, us (or µs), ms, s")
    );
    assert!(
        error("version: 1\nscrape_elapsed: 0s\nlimits:\n  lcp: 1s\n").contains("the time between scrapes is above 0")
    );
}

#[test]
fn apdex_entries_name_their_thresholds_in_the_stat() {
    let budget = parse(
        "version: 1\nlimits:\n  apdex: 0.9\nbudgets:\n  - { name: t, metric: apdex, apdex_t: 300ms, min: 0.8 }\n  \
         - { name: tf, metric: apdex, apdex_t: 0.2s, apdex_f: 1s, min: 0.8 }\n",
    )
    .unwrap();
    assert_eq!(check(&budget, "apdex").stat.as_deref(), None, "the short form reads JMeter's defaults");
    assert_eq!(check(&budget, "apdex").selects().stats, crate::budget::metric::Stats::One("apdex(T=500ms,F=1500ms)"));
    assert_eq!(check(&budget, "apdex").limit, Some(Limit::Min(0.9)));
    assert_eq!(check(&budget, "t").stat.as_deref(), Some("apdex(T=300ms,F=1200ms)"));
    assert_eq!(check(&budget, "tf").stat.as_deref(), Some("apdex(T=200ms,F=1000ms)"));
    assert!(error("version: 1\nbudgets:\n  - { metric: apdex, max: 0.9 }\n").contains("takes `min:`"));
    assert!(error("version: 1\nbudgets:\n  - { metric: apdex, apdex_f: 1s, min: 0.9 }\n").contains("needs `apdex_t`"));
    assert!(
        error("version: 1\nbudgets:\n  - { metric: apdex, apdex_t: 2s, apdex_f: 1s, min: 0.9 }\n")
            .contains("at least `apdex_t`")
    );
    assert!(
        error("version: 1\nbudgets:\n  - { metric: api_p95, apdex_t: 1s, max: 1s }\n")
            .contains("`apdex_t` applies to `metric: apdex` only")
    );
    assert!(error("version: 1\nbudgets:\n  - { metric: apdex, apdex_t: 5, min: 0.9 }\n").contains("apdex_t"));
}
