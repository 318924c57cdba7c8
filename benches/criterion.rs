//! Reading a criterion tree of 5,000 benchmarks (the goal: under 100 ms).

#![allow(clippy::unwrap_used, missing_docs)]

mod criterion_tree;

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};

fn read_tree(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    criterion_tree::write(dir.path(), 5000).unwrap();
    let measurements = perfbudget::ingest::read_input(dir.path(), None).unwrap();
    assert_eq!(measurements.iter().filter(|m| m.metric == "bench_time").count(), 15_000);
    c.bench_function("criterion/read_5000_benchmarks", |b| {
        b.iter(|| perfbudget::ingest::read_input(black_box(dir.path()), None).unwrap().len());
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = read_tree
}
criterion_main!(benches);
