//! criterion's tree reader on arbitrary `benchmark.json` and `estimates.json` (and a
//! `change/estimates.json`): the input is split at the first two 0xFF bytes into the three
//! files of one benchmark directory. The reader returns an error or measurements, never
//! panics; what it returns is finite.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

fn tree() -> &'static PathBuf {
    static TREE: OnceLock<PathBuf> = OnceLock::new();
    TREE.get_or_init(|| {
        let root = std::env::temp_dir().join(format!("perfbudget-fuzz-criterion-{}", std::process::id()));
        std::fs::create_dir_all(root.join("fuzzed/new")).expect("temp dir");
        std::fs::create_dir_all(root.join("fuzzed/change")).expect("temp dir");
        root
    })
}

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(3, |byte| *byte == 0xFF);
    let benchmark = parts.next().unwrap_or_default();
    let estimates = parts.next().unwrap_or_default();
    let change = parts.next();
    let root = tree();
    std::fs::write(root.join("fuzzed/new/benchmark.json"), benchmark).expect("write");
    std::fs::write(root.join("fuzzed/new/estimates.json"), estimates).expect("write");
    let change_file = root.join("fuzzed/change/estimates.json");
    match change {
        Some(change) => std::fs::write(&change_file, change).expect("write"),
        None => {
            let _ = std::fs::remove_file(&change_file);
        }
    }
    if let Ok(found) = perfbudget::ingest::criterion::read_tree(root, "new") {
        for measurement in &found {
            for value in [measurement.value, measurement.lower, measurement.upper].into_iter().flatten() {
                assert!(value.is_finite(), "{measurement:?}");
            }
        }
    }
});
