//! libtest's `#[bench]` output and criterion's `--output-format bencher` text:
//! `test NAME ... bench: 1,234 ns/iter (+/- 56)`.
//!
//! The number is libtest's median of its samples, or criterion's median estimate; the
//! `+/-` is max − min (libtest) or a standard deviation (criterion), never a confidence
//! interval, so it is not kept as one. `ns/iter` lines give `bench_time`; other units
//! (`cycles/iter`, `MS/s`) are kept as they are, as `bench_value` with the unit as stat.

use std::io::BufRead;
use std::path::Path;

use super::lines::Lines;
use super::{Adapter, Detection, Error, Head, Measurement, Options, Subject};
use crate::quantity::Unit;

#[derive(Debug)]
pub struct BencherText;

impl Adapter for BencherText {
    /// A file with a whole bench line; its broken ones are then errors naming them. A file
    /// of broken ones only is not claimed (an unknown format, exit 2 all the same).
    fn detect(&self, head: &Head) -> Detection {
        Detection::from(head.text.lines().any(|line| is_bench_line(line) && parse_line(line).is_ok()), false)
    }

    fn read(&self, path: &Path, _options: &Options) -> Result<Vec<Measurement>, Error> {
        let measurements = parse(std::io::BufReader::new(std::fs::File::open(path)?))?;
        if measurements.is_empty() {
            return Err(Error::Refused("no `test NAME ... bench:` line".into()));
        }
        Ok(measurements)
    }
}

/// Every bench line's measurement. Other lines (compiler output, `running 3 tests`,
/// `test x ... ok`) are skipped; a bench line that does not parse is an error, as its
/// benchmark would otherwise vanish from the gate.
pub fn parse(reader: impl BufRead) -> Result<Vec<Measurement>, Error> {
    let mut measurements = Vec::new();
    let mut lines = Lines::new(reader);
    while let Some((number, line)) = lines.next_line()? {
        if !is_bench_line(line) {
            continue;
        }
        let (name, value, unit) = parse_line(line).map_err(|why| Error::Line {
            line: number,
            message: format!("{why}: not a whole `test NAME ... bench: VALUE UNIT (+/- DEVIATION)` line (cut short?)"),
        })?;
        let (metric, stat, unit) = match unit {
            "ns/iter" => ("bench_time", None, Unit::Ns),
            other => ("bench_value", Some(other), Unit::Number),
        };
        measurements.push(Measurement::new("bencher", metric, stat, Subject::from([("id", name)]), value, unit));
    }
    Ok(measurements)
}

/// Whether a line claims to be a benchmark's result: `test NAME ... bench...`, or a `test`
/// line with `bench:` in it. libtest's other `test` lines (`... ok`, `... ignored`,
/// `test result:`) have neither, whatever the test's name.
fn is_bench_line(line: &str) -> bool {
    let Some(rest) = line.trim_start().strip_prefix("test ") else { return false };
    match rest.split_once(" ... ") {
        // A result cut inside `bench:` still claims it (`test a ... ben`).
        Some((_, result)) => {
            let result = result.trim();
            result.starts_with("bench") || (!result.is_empty() && "bench:".starts_with(result))
        }
        None => rest.contains("bench:"),
    }
}

/// `test NAME ... bench: VALUE UNIT (+/- DEVIATION)`, optionally followed by libtest's
/// ` = N MB/s`, -> (name, value, unit); or what is wrong with it.
fn parse_line(line: &str) -> Result<(&str, f64, &str), String> {
    let rest = line.trim_start().strip_prefix("test ").unwrap_or(line);
    let (name, result) = rest.split_once(" ... bench:").ok_or("no ` ... bench:` after the name")?;
    let name = name.trim();
    if name.is_empty() {
        return Err("no benchmark name".into());
    }
    let (value, after) = token(result);
    let value = number(value).ok_or_else(|| format!("the value `{value}` is not a number"))?;
    let (unit, after) = token(after);
    // `ns/iter`, `cycles/iter`, `MS/s`: a quantity per something.
    if unit.starts_with('(') || !unit.split_once('/').is_some_and(|(what, per)| !what.is_empty() && !per.is_empty()) {
        return Err(format!("the unit `{unit}` is not one like `ns/iter`"));
    }
    let deviation = after.trim_start().strip_prefix("(+/-").ok_or("no `(+/-` after the unit")?;
    let (deviation, after) = deviation.split_once(')').ok_or("no `)` after the deviation")?;
    number(deviation.trim()).ok_or_else(|| format!("the deviation `{}` is not a number", deviation.trim()))?;
    let after = after.trim();
    if !after.is_empty() {
        let rate = after.strip_prefix('=').and_then(|rate| rate.trim().strip_suffix("MB/s"));
        rate.and_then(|rate| number(rate.trim())).ok_or_else(|| format!("`{after}` after the deviation"))?;
    }
    Ok((name, value, unit))
}

/// The first whitespace-separated word of `text` and what follows it.
fn token(text: &str) -> (&str, &str) {
    let text = text.trim_start();
    text.split_at(text.find(char::is_whitespace).unwrap_or(text.len()))
}

/// A number as libtest and criterion print one: digits, optionally in groups of three
/// separated by `,`, and optionally decimals (`1,234`, `1234`, `148.70`). Anything else
/// (`1,2`, `1.2.3`) is a garbled or cut number, never read as a smaller one.
fn number(text: &str) -> Option<f64> {
    let (whole, decimals) = match text.split_once('.') {
        Some((whole, decimals)) => (whole, Some(decimals)),
        None => (text, None),
    };
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    let mut groups = whole.split(',');
    let first = groups.next().unwrap_or_default();
    let grouped = whole.contains(',');
    if !digits(first) || (grouped && first.len() > 3) || !groups.all(|group| group.len() == 3 && digits(group)) {
        return None;
    }
    if decimals.is_some_and(|decimals| !digits(decimals)) {
        return None;
    }
    let value: f64 = text.replace(',', "").parse().ok()?;
    value.is_finite().then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(path: &str) -> String {
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/criterion").join(path))
            .unwrap()
    }

    fn rows(text: &str) -> Vec<(String, String, Option<String>, f64)> {
        parse(text.as_bytes())
            .unwrap()
            .into_iter()
            .map(|m| (m.subject.get("id").unwrap().to_owned(), m.metric, m.stat, m.value.unwrap()))
            .collect()
    }

    #[test]
    fn thousands_separators_decimals_and_padding() {
        assert_eq!(
            rows(&fixture("libtest-bencher-text/cargo_output2.txt"))[0],
            ("bench_engine_new".to_owned(), "bench_time".to_owned(), None, 211_834.0)
        );
        assert_eq!(rows(&fixture("libtest-bencher-text/cargo_output3.txt"))[1].3, 18_794.12);
        assert_eq!(rows(&fixture("libtest-bencher-text/cargo_output.txt")).len(), 2);
    }

    #[test]
    fn other_units_are_kept_as_they_are() {
        let rows = rows(&fixture("libtest-bencher-text/cargo_output_units.txt"));
        assert_eq!(rows[0], ("cmov".to_owned(), "bench_value".to_owned(), Some("cycles/iter".to_owned()), 2835.0));
        assert_eq!(rows[3], ("upload".to_owned(), "bench_value".to_owned(), Some("MS/s".to_owned()), 1911.0));
    }

    #[test]
    fn criterion_bencher_output_with_names_full_of_punctuation() {
        let text = fixture("generated/bencher.txt");
        let rows = rows(&text);
        assert_eq!(rows.len(), 7);
        assert_eq!(rows[1].0, "text/parse/csv:line?v2");
        let mixed = fixture("libtest-bencher-text/criterion_output.txt");
        assert!(crate::ingest::format::claims(&BencherText, mixed.as_bytes()));
        assert!(
            !crate::ingest::format::claims(&BencherText, b"running 1 test\ntest a ... bench: 1 ns/iter\n"),
            "no whole bench line"
        );
        assert!(!parse(mixed.as_bytes()).unwrap().is_empty());
    }

    #[test]
    fn libtest_rates_after_the_deviation() {
        let rows = rows("test read ... bench:       1,234 ns/iter (+/- 56) = 830 MB/s\n");
        assert_eq!(rows, vec![("read".to_owned(), "bench_time".to_owned(), None, 1234.0)]);
    }

    #[test]
    fn a_broken_bench_line_is_an_error_with_its_number() {
        for (line, why) in [
            ("test a ... bench:   1,2", "the value `1,2` is not a number"),
            ("test a ... bench:   12,3456 ns/iter (+/- 1)", "the value `12,3456` is not a number"),
            ("test a ... bench:   1234,567 ns/iter (+/- 1)", "the value `1234,567` is not a number"),
            ("test a ... bench:   1.2.3 ns/iter (+/- 1)", "the value `1.2.3` is not a number"),
            ("test a ... bench:   1. ns/iter (+/- 1)", "the value `1.` is not a number"),
            ("test a ... bench:   -5 ns/iter (+/- 1)", "the value `-5` is not a number"),
            ("test a ... bench:   5 ns/", "the unit `ns/` is not one like `ns/iter`"),
            ("test a ... bench:   5 (+/- 1)", "the unit `(+/-` is not one like `ns/iter`"),
            ("test a ... bench:   5 ns/iter", "no `(+/-` after the unit"),
            ("test a ... bench:   5 ns/iter (+/- 1", "no `)` after the deviation"),
            ("test a ... bench:   5 ns/iter (+/- x)", "the deviation `x` is not a number"),
            ("test a ... bench:   5 ns/iter (+/- 1) = 3 MB", "`= 3 MB` after the deviation"),
            ("test a ... bench", "no ` ... bench:` after the name"),
            ("test a ... ben", "no ` ... bench:` after the name"),
            ("test a .. bench: 5 ns/iter (+/- 1)", "no ` ... bench:` after the name"),
            ("test  ... bench: 5 ns/iter (+/- 1)", "no benchmark name"),
        ] {
            let text = format!("running 2 tests\ntest ok ... bench: 1 ns/iter (+/- 0)\n{line}\n");
            match parse(text.as_bytes()) {
                Err(Error::Line { line: 3, message }) => {
                    assert!(message.starts_with(&format!("{why}: ")), "{message}");
                }
                other => panic!("{line}: {other:?}"),
            }
        }
    }

    #[test]
    fn other_test_lines_are_not_bench_lines() {
        for line in [
            "test tests::bench_parse ... ok",
            "test benches::bench_read ... ignored",
            "test bench_x ... FAILED",
            "test result: ok. 0 passed; 0 failed; 0 ignored; 2 measured; 0 filtered out",
            "running 3 tests",
            "   Compiling bench v0.1.0",
            "Benchmarking fib 30: Analyzing",
        ] {
            assert!(!is_bench_line(line), "{line}");
        }
        assert!(is_bench_line("test a ... b"));
        assert!(is_bench_line("test a .... bench: 1 ns/iter (+/- 0)"));
    }

    #[test]
    fn numbers_as_libtest_and_criterion_print_them() {
        assert_eq!(number("1,234,567.25"), Some(1_234_567.25));
        assert_eq!(number("12"), Some(12.0));
        assert_eq!(number("1672496"), Some(1_672_496.0));
        assert_eq!(number(&"9".repeat(400)), None, "not finite");
        for bad in ["", ",123", "1,", "1,23", "1e3", "NaN", "inf", "+1", "1_000"] {
            assert_eq!(number(bad), None, "{bad}");
        }
    }
}
