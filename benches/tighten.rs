//! `tighten`'s own work on a large budget: finding every limit's position (saphyr-parser
//! events), the plan, the rewrite and reading the new text back twice (the check that the
//! file stays the same budget). 10,000 long-form entries (1.2 MB), each measured.

#![allow(clippy::unwrap_used, missing_docs)]

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};

use perfbudget::budget::{self, tighten};
use perfbudget::model::CheckResult;
use perfbudget::quantity::Unit;

const ENTRIES: usize = 10_000;

fn budget_text() -> String {
    let mut text = String::from("# A large budget: one entry per endpoint.\nversion: 1\nbudgets:\n");
    for index in 0..ENTRIES {
        text.push_str(&format!(
            "  - name: endpoint {index}   # owned by team {}\n    metric: api_p95\n    tags: {{ name: \"GET /api/{index}\" }}\n    max: \"{}ms\"\n",
            index % 7,
            300 + index % 50
        ));
    }
    text
}

fn row(label: String, value: f64) -> CheckResult {
    CheckResult {
        metric: "api_p95".into(),
        source_metric: "http_req_duration".into(),
        stat: Some("p(95)".into()),
        source: Some("k6".into()),
        value: Some(value),
        ..CheckResult::blank(label, Unit::Ms)
    }
}

fn bench(c: &mut Criterion) {
    let text = budget_text();
    let loaded = budget::parse_str(&text, "large.yml", Path::new("")).unwrap();
    // Every third endpoint is far under its limit: a third of the limits move.
    let rows: Vec<CheckResult> =
        (0..ENTRIES).map(|index| row(format!("endpoint {index}"), if index % 3 == 0 { 90.0 } else { 300.0 })).collect();
    let plan = tighten::plan(&text, &loaded, loaded.checks.len(), &rows, 0.1, Path::new("")).unwrap();
    assert_eq!(plan.changes.len(), ENTRIES.div_ceil(3));
    let mut group = c.benchmark_group("tighten");
    group.sample_size(10);
    group.bench_function("plan 10,000 entries (1.2 MB YAML)", |b| {
        b.iter(|| tighten::plan(black_box(&text), &loaded, loaded.checks.len(), &rows, 0.1, Path::new("")).unwrap());
    });
    group.bench_function("load the same budget once (for scale)", |b| {
        b.iter(|| budget::parse_str(black_box(&text), "large.yml", Path::new("")).unwrap());
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
