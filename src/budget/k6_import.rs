//! `import_k6_thresholds: true`: k6's own thresholds, as a summary reports them, become
//! budget checks judged by perfbudget's rules. Pure: measurements in, checks out.

use super::metric::Metric;
use super::{Aggregate, Check, Compression, Limit, Pattern, Selector, escape_glob, load::band};
use crate::ingest::k6::{THRESHOLD, THRESHOLD_METRIC_TAG};
use crate::ingest::{Measurement, Subject, describe_subject};
use crate::quantity::Unit;

/// Checks from every k6 threshold in the measurements, and warnings for those that cannot
/// be one (`==`, `!=`, or an expression k6's grammar would not accept).
pub fn checks_from_thresholds(measurements: &[Measurement], warn_fraction: f64) -> (Vec<Check>, Vec<String>) {
    let mut checks = Vec::new();
    let mut warnings = Vec::new();
    for threshold in measurements.iter().filter(|m| m.metric == THRESHOLD) {
        let Some(metric) = threshold.subject.get(THRESHOLD_METRIC_TAG) else { continue };
        let expression = threshold.stat.as_deref().unwrap_or_default();
        let mut subject = Subject::new();
        for (tag, value) in threshold.subject.iter().filter(|(tag, _)| *tag != THRESHOLD_METRIC_TAG) {
            subject.insert(tag.to_owned(), value.to_owned());
        }
        let Some((stat, operator, number)) = parse(expression) else {
            warnings.push(format!("k6 threshold `{expression}` on {metric} is not one perfbudget can read; skipped"));
            continue;
        };
        // The threshold is in the metric's unit: whatever the summary reports that stat in.
        let unit = measurements
            .iter()
            .find(|m| m.metric == metric && m.stat.as_deref() == Some(stat) && m.subject == subject)
            .map_or(Unit::Number, |m| m.unit);
        let limit = match operator {
            "<" | "<=" => Limit::Max(unit.to_base(number)),
            ">" | ">=" => Limit::Min(unit.to_base(number)),
            _ => {
                warnings.push(format!(
                    "k6 threshold `{expression}` on {metric} compares with `{operator}`, which no budget limit can express; skipped"
                ));
                continue;
            }
        };
        let selectors = subject
            .iter()
            .filter_map(|(tag, value)| {
                let pattern = Pattern::new(&escape_glob(value), false).ok()?;
                Some(Selector { tag: tag.to_owned(), include: vec![pattern], exclude: Vec::new(), implied_excludes: 0 })
            })
            .collect();
        let shown =
            if subject.is_empty() { metric.to_owned() } else { format!("{metric} {}", describe_subject(&subject)) };
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
        });
    }
    (checks, warnings)
}

/// `p(95)<200` -> (`p(95)`, `<`, 200), as k6's threshold grammar writes it.
fn parse(expression: &str) -> Option<(&str, &str, f64)> {
    for operator in ["===", "==", "!=", "<=", ">=", "<", ">"] {
        if let Some((left, right)) = expression.split_once(operator) {
            let number: f64 = right.trim().parse().ok().filter(|n: &f64| n.is_finite())?;
            return Some((left.trim(), operator, number));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions_parse_as_k6_writes_them() {
        assert_eq!(parse("p(95)<200"), Some(("p(95)", "<", 200.0)));
        assert_eq!(parse("rate >= 0.99"), Some(("rate", ">=", 0.99)));
        assert_eq!(parse("count==3"), Some(("count", "==", 3.0)));
        assert_eq!(parse("p(99.9) <= 1e3"), Some(("p(99.9)", "<=", 1000.0)));
        assert_eq!(parse("avg<fast"), None);
        assert_eq!(escape_glob("GET /a?b*"), "GET /a\\?b\\*");
    }
}
