//! libtest's `#[bench]` output and criterion's `--output-format bencher` text:
//! `test NAME ... bench: 1,234 ns/iter (+/- 56)`.
//!
//! The number is libtest's median of its samples, or criterion's median estimate; the
//! `+/-` is max − min (libtest) or a standard deviation (criterion), never a confidence
//! interval, so it is not kept as one. `ns/iter` lines give `bench_time`; other units
//! (`cycles/iter`, `MS/s`) are kept as they are, as `bench_value` with the unit as stat.

use std::path::Path;

use anyhow::bail;

use super::{Adapter, Measurement, Subject};
use crate::quantity::Unit;

#[derive(Debug)]
pub struct BencherText;

impl Adapter for BencherText {
    fn description(&self) -> &'static str {
        "libtest or criterion bencher text (`test NAME ... bench: N ns/iter (+/- M)`)"
    }

    fn sniff(&self, head: &[u8]) -> bool {
        String::from_utf8_lossy(head).lines().any(|line| parse_line(line).is_some())
    }

    fn read(&self, path: &Path) -> anyhow::Result<Vec<Measurement>> {
        let text = super::read_text_document(path)?;
        let measurements = parse(&text);
        if measurements.is_empty() {
            bail!("{}: no `test NAME ... bench:` line", path.display());
        }
        Ok(measurements)
    }
}

pub fn parse(text: &str) -> Vec<Measurement> {
    text.lines()
        .filter_map(parse_line)
        .map(|(name, value, unit)| {
            let (metric, stat, unit) = match unit {
                "ns/iter" => ("bench_time", None, Unit::Ns),
                other => ("bench_value", Some(other), Unit::Number),
            };
            Measurement::new("bencher", metric, stat, Subject::from([("id", name)]), value, unit)
        })
        .collect()
}

/// `test NAME ... bench: VALUE UNIT (+/- DEVIATION)` -> (name, value, unit).
fn parse_line(line: &str) -> Option<(&str, f64, &str)> {
    let rest = line.trim_start().strip_prefix("test ")?;
    let (name, result) = rest.split_once(" ... bench:")?;
    let mut parts = result.split_whitespace();
    let number: String = parts.next()?.chars().filter(|c| *c != ',').collect();
    let value: f64 = number.parse().ok().filter(|v: &f64| v.is_finite() && *v >= 0.0)?;
    let unit = parts.next()?;
    parts.next().filter(|part| part.starts_with("(+/-"))?;
    Some((name.trim(), value, unit))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(path: &str) -> String {
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/criterion").join(path))
            .unwrap()
    }

    fn rows(text: &str) -> Vec<(String, String, Option<String>, f64)> {
        parse(text)
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
        assert!(BencherText.sniff(mixed.as_bytes()));
        assert!(!parse(&mixed).is_empty());
    }
}
