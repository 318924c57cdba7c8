//! The one check every number passes on its way in, whatever the path it came by (a file
//! named on the command line, a file found in a folder, a stream's raw samples, a
//! baseline report): finite in its base unit, and inside the physical range of what it
//! measures. A value outside it is an error (exit 2), never a verdict: NaN compares false
//! with every limit, so a NaN that reached `evaluate` would be green.

use crate::ingest::Measurement;
use crate::ingest::distribution::Distribution;
use crate::quantity::{Dimension, Unit};

/// The values a kind of measurement can physically take, in its own unit (inclusive).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    pub min: f64,
    pub max: f64,
    /// What the range is, for messages: "a time from lighthouse is at least 0".
    pub rule: &'static str,
}

const ANY: Range = Range { min: f64::NEG_INFINITY, max: f64::INFINITY, rule: "" };
const NOT_NEGATIVE: Range = Range { min: 0.0, max: f64::INFINITY, rule: "is at least 0" };
const FRACTION: Range = Range { min: 0.0, max: 1.0, rule: "is a fraction from 0 to 1" };
const SCORE: Range = Range { min: 0.0, max: 100.0, rule: "is 0 to 100 (a Lighthouse report writes it as 0 to 1)" };
const CHANGE: Range = Range { min: -1.0, max: f64::INFINITY, rule: "is a relative change of at least -100%" };

/// Sources whose durations and plain numbers may be negative, as each documents: k6 reports
/// negative request durations after clock adjustments, and a custom k6 trend, counter or
/// gauge holds whatever the script adds; a Prometheus gauge or histogram bucket may be
/// negative (OpenMetrics allows negative `le`).
const SIGNED_SOURCES: &[&str] = &["k6", crate::ingest::prometheus::SOURCE];

/// What a ratio from a Prometheus scrape is: a gauge's growth between two scrapes (from
/// −100% when it fell to 0, unbounded above, negative gauges aside) or a CPU share of one
/// core (above 1 on several cores), so it is any finite number.
const PROMETHEUS_RATIO: Range = Range { min: f64::NEG_INFINITY, max: f64::INFINITY, rule: "" };

/// Tools whose plain numbers are all counts, shifts or scores, none of which is negative.
const UNSIGNED_NUMBER_SOURCES: &[&str] = &["lighthouse", "pagespeed", "crux", "bundle", "criterion"];

/// The physical range of a metric read from `source`, in `unit`.
pub fn range(source: &str, metric: &str, unit: Unit) -> Range {
    match (metric, unit.dimension()) {
        // A performance score, stored as 0-100 like the budget's `min: 90`.
        ("score", Dimension::Number) => SCORE,
        (crate::model::apdex::APDEX, Dimension::Number) => FRACTION,
        ("criterion_change", Dimension::Number) => CHANGE,
        ("cls", _) => NOT_NEGATIVE,
        // An EMF `Percent` is whatever the application measured: CPU over several cores
        // exceeds 100 %.
        (_, Dimension::Ratio) if source == "emf" => NOT_NEGATIVE,
        (_, Dimension::Ratio) if source == crate::ingest::prometheus::SOURCE => PROMETHEUS_RATIO,
        (_, Dimension::Ratio) => FRACTION,
        (_, Dimension::Size | Dimension::Rate) => NOT_NEGATIVE,
        (_, Dimension::Time | Dimension::Number) if SIGNED_SOURCES.contains(&source) => ANY,
        (_, Dimension::Time) => NOT_NEGATIVE,
        (_, Dimension::Number) if UNSIGNED_NUMBER_SOURCES.contains(&source) => NOT_NEGATIVE,
        (_, Dimension::Number) => ANY,
    }
}

/// Why `value` (in `unit`) cannot be a `metric` from `source`, or `None` when it can.
/// `what` names the field (`value`, `lower`, `upper`).
pub(crate) fn value_problem(source: &str, metric: &str, unit: Unit, what: &str, value: f64) -> Option<String> {
    if !value.is_finite() {
        return Some(format!("{what} {value} is not a finite number"));
    }
    // 1e308 ms is a finite number but no finite number of nanoseconds: it would compare as
    // infinity, and two such runs give a NaN median.
    if !unit.to_base(value).is_finite() {
        return Some(format!("{what} {value:e} {} is out of range", unit.as_str()));
    }
    let range = range(source, metric, unit);
    if value < range.min || value > range.max {
        let kind = match unit.dimension() {
            Dimension::Number => format!("a {metric} from {source}"),
            dimension => format!("{} from {source}", dimension.noun()),
        };
        let shown = match unit {
            Unit::Number | Unit::Ratio => format!("{value}"),
            unit => format!("{value} {}", unit.as_str()),
        };
        return Some(format!("{what} {shown} is impossible: {kind} {}", range.rule));
    }
    None
}

/// Why a measurement cannot be trusted, or `None`: its value, its interval and, for raw
/// samples, every sample.
pub(crate) fn measurement_problem(measurement: &Measurement) -> Option<String> {
    let Measurement { source, metric, unit, .. } = measurement;
    for (what, value) in [("value", measurement.value), ("lower", measurement.lower), ("upper", measurement.upper)] {
        if let Some(value) = value
            && let Some(problem) = value_problem(source, metric, *unit, what, value)
        {
            return Some(problem);
        }
    }
    if let (Some(lower), Some(upper)) = (measurement.lower, measurement.upper)
        && lower > upper
    {
        return Some(format!("the interval's lower bound {lower} is above its upper bound {upper}"));
    }
    let distribution = measurement.distribution.as_deref()?;
    distribution_values(distribution).find_map(|(what, value)| {
        value_problem(source, metric, *unit, what, value).map(|p| format!("{p} (a raw sample)"))
    })
}

/// The numbers a distribution holds that a statistic can return, named for messages.
fn distribution_values(distribution: &Distribution) -> Box<dyn Iterator<Item = (&'static str, f64)> + '_> {
    match distribution {
        Distribution::Trend(samples) => Box::new(samples.iter().map(|(_, value)| ("sample", *value))),
        // A rate's statistics are counts and a fraction computed from integers.
        Distribution::Rate { .. } | Distribution::Apdex(_) => Box::new(std::iter::empty()),
        Distribution::Counter { sum, .. } => Box::new(std::iter::once(("count", *sum))),
        Distribution::Gauge { last, min, max } => {
            Box::new([("value", last.1), ("min", *min), ("max", *max)].into_iter())
        }
        // Whole ms and counts, checked as they are read.
        Distribution::GatlingRequests(_) | Distribution::Throughput { .. } => Box::new(std::iter::empty()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::Subject;

    fn problem(source: &str, metric: &str, value: f64, unit: Unit) -> Option<String> {
        measurement_problem(&Measurement::new(source, metric, None, Subject::new(), value, unit))
    }

    #[test]
    fn physical_ranges() {
        assert_eq!(
            problem("lighthouse", "lcp", -1.0, Unit::Ms).as_deref(),
            Some("value -1 ms is impossible: a time from lighthouse is at least 0")
        );
        assert_eq!(
            problem("lighthouse", "score", 750.0, Unit::Number).as_deref(),
            Some(
                "value 750 is impossible: a score from lighthouse is 0 to 100 (a Lighthouse report writes it as 0 to 1)"
            )
        );
        assert_eq!(
            problem("k6", "http_req_failed", -0.5, Unit::Ratio).as_deref(),
            Some("value -0.5 is impossible: a ratio from k6 is a fraction from 0 to 1")
        );
        assert!(problem("k6", "http_req_failed", 1.5, Unit::Ratio).is_some());
        assert!(problem("bundle", "bundle_size", -1.0, Unit::Bytes).is_some());
        assert!(problem("lighthouse", "cls", -0.1, Unit::Number).is_some());
        assert!(problem("mytool", "cls", -0.1, Unit::Number).is_some());
        assert!(problem("criterion", "criterion_change", -1.5, Unit::Number).is_some());
        // What the sources document as possible stays possible.
        assert_eq!(problem("k6", "http_req_duration", -401.45, Unit::Ms), None);
        assert_eq!(problem("k6", "my_gauge", -3.0, Unit::Number), None);
        assert_eq!(problem("criterion", "criterion_change", -0.25, Unit::Number), None);
        assert_eq!(problem("lighthouse", "score", 100.0, Unit::Number), None);
        assert_eq!(problem("mytool", "temperature", -40.0, Unit::Number), None);
        assert_eq!(problem("k6", "http_req_failed", 1.0, Unit::Ratio), None);
    }

    #[test]
    fn finite_in_base_units() {
        assert_eq!(problem("lighthouse", "lcp", 1e308, Unit::Ms).as_deref(), Some("value 1e308 ms is out of range"));
        assert_eq!(problem("k6", "x", f64::NAN, Unit::Number).as_deref(), Some("value NaN is not a finite number"));
        let mut interval = Measurement::new("criterion", "bench_time", None, Subject::new(), 5.0, Unit::Ns);
        interval.upper = Some(f64::INFINITY);
        assert_eq!(measurement_problem(&interval).as_deref(), Some("upper inf is not a finite number"));
    }

    #[test]
    fn raw_samples_are_checked_one_by_one() {
        let mut stream = Measurement::new("k6", "http_req_duration", None, Subject::new(), 0.0, Unit::Ms);
        stream.value = None;
        stream.distribution = Some(std::sync::Arc::new(Distribution::Trend(vec![(1, 3.0), (2, 1e308)])));
        assert_eq!(measurement_problem(&stream).as_deref(), Some("sample 1e308 ms is out of range (a raw sample)"));
        stream.distribution = Some(std::sync::Arc::new(Distribution::Counter { sum: f64::INFINITY, first: 1 }));
        assert!(measurement_problem(&stream).is_some());
    }
}
