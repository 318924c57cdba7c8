//! GitHub Actions: annotations, the step summary and step outputs.
//!
//! Annotations go through the runner's escaping (`escape::workflow_*`): `%`, CR and LF in
//! data; also `:` and `,` in properties. At most 10 errors and 10 warnings are shown per
//! step, so the worst of each are annotated and one notice counts the rest.

use super::escape::{strip_controls, workflow_data, workflow_property};
use super::json::Report;
use super::worst_first;
use crate::model::Verdict;
use crate::model::merged::Merged;

/// GitHub shows at most this many annotations of each level per step.
pub(crate) const ANNOTATIONS_PER_LEVEL: usize = 10;

/// The step summary is cut at 1 MiB by the runner; a report stays well under it.
pub(crate) const STEP_SUMMARY_MAX_BYTES: usize = 512 * 1024;

/// `::error` lines for the worst reds, `::warning` for the worst yellows, and a notice for
/// what did not fit.
pub(crate) fn annotations(report: &Report) -> String {
    let rows: Vec<(String, &str, Verdict)> = worst_first(report)
        .into_iter()
        .map(|check| (format!("perfbudget: {}", check.budget), check.message.as_str(), check.verdict))
        .collect();
    no_baseline(report) + &annotate(&rows)
}

/// "No baseline" is said where it cannot be missed: an error when it fails the run.
fn no_baseline(report: &Report) -> String {
    let Some(source) = report.baseline_source.as_ref().filter(|source| !source.found) else {
        return String::new();
    };
    let level = if source.fails() { "error" } else { "warning" };
    super::baseline_line(report, &|text| strip_controls(text))
        .map_or_else(String::new, |line| format!("::{level} title=perfbudget::{}\n", workflow_data(&line)))
}

/// Merged reports: the missing jobs first, then every job's checks worst first, each title
/// naming the job (`perfbudget [web]: lcp`); the same caps over all of them.
pub(crate) fn annotations_merged(merged: &Merged) -> String {
    let mut rows: Vec<(String, &str, Verdict)> = merged
        .missing
        .iter()
        .map(|missing| {
            let title = match &missing.key {
                Some(key) => format!("perfbudget [{key}]"),
                None => "perfbudget".to_owned(),
            };
            (title, missing.message.as_str(), missing.verdict)
        })
        .collect();
    let mut checks: Vec<(&str, &crate::model::CheckResult)> = merged
        .jobs
        .iter()
        .flat_map(|job| worst_first(&job.report).into_iter().map(|check| (job.key.as_str(), check)))
        .collect();
    checks.sort_by(|(_, a), (_, b)| b.verdict.cmp(&a.verdict).then(b.severity().total_cmp(&a.severity())));
    rows.extend(
        checks.into_iter().map(|(key, check)| {
            (format!("perfbudget [{key}]: {}", check.budget), check.message.as_str(), check.verdict)
        }),
    );
    merged.jobs.iter().map(|job| no_baseline(&job.report)).collect::<String>() + &annotate(&rows)
}

/// `(title, message, verdict)` rows, worst first, as annotations within the caps.
fn annotate(rows: &[(String, &str, Verdict)]) -> String {
    let mut out = String::new();
    let mut hidden = 0;
    for (verdict, level) in [(Verdict::Red, "error"), (Verdict::Yellow, "warning")] {
        let rows: Vec<_> = rows.iter().filter(|(_, _, of)| *of == verdict).collect();
        for (title, message, _) in rows.iter().take(ANNOTATIONS_PER_LEVEL) {
            let title = workflow_property(&strip_controls(title));
            let message = workflow_data(&strip_controls(message));
            out.push_str(&format!("::{level} title={title}::{message}\n"));
        }
        hidden += rows.len().saturating_sub(ANNOTATIONS_PER_LEVEL);
    }
    if hidden > 0 {
        out.push_str(&format!(
            "::notice title=perfbudget::{hidden} more red or yellow checks are in the step summary and the JSON report\n"
        ));
    }
    out
}

/// `$GITHUB_OUTPUT` lines: `name<<DELIMITER`, the value, the delimiter, for the verdict,
/// the counts and the report paths. The delimiter is random per run (the caller's), so
/// a value cannot end the block early; values holding it are left out.
pub(crate) fn outputs(report: &Report, paths: &[(&str, String)], delimiter: &str) -> String {
    heredocs(summary_values(report.verdict, report.counts), paths, delimiter)
}

/// Merged reports: as [`outputs`] over every job's checks, and `missing`, the number of
/// expected jobs that did not report.
pub(crate) fn outputs_merged(merged: &Merged, paths: &[(&str, String)], delimiter: &str) -> String {
    let mut values = summary_values(merged.verdict, merged.counts);
    values.push(("missing", merged.missing_jobs().to_string()));
    heredocs(values, paths, delimiter)
}

fn summary_values(verdict: Verdict, counts: crate::model::report::Counts) -> Vec<(&'static str, String)> {
    vec![
        ("verdict", verdict.as_str().to_owned()),
        ("red", counts.red.to_string()),
        ("yellow", counts.yellow.to_string()),
        ("green", counts.green.to_string()),
    ]
}

fn heredocs<'a>(mut values: Vec<(&'a str, String)>, paths: &[(&'a str, String)], delimiter: &str) -> String {
    values.extend(paths.iter().map(|(name, path)| (*name, path.clone())));
    let mut out = String::new();
    for (name, value) in values {
        if value.contains(delimiter) {
            continue;
        }
        out.push_str(&format!("{name}<<{delimiter}\n{value}\n{delimiter}\n"));
    }
    out
}

/// Wraps text that holds untrusted strings so the runner reads no workflow command in it:
/// `::stop-commands::TOKEN` … `::TOKEN::`.
pub(crate) fn without_commands(text: &str, token: &str) -> String {
    format!("::stop-commands::{token}\n{text}::{token}::\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotations_are_escaped_and_capped() {
        let text = annotations(&crate::report::sample::report());
        insta::assert_snapshot!(text);
        for line in text.lines() {
            assert!(line.starts_with("::error ") || line.starts_with("::warning "), "{line}");
        }
        // The hostile subject never reaches an annotation; its budget's message is ours.
        assert_eq!(text.lines().count(), 5);

        let mut report = crate::report::sample::report();
        let red = report.checks.iter().find(|c| c.verdict == Verdict::Red).unwrap().clone();
        report.checks.extend(std::iter::repeat_n(red, 20));
        let text = annotations(&report);
        assert_eq!(text.matches("::error ").count(), ANNOTATIONS_PER_LEVEL);
        assert!(text.ends_with(
            "::notice title=perfbudget::13 more red or yellow checks are in the step summary and the JSON report\n"
        ));
    }

    #[test]
    fn loosened_budgets_are_annotated_by_their_verdict() {
        let text = annotations(&crate::report::sample::loosened_report());
        insta::assert_snapshot!(text);
        assert!(text.contains("::error title=perfbudget%3A Checkout LCP::limit loosened from 2 s to 2.2 s"));
        assert!(text.contains("::warning title=perfbudget%3A api_p95::limit loosened from 300 ms to 400 ms"));
    }

    #[test]
    fn hostile_budget_names_cannot_break_out() {
        let mut report = crate::report::sample::report();
        report.checks[0].verdict = Verdict::Red;
        report.checks[0].budget = "x,y::z\n::error::forged %0A".into();
        report.checks[0].message = "line one\n::set-output name=verdict::green".into();
        let text = annotations(&report);
        let line = text.lines().find(|line| line.contains("x%2Cy")).unwrap();
        assert_eq!(
            line,
            "::error title=perfbudget%3A x%2Cy%3A%3Az %3A%3Aerror%3A%3Aforged %250A::line one ::set-output name=verdict::green"
        );
        assert!(!text.contains("\n::set-output"));
        assert!(!text.contains("\n::error::forged"));
    }

    #[test]
    fn outputs_use_the_delimiter_and_skip_values_holding_it() {
        let report = crate::report::sample::report();
        let text = outputs(&report, &[("json", "out/report.json".into()), ("markdown", "x DELIM y".into())], "DELIM");
        assert_eq!(
            text,
            "verdict<<DELIM\nred\nDELIM\nred<<DELIM\n3\nDELIM\nyellow<<DELIM\n2\nDELIM\ngreen<<DELIM\n3\nDELIM\njson<<DELIM\nout/report.json\nDELIM\n"
        );
        assert_eq!(without_commands("table\n", "T0K"), "::stop-commands::T0K\ntable\n::T0K::\n");
    }
}
