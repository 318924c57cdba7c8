use std::path::Path;

use super::*;
use crate::budget;
use crate::ingest::measurements::parse;
use crate::report::json::{BudgetInfo, Report};

fn budget(yaml: &str) -> Budget {
    budget::parse_str(yaml, "perfbudget.yml", Path::new("")).unwrap()
}

fn measurements(json: &str) -> Vec<Measurement> {
    parse(json).unwrap()
}

fn lcp(url: &str, ms: f64) -> String {
    format!(r#"{{"source":"lighthouse","metric":"lcp","subject":{{"url":"{url}"}},"value":{ms},"unit":"ms"}}"#)
}

fn run(yaml: &str, json: &str) -> Evaluation {
    evaluate(&budget(yaml), &measurements(json), None).unwrap()
}

/// (verdict, message) of each result.
fn verdicts(evaluation: &Evaluation) -> Vec<(Verdict, String)> {
    evaluation.checks.iter().map(|c| (c.verdict, c.message.clone())).collect()
}

#[test]
fn limit_rules_for_a_maximum() {
    let cases = [
        (1000.0, Verdict::Green, "LCP 1 s is 60% under the 2.5 s limit"),
        (2250.0, Verdict::Green, "LCP 2.25 s is 10% under the 2.5 s limit"),
        (2300.0, Verdict::Yellow, "LCP 2.3 s is 8% under the 2.5 s limit, inside the warning band (above 2.25 s)"),
        (2500.0, Verdict::Yellow, "LCP 2.5 s is exactly at the 2.5 s limit (passes)"),
        (2600.0, Verdict::Red, "LCP 2.6 s is 4% over the 2.5 s limit"),
        (3100.0, Verdict::Red, "LCP 3.1 s is 24% over the 2.5 s limit"),
    ];
    for (value, verdict, message) in cases {
        let evaluation = run("lcp: 2.5s", &format!("[{}]", lcp("https://a/", value)));
        assert_eq!(verdicts(&evaluation), vec![(verdict, message.to_owned())], "{value}");
    }
}

#[test]
fn limit_rules_for_a_minimum() {
    let score = |value: f64| {
        format!(
            r#"[{{"source":"lighthouse","metric":"score","subject":{{"url":"https://a/"}},"value":{value},"unit":"number"}}]"#
        )
    };
    let cases = [
        (100.0, Verdict::Green, "Performance score 100 is 11% above the 90 minimum"),
        (
            95.0,
            Verdict::Yellow,
            "Performance score 95 is 5.6% above the 90 minimum, inside the warning band (below 99)",
        ),
        (90.0, Verdict::Yellow, "Performance score 90 is exactly at the 90 minimum (passes)"),
        (85.0, Verdict::Red, "Performance score 85 is 5.6% under the 90 minimum"),
    ];
    for (value, verdict, message) in cases {
        let evaluation = run("score: 90", &score(value));
        assert_eq!(verdicts(&evaluation), vec![(verdict, message.to_owned())], "{value}");
    }
}

#[test]
fn warning_bands_can_be_absolute_relative_or_off() {
    let json = format!("[{}]", lcp("https://a/", 1900.0));
    let absolute = run("version: 1\nbudgets:\n  - metric: lcp\n    max: 2s\n    warn: 1.8s\n", &json);
    assert_eq!(absolute.checks[0].verdict, Verdict::Yellow);
    assert!(absolute.checks[0].message.ends_with("inside the warning band (above 1.8 s)"));
    let off = run("version: 1\ndefaults: { warn: 0% }\nlimits:\n  lcp: 2s\n", &json);
    assert_eq!(off.checks[0].verdict, Verdict::Green);
    let wide = run("version: 1\nbudgets:\n  - metric: lcp\n    max: 4s\n    warn: 60%\n", &json);
    assert_eq!(wide.checks[0].verdict, Verdict::Yellow, "band starts at 1.6 s");
}

#[test]
fn values_compare_across_units() {
    let json = r#"[{"source":"x","metric":"lcp","subject":{"url":"https://a/"},"value":2.6,"unit":"s"}]"#;
    let evaluation = run("lcp: 2500ms", json);
    assert_eq!(evaluation.checks[0].verdict, Verdict::Red);
    assert_eq!(evaluation.checks[0].limit, Some(LimitValue::Max(2.5)), "limit shown in the value's unit");
    let bench =
        r#"[{"source":"criterion","metric":"bench_time","subject":{"id":"parse/csv"},"value":1999999,"unit":"ns"}]"#;
    let evaluation = run("version: 1\nbudgets:\n  - metric: bench_time\n    max: 2ms\n    warn: 0%\n", bench);
    assert_eq!(evaluation.checks[0].message, "Bench time 2 ms is 0% under the 2 ms limit");
    assert_eq!(evaluation.checks[0].verdict, Verdict::Green);
}

#[test]
fn a_budget_applies_to_every_subject_its_selectors_match() {
    let json = format!(
        "[{},{},{}]",
        lcp("https://shop.example/", 1000.0),
        lcp("https://shop.example/checkout", 2100.0),
        lcp("https://shop.example/checkout/pay", 1500.0)
    );
    let all = run("lcp: 2.5s", &json);
    assert_eq!(all.checks.len(), 3);
    let checkout = run("version: 1\nbudgets:\n  - metric: lcp\n    url: \"*/checkout*\"\n    max: 2s\n", &json);
    let subjects: Vec<(&str, Verdict)> = checkout.checks.iter().map(|c| (&c.subject["url"], c.verdict)).collect();
    assert_eq!(
        subjects,
        vec![("https://shop.example/checkout", Verdict::Red), ("https://shop.example/checkout/pay", Verdict::Green)]
    );
}

#[test]
fn tags_select_k6_subjects_and_stats_pick_the_statistic() {
    let json = r#"[
      {"source":"k6","metric":"http_req_duration","stat":"p(95)","subject":{},"value":250,"unit":"ms"},
      {"source":"k6","metric":"http_req_duration","stat":"p(95)","subject":{"name":"GET /api/users","status":"200"},"value":320,"unit":"ms"},
      {"source":"k6","metric":"http_req_duration","stat":"avg","subject":{"name":"GET /api/users","status":"200"},"value":100,"unit":"ms"},
      {"source":"k6","metric":"http_req_duration","stat":"med","subject":{},"value":90,"unit":"ms"},
      {"source":"k6","metric":"http_req_duration","stat":"p(50)","subject":{},"value":91,"unit":"ms"}
    ]"#;
    let users =
        run("version: 1\nbudgets:\n  - metric: api_p95\n    tags: { name: \"GET /api/*\" }\n    max: 300ms\n", json);
    assert_eq!(users.checks.len(), 1);
    assert_eq!(users.checks[0].value, Some(320.0));
    assert_eq!(users.checks[0].verdict, Verdict::Red);
    let p50 = run("api_p50: 100ms", json);
    assert_eq!(p50.checks.len(), 1);
    assert_eq!(p50.checks[0].stat.as_deref(), Some("med"), "k6's med is preferred over p(50)");
    assert_eq!(p50.checks[0].value, Some(90.0));
}

#[test]
fn nothing_matched_is_red_and_says_what_was_looked_for_and_found() {
    let json = format!("[{},{}]", lcp("https://shop.example/", 1000.0), lcp("https://shop.example/cart", 1000.0));
    let evaluation = run("version: 1\nbudgets:\n  - metric: lcp\n    url: \"*/checkout*\"\n    max: 2s\n", &json);
    assert_eq!(
        verdicts(&evaluation),
        vec![(
            Verdict::Red,
            "no measurement matched lcp with url=*/checkout*; lcp is there for https://shop.example/, https://shop.example/cart"
                .to_owned()
        )]
    );
    let optional = run(
        "version: 1\nbudgets:\n  - metric: lcp\n    url: \"*/checkout*\"\n    max: 2s\n    optional: true\n",
        &json,
    );
    assert_eq!(optional.checks[0].verdict, Verdict::Green);
    assert!(optional.checks[0].message.starts_with("not checked (optional): no measurement matched lcp"));
}

#[test]
fn a_missing_stat_names_the_stats_there_are() {
    let json = r#"[{"source":"k6","metric":"http_req_duration","stat":"p(95)","value":250,"unit":"ms"},
                   {"source":"k6","metric":"http_req_duration","stat":"avg","value":90,"unit":"ms"}]"#;
    let evaluation = run("api_p99: 500ms", json);
    assert_eq!(
        evaluation.checks[0].message,
        "no measurement matched http_req_duration p(99); http_req_duration is there with avg, p(95); \
         a k6 summary holds only the stats of summaryTrendStats: add the missing one with \
         `k6 run --summary-trend-stats=\"avg,min,med,max,p(90),p(95),p(99)\"`, or give perfbudget the \
         `--out json` stream, from which any statistic is computed"
    );
}

#[test]
fn missing_inp_suggests_tbt() {
    let evaluation = run("version: 1\nextends: [core-web-vitals]\n", &format!("[{}]", lcp("https://a/", 1000.0)));
    let inp = evaluation.checks.iter().find(|c| c.metric == "inp").unwrap();
    assert_eq!(inp.verdict, Verdict::Red);
    assert_eq!(
        inp.message,
        "no data for inp: lab INP exists only in timespan steps of a user flow; use tbt as the lab proxy, \
         or feed a user flow or field data (PageSpeed Insights, CrUX)"
    );
    let empty = run("lcp: 1s", "[]");
    assert_eq!(empty.checks[0].message, "no measurement matched lcp; the inputs hold no measurements");
}

#[test]
fn repeated_runs_combine_by_the_aggregate() {
    let json = format!("[{},{},{}]", lcp("https://a/", 3000.0), lcp("https://a/", 2000.0), lcp("https://a/", 2600.0));
    let with = |aggregate: &str| {
        run(&format!("version: 1\nbudgets:\n  - metric: lcp\n    max: 2.5s\n    aggregate: {aggregate}\n"), &json)
    };
    let median = with("median");
    assert_eq!(median.checks.len(), 1);
    assert_eq!(median.checks[0].value, Some(2600.0));
    assert_eq!(median.checks[0].runs, vec![3000.0, 2000.0, 2600.0]);
    assert_eq!(median.checks[0].message, "LCP 2.6 s is 4% over the 2.5 s limit (median of 3 runs)");
    assert_eq!(with("optimistic").checks[0].value, Some(2000.0));
    assert_eq!(with("pessimistic").checks[0].value, Some(3000.0));
    let even = format!("[{},{}]", lcp("https://a/", 1000.0), lcp("https://a/", 2000.0));
    assert_eq!(run("lcp: 2.5s", &even).checks[0].value, Some(1500.0));
    // For a higher-is-better metric the optimistic run is the highest.
    let scores = r#"[{"source":"l","metric":"score","value":70,"unit":"number"},{"source":"l","metric":"score","value":95,"unit":"number"}]"#;
    let best = run("version: 1\nbudgets:\n  - metric: score\n    min: 90\n    aggregate: optimistic\n", scores);
    assert_eq!(best.checks[0].value, Some(95.0));
}

#[test]
fn bundle_sizes_sum_unless_each() {
    let file = |path: &str, bytes: u64, stat: &str| {
        format!(
            r#"{{"source":"bundle","metric":"bundle_size","stat":"{stat}","subject":{{"file":"{path}"}},"value":{bytes},"unit":"B"}}"#
        )
    };
    let json = format!(
        "[{},{},{},{},{}]",
        file("dist/a.js", 60_000, "brotli"),
        file("dist/b.js", 70_000, "brotli"),
        file("dist/a.css", 90_000, "brotli"),
        file("dist/a.js", 200_000, "gzip"),
        file("dist/b.js", 210_000, "gzip")
    );
    let summed = run("bundle_size: 150kb", &json);
    assert_eq!(summed.checks.len(), 1);
    assert_eq!(summed.checks[0].value, Some(130_000.0));
    assert_eq!(&summed.checks[0].subject["files"], "**/*.js");
    assert_eq!(summed.checks[0].message, "Bundle size (brotli) 130 kB is 13% under the 150 kB limit (2 files)");
    let each = run(
        "version: 1\nbudgets:\n  - metric: bundle_size\n    files: [\"dist/*.js\"]\n    compression: gzip\n    each: true\n    max: 205kB\n",
        &json,
    );
    let rows: Vec<(&str, Verdict)> = each.checks.iter().map(|c| (&c.subject["file"], c.verdict)).collect();
    assert_eq!(rows, vec![("dist/a.js", Verdict::Yellow), ("dist/b.js", Verdict::Red)]);
}

#[test]
fn a_k6_limit_in_the_wrong_dimension_is_red() {
    let json = r#"[{"source":"k6","metric":"http_reqs","stat":"rate","value":120,"unit":"/s"}]"#;
    let evaluation =
        run("version: 1\nbudgets:\n  - metric: k6\n    k6_metric: http_reqs\n    stat: rate\n    max: 300ms\n", json);
    assert_eq!(
        verdicts(&evaluation),
        vec![(
            Verdict::Red,
            "http_reqs rate is a rate (/s) but the budget's limit is a time: the limit cannot apply".to_owned()
        )]
    );
    let evaluation =
        run("version: 1\nbudgets:\n  - metric: k6\n    k6_metric: http_reqs\n    stat: rate\n    min: 100/s\n", json);
    assert_eq!(evaluation.checks[0].message, "http_reqs rate 120/s is 20% above the 100/s minimum");
}

fn baseline_of(yaml: &str, json: &str) -> Baseline {
    let report = Report::new(run(yaml, json), BudgetInfo { name: None, file: "base.yml".into() });
    Baseline::from_report(&report)
}

#[test]
fn regressions_against_the_baseline() {
    let yaml = "version: 1\nbudgets:\n  - metric: api_p95\n    max: 500ms\n    regression: 10%\n";
    let p95 = |ms: f64| {
        format!(r#"[{{"source":"k6","metric":"http_req_duration","stat":"p(95)","value":{ms},"unit":"ms"}}]"#)
    };
    let baseline = baseline_of(yaml, &p95(100.0));
    let cases = [
        (
            112.0,
            Verdict::Red,
            "API p95 112 ms is 12% worse than the baseline 100 ms (allowed: 10%); API p95 112 ms is 78% under the 500 ms limit",
        ),
        (
            105.0,
            Verdict::Green,
            "API p95 105 ms is 79% under the 500 ms limit; API p95 is 5% worse than the baseline 100 ms, within the allowed 10%",
        ),
        (
            90.0,
            Verdict::Green,
            "API p95 90 ms is 82% under the 500 ms limit; API p95 is 10% better than the baseline 100 ms",
        ),
    ];
    for (value, verdict, message) in cases {
        let evaluation = evaluate(&budget(yaml), &measurements(&p95(value)), Some(&baseline)).unwrap();
        assert_eq!(verdicts(&evaluation), vec![(verdict, message.to_owned())], "{value}");
        assert_eq!(evaluation.checks[0].baseline, Some(100.0));
    }
    let red = evaluate(&budget(yaml), &measurements(&p95(112.0)), Some(&baseline)).unwrap();
    assert!((red.checks[0].change.unwrap() - 0.12).abs() < 1e-12);
}

#[test]
fn regression_needs_a_baseline_and_new_subjects_pass() {
    let yaml = "version: 1\nbudgets:\n  - metric: bench_time\n    regression: 5%\n";
    let bench = |id: &str| {
        format!(r#"[{{"source":"criterion","metric":"bench_time","subject":{{"id":"{id}"}},"value":100,"unit":"ns"}}]"#)
    };
    let none = run(yaml, &bench("a"));
    assert_eq!(
        verdicts(&none),
        vec![(Verdict::Yellow, "Bench time regression not checked: no --baseline report given".to_owned())]
    );
    let baseline = baseline_of(yaml, &bench("a"));
    let new = evaluate(&budget(yaml), &measurements(&bench("b")), Some(&baseline)).unwrap();
    assert_eq!(
        verdicts(&new),
        vec![(Verdict::Green, "Bench time is new: the baseline has no value to compare with".to_owned())]
    );
}

#[test]
fn higher_is_better_regressions_are_drops() {
    let yaml = "version: 1\nbudgets:\n  - metric: throughput\n    regression: 10%\n";
    let rate =
        |value: f64| format!(r#"[{{"source":"k6","metric":"http_reqs","stat":"rate","value":{value},"unit":"/s"}}]"#);
    let baseline = baseline_of(yaml, &rate(1000.0));
    let evaluation = evaluate(&budget(yaml), &measurements(&rate(850.0)), Some(&baseline)).unwrap();
    assert_eq!(
        verdicts(&evaluation),
        vec![(Verdict::Red, "Throughput 850/s is 15% lower than the baseline 1000/s (allowed: 10%)".to_owned())]
    );
}

#[test]
fn the_overall_verdict_is_the_worst() {
    let json = format!("[{},{}]", lcp("https://a/", 1000.0), lcp("https://b/", 2400.0));
    let evaluation = run("lcp: 2.5s", &json);
    assert_eq!(evaluation.verdict(), Verdict::Yellow);
    assert_eq!((evaluation.count(Verdict::Green), evaluation.count(Verdict::Yellow)), (1, 1));
    assert_eq!(Evaluation::default().verdict(), Verdict::Green);
}

#[test]
fn evaluation_is_deterministic_whatever_the_input_order() {
    let forward = format!("[{},{},{}]", lcp("https://c/", 1.0), lcp("https://a/", 2.0), lcp("https://b/", 3.0));
    let backward = format!("[{},{},{}]", lcp("https://b/", 3.0), lcp("https://a/", 2.0), lcp("https://c/", 1.0));
    assert_eq!(run("lcp: 2.5s", &forward), run("lcp: 2.5s", &backward));
}

/// A Lighthouse run as measurements: fcp, tti, lcp (optional) and score of one file.
fn lighthouse_run(origin: &str, fcp: f64, tti: f64, lcp: Option<f64>, score: f64) -> String {
    let m = |metric: &str, value: f64, unit: &str| {
        format!(
            r#"{{"source":"lighthouse","metric":"{metric}","subject":{{"url":"https://a/"}},"value":{value},"unit":"{unit}","origin":"{origin}"}}"#
        )
    };
    let mut rows = vec![m("fcp", fcp, "ms"), m("tti", tti, "ms"), m("score", score, "number")];
    if let Some(lcp) = lcp {
        rows.push(m("lcp", lcp, "ms"));
    }
    rows.join(",")
}

#[test]
fn median_run_takes_the_value_of_lighthouse_cis_representative_run() {
    // Medians: FCP 1100, TTI 5200. Distances²: run1 100²+200², run2 100²+0², run3 0²+800².
    let json = format!(
        "[{},{},{}]",
        lighthouse_run("run1.json", 1000.0, 5000.0, Some(2000.0), 90.0),
        lighthouse_run("run2.json", 1200.0, 5200.0, Some(3000.0), 80.0),
        lighthouse_run("run3.json", 1100.0, 6000.0, Some(2500.0), 95.0)
    );
    let with = |aggregate: &str, metric: &str, limit: &str| {
        let key = if metric == "score" { "min" } else { "max" };
        run(
            &format!("version: 1\nbudgets:\n  - metric: {metric}\n    {key}: {limit}\n    aggregate: {aggregate}\n"),
            &json,
        )
    };
    let median_run = with("median-run", "lcp", "4s");
    assert_eq!(median_run.checks[0].value, Some(3000.0), "run2 is representative");
    assert!(
        median_run.checks[0].message.ends_with("(representative run run2.json of 3 runs)"),
        "{}",
        median_run.checks[0].message
    );
    assert_eq!(with("median", "lcp", "4s").checks[0].value, Some(2500.0));
    // Lighthouse CI's categories take the highest score over all runs for median-run.
    let score = with("median-run", "score", "50");
    assert_eq!(score.checks[0].value, Some(95.0));
    assert!(score.checks[0].message.ends_with("(highest, as Lighthouse CI of 3 runs)"));
}

#[test]
fn median_run_of_an_even_count_uses_the_upper_median() {
    // Two runs: the medians are the larger values (index floor(2/2) = 1), so run2 is chosen.
    let json = format!(
        "[{},{}]",
        lighthouse_run("run1.json", 1000.0, 5000.0, Some(2000.0), 90.0),
        lighthouse_run("run2.json", 1200.0, 5200.0, Some(3000.0), 80.0)
    );
    let evaluation = run("version: 1\nbudgets:\n  - metric: lcp\n    max: 4s\n    aggregate: median-run\n", &json);
    assert_eq!(evaluation.checks[0].value, Some(3000.0));
}

#[test]
fn a_representative_run_without_the_metric_fails() {
    let json = format!(
        "[{},{},{}]",
        lighthouse_run("run1.json", 1000.0, 5000.0, Some(2000.0), 90.0),
        lighthouse_run("run2.json", 1200.0, 5200.0, None, 80.0),
        lighthouse_run("run3.json", 1100.0, 6000.0, Some(2500.0), 95.0)
    );
    let evaluation = run("version: 1\nbudgets:\n  - metric: lcp\n    max: 4s\n    aggregate: median-run\n", &json);
    assert_eq!(
        verdicts(&evaluation),
        vec![(
            Verdict::Red,
            "no data: the representative run (run2.json) has no lcp value, and Lighthouse CI fails that too".to_owned()
        )]
    );
}

fn lcp_run(origin: &str, value: Option<f64>) -> String {
    match value {
        Some(ms) => format!(
            r#"{{"source":"lighthouse","metric":"lcp","subject":{{"url":"https://a/"}},"value":{ms},"unit":"ms","origin":"{origin}"}}"#
        ),
        None => format!(
            r#"{{"source":"lighthouse","metric":"lcp","subject":{{"url":"https://a/"}},"value":null,"no_data":"Lighthouse's audit errored: NO_LCP","unit":"ms","origin":"{origin}"}}"#
        ),
    }
}

#[test]
fn runs_without_a_value_follow_lighthouse_ci() {
    let budget = |aggregate: &str, optional: bool| {
        format!(
            "version: 1\nbudgets:\n  - metric: lcp\n    max: 4s\n    aggregate: {aggregate}\n    optional: {optional}\n"
        )
    };
    let none = format!("[{},{}]", lcp_run("a.json", None), lcp_run("b.json", None));
    assert_eq!(
        verdicts(&run(&budget("median", false), &none)),
        vec![(Verdict::Red, "no data: Lighthouse's audit errored: NO_LCP".to_owned())]
    );
    assert_eq!(
        verdicts(&run(&budget("median", true), &none)),
        vec![(Verdict::Green, "not checked (optional): no data: Lighthouse's audit errored: NO_LCP".to_owned())]
    );
    let some = format!(
        "[{},{},{}]",
        lcp_run("a.json", Some(1000.0)),
        lcp_run("b.json", None),
        lcp_run("c.json", Some(3000.0))
    );
    let median = run(&budget("median", false), &some);
    assert_eq!(median.checks[0].value, Some(2000.0), "the runs with a value");
    assert_eq!(median.checks[0].runs, vec![1000.0, 3000.0]);
    assert_eq!(
        verdicts(&run(&budget("pessimistic", false), &some)),
        vec![(
            Verdict::Red,
            "no data in 1 of 3 runs (Lighthouse's audit errored: NO_LCP): pessimistic counts a run without a value as failed"
                .to_owned()
        )]
    );
    assert_eq!(run(&budget("optimistic", false), &some).checks[0].value, Some(1000.0));
}

fn bench_at(ns: f64, lower: f64, upper: f64) -> String {
    format!(
        r#"[{{"source":"criterion","metric":"bench_time","stat":"typical","subject":{{"id":"parse"}},"value":{ns},"unit":"ns","lower":{lower},"upper":{upper}}}]"#
    )
}

#[test]
fn regressions_with_intervals_are_red_only_when_real() {
    let yaml = "version: 1\nbudgets:\n  - metric: bench_time\n    regression: 10%\n";
    let baseline = baseline_of(yaml, &bench_at(100.0, 98.0, 102.0));
    let cases = [
        // 20% slower, intervals apart: a real regression beyond the allowance.
        (
            bench_at(120.0, 118.0, 122.0),
            Verdict::Red,
            "Bench time 120 ns is 20% worse than the baseline 100 ns (allowed: 10%), and the 95% intervals do not overlap",
        ),
        // 20% slower, but so noisy that the intervals overlap: re-run.
        (
            bench_at(120.0, 90.0, 150.0),
            Verdict::Yellow,
            "inconclusive: re-run: Bench time 120 ns is 20% worse than the baseline 100 ns (allowed: 10%), but the 95% intervals overlap",
        ),
        // 5% slower and real: allowed, but worth a look.
        (
            bench_at(105.0, 104.0, 106.0),
            Verdict::Yellow,
            "Bench time 105 ns is 5% worse than the baseline 100 ns: a real change (the 95% intervals do not overlap), within the allowed 10%",
        ),
        // 1% slower within the noise.
        (
            bench_at(101.0, 99.0, 103.0),
            Verdict::Green,
            "Bench time is 1% worse than the baseline 100 ns, within the allowed 10%",
        ),
        // Faster.
        (bench_at(80.0, 79.0, 81.0), Verdict::Green, "Bench time is 20% better than the baseline 100 ns"),
    ];
    for (json, verdict, message) in cases {
        let evaluation = evaluate(&budget(yaml), &measurements(&json), Some(&baseline)).unwrap();
        assert_eq!(verdicts(&evaluation), vec![(verdict, message.to_owned())]);
    }
}

#[test]
fn a_baseline_at_or_below_zero_is_compared_plainly_never_as_a_relative_change() {
    // k6 reports negative durations; a relative change from one flips its sign.
    let yaml = "version: 1\nbudgets:\n  - metric: api_p95\n    regression: 10%\n";
    let p95 = |ms: f64| {
        format!(r#"[{{"source":"k6","metric":"http_req_duration","stat":"p(95)","value":{ms},"unit":"ms"}}]"#)
    };
    let baseline = baseline_of(yaml, &p95(-401.0));
    let slower = evaluate(&budget(yaml), &measurements(&p95(250.0)), Some(&baseline)).unwrap();
    assert_eq!(
        verdicts(&slower),
        vec![(
            Verdict::Yellow,
            "API p95 250 ms is worse than the baseline -401 ms, from which no relative change can be computed \
             (it is not above 0): the allowed 10% cannot be checked"
                .to_owned()
        )]
    );
    assert_eq!(slower.checks[0].change, None, "no relative change is reported");
    let faster = evaluate(&budget(yaml), &measurements(&p95(-500.0)), Some(&baseline)).unwrap();
    assert_eq!(
        verdicts(&faster),
        vec![(Verdict::Green, "API p95 -500 ms is better than the baseline -401 ms".to_owned())]
    );
    let zero = baseline_of(yaml, &p95(0.0));
    let from_zero = evaluate(&budget(yaml), &measurements(&p95(5.0)), Some(&zero)).unwrap();
    assert_eq!(from_zero.checks[0].verdict, Verdict::Yellow, "{}", from_zero.checks[0].message);
    let still_zero = evaluate(&budget(yaml), &measurements(&p95(0.0)), Some(&zero)).unwrap();
    assert_eq!(verdicts(&still_zero), vec![(Verdict::Green, "API p95 0 ms is the same as the baseline".to_owned())]);
}

#[test]
fn a_regression_only_k6_entry_compares_in_the_measurements_unit() {
    let yaml = "version: 1\nbudgets:\n  - metric: k6\n    k6_metric: http_req_duration\n    stat: p(95)\n    regression: 10%\n";
    let p95 = r#"[{"source":"k6","metric":"http_req_duration","stat":"p(95)","value":120,"unit":"ms"}]"#;
    let baseline = baseline_of(yaml, p95);
    let same = evaluate(&budget(yaml), &measurements(p95), Some(&baseline)).unwrap();
    assert_eq!(
        verdicts(&same),
        vec![(Verdict::Green, "http_req_duration p(95) 120 ms is the same as the baseline".to_owned())]
    );
}

#[test]
fn a_median_of_two_huge_values_does_not_overflow() {
    let json = format!("[{},{}]", lcp("https://a/", 1e299), lcp("https://a/", 1e299));
    let evaluation = run("version: 1\nbudgets:\n  - metric: lcp\n    max: 2.5s\n    aggregate: median\n", &json);
    assert_eq!(evaluation.checks[0].verdict, Verdict::Red);
    assert_eq!(evaluation.checks[0].value, Some(1e299));
}

#[test]
fn a_statistic_the_load_tool_does_not_report_is_red_naming_what_it_does() {
    // autocannon reports no p95; its adapter writes the canonical names for the rest.
    let stats = ["p(50)", "p(90)", "p(99)", "avg", "max", "min"];
    let rows: Vec<String> = stats
        .iter()
        .map(|stat| {
            format!(r#"{{"source":"autocannon","metric":"http_req_duration","stat":"{stat}","value":12,"unit":"ms"}}"#)
        })
        .collect();
    let evaluation = run("version: 1\nlimits:\n  api_p95: 100ms\n", &format!("[{}]", rows.join(",")));
    assert_eq!(
        verdicts(&evaluation),
        vec![(
            Verdict::Red,
            "no measurement matched http_req_duration p(95); http_req_duration is there with avg, max, min, p(50), \
             p(90), p(99); autocannon reports no p95 (its percentiles nearest it are p(90) and p(97.5)): use \
             api_p90 or api_p99, or `metric: k6` with `k6_metric: http_req_duration` and `stat: p(97.5)`"
                .to_owned()
        )]
    );
}

#[test]
fn without_a_baseline_criterion_s_own_comparison_judges_a_regression() {
    let yaml = "version: 1\nbudgets:\n  - metric: bench_time\n    max: 1ms\n    regression: 10%\n";
    let input = |mean: f64, lower: f64, upper: f64| {
        format!(
            r#"[{{"source":"criterion","metric":"bench_time","stat":"typical","subject":{{"id":"parse"}},"value":0.5,"unit":"ms"}},
               {{"source":"criterion","metric":"criterion_change","stat":"mean","subject":{{"id":"parse"}},"value":{mean},"lower":{lower},"upper":{upper},"unit":"number"}}]"#
        )
    };
    let cases = [
        (
            (0.15, 0.12, 0.18),
            Verdict::Red,
            "Bench time is slower by criterion's own comparison with its previous run: mean +15% [+12%, +18%], beyond \
             the allowed 10%, and real; Bench time 500 µs is 50% under the 1 ms limit",
        ),
        (
            (0.15, -0.02, 0.30),
            Verdict::Yellow,
            "inconclusive: re-run: Bench time is slower by criterion's own comparison with its previous run: mean +15% \
             [-2%, +30%], beyond the allowed 10% but within noise; Bench time 500 µs is 50% under the 1 ms limit",
        ),
        (
            (0.05, 0.03, 0.07),
            Verdict::Yellow,
            "Bench time is slower by criterion's own comparison with its previous run: mean +5% [+3%, +7%]: a real \
             change, within the allowed 10%; Bench time 500 µs is 50% under the 1 ms limit",
        ),
        (
            (-0.2, -0.25, -0.15),
            Verdict::Green,
            "Bench time 500 µs is 50% under the 1 ms limit; Bench time is faster by criterion's own comparison with \
             its previous run: mean -20% [-25%, -15%], within the allowed 10%",
        ),
    ];
    for ((mean, lower, upper), verdict, message) in cases {
        let evaluation = run(yaml, &input(mean, lower, upper));
        assert_eq!(verdicts(&evaluation), vec![(verdict, message.to_owned())], "{mean}");
        assert_eq!(evaluation.checks[0].change, Some(mean));
    }
    // A baseline report, when given, is what the run is compared with.
    let with_baseline = evaluate(&budget(yaml), &measurements(&input(0.15, 0.12, 0.18)), Some(&Baseline::default()));
    assert_eq!(with_baseline.unwrap().checks[0].verdict, Verdict::Green);
}

#[test]
fn a_level_warn_entry_is_yellow_at_most_even_with_no_data() {
    let yaml = "version: 1\nbudgets:\n  - { metric: lcp, max: 2.5s, level: warn }\n  - { metric: fcp, max: 1s, level: warn }\n  - { metric: tbt, max: 1ms, level: error }\n";
    let evaluation = run(yaml, &format!("[{}]", lcp("https://a/", 3100.0)));
    assert_eq!(
        verdicts(&evaluation),
        vec![
            (Verdict::Yellow, "LCP 3.1 s is 24% over the 2.5 s limit (level: warn, so yellow)".to_owned()),
            (
                Verdict::Yellow,
                format!(
                    "{} (level: warn, so yellow)",
                    evaluation.checks[1].message.trim_end_matches(" (level: warn, so yellow)")
                )
            ),
            (Verdict::Red, evaluation.checks[2].message.clone()),
        ]
    );
    assert!(evaluation.checks[1].message.starts_with("no measurement matched"), "{}", evaluation.checks[1].message);
    let green = run(yaml, &format!("[{}]", lcp("https://a/", 1000.0)));
    assert_eq!(green.checks[0].verdict, Verdict::Green);
    assert_eq!(green.checks[0].message, "LCP 1 s is 60% under the 2.5 s limit");
}
