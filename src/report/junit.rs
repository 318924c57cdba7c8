//! JUnit XML (`--junit FILE`) for GitLab, Jenkins, CircleCI and Azure: one test suite per
//! input source, one test case per check; red is a failure carrying its reason, yellow
//! passes with the reason in `system-out`, an optional check that matched nothing is
//! skipped.

use std::collections::BTreeMap;

use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};

use super::escape::xml;
use super::json::Report;
use super::{Cells, RenderError, summary_counts};
use crate::ingest::describe_subject;
use crate::model::Verdict;

pub fn render(report: &Report) -> Result<String, RenderError> {
    let mut suites: BTreeMap<String, TestSuite> = BTreeMap::new();
    for check in &report.checks {
        let source = check.source.as_deref().unwrap_or("budget");
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
        suites.entry(source.to_owned()).or_insert_with(|| TestSuite::new(xml(source))).add_test_case(case);
    }
    if suites.is_empty() {
        // Consumers treat a report with no test case as broken; say plainly that none ran.
        let mut suite = TestSuite::new("budget");
        suite.add_test_case(TestCase::new("no checks", TestCaseStatus::success()));
        suites.insert("budget".to_owned(), suite);
    }
    let mut junit = quick_junit::Report::new(xml(&format!("perfbudget: {}", summary_counts(report))));
    junit.add_test_suites(suites.into_values());
    junit.to_string().map_err(RenderError::Junit)
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
