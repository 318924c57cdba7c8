//! The serde seeds and visitors of a budget file. Each scalar is checked inside its own
//! visitor, against the key or metric it belongs to, so a wrong unit, an unknown metric or
//! a glob too large is reported at the value's own file:line:column.

use std::collections::HashSet;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::budget::metric::{self, Metric, closest};
use crate::budget::units::{self, RawQuantity};
use crate::budget::{Check, check_glob_size, presets};
use crate::quantity::Dimension;

use super::entry::{Entry, parse_limit, short_check};
use super::{Document, TOP_KEYS};

/// A percentage (`10%`) or fraction (`0.1`), checked where it is written.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
#[schemars(with = "RawQuantity")]
pub(crate) struct Fraction(pub f64);

impl<'de> Deserialize<'de> for Fraction {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = RawQuantity::deserialize(deserializer)?;
        units::parse_fraction(&raw, "a percentage").map(Fraction).map_err(de::Error::custom)
    }
}

/// Visits a limit scalar with the metric it belongs to; used for `limits:` values.
struct LimitSeed(Metric);

impl<'de> DeserializeSeed<'de> for LimitSeed {
    type Value = f64;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<f64, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl LimitSeed {
    fn check<E: de::Error>(&self, raw: &RawQuantity) -> Result<f64, E> {
        parse_limit(self.0, raw).map_err(E::custom)
    }
}

impl Visitor<'_> for LimitSeed {
    type Value = f64;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a limit for {}, such as {}", self.0, example_limit(self.0))
    }
    fn visit_f64<E: de::Error>(self, value: f64) -> Result<f64, E> {
        self.check(&RawQuantity::Number(value))
    }
    fn visit_i64<E: de::Error>(self, value: i64) -> Result<f64, E> {
        self.check(&RawQuantity::Number(value as f64))
    }
    fn visit_u64<E: de::Error>(self, value: u64) -> Result<f64, E> {
        self.check(&RawQuantity::Number(value as f64))
    }
    fn visit_str<E: de::Error>(self, value: &str) -> Result<f64, E> {
        self.check(&RawQuantity::Text(value.to_owned()))
    }
}

fn example_limit(metric: Metric) -> &'static str {
    match metric.dimension() {
        Some(Dimension::Time) => "2.5s or 300ms",
        Some(Dimension::Size) => "150 kB",
        Some(Dimension::Ratio) => "1%",
        Some(Dimension::Rate) => "1000/s",
        Some(Dimension::Number) | None => "0.1",
    }
}

/// A map key: a known key of this map, or (where allowed) a metric name; duplicates and
/// unknown keys are errors at the key itself, with a suggestion.
struct KeySeed<'a> {
    known: &'static [&'static str],
    metrics: bool,
    seen: &'a mut HashSet<String>,
}

enum Key {
    Known(&'static str),
    Metric(Metric),
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Key;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Key, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for KeySeed<'_> {
    type Value = Key;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_str<E: de::Error>(self, value: &str) -> Result<Key, E> {
        if !self.seen.insert(value.to_owned()) {
            return Err(E::custom(format!("`{value}` is given twice")));
        }
        if let Some(known) = self.known.iter().find(|known| **known == value) {
            return Ok(Key::Known(known));
        }
        if self.metrics
            && let Some(metric) = Metric::parse(value)
        {
            return Ok(Key::Metric(metric));
        }
        if self.metrics
            && let Some((_, why)) = metric::RETIRED_NAMES.iter().find(|(name, _)| *name == value)
        {
            return Err(E::custom(format!("`{value}` is not a metric: {why}")));
        }
        let mut candidates: Vec<&str> = self.known.to_vec();
        if self.metrics {
            candidates.extend(metric::METRIC_NAMES);
            candidates.extend(metric::PAGE_WEIGHT_METRICS);
        }
        let what = if self.known.is_empty() { "metric" } else { "key" };
        Err(E::custom(match closest(value, candidates.iter().copied()) {
            Some(suggestion) => format!("unknown {what} `{value}`; did you mean `{suggestion}`?"),
            None if self.known.is_empty() => {
                format!("unknown metric `{value}`; metrics are: {}", metric::METRIC_NAMES.join(", "))
            }
            None => format!("unknown key `{value}`; expected one of: {}", self.known.join(", ")),
        }))
    }
}

impl<'de> Deserialize<'de> for Document {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(DocumentVisitor)
    }
}

struct DocumentVisitor;

impl<'de> Visitor<'de> for DocumentVisitor {
    type Value = Document;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a budget: a map with `version: 1` and `limits:` or `budgets:`, or a bare map of metric limits")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Document, A::Error> {
        let mut document = Document::default();
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key_seed(KeySeed { known: TOP_KEYS, metrics: true, seen: &mut seen })? {
            match key {
                Key::Metric(metric) => {
                    document.bare = true;
                    let value = map.next_value_seed(LimitSeed(metric))?;
                    document.limits.push(short_check(metric, value).map_err(de::Error::custom)?);
                }
                Key::Known(name) => {
                    document.full = true;
                    document.budgets_map_only = false;
                    match name {
                        "version" => document.version = Some(map.next_value_seed(VersionSeed)?),
                        "name" => document.name = Some(map.next_value()?),
                        "extends" => document.extends = map.next_value_seed(ExtendsSeed)?,
                        "defaults" => document.defaults = map.next_value()?,
                        "inputs" => document.inputs = map.next_value()?,
                        "history" => document.history = Some(map.next_value()?),
                        "limits" => document.limits = map.next_value_seed(LimitsSeed)?,
                        "import_k6_thresholds" => document.import_k6_thresholds = map.next_value()?,
                        "scrape_elapsed" => {
                            let raw: RawQuantity = map.next_value()?;
                            let nanoseconds = units::parse(&raw, Dimension::Time, "scrape_elapsed")
                                .map_err(|error| de::Error::custom(error.to_string()))?;
                            if nanoseconds <= 0.0 {
                                return Err(de::Error::custom("scrape_elapsed: the time between scrapes is above 0"));
                            }
                            document.scrape_elapsed = Some(nanoseconds / 1e9);
                        }
                        _ => match map.next_value_seed(BudgetsSeed)? {
                            Budgets::List(checks) => document.budgets = checks,
                            // `{"budgets": {"lcp": "2.5s"}}`: the map form, read as `limits:`.
                            Budgets::Map(checks) => {
                                document.limits.extend(checks);
                                document.budgets_map_only = seen.len() == 1;
                            }
                        },
                    }
                }
            }
        }
        if document.bare && document.full {
            return Err(de::Error::custom(
                "metric limits stand beside `version`/`limits`/`budgets`: in the full form, put them under `limits:`",
            ));
        }
        if document.full && document.version.is_none() && !document.budgets_map_only {
            return Err(de::Error::custom("missing `version: 1` at the top of the budget file"));
        }
        Ok(document)
    }
}

struct VersionSeed;

impl<'de> DeserializeSeed<'de> for VersionSeed {
    type Value = u64;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<u64, D::Error> {
        deserializer.deserialize_u64(self)
    }
}

impl Visitor<'_> for VersionSeed {
    type Value = u64;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("`version: 1`")
    }
    fn visit_u64<E: de::Error>(self, value: u64) -> Result<u64, E> {
        if value == 1 {
            Ok(value)
        } else {
            Err(E::custom(format!("budget file version {value} is not supported; this perfbudget reads version 1")))
        }
    }
    fn visit_i64<E: de::Error>(self, value: i64) -> Result<u64, E> {
        Err(E::custom(format!("budget file version {value} is not supported; this perfbudget reads version 1")))
    }
}

/// `extends:` as one preset name or a list, each checked where it is written.
struct ExtendsSeed;

impl<'de> DeserializeSeed<'de> for ExtendsSeed {
    type Value = Vec<String>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Vec<String>, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ExtendsSeed {
    type Value = Vec<String>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a preset name or a list of them")
    }
    fn visit_str<E: de::Error>(self, value: &str) -> Result<Vec<String>, E> {
        Ok(vec![PresetName::check(value)?])
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<String>, A::Error> {
        let mut names = Vec::new();
        while let Some(PresetName(name)) = seq.next_element()? {
            names.push(name);
        }
        Ok(names)
    }
}

struct PresetName(String);

impl PresetName {
    fn check<E: de::Error>(name: &str) -> Result<String, E> {
        if presets::find(name).is_some() {
            return Ok(name.to_owned());
        }
        let names = presets::names();
        Err(E::custom(match closest(name, names.iter().copied()) {
            Some(suggestion) => format!("unknown preset `{name}`; did you mean `{suggestion}`?"),
            None => format!("unknown preset `{name}`; presets are: {}", names.join(", ")),
        }))
    }
}

impl<'de> Deserialize<'de> for PresetName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NameVisitor;
        impl Visitor<'_> for NameVisitor {
            type Value = PresetName;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a preset name")
            }
            fn visit_str<E: de::Error>(self, value: &str) -> Result<PresetName, E> {
                PresetName::check(value).map(PresetName)
            }
        }
        deserializer.deserialize_str(NameVisitor)
    }
}

/// `limits:`: metric -> limit, each value checked against its metric where it is written.
struct LimitsSeed;

/// `budgets:` as a list of entries, or as a map of metric limits (the map form).
enum Budgets {
    List(Vec<Check>),
    Map(Vec<Check>),
}

struct BudgetsSeed;

impl<'de> DeserializeSeed<'de> for BudgetsSeed {
    type Value = Budgets;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Budgets, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for BudgetsSeed {
    type Value = Budgets;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of budget entries, or a map of metric -> limit such as `lcp: 2.5s`")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Budgets, A::Error> {
        let mut checks = Vec::new();
        while let Some(entry) = seq.next_element::<Entry>()? {
            checks.push(entry.0);
        }
        Ok(Budgets::List(checks))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Budgets, A::Error> {
        LimitsSeed.visit_map(map).map(Budgets::Map)
    }
}

impl<'de> DeserializeSeed<'de> for LimitsSeed {
    type Value = Vec<Check>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Vec<Check>, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for LimitsSeed {
    type Value = Vec<Check>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map of metric -> limit, such as `lcp: 2.5s`")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<Check>, A::Error> {
        let mut seen = HashSet::new();
        let mut checks = Vec::new();
        while let Some(key) = map.next_key_seed(KeySeed { known: &[], metrics: true, seen: &mut seen })? {
            let Key::Metric(metric) = key else { continue };
            if metric == Metric::Prometheus {
                return Err(de::Error::custom(
                    "`prometheus` needs `series` and `stat`, so it has no short form: add it under `budgets:`",
                ));
            }
            if metric.is_generic() {
                return Err(de::Error::custom(format!(
                    "`{metric}` needs `{metric}_metric` and `stat`, so it has no short form: add it under `budgets:`",
                )));
            }
            let value = map.next_value_seed(LimitSeed(metric))?;
            checks.push(short_check(metric, value).map_err(de::Error::custom)?);
        }
        Ok(checks)
    }
}

/// A metric name checked where it is written.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MetricName(pub Metric);

impl schemars::JsonSchema for MetricName {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Metric".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A metric name (see the metric table in the README).",
            "type": "string",
            "enum": metric::all_names(),
        })
    }
}

impl<'de> Deserialize<'de> for MetricName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut seen = HashSet::new();
        match (KeySeed { known: &[], metrics: true, seen: &mut seen }).deserialize(deserializer)? {
            Key::Metric(metric) => Ok(MetricName(metric)),
            Key::Known(_) => Err(de::Error::custom("expected a metric name")),
        }
    }
}

/// A glob as written in a budget, checked against the glob limits in its own visitor, so
/// a glob too large to compile is refused at its own line and column.
#[derive(Debug, Clone)]
pub(crate) struct GlobText(pub String);

impl AsRef<str> for GlobText {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl schemars::JsonSchema for GlobText {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        String::schema_name()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        String::json_schema(generator)
    }
}

impl<'de> Deserialize<'de> for GlobText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct GlobVisitor;
        impl Visitor<'_> for GlobVisitor {
            type Value = GlobText;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a glob")
            }
            fn visit_str<E: de::Error>(self, value: &str) -> Result<GlobText, E> {
                // The `!` of an exclude glob is not part of the glob.
                check_glob_size(value.strip_prefix('!').unwrap_or(value)).map_err(E::custom)?;
                Ok(GlobText(value.to_owned()))
            }
        }
        deserializer.deserialize_str(GlobVisitor)
    }
}
