//! Reading a 500 MB JMeter CSV JTL: the real JMeter 5.6.3 JTL of
//! tests/fixtures/jmeter/appointment repeated in memory, summarised by the dashboard's rules (the goal: 500 MB/s or more
//! on one core). Not part of the CI dogfood run: it takes minutes.

#![allow(clippy::unwrap_used, missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use perfbudget::ingest::jmeter::jtl_csv;

fn read_jtl(c: &mut Criterion) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/jmeter/appointment/results.jtl");
    let text = std::fs::read(path).unwrap();
    let split = text.iter().position(|b| *b == b'\n').unwrap() + 1;
    let (header, rows) = text.split_at(split);
    let copies = (500_000_000 / rows.len()).max(1);
    let mut jtl = header.to_vec();
    for _ in 0..copies {
        jtl.extend_from_slice(rows);
    }
    let mut group = c.benchmark_group("jmeter_stream");
    group.throughput(Throughput::Bytes(jtl.len() as u64));
    group.sample_size(10);
    group.bench_function("read_500mb_jtl", |b| {
        b.iter(|| jtl_csv::parse(black_box(jtl.as_slice()), &[]).unwrap().len());
    });
    group.finish();
}

criterion_group!(benches, read_jtl);
criterion_main!(benches);
