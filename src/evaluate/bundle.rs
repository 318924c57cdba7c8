//! Built files in results: names without content hashes, so that a file keeps its name
//! from build to build, and each file of a summed check against the baseline.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::ingest::Measurement;
use crate::ingest::bundle::{FILE_TAG, logical_name};

/// One file of a summed `bundle_size` check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileSize {
    /// The name without its content hash; files are matched with the baseline by it.
    pub name: String,
    /// The name as built, where it differs from `name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub built: Option<String>,
    /// Bytes; `null` for a file only the baseline has (removed).
    pub value: Option<f64>,
    /// The baseline's bytes; `null` for a file the baseline lacks (added), or without a
    /// baseline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<f64>,
}

/// The name each built name is shown and compared under: without its hash, unless two
/// files would then share a name (`chunk-1a2b3c4d.js`, `chunk-5e6f7a8b.js`), which keep
/// theirs so that neither hides the other.
pub fn logical_names<'a>(built: impl Iterator<Item = &'a str>) -> HashMap<&'a str, String> {
    let mut by_logical: BTreeMap<String, Vec<&'a str>> = BTreeMap::new();
    for name in built {
        by_logical.entry(logical_name(name).into_owned()).or_default().push(name);
    }
    let mut names = HashMap::new();
    for (logical, mut built) in by_logical {
        built.sort_unstable();
        built.dedup();
        if built.len() == 1 {
            names.insert(built[0], logical);
        } else {
            names.extend(built.into_iter().map(|name| (name, name.to_owned())));
        }
    }
    names
}

/// The files of a summed check, by name, with their baseline sizes (base units) and the
/// baseline's files that are gone.
pub fn files(measurements: &[&Measurement], baseline: Option<&[(String, f64)]>) -> Vec<FileSize> {
    let built = measurements.iter().filter_map(|m| m.subject.get(FILE_TAG));
    let names = logical_names(built);
    let base: HashMap<&str, f64> =
        baseline.unwrap_or_default().iter().map(|(name, value)| (name.as_str(), *value)).collect();
    let mut files: BTreeMap<String, FileSize> = BTreeMap::new();
    for measurement in measurements {
        let Some(built) = measurement.subject.get(FILE_TAG) else { continue };
        let name = names.get(built).cloned().unwrap_or_else(|| built.to_owned());
        let file = FileSize {
            baseline: base.get(name.as_str()).copied(),
            built: (name != built).then(|| built.to_owned()),
            value: measurement.base_value(),
            name,
        };
        files.insert(file.name.clone(), file);
    }
    for (name, value) in base {
        files.entry(name.to_owned()).or_insert_with(|| FileSize {
            name: name.to_owned(),
            built: None,
            value: None,
            baseline: Some(value),
        });
    }
    files.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::Subject;
    use crate::quantity::Unit;

    fn file(name: &str, bytes: f64) -> Measurement {
        Measurement::new("bundle", "bundle_size", Some("brotli"), Subject::from([("file", name)]), bytes, Unit::Bytes)
    }

    #[test]
    fn colliding_names_keep_their_hashes() {
        let names = logical_names(["a/chunk-1a2b3c4d.js", "a/chunk-5e6f7a8b.js", "a/index-3f2a9c1b.js"].into_iter());
        assert_eq!(names["a/chunk-1a2b3c4d.js"], "a/chunk-1a2b3c4d.js");
        assert_eq!(names["a/index-3f2a9c1b.js"], "a/index.js");
    }

    #[test]
    fn files_against_the_baseline() {
        let measurements = [file("dist/index-3f2a9c1b.js", 1200.0), file("dist/new-0a1b2c3d.js", 10.0)];
        let refs: Vec<&Measurement> = measurements.iter().collect();
        let baseline = [("dist/index.js".to_owned(), 1000.0), ("dist/old.js".to_owned(), 5.0)];
        let files = files(&refs, Some(&baseline));
        let file = |name: &str, built: Option<&str>, value: Option<f64>, baseline: Option<f64>| FileSize {
            name: name.to_owned(),
            built: built.map(str::to_owned),
            value,
            baseline,
        };
        assert_eq!(
            files,
            [
                file("dist/index.js", Some("dist/index-3f2a9c1b.js"), Some(1200.0), Some(1000.0)),
                file("dist/new.js", Some("dist/new-0a1b2c3d.js"), Some(10.0), None),
                file("dist/old.js", None, None, Some(5.0)),
            ]
        );
    }
}
