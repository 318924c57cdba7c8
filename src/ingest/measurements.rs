//! perfbudget's own measurements JSON: the array `perfbudget measure --format json` prints.
//! Any tool can feed the gate by writing it.

use std::path::Path;

use serde_json::value::RawValue;

use super::{Adapter, Detection, Error, Head, Located, Measurement, Options};

#[derive(Debug)]
pub struct MeasurementsJson;

impl Adapter for MeasurementsJson {
    fn detect(&self, head: &Head) -> Detection {
        let Some(rest) = head.text.strip_prefix('[') else { return Detection::No };
        let rest = rest.trim_start();
        // An array of objects that name a metric and a value, or an empty array. Other
        // arrays of objects (Lighthouse CI's assertion-results.json, manifest.json) are not
        // measurements.
        let objects = rest.starts_with('{') && rest.contains("\"metric\"") && rest.contains("\"value\"");
        Detection::from(objects, rest.starts_with(']'))
    }

    fn near_miss(&self, path: &Path, head: &Head) -> Option<String> {
        is_perfbudget_report(&head.bytes).then(|| {
            format!(
                "this is a perfbudget JSON report; give it as `--baseline {}` to compare against it",
                path.display()
            )
        })
    }

    fn read(&self, path: &Path, _options: &Options) -> Result<Vec<Measurement>, Error> {
        let text = super::read_text_document(path)?;
        Ok(parse(&text)?)
    }
}

/// Parses the array. Each element is parsed on its own, so an error carries the line and
/// column of the element it is about, not where the parser happened to stop.
pub fn parse(text: &str) -> Result<Vec<Measurement>, Located> {
    let elements: Vec<&RawValue> = serde_json::from_str(text).map_err(|error| Located::from_json(&error, 1, 1))?;
    let mut measurements = Vec::with_capacity(elements.len());
    for element in elements {
        // The element's position is only worked out for an error: it scans the text before it.
        let measurement: Measurement = serde_json::from_str(element.get()).map_err(|error| {
            let (line, column) = position_of(text, element.get());
            Located::from_json(&error, line, column)
        })?;
        if let Err(problem) = check(&measurement) {
            let (line, column) = position_of(text, element.get());
            return Err(Located { line, column, message: format!("measurement `{}`: {problem}", measurement.metric) });
        }
        measurements.push(measurement);
    }
    Ok(measurements)
}

/// Line and column (1-based) where `part`, a slice of `text`, starts.
fn position_of(text: &str, part: &str) -> (usize, usize) {
    let offset = (part.as_ptr() as usize).saturating_sub(text.as_ptr() as usize).min(text.len());
    let before = &text.as_bytes()[..offset];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let line_start = before.iter().rposition(|b| *b == b'\n').map_or(0, |at| at + 1);
    let column = String::from_utf8_lossy(&before[line_start..]).chars().count() + 1;
    (line, column)
}

/// What JSON's grammar lets through but no tool reports.
fn check(measurement: &Measurement) -> Result<(), String> {
    if measurement.source.trim().is_empty() {
        return Err("`source` is empty".into());
    }
    if measurement.metric.trim().is_empty() {
        return Err("`metric` is empty".into());
    }
    match (measurement.value, &measurement.no_data) {
        (None, None) => return Err("`value` is missing; a measurement without one needs `no_data` saying why".into()),
        (Some(_), Some(_)) => return Err("give `value` or `no_data`, not both".into()),
        _ => {}
    }
    // The same range rule as every other input's, here with the element's line and column.
    if let Some(problem) = super::validate::measurement_problem(measurement) {
        return Err(problem);
    }
    Ok(())
}

/// Whether the bytes look like perfbudget's JSON report rather than measurements, so the
/// error can say to pass it as `--baseline`.
pub fn is_perfbudget_report(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(head);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    text.starts_with('{') && text.contains("\"schema_version\"") && text.contains("perfbudget")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quantity::Unit;

    #[test]
    fn reads_the_design_examples() {
        let text = r#"[
  {"source":"k6","metric":"http_req_duration","stat":"p(95)","subject":{"name":"GET /x"},"value":123.4,"unit":"ms"},
  {"source":"lighthouse","metric":"lcp","subject":{"url":"https://shop.example/"},"value":2400,"unit":"ms"}
]"#;
        let measurements = parse(text).unwrap();
        assert_eq!(measurements.len(), 2);
        assert_eq!(measurements[0].stat.as_deref(), Some("p(95)"));
        assert_eq!(&measurements[0].subject["name"], "GET /x");
        assert_eq!(measurements[1].unit, Unit::Ms);
        assert_eq!(measurements[1].base_value(), Some(2.4e9));
    }

    #[test]
    fn sniffs_arrays_of_objects_only() {
        assert!(crate::ingest::format::claims(
            &MeasurementsJson,
            b"\xEF\xBB\xBF  [\n {\"source\":\"k6\",\"metric\":\"m\",\"value\":1"
        ));
        assert!(!crate::ingest::format::claims(
            &MeasurementsJson,
            b"[{\"name\":\"maxNumericValue\",\"expected\":2500,\"actual\":3100}]"
        ));
        assert!(crate::ingest::format::claims(&MeasurementsJson, b"[]"));
        assert!(!crate::ingest::format::claims(&MeasurementsJson, b"{\"lighthouseVersion\":"));
        assert!(!crate::ingest::format::claims(&MeasurementsJson, b"[1, 2]"));
        assert!(!crate::ingest::format::claims(&MeasurementsJson, b"test foo ... bench: 1 ns/iter"));
    }

    #[test]
    fn errors_carry_line_and_column_of_the_bad_element() {
        let text = "[\n{\"source\":\"k6\",\"metric\":\"m\",\"value\":1,\"unit\":\"ms\"},\n{\"source\":\"x\",\"metric\":\"bundle_size\",\"value\":-5,\"unit\":\"B\"}\n]";
        let err = parse(text).unwrap_err();
        assert_eq!((err.line, err.column), (3, 1));
        assert_eq!(err.message, "measurement `bundle_size`: value -5 B is impossible: a size from x is at least 0");
        let err =
            parse("[\n  {\"source\":\"k6\",\"metric\":\"m\",\n   \"value\":\"fast\",\"unit\":\"ms\"}]").unwrap_err();
        assert_eq!((err.line, err.column), (3, 17));
        assert!(err.message.starts_with("invalid type: string \"fast\", expected f64"), "{}", err.message);
        let err = parse("[{\"source\":\"k6\",\"metric\":\"m\",\"value\":1,\"unit\":\"parsec\"}]").unwrap_err();
        assert!(err.message.contains("unknown variant `parsec`"), "{}", err.message);
        let err = parse("[{\"source\":\"k6\",\"metric\":\"m\",\"value\":1e999,\"unit\":\"ms\"}]").unwrap_err();
        assert!(err.message.contains("number out of range"), "{}", err.message);
        let err = parse("[{\"source\":\"k6\",").unwrap_err();
        assert!(err.message.contains("EOF while parsing"), "{}", err.message);
    }

    #[test]
    fn negative_times_are_kept_as_k6_reports_them() {
        let text = r#"[{"source":"k6","metric":"http_req_duration","stat":"min","value":-401.45,"unit":"ms"}]"#;
        assert_eq!(parse(text).unwrap()[0].value, Some(-401.45));
    }

    #[test]
    fn no_value_needs_a_reason() {
        let text = r#"[{"source":"lighthouse","metric":"lcp","value":null,"unit":"ms","no_data":"NO_LCP"}]"#;
        let measurements = parse(text).unwrap();
        assert_eq!((measurements[0].value, measurements[0].no_data.as_deref()), (None, Some("NO_LCP")));
        let err = parse(r#"[{"source":"lighthouse","metric":"lcp","unit":"ms"}]"#).unwrap_err();
        assert_eq!(
            err.message,
            "measurement `lcp`: `value` is missing; a measurement without one needs `no_data` saying why"
        );
        let err = parse(r#"[{"source":"l","metric":"lcp","value":1,"unit":"ms","no_data":"x"}]"#).unwrap_err();
        assert_eq!(err.message, "measurement `lcp`: give `value` or `no_data`, not both");
    }

    #[test]
    fn recognises_its_own_report() {
        assert!(is_perfbudget_report(b"{\n  \"schema_version\": 1,\n  \"tool\": \"perfbudget\""));
        assert!(!is_perfbudget_report(b"[{}]"));
    }
}
