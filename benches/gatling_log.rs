//! Reading a Gatling `simulation.log` of about 400 MB: the body of the real Gatling 3.5.1
//! log of tests/fixtures/gatling/apicurio-10u-600i repeated in memory after its RUN record,
//! read for a budget on the response times (every request's time kept), and Gatling's
//! t-digest statistics over one request name's million samples.

#![allow(clippy::unwrap_used, missing_docs)]

use std::collections::HashSet;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use perfbudget::ingest::distribution::{Distribution, GatlingSample, gatling_stat};
use perfbudget::ingest::gatling_log;

fn big_log() -> Vec<u8> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/gatling/apicurio-10u-600i/simulation.log");
    let one = std::fs::read(path).unwrap();
    let body_at = one.iter().position(|&b| b == b'\n').unwrap() + 1;
    let (run, body) = one.split_at(body_at);
    let copies = (400_000_000 / body.len()).max(1);
    let mut log = run.to_vec();
    for _ in 0..copies {
        log.extend_from_slice(body);
    }
    log
}

fn read_log(c: &mut Criterion) {
    let log = big_log();
    let wanted: HashSet<String> = ["http_req_duration".to_owned()].into();
    let mut group = c.benchmark_group("gatling_log");
    group.throughput(Throughput::Bytes(log.len() as u64));
    group.sample_size(10);
    group.bench_function("read_400mb_for_durations", |b| {
        b.iter(|| gatling_log::parse(black_box(log.as_slice()), Some(&wanted), &[]).unwrap().len());
    });
    let failures: HashSet<String> = ["http_req_failed".to_owned()].into();
    group.bench_function("read_400mb_for_error_rate", |b| {
        b.iter(|| gatling_log::parse(black_box(log.as_slice()), Some(&failures), &[]).unwrap().len());
    });
    group.finish();

    let measurements = gatling_log::parse(log.as_slice(), Some(&wanted), &[]).unwrap();
    let samples: Vec<GatlingSample> = measurements
        .iter()
        .filter_map(|m| match m.distribution.as_deref() {
            Some(Distribution::GatlingRequests(samples)) => Some(samples.as_slice()),
            _ => None,
        })
        .max_by_key(|samples| samples.len())
        .unwrap()
        .to_vec();
    let mut group = c.benchmark_group("gatling_stat");
    group.throughput(Throughput::Elements(samples.len() as u64));
    group.sample_size(10);
    group.bench_function("p95_of_the_largest_request_name", |b| {
        b.iter(|| gatling_stat(black_box(&samples), "p(95)").unwrap());
    });
    group.finish();
}

criterion_group!(benches, read_log);
criterion_main!(benches);
