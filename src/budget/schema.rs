//! The JSON Schema of the budget file, printed by `perfbudget schema` so editors complete
//! and check budget files. Generated from the same types the loader reads.

use std::borrow::Cow;
use std::collections::BTreeMap;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};

use super::load::{Defaults, RawEntry};
use super::metric::{self, Metric};
use super::presets;
use super::units::RawQuantity;

/// The full form of a budget file.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)] // only its schema is used; the loader reads the file with visitors
struct FullForm {
    version: Version,
    /// Shown in reports.
    name: Option<String>,
    /// Built-in presets whose checks this file starts from.
    extends: Option<Extends>,
    defaults: Option<Defaults>,
    /// Files and folders to read, relative to this file.
    inputs: Option<Vec<String>>,
    /// The history file (`perfbudget history`), relative to this file.
    history: Option<String>,
    limits: Option<Limits>,
    /// Long-form checks with selectors, or a map of metric limits read as `limits:`.
    budgets: Option<BudgetsForm>,
    /// Turn the k6 thresholds found in the inputs into checks.
    import_k6_thresholds: Option<bool>,
    /// The time between the first and the last Prometheus scrape of one target (`300s`), for
    /// rates and CPU shares when the scrapes carry no timestamps.
    scrape_elapsed: Option<RawQuantity>,
}

/// `budgets:`: a list of entries, or the map form `{"budgets": {"lcp": "2.5s"}}`.
#[derive(JsonSchema)]
#[schemars(untagged)]
#[allow(dead_code)] // only its schema is used
enum BudgetsForm {
    List(Vec<RawEntry>),
    Map(Limits),
}

/// The map form as written, without `version:`: `{"budgets": {"lcp": "2.5s"}}`.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)] // only its schema is used
struct MapForm {
    budgets: Limits,
}

struct Version;

impl JsonSchema for Version {
    fn schema_name() -> Cow<'static, str> {
        "Version".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "description": "The budget file format version.", "const": 1 })
    }
}

struct Extends;

impl JsonSchema for Extends {
    fn schema_name() -> Cow<'static, str> {
        "Extends".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let names = presets::names();
        json_schema!({
            "anyOf": [
                { "type": "string", "enum": names },
                { "type": "array", "items": { "type": "string", "enum": names } },
            ]
        })
    }
}

/// Short form: metric -> limit, applying to every subject found.
struct Limits;

impl JsonSchema for Limits {
    fn schema_name() -> Cow<'static, str> {
        "Limits".into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let quantity = generator.subschema_for::<RawQuantity>();
        let properties: BTreeMap<&str, Schema> = metric::all_names()
            .into_iter()
            .filter(|name| !Metric::parse(name).is_some_and(Metric::is_generic))
            .map(|name| (name, quantity.clone()))
            .collect();
        json_schema!({
            "description": "metric -> limit (max for lower-is-better metrics, min for score and throughput)",
            "type": "object",
            "properties": properties,
            "additionalProperties": false,
        })
    }
}

/// The schema as pretty JSON: the full form, a bare map of limits, or the map form. A `serde_json::Value`
/// always serialises (its keys are strings), so an error is a bug the caller reports.
pub(crate) fn render() -> serde_json::Result<String> {
    let mut generator = SchemaGenerator::default();
    let full = generator.subschema_for::<FullForm>();
    let bare = generator.subschema_for::<Limits>();
    let map = generator.subschema_for::<MapForm>();
    let mut root = json_schema!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "perfbudget budget file",
        "anyOf": [full, bare, map],
    });
    let definitions = generator.take_definitions(true);
    root.insert("$defs".to_owned(), serde_json::Value::Object(definitions));
    let mut text = serde_json::to_string_pretty(root.as_value())?;
    text.push('\n');
    Ok(text)
}
