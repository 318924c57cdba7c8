//! Field data shared by PageSpeed Insights and CrUX: the p75 of real Chrome users over
//! 28 days, kept apart from lab data by the subject tag `data=field`.

use super::{Measurement, Subject};
use crate::quantity::Unit;

/// A p75 field measurement.
pub(crate) fn p75(source: &str, metric: &str, subject: &Subject, value: f64, unit: Unit) -> Measurement {
    Measurement::new(source, metric, Some("p75"), subject.clone(), value, unit)
}

/// The subject of a field record: the URL or origin it covers, `data=field`, and
/// `scope=origin` when it is about the whole origin.
pub(crate) fn subject(url: &str, origin_level: bool) -> Subject {
    let mut subject = Subject::new();
    subject.insert("url".into(), url.to_owned());
    subject.insert("data".into(), "field".into());
    if origin_level {
        subject.insert("scope".into(), "origin".into());
    }
    subject
}

/// Lighthouse's form-factor names for CrUX's (`PHONE` is Lighthouse's `mobile`), so lab
/// and field rows of one page line up.
pub(crate) fn form_factor(crux: &str) -> String {
    match crux {
        "PHONE" => "mobile".to_owned(),
        other => other.to_ascii_lowercase(),
    }
}
