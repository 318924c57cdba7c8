//! Raw samples (a k6 `--out json` stream, a Gatling `simulation.log`) as one measurement
//! per check.

use crate::budget::Check;
use crate::budget::metric::{Selects, Stats};
use crate::model::{Measurement, Subject};

/// The check's statistic over every stream sample it selected, merged as k6 merges a
/// submetric's samples. Its subject is the selector (`name=GET /api/users`), which is
/// how k6 names the same submetric in a summary.
pub(super) fn stream_measurement(check: &Check, selects: &Selects<'_>, matched: &[&Measurement]) -> Measurement {
    let raw: Vec<&Measurement> = matched.iter().copied().filter(|m| m.distribution.is_some()).collect();
    let parts: Vec<&crate::model::distribution::Distribution> =
        raw.iter().filter_map(|m| m.distribution.as_deref()).collect();
    let first = raw[0];
    let mut subject = Subject::new();
    for selector in &check.selectors {
        let patterns: Vec<String> = selector
            .include
            .iter()
            .map(|p| p.text.clone())
            .chain(selector.exclude.iter().map(|p| format!("!{}", p.text)))
            .collect();
        subject.insert(selector.tag.clone(), patterns.join(","));
    }
    let stats: Vec<&str> = match selects.stats {
        Stats::Any => Vec::new(),
        Stats::One(stat) => vec![stat],
        Stats::OneOf(stats) | Stats::OneOfOrNone(stats) => stats.to_vec(),
    };
    let merged = crate::model::distribution::Distribution::merge(&parts);
    let mut result: Result<(&str, f64), String> = Err("the budget names no statistic".into());
    if let Some(merged) = &merged {
        for stat in &stats {
            match merged.stat(stat) {
                Ok(value) => {
                    result = Ok((stat, value));
                    break;
                }
                Err(reason) => result = Err(reason),
            }
        }
    } else {
        result = Err(format!("{} mixes metric kinds", selects.metric));
    }
    let mut measurement = Measurement::new(&first.source, selects.metric, None, subject, 0.0, first.unit);
    measurement.origin = first.origin.clone();
    measurement.samples = merged.as_ref().map(crate::model::distribution::Distribution::sample_count);
    match result {
        Ok((stat, value)) => {
            measurement.stat = Some(stat.to_owned());
            measurement.value = Some(value);
        }
        Err(reason) => {
            measurement.stat = stats.first().map(|stat| (*stat).to_owned());
            measurement.value = None;
            let raw_input = if first.source == "k6" { "the k6 stream" } else { "the raw samples" };
            measurement.no_data = Some(format!("from {raw_input}: {reason}"));
        }
    }
    measurement
}
