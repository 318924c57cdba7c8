//! Reading a large Prometheus scrape: Prometheus's own `/metrics` from its test data
//! (tests/fixtures/prometheus/prometheus-repo/alltypes.237mfs.prom.txt, 190 kB, 237
//! families) with every series repeated under 100 and 10 values of a `shard` label, as the
//! classic text format (19 MB and 1.9 MB): what a large exporter or a federation endpoint
//! writes. Criterion reports the throughput in bytes per second.

#![allow(clippy::unwrap_used, clippy::print_stderr, missing_docs)] // the scrape sizes are printed on stderr on purpose

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use perfbudget::ingest::prometheus;

/// The scrape's metadata once, then each sample line once per shard, labelled with it.
fn scrape(shards: usize) -> Vec<u8> {
    let path =
        format!("{}/tests/fixtures/prometheus/prometheus-repo/alltypes.237mfs.prom.txt", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(path).unwrap();
    let mut out = String::with_capacity(text.len() * shards);
    for line in text.lines().filter(|line| line.starts_with("# HELP") || line.starts_with("# TYPE")) {
        out.push_str(line);
        out.push('\n');
    }
    for shard in 0..shards {
        for line in text.lines().filter(|line| !line.starts_with('#')) {
            let labelled = match line.find('{') {
                Some(at) => format!("{}{{shard=\"{shard}\",{}", &line[..at], &line[at + 1..]),
                None => line.replacen(' ', &format!("{{shard=\"{shard}\"}} "), 1),
            };
            out.push_str(&labelled);
            out.push('\n');
        }
    }
    out.into_bytes()
}

fn read_scrapes(c: &mut Criterion) {
    let mut group = c.benchmark_group("prometheus");
    group.sample_size(10);
    for shards in [10, 100] {
        let bytes = scrape(shards);
        eprintln!("prometheus scrape of {shards} shards: {} bytes", bytes.len());
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function(format!("{shards} shards"), |b| b.iter(|| prometheus::parse(black_box(&bytes)).unwrap()));
    }
    group.finish();
}

criterion_group!(benches, read_scrapes);
criterion_main!(benches);
