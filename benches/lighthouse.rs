//! Reading 100 Lighthouse reports (about 50 MB), the speed goal: under 0.5 s.
//! Each report is Lighthouse 13.4.1's real sample LHR (546 KiB); only the audits perfbudget
//! uses are deserialized.

#![allow(clippy::unwrap_used, missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};

use perfbudget::ingest::lighthouse;

fn read_reports(c: &mut Criterion) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/lighthouse/lhr-sample_v2-v13.4.1.json");
    let report = std::fs::read(path).unwrap();
    let reports: Vec<Vec<u8>> = (0..100).map(|_| report.clone()).collect();
    let total: usize = reports.iter().map(Vec::len).sum();
    assert!(total > 50_000_000, "{total} bytes");
    let mut group = c.benchmark_group("lighthouse");
    group.throughput(criterion::Throughput::Bytes(total as u64));
    group.bench_function("parse_100_reports", |b| {
        b.iter(|| reports.iter().map(|bytes| lighthouse::parse(black_box(bytes)).unwrap().len()).sum::<usize>());
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = read_reports
}
criterion_main!(benches);
