//! The history file's speed (issue goals: `record` of a 10,000-measurement run under 50 ms;
//! `check --history` over 1,000 runs × 1,000 series under 100 ms more than without), and
//! its size per run, printed once.

#![allow(clippy::unwrap_used, clippy::print_stderr, missing_docs)]

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};

use perfbudget::budget;
use perfbudget::evaluate::{Against, evaluate_against};
use perfbudget::history::{RecordedValue, RunRecord, Store};
use perfbudget::model::{Environment, Measurement, Subject};
use perfbudget::quantity::Unit;

fn environment() -> Environment {
    Environment { os: "linux".into(), arch: "x86_64".into(), cpu_model: Some("bench cpu".into()), runner: None }
}

fn subject(index: usize) -> Subject {
    let mut subject = Subject::new();
    subject.insert("id".into(), format!("group/bench_{index}"));
    subject
}

/// A run of `series` benchmark times; run `run` drifts a little so no series is flat.
fn run(run: usize, series: usize) -> RunRecord {
    RunRecord {
        commit: Some(format!("{run:040x}")),
        branch: "main".into(),
        time: format!("2026-01-{:02}T{:02}:{:02}:00Z", 1 + run / 1440, (run / 60) % 24, run % 60),
        environment: environment(),
        budget: Some("bench".into()),
        version: "0.1.0".into(),
        measurements: (0..series)
            .map(|index| RecordedValue {
                metric: "bench_time".into(),
                stat: Some("typical".into()),
                subject: subject(index),
                unit: Unit::Ms,
                value: 10.0 + index as f64 * 0.01 + ((run * 7 + index) % 13) as f64 * 0.001,
                lower: None,
                upper: None,
                samples: None,
            })
            .collect(),
        limits: None,
    }
}

fn record(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.db");
    let mut store = Store::open_for_writing(&path).unwrap();
    let large = run(0, 10_000);
    c.bench_function("history/record 10,000 measurements", |b| b.iter(|| store.record(black_box(&large)).unwrap()));
}

fn check(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.db");
    let mut store = Store::open_for_writing(&path).unwrap();
    let runs: Vec<RunRecord> = (0..1000).map(|index| run(index, 1000)).collect();
    store.import(&mut runs.into_iter().map(Ok)).unwrap();
    drop(store);
    let size = std::fs::metadata(&path).unwrap().len();
    eprintln!("history file: 1,000 runs × 1,000 series = {size} bytes, {} bytes per run", size / 1000);
    let budget = budget::parse_str(
        "version: 1\nbudgets:\n  - metric: bench_time\n    regression: 10%\n",
        "perfbudget.yml",
        Path::new(""),
    )
    .unwrap();
    let measurements: Vec<Measurement> = (0..1000)
        .map(|index| {
            Measurement::new(
                "criterion",
                "bench_time",
                Some("typical"),
                subject(index),
                10.0 + index as f64 * 0.01,
                Unit::Ms,
            )
        })
        .collect();
    let mut group = c.benchmark_group("history");
    group.sample_size(20);
    group.bench_function("open + load 1,000 runs × 1,000 series + evaluate 1,000 checks", |b| {
        b.iter(|| {
            let store = Store::open_for_reading(&path).unwrap().unwrap();
            let history = store.load("main", &environment(), None).unwrap();
            evaluate_against(&budget, &measurements, Against::History(&history)).unwrap()
        });
    });
    group.bench_function("evaluate 1,000 checks without a history", |b| {
        b.iter(|| evaluate_against(&budget, &measurements, Against::Nothing).unwrap());
    });
    group.finish();
}

criterion_group!(benches, record, check);
criterion_main!(benches);
