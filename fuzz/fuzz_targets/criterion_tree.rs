//! criterion's tree reader on arbitrary `benchmark.json`, `estimates.json`,
//! `change/estimates.json` and `sample.json`: the input is split at the first three 0xFF
//! bytes into the four files of one benchmark directory. The reader returns an error or
//! measurements, never panics; what the validating driver accepts of it is finite in base
//! units and in range. The staleness check then weighs
//! the fuzzed `sample.json` against a benchmark written an hour earlier: it never panics,
//! and it can only call the earlier one left over, never the fuzzed (latest) one.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use libfuzzer_sys::fuzz_target;
use perfbudget::ingest::Adapter;
use perfbudget::ingest::criterion::CriterionTree;
use perfbudget::ingest::validate;

/// The fuzzed tree, and a benchmark of another tree written an hour before it.
fn dirs() -> &'static (PathBuf, PathBuf) {
    static DIRS: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    DIRS.get_or_init(|| {
        let root = std::env::temp_dir().join(format!("perfbudget-fuzz-criterion-{}", std::process::id()));
        std::fs::create_dir_all(root.join("tree/fuzzed/new")).expect("temp dir");
        std::fs::create_dir_all(root.join("tree/fuzzed/change")).expect("temp dir");
        let earlier = root.join("earlier/a");
        std::fs::create_dir_all(earlier.join("new")).expect("temp dir");
        let benchmark = earlier.join("new/benchmark.json");
        std::fs::write(&benchmark, r#"{"full_id":"a","directory_name":"a","throughput":null}"#).expect("write");
        let an_hour_ago = SystemTime::now() - Duration::from_secs(3600);
        std::fs::File::options().write(true).open(&benchmark).and_then(|f| f.set_modified(an_hour_ago)).expect("mtime");
        (root.join("tree"), earlier)
    })
}

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(4, |byte| *byte == 0xFF);
    let benchmark = parts.next().unwrap_or_default();
    let estimates = parts.next().unwrap_or_default();
    let change = parts.next();
    let sample = parts.next().unwrap_or_default();
    let (root, earlier) = dirs();
    std::fs::write(root.join("fuzzed/new/benchmark.json"), benchmark).expect("write");
    std::fs::write(root.join("fuzzed/new/estimates.json"), estimates).expect("write");
    std::fs::write(root.join("fuzzed/new/sample.json"), sample).expect("write");
    let change_file = root.join("fuzzed/change/estimates.json");
    match change {
        Some(change) => std::fs::write(&change_file, change).expect("write"),
        None => {
            let _ = std::fs::remove_file(&change_file);
        }
    }
    // What the validating driver accepts is finite in its base unit and in its metric's
    // physical range.
    if let Ok(found) = perfbudget::ingest::criterion::read_tree(root, "new")
        && let Ok(accepted) = perfbudget::ingest::validated(root, found)
    {
        for measurement in &accepted {
            for value in [measurement.value, measurement.lower, measurement.upper].into_iter().flatten() {
                assert!(measurement.unit.to_base(value).is_finite(), "{measurement:?}");
                let range = validate::range(&measurement.source, &measurement.metric, measurement.unit);
                assert!(range.min <= value && value <= range.max, "{value} outside {range:?}: {measurement:?}");
            }
        }
    }
    let fuzzed = root.join("fuzzed");
    if let Some((stale, warning)) = CriterionTree.stale_folders(&[fuzzed, earlier.clone()]) {
        assert_eq!(&stale, std::slice::from_ref(earlier), "{warning}");
    }
});
