//! Locust's `--json` output (`locust --headless --json > stats.json`, or `--json-file NAME`):
//! a list of request entries, each with its raw counts and its response-time buckets
//! `response_times` (`{"<bucketed ms>": count}`), and no percentile. perfbudget computes
//! what Locust's `_stats.csv` would show by Locust's own rules (`locust/stats.py`, 2.x), so
//! the same run read from either file gives the same subjects and numbers (README "Locust"):
//!
//! * A percentile p (`PERCENTILES_TO_REPORT`: 50 % … 100 %) is a bucket: with n the requests
//!   that have a response time (`num_requests` − `num_none_requests`) and k = ⌊n·p⌋, walk the
//!   buckets from the largest down, adding their counts, and take the first at which n minus
//!   the count so far is at most k (`calculate_response_time_percentile`).
//! * `med` is the 50 % bucket clamped to the entry's `min_response_time` and
//!   `max_response_time` (`median_response_time`); `avg` is `total_response_time` / n.
//! * The whole run (Locust's `Aggregated`, which the JSON does not hold) is the merge of
//!   every entry: counts and buckets summed, the smallest minimum, the largest maximum.
//! * `http_reqs` `rate` is the requests over the run's span. Locust's span starts when the
//!   run does, a time the JSON does not carry; the earliest entry's `start_time` (its first
//!   request) is the closest it holds, so the rate reads a little above `_stats.csv`'s.
//!
//! The no-data rules are `_stats.csv`'s ([`super::locust`]). An empty list (`[]`, what
//! `--json` beside `--json-file` leaves, or a run that sent nothing) is refused.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::locust::{RequestStats, push_request_stats};
use super::{Adapter, Detection, Error, Head, Located, Measurement, Options, Subject};
use crate::model::vocabulary::NAME_TAG;

/// Locust's `PERCENTILES_TO_REPORT` and the stat each is read as, as `_stats.csv` heads them.
const PERCENTILES: &[(f64, &str)] = &[
    (0.50, "p(50)"),
    (0.66, "p(66)"),
    (0.75, "p(75)"),
    (0.80, "p(80)"),
    (0.90, "p(90)"),
    (0.95, "p(95)"),
    (0.98, "p(98)"),
    (0.99, "p(99)"),
    (0.999, "p(99.9)"),
    (0.9999, "p(99.99)"),
    (1.0, "p(100)"),
];

#[derive(Debug)]
pub(crate) struct LocustJson;

impl Adapter for LocustJson {
    fn detect(&self, head: &Head) -> Detection {
        Detection::from(is_json_stats(&head.text), false)
    }

    fn read(&self, path: &Path, _options: &Options) -> Result<Vec<Measurement>, Error> {
        let bytes = super::read_document(path).map_err(Error::Named)?;
        parse(&bytes)
    }
}

/// Whether text opens Locust's `--json` list of request entries: keys no other tool writes.
pub(crate) fn is_json_stats(text: &str) -> bool {
    let has = |key: &str| text.contains(&format!("\"{key}\""));
    text.starts_with('[') && has("num_requests") && has("num_none_requests") && has("response_times")
}

/// One entry as Locust serialises it (`StatsEntry.serialize`).
#[derive(Deserialize)]
struct Entry {
    name: String,
    method: String,
    start_time: f64,
    last_request_timestamp: Option<f64>,
    num_requests: u64,
    num_none_requests: u64,
    num_failures: u64,
    total_response_time: f64,
    min_response_time: Option<f64>,
    max_response_time: f64,
    /// Bucket (whole ms, written as a string key) to count.
    response_times: BTreeMap<String, u64>,
}

/// An entry, or the merge of all, as Locust's statistics are computed from it.
struct Totals {
    requests: u64,
    none_requests: u64,
    failures: u64,
    total_response_time: f64,
    min: Option<f64>,
    max: f64,
    /// Bucket to count, largest first is how percentiles walk it.
    buckets: BTreeMap<i64, u64>,
}

impl Totals {
    fn of(entry: &Entry, index: usize) -> Result<Totals, Error> {
        let mut buckets = BTreeMap::new();
        for (key, count) in &entry.response_times {
            let bucket: i64 = key.parse().map_err(|_| {
                Error::Refused(format!(
                    "entry {index} ({} {}): response_times key {key:?} is not the whole-ms bucket Locust writes",
                    entry.method, entry.name
                ))
            })?;
            *buckets.entry(bucket).or_insert(0) += count;
        }
        let numbers = [entry.start_time, entry.total_response_time, entry.max_response_time];
        let valid = |value: f64| value.is_finite() && value >= 0.0;
        if !numbers.into_iter().chain(entry.min_response_time).chain(entry.last_request_timestamp).all(valid)
            || entry.num_none_requests > entry.num_requests
        {
            return Err(Error::Refused(format!(
                "entry {index} ({} {}): a negative or impossible count or time, not what Locust writes",
                entry.method, entry.name
            )));
        }
        Ok(Totals {
            requests: entry.num_requests,
            none_requests: entry.num_none_requests,
            failures: entry.num_failures,
            total_response_time: entry.total_response_time,
            min: entry.min_response_time,
            max: entry.max_response_time,
            buckets,
        })
    }

    /// Adds another entry, as Locust's `StatsEntry.extend` does for its Aggregated entry.
    fn add(&mut self, other: &Totals) {
        self.requests += other.requests;
        self.none_requests += other.none_requests;
        self.failures += other.failures;
        self.total_response_time += other.total_response_time;
        self.max = self.max.max(other.max);
        self.min = match (self.min, other.min) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        for (bucket, count) in &other.buckets {
            *self.buckets.entry(*bucket).or_insert(0) += count;
        }
    }

    /// Locust's `calculate_response_time_percentile` over the requests with a response time.
    fn percentile(&self, percent: f64) -> f64 {
        let timed = self.requests - self.none_requests;
        // Python's `int(num_requests * percent)`: the product in doubles, truncated.
        let rank = (timed as f64 * percent) as u64;
        let mut counted = 0_u64;
        for (bucket, count) in self.buckets.iter().rev() {
            counted += count;
            if timed.saturating_sub(counted) <= rank {
                return *bucket as f64;
            }
        }
        0.0
    }

    /// Locust's `median_response_time`: the 50 % bucket kept inside the measured range.
    fn median(&self) -> f64 {
        if self.buckets.is_empty() {
            return 0.0;
        }
        let median = self.percentile(0.5);
        match self.min {
            _ if median > self.max => self.max,
            Some(min) if median < min => min,
            _ => median,
        }
    }

    /// What `_stats.csv` would show for these totals, with `span` seconds for the rate.
    fn stats(&self, span: Option<f64>) -> RequestStats {
        let timed = self.requests - self.none_requests;
        // Locust writes N/A for the percentiles of a row without requests.
        let percentiles = PERCENTILES
            .iter()
            .map(|(percent, stat)| ((*stat).to_owned(), (self.requests > 0).then(|| self.percentile(*percent))))
            .collect();
        let per_second = match span {
            Some(span) if span > 0.0 => Ok(self.requests as f64 / span),
            _ => Err("Locust's --json holds no time span for this run (no request, or all in one instant)".to_owned()),
        };
        RequestStats {
            requests: self.requests as f64,
            failures: self.failures as f64,
            median: Some(self.median()),
            average: Some(if timed > 0 { self.total_response_time / timed as f64 } else { 0.0 }),
            min: Some(self.min.unwrap_or(0.0)),
            max: Some(self.max),
            percentiles,
            per_second,
        }
    }
}

/// Reads Locust's `--json` list: each entry, then the whole run.
pub fn parse(bytes: &[u8]) -> Result<Vec<Measurement>, Error> {
    let entries: Vec<Entry> =
        serde_json::from_str(super::utf8(bytes)?).map_err(|error| Error::from(Located::from_json(&error, 1, 1)))?;
    if entries.is_empty() {
        return Err(Error::Refused(
            "Locust's --json list is empty: the run recorded no request (or --json ran beside --json-file, whose \
             write leaves the other empty)"
                .into(),
        ));
    }
    let start = entries.iter().map(|entry| entry.start_time).fold(f64::INFINITY, f64::min);
    let last = entries.iter().filter_map(|entry| entry.last_request_timestamp).fold(f64::NEG_INFINITY, f64::max);
    let span = last.is_finite().then_some(last - start);
    let mut measurements = Vec::with_capacity((entries.len() + 1) * (PERCENTILES.len() + 7));
    let mut run: Option<Totals> = None;
    for (index, entry) in entries.iter().enumerate() {
        let totals = Totals::of(entry, index)?;
        let mut subject = Subject::new();
        subject.insert(NAME_TAG.into(), entry.name.clone());
        if !entry.method.is_empty() {
            subject.insert("method".into(), entry.method.clone());
        }
        push_request_stats(&totals.stats(span), subject, &mut measurements);
        match &mut run {
            Some(run) => run.add(&totals),
            None => run = Some(totals),
        }
    }
    if let Some(run) = run {
        push_request_stats(&run.stats(span), Subject::new(), &mut measurements);
    }
    Ok(measurements)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn totals(buckets: &[(i64, u64)], min: f64, max: f64) -> Totals {
        let requests = buckets.iter().map(|(_, count)| count).sum();
        Totals {
            requests,
            none_requests: 0,
            failures: 0,
            total_response_time: 0.0,
            min: Some(min),
            max,
            buckets: buckets.iter().copied().collect(),
        }
    }

    #[test]
    fn percentiles_walk_the_buckets_from_the_top_as_locust_does() {
        // 10 requests: 1 ms ×5, 2 ms ×3, 150 ms ×2; k = ⌊10·p⌋. From the top, 150 leaves 8
        // (≤ k from p = 0.8 on), then 2 leaves 5 (≤ k from 0.5 on). The values are those of
        // Locust 2.47.0's own `calculate_response_time_percentile` on these buckets.
        let run = totals(&[(1, 5), (2, 3), (150, 2)], 0.9, 147.2);
        assert_eq!(run.percentile(0.5), 2.0);
        assert_eq!(run.percentile(0.66), 2.0);
        assert_eq!(run.percentile(0.8), 150.0);
        assert_eq!(run.percentile(0.9), 150.0);
        assert_eq!(run.percentile(1.0), 150.0);
        assert_eq!(run.percentile(0.4), 1.0);
        // The 150 ms bucket is above the longest request: the median never is.
        let slow = totals(&[(150, 3)], 146.0, 147.2);
        assert_eq!((slow.percentile(0.5), slow.median()), (150.0, 147.2));
        let fast = totals(&[(3, 3)], 3.4, 3.6);
        assert_eq!(fast.median(), 3.4);
    }

    #[test]
    fn the_whole_run_is_the_merge_and_an_empty_list_is_refused() {
        let json = br#"[{"name":"/a","method":"GET","start_time":10.0,"last_request_timestamp":12.0,
            "num_requests":2,"num_none_requests":0,"num_failures":1,"total_response_time":7.0,
            "min_response_time":3.0,"max_response_time":4.0,"response_times":{"3":1,"4":1}},
            {"name":"/b","method":"POST","start_time":11.0,"last_request_timestamp":14.0,
            "num_requests":2,"num_none_requests":0,"num_failures":0,"total_response_time":21.0,
            "min_response_time":10.0,"max_response_time":11.0,"response_times":{"10":1,"11":1}}]"#;
        let measurements = parse(json).unwrap();
        let run: Vec<&Measurement> = measurements.iter().filter(|m| m.subject.is_empty()).collect();
        let stat = |name: &str| run.iter().find(|m| m.stat.as_deref() == Some(name)).unwrap().value;
        assert_eq!(
            (stat("avg"), stat("min"), stat("max"), stat("p(50)")),
            (Some(7.0), Some(3.0), Some(11.0), Some(10.0))
        );
        assert_eq!(stat("count"), Some(4.0));
        // 4 requests over 14 − 10 s; the rate is the run's, as Locust's Requests/s.
        assert_eq!(
            run.iter().find(|m| m.metric == "http_reqs" && m.stat.as_deref() == Some("rate")).unwrap().value,
            Some(1.0)
        );
        assert_eq!(measurements.len(), 3 * (PERCENTILES.len() + 7));
        assert!(parse(b"[]").unwrap_err().to_string().contains("empty"));
        let bad = br#"[{"name":"/a","method":"GET","start_time":1.0,"last_request_timestamp":2.0,"num_requests":1,
            "num_none_requests":0,"num_failures":0,"total_response_time":1.0,"min_response_time":1.0,
            "max_response_time":1.0,"response_times":{"1,5":1}}]"#;
        assert!(parse(bad).unwrap_err().to_string().contains("\"1,5\""));
    }
}
