//! Reading a budget file (YAML or JSON) into a [`Budget`].
//!
//! Values are checked inside their own serde visitors, so a wrong unit or an unknown
//! metric is reported at the value's own line and column. Checks that need a whole entry
//! (max vs min, warn beyond the limit) are reported at the entry.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::model::diagnostic::without_position;

use super::metric::{self, Direction, Metric, closest};
use super::units::{self, RawQuantity};
use super::{
    Aggregate, Budget, Check, Compression, DEFAULT_WARN_FRACTION, GlobError, Limit, Pattern, Selector, Warn,
    check_glob_size, presets,
};
use crate::quantity::{Dimension, format_base};

/// A budget file that cannot be used. Always exit code 2.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum BudgetError {
    #[error("{file}:{line}:{column}: {message}")]
    At { file: String, line: usize, column: usize, message: String },
    #[error("{file}: {message}")]
    File { file: String, message: String },
}

/// The keys of a full budget file, in the order the reference lists them.
pub const TOP_KEYS: &[&str] =
    &["version", "name", "extends", "defaults", "inputs", "limits", "budgets", "import_k6_thresholds"];

/// The largest budget file perfbudget reads. A budget of 100,000 entries is about 5 MB.
pub const MAX_BUDGET_BYTES: u64 = 16 * 1024 * 1024;

/// How large a YAML budget may become with its aliases expanded, counting each key and
/// value as its bytes plus one (so that empty values count too). Four times the file cap:
/// a file without aliases never reaches it, and what aliases may add stays bounded (a
/// 1 MB string aliased 2,000 times would be 2 GB).
pub const MAX_EXPANDED_BYTES: usize = 64 * 1024 * 1024;

/// A budget file over [`MAX_BUDGET_BYTES`], found while reading it.
#[derive(Debug, Error)]
#[error("the budget file is {0} bytes")]
struct TooLarge(u64);

/// Reads and validates a budget file. `inputs:` are resolved against its folder.
pub fn load(path: &Path) -> Result<Budget, BudgetError> {
    let file = path.display().to_string();
    let refused = |message: String| BudgetError::File { file: file.clone(), message };
    let bytes =
        crate::files::read_capped(path, MAX_BUDGET_BYTES, &|size| TooLarge(size).into()).map_err(
            |error| match error.downcast_ref::<TooLarge>() {
                Some(too_large) => {
                    let mib = MAX_BUDGET_BYTES >> 20;
                    refused(format!("{too_large}; a budget file may be at most {mib} MiB ({MAX_BUDGET_BYTES} bytes)"))
                }
                None => refused(format!("cannot read the budget file: {}", error.root_cause())),
            },
        )?;
    let text = String::from_utf8(bytes).map_err(|error| {
        refused(format!(
            "cannot read the budget file: not UTF-8 text (an invalid byte at offset {})",
            error.utf8_error().valid_up_to()
        ))
    })?;
    let base = path.parent().unwrap_or(Path::new(""));
    parse_str(&text, &file, base)
}

/// Parses budget text. `file` names it in errors; `base` is the folder `inputs:` are
/// relative to.
pub fn parse_str(text: &str, file: &str, base: &Path) -> Result<Budget, BudgetError> {
    let document = parse_document(text, file)?;
    resolve(document, file, base)
}

fn parse_document(text: &str, file: &str) -> Result<Document, BudgetError> {
    let no_position = |message: &str| BudgetError::File { file: file.to_owned(), message: message.to_owned() };
    let body = text.trim_start_matches('\u{feff}');
    if body.trim().is_empty() {
        return Err(no_position("the budget file is empty; start with `version: 1` and `limits:`"));
    }
    if body.trim_start().starts_with('{') {
        let mut deserializer = serde_json::Deserializer::from_str(body);
        let document = Document::deserialize(&mut deserializer).and_then(|document| {
            deserializer.end()?;
            Ok(document)
        });
        document.map_err(|error| {
            let message = without_position(&error.to_string(), error.line(), error.column());
            BudgetError::At {
                file: file.to_owned(),
                line: error.line(),
                column: error.column(),
                message: explain(&message),
            }
        })
    } else {
        // Only an anchor (`&name`) lets an alias (`*name`) repeat a value.
        if body.contains('&') {
            let expanded = std::cell::Cell::new(0);
            ExpandedSize(&expanded)
                .deserialize(yaml_serde::Deserializer::from_str(body))
                .map_err(|error| yaml_error(&error, file))?;
        }
        yaml_serde::from_str::<Document>(body).map_err(|error| yaml_error(&error, file))
    }
}

/// A YAML error at its line and column, with serde's wording explained.
fn yaml_error(error: &yaml_serde::Error, file: &str) -> BudgetError {
    let message = error.to_string();
    match error.location() {
        Some(location) => {
            let message = without_position(&message, location.line(), location.column());
            BudgetError::At {
                file: file.to_owned(),
                line: location.line(),
                column: location.column(),
                message: explain(&message),
            }
        }
        None => BudgetError::File { file: file.to_owned(), message: explain(&message) },
    }
}

/// Walks a YAML document as the budget reader will, aliases expanded, adding up its size
/// ([`MAX_EXPANDED_BYTES`]) and stopping once it is too large. Nothing is kept: a value
/// is seen borrowed, whatever alias repeats it, so the walk costs time, not memory.
struct ExpandedSize<'a>(&'a std::cell::Cell<usize>);

impl ExpandedSize<'_> {
    fn add<E: de::Error>(&self, bytes: usize) -> Result<(), E> {
        let total = self.0.get().saturating_add(bytes).saturating_add(1);
        self.0.set(total);
        if total > MAX_EXPANDED_BYTES {
            return Err(E::custom(format!(
                "YAML aliases expand this budget to more than {} MiB (counting each key and value's bytes and one \
                 more for each); write the values out or use fewer aliases",
                MAX_EXPANDED_BYTES >> 20
            )));
        }
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for ExpandedSize<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ExpandedSize<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.add(0)?;
        while map.next_key_seed(ExpandedSize(self.0))?.is_some() {
            map.next_value_seed(ExpandedSize(self.0))?;
        }
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.add(0)?;
        while seq.next_element_seed(ExpandedSize(self.0))?.is_some() {}
        Ok(())
    }
    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<(), A::Error> {
        // A tagged value (`!tag value`): the tag, then the value.
        let ((), variant) = data.variant_seed(ExpandedSize(self.0))?;
        de::VariantAccess::newtype_variant_seed(variant, ExpandedSize(self.0))
    }
    fn visit_str<E: de::Error>(self, value: &str) -> Result<(), E> {
        self.add(value.len())
    }
    fn visit_bytes<E: de::Error>(self, value: &[u8]) -> Result<(), E> {
        self.add(value.len())
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.add(0)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.add(0)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.add(0)
    }
    fn visit_i128<E: de::Error>(self, _: i128) -> Result<(), E> {
        self.add(0)
    }
    fn visit_u128<E: de::Error>(self, _: u128) -> Result<(), E> {
        self.add(0)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.add(0)
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.add(0)
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.add(0)
    }
    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

/// Adds a "did you mean" to serde's unknown-field and unknown-variant messages.
fn explain(message: &str) -> String {
    for (marker, noun) in [("unknown field `", "key"), ("unknown variant `", "value")] {
        let Some(start) = message.find(marker) else { continue };
        let prefix = &message[..start];
        let rest = &message[start + marker.len()..];
        let Some(end) = rest.find('`') else { continue };
        let typo = &rest[..end];
        let expected: Vec<&str> = rest[end + 1..].split('`').skip(1).step_by(2).collect();
        let hint = match closest(typo, expected.iter().copied()) {
            Some(suggestion) => format!("; did you mean `{suggestion}`?"),
            None if expected.is_empty() => String::new(),
            None => format!("; expected one of: {}", expected.join(", ")),
        };
        return format!("{prefix}unknown {noun} `{typo}`{hint}");
    }
    message.to_owned()
}

/// The file as read, before presets, defaults and paths are applied.
#[derive(Debug, Default)]
struct Document {
    version: Option<u64>,
    name: Option<String>,
    extends: Vec<String>,
    defaults: Defaults,
    inputs: Vec<String>,
    /// Short-form checks, from `limits:` or a bare metric map.
    limits: Vec<Check>,
    budgets: Vec<Check>,
    import_k6_thresholds: bool,
    /// Whether metrics stood at the top level (the bare-map form).
    bare: bool,
    /// Whether any key of the full form was present.
    full: bool,
}

/// `defaults:`, applied to every check that does not set its own.
#[derive(Debug, Default, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    /// Yellow band as a share of the limit, e.g. `10%` (the default).
    pub warn: Option<Fraction>,
    /// Allowed worsening against `--baseline`, e.g. `10%`.
    pub regression: Option<Fraction>,
}

/// A percentage (`10%`) or fraction (`0.1`), checked where it is written.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
#[schemars(with = "RawQuantity")]
pub struct Fraction(pub f64);

impl<'de> Deserialize<'de> for Fraction {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = RawQuantity::deserialize(deserializer)?;
        units::parse_fraction(&raw, "a percentage").map(Fraction).map_err(de::Error::custom)
    }
}

/// Parses a limit for a metric and rejects values the metric cannot take.
fn parse_limit(metric: Metric, raw: &RawQuantity) -> Result<f64, String> {
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
                    match name {
                        "version" => document.version = Some(map.next_value_seed(VersionSeed)?),
                        "name" => document.name = Some(map.next_value()?),
                        "extends" => document.extends = map.next_value_seed(ExtendsSeed)?,
                        "defaults" => document.defaults = map.next_value()?,
                        "inputs" => document.inputs = map.next_value()?,
                        "limits" => document.limits = map.next_value_seed(LimitsSeed)?,
                        "import_k6_thresholds" => document.import_k6_thresholds = map.next_value()?,
                        _ => document.budgets = map.next_value::<Vec<Entry>>()?.into_iter().map(|e| e.0).collect(),
                    }
                }
            }
        }
        if document.bare && document.full {
            return Err(de::Error::custom(
                "metric limits stand beside `version`/`limits`/`budgets`: in the full form, put them under `limits:`",
            ));
        }
        if document.full && document.version.is_none() {
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
            if metric == Metric::K6 {
                return Err(de::Error::custom(
                    "`k6` needs `k6_metric` and `stat`, so it has no short form: add it under `budgets:`",
                ));
            }
            let value = map.next_value_seed(LimitSeed(metric))?;
            checks.push(short_check(metric, value).map_err(de::Error::custom)?);
        }
        Ok(checks)
    }
}

/// A check from the short form `metric: limit`, applying to every subject found.
fn short_check(metric: Metric, value: f64) -> Result<Check, String> {
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

/// A metric name checked where it is written.
#[derive(Debug, Clone, Copy)]
pub struct MetricName(pub Metric);

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
pub struct GlobText(pub String);

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

/// One long-form entry of `budgets:` as written.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawEntry {
    /// Shown in reports instead of the metric name.
    pub name: Option<String>,
    pub metric: MetricName,
    /// For `metric: k6`: any k6 metric name (`http_reqs`, a custom trend).
    pub k6_metric: Option<String>,
    /// For `metric: k6`: the statistic (`avg`, `p(95)`, `rate`, `count`, `value`).
    pub stat: Option<String>,
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
}

/// Which of criterion's estimates a `bench_time` budget reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Statistic {
    Typical,
    Mean,
    Median,
}

/// Lab data (Lighthouse runs) or field data (real users' p75).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DataKind {
    Lab,
    Field,
}

/// A validated entry of `budgets:`.
struct Entry(Check);

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
    let is_bundle = metric == Metric::BundleSize;
    let is_bench = matches!(metric, Metric::BenchTime | Metric::BenchThroughput);
    only_for(raw.k6_metric.is_some(), "k6_metric", is_k6, "`metric: k6`")?;
    only_for(raw.stat.is_some(), "stat", is_k6, "`metric: k6`")?;
    only_for(raw.files.is_some(), "files", is_bundle, "bundle_size")?;
    only_for(raw.each.is_some(), "each", is_bundle, "bundle_size")?;
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
    for (tag, glob) in raw.tags.iter().flatten() {
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
        if let (Some(k6_metric), Some(stat)) = (&raw.k6_metric, &raw.stat) {
            label = format!("{label} {k6_metric} {stat}");
        }
        for selector in &selectors {
            label = format!("{label} {selector}");
        }
        if let Some(entry) = &raw.entry {
            label = format!("{label} entry={entry}");
        }
    }
    let stat = match raw.statistic {
        Some(Statistic::Typical) | None => raw.stat,
        Some(Statistic::Mean) => Some("mean".to_owned()),
        Some(Statistic::Median) => Some("median".to_owned()),
    };
    Ok(Check {
        label,
        metric,
        k6_metric: raw.k6_metric,
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
        entry: raw
            .manifest
            .clone()
            .zip(raw.entry.clone())
            .map(|(manifest, entry)| super::ManifestEntry { manifest, entry }),
        exact_subject: false,
        location: String::new(),
        preset: None,
    })
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

/// Applies presets, defaults and paths.
fn resolve(document: Document, file: &str, base: &Path) -> Result<Budget, BudgetError> {
    let mut checks = Vec::new();
    for preset_name in &document.extends {
        let preset = presets::find(preset_name).ok_or_else(|| BudgetError::File {
            file: file.to_owned(),
            message: format!("unknown preset `{preset_name}`"),
        })?;
        let preset_file = format!("preset {preset_name}");
        let preset_document = parse_document(preset.text, &preset_file)?;
        for mut check in preset_document.limits.into_iter().chain(preset_document.budgets) {
            check.preset = Some(preset_name.clone());
            checks.push(check);
        }
    }
    // A file's own short-form limit replaces the preset's for the same metric.
    for own in &document.limits {
        checks.retain(|check| !(check.preset.is_some() && check.metric == own.metric && check.selectors.is_empty()));
    }
    checks.extend(document.limits);
    for (index, mut check) in document.budgets.into_iter().enumerate() {
        check.location = format!("budgets[{index}]");
        checks.push(check);
    }
    let default_warn = document.defaults.warn.map_or(DEFAULT_WARN_FRACTION, |fraction| fraction.0);
    for check in &mut checks {
        if check.warn.is_none()
            && let Some(limit) = check.limit
        {
            let fraction = default_warn;
            check.warn = Some(band(limit, fraction));
        }
        if check.regression.is_none() {
            check.regression = document.defaults.regression.map(|fraction| fraction.0);
        }
    }
    if checks.is_empty() && !document.import_k6_thresholds {
        return Err(BudgetError::File {
            file: file.to_owned(),
            message: "the budget has no checks: add `limits:`, `budgets:` or `extends: [core-web-vitals]`".into(),
        });
    }
    let inputs = document.inputs.iter().map(|input| normalize(&base.join(input))).collect::<Vec<PathBuf>>();
    Ok(Budget {
        name: document.name,
        file: file.to_owned(),
        inputs,
        checks,
        import_k6_thresholds: document.import_k6_thresholds,
        default_warn,
    })
}

/// Removes `.` and `name/..` pairs without touching the file system, so an input written
/// as `../samples` in `budgets/demo.yml` is shown as `samples`.
fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut parts: Vec<Component<'_>> = Vec::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir if matches!(parts.last(), Some(Component::Normal(_))) => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    if parts.is_empty() { PathBuf::from(".") } else { parts.iter().collect() }
}

#[cfg(test)]
mod tests;
