//! The load tools' real fixtures made foreign: a Latin-1 byte where the tool writes UTF-8
//! (a name typed on a Latin-1 terminal, a file re-saved by an editor), and localised numbers
//! (a decimal comma; a CSV re-saved with `;` between fields, as a spreadsheet in a comma-decimal
//! locale does). None of the tools writes either, so each file is refused (exit 2) with a
//! message that names it and the place, never read into a pass.

use std::fs;

use super::{common::repo, refused};

/// A real fixture with `from` replaced by `to` (once, or everywhere with `all`), which must
/// be there: an edit that misses would test the untouched file.
fn edited(fixture: &str, from: &[u8], to: &[u8], all: bool) -> Vec<u8> {
    let bytes = fs::read(repo().join("tests/fixtures").join(fixture)).unwrap();
    let at = bytes.windows(from.len()).position(|window| window == from);
    assert!(at.is_some(), "{fixture} has no {:?}", String::from_utf8_lossy(from));
    let mut out = Vec::with_capacity(bytes.len() + to.len());
    let mut rest = bytes.as_slice();
    while let Some(at) = rest.windows(from.len()).position(|window| window == from) {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(to);
        rest = &rest[at + from.len()..];
        if !all {
            break;
        }
    }
    out.extend_from_slice(rest);
    out
}

/// Each case: the file written, its bytes, and the reason the message must give.
fn cases() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let comma_csv = |fixture: &str| {
        // Every field separator a `;`, every decimal point a comma.
        let text = fs::read_to_string(repo().join("tests/fixtures").join(fixture)).unwrap();
        text.replace(',', ";").replace('.', ",").into_bytes()
    };
    vec![
        // autocannon: the URL with a Latin-1 é; a decimal comma in latency.mean.
        (
            "ac-latin1.json",
            edited("autocannon/plain.json", b"/api/users", b"/api/caf\xe9", false),
            "1:38: not UTF-8 text",
        ),
        (
            "ac-comma.json",
            edited("autocannon/plain.json", b"\"mean\":6.21", b"\"mean\":6,21", false),
            "key must be a string",
        ),
        // Artillery: an endpoint key with é; a decimal comma in a summary's mean.
        ("art-latin1.json", edited("artillery/report.json", b"/api/users", b"/api/caf\xe9", false), "not UTF-8 text"),
        (
            "art-comma.json",
            edited("artillery/periods.json", b"\"mean\": 19.2", b"\"mean\": 19,2", false),
            "key must be a string",
        ),
        // Locust: each of its files with é in a request's name, or localised.
        (
            "loc-latin1_stats.csv",
            edited("locust/api_stats.csv", b"/api/users", b"/api/caf\xe9", true),
            "not UTF-8 text",
        ),
        (
            "loc-comma_stats.csv",
            edited("locust/api_stats.csv", b"26.20243749155079", b"26,20243749155079", false),
            "2: a row of 23 fields where Locust's header has 22",
        ),
        ("loc-semicolon_stats.csv", comma_csv("locust/api_stats.csv"), "not an input perfbudget can read"),
        ("loc-latin1.json", edited("locust/both.json", b"/api/users", b"/api/caf\xe9", false), "not UTF-8 text"),
        (
            "loc-comma.json",
            edited("locust/both.json", b"1196.2268190000032", b"1196,2268190000032", false),
            "key must be a string",
        ),
        (
            "loc-comma_stats_history.csv",
            edited("locust/both_stats_history.csv", b"8.000000", b"8,000000", false),
            "a row of 25 fields where Locust's header has 24",
        ),
        (
            "loc-latin1_failures.csv",
            edited("locust/both_failures.csv", b"Internal", b"Int\xe9rnal", false),
            "not UTF-8 text",
        ),
        // ab: its server's name with é; a decimal comma in the rate.
        ("ab-latin1.txt", edited("ab/plain.txt", b"BaseHTTP", b"Bas\xe9HTTP", false), "8:28: not UTF-8 text"),
        (
            "ab-comma.txt",
            edited("ab/plain.txt", b"1147.28 [#/sec]", b"1147,28 [#/sec]", false),
            "21: Requests per second `1147,28 [#/sec] (mean)` is not a number",
        ),
        // hyperfine: the command with é; a decimal comma in the JSON and the CSV.
        (
            "hf-latin1.json",
            edited("hyperfine/v1.20.0/single.json", b"sleep 0.01", b"sl\xe9ep 0.01", false),
            "4:21: not UTF-8 text",
        ),
        (
            "hf-comma.json",
            edited("hyperfine/v1.20.0/single.json", b"\"mean\": 0.011210545", b"\"mean\": 0,011210545", false),
            "key must be a string",
        ),
        ("hf-comma.csv", comma_csv("hyperfine/v1.20.0/single.csv"), "not an input perfbudget can read"),
    ]
}

#[test]
fn latin1_bytes_and_decimal_commas_in_load_tool_outputs_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("perfbudget.yml"), "version: 1\nlimits:\n  api_p95: 10s\n  bench_time: 10s\n").unwrap();
    let cases = cases();
    for (name, bytes, reason) in &cases {
        fs::write(dir.path().join(name), bytes).unwrap();
        // Both the gate and `measure`: a budget generous enough to pass any number.
        refused(dir.path(), &["check", name], name, &[reason]);
        refused(dir.path(), &["measure", name], name, &[reason]);
    }
    assert_eq!(cases.len(), 16);
}
