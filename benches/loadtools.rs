//! Reading the load-tool formats of issue 15 at their largest realistic size, built in memory
//! from the real fixtures (tests/fixtures/{ab,autocannon,hyperfine}) by repeating their rows
//! or records:
//!
//! * ab's `-g` TSV (one row per request): the 500 rows of `orders-gnuplot.tsv` repeated to
//!   about 100 MB (2 million requests), and a tenth of that, to show the read is linear. A
//!   1 GB file is timed once through the binary instead (README "Performance").
//! * hyperfine's `--export-json`: 1,000 commands × 1,000 runs (52 MB, as hyperfine 1.20
//!   writes it, pretty-printed, with `times`, `memory_usage_byte` and `exit_codes`), and
//!   100 commands × 1,000 runs (5.2 MB); its `--export-csv` of 1,000 commands (128 kB) and of
//!   10,000.
//! * autocannon's `--json`, ab's standard output and ab's `-e` CSV are a few kB whatever
//!   the run (one summary): one file each.
//!
//! Not part of the CI dogfood run: building the inputs takes seconds.

#![allow(clippy::unwrap_used, missing_docs)]

use std::hint::black_box;

use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main, measurement::WallTime};
use serde_json::Value;

use perfbudget::ingest::{ab, autocannon, hyperfine};

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// ab's `-g` TSV of `orders-gnuplot.tsv`'s header, then its rows repeated to about `bytes`.
fn ab_tsv(bytes: usize) -> Vec<u8> {
    let one = fixture("ab/orders-gnuplot.tsv");
    let split = one.iter().position(|&b| b == b'\n').unwrap() + 1;
    let (header, rows) = one.split_at(split);
    let mut tsv = header.to_vec();
    while tsv.len() < bytes {
        tsv.extend_from_slice(rows);
    }
    tsv
}

/// hyperfine 1.20's `--export-json` of `commands` commands of `runs` runs each: the first
/// result of the real `lists.json`, its runs repeated, the command numbered.
fn hyperfine_json(commands: usize, runs: usize) -> Vec<u8> {
    let export: Value = serde_json::from_slice(&fixture("hyperfine/v1.20.0/lists.json")).unwrap();
    let first = &export["results"][0];
    let repeat = |key: &str| -> Value {
        let values = first[key].as_array().unwrap();
        values.iter().cycle().take(runs).cloned().collect::<Vec<Value>>().into()
    };
    let (times, memory, exit_codes) = (repeat("times"), repeat("memory_usage_byte"), repeat("exit_codes"));
    let results: Vec<Value> = (0..commands)
        .map(|index| {
            let mut result = first.clone();
            result["command"] = format!("sleep 0.01s # {index}").into();
            result["parameters"]["suffix"] = format!("s{index}").into();
            result["times"] = times.clone();
            result["memory_usage_byte"] = memory.clone();
            result["exit_codes"] = exit_codes.clone();
            result
        })
        .collect();
    serde_json::to_vec_pretty(&serde_json::json!({ "results": results })).unwrap()
}

/// hyperfine's `--export-csv` of `lists.csv`'s header, then its rows repeated to `commands`
/// rows, each command numbered.
fn hyperfine_csv(commands: usize) -> Vec<u8> {
    let one = String::from_utf8(fixture("hyperfine/v1.20.0/lists.csv")).unwrap();
    let mut lines = one.lines();
    let mut csv = format!("{}\n", lines.next().unwrap());
    let rows: Vec<&str> = lines.collect();
    for (index, row) in rows.iter().cycle().take(commands).enumerate() {
        let (command, rest) = row.split_once(',').unwrap();
        csv.push_str(&format!("{command} # {index},{rest}\n"));
    }
    csv.into_bytes()
}

fn bench(group: &mut BenchmarkGroup<'_, WallTime>, name: &str, input: &[u8], read: fn(&[u8]) -> usize) {
    // Every input must read as one of its format, with measurements: a bench of an error
    // path would time nothing useful.
    assert!(read(input) > 0, "{name}");
    group.throughput(Throughput::Bytes(input.len() as u64));
    group.bench_function(name, |b| b.iter(|| read(black_box(input))));
}

fn read_loadtools(c: &mut Criterion) {
    let mut group = c.benchmark_group("loadtools");
    group.sample_size(10);

    let tsv_10 = ab_tsv(10_000_000);
    let tsv_100 = ab_tsv(100_000_000);
    let read_tsv = |input: &[u8]| ab::parse_tsv(input).unwrap().len();
    bench(&mut group, "ab_tsv_10mb", &tsv_10, read_tsv);
    bench(&mut group, "ab_tsv_100mb", &tsv_100, read_tsv);
    drop((tsv_10, tsv_100));

    let read_hyperfine = |input: &[u8]| hyperfine::parse(input).unwrap().len();
    let json_100 = hyperfine_json(100, 1000);
    bench(&mut group, "hyperfine_json_100x1000", &json_100, read_hyperfine);
    drop(json_100);
    let json_1000 = hyperfine_json(1000, 1000);
    bench(&mut group, "hyperfine_json_1000x1000", &json_1000, read_hyperfine);
    drop(json_1000);
    group.sample_size(50);
    bench(&mut group, "hyperfine_csv_1000", &hyperfine_csv(1000), read_hyperfine);
    group.sample_size(10);
    bench(&mut group, "hyperfine_csv_10000", &hyperfine_csv(10_000), read_hyperfine);
    group.sample_size(50);

    bench(&mut group, "autocannon_json", &fixture("autocannon/workers.json"), |input| {
        autocannon::parse(input).unwrap().len()
    });
    bench(&mut group, "ab_output", &fixture("ab/plain.txt"), |input| ab::parse(input).unwrap().len());
    bench(&mut group, "ab_csv", &fixture("ab/orders-percentiles.csv"), |input| ab::parse_csv(input).unwrap().len());
    group.finish();
}

criterion_group!(benches, read_loadtools);
criterion_main!(benches);
