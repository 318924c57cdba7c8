//! The budget parser (YAML and JSON, one parser) on arbitrary text: an error or a budget,
//! never a panic. A budget that loads holds only numbers that are finite in base units
//! (after the unit's factor: `1e300s` is infinite in nanoseconds), and only globs within
//! the glob limits, each of which compiles and matches without a panic. The same text as
//! one quantity of every dimension is an error or a finite base value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use perfbudget::budget::units::{self, RawQuantity};
use perfbudget::budget::{self, MAX_GLOB_BYTES};
use perfbudget::quantity::Dimension;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let quantity = RawQuantity::Text(text.to_owned());
    for dimension in [Dimension::Time, Dimension::Size, Dimension::Ratio, Dimension::Rate, Dimension::Number] {
        if let Ok(base) = units::parse(&quantity, dimension, "fuzz") {
            assert!(base.is_finite(), "{text:?} as {dimension:?}: {base}");
        }
    }
    if let Ok(budget) = budget::parse_str(text, "fuzz.yml", std::path::Path::new(".")) {
        for check in &budget.checks {
            if let Some(limit) = check.limit {
                assert!(limit.value().is_finite(), "{limit:?}");
            }
            if let Some(warn) = check.warn {
                assert!(warn.threshold.is_finite(), "{warn:?}");
            }
            if let Some(regression) = check.regression {
                assert!(regression.is_finite(), "{regression}");
            }
            for selector in &check.selectors {
                for pattern in selector.include.iter().chain(&selector.exclude) {
                    assert!(pattern.text.len() <= MAX_GLOB_BYTES, "{} bytes", pattern.text.len());
                    // Compiles the glob on first use: within the limits it never panics.
                    pattern.is_match("dist/assets/index.js");
                }
            }
        }
    }
});
