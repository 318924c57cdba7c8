//! Otava-style change-point detection (`stats::change_points`) with the default options on
//! 100 and 1,000 points: a level step every 50 points (100) or 100 points (1,000), with
//! noise of about 2 % of the level, so that the windows find and the merge pass sorts out
//! real change points. The goal: 1,000 points well under 100 ms.

#![allow(clippy::unwrap_used, missing_docs)]

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use perfbudget::stats::change_points::{Options, change_points};

/// `len` points around levels 100, 110, 95, … that change every `segment` points, plus
/// deterministic noise: the sum of four uniforms from a xorshift generator, about normal.
fn stepped_series(len: usize, segment: usize) -> Vec<f64> {
    let levels = [100.0, 110.0, 95.0, 120.0, 118.0, 90.0, 105.0, 100.0, 130.0, 125.0];
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut uniform = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    (0..len)
        .map(|i| {
            let noise: f64 = (0..4).map(|_| uniform() - 0.5).sum();
            levels[(i / segment) % levels.len()] + 2.0 * noise * 1.7
        })
        .collect()
}

fn detect(c: &mut Criterion) {
    let mut group = c.benchmark_group("change_points");
    for (len, segment) in [(100, 50), (1000, 100)] {
        let series = stepped_series(len, segment);
        let options = Options::default();
        group.bench_with_input(BenchmarkId::new("default_options", len), &series, |b, series| {
            b.iter(|| change_points(black_box(series), &options).len());
        });
    }
    group.finish();
}

criterion_group!(benches, detect);
criterion_main!(benches);
