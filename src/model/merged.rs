//! Several jobs' reports as one: a CI matrix (or a monorepo's packages) runs
//! `perfbudget check --key KEY --json …` once per job, and `perfbudget merge` turns the
//! reports into one verdict (the worst wins), one comment and one JUnit file.
//!
//! A job is named by its report's `key` (`check --key`), else by the report file's name
//! without `.json`. Two reports with one key are an error: one job's results would hide
//! the other's, and a matrix that gives two legs one key is misconfigured (upload-artifact
//! refuses two artifacts of one name for the same reason). A job that `--expect` names and
//! no report has is a row of its own, red by default. This module is pure: the caller reads
//! the files.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::Verdict;
use crate::model::report::{Counts, Report, SCHEMA_VERSION};

/// The most reports one merge reads: GitHub runs at most 256 jobs of one matrix, so more
/// is a folder given by mistake, not a matrix.
pub const MAX_JOBS: usize = 10_000;

/// The longest key a job may have, in characters.
pub const MAX_KEY_CHARS: usize = 200;

/// The merged report (`merge --json`), `schema_version: 1`, with every job's report whole.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Merged {
    pub schema_version: u32,
    /// Always `perfbudget`.
    pub tool: String,
    /// The perfbudget version that merged.
    pub version: String,
    /// The worst verdict of every job and every missing job.
    pub verdict: Verdict,
    /// The checks of every job, per verdict.
    pub counts: Counts,
    /// The jobs that reported, by key.
    pub jobs: Vec<Job>,
    /// The expected jobs that did not report.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<Missing>,
}

/// One job's report and where it was read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    pub key: String,
    /// The report file, as given (or as found in a folder given).
    pub file: String,
    pub report: Report,
}

/// An expected job with no report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Missing {
    /// The key `--expect` named; `None` for jobs only `--expect-count` counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// How many jobs this row stands for (more than one only for `--expect-count`).
    pub jobs: usize,
    pub verdict: Verdict,
    /// One sentence a person reads.
    pub message: String,
}

/// Which jobs must have reported.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Expected {
    /// Any number, any keys.
    #[default]
    Any,
    /// These keys (`--expect`).
    Keys(Vec<String>),
    /// This many jobs (`--expect-count`).
    Count(usize),
}

/// A report as read, before it is named: the file and what it holds.
#[derive(Debug, Clone)]
pub struct ReadReport {
    pub file: String,
    pub report: Report,
}

/// Why reports cannot be merged: each names the file(s).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    #[error("no reports to merge; give `perfbudget check --json` reports or folders holding them")]
    Nothing,
    #[error("{file}: the job key {problem}")]
    BadKey { file: String, problem: &'static str },
    #[error(
        "{second}: the job key `{key}` is also {first}'s; give each job its own `check --key` (in a matrix, \
         one per leg: `--key ${{{{ matrix.name }}}}`)"
    )]
    Duplicate { key: String, first: String, second: String },
    #[error("{file}: the report says {said}, but its checks are {counted}; it was edited or cut")]
    Inconsistent { file: String, said: String, counted: String },
}

/// Why `key` cannot name a job, or `None`.
pub fn key_problem(key: &str) -> Option<&'static str> {
    if key.trim().is_empty() {
        Some("is empty")
    } else if key.chars().count() > MAX_KEY_CHARS {
        Some("is longer than 200 characters")
    } else if key.chars().any(char::is_control) {
        Some("holds a control character (a line break, a tab, an escape)")
    } else {
        None
    }
}

/// A report's job key: its `key`, else its file's name without the folder and `.json`.
pub fn job_key(read: &ReadReport) -> String {
    if let Some(key) = &read.report.key {
        return key.clone();
    }
    let name = read.file.rsplit(['/', '\\']).next().unwrap_or(&read.file);
    name.strip_suffix(".json").unwrap_or(name).to_owned()
}

/// The counts and verdict a report's checks give; `Err` says what it claimed instead.
fn consistent(report: &Report) -> Result<(), (String, String)> {
    let count = |verdict: Verdict| report.checks.iter().filter(|check| check.verdict == verdict).count();
    let counted = Counts { red: count(Verdict::Red), yellow: count(Verdict::Yellow), green: count(Verdict::Green) };
    let worst = report.checks.iter().map(|check| check.verdict).max().unwrap_or(Verdict::Green);
    if counted == report.counts && worst == report.verdict {
        return Ok(());
    }
    let text = |verdict: Verdict, counts: Counts| {
        format!("{} ({} red, {} yellow, {} green)", verdict.as_str(), counts.red, counts.yellow, counts.green)
    };
    Err((text(report.verdict, report.counts), text(worst, counted)))
}

/// Merges the reports: each named by [`job_key`], sorted by key; the expected jobs that did
/// not report become [`Missing`] rows of verdict `missing`. Also returns warnings: reports
/// of jobs `--expect` does not name, more jobs than `--expect-count`.
pub fn merge(
    reports: Vec<ReadReport>,
    expected: &Expected,
    missing_verdict: Verdict,
) -> Result<(Merged, Vec<String>), MergeError> {
    if reports.is_empty() && *expected == Expected::Any {
        return Err(MergeError::Nothing);
    }
    let mut jobs: BTreeMap<String, Job> = BTreeMap::new();
    for read in reports {
        let key = job_key(&read);
        if let Some(problem) = key_problem(&key) {
            return Err(MergeError::BadKey { file: read.file, problem });
        }
        if let Err((said, counted)) = consistent(&read.report) {
            return Err(MergeError::Inconsistent { file: read.file, said, counted });
        }
        if let Some(first) = jobs.get(&key) {
            return Err(MergeError::Duplicate { key, first: first.file.clone(), second: read.file });
        }
        jobs.insert(key.clone(), Job { key, file: read.file, report: read.report });
    }
    let mut warnings = Vec::new();
    let mut missing = Vec::new();
    match expected {
        Expected::Any => {}
        Expected::Keys(keys) => {
            for key in keys.iter().filter(|key| !jobs.contains_key(*key)) {
                missing.push(Missing {
                    key: Some(key.clone()),
                    jobs: 1,
                    verdict: missing_verdict,
                    message: "expected, but no report has this key".to_owned(),
                });
            }
            for job in jobs.values().filter(|job| !keys.contains(&job.key)) {
                warnings.push(format!(
                    "{}: job `{}` is not among the --expect keys; merged all the same",
                    job.file, job.key
                ));
            }
        }
        Expected::Count(count) => {
            if jobs.len() < *count {
                let absent = count - jobs.len();
                missing.push(Missing {
                    key: None,
                    jobs: absent,
                    verdict: missing_verdict,
                    message: format!(
                        "{absent} of the {count} expected jobs reported nothing (--expect-count {count}; {} reported)",
                        jobs.len()
                    ),
                });
            } else if jobs.len() > *count {
                warnings.push(format!("{} jobs reported, more than --expect-count {count}", jobs.len()));
            }
        }
    }
    let jobs: Vec<Job> = jobs.into_values().collect();
    let sum = |pick: fn(&Counts) -> usize| jobs.iter().map(|job| pick(&job.report.counts)).sum();
    let counts = Counts { red: sum(|c| c.red), yellow: sum(|c| c.yellow), green: sum(|c| c.green) };
    let verdict = jobs
        .iter()
        .map(|job| job.report.verdict)
        .chain(missing.iter().map(|missing| missing.verdict))
        .max()
        .unwrap_or(Verdict::Green);
    let merged = Merged {
        schema_version: SCHEMA_VERSION,
        tool: "perfbudget".to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        verdict,
        counts,
        jobs,
        missing,
    };
    Ok((merged, warnings))
}

impl Merged {
    /// How many jobs are missing (a `--expect-count` row may stand for several).
    pub fn missing_jobs(&self) -> usize {
        self.missing.iter().map(|missing| missing.jobs).sum()
    }

    /// The jobs whose verdict is `verdict`.
    pub fn jobs_of(&self, verdict: Verdict) -> usize {
        self.jobs.iter().filter(|job| job.report.verdict == verdict).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Evaluation;
    use crate::model::report::BudgetInfo;

    fn read(file: &str, key: Option<&str>) -> ReadReport {
        let mut report = Report::new(Evaluation::default(), BudgetInfo { name: None, file: "b.yml".into() });
        report.key = key.map(str::to_owned);
        ReadReport { file: file.to_owned(), report }
    }

    #[test]
    fn a_job_is_its_key_else_its_file_name() {
        assert_eq!(job_key(&read("out/web.json", Some("web e2e"))), "web e2e");
        assert_eq!(job_key(&read("reports/perfbudget-report-api.json", None)), "perfbudget-report-api");
        assert_eq!(job_key(&read("C:\\ci\\docs.json", None)), "docs");
    }

    #[test]
    fn keys_are_sorted_and_a_duplicate_is_an_error_naming_both_files() {
        let (merged, warnings) =
            merge(vec![read("b.json", Some("web")), read("a.json", Some("api"))], &Expected::Any, Verdict::Red)
                .unwrap();
        assert_eq!(merged.jobs.iter().map(|job| job.key.as_str()).collect::<Vec<_>>(), ["api", "web"]);
        assert!(warnings.is_empty());
        let error =
            merge(vec![read("x/web.json", None), read("y/web.json", None)], &Expected::Any, Verdict::Red).unwrap_err();
        assert_eq!(
            error.to_string(),
            "y/web.json: the job key `web` is also x/web.json's; give each job its own `check --key` (in a matrix, \
             one per leg: `--key ${{ matrix.name }}`)"
        );
    }

    #[test]
    fn expected_jobs_that_did_not_report_are_rows_of_their_own() {
        let expected = Expected::Keys(vec!["web".into(), "docs".into()]);
        let (merged, warnings) =
            merge(vec![read("web.json", None), read("api.json", None)], &expected, Verdict::Yellow).unwrap();
        assert_eq!(merged.verdict, Verdict::Yellow);
        assert_eq!(merged.missing.len(), 1);
        assert_eq!(merged.missing[0].key.as_deref(), Some("docs"));
        assert_eq!(warnings, ["api.json: job `api` is not among the --expect keys; merged all the same"]);

        let (merged, _) = merge(vec![read("web.json", None)], &Expected::Count(3), Verdict::Red).unwrap();
        assert_eq!(merged.verdict, Verdict::Red);
        assert_eq!(merged.missing_jobs(), 2);
        assert_eq!(
            merged.missing[0].message,
            "2 of the 3 expected jobs reported nothing (--expect-count 3; 1 reported)"
        );
        // Nothing at all reported: every expected job is missing, which is a verdict, not an error.
        let (merged, _) = merge(Vec::new(), &Expected::Count(2), Verdict::Red).unwrap();
        assert_eq!((merged.verdict, merged.missing_jobs()), (Verdict::Red, 2));
        assert_eq!(merge(Vec::new(), &Expected::Any, Verdict::Red).unwrap_err(), MergeError::Nothing);
    }

    #[test]
    fn a_key_that_could_forge_a_line_is_refused_and_an_edited_summary_too() {
        for (key, problem) in
            [("", "is empty"), ("a\n::error::x", "holds a control character (a line break, a tab, an escape)")]
        {
            let error = merge(vec![read("r.json", Some(key))], &Expected::Any, Verdict::Red).unwrap_err();
            assert_eq!(error, MergeError::BadKey { file: "r.json".into(), problem });
        }
        assert_eq!(key_problem(&"k".repeat(201)), Some("is longer than 200 characters"));
        let mut edited = read("r.json", None);
        edited.report.verdict = Verdict::Red;
        let error = merge(vec![edited], &Expected::Any, Verdict::Red).unwrap_err();
        assert_eq!(
            error.to_string(),
            "r.json: the report says red (0 red, 0 yellow, 0 green), but its checks are green (0 red, 0 yellow, 0 \
             green); it was edited or cut"
        );
    }
}
