//! The window between scrapes of one target: what happened during a load test, from a
//! scrape before it and one after (README "Two scrapes: the window").
//!
//! Scrapes are of one target when they share at least half of their metric families (the
//! smaller's). A target's scrapes are ordered by their clocks when every one has a clock
//! (the latest sample timestamp, else node_exporter's `node_time_seconds`), else as given.
//! Over consecutive scrapes, as Prometheus counts increases: a counter that went down was
//! reset, and its new value is the increase; a series absent from a scrape counts as 0
//! there (PromQL's `a - b` would drop it).
//!
//! Stats: counters' `increase`, `rate` (per second) and, for `*cpu_seconds_total`,
//! `cpu_share` (of one core: CPU seconds per second); gauges' `growth` (`(last − first) /
//! first`); histograms' `window_p(N)` from the bucket increases, `window_count`,
//! `window_sum`, `window_mean`, `window_rate`; summaries' `window_count`, `window_sum`,
//! `window_mean` and `window_rate`. Rates need the elapsed time: the clocks' difference,
//! else `scrape_elapsed:` of the budget, else they are "no data" saying so. The earlier
//! scrapes' own numbers give way to the last one's.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;

use super::quantile::Bucket;
use super::{
    Family, Kind, Scrape, histogram_measurements, histogram_series, measurement, metric_name, summary_series, unit,
};
use crate::ingest::{Measurement, Subject};
use crate::quantity::Unit;

/// One scrape file as read.
#[derive(Debug)]
pub(crate) struct ScrapeFile {
    pub path: PathBuf,
    pub scrape: Scrape,
}

/// What the windows between the scrapes hold, and sentences about scrapes left alone.
#[derive(Debug, Default)]
pub(crate) struct Windows {
    pub measurements: Vec<Measurement>,
    pub warnings: Vec<String>,
    /// The scrapes before the last of each window: their own numbers are superseded by the
    /// last scrape's (the state now) and the window's (what happened), so a budget on
    /// `value` or `p(95)` does not combine the two scrapes as repeated runs.
    pub superseded: Vec<PathBuf>,
}

/// When a scrape was taken, in seconds since 1970: its latest sample timestamp, else
/// node_exporter's own clock.
fn clock(scrape: &Scrape) -> Option<f64> {
    scrape.latest_timestamp().or_else(|| {
        let family = scrape.families.iter().find(|family| family.name == "node_time_seconds")?;
        family.samples.first().map(|sample| sample.value).filter(|value| value.is_finite())
    })
}

fn family_names(scrape: &Scrape) -> BTreeSet<&str> {
    scrape.families.iter().map(|family| family.name.as_str()).collect()
}

/// Whether two scrapes are of one target: they share at least half of the smaller's families.
fn same_target(a: &Scrape, b: &Scrape) -> bool {
    let (a, b) = (family_names(a), family_names(b));
    let shared = a.intersection(&b).count();
    !a.is_empty() && !b.is_empty() && shared * 2 >= a.len().min(b.len())
}

/// The windows of every target with two or more scrapes. `elapsed` (seconds) is used when
/// the scrapes carry no clocks.
pub(crate) fn windows(files: &[ScrapeFile], elapsed: Option<f64>) -> Windows {
    let mut targets: Vec<Vec<&ScrapeFile>> = Vec::new();
    for file in files {
        match targets
            .iter_mut()
            .find(|target| target.last().is_some_and(|last| same_target(&last.scrape, &file.scrape)))
        {
            Some(target) => target.push(file),
            None => targets.push(vec![file]),
        }
    }
    let mut out = Windows::default();
    for mut target in targets {
        if target.len() < 2 {
            if files.len() > 1 {
                out.warnings.push(format!(
                    "{}: no other scrape given is of the same target (they share too few metrics), so it has no window",
                    target[0].path.display()
                ));
            }
            continue;
        }
        let clocks: Option<Vec<f64>> = target.iter().map(|file| clock(&file.scrape)).collect();
        let seconds = match &clocks {
            Some(clocks) => {
                let mut order: Vec<usize> = (0..target.len()).collect();
                order.sort_by(|&a, &b| clocks[a].total_cmp(&clocks[b]));
                let first = clocks[order[0]];
                let last = clocks[order[order.len() - 1]];
                target = order.into_iter().map(|at| target[at]).collect();
                Some(last - first)
            }
            None => elapsed,
        };
        out.superseded.extend(target[..target.len() - 1].iter().map(|file| file.path.clone()));
        let scrapes: Vec<&Scrape> = target.iter().map(|file| &file.scrape).collect();
        let mut measurements = window(&scrapes, seconds);
        let origin = target.last().map(|file| file.path.display().to_string());
        let first = target.first().map(|file| file.path.display().to_string()).unwrap_or_default();
        for measurement in &mut measurements {
            measurement.origin = origin.clone().map(|last| format!("{first} → {last}"));
        }
        out.measurements.extend(measurements);
    }
    out
}

/// A series' labels, sorted: its key across scrapes.
type Key = Vec<(String, String)>;

fn key(labels: &[(String, String)]) -> Key {
    let mut key = labels.to_vec();
    key.sort_unstable();
    key
}

fn subject(key: &Key) -> Subject {
    key.iter().cloned().collect()
}

/// Each family of the last scrape, with the same family in every scrape (absent: `None`).
fn families<'a>(scrapes: &[&'a Scrape]) -> Vec<Vec<Option<&'a Family>>> {
    let Some(last) = scrapes.last() else { return Vec::new() };
    let indexes: Vec<HashMap<&str, &Family>> = scrapes
        .iter()
        .map(|scrape| scrape.families.iter().map(|family| (family.name.as_str(), family)).collect())
        .collect();
    last.families
        .iter()
        .map(|family| indexes.iter().map(|index| index.get(family.name.as_str()).copied()).collect())
        .collect()
}

/// The increase over consecutive values (0 where absent); a decrease is a reset.
fn increase(values: &[f64]) -> f64 {
    values.windows(2).map(|pair| if pair[1] < pair[0] { pair[1] } else { pair[1] - pair[0] }).sum()
}

fn window(scrapes: &[&Scrape], seconds: Option<f64>) -> Vec<Measurement> {
    let mut out = Vec::new();
    for versions in families(scrapes) {
        let Some(last) = versions.last().copied().flatten() else { continue };
        if versions.iter().flatten().any(|family| family.kind != last.kind) {
            continue;
        }
        match last.kind {
            Kind::Counter => counters(&versions, last, seconds, &mut out),
            Kind::Gauge => gauges(&versions, last, &mut out),
            Kind::Histogram => histograms(&versions, last, seconds, &mut out),
            Kind::Summary => summaries(&versions, last, seconds, &mut out),
            _ => {}
        }
    }
    out
}

/// Per series of the last scrape, its value in every scrape (0 where absent).
fn values_by_series<'a>(
    versions: &[Option<&'a Family>],
    last: &'a Family,
    wanted: impl Fn(&str) -> bool,
) -> Vec<(Key, Vec<f64>)> {
    let maps: Vec<HashMap<(Key, &str), f64>> = versions
        .iter()
        .map(|family| {
            family
                .map(|family| {
                    family
                        .samples
                        .iter()
                        .filter(|sample| wanted(sample.suffix))
                        .map(|sample| ((key(&sample.labels), sample.suffix), sample.value))
                        .collect()
                })
                .unwrap_or_default()
        })
        .collect();
    last.samples
        .iter()
        .filter(|sample| wanted(sample.suffix))
        .map(|sample| {
            let series = (key(&sample.labels), sample.suffix);
            let values = maps.iter().map(|map| map.get(&series).copied().unwrap_or(0.0)).collect();
            (series.0, values)
        })
        .collect()
}

/// The rate of an increase over the window, or why there is none.
fn per_second(
    name: &str,
    stat: &str,
    subject: Subject,
    increase: f64,
    seconds: Option<f64>,
    unit: Unit,
) -> Measurement {
    match seconds {
        Some(seconds) if seconds > 0.0 => measurement(name, stat, subject, increase / seconds, unit, "the rate"),
        other => {
            let mut measurement = measurement(name, stat, subject, 0.0, unit, "");
            measurement.value = None;
            measurement.no_data = Some(match other {
                Some(_) => "the scrapes' clocks do not advance, so there is no time to divide by".to_owned(),
                None => "the scrapes carry no timestamps: give the time between them as `scrape_elapsed:` in the \
                         budget"
                    .to_owned(),
            });
            measurement
        }
    }
}

fn counters(versions: &[Option<&Family>], last: &Family, seconds: Option<f64>, out: &mut Vec<Measurement>) {
    let name = metric_name(last);
    let unit = unit(last);
    let cpu = name.ends_with("cpu_seconds_total");
    for (series, values) in values_by_series(versions, last, |suffix| suffix != "_created") {
        let increase = increase(&values);
        out.push(measurement(&name, "increase", subject(&series), increase, unit, "the increase"));
        out.push(per_second(&name, "rate", subject(&series), increase, seconds, Unit::PerSecond));
        if cpu {
            out.push(per_second(&name, "cpu_share", subject(&series), increase, seconds, Unit::Ratio));
        }
    }
}

fn gauges(versions: &[Option<&Family>], last: &Family, out: &mut Vec<Measurement>) {
    let name = metric_name(last);
    let Some(Some(first)) = versions.first() else { return };
    let before: HashMap<Key, f64> = first.samples.iter().map(|sample| (key(&sample.labels), sample.value)).collect();
    for sample in &last.samples {
        let series = key(&sample.labels);
        let Some(&start) = before.get(&series) else { continue };
        let mut growth =
            measurement(&name, "growth", subject(&series), (sample.value - start) / start, Unit::Ratio, "the growth");
        if start == 0.0 {
            growth.no_data = Some("the gauge was 0 in the first scrape, so it has no growth ratio".to_owned());
        }
        out.push(growth);
    }
}

fn histograms(versions: &[Option<&Family>], last: &Family, seconds: Option<f64>, out: &mut Vec<Measurement>) {
    let name = metric_name(last);
    let unit = unit(last);
    let by_scrape: Vec<HashMap<Key, super::HistogramSeries>> = versions
        .iter()
        .map(|family| {
            family
                .map(|family| {
                    histogram_series(family).into_iter().map(|series| (key(&series.labels), series)).collect()
                })
                .unwrap_or_default()
        })
        .collect();
    for series in histogram_series(last) {
        let series_key = key(&series.labels);
        let steps: Vec<Option<&super::HistogramSeries>> = by_scrape.iter().map(|map| map.get(&series_key)).collect();
        let bounds: Vec<f64> = series.buckets.iter().map(|bucket| bucket.upper_bound).collect();
        let mut buckets: Vec<Bucket> = bounds.iter().map(|&upper_bound| Bucket { upper_bound, count: 0.0 }).collect();
        let mut sum = 0.0;
        for pair in steps.windows(2) {
            let Some(after) = pair[1] else { continue };
            let count_at = |series: Option<&super::HistogramSeries>, bound: f64| {
                series
                    .and_then(|series| series.buckets.iter().find(|bucket| bucket.upper_bound == bound))
                    .map_or(0.0, |bucket| bucket.count)
            };
            // A series whose counts went down was reset (its process restarted): its whole
            // new content is the increase.
            let reset = bounds.iter().any(|&bound| count_at(Some(after), bound) < count_at(pair[0], bound));
            for bucket in &mut buckets {
                let now = count_at(Some(after), bucket.upper_bound);
                bucket.count += if reset { now } else { now - count_at(pair[0], bucket.upper_bound) };
            }
            let before_sum = pair[0].and_then(|series| series.sum).unwrap_or(0.0);
            let after_sum = after.sum.unwrap_or(0.0);
            sum += if reset { after_sum } else { after_sum - before_sum };
        }
        let count = buckets.last().map_or(0.0, |last| last.count);
        let sum = series.sum.map(|_| sum);
        out.extend(histogram_measurements(&name, "window_", series.subject(), &buckets, sum, unit));
        out.push(per_second(&name, "window_rate", series.subject(), count, seconds, Unit::PerSecond));
    }
}

fn summaries(versions: &[Option<&Family>], last: &Family, seconds: Option<f64>, out: &mut Vec<Measurement>) {
    let name = metric_name(last);
    let unit = unit(last);
    let by_scrape: Vec<HashMap<Key, super::SummarySeries>> = versions
        .iter()
        .map(|family| {
            family
                .map(|family| summary_series(family).into_iter().map(|series| (key(&series.labels), series)).collect())
                .unwrap_or_default()
        })
        .collect();
    for series in summary_series(last) {
        let Some(_) = series.count else { continue };
        let series_key = key(&series.labels);
        let counts: Vec<f64> =
            by_scrape.iter().map(|map| map.get(&series_key).and_then(|s| s.count).unwrap_or(0.0)).collect();
        let sums: Vec<f64> =
            by_scrape.iter().map(|map| map.get(&series_key).and_then(|s| s.sum).unwrap_or(0.0)).collect();
        let count = increase(&counts);
        out.push(measurement(&name, "window_count", series.subject(), count, Unit::Number, "the count"));
        if series.sum.is_some() {
            let sum = increase(&sums);
            out.push(measurement(&name, "window_sum", series.subject(), sum, unit, "the sum"));
            let mut mean = measurement(&name, "window_mean", series.subject(), sum / count, unit, "the mean");
            if count == 0.0 {
                mean.no_data = Some("no observations in the window, so no mean".to_owned());
            }
            out.push(mean);
        }
        out.push(per_second(&name, "window_rate", series.subject(), count, seconds, Unit::PerSecond));
    }
}
