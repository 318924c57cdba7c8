//! Lighthouse reports (LHR JSON, Lighthouse 8 through 13) and user-flow results
//! (`{"steps": [{"name", "lhr"}]}`).
//!
//! Values are the audits' `numericValue` in their `numericUnit`, never the localised
//! `displayValue`. Only the audits perfbudget uses are deserialized; serde skips the rest
//! of a half-megabyte report without building it.

use std::path::Path;

use serde::Deserialize;

use super::{Adapter, Detection, Error, Head, Located, Measurement, Options, Subject};
use crate::quantity::Unit;

#[derive(Debug)]
pub struct Lighthouse;

impl Adapter for Lighthouse {
    fn detect(&self, head: &Head) -> Detection {
        // A PageSpeed Insights response wraps a report in `lighthouseResult` beside its
        // field data: it is another format.
        let report = head.object().is_some_and(|text| {
            text.contains("\"lighthouseVersion\"")
                && !text.contains("\"lighthouseResult\"")
                && !text.contains("\"loadingExperience\"")
        });
        Detection::from(report, false)
    }

    fn near_miss(&self, _path: &Path, head: &Head) -> Option<String> {
        is_html_report(&head.bytes).then(|| {
            "this is Lighthouse's HTML report; perfbudget reads its JSON: run Lighthouse with `--output=json` \
             (or `--output=json --output=html` for both), or give the `lhr-*.json` files of `.lighthouseci/`"
                .to_owned()
        })
    }

    fn read(&self, path: &Path, _options: &Options) -> Result<Vec<Measurement>, Error> {
        let bytes = super::read_document(path)?;
        parse(&bytes)
    }
}

/// Reads a report or a user flow.
pub fn parse(bytes: &[u8]) -> Result<Vec<Measurement>, Error> {
    let json = |error: serde_json::Error| Error::At(Located::from_json(&error, 1, 1));
    if is_flow(bytes) {
        let flow: Flow = serde_json::from_slice(bytes).map_err(json)?;
        let mut measurements = Vec::new();
        for step in flow.steps {
            measurements.extend(measurements_of(&step.lhr, Some(&step.name))?);
        }
        Ok(measurements)
    } else {
        let lhr: Lhr = serde_json::from_slice(bytes).map_err(json)?;
        measurements_of(&lhr, None)
    }
}

/// A user flow starts with `"steps"`; a report with `"lighthouseVersion"`.
fn is_flow(bytes: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
    match (head.find("\"steps\""), head.find("\"lighthouseVersion\"")) {
        (Some(steps), Some(version)) => steps < version,
        (Some(_), None) => true,
        _ => false,
    }
}

#[derive(Deserialize)]
struct Flow {
    steps: Vec<Step>,
}

#[derive(Deserialize)]
struct Step {
    name: String,
    lhr: Lhr,
}

/// A Lighthouse report, as far as perfbudget reads it (also inside PageSpeed Insights).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Lhr {
    lighthouse_version: String,
    requested_url: Option<String>,
    final_url: Option<String>,
    final_displayed_url: Option<String>,
    gather_mode: Option<String>,
    runtime_error: Option<RuntimeError>,
    config_settings: Option<ConfigSettings>,
    audits: Audits,
    categories: Option<Categories>,
}

#[derive(Deserialize)]
struct RuntimeError {
    code: String,
    message: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConfigSettings {
    form_factor: Option<String>,
    /// Lighthouse 8 and PageSpeed Insights' older reports.
    emulated_form_factor: Option<String>,
}

/// The audits perfbudget reads, by their ids.
#[derive(Deserialize)]
struct Audits {
    #[serde(rename = "largest-contentful-paint")]
    lcp: Option<Audit>,
    #[serde(rename = "first-contentful-paint")]
    fcp: Option<Audit>,
    #[serde(rename = "total-blocking-time")]
    tbt: Option<Audit>,
    #[serde(rename = "cumulative-layout-shift")]
    cls: Option<Audit>,
    #[serde(rename = "speed-index")]
    speed_index: Option<Audit>,
    /// Removed from the score in Lighthouse 10 but still reported.
    #[serde(rename = "interactive")]
    tti: Option<Audit>,
    #[serde(rename = "server-response-time")]
    ttfb: Option<Audit>,
    /// Lighthouse 11+; timespan steps of user flows only.
    #[serde(rename = "interaction-to-next-paint")]
    inp: Option<Audit>,
    /// The same audit's name in Lighthouse 9 and 10.
    #[serde(rename = "experimental-interaction-to-next-paint")]
    experimental_inp: Option<Audit>,
    #[serde(rename = "total-byte-weight")]
    total_byte_weight: Option<Audit>,
    #[serde(rename = "resource-summary")]
    resource_summary: Option<ResourceSummary>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Audit {
    score_display_mode: Option<String>,
    numeric_value: Option<f64>,
    numeric_unit: Option<String>,
    error_message: Option<String>,
}

#[derive(Deserialize)]
struct ResourceSummary {
    details: Option<ResourceDetails>,
}

#[derive(Deserialize)]
struct ResourceDetails {
    #[serde(default)]
    items: Vec<ResourceItem>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ResourceItem {
    resource_type: String,
    transfer_size: Option<f64>,
    /// Lighthouse CI prefers `size` where a report has it.
    size: Option<f64>,
}

#[derive(Deserialize)]
struct Categories {
    performance: Option<Category>,
}

#[derive(Deserialize)]
struct Category {
    score: Option<f64>,
}

pub(crate) fn measurements_of(lhr: &Lhr, step: Option<&str>) -> Result<Vec<Measurement>, Error> {
    let url = page_url(lhr);
    if let Some(error) = &lhr.runtime_error {
        return Err(Error::Refused(format!(
            "Lighthouse could not test {} ({}: {}); a failed run cannot pass the gate",
            url.unwrap_or("the page"),
            error.code,
            error.message
        )));
    }
    let Some(url) = url else {
        return Err(Error::Refused("the report names no URL (no finalDisplayedUrl, finalUrl or requestedUrl)".into()));
    };
    let major = lhr.lighthouse_version.split('.').next().unwrap_or_default();
    if major.parse::<u32>().is_err() {
        return Err(Error::Refused(format!("`lighthouseVersion` {:?} is not a version", lhr.lighthouse_version)));
    }
    let mut subject = Subject::new();
    subject.insert("url".into(), url.to_owned());
    subject.insert("data".into(), "lab".into());
    // Runs of different Lighthouse majors differ on the same page: never one subject.
    subject.insert("lighthouse".into(), major.to_owned());
    if let Some(form_factor) = lhr.form_factor() {
        subject.insert("form_factor".into(), form_factor.to_owned());
    }
    if let Some(step) = step {
        subject.insert("step".into(), step.to_owned());
    }

    let mut measurements = Vec::new();
    let mut push = |metric: &str, value: Result<f64, String>, unit: Unit| {
        let mut measurement = Measurement::new("lighthouse", metric, None, subject.clone(), 0.0, unit);
        if let Err(reason) = &value {
            measurement.no_data = Some(reason.clone());
        }
        measurement.value = value.ok();
        measurements.push(measurement);
    };
    let audits = &lhr.audits;
    let inp = audits.inp.as_ref().or(audits.experimental_inp.as_ref());
    let metrics = [
        ("lcp", audits.lcp.as_ref(), Unit::Ms),
        ("fcp", audits.fcp.as_ref(), Unit::Ms),
        ("tbt", audits.tbt.as_ref(), Unit::Ms),
        ("cls", audits.cls.as_ref(), Unit::Number),
        ("speed_index", audits.speed_index.as_ref(), Unit::Ms),
        ("tti", audits.tti.as_ref(), Unit::Ms),
        ("ttfb", audits.ttfb.as_ref(), Unit::Ms),
        ("inp", inp, Unit::Ms),
        ("page_weight", audits.total_byte_weight.as_ref(), Unit::Bytes),
    ];
    for (metric, audit, expected) in metrics {
        if let Some((value, unit)) = audit.and_then(|audit| audit.value(expected)) {
            push(metric, value, unit);
        }
    }
    // Timespan and snapshot scores are not comparable to navigation scores.
    let navigation = lhr.gather_mode.as_deref().is_none_or(|mode| mode == "navigation");
    if navigation
        && let Some(score) = lhr.categories.as_ref().and_then(|c| c.performance.as_ref()).and_then(|p| p.score)
    {
        // Lighthouse's own 0-100 display scale; rounding drops the float noise of ×100.
        push("score", Ok((score * 100.0 * 1e9).round() / 1e9), Unit::Number);
    }
    let items = audits.resource_summary.as_ref().and_then(|r| r.details.as_ref()).map(|d| d.items.as_slice());
    for item in items.unwrap_or_default() {
        let Some(bytes) = item.size.or(item.transfer_size) else { continue };
        if let Some(metric) = crate::model::vocabulary::PAGE_WEIGHT_METRICS
            .iter()
            .find(|name| name.strip_prefix("page_weight.") == Some(item.resource_type.as_str()))
        {
            push(metric, Ok(bytes), Unit::Bytes);
        }
    }
    Ok(measurements)
}

/// `finalDisplayedUrl` (10+), else `finalUrl`, else `requestedUrl`; an error page's
/// `chrome-error://` URL gives way to the requested one.
fn page_url(lhr: &Lhr) -> Option<&str> {
    [&lhr.final_displayed_url, &lhr.final_url, &lhr.requested_url]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .find(|url| !url.starts_with("chrome-error://"))
        .or(lhr.requested_url.as_deref())
}

impl Audit {
    /// The audit's value and unit, or why it has none (an `error` or `notApplicable`
    /// audit, or one without a `numericValue`), in Lighthouse's words. `None` for a unit
    /// perfbudget does not know.
    fn value(&self, expected: Unit) -> Option<(Result<f64, String>, Unit)> {
        let unit = match self.numeric_unit.as_deref() {
            Some("millisecond") => Unit::Ms,
            Some("second") => Unit::S,
            Some("byte") => Unit::Bytes,
            Some("unitless") => Unit::Number,
            // Errored audits often carry no unit: the metric's usual one stands in.
            None => expected,
            Some(_) => return None,
        };
        let mode = self.score_display_mode.as_deref().unwrap_or("");
        let value = match self.numeric_value.filter(|value| value.is_finite()) {
            Some(value) if !matches!(mode, "error" | "notApplicable") => Ok(value),
            _ => Err(match (&self.error_message, mode) {
                (Some(message), _) => format!("Lighthouse's audit errored: {message}"),
                (None, "notApplicable") => "Lighthouse marked the audit not applicable".to_owned(),
                (None, _) => format!("Lighthouse's audit has no numericValue (scoreDisplayMode {mode:?})"),
            }),
        };
        Some((value, unit))
    }
}

impl Lhr {
    /// `configSettings.formFactor` (or the older `emulatedFormFactor`).
    pub(crate) fn form_factor(&self) -> Option<&str> {
        let settings = self.config_settings.as_ref()?;
        settings.form_factor.as_deref().or(settings.emulated_form_factor.as_deref())
    }
}

/// Whether a file is Lighthouse's HTML report, so the error can say how to get JSON.
pub fn is_html_report(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(head).to_ascii_lowercase();
    text.trim_start().starts_with("<!doctype html") && text.contains("lighthouse")
}

#[cfg(test)]
mod tests;
