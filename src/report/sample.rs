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
