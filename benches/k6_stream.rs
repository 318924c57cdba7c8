//! Reading a 1 GB k6 `--out json` stream: the real 1.1.0 stream of
//! tests/fixtures/k6/generated repeated in memory, read for one budget metric (the issue's
//! goal: 300 MB/s or more on one core). Not part of the CI dogfood run: it takes minutes.

#![allow(clippy::unwrap_used, missing_docs)]

use std::collections::HashSet;
use std::hint::black_box;
use std::io::Read;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use perfbudget::ingest::k6_stream;

fn read_stream(c: &mut Criterion) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/k6/generated/v110/stream.ndjson.gz");
    let mut one = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap()).read_to_end(&mut one).unwrap();
    let copies = (1_000_000_000 / one.len()).max(1);
    let stream: Vec<u8> = one.iter().copied().cycle().take(one.len() * copies).collect();
    let wanted: HashSet<String> = ["http_req_duration".to_owned()].into();
    let mut group = c.benchmark_group("k6_stream");
    group.throughput(Throughput::Bytes(stream.len() as u64));
    group.sample_size(10);
    group.bench_function("read_1gb_for_one_metric", |b| {
        b.iter(|| k6_stream::parse(black_box(stream.as_slice()), Some(&wanted)).unwrap().len());
    });
    group.finish();
}

criterion_group!(benches, read_stream);
criterion_main!(benches);
