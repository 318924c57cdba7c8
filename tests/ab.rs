//! ApacheBench's standard output against ab's own printed numbers (ab 2.3 from Debian's
//! apache2-utils 2.4.71, see tests/fixtures/ab/README.md): every number perfbudget reads
//! from a real run equals the one ab printed, and budgets on them give the right verdicts
//! through the real binary.

#![allow(clippy::unwrap_used)] // test setup: a failure should stop the test

use std::path::{Path, PathBuf};

mod common;

use common::{perfbudget, repo};
use perfbudget::budget;
use perfbudget::evaluate::evaluate;
use perfbudget::ingest;
use perfbudget::model::Verdict;

fn fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures/ab").join(name)
}

/// The value after `key` on the line of ab's output that starts with it.
fn printed<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.lines().find_map(|line| line.trim_start().strip_prefix(key)).map(str::trim)
}

/// What ab printed, read here apart from the adapter: (metric, stat, value).
fn abs_own_numbers(text: &str) -> Vec<(&'static str, String, f64)> {
    let mut numbers = Vec::new();
    let complete: f64 = printed(text, "Complete requests:").unwrap().parse().unwrap();
    numbers.push(("http_reqs", "count".to_owned(), complete));
    let rate = printed(text, "Requests per second:").unwrap().split_whitespace().next().unwrap();
    numbers.push(("http_reqs", "rate".to_owned(), rate.parse().unwrap()));
    let non_2xx: f64 = printed(text, "Non-2xx responses:").map_or(0.0, |n| n.parse().unwrap());
    numbers.push(("http_req_failed", "rate".to_owned(), non_2xx / complete));
    let total: Vec<f64> =
        printed(text, "Total:").unwrap().split_whitespace().map(|word| word.parse().unwrap()).collect();
    numbers.push(("http_req_duration", "min".to_owned(), total[0]));
    numbers.push(("http_req_duration", "avg".to_owned(), total[1]));
    let mut percentiles = false;
    for line in text.lines() {
        let Some((percent, rest)) = line.trim().split_once('%') else { continue };
        let Ok(percent) = percent.parse::<u32>() else { continue };
        percentiles = true;
        let value: f64 = rest.split_whitespace().next().unwrap().parse().unwrap();
        let stat = if percent == 100 { "max".to_owned() } else { format!("p({percent})") };
        numbers.push(("http_req_duration", stat, value));
    }
    if !percentiles {
        // ab prints no percentiles for one request: the longest is the Total row's max.
        numbers.push(("http_req_duration", "max".to_owned(), total[4]));
    }
    numbers
}

#[test]
fn every_number_equals_abs_own() {
    let mut compared = 0;
    let mut equal = 0;
    for name in ["plain.txt", "keepalive.txt", "flaky.txt", "varies.txt", "single.txt", "orders.txt"] {
        let path = fixture(name);
        let text = std::fs::read_to_string(&path).unwrap();
        let measurements = ingest::read_input(&path, None).unwrap();
        let expected = abs_own_numbers(&text);
        assert_eq!(measurements.len(), expected.len(), "{name}: one measurement per printed number");
        let url = format!(
            "http://{}:{}{}",
            printed(&text, "Server Hostname:").unwrap(),
            printed(&text, "Server Port:").unwrap(),
            printed(&text, "Document Path:").unwrap()
        );
        for (metric, stat, value) in &expected {
            let found: Vec<&ingest::Measurement> =
                measurements.iter().filter(|m| m.metric == *metric && m.stat.as_deref() == Some(stat)).collect();
            assert_eq!(found.len(), 1, "{name}: {metric} {stat}");
            let measurement = found[0];
            assert_eq!(measurement.source, "ab");
            assert_eq!(measurement.subject.get("url"), Some(url.as_str()), "{name}");
            assert_eq!(measurement.subject.len(), 1, "{name}: the whole run, no endpoint tags");
            compared += 1;
            if measurement.value == Some(*value) {
                equal += 1;
            } else {
                panic!("{name}: {metric} {stat} is {:?}, ab printed {value}", measurement.value);
            }
        }
    }
    println!("ab standard output: {compared} numbers compared, {equal} equal");
    assert_eq!((compared, equal), (76, 76));
}

/// The `-e` CSV's rows: (percent, ms).
fn csv_rows(text: &str) -> Vec<(u32, f64)> {
    text.lines()
        .skip(1)
        .map(|line| {
            let (percent, ms) = line.split_once(',').unwrap();
            (percent.parse().unwrap(), ms.parse().unwrap())
        })
        .collect()
}

#[test]
fn every_csv_row_equals_abs_own_and_rounds_to_its_printed_line() {
    let path = fixture("orders-percentiles.csv");
    let rows = csv_rows(&std::fs::read_to_string(&path).unwrap());
    assert_eq!(rows.len(), 101);
    let measurements = ingest::read_input(&path, None).unwrap();
    assert_eq!(measurements.len(), 101);
    let mut equal = 0;
    for (percent, ms) in &rows {
        let stat = match percent {
            0 => "min".to_owned(),
            100 => "max".to_owned(),
            percent => format!("p({percent})"),
        };
        let found: Vec<&ingest::Measurement> =
            measurements.iter().filter(|m| m.stat.as_deref() == Some(stat.as_str())).collect();
        assert_eq!(found.len(), 1, "{stat}");
        assert_eq!((found[0].metric.as_str(), found[0].value), ("http_req_duration", Some(*ms)), "{stat}");
        assert!(found[0].subject.is_empty(), "the CSV names no URL: the whole run");
        equal += 1;
    }
    println!("ab -e CSV: {} numbers compared, {equal} equal", rows.len());
    // The same run's standard output: with n = 500, n·p/100 is whole, so the CSV's index
    // (int)(0.5 + n·p/100) is the printed line's, and ab's rounding ((µs + 500) / 1000)
    // of the CSV row gives the printed whole ms.
    let text = std::fs::read_to_string(fixture("orders.txt")).unwrap();
    assert_eq!(printed(&text, "Complete requests:"), Some("500"));
    let own = abs_own_numbers(&text);
    let whole_ms = |ms: f64| (ms + 0.5).floor();
    let mut cross = 0;
    for (_, stat, value) in own.iter().filter(|(metric, stat, _)| *metric == "http_req_duration" && stat != "avg") {
        let percent = match stat.as_str() {
            "min" => 0,
            "max" => 100,
            other => other.trim_start_matches("p(").trim_end_matches(')').parse().unwrap(),
        };
        let row = rows.iter().find(|(p, _)| *p == percent).unwrap();
        assert_eq!(whole_ms(row.1), *value, "{stat}");
        cross += 1;
    }
    assert_eq!(cross, 10);
}

#[test]
fn the_gnuplot_rows_give_the_printed_lines_by_abs_rule() {
    let path = fixture("orders-gnuplot.tsv");
    let measurements = ingest::read_input(&path, None).unwrap();
    let text = std::fs::read_to_string(fixture("orders.txt")).unwrap();
    let own = abs_own_numbers(&text);
    let mut compared = 0;
    for (metric, stat, value) in own.iter().filter(|(_, stat, _)| !matches!(stat.as_str(), "avg" | "rate")) {
        let found: Vec<&ingest::Measurement> =
            measurements.iter().filter(|m| m.metric == *metric && m.stat.as_deref() == Some(stat)).collect();
        assert_eq!(found.len(), 1, "{metric} {stat}");
        assert_eq!(found[0].value, Some(*value), "{metric} {stat}");
        assert!(found[0].subject.is_empty());
        compared += 1;
    }
    println!("ab -g TSV: {compared} numbers compared, {compared} equal");
    assert_eq!((compared, measurements.len()), (11, 11));
}

#[test]
fn the_percentile_block_and_the_total_row_agree_on_the_longest_request() {
    for name in ["plain.txt", "keepalive.txt", "flaky.txt", "varies.txt"] {
        let text = std::fs::read_to_string(fixture(name)).unwrap();
        let total_max = printed(&text, "Total:").unwrap().split_whitespace().nth(4).unwrap();
        let longest = printed(&text, "100%").unwrap().split_whitespace().next().unwrap();
        assert_eq!(total_max, longest, "{name}");
    }
}

#[test]
fn length_failures_are_not_request_failures() {
    // 491 of 500 "failed" for a varying body length, none of them with a status other than 2xx.
    let text = std::fs::read_to_string(fixture("varies.txt")).unwrap();
    assert_eq!(printed(&text, "Failed requests:"), Some("491"));
    let measurements = ingest::read_input(&fixture("varies.txt"), None).unwrap();
    let failed = measurements.iter().find(|m| m.metric == "http_req_failed").unwrap();
    assert_eq!(failed.value, Some(0.0));
    // A 500 with a longer body is a Length failure too; it counts once.
    let text = std::fs::read_to_string(fixture("flaky.txt")).unwrap();
    assert_eq!(printed(&text, "(Connect:"), Some("0, Receive: 0, Length: 62, Exceptions: 0)"));
    let measurements = ingest::read_input(&fixture("flaky.txt"), None).unwrap();
    let failed = measurements.iter().find(|m| m.metric == "http_req_failed").unwrap();
    assert_eq!(failed.value, Some(62.0 / 500.0));
}

#[test]
fn a_budget_without_selectors_reads_the_url_tagged_run() {
    // `exact_subject` is off for written budgets: the run's `url` tag does not keep a
    // selector-less `api_p95` from it, as k6's overall metric is read. A `tags: { url: GLOB }`
    // selects the run too.
    let yaml = "version: 1\nlimits:\n  api_p95: 100ms\nbudgets:\n  - { metric: api_p95, tags: { url: \"*/api/users\" }, max: 10ms }\n  - { metric: api_p95, tags: { url: \"*/api/orders\" }, max: 10ms, optional: true }\n";
    let budget = budget::parse_str(yaml, "ab.yml", Path::new("")).unwrap();
    let measurements = ingest::read_input(&fixture("plain.txt"), None).unwrap();
    let evaluation = evaluate(&budget, &measurements, None).unwrap();
    let rows: Vec<(&str, Verdict, Option<f64>)> =
        evaluation.checks.iter().map(|c| (c.budget.as_str(), c.verdict, c.value)).collect();
    assert_eq!(rows[0].1, Verdict::Green, "{rows:?}");
    assert_eq!(rows[0].2, Some(14.0));
    assert_eq!(rows[1].1, Verdict::Red, "{rows:?}");
    assert_eq!(rows[1].2, Some(14.0));
    assert!(rows[2].2.is_none(), "another URL is not this run: {rows:?}");
    assert_eq!(evaluation.checks[0].subject.get("url"), Some("http://127.0.0.1:18431/api/users"));
}

/// The verdict of the row of `budget` in `check`'s table.
fn verdict_of<'a>(stdout: &'a str, budget: &str) -> &'a str {
    let row = stdout.lines().find(|line| line.contains(&format!("┆ {budget} "))).unwrap();
    row.trim_start_matches('│').split('┆').next().unwrap().trim()
}

fn check(budget: &str, input: &str) -> common::Run {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("ab");
    std::fs::create_dir_all(&dir).unwrap();
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let file = dir.join(format!("budget-{}.yml", NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)));
    std::fs::write(&file, format!("version: 1\n{budget}")).unwrap();
    perfbudget(&repo(), &["check", "--budget", file.to_str().unwrap(), input])
}

#[test]
fn budgets_on_real_runs_through_the_binary() {
    let budget = "limits:\n  api_p95: 100ms\n  error_rate: 1%\n  throughput: 500/s\n";
    let plain = check(budget, "tests/fixtures/ab/plain.txt");
    assert_eq!(plain.code, 0, "{}{}", plain.stdout, plain.stderr);
    for name in ["api_p95", "error_rate", "throughput"] {
        assert_eq!(verdict_of(&plain.stdout, name), "green", "{}", plain.stdout);
    }
    assert!(plain.stdout.contains("API p95 14 ms"), "{}", plain.stdout);

    // 62 of 500 requests answered 500.
    let flaky = check(budget, "tests/fixtures/ab/flaky.txt");
    assert_eq!(flaky.code, 1, "{}{}", flaky.stdout, flaky.stderr);
    assert_eq!(verdict_of(&flaky.stdout, "error_rate"), "red");
    assert!(flaky.stdout.contains("12.4%"), "{}", flaky.stdout);
    assert_eq!(verdict_of(&flaky.stdout, "api_p95"), "green");

    // The -k run: 1451.43 requests per second, p95 10 ms.
    let tight = "limits:\n  api_p95: 9ms\n  throughput: 2000/s\n";
    let keepalive = check(tight, "tests/fixtures/ab/keepalive.txt");
    assert_eq!(keepalive.code, 1, "{}{}", keepalive.stdout, keepalive.stderr);
    assert_eq!(verdict_of(&keepalive.stdout, "api_p95"), "red");
    assert_eq!(verdict_of(&keepalive.stdout, "throughput"), "red");
    assert!(keepalive.stdout.contains("1451/s"), "{}", keepalive.stdout);

    // Varying body lengths are not errors: green at 1%.
    let varies = check("limits:\n  error_rate: 1%\n", "tests/fixtures/ab/varies.txt");
    assert_eq!((varies.code, verdict_of(&varies.stdout, "error_rate")), (0, "green"), "{}", varies.stdout);

    // The -e CSV of the /api/orders run: p95 58.922 ms.
    let csv = check("limits:\n  api_p95: 50ms\n", "tests/fixtures/ab/orders-percentiles.csv");
    assert_eq!((csv.code, verdict_of(&csv.stdout, "api_p95")), (1, "red"), "{}{}", csv.stdout, csv.stderr);
    assert!(csv.stdout.contains("API p95 58.92 ms"), "{}", csv.stdout);
    let tsv = check("limits:\n  api_p95: 60ms\n", "tests/fixtures/ab/orders-gnuplot.tsv");
    assert_eq!((tsv.code, verdict_of(&tsv.stdout, "api_p95")), (0, "yellow"), "{}{}", tsv.stdout, tsv.stderr);
    assert!(tsv.stdout.contains("API p95 59 ms"), "{}", tsv.stdout);

    // One request: no percentiles, so api_p95 is "no data" (red), never made up.
    let single = check("limits:\n  api_p95: 100ms\n  api_max: 100ms\n", "tests/fixtures/ab/single.txt");
    assert_eq!(single.code, 1, "{}{}", single.stdout, single.stderr);
    assert_eq!(verdict_of(&single.stdout, "api_max"), "green");
    assert!(single.stdout.contains("no measurement matched"), "{}", single.stdout);
}

#[test]
fn a_refused_run_is_an_error_quoting_ab() {
    let budget = "limits:\n  api_p95: 100ms\n";
    let run = check(budget, "tests/fixtures/ab/refused-with-stderr.txt");
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "error: tests/fixtures/ab/refused-with-stderr.txt: ab printed no results, only its error \
         `apr_socket_recv: Connection refused (111)`: the run measured nothing\n"
    );
    let run = check(budget, "tests/fixtures/ab/refused.txt");
    assert_eq!(run.code, 2);
    assert!(run.stderr.starts_with("error: tests/fixtures/ab/refused.txt: ab printed no results"), "{}", run.stderr);
    assert!(run.stderr.contains("2>&1"), "{}", run.stderr);
}

#[test]
fn a_cut_or_garbled_file_is_an_error_naming_the_line() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("ab-bad");
    std::fs::create_dir_all(&dir).unwrap();
    let text = std::fs::read_to_string(fixture("plain.txt")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let block = lines.iter().position(|line| line.starts_with("Percentage")).unwrap();

    let cut = dir.join("cut.txt");
    std::fs::write(&cut, lines[..block - 1].join("\n")).unwrap();
    let budget = "limits:\n  api_p95: 100ms\n";
    let run = check(budget, cut.to_str().unwrap());
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        format!(
            "error: {}:{}: ab's output ends here, before its percentile block (`Percentage of the requests served \
             ...`, left out by `ab -d`) (cut short?)\n",
            cut.display(),
            block - 1
        )
    );

    let mid = dir.join("mid-block.txt");
    std::fs::write(&mid, format!("{}\n  95", lines[..block + 6].join("\n"))).unwrap();
    let run = check(budget, mid.to_str().unwrap());
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(&format!("{}:{}: `95` is not ab's `95%` line", mid.display(), block + 7)),
        "{}",
        run.stderr
    );

    // A Server header in Latin-1 makes ab's output non-UTF-8.
    let latin1 = dir.join("latin1.txt");
    let bytes = text.replace("BaseHTTP/0.6", "Caf\u{1}").into_bytes();
    let bytes: Vec<u8> = bytes.into_iter().map(|b| if b == 1 { 0xe9 } else { b }).collect();
    std::fs::write(&latin1, bytes).unwrap();
    let run = check(budget, latin1.to_str().unwrap());
    assert_eq!(run.code, 2);
    let server = lines.iter().position(|line| line.starts_with("Server Software")).unwrap() + 1;
    assert_eq!(run.stderr, format!("error: {}:{server}:28: not UTF-8 text\n", latin1.display()));
}
