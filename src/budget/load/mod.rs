//! Reading a budget file (YAML or JSON) into a [`Budget`].
//!
//! Values are checked inside their own serde visitors, so a wrong unit or an unknown
//! metric is reported at the value's own line and column. Checks that need a whole entry
//! (max vs min, warn beyond the limit) are reported at the entry.
//!
//! This module reads the file within its size caps, then applies presets, defaults and
//! paths. `seeds` holds the visitors that check each value where it is written, `entry`
//! turns an entry into a [`Check`], and `diagnostic` words serde's errors at their position.

mod diagnostic;
mod entry;
mod seeds;

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use thiserror::Error;

use crate::budget::{Budget, Check, DEFAULT_WARN_FRACTION, presets};
use crate::model::Verdict;

pub(crate) use diagnostic::{json_error, yaml_error};
pub(crate) use entry::RawEntry;
pub(crate) use entry::band;
pub(crate) use seeds::Fraction;

/// A budget file that cannot be used. Always exit code 2.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum BudgetError {
    #[error("{file}:{line}:{column}: {message}")]
    At { file: String, line: usize, column: usize, message: String },
    #[error("{file}: {message}")]
    File { file: String, message: String },
}

/// The keys of a full budget file, in the order the reference lists them.
pub(crate) const TOP_KEYS: &[&str] = &[
    "version",
    "name",
    "extends",
    "defaults",
    "inputs",
    "history",
    "limits",
    "budgets",
    "import_k6_thresholds",
    "scrape_elapsed",
];

/// The largest budget file perfbudget reads. A budget of 100,000 entries is about 5 MB.
pub(crate) const MAX_BUDGET_BYTES: u64 = 16 * 1024 * 1024;

/// How large a YAML budget may become with its aliases expanded, counting each key and
/// value as its bytes plus one (so that empty values count too). Four times the file cap:
/// a file without aliases never reaches it, and what aliases may add stays bounded (a
/// 1 MB string aliased 2,000 times would be 2 GB).
pub(crate) const MAX_EXPANDED_BYTES: usize = 64 * 1024 * 1024;

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
        document.map_err(|error| json_error(&error, file))
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

/// The file as read, before presets, defaults and paths are applied.
#[derive(Debug, Default)]
struct Document {
    version: Option<u64>,
    name: Option<String>,
    extends: Vec<String>,
    defaults: Defaults,
    inputs: Vec<String>,
    /// `history:`, the history file, relative to the budget file.
    history: Option<String>,
    /// Short-form checks, from `limits:` or a bare metric map.
    limits: Vec<Check>,
    budgets: Vec<Check>,
    import_k6_thresholds: bool,
    /// `scrape_elapsed:` in seconds.
    scrape_elapsed: Option<f64>,
    /// Whether metrics stood at the top level (the bare-map form).
    bare: bool,
    /// Whether any key of the full form was present.
    full: bool,
    /// Whether `budgets:` was a map of metric limits (the map form), and no other key of the
    /// full form was given: then `version:` may be left out, as the form is written.
    budgets_map_only: bool,
}

/// `defaults:`, applied to every check that does not set its own.
#[derive(Debug, Default, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Defaults {
    /// Yellow band as a share of the limit, e.g. `10%` (the default).
    pub warn: Option<Fraction>,
    /// Allowed worsening against `--baseline` or `--history`, e.g. `10%`.
    pub regression: Option<Fraction>,
    /// The verdict of a `regression:` check with nothing to compare with (no `--baseline`,
    /// or a history without a run of the base branch): `yellow` (the default) or `red`.
    pub missing_baseline: Option<MissingBaseline>,
    /// What a limit looser than the baseline's makes of the run, for every check that sets
    /// none and for budgets the baseline had and this file has not: `allow` (a green note),
    /// `warn` (yellow, the default) or `fail` (red until `check --allow-loosening`).
    pub loosening: Option<crate::budget::LooseningPolicy>,
}

/// `missing_baseline:`: how a regression check with nothing to compare with ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum MissingBaseline {
    Yellow,
    Red,
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
        if document.defaults.missing_baseline == Some(MissingBaseline::Red) {
            check.missing_baseline = Verdict::Red;
        }
        if check.loosening.is_none() {
            check.loosening = document.defaults.loosening;
        }
    }
    if checks.is_empty() && !document.import_k6_thresholds {
        return Err(BudgetError::File {
            file: file.to_owned(),
            message: "the budget has no checks: add `limits:`, `budgets:` or `extends: [core-web-vitals]`".into(),
        });
    }
    let inputs = document.inputs.iter().map(|input| normalize(&base.join(input))).collect::<Vec<PathBuf>>();
    let history = document.history.as_ref().map(|history| normalize(&base.join(history)));
    Ok(Budget {
        name: document.name,
        file: file.to_owned(),
        inputs,
        history,
        checks,
        import_k6_thresholds: document.import_k6_thresholds,
        scrape_elapsed: document.scrape_elapsed,
        default_warn,
        default_loosening: document.defaults.loosening.unwrap_or_default(),
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
