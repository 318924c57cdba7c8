//! Reading the load-tool formats of issue 15 at their largest realistic size, built in memory
//! from the real fixtures (tests/fixtures/{ab,artillery,autocannon,hyperfine,locust}) by repeating their rows
//! or records:
//!
//! * ab's `-g` TSV (one row per request): the 500 rows of `orders-gnuplot.tsv` repeated to
//!   about 100 MB (2 million requests), and a tenth of that, to show the read is linear. A
//!   1 GB file is timed once through the binary instead (README "Performance").
//! * hyperfine's `--export-json`: 1,000 commands × 1,000 runs (52 MB, as hyperfine 1.20
//!   writes it, pretty-printed, with `times`, `memory_usage_byte` and `exit_codes`), and
//!   100 commands × 1,000 runs (5.2 MB); its `--export-csv` of 1,000 commands (128 kB) and of
//!   10,000.
//! * Locust's `_stats_history.csv` of a long run with `--csv-full-history`: the last second
//!   of `both_stats_history.csv` (3 requests and the Aggregated row, every percentile a
//!   window) repeated a second at a time, for 1 hour and for 10 hours.
//! * Locust's `--json` of a long run: 100 and 1,000 requests, each with every bucket Locust
//!   has below 10 s (280 keys) and its requests per second for an hour (3,600 keys), as
//!   `both.json`'s first entry grown.
//! * Artillery's report of a long run: `periods.json`'s second period repeated for 1 hour
//!   (360 periods) and 10 hours (3,600), each stamped 10 s after the last.
//! * autocannon's `--json`, ab's standard output and ab's `-e` CSV are a few kB whatever
//!   the run (one summary): one file each.
//!
//! Not part of the CI dogfood run: building the inputs takes seconds.

#![allow(clippy::unwrap_used, missing_docs)]

use std::hint::black_box;

use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main, measurement::WallTime};
use serde_json::Value;

use perfbudget::ingest::{ab, artillery, autocannon, hyperfine, locust_history, locust_json};

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

/// Locust's `_stats_history.csv` of `seconds` seconds: the header and the last second's rows
/// of `both_stats_history.csv`, stamped one second apart.
fn locust_history(seconds: usize) -> Vec<u8> {
    let one = String::from_utf8(fixture("locust/both_stats_history.csv")).unwrap();
    let mut lines = one.lines();
    let header = lines.next().unwrap();
    let rows: Vec<&str> = lines.collect();
    let last_second = rows.last().unwrap().split(',').next().unwrap();
    let last: Vec<&str> =
        rows.iter().filter(|row| row.starts_with(last_second)).map(|row| &row[last_second.len()..]).collect();
    let start: u64 = last_second.parse().unwrap();
    let mut csv = format!("{header}\n");
    for second in 0..seconds as u64 {
        for rest in &last {
            csv.push_str(&format!("{}{rest}\n", start + second));
        }
    }
    csv.into_bytes()
}

/// Locust's `--json` of `requests` requests over an hour: `both.json`'s first entry with a
/// request in each of Locust's buckets below 10 s and a count for each second.
fn locust_json_run(requests: usize) -> Vec<u8> {
    let entries: Value = serde_json::from_slice(&fixture("locust/both.json")).unwrap();
    let first = &entries[0];
    // Locust's buckets: whole ms to 100, tens to 1,000, hundreds to 10,000.
    let buckets: Vec<u64> = (1..100).chain((100..1000).step_by(10)).chain((1000..=10_000).step_by(100)).collect();
    let response_times: serde_json::Map<String, Value> =
        buckets.iter().map(|bucket| (bucket.to_string(), Value::from(3))).collect();
    let start = first["start_time"].as_f64().unwrap();
    let per_second: serde_json::Map<String, Value> =
        (0..3600).map(|second| (format!("{}", start as u64 + second), Value::from(1))).collect();
    let list: Vec<Value> = (0..requests)
        .map(|index| {
            let mut entry = first.clone();
            entry["name"] = format!("/api/endpoint/{index}").into();
            entry["response_times"] = response_times.clone().into();
            entry["num_requests"] = (3 * buckets.len()).into();
            entry["num_failures"] = 1.into();
            entry["min_response_time"] = 0.6.into();
            entry["max_response_time"] = 10_012.5.into();
            entry["total_response_time"] = (3.0 * buckets.iter().sum::<u64>() as f64).into();
            entry["num_reqs_per_sec"] = per_second.clone().into();
            entry["last_request_timestamp"] = (start + 3600.0).into();
            entry
        })
        .collect();
    serde_json::to_vec_pretty(&list).unwrap()
}

/// Artillery's report of `periods` 10 s periods: `periods.json` with its second period
/// repeated, each stamped 10 s after the last.
fn artillery_report(periods: usize) -> Vec<u8> {
    let mut report: Value = serde_json::from_slice(&fixture("artillery/periods.json")).unwrap();
    let period = report["intermediate"][1].clone();
    let start: u64 = period["period"].as_str().unwrap().parse().unwrap();
    let intermediate: Vec<Value> = (0..periods as u64)
        .map(|index| {
            let mut period = period.clone();
            period["period"] = (start + 10_000 * index).to_string().into();
            period
        })
        .collect();
    report["intermediate"] = intermediate.into();
    serde_json::to_vec_pretty(&report).unwrap()
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

    group.sample_size(10);
    let read_history = |input: &[u8]| locust_history::parse(input).unwrap().len();
    bench(&mut group, "locust_history_1h", &locust_history(3600), read_history);
    bench(&mut group, "locust_history_10h", &locust_history(36_000), read_history);
    let read_locust_json = |input: &[u8]| locust_json::parse(input).unwrap().len();
    bench(&mut group, "locust_json_100", &locust_json_run(100), read_locust_json);
    bench(&mut group, "locust_json_1000", &locust_json_run(1000), read_locust_json);
    let read_artillery = |input: &[u8]| artillery::parse(input).unwrap().len();
    bench(&mut group, "artillery_1h", &artillery_report(360), read_artillery);
    bench(&mut group, "artillery_10h", &artillery_report(3600), read_artillery);
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
