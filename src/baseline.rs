//! Reading a baseline: perfbudget's JSON report from an earlier run, given with
//! `--baseline` (or to `perfbudget comment`), as untrusted input: a capped read of a regular
//! file whose every value passes the input range check.

use std::path::Path;

use anyhow::Context;

pub use crate::model::baseline::{Baseline, BaselineValue};
use crate::model::report::Report;

/// Reads a JSON report written by `perfbudget check --json` as a baseline; every value in it
/// must pass the same range check as every input's.
pub fn load(path: &Path) -> anyhow::Result<Baseline> {
    let report = read_report(path)?;
    if let Some(problem) = report_value_problem(&report) {
        anyhow::bail!("{}: {problem}", path.display());
    }
    Ok(Baseline::from_report(&report))
}

/// Reads and checks a JSON report written by `perfbudget check --json` (a baseline, or the
/// input of `perfbudget comment`). The report may come from a fork's pull request, so it
/// is read like any other report: a regular file, at most
/// [`crate::ingest::MAX_DOCUMENT_BYTES`], UTF-8.
pub fn read_report(path: &Path) -> anyhow::Result<Report> {
    regular_file(path)?;
    let text = crate::ingest::read_text_document(path)?;
    let report: Report = serde_json::from_str(&text).map_err(|error| {
        if let Some(what) = not_a_report(&text) {
            return anyhow::anyhow!("{}: {what}", path.display());
        }
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
    if report.tool != "perfbudget" {
        anyhow::bail!("{}: not a perfbudget JSON report (its `tool` is not `perfbudget`)", path.display());
    }
    Ok(report)
}

/// Why a JSON document that does not read as a report is not one, when it says so itself: a
/// document of another tool, another schema version, or a merged report. `None` when it
/// looks like a report (the parse error then says where it breaks).
fn not_a_report(text: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Head {
        schema_version: Option<serde_json::Value>,
        tool: Option<serde_json::Value>,
        jobs: Option<serde::de::IgnoredAny>,
    }
    let Ok(head) = serde_json::from_str::<Head>(text) else {
        return None;
    };
    let ours = head.tool.as_ref().and_then(serde_json::Value::as_str) == Some("perfbudget");
    // Another tool's document; one that names neither a tool nor a version is one too. A
    // report cut short of its `tool` gets the parse error, which says what is missing.
    if (head.tool.is_some() && !ours) || (head.tool.is_none() && head.schema_version.is_none()) {
        return Some("not a perfbudget JSON report (no `\"tool\": \"perfbudget\"`); write one with `perfbudget check --json FILE`".to_owned());
    }
    if !ours {
        return None;
    }
    if let Some(version) = head.schema_version.filter(|version| version.as_u64() != Some(1)) {
        return Some(format!("JSON report schema_version {version} is not supported; this perfbudget reads version 1"));
    }
    if head.jobs.is_some() {
        return Some(
            "a merged report (`perfbudget merge --json`), not one job's report: give the jobs' own reports".to_owned(),
        );
    }
    None
}

/// Refuses a report with a value that cannot be a measurement's (see
/// [`report_value_problem`]): `Err` says which check and value.
pub fn check_values(report: &Report) -> Result<(), String> {
    report_value_problem(report).map_or(Ok(()), Err)
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
