//! One number an input reported: what every format's adapter produces and every later
//! stage reads.

use serde::{Deserialize, Serialize};

use crate::model::subject::Subject;
use crate::quantity::Unit;

/// One number an input reported, in the unit the source tool reports it in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Measurement {
    /// The tool the number came from: `lighthouse`, `k6`, `criterion`, `bundle`, or any
    /// name a tool writing this format chooses.
    pub source: String,
    /// The metric name in the source's terms (`lcp`, `http_req_duration`, `bench_time`).
    pub metric: String,
    /// Which statistic of the metric (`p(95)`, `avg`, `rate`, `brotli`), where it has several.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stat: Option<String>,
    /// What was measured.
    #[serde(default)]
    pub subject: Subject,
    /// The number, in `unit`; `null` when the tool ran but produced none (then `no_data`
    /// says why).
    pub value: Option<f64>,
    pub unit: Unit,
    /// Why there is no value, in the tool's words (an errored Lighthouse audit's message).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_data: Option<String>,
    /// Lower bound of the 95% confidence interval, in `unit`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lower: Option<f64>,
    /// Upper bound of the 95% confidence interval, in `unit`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upper: Option<f64>,
    /// How many samples the value summarises.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub samples: Option<u64>,
    /// The file the number was read from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// Raw samples (a k6 stream) from which `evaluate` computes the statistic a budget asks
    /// for; never written out.
    #[serde(skip)]
    #[schemars(skip)]
    pub distribution: Option<std::sync::Arc<crate::model::distribution::Distribution>>,
}

/// Tags that name a subject on their own; shown bare, the other tags follow in brackets.
const NAMING_TAGS: &[&str] = &["url", "id", "file", "files", "entry", crate::model::vocabulary::NAME_TAG];

/// A subject as one line: `https://shop.example/ (form_factor=mobile)`,
/// `GET /api/users (status=200)`, `expected_response=true`; `all` for the untagged whole
/// (k6's metric over every request).
pub fn describe_subject(subject: &Subject) -> String {
    if subject.is_empty() {
        return "all".to_owned();
    }
    let naming = NAMING_TAGS.iter().find_map(|tag| subject.get(tag).map(|value| (*tag, value)));
    let rest: Vec<String> = subject
        .iter()
        .filter(|(tag, _)| Some(*tag) != naming.map(|(name, _)| name))
        .map(|(tag, value)| format!("{tag}={value}"))
        .collect();
    match (naming, rest.is_empty()) {
        (Some((_, value)), true) => value.to_owned(),
        (Some((_, value)), false) => format!("{value} ({})", rest.join(", ")),
        (None, _) => rest.join(", "),
    }
}

impl Measurement {
    /// A measurement with a value and nothing optional; adapters add the rest.
    pub fn new(
        source: &str,
        metric: &str,
        stat: Option<&str>,
        subject: Subject,
        value: f64,
        unit: Unit,
    ) -> Measurement {
        Measurement {
            source: source.to_owned(),
            metric: metric.to_owned(),
            stat: stat.map(str::to_owned),
            subject,
            value: Some(value),
            unit,
            no_data: None,
            lower: None,
            upper: None,
            samples: None,
            origin: None,
            distribution: None,
        }
    }

    /// The same with its 95% interval.
    pub fn with_interval(mut self, lower: f64, upper: f64) -> Measurement {
        self.lower = Some(lower);
        self.upper = Some(upper);
        self
    }

    /// The value in its dimension's base unit (ns, bytes, ...), for comparisons.
    pub fn base_value(&self) -> Option<f64> {
        self.value.map(|value| self.unit.to_base(value))
    }
}
