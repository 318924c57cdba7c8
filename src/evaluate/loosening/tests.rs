use std::path::Path;

use super::*;
use crate::budget;
use crate::ingest::measurements::parse;
use crate::report::json::{BudgetInfo, Report};

const MEASURED: &str = r#"[
  {"source":"k6","metric":"http_req_duration","stat":"p(95)","subject":{},"value":90,"unit":"ms"},
  {"source":"lighthouse","metric":"lcp","subject":{"url":"https://a/"},"value":2000,"unit":"ms"},
  {"source":"lighthouse","metric":"score","subject":{"url":"https://a/"},"value":95,"unit":"number"}
]"#;

fn budget(yaml: &str) -> Budget {
    budget::parse_str(yaml, "perfbudget.yml", Path::new("")).unwrap()
}

/// The baseline a run of `yaml` over [`MEASURED`] leaves: its JSON report, read back.
fn baseline_of(yaml: &str) -> Baseline {
    let evaluation = crate::evaluate::evaluate(&budget(yaml), &parse(MEASURED).unwrap(), None).unwrap();
    let report = Report::new(evaluation, BudgetInfo { name: None, file: "perfbudget.yml".into() });
    let text = serde_json::to_string(&report).unwrap();
    Baseline::from_report(&serde_json::from_str(&text).unwrap())
}

/// (budget, verdict, message) of each loosening row of `now` against a run of `before`.
fn rows(before: &str, now: &str, approved: bool) -> Vec<(String, Verdict, String)> {
    loosened(&budget(now), &baseline_of(before), approved)
        .into_iter()
        .map(|row| (row.budget, row.verdict, row.message))
        .collect()
}

fn row(budget: &str, verdict: Verdict, message: &str) -> (String, Verdict, String) {
    (budget.to_owned(), verdict, message.to_owned())
}

const BEFORE: &str = "version: 1\nlimits:\n  api_p95: 100ms\n  lcp: 2.5s\n  score: 90\n";

#[test]
fn the_same_or_tighter_limits_make_no_row() {
    assert_eq!(rows(BEFORE, BEFORE, false), vec![]);
    assert_eq!(rows(BEFORE, "version: 1\nlimits:\n  api_p95: 0.09s\n  lcp: 2500ms\n  score: 95\n", false), vec![]);
}

#[test]
fn each_kind_of_loosening_is_a_yellow_row_by_default() {
    let now = "version: 1\nlimits:\n  api_p95: 150ms\n  lcp: 2.5s\n  score: 80\n";
    let hint = "(loosening: warn; approve with --allow-loosening)";
    assert_eq!(
        rows(BEFORE, now, false),
        vec![
            row("api_p95", Verdict::Yellow, &format!("limit loosened from 100 ms to 150 ms {hint}")),
            row("score", Verdict::Yellow, &format!("minimum loosened from 90 to 80 {hint}")),
        ]
    );
    // A removed budget; a band that starts later at the same limit; a larger regression.
    let before = "version: 1\nbudgets:\n  - name: API\n    metric: api_p95\n    max: 100ms\n    warn: 80ms\n    \
                  regression: 5%\n  - metric: lcp\n    max: 2.5s\n";
    let now = "version: 1\nbudgets:\n  - name: API\n    metric: api_p95\n    max: 100ms\n    warn: 95ms\n    \
               regression: 10%\n";
    assert_eq!(
        rows(before, now, false),
        vec![
            row("API", Verdict::Yellow, &format!("warn loosened from 80 ms to 95 ms {hint}")),
            row("API", Verdict::Yellow, &format!("regression allowance loosened from 5% to 10% {hint}")),
            row("lcp", Verdict::Yellow, &format!("budget removed (its limit was ≤ 2.5 s) {hint}")),
        ]
    );
    // A limit or regression that is gone while the budget stays.
    let now = "version: 1\nbudgets:\n  - name: API\n    metric: api_p95\n    regression: 5%\n  - metric: lcp\n    \
               max: 2.5s\n";
    assert_eq!(rows(before, now, false), vec![row("API", Verdict::Yellow, &format!("limit ≤ 100 ms removed {hint}"))]);
    let now = "version: 1\nbudgets:\n  - name: API\n    metric: api_p95\n    max: 100ms\n    warn: 80ms\n  - metric: \
               lcp\n    max: 2.5s\n";
    assert_eq!(
        rows(before, now, false),
        vec![row("API", Verdict::Yellow, &format!("regression allowance of 5% removed {hint}"))]
    );
}

#[test]
fn a_percentage_band_moves_with_its_limit_and_is_not_a_second_row() {
    let before = "version: 1\ndefaults: { warn: 10% }\nlimits:\n  api_p95: 100ms\n";
    let now = "version: 1\ndefaults: { warn: 5% }\nlimits:\n  api_p95: 120ms\n";
    let hint = "(loosening: warn; approve with --allow-loosening)";
    assert_eq!(
        rows(before, now, false),
        vec![row("api_p95", Verdict::Yellow, &format!("limit loosened from 100 ms to 120 ms {hint}"))]
    );
}

#[test]
fn the_policy_and_the_approval_set_the_verdict() {
    let now = |policy: &str| format!("version: 1\ndefaults: {{ loosening: {policy} }}\nlimits:\n  api_p95: 150ms\n");
    let verdicts = |text: &str, approved: bool| -> Vec<Verdict> {
        rows(BEFORE, text, approved).into_iter().map(|(_, verdict, _)| verdict).collect()
    };
    // api_p95 loosened; lcp and score removed: three rows.
    assert_eq!(verdicts(&now("fail"), false), vec![Verdict::Red; 3]);
    assert_eq!(verdicts(&now("allow"), false), vec![Verdict::Green; 3]);
    assert_eq!(verdicts(&now("fail"), true), vec![Verdict::Green; 3]);
    assert_eq!(
        rows(BEFORE, &now("fail"), true)[0].2,
        "limit loosened from 100 ms to 150 ms (approved with --allow-loosening)"
    );
    assert_eq!(rows(BEFORE, &now("allow"), false)[0].2, "limit loosened from 100 ms to 150 ms (loosening: allow)");
    // An entry's own policy is over the defaults'; removed budgets take the defaults'.
    let own = "version: 1\ndefaults: { loosening: allow }\nbudgets:\n  - metric: api_p95\n    max: 150ms\n    \
               loosening: fail\n";
    assert_eq!(verdicts(own, false), vec![Verdict::Red, Verdict::Green, Verdict::Green]);
}

#[test]
fn a_renamed_or_retargeted_budget_reads_as_removed() {
    let before = "version: 1\nbudgets:\n  - name: API\n    metric: api_p95\n    max: 100ms\n";
    let now = "version: 1\nbudgets:\n  - name: API\n    metric: api_p99\n    max: 100ms\n";
    assert_eq!(
        rows(before, now, true),
        vec![row("API", Verdict::Green, "budget removed (its limit was ≤ 100 ms) (approved with --allow-loosening)")]
    );
}

#[test]
fn the_rows_carry_what_loosened_in_their_unit() {
    let now = "version: 1\nlimits:\n  api_p95: 150ms\n  lcp: 2.5s\n  score: 90\n";
    let found = loosened(&budget(now), &baseline_of(BEFORE), false);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].unit, crate::quantity::Unit::Ms);
    assert_eq!(found[0].loosened, Some(Loosened { what: LooseningKind::Max, from: Some(100.0), to: Some(150.0) }));
    assert_eq!(found[0].limit, Some(LimitValue::Max(150.0)));
}

#[test]
fn a_baseline_that_is_not_a_report_says_nothing_of_limits() {
    let saved = Baseline::from_measurements(&parse(MEASURED).unwrap());
    assert_eq!(loosened(&budget(BEFORE), &saved, false), vec![]);
}

#[test]
fn rows_of_one_label_that_disagree_are_not_compared() {
    let before = "version: 1\nbudgets:\n  - name: API\n    metric: api_p95\n    max: 100ms\n  - name: API\n    metric: \
                  api_p95\n    max: 200ms\n";
    let now = "version: 1\nbudgets:\n  - name: API\n    metric: api_p95\n    max: 300ms\n";
    assert_eq!(rows(before, now, false), vec![]);
}

#[test]
fn a_regression_only_entry_of_a_generic_metric_is_the_same_budget() {
    let before =
        "version: 1\nbudgets:\n  - { metric: k6, k6_metric: http_req_duration, stat: p(95), regression: 10% }\n";
    assert_eq!(rows(before, before, false), vec![]);
    // A k6 limit whose unit changed is replaced, not compared.
    let before =
        "version: 1\nbudgets:\n  - { name: K, metric: k6, k6_metric: http_req_duration, stat: p(95), max: 100ms }\n";
    let now =
        "version: 1\nbudgets:\n  - { name: K, metric: k6, k6_metric: http_req_duration, stat: p(95), max: 100 }\n";
    assert_eq!(
        rows(before, now, true),
        vec![row("K", Verdict::Green, "limit ≤ 100 ms replaced by ≤ 100 (approved with --allow-loosening)")]
    );
}
