//! load + evaluate + render for 1,000 budgets × 10,000 measurements (DESIGN's scale goal:
//! the whole `perfbudget check` under 50 ms). Each stage is timed on its own, then the
//! whole pipeline as `perfbudget check` runs it (table on stdout).

#![allow(clippy::unwrap_used, missing_docs)]

mod workload;

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};

use perfbudget::budget;
use perfbudget::evaluate::evaluate;
use perfbudget::ingest::measurements;
use perfbudget::report::json::{BudgetInfo, Report};
use perfbudget::report::{json, junit, markdown, table};

fn check(budget_text: &str, measurements_text: &str) -> String {
    let budget = budget::parse_str(budget_text, "perfbudget.yml", Path::new("")).unwrap();
    let measurements = measurements::parse(measurements_text).unwrap();
    let report = Report::new(
        evaluate(&budget, &measurements, None).unwrap(),
        BudgetInfo { name: budget.name.clone(), file: budget.file.clone() },
    );
    table::render(&report, false, Some(160), false)
}

fn pipeline(c: &mut Criterion) {
    let budget_text = workload::budget_yaml();
    let measurements_text = workload::measurements_json();
    let budget = budget::parse_str(&budget_text, "perfbudget.yml", Path::new("")).unwrap();
    let measurements = measurements::parse(&measurements_text).unwrap();
    assert_eq!(budget.checks.len(), 1000);
    assert_eq!(measurements.len(), 10_000);
    let report = Report::new(
        evaluate(&budget, &measurements, None).unwrap(),
        BudgetInfo { name: budget.name.clone(), file: budget.file.clone() },
    );

    let mut group = c.benchmark_group("check");
    group.bench_function("load_budget", |b| {
        b.iter(|| budget::parse_str(black_box(&budget_text), "perfbudget.yml", Path::new("")).unwrap());
    });
    group.bench_function("read_measurements", |b| {
        b.iter(|| measurements::parse(black_box(&measurements_text)).unwrap());
    });
    group.bench_function("evaluate", |b| {
        b.iter(|| evaluate(black_box(&budget), black_box(&measurements), None).unwrap());
    });
    group.bench_function("render_table", |b| b.iter(|| table::render(black_box(&report), false, Some(160), false)));
    group.bench_function("render_markdown", |b| {
        b.iter(|| markdown::render(black_box(&report), "default", markdown::MAX_BYTES));
    });
    group.bench_function("render_json", |b| b.iter(|| json::render(black_box(&report))));
    group.bench_function("render_junit", |b| b.iter(|| junit::render(black_box(&report))));
    group.bench_function("whole_check", |b| b.iter(|| check(black_box(&budget_text), black_box(&measurements_text))));
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = pipeline
}
criterion_main!(benches);
