//! `import_k6_thresholds: true`: k6's own thresholds, as a summary reports them, become
//! budget checks judged by perfbudget's rules. Pure, measurements in and checks out,
//! except that a threshold perfbudget must refuse is placed by reading its summary again.

use std::fmt;
use std::path::Path;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::load::BudgetError;
use super::metric::Metric;
use super::units;
use super::{Aggregate, Check, Compression, Limit, Pattern, Selector, load::band};
use crate::model::vocabulary::{THRESHOLD, THRESHOLD_METRIC_TAG};
use crate::model::{Measurement, Subject, describe_subject};
use crate::quantity::Unit;

/// Checks from every k6 threshold in the measurements, and warnings for those that cannot
/// be one (`==`, `!=`, or an expression k6's grammar would not accept). A threshold whose
/// number is infinite in base units (`p(95)<1e308` on a trend in ms) is an error at the
/// threshold: no value could cross it.
pub(crate) fn checks_from_thresholds(
    measurements: &[Measurement],
    warn_fraction: f64,
) -> Result<(Vec<Check>, Vec<String>), BudgetError> {
    let mut checks = Vec::new();
    let mut warnings = Vec::new();
    for threshold in measurements.iter().filter(|m| m.metric == THRESHOLD) {
        let Some(metric) = threshold.subject.get(THRESHOLD_METRIC_TAG) else { continue };
        let expression = threshold.stat.as_deref().unwrap_or_default();
        let mut subject = Subject::new();
        for (tag, value) in threshold.subject.iter().filter(|(tag, _)| *tag != THRESHOLD_METRIC_TAG) {
            subject.insert(tag.to_owned(), value.to_owned());
        }
        let shown =
            if subject.is_empty() { metric.to_owned() } else { format!("{metric} {}", describe_subject(&subject)) };
        let Some(Expression { stat, operator, number, written }) = parse(expression) else {
            warnings.push(format!("k6 threshold `{expression}` on {metric} is not one perfbudget can read; skipped"));
            continue;
        };
        // The threshold is in the metric's unit: whatever the summary reports that stat in.
        let unit = measurements
            .iter()
            .find(|m| m.metric == metric && m.stat.as_deref() == Some(stat) && m.subject == subject)
            .map_or(Unit::Number, |m| m.unit);
        let base = units::in_base(unit.to_base(number), format!("{written} {}", unit.as_str()), unit.dimension())
            .map_err(|error| {
                let message = format!("k6 threshold `{expression}` on {shown}: {error}");
                placed(threshold.origin.as_deref(), metric, &subject, expression, message)
            })?;
        let limit = match operator {
            "<" | "<=" => Limit::Max(base),
            ">" | ">=" => Limit::Min(base),
            _ => {
                warnings.push(format!(
                    "k6 threshold `{expression}` on {metric} compares with `{operator}`, which no budget limit can express; skipped"
                ));
                continue;
            }
        };
        // A submetric's tag values are matched as they are, however long k6 wrote them.
        let selectors =
            subject.iter().map(|(tag, value)| Selector::new(tag, vec![Pattern::exact(value)], Vec::new())).collect();
        checks.push(Check {
            label: format!("k6 threshold {shown}: {expression}"),
            metric: Metric::K6,
            k6_metric: Some(metric.to_owned()),
            stat: Some(stat.to_owned()),
            selectors,
            dimension: unit.dimension(),
            limit: Some(limit),
            warn: Some(band(limit, warn_fraction)),
            regression: None,
            optional: false,
            aggregate: Aggregate::default(),
            each: false,
            compression: Compression::default(),
            files_from_inputs: false,
            entry: None,
            exact_subject: true,
            location: "import_k6_thresholds".into(),
            preset: None,
            missing_baseline: crate::model::Verdict::Yellow,
            yellow_only: false,
            loosening: None,
        });
    }
    Ok((checks, warnings))
}

/// A k6 threshold expression taken apart: `p(95)<200` -> `p(95)`, `<`, 200 (written `200`).
#[derive(Debug, PartialEq)]
struct Expression<'a> {
    stat: &'a str,
    operator: &'a str,
    number: f64,
    written: &'a str,
}

/// `p(95)<200` as k6's threshold grammar writes it.
fn parse(expression: &str) -> Option<Expression<'_>> {
    for operator in ["===", "==", "!=", "<=", ">=", "<", ">"] {
        if let Some((left, right)) = expression.split_once(operator) {
            let written = right.trim();
            let number: f64 = written.parse().ok().filter(|n: &f64| n.is_finite())?;
            return Some(Expression { stat: left.trim(), operator, number, written });
        }
    }
    None
}

/// The error `message` at the threshold's key in the summary it came from, or naming the
/// summary alone where the key cannot be found again.
fn placed(origin: Option<&str>, metric: &str, subject: &Subject, expression: &str, message: String) -> BudgetError {
    let Some(origin) = origin else {
        return BudgetError::File { file: "import_k6_thresholds".into(), message };
    };
    let found = crate::files::read_document(Path::new(origin))
        .ok()
        .and_then(|text| locate_threshold(&text, metric, subject, expression));
    match found {
        Some((line, column)) => BudgetError::At { file: origin.to_owned(), line, column, message },
        None => BudgetError::File { file: origin.to_owned(), message },
    }
}

/// Ends the second reading of a summary at the threshold's key.
const FOUND: &str = "perfbudget: the threshold is here";

/// The line and column (of its opening quote) where a summary writes the key `expression`
/// in the `thresholds` of `metric`'s entry (with `subject`'s tags, for a submetric).
///
/// The summary is read again up to that key, and the reading stops there with an error:
/// serde_json places errors, so the key is found as serde_json read it, escapes decoded,
/// whichever of k6's summary shapes holds it.
fn locate_threshold(text: &[u8], metric: &str, subject: &Subject, expression: &str) -> Option<(usize, usize)> {
    let wanted = Wanted { metric, subject, expression };
    let mut deserializer = serde_json::Deserializer::from_slice(text);
    let error = Walk { wanted: &wanted, part: Part::Top }.deserialize(&mut deserializer).err()?;
    if error.classify() != serde_json::error::Category::Data || !error.to_string().starts_with(FOUND) {
        return None;
    }
    // serde_json points at the key's closing quote (columns count bytes); its opening
    // quote is the first one before it that no backslash escapes.
    let lines_before = error.line().checked_sub(1)?;
    let line_start = text.split(|byte| *byte == b'\n').take(lines_before).map(|line| line.len() + 1).sum::<usize>();
    let line_start = line_start.min(text.len());
    let closing = line_start.saturating_add(error.column().checked_sub(1)?).min(text.len());
    let opening = (line_start..closing).rev().find(|&at| {
        text[at] == b'"' && text[line_start..at].iter().rev().take_while(|byte| **byte == b'\\').count() % 2 == 0
    })?;
    Some((error.line(), opening - line_start + 1))
}

struct Wanted<'a> {
    metric: &'a str,
    subject: &'a Subject,
    expression: &'a str,
}

impl Wanted<'_> {
    /// Whether a summary's metric key (`http_req_duration{name:GET /}`) is the threshold's.
    fn is_key(&self, key: &str) -> bool {
        if self.subject.is_empty() {
            return key == self.metric;
        }
        key.strip_prefix(self.metric)
            .is_some_and(|rest| rest.starts_with('{') && self.subject.iter().all(|(_, value)| rest.contains(value)))
    }
}

/// Where in a summary the walk stands.
#[derive(Clone, Copy)]
enum Part {
    /// The summary object: `metrics` (a map of entries) or `results` (k6 1.5+'s
    /// machine-readable summary, whose `metrics` is a list).
    Top,
    Results,
    /// A map of metric key -> entry, or a list of entries that name themselves.
    Metrics,
    /// One metric's entry; `ours` when it is the threshold's metric (or cannot tell).
    Entry {
        ours: bool,
    },
    Thresholds {
        ours: bool,
    },
}

struct Walk<'a> {
    wanted: &'a Wanted<'a>,
    part: Part,
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a k6 summary")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key_seed(Key { wanted: self.wanted, part: self.part })? {
            let next = match (self.part, key.as_str()) {
                (Part::Top, "metrics") | (Part::Results, "metrics") => Some(Part::Metrics),
                (Part::Top, "results") => Some(Part::Results),
                (Part::Metrics, key) => Some(Part::Entry { ours: self.wanted.is_key(key) }),
                (Part::Entry { ours }, "thresholds") => Some(Part::Thresholds { ours }),
                _ => None,
            };
            match next {
                Some(part) => map.next_value_seed(Walk { wanted: self.wanted, part })?,
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        // Listed entries carry their name inside, maybe after their thresholds.
        let part = match self.part {
            Part::Metrics => Part::Entry { ours: true },
            _ => return IgnoredAny.visit_seq(seq).map(|_| ()),
        };
        while seq.next_element_seed(Walk { wanted: self.wanted, part })?.is_some() {}
        Ok(())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
}

/// A map key of the walk; the threshold's own key ends the walk with [`FOUND`].
struct Key<'a> {
    wanted: &'a Wanted<'a>,
    part: Part,
}

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = String;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<String, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for Key<'_> {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_str<E: de::Error>(self, key: &str) -> Result<String, E> {
        if matches!(self.part, Part::Thresholds { ours: true }) && key == self.wanted.expression {
            return Err(E::custom(FOUND));
        }
        Ok(key.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions_parse_as_k6_writes_them() {
        let parts = |expression| parse(expression).map(|e| (e.stat, e.operator, e.number, e.written));
        assert_eq!(parts("p(95)<200"), Some(("p(95)", "<", 200.0, "200")));
        assert_eq!(parts("rate >= 0.99"), Some(("rate", ">=", 0.99, "0.99")));
        assert_eq!(parts("count==3"), Some(("count", "==", 3.0, "3")));
        assert_eq!(parts("p(99.9) <= 1e3"), Some(("p(99.9)", "<=", 1000.0, "1e3")));
        assert_eq!(parts("avg<fast"), None);
        assert_eq!(parts("avg<1e999"), None);
    }

    #[test]
    fn a_threshold_is_found_in_every_summary_shape() {
        let all = Subject::new();
        let mut named = Subject::new();
        named.insert("name".into(), "GET /a".into());
        // handleSummary data, with the same expression on two metrics.
        let text = b"{\"metrics\": {\"a\": {\"thresholds\": {\"p(95)<1\": {\"ok\": true}}},\n  \"http_req_duration\": {\"thresholds\": {\"p(95)<1\": {\"ok\": true}}}}}";
        assert_eq!(locate_threshold(text, "http_req_duration", &all, "p(95)<1"), Some((2, 40)));
        // --summary-export from Go, which writes `<` as \u003c; and a submetric.
        let text = br#"{"metrics": {"http_req_duration": {}, "http_req_duration{name:GET /a}": {"thresholds": {"p(95)\u003c1": false}}}}"#;
        assert_eq!(locate_threshold(text, "http_req_duration", &named, "p(95)<1"), Some((1, 89)));
        assert_eq!(locate_threshold(text, "http_req_duration", &all, "p(95)<1"), None);
        // k6 1.5's machine-readable summary lists its metrics.
        let text = br#"{"version": "1.5.0", "results": {"metrics": [{"thresholds": {"rate<0.1": {"ok": true}}, "name": "checks"}]}}"#;
        assert_eq!(locate_threshold(text, "checks", &all, "rate<0.1"), Some((1, 62)));
        assert_eq!(locate_threshold(b"{\"metrics\": 5}", "checks", &all, "rate<0.1"), None);
        assert_eq!(locate_threshold(b"not json", "checks", &all, "rate<0.1"), None);
    }

    #[test]
    fn submetric_tags_are_matched_exactly() {
        let pattern = Pattern::exact("GET /a?b*");
        assert_eq!(pattern.text, "GET /a\\?b\\*");
        assert!(pattern.is_match("GET /a?b*"));
        assert!(!pattern.is_match("GET /a?bc"));
        let long = "x".repeat(100_000);
        assert!(Pattern::exact(&long).is_match(&long));
    }
}
