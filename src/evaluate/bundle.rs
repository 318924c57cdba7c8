//! Built files in results: names without content hashes, so that a file keeps its name
//! from build to build, each file of a summed check against the baseline, and the files a
//! check of each file had in the baseline that are gone now.
//!
//! Files that share a name without their hashes (Rollup and Vite name the chunks of two
//! `index.ts` modules `index-HASH.js` both) are one file under that name, their sizes
//! summed: a hash says nothing about which of them is which from one build to the next,
//! and keeping the hashes instead would show every such file as new and its old self as
//! removed, which hides any change in them.

use std::collections::{BTreeMap, HashMap};

use crate::budget::Check;
use crate::budget::metric::Selects;
use crate::model::baseline::Baseline;
use crate::model::hashed_name::logical_name;
use crate::model::report::FileSize;
use crate::model::vocabulary::FILE_TAG;
use crate::model::{CheckResult, Measurement, Subject};
use crate::quantity::{Dimension, Unit, format_base};

use super::new_result;

/// The name each built name is shown and compared under: without its hash. Files that
/// then share a name are one file under it.
pub fn logical_names<'a>(built: impl Iterator<Item = &'a str>) -> HashMap<&'a str, String> {
    built.map(|name| (name, logical_name(name).into_owned())).collect()
}

/// `measurements` of built files grouped by the name without the hash, in name order;
/// each built name's hash is stripped once. A measurement without a file name is under "".
pub fn by_name<'a>(measurements: &[&'a Measurement]) -> BTreeMap<String, Vec<&'a Measurement>> {
    let mut groups: BTreeMap<String, Vec<&'a Measurement>> = BTreeMap::new();
    let mut names: HashMap<&str, String> = HashMap::new();
    for &measurement in measurements {
        let built = measurement.subject.get(FILE_TAG).unwrap_or_default();
        let name = names.entry(built).or_insert_with(|| logical_name(built).into_owned());
        match groups.get_mut(name.as_str()) {
            Some(group) => group.push(measurement),
            None => {
                groups.insert(name.clone(), vec![measurement]);
            }
        }
    }
    groups
}

/// How many different built files `measurements` are of.
pub fn built_count(measurements: &[&Measurement]) -> usize {
    let mut built: Vec<&str> = measurements.iter().filter_map(|m| m.subject.get(FILE_TAG)).collect();
    built.sort_unstable();
    built.dedup();
    built.len()
}

/// The files of a summed check, by name, with their baseline sizes (base units) and the
/// baseline's files that are gone.
pub fn files(measurements: &[&Measurement], baseline: Option<&[(String, f64)]>) -> Vec<FileSize> {
    let mut base: HashMap<&str, f64> = HashMap::new();
    for (name, value) in baseline.unwrap_or_default() {
        *base.entry(name.as_str()).or_default() += value;
    }
    let mut files: BTreeMap<String, FileSize> = BTreeMap::new();
    for (name, measurements) in by_name(measurements) {
        let values: Vec<f64> = measurements.iter().filter_map(|m| m.base_value()).collect();
        let mut built: Vec<String> =
            measurements.iter().filter_map(|m| m.subject.get(FILE_TAG)).map(str::to_owned).collect();
        built.sort_unstable();
        built.dedup();
        if built == [name.as_str()] {
            built.clear();
        }
        let file = FileSize {
            baseline: base.get(name.as_str()).copied(),
            built,
            value: (!values.is_empty()).then(|| values.iter().sum()),
            name: name.clone(),
        };
        files.insert(name, file);
    }
    for (name, value) in base {
        files.entry(name.to_owned()).or_insert_with(|| FileSize {
            name: name.to_owned(),
            built: Vec::new(),
            value: None,
            baseline: Some(value),
        });
    }
    files.into_values().collect()
}

/// For a `bundle_size` check of each file: a green row for every file the baseline's same
/// check had that is gone now, so a pull request shows what it removed.
pub(super) fn removed_files(
    check: &Check,
    selects: &Selects<'_>,
    rows: &[CheckResult],
    baseline: &Baseline,
) -> Vec<CheckResult> {
    let stat = check.compression.stat();
    let Some(before) = baseline.each_files(&check.label, stat) else { return Vec::new() };
    let present: std::collections::HashSet<&str> = rows.iter().filter_map(|row| row.subject.get(FILE_TAG)).collect();
    before
        .iter()
        .filter(|(name, _)| !present.contains(name.as_str()))
        .map(|(name, bytes)| {
            let mut result = new_result(check, selects, Unit::Bytes, Subject::from([(FILE_TAG, name.as_str())]));
            result.stat = Some(stat.to_owned());
            result.source = Some(crate::model::vocabulary::BUNDLE_SOURCE.to_owned());
            result.baseline = Some(*bytes);
            result.change = Some(-1.0);
            result.message =
                format!("removed since the baseline, where it was {}", format_base(Dimension::Size, *bytes));
            result
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Subject;
    use crate::quantity::Unit;

    fn file(name: &str, bytes: f64) -> Measurement {
        Measurement::new("bundle", "bundle_size", Some("brotli"), Subject::from([("file", name)]), bytes, Unit::Bytes)
    }

    fn size(name: &str, built: &[&str], value: Option<f64>, baseline: Option<f64>) -> FileSize {
        FileSize { name: name.to_owned(), built: built.iter().map(|b| (*b).to_owned()).collect(), value, baseline }
    }

    #[test]
    fn files_sharing_a_name_without_their_hashes_are_one_file() {
        let names = logical_names(["a/chunk-1a2b3c4d.js", "a/chunk-5e6f7a8b.js", "a/index.js"].into_iter());
        assert_eq!(names["a/chunk-1a2b3c4d.js"], "a/chunk.js");
        assert_eq!(names["a/chunk-5e6f7a8b.js"], "a/chunk.js");
        assert_eq!(names["a/index.js"], "a/index.js");

        let measurements =
            [file("a/chunk-1a2b3c4d.js", 30.0), file("a/chunk-5e6f7a8b.js", 12.0), file("a/chunk.js", 1.0)];
        let refs: Vec<&Measurement> = measurements.iter().collect();
        let baseline = [("a/chunk.js".to_owned(), 40.0)];
        let files = files(&refs, Some(&baseline));
        assert_eq!(
            files,
            [size("a/chunk.js", &["a/chunk-1a2b3c4d.js", "a/chunk-5e6f7a8b.js", "a/chunk.js"], Some(43.0), Some(40.0))]
        );
        assert_eq!(files[0].built_files(), 3);
        assert_eq!(built_count(&refs), 3);
    }

    /// Found by the hostile review: `a-1a2b3c4d-9f8e7d6c.js` without its hash is the built
    /// name of `a-1a2b3c4d.js`, which once kept its hash (it collided with `a-5e6f7a8b.js`)
    /// and was then overwritten in the list of files.
    #[test]
    fn a_stripped_name_equal_to_another_built_name_overwrites_nothing() {
        let measurements =
            [file("a-1a2b3c4d.js", 1.0), file("a-5e6f7a8b.js", 2.0), file("a-1a2b3c4d-9f8e7d6c.js", 4.0)];
        let refs: Vec<&Measurement> = measurements.iter().collect();
        let files = files(&refs, None);
        assert_eq!(
            files,
            [
                size("a-1a2b3c4d.js", &["a-1a2b3c4d-9f8e7d6c.js"], Some(4.0), None),
                size("a.js", &["a-1a2b3c4d.js", "a-5e6f7a8b.js"], Some(3.0), None),
            ]
        );
        assert_eq!(files.iter().map(FileSize::built_files).sum::<usize>(), 3);
    }

    #[test]
    fn files_against_the_baseline() {
        let measurements = [file("dist/index-3f2a9c1b.js", 1200.0), file("dist/new-0a1b2c3d.js", 10.0)];
        let refs: Vec<&Measurement> = measurements.iter().collect();
        let baseline = [("dist/index.js".to_owned(), 1000.0), ("dist/old.js".to_owned(), 5.0)];
        let files = files(&refs, Some(&baseline));
        assert_eq!(
            files,
            [
                size("dist/index.js", &["dist/index-3f2a9c1b.js"], Some(1200.0), Some(1000.0)),
                size("dist/new.js", &["dist/new-0a1b2c3d.js"], Some(10.0), None),
                size("dist/old.js", &[], None, Some(5.0)),
            ]
        );
        assert_eq!(files.iter().map(FileSize::built_files).collect::<Vec<_>>(), [1, 1, 0]);
    }

    /// One built name is a string, as perfbudget 0.1.0 wrote it, so its reports still
    /// serve as baselines; several are a list.
    #[test]
    fn built_names_in_json() -> serde_json::Result<()> {
        let files = [
            size("a.js", &[], Some(1.0), None),
            size("b.js", &["b-1a2b3c4d.js"], Some(2.0), None),
            size("c.js", &["c-1a2b3c4d.js", "c-5e6f7a8b.js"], Some(3.0), None),
        ];
        let text = serde_json::to_string(&files)?;
        assert_eq!(
            text,
            r#"[{"name":"a.js","value":1.0},{"name":"b.js","built":"b-1a2b3c4d.js","value":2.0},{"name":"c.js","built":["c-1a2b3c4d.js","c-5e6f7a8b.js"],"value":3.0}]"#
        );
        assert_eq!(serde_json::from_str::<Vec<FileSize>>(&text)?, files);
        Ok(())
    }
}
