//! JUnit XML test reports, as pytest, jest-junit, vitest, Maven Surefire, gotestsum,
//! cargo-nextest, mocha and others write them: each report's total test time and test
//! count, and each suite's.
//!
//! There is no standard, and producers disagree on where time lives, so the rule is fixed
//! and written into the measurement's `stat`:
//!
//! - a report's total is the root `<testsuites time>` (`root`: the run's wall time, for
//!   jest-junit, vitest, gotestsum and nextest), else the sum of its top-level suites'
//!   `time` (`suites`: pytest's one session suite, a Surefire or mocha file whose root is
//!   a `<testsuite>`), else the sum of its cases' `time` (`cases`), else no data;
//! - a suite's time is its own `time`, else the sum of its cases' (`cases`: nextest and
//!   Bazel write none on suites), else no data. Only suites that hold test cases are
//!   suites here: an outer suite of nested ones (PHPUnit) is the sum of its inner ones, and
//!   counting both would count its tests twice in a sum.
//!
//! The count is the `<testcase>` elements, whatever the `tests` attributes say (jest-junit
//! leaves `test.todo` out of them; gotestsum lists a Go parent test and its subtests as
//! cases of their own, so each counts).

use std::path::Path;

use roxmltree::{Document, Node};

use super::{Adapter, Detection, Error, Head, Located, Measurement, Options, Subject};
use crate::model::vocabulary::{REPORT_TAG, SUITE_TAG, TEST_COUNT, TEST_TIME};
use crate::quantity::Unit;

#[derive(Debug)]
pub(crate) struct Junit;

/// The source of JUnit measurements.
const SOURCE: &str = "junit";

impl Adapter for Junit {
    /// An XML document whose root element, in the head, is `<testsuites>` or `<testsuite>`.
    fn detect(&self, head: &Head) -> Detection {
        Detection::from(root_element(&head.text).is_some_and(|name| name == "testsuites" || name == "testsuite"), false)
    }

    fn read(&self, path: &Path, _options: &Options) -> Result<Vec<Measurement>, Error> {
        let text = super::read_text_document(path)?;
        parse(&text, &path.display().to_string())
    }
}

/// The name of the first element of an XML text, after its declaration, comments and
/// processing instructions.
fn root_element(text: &str) -> Option<&str> {
    let mut rest = text.trim_start();
    loop {
        if let Some(after) = rest.strip_prefix("<?") {
            rest = after.split_once("?>")?.1.trim_start();
        } else if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.split_once("-->")?.1.trim_start();
        } else {
            let name = rest.strip_prefix('<')?;
            let end = name.find(|c: char| c.is_whitespace() || c == '>' || c == '/').unwrap_or(name.len());
            return Some(&name[..end]);
        }
    }
}

/// Every measurement of one report, `report` naming it in the totals' subject.
pub fn parse(text: &str, report: &str) -> Result<Vec<Measurement>, Error> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let document = Document::parse(text).map_err(|error| {
        let position = error.pos();
        match error {
            // roxmltree places these at 1:1; where the file was cut is its end.
            roxmltree::Error::UnclosedRootNode | roxmltree::Error::UnexpectedEndOfStream => {
                let line = text.bytes().filter(|&b| b == b'\n').count() + 1;
                let column = text.rsplit('\n').next().unwrap_or_default().chars().count() + 1;
                Located {
                    line,
                    column,
                    message: format!("{error}: the file ends before its elements close (cut short?)"),
                }
            }
            _ => Located { line: position.row as usize, column: position.col as usize, message: format!("{error}") },
        }
    })?;
    let root = document.root_element();
    let top_suites: Vec<Node<'_, '_>> = match root.tag_name().name() {
        "testsuites" => root.children().filter(|node| node.has_tag_name("testsuite")).collect(),
        "testsuite" => vec![root],
        other => {
            return Err(Error::Refused(format!(
                "the root element is <{other}>, not <testsuites> or <testsuite>: not a JUnit XML report"
            )));
        }
    };
    let mut measurements = Vec::new();
    let total_subject = Subject::from([(REPORT_TAG, report)]);
    let total_cases: Vec<Node<'_, '_>> = root.descendants().filter(|node| node.has_tag_name("testcase")).collect();
    let total = match time_of(&document, root)? {
        Some(time) if root.has_tag_name("testsuites") => Some((time, "root")),
        _ => match times(&document, &top_suites)? {
            Some(time) if !top_suites.is_empty() => Some((time, "suites")),
            _ => case_times(&document, &total_cases)?.map(|time| (time, "cases")),
        },
    };
    measurements.push(time_measurement(total_subject.clone(), total, "the report"));
    measurements.push(count_measurement(total_subject, total_cases.len()));

    for suite in root.descendants().filter(|node| node.has_tag_name("testsuite")) {
        let cases: Vec<Node<'_, '_>> = suite.children().filter(|node| node.has_tag_name("testcase")).collect();
        let holds_suites = suite.children().any(|node| node.has_tag_name("testsuite"));
        if holds_suites && cases.is_empty() {
            continue;
        }
        let name = suite.attribute("name").unwrap_or_default();
        let subject = Subject::from([(REPORT_TAG, report), (SUITE_TAG, name)]);
        let time = match time_of(&document, suite)? {
            Some(time) => Some((time, "suite")),
            None => case_times(&document, &cases)?.map(|time| (time, "cases")),
        };
        measurements.push(time_measurement(subject.clone(), time, &format!("suite `{name}`")));
        measurements.push(count_measurement(subject, cases.len()));
    }
    Ok(measurements)
}

fn time_measurement(subject: Subject, time: Option<(f64, &str)>, what: &str) -> Measurement {
    match time {
        Some((seconds, rule)) => Measurement::new(SOURCE, TEST_TIME, Some(rule), subject, seconds, Unit::S),
        None => {
            let mut measurement = Measurement::new(SOURCE, TEST_TIME, None, subject, 0.0, Unit::S);
            measurement.value = None;
            measurement.no_data = Some(format!("{what} has no `time`, and its test cases' times are missing or all 0"));
            measurement
        }
    }
}

fn count_measurement(subject: Subject, cases: usize) -> Measurement {
    Measurement::new(SOURCE, TEST_COUNT, None, subject, cases as f64, Unit::Number)
}

/// The sum of test cases' `time`, where there are cases and their times are not all 0:
/// Bazel writes `time="0"` on every case for a time it did not take, and a sum of zeros
/// would pass any budget.
fn case_times(document: &Document<'_>, cases: &[Node<'_, '_>]) -> Result<Option<f64>, Error> {
    Ok(times(document, cases)?.filter(|sum| *sum > 0.0))
}

/// The sum of the elements' `time`, or `None` when one has none (a sum of some would read
/// faster than the tests were).
fn times(document: &Document<'_>, nodes: &[Node<'_, '_>]) -> Result<Option<f64>, Error> {
    let mut sum = 0.0;
    for node in nodes {
        match time_of(document, *node)? {
            Some(time) => sum += time,
            None => return Ok(None),
        }
    }
    Ok(Some(sum))
}

/// An element's `time` in seconds: decimal text as every producer writes it (`0.010000`,
/// `1.2E-4` from Java's float strings). A time with a thousands separator (`1,234.5`, from
/// old Surefire under some locales), a negative time or any other text is an error at the
/// element, never a guess.
fn time_of(document: &Document<'_>, node: Node<'_, '_>) -> Result<Option<f64>, Error> {
    let Some(text) = node.attribute("time") else { return Ok(None) };
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let valid = text.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'));
    match text.parse::<f64>() {
        Ok(seconds) if valid && seconds.is_finite() && seconds >= 0.0 => Ok(Some(seconds)),
        _ => {
            let position = document.text_pos_at(node.range().start);
            Err(Error::At(Located {
                line: position.row as usize,
                column: position.col as usize,
                message: format!("<{}> has time=\"{text}\", which is not a number of seconds", node.tag_name().name()),
            }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str) -> Vec<(String, String, Option<String>, Option<f64>)> {
        parse(text, "r.xml")
            .unwrap()
            .into_iter()
            .map(|m| (m.subject.get(SUITE_TAG).unwrap_or("").to_owned(), m.metric, m.stat, m.value))
            .collect()
    }

    #[test]
    fn the_root_time_else_the_suites_else_the_cases() {
        let root = rows(
            r#"<testsuites time="3"><testsuite name="a" time="1"><testcase time="0.5"/></testsuite></testsuites>"#,
        );
        assert_eq!(root[0], (String::new(), "test_time".into(), Some("root".into()), Some(3.0)));
        assert_eq!(root[2], ("a".into(), "test_time".into(), Some("suite".into()), Some(1.0)));
        let suites = rows(r#"<testsuites><testsuite name="a" time="1"/><testsuite name="b" time="2"/></testsuites>"#);
        assert_eq!(suites[0].2.as_deref(), Some("suites"));
        assert_eq!(suites[0].3, Some(3.0));
        let cases = rows(r#"<testsuite name="a"><testcase time="0.25"/><testcase time="0.5"/></testsuite>"#);
        assert_eq!(cases[0], (String::new(), "test_time".into(), Some("cases".into()), Some(0.75)));
        assert_eq!(cases[2], ("a".into(), "test_time".into(), Some("cases".into()), Some(0.75)));
        assert_eq!(cases[3].3, Some(2.0), "the count");
    }

    #[test]
    fn no_time_anywhere_is_no_data() {
        let measurements = parse(r#"<testsuite name="a"><testcase name="x"/></testsuite>"#, "r.xml").unwrap();
        assert_eq!(measurements[0].value, None);
        assert_eq!(
            measurements[0].no_data.as_deref(),
            Some("the report has no `time`, and its test cases' times are missing or all 0")
        );
        assert_eq!(
            measurements[2].no_data.as_deref(),
            Some("suite `a` has no `time`, and its test cases' times are missing or all 0")
        );
    }

    #[test]
    fn a_garbled_time_is_an_error_at_its_element() {
        for time in ["1,234.5", "-1", "NaN", "inf", "0x10", "1 s"] {
            let text = format!("<testsuites>\n  <testsuite name=\"a\" time=\"{time}\"/>\n</testsuites>");
            match parse(&text, "r.xml") {
                Err(Error::At(located)) => {
                    assert_eq!((located.line, located.column), (2, 3), "{time}");
                    assert!(located.message.contains(&format!("time=\"{time}\"")), "{}", located.message);
                }
                other => panic!("{time}: {other:?}"),
            }
        }
    }

    #[test]
    fn other_xml_is_refused() {
        assert!(matches!(parse("<html/>", "r.xml"), Err(Error::Refused(_))));
        assert!(matches!(parse("<testsuites><testsuite>", "r.xml"), Err(Error::At(_))));
        let dtd = r#"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><testsuites/>"#;
        assert!(matches!(parse(dtd, "r.xml"), Err(Error::At(_))), "no DTD, so no entity expansion");
    }

    #[test]
    fn detection_skips_declarations_and_comments() {
        assert_eq!(
            root_element("<?xml version=\"1.0\"?>\n<!-- licence -->\n<testsuite name=\"a\">"),
            Some("testsuite")
        );
        assert_eq!(root_element("<testsuites>"), Some("testsuites"));
        assert_eq!(root_element("{\"a\": 1}"), None);
    }
}
