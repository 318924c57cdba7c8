//! Built files: compressing the fixture dist/ (562,955 bytes in 10 files) per encoder on
//! one core, a whole measurement from the size cache, and hash stripping of 10,000 names.
//! Whole-process timings against size-limit on a 200 MB build are in the README
//! (`benches/bundle/make-large-dist.sh`).

#![allow(clippy::unwrap_used, missing_docs)]

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use perfbudget::ingest::bundle::{self, Compression, NoProgress, SizeCache};

fn built_files() -> Vec<bundle::BuiltFile> {
    let dist = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bundle/dist");
    let asset = |name: &str| !bundle::is_left_out_by_default(name) && (name.ends_with(".js") || name.ends_with(".css"));
    bundle::find_in_folder(&dist, "dist", &asset).unwrap()
}

fn compress(c: &mut Criterion) {
    let contents: Vec<Vec<u8>> = built_files().iter().map(|file| std::fs::read(&file.path).unwrap()).collect();
    let bytes: u64 = contents.iter().map(|content| content.len() as u64).sum();
    let mut group = c.benchmark_group("bundle/compress_fixture_dist");
    group.throughput(Throughput::Bytes(bytes));
    for compression in [Compression::Gzip, Compression::Brotli] {
        group.bench_function(compression.stat(), |b| {
            b.iter(|| {
                contents
                    .iter()
                    .map(|content| bundle::compress::compressed_size(black_box(content), compression).unwrap())
                    .sum::<u64>()
            });
        });
    }
    group.finish();
}

fn cached(c: &mut Criterion) {
    let files = built_files();
    let dir = tempfile::tempdir().unwrap();
    let cache = SizeCache::new(Some(dir.path().to_path_buf()));
    bundle::measure(&files, &Compression::ALL, &cache, &NoProgress).unwrap();
    c.bench_function("bundle/measure_fixture_dist_cached", |b| {
        b.iter(|| bundle::measure(black_box(&files), &Compression::ALL, &cache, &NoProgress).unwrap().0.len());
    });
}

fn hashed_names(c: &mut Criterion) {
    let names: Vec<String> = (0..10_000)
        .map(|i| match i % 4 {
            0 => format!("dist/assets/chunk{i}-{:08x}.js", i * 2_654_435_761_u64 % (1 << 32)),
            1 => format!("build/static/js/{i}.{:08x}.chunk.js", i * 40_503),
            2 => format!("dist/assets/Page{i}-BmX3k9Qa.js"),
            _ => format!("dist/vendor/library{i}.production.min.js"),
        })
        .collect();
    c.bench_function("bundle/strip_hashes_10000_names", |b| {
        b.iter(|| names.iter().map(|name| bundle::logical_name(black_box(name)).len()).sum::<usize>());
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = compress, cached, hashed_names
}
criterion_main!(benches);
