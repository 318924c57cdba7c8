//! A baseline: the values of an earlier run's report (usually the base branch's), looked
//! up by what was measured, not by budget name, so renaming a budget keeps its history.

use std::collections::HashMap;

use crate::model::report::Report;
use crate::model::subject::Subject;

#[derive(Debug, Clone, Default)]
pub struct Baseline {
    /// key -> value in its dimension's base unit.
    values: HashMap<String, BaselineValue>,
    /// key -> the files of a summed bundle check: name (without hash) and bytes.
    files: HashMap<String, Vec<(String, f64)>>,
    /// (budget label, compression) -> the files of a bundle check of each file, with their
    /// bytes: what a pull request removed is found by the check that listed it.
    each_files: HashMap<(String, String), Vec<(String, f64)>>,
}

/// A baseline value and, where the report kept it, its 95% interval; base units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BaselineValue {
    pub value: f64,
    pub interval: Option<(f64, f64)>,
}

impl Baseline {
    pub fn from_report(report: &Report) -> Baseline {
        let files = report
            .checks
            .iter()
            .filter(|c| !c.files.is_empty())
            .map(|c| {
                let sizes = c.files.iter().filter_map(|f| Some((f.name.clone(), f.value?))).collect();
                (series_key(&c.source_metric, c.stat.as_deref(), &c.subject), sizes)
            })
            .collect();
        let mut each_files: HashMap<(String, String), Vec<(String, f64)>> = HashMap::new();
        for c in
            report.checks.iter().filter(|c| c.metric == crate::model::vocabulary::BUNDLE_METRIC && c.files.is_empty())
        {
            if let (Some(file), Some(stat), Some(value)) =
                (c.subject.get(crate::model::vocabulary::FILE_TAG), &c.stat, c.value)
            {
                each_files
                    .entry((c.budget.clone(), stat.clone()))
                    .or_default()
                    .push((file.to_owned(), c.unit.to_base(value)));
            }
        }
        let values = report
            .checks
            .iter()
            .filter_map(|c| {
                Some(entry(&c.source_metric, c.stat.as_deref(), &c.subject, c.unit, c.value?, c.lower.zip(c.upper)))
            })
            .collect();
        Baseline { values, files, each_files }
    }

    /// A baseline from measurements read directly, such as a saved criterion baseline
    /// (`--criterion-baseline`).
    pub fn from_measurements(measurements: &[crate::model::Measurement]) -> Baseline {
        let values = measurements
            .iter()
            .filter_map(|m| {
                Some(entry(&m.metric, m.stat.as_deref(), &m.subject, m.unit, m.value?, m.lower.zip(m.upper)))
            })
            .collect();
        Baseline { values, files: HashMap::new(), each_files: HashMap::new() }
    }

    /// Adds another baseline's values; `other` wins where both have one.
    pub fn extend(&mut self, other: Baseline) {
        self.values.extend(other.values);
        self.files.extend(other.files);
        self.each_files.extend(other.each_files);
    }

    /// The files a bundle check of each file (by its label) listed in the baseline.
    pub fn each_files(&self, label: &str, stat: &str) -> Option<&[(String, f64)]> {
        self.each_files.get(&(label.to_owned(), stat.to_owned())).map(Vec::as_slice)
    }

    /// The files of a summed bundle check in the baseline, with their bytes.
    pub fn files(&self, metric: &str, stat: Option<&str>, subject: &Subject) -> Option<&[(String, f64)]> {
        self.files.get(&series_key(metric, stat, subject)).map(Vec::as_slice)
    }

    /// The baseline value (base unit) for a measured metric, stat and subject.
    pub fn get(&self, metric: &str, stat: Option<&str>, subject: &Subject) -> Option<BaselineValue> {
        self.values.get(&series_key(metric, stat, subject)).copied()
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// One baseline entry, converted to base units.
fn entry(
    metric: &str,
    stat: Option<&str>,
    subject: &Subject,
    unit: crate::quantity::Unit,
    value: f64,
    interval: Option<(f64, f64)>,
) -> (String, BaselineValue) {
    let base = |value: f64| unit.to_base(value);
    let value =
        BaselineValue { value: base(value), interval: interval.map(|(lower, upper)| (base(lower), base(upper))) };
    (series_key(metric, stat, subject), value)
}

/// The key of a measured series: joins the parts with the ASCII unit and record
/// separators, which metric names, stats and tags do not contain.
pub(crate) fn series_key(metric: &str, stat: Option<&str>, subject: &Subject) -> String {
    let mut key = format!("{metric}\u{1f}{}", stat.unwrap_or(""));
    for (tag, value) in subject.iter() {
        key.push('\u{1e}');
        key.push_str(tag);
        key.push('\u{1f}');
        key.push_str(value);
    }
    key
}
