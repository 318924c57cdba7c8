//! JMeter JTLs against the HTML dashboard JMeter made from them (tests/fixtures/jmeter/README.md):
//! every number of every `statistics.json` row and every APDEX row equals what perfbudget
//! computes from the JTL, to the last bit; the JTL readers' layouts; and bad input, which is an
//! error naming the file and line, never a silent drop.

#![allow(clippy::unwrap_used)] // test setup: a failure should stop the test

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use perfbudget::ingest::{self, Measurement};

fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/jmeter").join(path)
}

/// (metric, stat, label or "Total") → value.
fn by_key(measurements: &[Measurement]) -> HashMap<(String, String, String), Option<f64>> {
    measurements
        .iter()
        .map(|m| {
            let label = m.subject.get("name").map_or_else(|| "Total".to_owned(), str::to_owned);
            ((m.metric.clone(), m.stat.clone().unwrap_or_default(), label), m.value)
        })
        .collect()
}

const PAIRS: &[(&str, &str)] = &[
    ("baykar", "results.jtl"),
    ("cinema", "results.jtl"),
    ("parabank", "ReportLog.jtl"),
    ("appointment", "results.jtl"),
];

/// The statistics.json keys and the measurement each is read as.
const KEYS: &[(&str, &str, &str)] = &[
    ("medianResTime", "http_req_duration", "med"),
    ("pct1ResTime", "http_req_duration", "p(90)"),
    ("pct2ResTime", "http_req_duration", "p(95)"),
    ("pct3ResTime", "http_req_duration", "p(99)"),
    ("meanResTime", "http_req_duration", "avg"),
    ("minResTime", "http_req_duration", "min"),
    ("maxResTime", "http_req_duration", "max"),
    ("throughput", "http_reqs", "rate"),
    ("sampleCount", "http_reqs", "count"),
];

#[test]
fn every_dashboard_statistic_equals_the_one_computed_from_its_jtl() {
    let mut compared = 0;
    for (folder, jtl) in PAIRS {
        let ours = by_key(&ingest::read_input(&fixture(&format!("{folder}/{jtl}")), None).unwrap());
        let dashboard = by_key(&ingest::read_input(&fixture(&format!("{folder}/statistics.json")), None).unwrap());
        let statistics: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&std::fs::read_to_string(fixture(&format!("{folder}/statistics.json"))).unwrap())
                .unwrap();
        for (label, row) in &statistics {
            for (key, metric, stat) in KEYS {
                let Some(expected) = row.get(*key).and_then(serde_json::Value::as_f64) else { continue };
                let at = (metric.to_string(), stat.to_string(), label.clone());
                assert_eq!(ours[&at], Some(expected), "{folder} {label} {key}: from the JTL");
                assert_eq!(dashboard[&at], Some(expected), "{folder} {label} {key}: read from statistics.json");
                compared += 1;
            }
            let (errors, samples) = (row["errorCount"].as_f64().unwrap(), row["sampleCount"].as_f64().unwrap());
            let at = ("http_req_failed".to_owned(), "rate".to_owned(), label.clone());
            assert_eq!(ours[&at], Some(errors / samples), "{folder} {label} errors");
            assert_eq!(dashboard[&at], ours[&at]);
            // errorPct is written with float precision.
            let percent = row["errorPct"].as_f64().unwrap();
            assert_eq!((errors * 100.0 / samples) as f32, percent as f32, "{folder} {label} errorPct");
            compared += 1;
        }
    }
    // 40 + 300 + 40 + 180 numbers (baykar, cinema, parabank, appointment).
    assert_eq!(compared, 560);
}

#[test]
fn apdex_equals_the_dashboards_apdex_table() {
    let mut compared = 0;
    for folder in ["baykar", "cinema", "parabank", "appointment"] {
        let jtl = PAIRS.iter().find(|(f, _)| *f == folder).unwrap().1;
        let ours = by_key(&ingest::read_input(&fixture(&format!("{folder}/{jtl}")), None).unwrap());
        let table: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(fixture(&format!("{folder}/apdex.json"))).unwrap()).unwrap();
        let rows = std::iter::once(&table["overall"]).chain(table["items"].as_array().unwrap());
        for row in rows {
            let data = row["data"].as_array().unwrap();
            let (score, t, f, label) =
                (data[0].as_f64().unwrap(), data[1].as_u64().unwrap(), data[2].as_u64().unwrap(), data[3].as_str());
            let stat = format!("apdex(T={t}ms,F={f}ms)");
            assert_eq!(ours[&("apdex".to_owned(), stat, label.unwrap().to_owned())], Some(score), "{folder} {label:?}");
            compared += 1;
        }
    }
    assert_eq!(compared, 4 + 30 + 4 + 18);
}

#[test]
fn the_total_leaves_out_transaction_controllers_and_apdex_does_not() {
    // cinema: 29 samples, one of them the Transaction Controller "Test" over 4 samplers.
    let ours = by_key(&ingest::read_input(&fixture("cinema/results.jtl"), None).unwrap());
    let count = |label: &str| ours[&("http_reqs".to_owned(), "count".to_owned(), label.to_owned())];
    assert_eq!(count("Total"), Some(28.0));
    assert_eq!(count("Test"), Some(1.0));
    // The dashboard's APDEX Total: 27.5 of 29 (every sample, the controller's included).
    let apdex = ours[&("apdex".to_owned(), "apdex(T=500ms,F=1500ms)".to_owned(), "Total".to_owned())];
    assert_eq!(apdex, Some(27.5 / 29.0));
}

#[test]
fn jmeter_2_13_layouts_read_alike() {
    // The same plan run three times by JMeter 2.13: its headerless default, a header, XML.
    let headerless = by_key(&ingest::read_input(&fixture("debian-2.13/default.csv"), None).unwrap());
    let header = by_key(&ingest::read_input(&fixture("debian-2.13/header.csv"), None).unwrap());
    let xml = by_key(&ingest::read_input(&fixture("debian-2.13/results.xml.jtl"), None).unwrap());
    let count = |run: &HashMap<_, Option<f64>>, label: &str| {
        run[&("http_reqs".to_owned(), "count".to_owned(), label.to_owned())]
    };
    for run in [&headerless, &header] {
        // 3 threads × 10 loops × 5 samplers; the controller's 30 samples are not in the Total.
        assert_eq!(count(run, "Total"), Some(150.0));
        assert_eq!(count(run, "checkout, then pay"), Some(30.0), "a quoted label with a comma");
        assert_eq!(run[&("http_req_failed".to_owned(), "rate".to_owned(), "GET /flaky".to_owned())], Some(0.2));
        assert_eq!(run[&("http_req_failed".to_owned(), "rate".to_owned(), "GET /missing".to_owned())], Some(1.0));
    }
    // XML nests the redirect's two sub-results (the 302 and the page it leads to) inside its
    // sample, labelled by URL: 60 more samples, which 2.13's CSV leaves out.
    assert_eq!(count(&xml, "Total"), Some(210.0));
    assert_eq!(count(&xml, "http://127.0.0.1:18080/redirect"), Some(30.0));
    assert_eq!(count(&xml, "http://127.0.0.1:18080/fast"), Some(30.0));
    assert_eq!(count(&xml, "checkout, then pay"), Some(30.0));
}

#[test]
fn gzip_jtls_read_as_the_plain_file() {
    let dir = tempfile::tempdir().unwrap();
    let plain = std::fs::read(fixture("appointment/results.jtl")).unwrap();
    let path = dir.path().join("result.csv.gz");
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut encoder, &plain).unwrap();
    std::fs::write(&path, encoder.finish().unwrap()).unwrap();
    let mut gzip = ingest::read_input(&path, None).unwrap();
    let mut direct = ingest::read_input(&fixture("appointment/results.jtl"), None).unwrap();
    for m in gzip.iter_mut().chain(direct.iter_mut()) {
        m.origin = None;
    }
    assert_eq!(gzip, direct);
}

/// `perfbudget measure FILE`'s exit code and stderr.
fn measure(path: &Path) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_perfbudget")).arg("measure").arg(path).output().unwrap();
    (output.status.code().unwrap(), String::from_utf8(output.stderr).unwrap())
}

#[test]
fn bad_jtls_are_errors_naming_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let header = std::fs::read_to_string(fixture("parabank/ReportLog.jtl")).unwrap();
    let mut lines = header.lines();
    let head = lines.next().unwrap();
    let row = lines.next().unwrap();
    let cases: Vec<(&str, String, &str)> = vec![
        ("cut.jtl", format!("{head}\n{row}\n{}", &row[..40]), ":3: 6 fields where the header has 17"),
        (
            "elapsed.jtl",
            format!("{head}\n{}\n", row.replacen(",1495,", ",fast,", 1)),
            ":2: elapsed \"fast\" is not a whole number",
        ),
        ("negative.jtl", format!("{head}\n{}\n", row.replacen(",1495,", ",-1495,", 1)), ":2: elapsed \"-1495\""),
        ("success.jtl", format!("{head}\n{}\n", row.replacen(",true,", ",yes,", 1)), ":2: success \"yes\""),
        (
            "timestamp.jtl",
            format!("{head}\n{}\n", row.replacen("1770624763512", "2026/02/09 12:00:00", 1)),
            ":2: timeStamp \"2026/02/09 12:00:00\" is not epoch milliseconds",
        ),
        ("quote.jtl", format!("{head}\n{row}\n1757868749286,1,\"open,200"), ":3: the file ends inside a quoted field"),
        ("empty.jtl", format!("{head}\n"), "the JTL holds a header and no sample"),
        (
            "no-header.jtl",
            "1757868749286,358,home,200,OK,t 1-1,text,true\n".to_owned(),
            ":1: a JTL without a header and 8 columns",
        ),
        (
            "cut.xml",
            "<?xml version=\"1.0\"?>\n<testResults version=\"1.2\">\n<httpSample t=\"5\" ts=\"1\" s=\"true\" lb=\"a\">\n  <httpSample t=\"4\" ts=\"1\" s=\"true\" lb=\"a-0\"/>\n".to_owned(),
            "the file ends inside <httpSample> opened at line 3",
        ),
        (
            "cut-tag.xml",
            "<?xml version=\"1.0\"?>\n<testResults version=\"1.2\">\n<httpSample t=\"5\" ts=\"1\" s=\"tr".to_owned(),
            ":3: not well-formed XML",
        ),
        (
            "elapsed.xml",
            "<testResults version=\"1.2\">\n<sample t=\"x\" ts=\"1\" s=\"true\" lb=\"a\"/>\n</testResults>\n".to_owned(),
            ":2: t=\"x\" is not a whole number of ms",
        ),
        (
            "label.xml",
            "<testResults version=\"1.2\">\n<sample t=\"1\" ts=\"1\" s=\"true\"/>\n</testResults>\n".to_owned(),
            ":2: <sample> without `lb`",
        ),
    ];
    for (name, text, expected) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let (code, stderr) = measure(&path);
        assert_eq!(code, 2, "{name}: {stderr}");
        assert!(stderr.contains(&path.display().to_string()), "{name}: {stderr}");
        assert!(stderr.contains(expected), "{name}: {stderr}");
    }
}

#[test]
fn unknown_columns_and_other_delimiters_are_read() {
    let dir = tempfile::tempdir().unwrap();
    // A sample variable appended by `sample_variables`, and a tab delimiter.
    let text = "timeStamp\telapsed\tlabel\tresponseMessage\tsuccess\tmyVar\n\
                1000\t10\ta\tOK\ttrue\tx\n1005\t30\ta\tOK\tfalse\ty\n";
    let path = dir.path().join("tabs.jtl");
    std::fs::write(&path, text).unwrap();
    let run = by_key(&ingest::read_input(&path, None).unwrap());
    let at = |metric: &str, stat: &str| run[&(metric.to_owned(), stat.to_owned(), "a".to_owned())];
    assert_eq!(at("http_req_duration", "avg"), Some(20.0));
    assert_eq!(at("http_req_failed", "rate"), Some(0.5));
    // 2 samples over 1000 → 1035 ms.
    assert_eq!(at("http_reqs", "rate"), Some(2.0 / 35.0 * 1000.0));
}

#[test]
fn endless_lines_and_quotes_stop_at_the_cap() {
    let dir = tempfile::tempdir().unwrap();
    let head = "timeStamp,elapsed,label,responseMessage,success\n";
    // One line past 16 MiB, and a quote never closed over many short lines.
    let long = format!("{head}{}\n", "1".repeat(17 << 20));
    let open_quote = format!("{head}1000,1,\"a{}", "xxxxxxxxxxxxxxx\n".repeat(1 << 20) + &"y\n".repeat(1 << 20));
    for (name, text, expected) in [
        ("long.jtl", long, ":2: the line is longer than 16 MiB"),
        ("quote.jtl", open_quote, ":2: a quoted field is never closed"),
        (
            "tag.xml",
            format!("<testResults version=\"1.2\">\n<httpSample lb=\"{}", "z".repeat(17 << 20)),
            ":2: not well-formed XML",
        ),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let (code, stderr) = measure(&path);
        assert_eq!(code, 2, "{name}: {stderr}");
        assert!(stderr.contains(expected), "{name}: {stderr}");
    }
}
