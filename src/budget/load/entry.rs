//! Turning a budget entry into a [`Check`]: its limit and warning in base units, checked
//! against the metric's direction and dimension; its selectors; which keys apply to which
//! metrics. A problem is reported at the entry.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};

use crate::budget::metric::{Direction, Metric};
use crate::budget::units::{self, RawQuantity};
use crate::budget::{Aggregate, Check, Compression, GlobError, Limit, ManifestEntry, Pattern, Selector, Warn};
use crate::model::vocabulary::{LAMBDA_METRICS, SUITE_TAG};
use crate::quantity::{Dimension, format_base};

use super::seeds::{Fraction, GlobText, MetricName};

/// Parses a limit for a metric and rejects values the metric cannot take.
pub(super) fn parse_limit(metric: Metric, raw: &RawQuantity) -> Result<f64, String> {
    let dimension = metric.dimension().unwrap_or(Dimension::Number);
    let value = units::parse(raw, dimension, metric.name()).map_err(|error| error.to_string())?;
    match metric {
        // Lighthouse CI users write scores as 0-1; ours is Lighthouse's 0-100 display scale.
        Metric::Score if value > 0.0 && value < 1.0 => {
            Err(format!("score is 0-100; did you mean {}?", crate::quantity::significant(value * 100.0)))
        }
        Metric::Score if value > 100.0 => Err(format!("score is 0-100; {value} is out of range")),
        Metric::Cls if value > 100.0 => {
            Err(format!("a CLS of {value} is impossible (Lighthouse reports 0 to a few units)"))
        }
        _ => Ok(value),
    }
}

/// A check from the short form `metric: limit`, applying to every subject found.
pub(super) fn short_check(metric: Metric, value: f64) -> Result<Check, String> {
    let limit = match metric.direction() {
        Some(Direction::HigherIsBetter) => Limit::Min(value),
        _ => Limit::Max(value),
    };
    let dimension = metric.dimension().unwrap_or(Dimension::Number);
    let selectors = match metric {
        // The seed form `bundle_size: 150kb` means all JS files found, brotli, summed.
        Metric::BundleSize => vec![file_selector(&["**/*.js".to_owned()])?],
        _ => Vec::new(),
    };
    Ok(Check {
        label: metric.name().to_owned(),
        metric,
        k6_metric: None,
        stat: None,
        selectors,
        dimension,
        limit: Some(limit),
        warn: None,
        regression: None,
        optional: false,
        aggregate: Aggregate::default(),
        each: false,
        compression: Compression::default(),
        files_from_inputs: metric == Metric::BundleSize,
        entry: None,
        exact_subject: false,
        location: format!("limits.{}", metric.name()),
        preset: None,
        missing_baseline: crate::model::Verdict::Yellow,
        yellow_only: false,
        loosening: None,
    })
}

/// A `bundle_size` file selector. Source maps and license files are left out unless a
/// glob names them.
fn file_selector<S: AsRef<str>>(globs: &[S]) -> Result<Selector, String> {
    let mut selector = selector("file", globs, true)?;
    let named = |kind: &str| selector.include.iter().any(|pattern| pattern.text.contains(kind));
    let mut implied = Vec::new();
    if !named(".map") {
        implied.push("**/*.map");
    }
    if !named(".LICENSE.txt") {
        implied.push("**/*.LICENSE.txt");
    }
    for glob in implied {
        selector.exclude.push(Pattern::new(glob, true).map_err(|error| format!("invalid glob: {error}"))?);
        selector.implied_excludes += 1;
    }
    Ok(selector)
}

/// Builds a selector from globs; a leading `!` excludes.
fn selector<S: AsRef<str>>(tag: &str, globs: &[S], within_folder: bool) -> Result<Selector, String> {
    let mut include = Vec::new();
    let mut exclude = Vec::new();
    for glob in globs {
        let glob = glob.as_ref();
        let (list, text) = match glob.strip_prefix('!') {
            Some(negated) => (&mut exclude, negated),
            None => (&mut include, glob),
        };
        list.push(Pattern::new(text, within_folder).map_err(|error| match error {
            GlobError::Invalid(_) => format!("`{glob}` is not a valid glob: {error}"),
            // Too large to print whole; the message shows its start.
            too_large => too_large.to_string(),
        })?);
    }
    Ok(Selector::new(tag, include, exclude))
}

/// One long-form entry of `budgets:` as written.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawEntry {
    /// Shown in reports instead of the metric name.
    pub name: Option<String>,
    pub metric: MetricName,
    /// For `metric: k6`: any k6 metric name (`http_reqs`, a custom trend).
    pub k6_metric: Option<String>,
    /// For `metric: emf`: the EMF metric's name (`Latency`), as its directive names it.
    pub emf_metric: Option<String>,
    /// For `metric: lambda`: `duration`, `billed_duration`, `max_memory_used`,
    /// `memory_used_share`, `init_duration` or `cold_starts`.
    pub lambda_metric: Option<String>,
    /// For `metric: k6`, `emf` and `lambda`: the statistic (`avg`, `p(95)`, `rate`, `count`,
    /// `value`, `max`). For `metric: prometheus`: `value`, `p(95)`, `count`, `sum`, `mean`,
    /// and over two scrapes `increase`, `rate`, `cpu_share`, `growth`, `window_p(95)`,
    /// `window_count`, ...
    pub stat: Option<String>,
    /// For `metric: apdex`: the satisfied threshold T (`500ms`). Default: JMeter's
    /// dashboard's 500 ms, or with `apdex_f` alone an error.
    pub apdex_t: Option<RawQuantity>,
    /// For `metric: apdex`: the tolerated threshold F (`2s`). Default: 4 × T, or JMeter's
    /// 1500 ms when T is not given either.
    pub apdex_f: Option<RawQuantity>,
    /// Glob over JUnit suite names (`test_time`, `test_count`): the matched suites are summed.
    pub suite: Option<GlobText>,
    /// For `metric: prometheus`: the series' metric name as PromQL names it
    /// (`http_request_duration_seconds`, `process_cpu_seconds_total`).
    pub series: Option<String>,
    /// For `metric: prometheus`: labels and globs their values must match
    /// (`{handler: "/api/*", code: "2*"}`).
    pub labels: Option<BTreeMap<String, GlobText>>,
    /// Glob over the report's final URL (Lighthouse metrics).
    pub url: Option<GlobText>,
    /// Lighthouse metrics: `lab` (Lighthouse runs) or `field` (PageSpeed Insights and CrUX
    /// p75 of real users). Default: every kind present is checked.
    pub data: Option<DataKind>,
    /// Glob over the benchmark id (`bench_time`, `bench_throughput`).
    pub id: Option<GlobText>,
    /// `bench_time`: `typical` (criterion's headline: the slope, else the mean; the
    /// default), `mean` or `median`.
    pub statistic: Option<Statistic>,
    /// Globs over bundle file paths; `!` excludes (`bundle_size`).
    pub files: Option<Vec<GlobText>>,
    /// `bundle_size`: a build manifest, from the budget file's folder: Vite's
    /// `.vite/manifest.json`, webpack's stats JSON or an esbuild metafile.
    pub manifest: Option<String>,
    /// `bundle_size` with `manifest`: the entry whose files count (`src/main.ts`, webpack's
    /// `main`): its own file, its static imports and their CSS.
    pub entry: Option<String>,
    /// Subject tags and globs their values must match (k6: `name`, `method`, `status`, ...).
    pub tags: Option<BTreeMap<String, GlobText>>,
    /// Upper limit, for metrics where lower is better.
    pub max: Option<RawQuantity>,
    /// Lower limit, for metrics where higher is better.
    pub min: Option<RawQuantity>,
    /// Start of the yellow band: absolute (`1.8s`) or a share of the limit (`10%`).
    pub warn: Option<RawQuantity>,
    /// Allowed worsening against `--baseline` (`10%`).
    pub regression: Option<Fraction>,
    /// When true, matching nothing is not red.
    pub optional: Option<bool>,
    /// How repeated runs of one subject combine (default `median`).
    pub aggregate: Option<Aggregate>,
    /// `bundle_size`: check each file on its own instead of the sum.
    pub each: Option<bool>,
    /// `bundle_size`: `none`, `gzip` or `brotli` (default).
    pub compression: Option<Compression>,
    /// `error` (the default): a check beyond its limit is red. `warn`: yellow at most, as a
    /// Lighthouse CI assertion at level `warn` never fails the build.
    pub level: Option<Level>,
    /// What a limit looser than the baseline's makes of the run: `allow` (a green note),
    /// `warn` (yellow, the default) or `fail` (red). Default: `defaults.loosening`.
    pub loosening: Option<crate::budget::LooseningPolicy>,
}

/// How bad a check can get: `error` (red) or `warn` (yellow at most).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Level {
    Error,
    Warn,
}

/// Which of criterion's estimates a `bench_time` budget reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Statistic {
    Typical,
    Mean,
    Median,
}

/// Lab data (Lighthouse runs) or field data (real users' p75).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum DataKind {
    Lab,
    Field,
}

/// A validated entry of `budgets:`.
pub(super) struct Entry(pub(super) Check);

impl<'de> Deserialize<'de> for Entry {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntryVisitor;
        impl<'de> Visitor<'de> for EntryVisitor {
            type Value = Entry;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a budget entry with `metric:` and `max:` or `min:`")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Entry, A::Error> {
                let raw = RawEntry::deserialize(de::value::MapAccessDeserializer::new(map))?;
                let what = raw.name.clone().unwrap_or_else(|| raw.metric.0.name().to_owned());
                long_check(raw).map(Entry).map_err(|problem| de::Error::custom(format!("budget `{what}`: {problem}")))
            }
        }
        deserializer.deserialize_map(EntryVisitor)
    }
}

fn only_for(present: bool, key: &str, allowed: bool, metrics: &str) -> Result<(), String> {
    if present && !allowed {
        return Err(format!("`{key}` applies to {metrics} only"));
    }
    Ok(())
}

/// Validates a long-form entry into a check (without `defaults:`, applied later).
fn long_check(raw: RawEntry) -> Result<Check, String> {
    let metric = raw.metric.0;
    let is_k6 = metric == Metric::K6;
    let is_prometheus = metric == Metric::Prometheus;
    let is_bundle = metric == Metric::BundleSize;
    let is_bench = matches!(metric, Metric::BenchTime | Metric::BenchThroughput);
    let is_tests = matches!(metric, Metric::TestTime | Metric::TestCount);
    only_for(raw.k6_metric.is_some(), "k6_metric", is_k6, "`metric: k6`")?;
    only_for(raw.emf_metric.is_some(), "emf_metric", metric == Metric::Emf, "`metric: emf`")?;
    only_for(raw.lambda_metric.is_some(), "lambda_metric", metric == Metric::Lambda, "`metric: lambda`")?;
    only_for(raw.stat.is_some(), "stat", metric.is_generic(), "`metric: k6`, `emf`, `lambda` and `prometheus`")?;
    only_for(raw.suite.is_some(), "suite", is_tests, "test_time and test_count")?;
    only_for(raw.apdex_t.is_some(), "apdex_t", metric == Metric::Apdex, "`metric: apdex`")?;
    only_for(raw.apdex_f.is_some(), "apdex_f", metric == Metric::Apdex, "`metric: apdex`")?;
    only_for(raw.series.is_some(), "series", is_prometheus, "`metric: prometheus`")?;
    only_for(raw.labels.is_some(), "labels", is_prometheus, "`metric: prometheus` (other metrics select by `tags`)")?;
    only_for(raw.files.is_some(), "files", is_bundle, "bundle_size")?;
    only_for(raw.each.is_some(), "each", is_bundle || is_tests, "bundle_size, test_time and test_count")?;
    only_for(raw.manifest.is_some(), "manifest", is_bundle, "bundle_size")?;
    only_for(raw.entry.is_some(), "entry", is_bundle, "bundle_size")?;
    match (&raw.manifest, &raw.entry, &raw.files) {
        (Some(_), None, _) => return Err("`manifest` needs `entry`: the entry whose files count".into()),
        (None, Some(_), _) => return Err("`entry` needs `manifest`: the build manifest that lists its files".into()),
        (Some(_), Some(_), Some(_)) => {
            return Err("give `files` or `entry`, not both: an entry's files come from its manifest".into());
        }
        _ => {}
    }
    only_for(raw.compression.is_some(), "compression", is_bundle, "bundle_size")?;
    only_for(raw.id.is_some(), "id", is_bench, "bench_time and bench_throughput")?;
    only_for(raw.statistic.is_some(), "statistic", metric == Metric::BenchTime, "bench_time")?;
    only_for(raw.url.is_some(), "url", metric.is_lighthouse(), "Lighthouse metrics")?;
    only_for(raw.data.is_some(), "data", metric.is_lighthouse(), "Lighthouse metrics")?;
    if is_k6 && (raw.k6_metric.is_none() || raw.stat.is_none()) {
        return Err("`metric: k6` needs `k6_metric` (such as http_reqs) and `stat` (such as rate or p(95))".into());
    }
    if is_prometheus && (raw.series.is_none() || raw.stat.is_none()) {
        return Err("`metric: prometheus` needs `series` (such as http_request_duration_seconds) and `stat` (such as \
                    p(95), value or growth)"
            .into());
    }
    if metric == Metric::Emf && (raw.emf_metric.is_none() || raw.stat.is_none()) {
        return Err("`metric: emf` needs `emf_metric` (the metric's `Name`) and `stat` (such as p(95) or max)".into());
    }
    let lambda_metric = match (&raw.lambda_metric, &raw.stat) {
        (Some(name), Some(_)) if LAMBDA_METRICS.contains(&name.as_str()) => Some(format!("lambda_{name}")),
        (Some(name), Some(_)) => {
            return Err(format!("`lambda_metric: {name}` is not one of {}", LAMBDA_METRICS.join(", ")));
        }
        _ if metric == Metric::Lambda => {
            return Err(format!(
                "`metric: lambda` needs `lambda_metric` (one of {}) and `stat` (such as p(95) or max)",
                LAMBDA_METRICS.join(", ")
            ));
        }
        _ => None,
    };
    let measured = raw.k6_metric.clone().or_else(|| raw.emf_metric.clone()).or(lambda_metric).or(raw.series.clone());

    let (limit, dimension) = entry_limit(metric, raw.max.as_ref(), raw.min.as_ref())?;
    if limit.is_none() && raw.regression.is_none() {
        let key = if metric.direction() == Some(Direction::HigherIsBetter) { "min" } else { "max" };
        return Err(format!("needs a limit: `{key}:`, or `regression:` to compare with the baseline"));
    }
    let warn = match &raw.warn {
        Some(warn) => Some(entry_warn(metric, dimension, limit, warn)?),
        None => None,
    };

    let mut selectors = Vec::new();
    if let Some(url) = &raw.url {
        selectors.push(selector("url", std::slice::from_ref(url), false)?);
    }
    if let Some(id) = &raw.id {
        selectors.push(selector("id", std::slice::from_ref(id), false)?);
    }
    if let Some(suite) = &raw.suite {
        selectors.push(selector(SUITE_TAG, std::slice::from_ref(suite), false)?);
    }
    if let Some(kind) = raw.data {
        let kind = match kind {
            DataKind::Lab => "lab",
            DataKind::Field => "field",
        };
        selectors.push(selector("data", &[kind.to_owned()], false)?);
    }
    match &raw.files {
        Some(files) if files.is_empty() => return Err("`files` is empty; give at least one glob".into()),
        Some(files) => selectors.push(file_selector(files)?),
        // An entry's files are known once its manifest is read.
        None if is_bundle && raw.entry.is_some() => {}
        None if is_bundle => selectors.push(file_selector(&["**/*.js".to_owned()])?),
        None => {}
    }
    for (tag, glob) in raw.tags.iter().flatten().chain(raw.labels.iter().flatten()) {
        if selectors.iter().any(|selector| selector.tag == *tag) {
            return Err(format!("`tags` selects `{tag}`, which this entry already selects: keep one"));
        }
        selectors.push(selector(tag, std::slice::from_ref(glob), false)?);
    }

    let mut label = match &raw.name {
        Some(name) => name.clone(),
        None => metric.name().to_owned(),
    };
    if raw.name.is_none() {
        if let (Some(measured), Some(stat)) =
            (raw.emf_metric.as_ref().or(raw.k6_metric.as_ref()).or(raw.series.as_ref()), &raw.stat)
        {
            label = format!("{label} {measured} {stat}");
        }
        if let (Some(name), Some(stat)) = (&raw.lambda_metric, &raw.stat) {
            label = format!("{label} {name} {stat}");
        }
        for selector in &selectors {
            label = format!("{label} {selector}");
        }
        if let Some(entry) = &raw.entry {
            label = format!("{label} entry={entry}");
        }
    }
    let stat = match raw.statistic {
        _ if metric == Metric::Apdex => Some(apdex_stat(raw.apdex_t.as_ref(), raw.apdex_f.as_ref())?),
        Some(Statistic::Typical) | None => raw.stat,
        Some(Statistic::Mean) => Some("mean".to_owned()),
        Some(Statistic::Median) => Some("median".to_owned()),
    };
    Ok(Check {
        label,
        metric,
        k6_metric: measured,
        stat,
        selectors,
        dimension,
        limit,
        warn,
        regression: raw.regression.map(|fraction| fraction.0),
        optional: raw.optional.unwrap_or(false),
        aggregate: raw.aggregate.unwrap_or_default(),
        each: raw.each.unwrap_or(false),
        compression: raw.compression.unwrap_or_default(),
        files_from_inputs: is_bundle && raw.files.is_none() && raw.entry.is_none(),
        entry: raw.manifest.clone().zip(raw.entry.clone()).map(|(manifest, entry)| ManifestEntry { manifest, entry }),
        exact_subject: false,
        location: String::new(),
        preset: None,
        missing_baseline: crate::model::Verdict::Yellow,
        yellow_only: raw.level == Some(Level::Warn),
        loosening: raw.loosening,
    })
}

/// The stat an Apdex entry reads: its thresholds, T and F in ms.
fn apdex_stat(t: Option<&RawQuantity>, f: Option<&RawQuantity>) -> Result<String, String> {
    let ms = |raw: &RawQuantity, key: &str| {
        units::parse(raw, Dimension::Time, key).map(|ns| ns / 1e6).map_err(|error| format!("{key}: {error}"))
    };
    let t = t.map(|raw| ms(raw, "apdex_t")).transpose()?;
    let f = f.map(|raw| ms(raw, "apdex_f")).transpose()?;
    Ok(crate::model::apdex::Thresholds::from_budget(t, f)?.stat())
}

/// The entry's limit in base units, with `max`/`min` checked against the metric's direction.
fn entry_limit(
    metric: Metric,
    max: Option<&RawQuantity>,
    min: Option<&RawQuantity>,
) -> Result<(Option<Limit>, Dimension), String> {
    let (key, raw, limit): (&str, &RawQuantity, fn(f64) -> Limit) = match (max, min) {
        (Some(_), Some(_)) => return Err("give `max` or `min`, not both".into()),
        (Some(raw), None) => ("max", raw, Limit::Max),
        (None, Some(raw)) => ("min", raw, Limit::Min),
        (None, None) => return Ok((None, metric.dimension().unwrap_or(Dimension::Number))),
    };
    match (metric.direction(), key) {
        (Some(Direction::LowerIsBetter), "min") => {
            return Err(format!("{metric} is better when lower, so it takes `max:`, not `min:`"));
        }
        (Some(Direction::HigherIsBetter), "max") => {
            return Err(format!("{metric} is better when higher, so it takes `min:`, not `max:`"));
        }
        _ => {}
    }
    let (dimension, value) = match metric.dimension() {
        Some(dimension) => (dimension, parse_limit(metric, raw).map_err(|e| format!("{key}: {e}"))?),
        None => units::parse_any(raw, metric.name()).map_err(|e| format!("{key}: {e}"))?,
    };
    Ok((Some(limit(value)), dimension))
}

/// A `warn:` in base units; it must lie on the good side of the limit.
fn entry_warn(metric: Metric, dimension: Dimension, limit: Option<Limit>, raw: &RawQuantity) -> Result<Warn, String> {
    let Some(limit) = limit else {
        return Err("`warn` needs a `max:` or `min:` to warn before".into());
    };
    if units::is_percentage(raw) {
        let fraction = units::parse_fraction(raw, "warn").map_err(|e| format!("warn: {e}"))?;
        return Ok(band(limit, fraction));
    }
    let threshold = units::parse(raw, dimension, metric.name()).map_err(|e| format!("warn: {e}"))?;
    let beyond = match limit {
        Limit::Max(max) => threshold > max,
        Limit::Min(min) => threshold < min,
    };
    if beyond {
        let (side, key) = match limit {
            Limit::Max(_) => ("above", "max"),
            Limit::Min(_) => ("below", "min"),
        };
        return Err(format!(
            "warn {} is {side} the limit {key}: {}; the warning must come before the limit",
            format_base(dimension, threshold),
            format_base(dimension, limit.value())
        ));
    }
    Ok(Warn { threshold, fraction: None })
}

/// The yellow band spanning `fraction` of the limit on its good side. A band that would
/// reach past the largest number there is ends there: a threshold is always finite.
pub(crate) fn band(limit: Limit, fraction: f64) -> Warn {
    let threshold = match limit {
        Limit::Max(max) => max * (1.0 - fraction),
        Limit::Min(min) => min * (1.0 + fraction),
    };
    Warn { threshold: threshold.clamp(f64::MIN, f64::MAX), fraction: Some(fraction) }
}
