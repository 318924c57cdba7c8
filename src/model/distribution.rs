//! Raw samples of a k6 metric for one tag set, read from the `--out json` stream, and k6's
//! exact statistics over them (`metrics/sink.go` of k6 v1.1.0).
//!
//! A check's selector may cover several tag sets (`name: GET /api/users` covers every
//! status and scenario), so `evaluate` merges the distributions it selects before asking
//! for a statistic, as k6 does for a submetric.

/// What k6 keeps for a metric, per kind. Samples carry their place in the stream, so a
/// merge can sum them in the order k6 summed them and match its `avg` to the last bit.
#[derive(Debug, Clone, PartialEq)]
pub enum Distribution {
    Trend(Vec<(u64, f64)>),
    /// Samples that were non-zero, of all samples.
    Rate {
        trues: u64,
        total: u64,
    },
    Counter {
        sum: f64,
        first: u64,
    },
    /// The last value (by stream order) and the extremes.
    Gauge {
        last: (u64, f64),
        min: f64,
        max: f64,
    },
    /// Raw requests of a Gatling `simulation.log`, in log order; their statistics are the
    /// ones Gatling's report computes ([`gatling_stat`]).
    GatlingRequests(Vec<GatlingSample>),
    /// Requests over the run they belong to: Gatling's mean requests per second is the
    /// count over the run's span in whole seconds, rounded up.
    Throughput {
        count: u64,
        start_ms: u64,
        end_ms: u64,
    },
    /// Apdex counts of request durations, one per set of thresholds a budget reads
    /// ([`crate::model::apdex`]).
    Apdex(Vec<ApdexCounts>),
}

/// One request of a Gatling `simulation.log`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GatlingSample {
    /// Its line in the log (the order Gatling's digest receives it in).
    pub order: u64,
    /// End minus start, in ms.
    pub response_time: u32,
    /// `OK`, else `KO`.
    pub ok: bool,
}

use crate::model::apdex::{ApdexCounts, Thresholds};

impl Distribution {
    /// How many samples it summarises (a counter's and a gauge's: the points kept).
    pub fn sample_count(&self) -> u64 {
        match self {
            Distribution::Trend(values) => values.len() as u64,
            Distribution::Rate { total, .. } => *total,
            Distribution::Counter { .. } | Distribution::Gauge { .. } => 1,
            Distribution::GatlingRequests(samples) => samples.len() as u64,
            Distribution::Throughput { count, .. } => *count,
            Distribution::Apdex(counts) => counts.first().map_or(0, |counts| counts.total),
        }
    }

    /// One distribution of several of the same kind; `None` for an empty list or mixed kinds.
    pub fn merge(parts: &[&Distribution]) -> Option<Distribution> {
        let (first, rest) = parts.split_first()?;
        let mut merged = (*first).clone();
        for part in rest {
            match (&mut merged, part) {
                (Distribution::Trend(values), Distribution::Trend(more)) => values.extend_from_slice(more),
                (Distribution::Rate { trues, total }, Distribution::Rate { trues: t, total: n }) => {
                    *trues += t;
                    *total += n;
                }
                (Distribution::Counter { sum, first }, Distribution::Counter { sum: s, first: f }) => {
                    // Sums of integers are exact in any order; k6's counters count requests
                    // and bytes.
                    *sum += s;
                    *first = (*first).min(*f);
                }
                (Distribution::Gauge { last, min, max }, Distribution::Gauge { last: l, min: lo, max: hi }) => {
                    if l.0 > last.0 {
                        *last = *l;
                    }
                    *min = min.min(*lo);
                    *max = max.max(*hi);
                }
                (Distribution::GatlingRequests(samples), Distribution::GatlingRequests(more)) => {
                    samples.extend_from_slice(more);
                }
                (
                    Distribution::Throughput { count, start_ms, end_ms },
                    Distribution::Throughput { count: n, start_ms: start, end_ms: end },
                ) => {
                    // Request names of one run share its span; runs merged span them all.
                    *count += n;
                    *start_ms = (*start_ms).min(*start);
                    *end_ms = (*end_ms).max(*end);
                }
                (Distribution::Apdex(counts), Distribution::Apdex(more)) => {
                    for (counts, more) in counts.iter_mut().zip(more) {
                        counts.merge(more);
                    }
                }
                _ => return None,
            }
        }
        match &mut merged {
            Distribution::Trend(values) => values.sort_by_key(|(order, _)| *order),
            Distribution::GatlingRequests(samples) => samples.sort_by_key(|sample| sample.order),
            _ => {}
        }
        Some(merged)
    }

    /// A statistic as k6 computes it, or why there is none.
    pub fn stat(&self, stat: &str) -> Result<f64, String> {
        match self {
            Distribution::Trend(samples) => trend_stat(samples, stat),
            Distribution::Rate { trues, total } => match stat {
                "rate" if *total > 0 => Ok(*trues as f64 / *total as f64),
                "rate" => Err("no samples".into()),
                "passes" => Ok(*trues as f64),
                "fails" => Ok((total - trues) as f64),
                other => Err(format!("a rate has rate, passes and fails, not {other}")),
            },
            Distribution::Counter { sum, .. } => match stat {
                "count" => Ok(*sum),
                "rate" => Err("a counter's rate needs the test's duration, which the stream does not hold: \
                               read it from the summary"
                    .into()),
                other => Err(format!("a counter has count, not {other}")),
            },
            Distribution::Gauge { last, min, max } => match stat {
                "value" => Ok(last.1),
                "min" => Ok(*min),
                "max" => Ok(*max),
                other => Err(format!("a gauge has value, min and max, not {other}")),
            },
            Distribution::GatlingRequests(samples) => gatling_stat(samples, stat),
            Distribution::Throughput { count, start_ms, end_ms } => match stat {
                "count" => Ok(*count as f64),
                "rate" => {
                    let seconds = (end_ms.saturating_sub(*start_ms) as f64 / 1000.0).ceil();
                    if seconds > 0.0 { Ok(*count as f64 / seconds) } else { Err("the run did not last".into()) }
                }
                other => Err(format!("requests have count and rate, not {other}")),
            },
            Distribution::Apdex(counts) => {
                let thresholds =
                    Thresholds::from_stat(stat).ok_or_else(|| format!("`{stat}` is not an Apdex score"))?;
                let counts = counts
                    .iter()
                    .find(|counts| counts.thresholds == thresholds)
                    .ok_or_else(|| format!("the stream was not scored with {stat}"))?;
                counts.score().ok_or_else(|| "no samples".to_owned())
            }
        }
    }
}

/// A statistic of Gatling requests as Gatling's report computes it (`GeneralStatsBuffer`
/// of Gatling 2.2 to 3.12): `p(N)` and `med` are its t-digest's quantile rounded half up,
/// `min` and `max` the digest's extremes cut to whole ms, `avg` and `stddev` (population)
/// rounded half up, `count`.
pub fn gatling_stat(samples: &[GatlingSample], stat: &str) -> Result<f64, String> {
    use crate::model::tdigest::{Digest, java_round};
    if samples.is_empty() {
        return Err("no samples".into());
    }
    let count = samples.len() as f64;
    let digest = || {
        let mut digest = Digest::new();
        for sample in samples {
            digest.add(f64::from(sample.response_time));
        }
        digest
    };
    let quantile = |q: f64| digest().quantile(q).ok_or_else(|| "no samples".to_owned());
    match stat {
        "count" => Ok(count),
        "avg" => Ok(java_round(samples.iter().map(|s| f64::from(s.response_time)).sum::<f64>() / count)),
        "stddev" => {
            let (sum, squares) = samples.iter().fold((0.0, 0.0), |(sum, squares), sample| {
                let value = f64::from(sample.response_time);
                (sum + value, squares + value * value)
            });
            let mean = sum / count;
            Ok(java_round((squares / count - mean * mean).sqrt()))
        }
        "min" => Ok(quantile(0.0)?.trunc()),
        "max" => Ok(quantile(1.0)?.trunc()),
        "med" => Ok(java_round(quantile(0.5)?)),
        other => {
            let number = percent_of(other).ok_or_else(|| {
                format!("`{other}` is not a Gatling statistic (avg, min, med, max, count, stddev, p(N))")
            })?;
            Ok(java_round(quantile(number / 100.0)?))
        }
    }
}

/// N of a `p(N)` statistic, 0 to 100.
fn percent_of(stat: &str) -> Option<f64> {
    stat.strip_prefix("p(")
        .and_then(|rest| rest.strip_suffix(')'))
        .and_then(|n| n.parse::<f64>().ok())
        .filter(|n| (0.0..=100.0).contains(n))
}

/// avg (a running sum in stream order, over the count), min, max, med, p(N) with k6's
/// linear interpolation between the sorted values around `N/100 × (count − 1)`, count.
fn trend_stat(samples: &[(u64, f64)], stat: &str) -> Result<f64, String> {
    if samples.is_empty() {
        return Err("no samples".into());
    }
    let count = samples.len() as f64;
    let percentile = |fraction: f64| {
        let mut sorted: Vec<f64> = samples.iter().map(|(_, value)| *value).collect();
        sorted.sort_by(f64::total_cmp);
        let i = fraction * (count - 1.0);
        let (low, high) = (sorted[i.floor() as usize], sorted[i.ceil() as usize]);
        low + (high - low) * (i - i.floor())
    };
    match stat {
        "avg" => Ok(samples.iter().fold(0.0, |sum, (_, value)| sum + value) / count),
        "min" => Ok(samples.iter().map(|(_, value)| *value).fold(f64::INFINITY, f64::min)),
        "max" => Ok(samples.iter().map(|(_, value)| *value).fold(f64::NEG_INFINITY, f64::max)),
        "count" => Ok(count),
        "med" => Ok(percentile(0.5)),
        other => {
            let number = percent_of(other)
                .ok_or_else(|| format!("`{other}` is not a k6 trend statistic (avg, min, med, max, count, p(N))"))?;
            Ok(percentile(number / 100.0))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trend(values: &[f64]) -> Distribution {
        Distribution::Trend(values.iter().enumerate().map(|(i, v)| (i as u64, *v)).collect())
    }

    #[test]
    fn percentiles_interpolate_as_k6_does() {
        let d = trend(&[10.0, 20.0, 30.0, 40.0]);
        assert_eq!(d.stat("med"), Ok(25.0));
        assert_eq!(d.stat("p(90)"), Ok(37.0));
        assert_eq!(d.stat("p(100)"), Ok(40.0));
        assert_eq!(d.stat("p(0)"), Ok(10.0));
        assert_eq!(d.stat("avg"), Ok(25.0));
        assert_eq!(trend(&[5.0]).stat("p(99.9)"), Ok(5.0));
        assert!(d.stat("p(101)").is_err());
        assert!(d.stat("mean").is_err());
    }

    #[test]
    fn merges_keep_stream_order() {
        let a = Distribution::Trend(vec![(0, 1.0), (2, 3.0)]);
        let b = Distribution::Trend(vec![(1, 2.0)]);
        assert_eq!(Distribution::merge(&[&a, &b]), Some(Distribution::Trend(vec![(0, 1.0), (1, 2.0), (2, 3.0)])));
        let rate = Distribution::merge(&[
            &Distribution::Rate { trues: 1, total: 4 },
            &Distribution::Rate { trues: 1, total: 4 },
        ]);
        assert_eq!(rate.unwrap().stat("rate"), Ok(0.25));
        assert_eq!(Distribution::merge(&[&a, &Distribution::Rate { trues: 0, total: 1 }]), None);
    }
}
