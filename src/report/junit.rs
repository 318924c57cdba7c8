//! JUnit XML (`--junit FILE`) for GitLab, Jenkins, CircleCI and Azure: one test suite per
//! input source, one test case per check; red is a failure carrying its reason, yellow
//! passes with the reason in `system-out`, an optional check that matched nothing is
//! skipped.

use std::collections::BTreeMap;

use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};

use super::escape::xml;
use super::json::Report;
use super::{Cells, RenderError, merged_summary, summary_counts};
use crate::ingest::describe_subject;
use crate::model::CheckResult;
use crate::model::Verdict;
use crate::model::merged::Merged;

pub fn render(report: &Report) -> Result<String, RenderError> {
    let mut suites: BTreeMap<String, TestSuite> = BTreeMap::new();
    for check in &report.checks {
        let source = check.source.as_deref().unwrap_or("budget");
        suites.entry(source.to_owned()).or_insert_with(|| TestSuite::new(xml(source))).add_test_case(case(check));
    }
    if suites.is_empty() {
        // Consumers treat a report with no test case as broken; say plainly that none ran.
        suites.insert("budget".to_owned(), no_checks("budget"));
    }
    let mut junit = quick_junit::Report::new(xml(&format!("perfbudget: {}", summary_counts(report))));
    junit.add_test_suites(suites.into_values());
    junit.to_string().map_err(RenderError::Junit)
}

/// Merged reports (`perfbudget merge`): one test suite per job, named by its key, with a
/// case per check as in [`render`]; an expected job that did not report is a suite whose
/// one case `report` fails (a red missing job) or passes with the reason in `system-out`
/// (yellow).
pub fn render_merged(merged: &Merged) -> Result<String, RenderError> {
    let mut suites = Vec::new();
    for missing in &merged.missing {
        let name = missing.key.as_deref().unwrap_or("missing jobs");
        let mut suite = TestSuite::new(xml(name));
        let status = if missing.verdict == Verdict::Red {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            status.set_message(xml(&missing.message)).set_type("missing");
            status
        } else {
            TestCaseStatus::success()
        };
        let mut case = TestCase::new("report", status);
        if missing.verdict != Verdict::Red {
            case.set_system_out(xml(&format!("{}: {}", missing.verdict.as_str(), missing.message)));
        }
        suite.add_test_case(case);
        suites.push(suite);
    }
    for job in &merged.jobs {
        if job.report.checks.is_empty() {
            suites.push(no_checks(&job.key));
            continue;
        }
        let mut suite = TestSuite::new(xml(&job.key));
        suite.add_test_cases(job.report.checks.iter().map(case));
        suites.push(suite);
    }
    let mut junit = quick_junit::Report::new(xml(&format!("perfbudget: {}", merged_summary(merged))));
    junit.add_test_suites(suites);
    junit.to_string().map_err(RenderError::Junit)
}

/// A suite whose one passing case says no check ran.
fn no_checks(name: &str) -> TestSuite {
    let mut suite = TestSuite::new(xml(name));
    suite.add_test_case(TestCase::new("no checks", TestCaseStatus::success()));
    suite
}

/// One check as a test case: red fails with its reason, yellow passes with it in
/// `system-out`, an optional check that matched nothing is skipped.
fn case(check: &CheckResult) -> TestCase {
    let status = match check.verdict {
        Verdict::Red => {
            let cells = Cells::of(check);
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            let mut description = format!("value {}", cells.value);
            for (name, cell) in [("limit", &cells.limit), ("change", &cells.change)] {
                if !cell.is_empty() {
                    description.push_str(&format!(", {name} {cell}"));
                }
            }
            status.set_message(xml(&check.message)).set_type("budget").set_description(xml(&description));
            status
        }
        Verdict::Green if check.value.is_none() => {
            let mut status = TestCaseStatus::skipped();
            status.set_message(xml(&check.message));
            status
        }
        Verdict::Green | Verdict::Yellow => TestCaseStatus::success(),
    };
    let name = if check.value.is_none() && check.subject.is_empty() {
        check.budget.clone()
    } else {
        format!("{} — {}", check.budget, describe_subject(&check.subject))
    };
    let mut case = TestCase::new(xml(&name), status);
    case.set_classname(xml(&check.metric));
    if check.verdict == Verdict::Yellow {
        case.set_system_out(xml(&format!("yellow: {}", check.message)));
    }
    case
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_case_per_check_red_fails() {
        let text = render(&crate::report::sample::report()).unwrap();
        insta::assert_snapshot!(text);
        assert_eq!(text.matches("<testcase ").count(), 8);
        assert_eq!(text.matches("<failure ").count(), 3);
    }

    #[test]
    fn loosened_budgets_are_cases_of_their_verdict() {
        let text = render(&crate::report::sample::loosened_report()).unwrap();
        insta::assert_snapshot!(text);
        assert_eq!(text.matches("<failure ").count(), 1, "the one red: Checkout LCP's `loosening: fail`");
        assert!(text.contains("limit loosened from 2 s to 2.2 s (loosening: fail; approve with --allow-loosening)"));
        assert!(text.contains("&lt;b&gt;"), "the hostile name is escaped XML");
    }

    #[test]
    fn hostile_names_are_escaped_xml() {
        let text = render(&crate::report::sample::report()).unwrap();
        assert!(!text.contains("<!-- hide"));
        assert!(!text.contains('\u{1b}'));
        assert!(text.contains("&lt;!-- hide"));
    }

    #[test]
    fn empty_report_still_has_a_case() {
        let mut report = crate::report::sample::report();
        report.checks.clear();
        let text = render(&report).unwrap();
        assert!(text.contains("name=\"no checks\""));
    }
}
