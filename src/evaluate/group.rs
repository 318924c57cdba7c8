//! A check's measurements gathered by subject: one group per result row.

use std::collections::BTreeMap;

use crate::budget::Check;
use crate::budget::metric::{Metric, Selects};
use crate::model::vocabulary::{FILE_TAG, REPORT_TAG, SUITE_TAG};
use crate::model::{Measurement, Subject};

use super::bundle;

/// The position of the measurement's stat in the accepted list (lower is preferred), or
/// `None` when the stat is not one this check reads.
pub(super) fn stat_rank(selects: &Selects<'_>, measurement: &Measurement) -> Option<usize> {
    selects.stats.rank(measurement.stat.as_deref())
}

/// Whether the check sums what it selects into one row: `test_time` and `test_count`
/// unless `each: true`.
pub(super) fn sums_tests(check: &Check) -> bool {
    matches!(check.metric, Metric::TestTime | Metric::TestCount) && !check.each
}

/// One subject's measurements (several when runs repeat), with the subject they describe.
pub(super) struct Group<'a> {
    pub(super) subject: Subject,
    pub(super) measurements: Vec<&'a Measurement>,
}

pub(super) fn group_by_subject<'a>(
    check: &Check,
    selects: &Selects<'_>,
    matched: Vec<&'a Measurement>,
) -> Vec<Group<'a>> {
    if check.metric == Metric::BundleSize && !check.each {
        // size-limit's model: the matched files are summed into one number.
        let subject = match &check.entry {
            Some(entry) => Subject::from([("entry", entry.entry.as_str())]),
            None => {
                let files =
                    check.selectors.iter().find(|s| s.tag == FILE_TAG).map(ToString::to_string).unwrap_or_default();
                Subject::from([("files", files.trim_start_matches("file="))])
            }
        };
        return vec![Group { subject, measurements: matched }];
    }
    if sums_tests(check) {
        // A budget on tests is on their total: the selected suites' times (or the reports')
        // add up, as "the API tests take under 10 s" means.
        let selected = |tag: &str| check.selectors.iter().find(|s| s.tag == tag);
        let subject = match selected(SUITE_TAG).or_else(|| selected(REPORT_TAG)) {
            Some(selector) => {
                let glob = selector.to_string();
                let glob = glob.split_once('=').map_or(glob.as_str(), |(_, glob)| glob);
                Subject::from([(selector.tag.as_str(), glob)])
            }
            None => Subject::from([("reports", "all")]),
        };
        return vec![Group { subject, measurements: matched }];
    }
    if check.metric == Metric::BundleSize {
        // A file is shown, and found in the baseline, by its name without a content hash;
        // files that share that name are one row, their sizes summed.
        return bundle::by_name(&matched)
            .into_iter()
            .map(|(name, measurements)| Group { subject: Subject::from([(FILE_TAG, name.as_str())]), measurements })
            .collect();
    }
    let mut groups: BTreeMap<&Subject, Vec<&'a Measurement>> = BTreeMap::new();
    for measurement in matched {
        groups.entry(&measurement.subject).or_default().push(measurement);
    }
    groups
        .into_iter()
        .map(|(subject, mut measurements)| {
            // Where a subject has several accepted stats (k6's `med` and `p(50)`), read the
            // preferred one only.
            let best = measurements.iter().filter_map(|m| stat_rank(selects, m)).min().unwrap_or(0);
            measurements.retain(|m| stat_rank(selects, m) == Some(best));
            Group { subject: subject.clone(), measurements }
        })
        .collect()
}
