//! `tighten` on arbitrary budget text: a budget that loads, with a measured value for each
//! check made from the fuzzer's bytes, gives a plan or an error, never a panic, and a plan's
//! text loads as a budget with as many checks.
#![no_main]

use libfuzzer_sys::fuzz_target;
use perfbudget::budget::{self, tighten};
use perfbudget::model::CheckResult;
use perfbudget::quantity::Unit;

fn row(label: &str, value: f64) -> CheckResult {
    CheckResult { value: Some(value), ..CheckResult::blank(label, Unit::Number) }
}

fuzz_target!(|data: &[u8]| {
    let (share, text) = data.split_at(data.len().min(1));
    let Ok(text) = std::str::from_utf8(text) else { return };
    let base = std::path::Path::new(".");
    let Ok(loaded) = budget::parse_str(text, "fuzz.yml", base) else { return };
    // Each check measured at a share of its limit (in base units: the row's unit is a number).
    let share = f64::from(share.first().copied().unwrap_or(128)) / 256.0;
    let rows: Vec<CheckResult> = loaded
        .checks
        .iter()
        .filter_map(|check| Some(row(&check.label, check.limit?.value() * share)))
        .collect();
    if let Ok(plan) = tighten::plan(text, &loaded, loaded.checks.len(), &rows, 0.1, base) {
        let again = budget::parse_str(&plan.text, "fuzz.yml", base).expect("a plan's text loads");
        assert_eq!(again.checks.len(), loaded.checks.len());
    }
});
