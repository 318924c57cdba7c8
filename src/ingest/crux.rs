//! Chrome UX Report API `records:queryRecord` responses: the p75 of real Chrome users over
//! 28 days, for a URL or an origin, one form factor or all. CLS's p75 is a string
//! (`"0.02"`); the other p75s are numbers.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::{Adapter, Detection, Error, Head, Located, Measurement, Options, field};
use crate::quantity::Unit;

#[derive(Debug)]
pub struct Crux;

impl Adapter for Crux {
    fn detect(&self, head: &Head) -> Detection {
        let Some(text) = head.object() else { return Detection::No };
        Detection::from(text.contains("\"record\"") && text.contains("\"key\""), is_api_error(text))
    }

    fn read(&self, path: &Path, _options: &Options) -> Result<Vec<Measurement>, Error> {
        let bytes = super::read_document(path)?;
        parse(&bytes)
    }
}

/// A Google API error body: `{"error": {"code", "message", "status"}}`, or the same
/// fields at the top (CrUX's quota errors).
fn is_api_error(text: &str) -> bool {
    text.contains("\"code\"") && text.contains("\"message\"") && text.contains("\"status\"")
}

#[derive(Deserialize)]
struct Response {
    record: Option<Record>,
    error: Option<ApiError>,
    code: Option<u16>,
    message: Option<String>,
    status: Option<String>,
}

#[derive(Deserialize)]
struct ApiError {
    code: u16,
    message: String,
    status: Option<String>,
}

#[derive(Deserialize)]
struct Record {
    key: Key,
    metrics: BTreeMap<String, Metric>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Key {
    url: Option<String>,
    origin: Option<String>,
    form_factor: Option<String>,
    effective_connection_type: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Metric {
    percentiles: Option<Percentiles>,
    /// Only in History API responses.
    percentiles_timeseries: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
struct Percentiles {
    p75: Option<serde_json::Value>,
}

/// CrUX's metric names, perfbudget's, and their units.
const METRICS: &[(&str, &str, Unit)] = &[
    ("largest_contentful_paint", "lcp", Unit::Ms),
    ("interaction_to_next_paint", "inp", Unit::Ms),
    ("cumulative_layout_shift", "cls", Unit::Number),
    ("first_contentful_paint", "fcp", Unit::Ms),
    ("experimental_time_to_first_byte", "ttfb", Unit::Ms),
];

pub fn parse(bytes: &[u8]) -> Result<Vec<Measurement>, Error> {
    let response: Response =
        serde_json::from_slice(bytes).map_err(|error| Error::At(Located::from_json(&error, 1, 1)))?;
    let api_error = response.error.map(|e| (e.code, e.message, e.status)).or(match (response.code, response.message) {
        (Some(code), Some(message)) => Some((code, message, response.status)),
        _ => None,
    });
    if let Some((code, message, status)) = api_error {
        let hint = match code {
            404 => ": CrUX has no data for this key; query the origin, or mark field budgets `optional: true`",
            400 | 403 => ": check the API key and the request",
            429 => ": the API quota ran out; retry later",
            _ => "",
        };
        return Err(Error::Refused(format!(
            "the CrUX API answered {code} {}: {message}{hint}; an error response cannot pass the gate",
            status.unwrap_or_default()
        )));
    }
    let Some(record) = response.record else {
        return Err(Error::Refused("no `record` in this CrUX response".into()));
    };
    if record.metrics.values().any(|m| m.percentiles_timeseries.is_some()) {
        return Err(Error::Refused(
            "this is a CrUX History API response; perfbudget reads records:queryRecord responses".into(),
        ));
    }
    let (url, origin_level) = match (&record.key.url, &record.key.origin) {
        (Some(url), _) => (url.as_str(), false),
        (None, Some(origin)) => (origin.as_str(), true),
        (None, None) => return Err(Error::Refused("the record's key has neither `url` nor `origin`".into())),
    };
    let mut subject = field::subject(url, origin_level);
    if let Some(form_factor) = &record.key.form_factor {
        subject.insert("form_factor".into(), field::form_factor(form_factor));
    }
    if let Some(connection) = &record.key.effective_connection_type {
        subject.insert("connection".into(), connection.clone());
    }
    let mut measurements = Vec::new();
    for (name, metric, unit) in METRICS {
        let Some(p75) = record.metrics.get(*name).and_then(|m| m.percentiles.as_ref()).and_then(|p| p.p75.as_ref())
        else {
            continue;
        };
        let value = match p75 {
            serde_json::Value::Number(number) => number.as_f64(),
            serde_json::Value::String(text) => text.trim().parse::<f64>().ok(),
            _ => None,
        }
        .filter(|value| value.is_finite() && *value >= 0.0);
        let Some(value) = value else {
            return Err(Error::Refused(format!("{name} p75 {p75} is not a number")));
        };
        measurements.push(field::p75("crux", metric, &subject, value, *unit));
    }
    Ok(measurements)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lighthouse").join(name)).unwrap()
    }

    fn rows(measurements: &[Measurement]) -> Vec<(&str, Option<f64>)> {
        measurements.iter().map(|m| (m.metric.as_str(), m.value)).collect()
    }

    #[test]
    fn url_record_with_cls_as_a_string() {
        let measurements = parse(&fixture("crux-record-url-200.json")).unwrap();
        assert_eq!(
            rows(&measurements),
            vec![
                ("lcp", Some(895.0)),
                ("inp", Some(50.0)),
                ("cls", Some(0.02)),
                ("fcp", Some(809.0)),
                ("ttfb", Some(550.0))
            ]
        );
        let subject = &measurements[0].subject;
        assert_eq!(subject.get("url"), Some("https://github.com/marketplace"));
        assert_eq!(subject.get("form_factor"), Some("desktop"));
        assert_eq!(subject.get("connection"), Some("4G"));
        assert_eq!(subject.get("data"), Some("field"));
        assert_eq!(measurements[0].stat.as_deref(), Some("p75"));
    }

    #[test]
    fn origin_record_on_phones_is_mobile() {
        let measurements = parse(&fixture("crux-record-origin-200.json")).unwrap();
        let inp = measurements.iter().find(|m| m.metric == "inp").unwrap();
        assert_eq!(inp.value, Some(272.0));
        assert_eq!(
            crate::ingest::describe_subject(&inp.subject),
            "https://github.com (data=field, form_factor=mobile, scope=origin)"
        );
    }

    #[test]
    fn api_errors_and_history_responses_are_refused() {
        for (file, expected) in [
            (
                "crux-error-404-not-found.json",
                "the CrUX API answered 404 NOT_FOUND: chrome ux report data not found: CrUX has no data",
            ),
            ("crux-error-400-invalid-key.json", "the CrUX API answered 400 INVALID_ARGUMENT: API key not valid"),
            ("crux-error-429-quota.json", "the CrUX API answered 429 RESOURCE_EXHAUSTED: Quota exceeded"),
            ("crux-history-url-200.json", "this is a CrUX History API response"),
        ] {
            assert!(crate::ingest::format::claims(&Crux, &fixture(file)), "{file}");
            match parse(&fixture(file)) {
                Err(Error::Refused(message)) => assert!(message.starts_with(expected), "{file}: {message}"),
                other => panic!("{file}: {other:?}"),
            }
        }
    }
}
