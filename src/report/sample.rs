//! One evaluation every renderer's snapshot tests share: three red, two yellow, three
//! green, and a subject carrying every markup and command-injection trick.

use std::path::Path;

use super::json::{BudgetInfo, Report};
use crate::budget;
use crate::evaluate::evaluate;
use crate::ingest::measurements;

pub(crate) const HOSTILE_URL: &str = "https://x.example/a|b `tick` <!-- hide @someone [x](https://evil.example)\n::error::forged %0A \u{1b}[31mred\u{1b}[0m ##[warning]y";

pub(crate) fn report() -> Report {
    let budget = budget::parse_str(
        r#"
version: 1
name: Shop
limits:
  lcp: 2.5s
  cls: 0.1
  api_p95: 300ms
budgets:
  - name: Checkout LCP
    metric: lcp
    url: "*/checkout*"
    max: 2.0s
  - metric: score
    min: 90
  - metric: bench_time
    id: "parse/*"
    max: 2ms
"#,
        "perfbudget.yml",
        Path::new(""),
    )
    .expect("sample budget loads");
    let hostile = serde_json::to_string(HOSTILE_URL).expect("string encodes");
    let text = format!(
        r#"[
  {{"source":"lighthouse","metric":"lcp","subject":{{"url":"https://shop.example/"}},"value":1800,"unit":"ms","origin":"lhr-home.json"}},
  {{"source":"lighthouse","metric":"lcp","subject":{{"url":"https://shop.example/checkout"}},"value":2400,"unit":"ms","origin":"lhr-checkout.json"}},
  {{"source":"lighthouse","metric":"cls","subject":{{"url":"https://shop.example/"}},"value":0.05,"unit":"number"}},
  {{"source":"lighthouse","metric":"cls","subject":{{"url":{hostile}}},"value":0.3,"unit":"number"}},
  {{"source":"k6","metric":"http_req_duration","stat":"p(95)","subject":{{"name":"GET /api/users"}},"value":280,"unit":"ms"}},
  {{"source":"criterion","metric":"bench_time","subject":{{"id":"parse/csv"}},"value":1500000,"unit":"ns","lower":1480000,"upper":1530000}}
]"#
    );
    let measurements = measurements::parse(&text).expect("sample measurements parse");
    let evaluation = evaluate(&budget, &measurements, None).expect("the sample is small");
    Report::new(evaluation, BudgetInfo { name: budget.name.clone(), file: budget.file.clone() })
}

/// A run whose budget loosened against a run of the [`report`] budget: api_p95 from 300 ms
/// to 400 ms, checkout's LCP from 2 s to 2.2 s (approved-free: a red `fail` policy), a
/// band that starts later, and the score and a budget of a hostile name removed.
pub(crate) fn loosened_report() -> Report {
    let before = budget::parse_str(
        r#"
version: 1
limits:
  api_p95: 300ms
budgets:
  - name: Checkout LCP
    metric: lcp
    url: "*/checkout*"
    max: 2.0s
  - metric: score
    min: 90
  - name: "`x` @someone <b>|[y](https://evil.example)"
    metric: cls
    max: 0.1
  - metric: bench_time
    id: "parse/*"
    max: 2ms
    warn: 1.5ms
"#,
        "perfbudget.yml",
        Path::new(""),
    )
    .expect("sample budget loads");
    let now = budget::parse_str(
        r#"
version: 1
limits:
  api_p95: 400ms
budgets:
  - name: Checkout LCP
    metric: lcp
    url: "*/checkout*"
    max: 2.2s
    loosening: fail
  - metric: bench_time
    id: "parse/*"
    max: 2ms
    warn: 1.8ms
"#,
        "perfbudget.yml",
        Path::new(""),
    )
    .expect("sample budget loads");
    let text = r#"[
  {"source":"lighthouse","metric":"lcp","subject":{"url":"https://shop.example/checkout"},"value":2100,"unit":"ms"},
  {"source":"lighthouse","metric":"cls","subject":{"url":"https://shop.example/"},"value":0.05,"unit":"number"},
  {"source":"lighthouse","metric":"score","subject":{"url":"https://shop.example/"},"value":95,"unit":"number"},
  {"source":"k6","metric":"http_req_duration","stat":"p(95)","subject":{"name":"GET /api/users"},"value":280,"unit":"ms"},
  {"source":"criterion","metric":"bench_time","subject":{"id":"parse/csv"},"value":1500000,"unit":"ns","lower":1480000,"upper":1530000}
]"#;
    let measurements = measurements::parse(text).expect("sample measurements parse");
    let base = Report::new(
        evaluate(&before, &measurements, None).expect("the sample is small"),
        BudgetInfo { name: None, file: before.file.clone() },
    );
    let baseline = crate::model::baseline::Baseline::from_report(&base);
    let mut evaluation = evaluate(&now, &measurements, Some(&baseline)).expect("the sample is small");
    evaluation.checks.extend(crate::evaluate::loosening::loosened(&now, &baseline, false));
    Report::new(evaluation, BudgetInfo { name: Some("Shop".into()), file: now.file.clone() })
}
