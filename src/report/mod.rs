//! Renderers. Each takes a [`json::Report`] (the evaluation plus what budget it came
//! from) and returns text, the serialising ones (JSON, JUnit) as a `Result`; none reads
//! the environment or writes files.

pub mod bars;
pub mod escape;
pub(crate) mod github;
pub mod history;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod measure;
pub(crate) mod progress;
pub mod table;

use crate::ingest::describe_subject;
use crate::model::{CheckResult, LimitValue, Verdict};
use json::Report;

/// A report the serialiser refused. No input leads here (every map key is a string,
/// serde_json writes a non-finite number as `null`, and the XML goes to memory), so it is
/// a bug; the caller ends the run with exit 2 and writes no file.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("cannot render the {what} (a bug in perfbudget; please report it)")]
    Json {
        /// What was rendered: `JSON report`, `measurements JSON`.
        what: &'static str,
        #[source]
        source: serde_json::Error,
    },
    #[error("cannot render the JUnit report (a bug in perfbudget; please report it)")]
    Junit(#[source] quick_junit::SerializeError),
}

/// Pretty JSON with a trailing newline, safe to print in a CI log ([`escape::json`]).
fn pretty_json(value: &impl serde::Serialize, what: &'static str) -> Result<String, RenderError> {
    let text = serde_json::to_string_pretty(value).map_err(|source| RenderError::Json { what, source })?;
    let mut text = escape::json(&text);
    text.push('\n');
    Ok(text)
}

/// Rows in display order: red, then yellow, then green; within a verdict the furthest
/// past its limit first; ties keep budget order.
pub fn worst_first(report: &Report) -> Vec<&CheckResult> {
    let mut rows: Vec<&CheckResult> = report.checks.iter().collect();
    rows.sort_by(|a, b| b.verdict.cmp(&a.verdict).then(b.severity().total_cmp(&a.severity())));
    rows
}

/// Display text of the cells every tabular renderer shows, before format escaping.
#[derive(Debug)]
pub struct Cells {
    pub budget: String,
    /// `None` when nothing matched the check.
    pub subject: Option<String>,
    pub value: String,
    pub limit: String,
    pub change: String,
    /// How much of its limit the value uses, as a bar and a share (`████████▌▒ 86%`);
    /// empty without a limit.
    pub usage: String,
    /// Against a history: the base runs' sparkline, this run last (`▁▂▂▃▂▇`).
    pub trend: String,
}

/// The optional columns of the tabular renderers, each shown when some row has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Columns {
    /// Rows were compared with a baseline.
    pub changes: bool,
    /// Rows have a limit whose use can be drawn.
    pub uses: bool,
    /// Rows have a history trend.
    pub trends: bool,
}

impl Columns {
    pub fn of(report: &Report) -> Columns {
        Columns {
            changes: has_changes(report),
            uses: report.checks.iter().any(|check| bars::budget_use(check).is_some()),
            trends: report.checks.iter().any(|check| !check.trend.is_empty()),
        }
    }
}

impl Cells {
    pub fn of(check: &CheckResult) -> Cells {
        let value = match check.value {
            // A row about the budget itself: what happened to it.
            None if let Some(loosened) = check.loosened => match loosened.what {
                crate::model::report::LooseningKind::Removed => "removed".to_owned(),
                _ => "loosened".to_owned(),
            },
            Some(value) => {
                let mut text = check.unit.format(value);
                if check.runs.len() > 1 {
                    text.push_str(&format!(" ({} runs)", check.runs.len()));
                }
                text
            }
            // A file the baseline had and this build has not.
            None if check.baseline.is_some() => "removed".to_owned(),
            None => "no data".to_owned(),
        };
        let limit = match check.limit {
            Some(LimitValue::Max(max)) => format!("≤ {}", check.unit.format(max)),
            Some(LimitValue::Min(min)) => format!("≥ {}", check.unit.format(min)),
            None => match check.regression {
                Some(allowed) => format!("±{} vs base", crate::quantity::percent(allowed)),
                None => String::new(),
            },
        };
        let change = match (check.change, check.baseline) {
            (Some(change), _) => crate::quantity::signed_percent(change),
            (None, Some(_)) => "0%".to_owned(),
            (None, None) => String::new(),
        };
        let subject = if check.value.is_none() && check.subject.is_empty() {
            None
        } else {
            Some(describe_subject(&check.subject))
        };
        let usage = bars::use_cell(check).map_or_else(String::new, |(bar, share)| format!("{bar} {share}"));
        let trend = if check.trend.is_empty() {
            String::new()
        } else {
            let values: Vec<Option<f64>> =
                check.trend.iter().map(|point| Some(point.value)).chain(std::iter::once(check.value)).collect();
            bars::sparkline(&values)
        };
        Cells { budget: check.budget.clone(), subject, value, limit, change, usage, trend }
    }
}

/// The files of a summed bundle row as every renderer shows them, before format escaping.
#[derive(Debug)]
pub struct FileTable {
    /// Whether sizes were compared with a baseline.
    pub compared: bool,
    /// `8 files, 1 changed, 1 new, 1 removed`.
    pub summary: String,
    /// Changed, new and removed files first, the largest change first; without a
    /// baseline, the largest file first.
    pub rows: Vec<FileRow>,
}

#[derive(Debug)]
pub struct FileRow {
    pub name: String,
    pub size: String,
    pub base: String,
    /// `+1 kB (+9.3%)`, `new`, `removed`, `0`.
    pub change: String,
    /// Whether the file differs from the baseline (changed, new or removed).
    pub changed: bool,
}

pub fn file_table(check: &CheckResult) -> FileTable {
    use crate::model::report::FileSize;
    use crate::quantity::{Dimension, format_base, signed_percent};
    let compared = check.files.iter().any(|file| file.baseline.is_some());
    let delta = |file: &FileSize| file.value.unwrap_or(0.0) - file.baseline.unwrap_or(0.0);
    let mut files: Vec<&FileSize> = check.files.iter().collect();
    if compared {
        files.sort_by(|a, b| delta(b).abs().total_cmp(&delta(a).abs()).then_with(|| a.name.cmp(&b.name)));
    } else {
        files.sort_by(|a, b| {
            b.value.unwrap_or(0.0).total_cmp(&a.value.unwrap_or(0.0)).then_with(|| a.name.cmp(&b.name))
        });
    }
    let size = |value: Option<f64>| value.map_or_else(|| "—".to_owned(), |v| format_base(Dimension::Size, v));
    let count = |keep: &dyn Fn(&FileSize) -> bool| check.files.iter().filter(|file| keep(file)).count();
    let present: usize = check.files.iter().map(FileSize::built_files).sum();
    let mut counts = vec![crate::quantity::count(present, "file", "files")];
    if compared {
        let changed = count(&|file| file.value.zip(file.baseline).is_some_and(|(value, base)| value != base));
        let added = count(&|file| file.value.is_some() && file.baseline.is_none());
        let removed = count(&|file| file.value.is_none());
        for (n, what) in [(changed, "changed"), (added, "new"), (removed, "removed")] {
            if n > 0 {
                counts.push(format!("{n} {what}"));
            }
        }
    }
    let rows = files
        .into_iter()
        .map(|file| {
            let change = match (file.value, file.baseline) {
                (Some(_), None) => "new".to_owned(),
                (None, Some(_)) => "removed".to_owned(),
                (Some(value), Some(base)) if value == base => "0".to_owned(),
                (Some(value), Some(base)) => {
                    let bytes = format_base(Dimension::Size, (value - base).abs());
                    let sign = if value > base { "+" } else { "−" };
                    if base > 0.0 {
                        format!("{sign}{bytes} ({})", signed_percent((value - base) / base))
                    } else {
                        format!("{sign}{bytes}")
                    }
                }
                (None, None) => String::new(),
            };
            FileRow {
                name: file.name.clone(),
                size: size(file.value),
                base: size(file.baseline),
                changed: compared && file.value != file.baseline,
                change,
            }
        })
        .collect();
    FileTable { compared, summary: counts.join(", "), rows }
}

/// Whether any row was compared with a baseline: without one the change column is empty
/// and is left out.
pub fn has_changes(report: &Report) -> bool {
    report.checks.iter().any(|check| check.baseline.is_some())
}

/// The one-line summary every renderer starts or ends with.
pub fn summary_counts(report: &Report) -> String {
    format!("{} red, {} yellow, {} green", report.counts.red, report.counts.yellow, report.counts.green)
}

/// The one-line summary of merged reports: the jobs by verdict, the missing ones, the
/// checks of all.
pub fn merged_summary(merged: &crate::model::merged::Merged) -> String {
    let mut text = format!(
        "{} ({} red, {} yellow, {} green)",
        crate::quantity::count(merged.jobs.len(), "job", "jobs"),
        merged.jobs_of(Verdict::Red),
        merged.jobs_of(Verdict::Yellow),
        merged.jobs_of(Verdict::Green)
    );
    let missing = merged.missing_jobs();
    if missing > 0 {
        text.push_str(&format!(", {missing} missing"));
    }
    text.push_str(&format!(
        "; checks: {} red, {} yellow, {} green",
        merged.counts.red, merged.counts.yellow, merged.counts.green
    ));
    text
}

/// A commit as a chart label: its first seven characters when they are hex digits, else
/// nothing. Charts parse their labels (mermaid) or sit in markup (SVG), so no other text
/// from a report reaches them.
pub fn short_commit(commit: Option<&str>) -> Option<String> {
    let short: String = commit?.chars().take(7).collect();
    (short.len() == 7 && short.chars().all(|c| c.is_ascii_hexdigit())).then_some(short)
}

/// Where the baseline came from, when the CI job that fetched it said: the base branch's
/// report of a commit, whether that commit is the merge-base, or plainly that there was no
/// baseline. `escape` makes the branch name safe for the output; commits are hex digits
/// (checked when they were read) shown by their first seven.
pub fn baseline_line(report: &Report, escape: &dyn Fn(&str) -> String) -> Option<String> {
    let source = report.baseline_source.as_ref()?;
    if source.found && report.history.is_some() {
        // The history line says what the run was compared with.
        return None;
    }
    let branch = source.branch.as_deref().map(escape);
    if !source.found {
        let missing = match &branch {
            Some(branch) => format!("No baseline: no report of {branch} was found, so nothing was compared with it"),
            None => "No baseline: none was given, so nothing was compared with an earlier run".to_owned(),
        };
        let ending = if source.required {
            "; a baseline is required, so this run fails"
        } else {
            "; only the limits were checked"
        };
        return Some(format!("{missing}{ending}"));
    }
    let commit = short_commit(source.commit.as_deref());
    let merge_base = short_commit(source.merge_base.as_deref());
    let of = branch.map_or_else(String::new, |branch| format!(" of {branch}"));
    let Some(commit) = commit else {
        return Some(format!("Compared with the report{of}"));
    };
    let at_merge_base = source.merge_base.is_some() && source.merge_base == source.commit;
    Some(match merge_base {
        Some(_) if at_merge_base => format!("Compared with the report{of} at {commit}, the merge-base"),
        Some(merge_base) => format!(
            "Compared with the report{of} at {commit}, not the merge-base {merge_base} (it has no report): \
             changes between the two commits are part of the comparison"
        ),
        None => format!("Compared with the report{of} at {commit}"),
    })
}

/// What the run was compared with when it had a history, and how many false alarms its
/// noisy checks may raise by chance; `escape` makes the branch name safe for the output.
pub fn history_line(report: &Report, escape: &dyn Fn(&str) -> String) -> Option<String> {
    let history = report.history.as_ref()?;
    let runs = crate::quantity::count(history.runs, "run", "runs");
    if history.noisy_checks == 0 {
        return Some(format!(
            "Compared with {runs} of {}; no check was judged by the noise rule",
            escape(&history.branch)
        ));
    }
    Some(format!(
        "Compared with {runs} of {}: {} judged by the noise rule at α = {}, so about {} expected beyond their \
         prediction limit by chance alone; a red also needs the change to exceed the regression allowance",
        escape(&history.branch),
        crate::quantity::count(history.noisy_checks, "check", "checks"),
        history.alpha,
        crate::quantity::format_base(crate::quantity::Dimension::Number, history.expected_false_alarms()),
    ))
}

pub fn verdict_icon(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Red => "🔴",
        Verdict::Yellow => "🟡",
        Verdict::Green => "🟢",
    }
}

#[cfg(test)]
pub(crate) mod sample;

#[cfg(test)]
mod tests {
    #[test]
    fn only_hex_commits_label_a_chart() {
        assert_eq!(super::short_commit(Some("1a2b3c4d5e")).as_deref(), Some("1a2b3c4"));
    }

    #[test]
    fn the_baseline_line_names_the_commit_and_says_no_baseline_plainly() {
        use crate::model::report::BaselineSource;
        let mut report = crate::report::sample::report();
        report.history = None;
        let line = |report: &super::json::Report| super::baseline_line(report, &|text| format!("`{text}`"));
        assert_eq!(line(&report), None);
        let at = |commit: &str, merge_base: Option<&str>| BaselineSource {
            branch: Some("main".into()),
            commit: Some(commit.into()),
            merge_base: merge_base.map(str::to_owned),
            found: true,
            required: false,
        };
        report.baseline_source = Some(at("1a2b3c4d5e6f", Some("1a2b3c4d5e6f")));
        assert_eq!(line(&report).unwrap(), "Compared with the report of `main` at 1a2b3c4, the merge-base");
        report.baseline_source = Some(at("1a2b3c4d5e6f", Some("9f8e7d6c5b4a")));
        assert_eq!(
            line(&report).unwrap(),
            "Compared with the report of `main` at 1a2b3c4, not the merge-base 9f8e7d6 (it has no report): \
             changes between the two commits are part of the comparison"
        );
        report.baseline_source = Some(at("1a2b3c4d5e6f", None));
        assert_eq!(line(&report).unwrap(), "Compared with the report of `main` at 1a2b3c4");
        // A commit that is not hex (an edited report) is not shown.
        report.baseline_source = Some(at("<img src=x>", None));
        assert_eq!(line(&report).unwrap(), "Compared with the report of `main`");
        let missing = BaselineSource { branch: Some("main".into()), found: false, ..BaselineSource::default() };
        report.baseline_source = Some(missing.clone());
        assert_eq!(
            line(&report).unwrap(),
            "No baseline: no report of `main` was found, so nothing was compared with it; only the limits were checked"
        );
        report.baseline_source = Some(BaselineSource { required: true, branch: None, ..missing });
        assert!(report.baseline_source.as_ref().unwrap().fails());
        assert_eq!(
            line(&report).unwrap(),
            "No baseline: none was given, so nothing was compared with an earlier run; a baseline is required, so \
             this run fails"
        );
        let markdown = super::markdown::render(&report, "k", super::markdown::MAX_BYTES);
        assert!(markdown.contains("\n\n**No baseline**: none was given"), "{markdown}");
        let annotations = super::github::annotations(&report);
        assert!(annotations.starts_with("::error title=perfbudget::No baseline: none was given"), "{annotations}");
        assert_eq!(super::short_commit(Some("<svg onload=x>")), None);
        assert_eq!(super::short_commit(Some("abc")), None);
        assert_eq!(super::short_commit(None), None);
    }
}
