//! A baseline: perfbudget's JSON report from an earlier run (usually the base branch),
//! given with `--baseline`. Values are looked up by what was measured, not by budget
//! name, so renaming a budget keeps its history.

use std::collections::HashMap;
use std::path::Path;

use anyhow::Context;

use crate::ingest::Subject;
use crate::report::json::Report;

#[derive(Debug, Clone, Default)]
pub struct Baseline {
    /// key -> value in its dimension's base unit.
    values: HashMap<String, BaselineValue>,
    /// key -> the files of a summed bundle check: name (without hash) and bytes.
    files: HashMap<String, Vec<(String, f64)>>,
    /// (budget label, compression) -> the files of a bundle check of each file, with their
    /// bytes: what a pull request removed is found by the check that listed it.
    each_files: HashMap<(String, String), Vec<(String, f64)>>,
}

/// A baseline value and, where the report kept it, its 95% interval; base units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BaselineValue {
    pub value: f64,
    pub interval: Option<(f64, f64)>,
}

impl Baseline {
    /// Reads a JSON report written by `perfbudget check --json`.
    pub fn load(path: &Path) -> anyhow::Result<Baseline> {
        let report = read_report(path)?;
        if let Some(problem) = report_value_problem(&report) {
            anyhow::bail!("{}: {problem}", path.display());
        }
        Ok(Baseline::from_report(&report))
    }

    pub fn from_report(report: &Report) -> Baseline {
        let files = report
            .checks
            .iter()
            .filter(|c| !c.files.is_empty())
            .map(|c| {
                let sizes = c.files.iter().filter_map(|f| Some((f.name.clone(), f.value?))).collect();
                (key(&c.source_metric, c.stat.as_deref(), &c.subject), sizes)
            })
            .collect();
        let mut each_files: HashMap<(String, String), Vec<(String, f64)>> = HashMap::new();
        for c in report.checks.iter().filter(|c| c.metric == crate::ingest::bundle::METRIC && c.files.is_empty()) {
            if let (Some(file), Some(stat), Some(value)) =
                (c.subject.get(crate::ingest::bundle::FILE_TAG), &c.stat, c.value)
            {
                each_files
                    .entry((c.budget.clone(), stat.clone()))
                    .or_default()
                    .push((file.to_owned(), c.unit.to_base(value)));
            }
        }
        let values = report
            .checks
            .iter()
            .filter_map(|c| {
                Some(entry(&c.source_metric, c.stat.as_deref(), &c.subject, c.unit, c.value?, c.lower.zip(c.upper)))
            })
            .collect();
        Baseline { values, files, each_files }
    }

    /// A baseline from measurements read directly, such as a saved criterion baseline
    /// (`--criterion-baseline`).
    pub fn from_measurements(measurements: &[crate::ingest::Measurement]) -> Baseline {
        let values = measurements
            .iter()
            .filter_map(|m| {
                Some(entry(&m.metric, m.stat.as_deref(), &m.subject, m.unit, m.value?, m.lower.zip(m.upper)))
            })
            .collect();
        Baseline { values, files: HashMap::new(), each_files: HashMap::new() }
    }

    /// Adds another baseline's values; `other` wins where both have one.
    pub fn extend(&mut self, other: Baseline) {
        self.values.extend(other.values);
        self.files.extend(other.files);
        self.each_files.extend(other.each_files);
    }

    /// The files a bundle check of each file (by its label) listed in the baseline.
    pub fn each_files(&self, label: &str, stat: &str) -> Option<&[(String, f64)]> {
        self.each_files.get(&(label.to_owned(), stat.to_owned())).map(Vec::as_slice)
    }

    /// The files of a summed bundle check in the baseline, with their bytes.
    pub fn files(&self, metric: &str, stat: Option<&str>, subject: &Subject) -> Option<&[(String, f64)]> {
        self.files.get(&key(metric, stat, subject)).map(Vec::as_slice)
    }

    /// The baseline value (base unit) for a measured metric, stat and subject.
    pub fn get(&self, metric: &str, stat: Option<&str>, subject: &Subject) -> Option<BaselineValue> {
        self.values.get(&key(metric, stat, subject)).copied()
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// Reads and checks a JSON report written by `perfbudget check --json` (a baseline, or the
/// input of `perfbudget comment`). The report may come from a fork's pull request, so it
/// is read like any other report: a regular file, at most
/// [`crate::ingest::MAX_DOCUMENT_BYTES`], UTF-8.
pub fn read_report(path: &Path) -> anyhow::Result<Report> {
    regular_file(path)?;
    let text = crate::ingest::read_text_document(path)?;
    let report: Report = serde_json::from_str(&text).map_err(|error| {
            let hint = if text.trim_start().starts_with('[') {
                " (this looks like measurements JSON: give it as an input, and a `perfbudget check --json` report as --baseline)"
            } else {
                ""
            };
            anyhow::anyhow!("{}{hint}", crate::ingest::Located::from_json(&error, 1, 1).in_file(path))
        })?;
    if report.schema_version != 1 {
        anyhow::bail!(
            "{}: JSON report schema_version {} is not supported; this perfbudget reads version 1",
            path.display(),
            report.schema_version
        );
    }
    Ok(report)
}

/// Why a value of a report cannot serve as a baseline, or `None`: every value it holds passes
/// the same range check as every input's ([`crate::ingest::validate`]), so an edited report
/// cannot hand `evaluate` an infinity (1e308 s) or an impossible size.
fn report_value_problem(report: &Report) -> Option<String> {
    report.checks.iter().enumerate().find_map(|(index, check)| {
        let source = check.source.as_deref().unwrap_or_default();
        let sizes = check.files.iter().flat_map(|file| [file.value, file.baseline]);
        let values = [("value", check.value), ("lower", check.lower), ("upper", check.upper)]
            .into_iter()
            .chain(check.runs.iter().map(|run| ("runs[]", Some(*run))))
            .chain(std::iter::once(("baseline", check.baseline)));
        let problem = values
            .filter_map(|(what, value)| Some((what, value?)))
            .find_map(|(what, value)| {
                crate::ingest::validate::value_problem(source, &check.source_metric, check.unit, what, value)
            })
            .or_else(|| {
                sizes.flatten().find_map(|bytes| {
                    crate::ingest::validate::value_problem(
                        source,
                        &check.source_metric,
                        crate::quantity::Unit::Bytes,
                        "files[].value",
                        bytes,
                    )
                })
            })?;
        Some(format!("checks[{index}] ({}, {}): {problem}", check.budget, check.source_metric))
    })
}

/// Refuses anything but a regular file before it is opened ([`crate::ingest::regular_file`]).
fn regular_file(path: &Path) -> anyhow::Result<()> {
    let metadata =
        std::fs::metadata(path).with_context(|| format!("cannot read the JSON report {}", path.display()))?;
    crate::ingest::regular_file(path, &metadata, "a JSON report is a file written by `perfbudget check --json`")
}

/// One baseline entry, converted to base units.
fn entry(
    metric: &str,
    stat: Option<&str>,
    subject: &Subject,
    unit: crate::quantity::Unit,
    value: f64,
    interval: Option<(f64, f64)>,
) -> (String, BaselineValue) {
    let base = |value: f64| unit.to_base(value);
    let value =
        BaselineValue { value: base(value), interval: interval.map(|(lower, upper)| (base(lower), base(upper))) };
    (key(metric, stat, subject), value)
}

/// Joins the parts with the ASCII unit and record separators, which metric names, stats
/// and tags do not contain.
fn key(metric: &str, stat: Option<&str>, subject: &Subject) -> String {
    let mut key = format!("{metric}\u{1f}{}", stat.unwrap_or(""));
    for (tag, value) in subject.iter() {
        key.push('\u{1e}');
        key.push_str(tag);
        key.push('\u{1f}');
        key.push_str(value);
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_is_a_small_regular_file() {
        let dir = tempfile::tempdir().unwrap();
        let error = read_report(dir.path()).unwrap_err();
        assert_eq!(
            format!("{error:#}"),
            format!(
                "{}: not a regular file (a folder); a JSON report is a file written by `perfbudget check --json`",
                dir.path().display()
            )
        );
        let sparse = dir.path().join("sparse.json");
        std::fs::File::create(&sparse).unwrap().set_len(crate::ingest::MAX_DOCUMENT_BYTES + 1).unwrap();
        let error = format!("{:#}", read_report(&sparse).unwrap_err());
        assert!(error.contains("is more than the 500 MB perfbudget reads as one report"), "{error}");
        let missing = format!("{:#}", read_report(&dir.path().join("missing.json")).unwrap_err());
        assert!(missing.starts_with("cannot read the JSON report "), "{missing}");
    }

    #[cfg(unix)]
    #[test]
    fn devices_are_refused_before_they_are_opened() {
        let error = format!("{:#}", read_report(Path::new("/dev/zero")).unwrap_err());
        assert!(error.starts_with("/dev/zero: not a regular file (a character device)"), "{error}");
    }
}
