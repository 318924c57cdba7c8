//! The stable metric names of DESIGN.md and what each one selects among measurements.

use std::fmt;

use crate::quantity::{Dimension, Unit};

/// Whether a smaller or a larger value is the good direction. Fixes whether a budget
/// takes `max:` or `min:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    LowerIsBetter,
    HigherIsBetter,
}

pub(crate) use crate::model::vocabulary::PAGE_WEIGHT_METRICS;
use crate::model::vocabulary::{self, HTTP_REQ_DURATION, HTTP_REQ_FAILED, HTTP_REQS};

/// A budget metric. The names are a public contract: budget files, JSON reports and
/// baselines use them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Metric {
    Lcp,
    Fcp,
    Tbt,
    SpeedIndex,
    Tti,
    Ttfb,
    Cls,
    Inp,
    Score,
    /// `page_weight` or `page_weight.<type>`, one of [`PAGE_WEIGHT_METRICS`].
    PageWeight(&'static str),
    ApiP50,
    ApiP90,
    ApiP95,
    ApiP99,
    ApiAvg,
    ApiMax,
    ErrorRate,
    Throughput,
    K6,
    /// Any series of a Prometheus scrape, named with `series:` and `stat:`.
    Prometheus,
    BundleSize,
    BenchTime,
    BenchThroughput,
    /// WebPageTest's `loadTime` (onload).
    LoadTime,
    /// WebPageTest's `fullyLoaded`.
    FullyLoaded,
    /// WebPageTest's `requestsFull`.
    Requests,
    /// AWS Lambda's `Init Duration`, present on cold starts only: their longest.
    ColdStart,
    /// JUnit XML: the tests' time, a report's or its selected suites' summed.
    TestTime,
    /// JUnit XML: how many test cases ran, summed as `test_time` is.
    TestCount,
    /// A CloudWatch EMF metric by name, with `stat`.
    Emf,
    /// A Lambda report number by name, with `stat`.
    Lambda,
    /// The Apdex score of raw request samples (JMeter JTL, the k6 stream), with the
    /// budget's thresholds (`apdex_t`, `apdex_f`).
    Apdex,
}

/// The plain names, in the order `perfbudget schema` and error messages list them.
pub(crate) const METRIC_NAMES: &[&str] = &[
    "lcp",
    "fcp",
    "tbt",
    "speed_index",
    "tti",
    "ttfb",
    "cls",
    "inp",
    "score",
    "page_weight",
    "api_p50",
    "api_p90",
    "api_p95",
    "api_p99",
    "api_avg",
    "api_max",
    "error_rate",
    "throughput",
    "k6",
    "prometheus",
    "bundle_size",
    "bench_time",
    "bench_throughput",
    "load_time",
    "fully_loaded",
    "requests",
    "cold_start",
    "test_time",
    "test_count",
    "emf",
    "lambda",
    "apdex",
];

/// Names a budget may not use, with why and what to write instead.
pub(crate) const RETIRED_NAMES: &[(&str, &str)] = &[(
    "fid",
    "First Input Delay was retired for INP (Interaction to Next Paint) in March 2024, and the Chrome UX \
     Report stopped reporting it in September 2024: budget `inp` for field data (PSI/CrUX, a Lighthouse user \
     flow) or `tbt` (Total Blocking Time) as its lab proxy",
)];

/// Every metric name a budget may use, `page_weight.<type>` included.
pub(crate) fn all_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = METRIC_NAMES.to_vec();
    names.extend(PAGE_WEIGHT_METRICS.iter().filter(|name| !METRIC_NAMES.contains(name)));
    names
}

/// What a budget metric looks for among measurements: the measurement's `metric` and,
/// where it matters, the statistics that stand for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selects<'a> {
    pub metric: &'a str,
    pub stats: Stats<'a>,
}

/// The statistics a budget metric accepts, in order of preference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stats<'a> {
    Any,
    One(&'a str),
    OneOf(&'static [&'static str]),
    /// One of these, else a measurement that names no statistic (a tool writing
    /// measurements JSON with one value per benchmark).
    OneOfOrNone(&'static [&'static str]),
}

impl Stats<'_> {
    /// The preference rank of a measurement's stat, or `None` when it is not accepted.
    pub fn rank(self, stat: Option<&str>) -> Option<usize> {
        match (self, stat) {
            (Stats::Any, _) => Some(0),
            (Stats::One(wanted), Some(stat)) => (wanted == stat).then_some(0),
            (Stats::OneOf(wanted) | Stats::OneOfOrNone(wanted), Some(stat)) => wanted.iter().position(|w| *w == stat),
            (Stats::OneOfOrNone(wanted), None) => Some(wanted.len()),
            (_, None) => None,
        }
    }

    /// `p(95)`, `med or p(50)`; `None` for any.
    pub fn describe(self) -> Option<String> {
        match self {
            Stats::Any => None,
            Stats::One(stat) => Some(stat.to_owned()),
            Stats::OneOf(stats) | Stats::OneOfOrNone(stats) => Some(stats.join(" or ")),
        }
    }
}

impl Metric {
    pub fn parse(name: &str) -> Option<Metric> {
        let metric = match name {
            "lcp" => Metric::Lcp,
            "fcp" => Metric::Fcp,
            "tbt" => Metric::Tbt,
            "speed_index" => Metric::SpeedIndex,
            "tti" => Metric::Tti,
            "ttfb" => Metric::Ttfb,
            "cls" => Metric::Cls,
            "inp" => Metric::Inp,
            "score" => Metric::Score,
            "api_p50" => Metric::ApiP50,
            "api_p90" => Metric::ApiP90,
            "api_p95" => Metric::ApiP95,
            "api_p99" => Metric::ApiP99,
            "api_avg" => Metric::ApiAvg,
            "api_max" => Metric::ApiMax,
            "error_rate" => Metric::ErrorRate,
            "throughput" => Metric::Throughput,
            "k6" => Metric::K6,
            "prometheus" => Metric::Prometheus,
            "bundle_size" => Metric::BundleSize,
            "bench_time" => Metric::BenchTime,
            "bench_throughput" => Metric::BenchThroughput,
            "load_time" => Metric::LoadTime,
            "fully_loaded" => Metric::FullyLoaded,
            "requests" => Metric::Requests,
            "cold_start" => Metric::ColdStart,
            "test_time" => Metric::TestTime,
            "test_count" => Metric::TestCount,
            "emf" => Metric::Emf,
            "lambda" => Metric::Lambda,
            "apdex" => Metric::Apdex,
            other => Metric::PageWeight(PAGE_WEIGHT_METRICS.iter().find(|known| **known == other)?),
        };
        Some(metric)
    }

    pub fn name(&self) -> &'static str {
        match self {
            Metric::Lcp => "lcp",
            Metric::Fcp => "fcp",
            Metric::Tbt => "tbt",
            Metric::SpeedIndex => "speed_index",
            Metric::Tti => "tti",
            Metric::Ttfb => "ttfb",
            Metric::Cls => "cls",
            Metric::Inp => "inp",
            Metric::Score => "score",
            Metric::PageWeight(name) => name,
            Metric::ApiP50 => "api_p50",
            Metric::ApiP90 => "api_p90",
            Metric::ApiP95 => "api_p95",
            Metric::ApiP99 => "api_p99",
            Metric::ApiAvg => "api_avg",
            Metric::ApiMax => "api_max",
            Metric::ErrorRate => "error_rate",
            Metric::Throughput => "throughput",
            Metric::K6 => "k6",
            Metric::Prometheus => "prometheus",
            Metric::BundleSize => "bundle_size",
            Metric::BenchTime => "bench_time",
            Metric::BenchThroughput => "bench_throughput",
            Metric::LoadTime => "load_time",
            Metric::FullyLoaded => "fully_loaded",
            Metric::Requests => "requests",
            Metric::ColdStart => "cold_start",
            Metric::TestTime => "test_time",
            Metric::TestCount => "test_count",
            Metric::Emf => "emf",
            Metric::Lambda => "lambda",
            Metric::Apdex => "apdex",
        }
    }

    /// How the metric is named in sentences and tables.
    pub fn label(&self) -> String {
        let label = match self {
            Metric::Lcp => "LCP",
            Metric::Fcp => "FCP",
            Metric::Tbt => "TBT",
            Metric::SpeedIndex => "Speed Index",
            Metric::Tti => "TTI",
            Metric::Ttfb => "TTFB",
            Metric::Cls => "CLS",
            Metric::Inp => "INP",
            Metric::Score => "Performance score",
            Metric::PageWeight(name) => match name.strip_prefix("page_weight.") {
                Some(kind) => return format!("Page weight ({kind})"),
                None => "Page weight",
            },
            Metric::ApiP50 => "API p50",
            Metric::ApiP90 => "API p90",
            Metric::ApiP95 => "API p95",
            Metric::ApiP99 => "API p99",
            Metric::ApiAvg => "API avg",
            Metric::ApiMax => "API max",
            Metric::ErrorRate => "Error rate",
            Metric::Throughput => "Throughput",
            Metric::K6 => "k6",
            Metric::Prometheus => "Prometheus",
            Metric::BundleSize => "Bundle size",
            Metric::BenchTime => "Bench time",
            Metric::BenchThroughput => "Bench throughput",
            Metric::LoadTime => "Load time",
            Metric::FullyLoaded => "Fully loaded",
            Metric::Requests => "Requests",
            Metric::ColdStart => "Cold start",
            Metric::TestTime => "Test time",
            Metric::TestCount => "Test count",
            Metric::Emf => "EMF",
            Metric::Lambda => "Lambda",
            Metric::Apdex => "Apdex",
        };
        label.to_owned()
    }

    /// Whether the metric comes from Lighthouse (or PSI/CrUX, WebPageTest), whose subjects
    /// are URLs.
    pub fn is_lighthouse(self) -> bool {
        matches!(
            self,
            Metric::LoadTime
                | Metric::FullyLoaded
                | Metric::Requests
                | Metric::Lcp
                | Metric::Fcp
                | Metric::Tbt
                | Metric::SpeedIndex
                | Metric::Tti
                | Metric::Ttfb
                | Metric::Cls
                | Metric::Inp
                | Metric::Score
                | Metric::PageWeight(_)
        )
    }

    /// Whether the metric reads any measured metric named in the entry, with `stat:` (`k6`,
    /// `emf`, `lambda`, `prometheus`): it has no short form, and its dimension and direction come from
    /// its limit.
    pub fn is_generic(self) -> bool {
        matches!(self, Metric::K6 | Metric::Emf | Metric::Lambda | Metric::Prometheus)
    }

    /// `None` for the generic metrics, whose dimension is the chosen series' (the limit's
    /// unit says it).
    pub fn dimension(&self) -> Option<Dimension> {
        Some(match self {
            Metric::Lcp
            | Metric::Fcp
            | Metric::Tbt
            | Metric::SpeedIndex
            | Metric::Tti
            | Metric::Ttfb
            | Metric::Inp
            | Metric::ApiP50
            | Metric::ApiP90
            | Metric::ApiP95
            | Metric::ApiP99
            | Metric::ApiAvg
            | Metric::ApiMax
            | Metric::BenchTime
            | Metric::LoadTime
            | Metric::FullyLoaded
            | Metric::ColdStart
            | Metric::TestTime => Dimension::Time,
            Metric::Cls | Metric::Score | Metric::Requests | Metric::TestCount | Metric::Apdex => Dimension::Number,
            Metric::PageWeight(_) | Metric::BundleSize => Dimension::Size,
            Metric::ErrorRate => Dimension::Ratio,
            Metric::Throughput | Metric::BenchThroughput => Dimension::Rate,
            Metric::K6 | Metric::Emf | Metric::Lambda | Metric::Prometheus => return None,
        })
    }

    /// `None` for `k6` and `prometheus`, where either direction is allowed.
    pub fn direction(&self) -> Option<Direction> {
        match self {
            // Fewer tests than expected is the failure a count guards against: a suite that
            // silently stopped running.
            Metric::Score | Metric::Throughput | Metric::BenchThroughput | Metric::TestCount | Metric::Apdex => {
                Some(Direction::HigherIsBetter)
            }
            Metric::K6 | Metric::Emf | Metric::Lambda | Metric::Prometheus => None,
            _ => Some(Direction::LowerIsBetter),
        }
    }

    /// The unit a limit prints in when no measurement gave one.
    pub fn display_unit(&self) -> Unit {
        match self {
            Metric::BenchTime => Unit::Ns,
            Metric::PageWeight(_) | Metric::BundleSize => Unit::Bytes,
            Metric::ErrorRate => Unit::Ratio,
            Metric::Throughput | Metric::BenchThroughput => Unit::PerSecond,
            Metric::Cls
            | Metric::Score
            | Metric::K6
            | Metric::Emf
            | Metric::Lambda
            | Metric::Prometheus
            | Metric::Requests
            | Metric::TestCount
            | Metric::Apdex => Unit::Number,
            Metric::TestTime => Unit::S,
            _ => Unit::Ms,
        }
    }

    /// The measurement metric and statistics this budget metric stands for. k6 metrics
    /// map to `http_req_duration` and friends; `k6` and `prometheus` take them from the
    /// budget (`k6_metric:` or `series:`, and `stat:`).
    pub fn selects<'a>(&'a self, k6_metric: Option<&'a str>, stat: Option<&'a str>) -> Selects<'a> {
        const P50: &[&str] = &["med", "p(50)"];
        const P90: &[&str] = &["p(90)"];
        const P95: &[&str] = &["p(95)"];
        const P99: &[&str] = &["p(99)"];
        const AVG: &[&str] = &["avg"];
        const MAX: &[&str] = &["max"];
        const RATE: &[&str] = &[vocabulary::RATE];
        let k6 = |metric: &'a str, stats: &'static [&'static str]| Selects { metric, stats: Stats::OneOf(stats) };
        match self {
            Metric::ApiP50 => k6(HTTP_REQ_DURATION, P50),
            Metric::ApiP90 => k6(HTTP_REQ_DURATION, P90),
            Metric::ApiP95 => k6(HTTP_REQ_DURATION, P95),
            Metric::ApiP99 => k6(HTTP_REQ_DURATION, P99),
            Metric::ApiAvg => k6(HTTP_REQ_DURATION, AVG),
            Metric::ApiMax => k6(HTTP_REQ_DURATION, MAX),
            Metric::ErrorRate => k6(HTTP_REQ_FAILED, RATE),
            Metric::Throughput => k6(HTTP_REQS, RATE),
            Metric::K6 | Metric::Emf | Metric::Lambda | Metric::Prometheus => {
                Selects { metric: k6_metric.unwrap_or_default(), stats: stat.map_or(Stats::Any, Stats::One) }
            }
            // Every cold start is a user's wait, and a log window holds few of them (one per
            // execution environment), so the budget is on the longest; `metric: lambda` with
            // `lambda_metric: init_duration` reads a percentile.
            // The stat names the thresholds: `apdex(T=500ms,F=1500ms)` (JMeter's defaults).
            Metric::Apdex => Selects {
                metric: crate::model::apdex::APDEX,
                stats: Stats::One(stat.unwrap_or(crate::model::apdex::DEFAULT_STAT)),
            },
            Metric::ColdStart => Selects { metric: vocabulary::LAMBDA_INIT_DURATION, stats: Stats::OneOf(MAX) },
            // criterion's headline value (the slope, else the mean), else the mean of a tool
            // with no headline (hyperfine), unless the budget picks `statistic: mean` or
            // `median`. A subject with both (criterion) reads `typical` only.
            Metric::BenchTime => Selects {
                metric: "bench_time",
                stats: stat.map_or(Stats::OneOfOrNone(&["typical", "mean"]), Stats::One),
            },
            // Per element, else per byte, else per bit, as the benchmark declared.
            Metric::BenchThroughput => {
                Selects { metric: "bench_throughput", stats: Stats::OneOfOrNone(&["elements", "bytes", "bits"]) }
            }
            _ => Selects { metric: self.name(), stats: Stats::Any },
        }
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The closest name among `candidates` to `typo`, when it is close enough to be a typo:
/// within a third of its length in edits (a swap counts as one, so `lpc` finds `lcp`),
/// or very similar by Jaro-Winkler. Ties go to the most similar.
pub(crate) fn closest<'a>(typo: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let max_edits = (typo.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|candidate| {
            let edits = strsim::damerau_levenshtein(typo, candidate);
            (edits, strsim::jaro_winkler(typo, candidate), candidate)
        })
        .filter(|(edits, similarity, _)| *edits <= max_edits || *similarity >= 0.88)
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
        .map(|(_, _, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_name_parses_and_prints_back() {
        for name in METRIC_NAMES {
            let metric = Metric::parse(name).unwrap();
            assert_eq!(metric.name(), *name);
        }
        for name in PAGE_WEIGHT_METRICS {
            assert_eq!(Metric::parse(name).unwrap().name(), *name);
        }
        assert_eq!(Metric::parse("page_weight.script").unwrap().label(), "Page weight (script)");
        assert_eq!(Metric::parse("page_weight.video"), None);
        assert_eq!(Metric::parse("LCP"), None);
    }

    #[test]
    fn k6_shorthands_select_http_metrics_and_stats() {
        let p95 = Metric::ApiP95;
        assert_eq!(p95.selects(None, None), Selects { metric: "http_req_duration", stats: Stats::OneOf(&["p(95)"]) });
        let p50 = Metric::ApiP50.selects(None, None).stats;
        assert_eq!(p50.rank(Some("med")), Some(0));
        assert_eq!(p50.rank(Some("p(50)")), Some(1));
        assert_eq!(p50.rank(Some("p(95)")), None);
        assert_eq!(p50.rank(None), None);
        assert_eq!(p50.describe().as_deref(), Some("med or p(50)"));
        assert_eq!(Metric::ErrorRate.selects(None, None).metric, "http_req_failed");
        let any = Metric::K6;
        assert_eq!(any.selects(Some("iterations"), Some("count")).metric, "iterations");
        assert_eq!(Metric::PageWeight("page_weight.script").selects(None, None).metric, "page_weight.script");
        assert_eq!(Metric::Lcp.selects(None, None), Selects { metric: "lcp", stats: Stats::Any });
        assert_eq!(Metric::BenchTime.selects(None, None).stats, Stats::OneOfOrNone(&["typical", "mean"]));
        assert_eq!(Metric::BenchTime.selects(None, None).stats.rank(None), Some(2), "a value without a stat");
        assert_eq!(Metric::BenchTime.selects(None, None).stats.rank(Some("mean")), Some(1), "hyperfine's headline");
        assert_eq!(Metric::BenchTime.selects(None, None).stats.rank(Some("median")), None);
        assert_eq!(Metric::BenchTime.selects(None, Some("median")).stats, Stats::One("median"));
        assert_eq!(Metric::BenchThroughput.selects(None, None).stats.rank(Some("bytes")), Some(1));
        assert_eq!(Stats::Any.rank(None), Some(0));
    }

    #[test]
    fn directions_decide_max_or_min() {
        assert_eq!(Metric::Score.direction(), Some(Direction::HigherIsBetter));
        assert_eq!(Metric::Lcp.direction(), Some(Direction::LowerIsBetter));
        assert_eq!(Metric::K6.direction(), None);
    }

    #[test]
    fn close_typos_get_a_suggestion() {
        assert_eq!(closest("lpc", METRIC_NAMES.iter().copied()), Some("lcp"));
        assert_eq!(closest("api_p59", METRIC_NAMES.iter().copied()), Some("api_p95"));
        assert_eq!(closest("maxx", ["max", "min", "warn"]), Some("max"));
        assert_eq!(closest("zzzzzz", ["max", "min"]), None);
    }
}
