//! The budget parser (YAML and JSON, one parser) on arbitrary text: an error or a budget,
//! never a panic; a budget that loads has only finite limits.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(budget) = perfbudget::budget::parse_str(text, "fuzz.yml", std::path::Path::new(".")) {
        for check in &budget.checks {
            if let Some(limit) = check.limit {
                assert!(limit.value().is_finite(), "{limit:?}");
            }
        }
    }
});
