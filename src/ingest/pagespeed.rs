//! PageSpeed Insights API v5 responses (`runPagespeed`): the lab `lighthouseResult` and
//! the field `loadingExperience` (the URL) and `originLoadingExperience` (its origin).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::lighthouse::{self, Lhr};
use super::{Adapter, Detection, Error, Head, Located, Measurement, Options, field};
use crate::quantity::Unit;

#[derive(Debug)]
pub struct PageSpeed;

impl Adapter for PageSpeed {
    fn detect(&self, head: &Head) -> Detection {
        let response = head.object().is_some_and(|text| {
            text.contains("\"loadingExperience\"")
                || text.contains("\"lighthouseResult\"")
                || text.contains("pagespeedonline#result")
        });
        Detection::from(response, false)
    }

    fn read(&self, path: &Path, _options: &Options) -> Result<Vec<Measurement>, Error> {
        let bytes = super::read_document(path)?;
        parse(&bytes)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Response {
    loading_experience: Option<LoadingExperience>,
    origin_loading_experience: Option<LoadingExperience>,
    lighthouse_result: Option<Lhr>,
}

#[derive(Deserialize)]
struct LoadingExperience {
    id: Option<String>,
    initial_url: Option<String>,
    /// The URL has too little data and the numbers are its origin's.
    #[serde(default)]
    origin_fallback: bool,
    #[serde(default)]
    metrics: BTreeMap<String, FieldMetric>,
}

#[derive(Deserialize)]
struct FieldMetric {
    percentile: Option<f64>,
}

/// PSI's field metric keys, perfbudget's names, units, and the factor that undoes PSI's
/// scaling: CLS comes ×100 (`percentile: 8` is a CLS of 0.08).
const FIELD_METRICS: &[(&str, &str, Unit, f64)] = &[
    ("LARGEST_CONTENTFUL_PAINT_MS", "lcp", Unit::Ms, 1.0),
    ("INTERACTION_TO_NEXT_PAINT", "inp", Unit::Ms, 1.0),
    ("EXPERIMENTAL_INTERACTION_TO_NEXT_PAINT", "inp", Unit::Ms, 1.0),
    ("CUMULATIVE_LAYOUT_SHIFT_SCORE", "cls", Unit::Number, 0.01),
    ("FIRST_CONTENTFUL_PAINT_MS", "fcp", Unit::Ms, 1.0),
    ("EXPERIMENTAL_TIME_TO_FIRST_BYTE", "ttfb", Unit::Ms, 1.0),
];

pub fn parse(bytes: &[u8]) -> Result<Vec<Measurement>, Error> {
    let response: Response =
        serde_json::from_slice(bytes).map_err(|error| Error::At(Located::from_json(&error, 1, 1)))?;
    if response.lighthouse_result.is_none()
        && response.loading_experience.is_none()
        && response.origin_loading_experience.is_none()
    {
        // Any JSON object deserialises to an empty response: say what is missing instead.
        return Err(Error::Refused(
            "not a PageSpeed Insights response: it has no `lighthouseResult`, `loadingExperience` or `originLoadingExperience`"
                .into(),
        ));
    }
    let form_factor = response.lighthouse_result.as_ref().and_then(Lhr::form_factor).map(str::to_owned);
    let mut measurements = Vec::new();
    if let Some(lhr) = &response.lighthouse_result {
        measurements.extend(lighthouse::measurements_of(lhr, None)?);
    }
    for (experience, origin_level) in
        [(&response.loading_experience, false), (&response.origin_loading_experience, true)]
    {
        let Some(experience) = experience else { continue };
        let Some(url) = experience.id.as_deref().or(experience.initial_url.as_deref()) else { continue };
        let mut subject = field::subject(url, origin_level || experience.origin_fallback);
        if let Some(form_factor) = &form_factor {
            subject.insert("form_factor".into(), form_factor.clone());
        }
        if experience.metrics.is_empty() {
            if !origin_level {
                // Too few Chrome users for CrUX: say so instead of matching nothing.
                for (metric, unit) in [("lcp", Unit::Ms), ("inp", Unit::Ms), ("cls", Unit::Number)] {
                    let mut no_data = field::p75("pagespeed", metric, &subject, 0.0, unit);
                    no_data.value = None;
                    no_data.no_data = Some(
                        "PageSpeed Insights has no field data for this URL: the Chrome UX Report has too few of its visits"
                            .into(),
                    );
                    measurements.push(no_data);
                }
            }
            continue;
        }
        for (key, metric, unit, factor) in FIELD_METRICS {
            let Some(percentile) = experience.metrics.get(*key).and_then(|m| m.percentile) else { continue };
            if !percentile.is_finite() || percentile < 0.0 {
                return Err(Error::Refused(format!("{key} percentile {percentile} is not a measurement")));
            }
            measurements.push(field::p75("pagespeed", metric, &subject, percentile * factor, *unit));
        }
    }
    Ok(measurements)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lighthouse").join(name)).unwrap()
    }

    fn rows(measurements: &[Measurement]) -> Vec<(String, String, Option<f64>)> {
        measurements.iter().map(|m| (m.metric.clone(), crate::ingest::describe_subject(&m.subject), m.value)).collect()
    }

    #[test]
    fn real_field_data_of_a_url_and_its_origin() {
        let measurements = parse(&fixture("psi-loadingExperience-2019-bbc.json")).unwrap();
        // 2019's response had FID (not a metric here) and FCP.
        assert_eq!(
            rows(&measurements),
            vec![
                ("fcp".to_owned(), "https://www.bbc.com/news (data=field)".to_owned(), Some(2443.0)),
                ("fcp".to_owned(), "https://www.bbc.com (data=field, scope=origin)".to_owned(), Some(3125.0)),
            ]
        );
        assert_eq!(measurements[0].stat.as_deref(), Some("p75"));
        assert_eq!(measurements[0].source, "pagespeed");
    }

    #[test]
    fn a_url_without_field_data_says_so() {
        let measurements = parse(&fixture("psi-loadingExperience-not-in-crux.json")).unwrap();
        assert_eq!(measurements.len(), 3);
        assert!(measurements.iter().all(|m| m.value.is_none() && m.subject.get("url") == Some("https://example.com/")));
        assert!(measurements[0].no_data.as_deref().unwrap().starts_with("PageSpeed Insights has no field data"));
    }

    #[test]
    fn lab_and_field_of_one_response_stay_apart() {
        // A whole response assembled from two real parts: PSI's lighthouseResult (2021) and
        // the BBC's loadingExperience (2019).
        let lab = String::from_utf8(fixture("psi-lighthouseResult-v8.0.0-dkdev.json")).unwrap();
        let field = String::from_utf8(fixture("psi-loadingExperience-2019-bbc.json")).unwrap();
        let field = field.trim().trim_start_matches('{').trim_end_matches('}');
        let response = format!("{{\"kind\": \"pagespeedonline#result\", \"lighthouseResult\": {lab}, {field}}}");
        assert!(crate::ingest::format::claims(&PageSpeed, response.as_bytes()));
        let measurements = parse(response.as_bytes()).unwrap();
        let lab_tti = measurements.iter().find(|m| m.metric == "tti").unwrap();
        assert_eq!((lab_tti.value, lab_tti.subject.get("data")), (Some(3927.0), Some("lab")));
        let field_fcp: Vec<&Measurement> =
            measurements.iter().filter(|m| m.subject.get("data") == Some("field")).collect();
        assert_eq!(field_fcp.len(), 2);
        assert_eq!(field_fcp[0].subject.get("form_factor"), Some("mobile"), "from the lab run's settings");
    }

    #[test]
    fn cls_percentile_is_scaled_back() {
        // PSI writes a CLS of 0.14 as `percentile: 14` (the API's documented scale).
        let text = br#"{"loadingExperience":{"id":"https://a/","metrics":{"CUMULATIVE_LAYOUT_SHIFT_SCORE":{"percentile":14,"category":"AVERAGE"},"LARGEST_CONTENTFUL_PAINT_MS":{"percentile":3610,"category":"AVERAGE"}}}}"#;
        let measurements = parse(text).unwrap();
        assert_eq!(rows(&measurements)[0], ("lcp".to_owned(), "https://a/ (data=field)".to_owned(), Some(3610.0)));
        assert_eq!(rows(&measurements)[1], ("cls".to_owned(), "https://a/ (data=field)".to_owned(), Some(0.14)));
    }
}
