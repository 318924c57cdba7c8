//! The JSON report (`--json FILE`), `schema_version: 1`. It is also the next run's
//! `--baseline`, so it round-trips through serde. Every field is documented in the README.

pub use crate::model::report::{BudgetInfo, Counts, Report, SCHEMA_VERSION};

/// Pretty JSON with a trailing newline. Field order is fixed by the types, so the same
/// evaluation always gives the same bytes. Safe to print in a CI log
/// ([`super::escape::json`]): reports get `cat`.
pub fn render(report: &Report) -> Result<String, super::RenderError> {
    super::pretty_json(report, "JSON report")
}

/// The merged report (`merge --json`): every job's report whole, under its key, with the
/// missing jobs; the same escaping as [`render`].
pub fn render_merged(merged: &crate::model::merged::Merged) -> Result<String, super::RenderError> {
    super::pretty_json(merged, "merged JSON report")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loosened_rows_say_what_loosened_and_round_trip() {
        let report = crate::report::sample::loosened_report();
        let text = render(&report).unwrap();
        insta::assert_snapshot!(text);
        let back: Report = serde_json::from_str(&text).unwrap();
        assert_eq!(back, report);
        assert!(text.contains(
            "\"loosened\": {\n        \"what\": \"max\",\n        \"from\": 300.0,\n        \"to\": 400.0\n"
        ));
        // The report is the next run's baseline: its loosening rows are not budgets of it.
        let baseline = crate::model::baseline::Baseline::from_report(&back);
        let labels: Vec<&str> = baseline.budgets().unwrap().iter().map(|b| b.label.as_str()).collect();
        assert_eq!(labels, ["api_p95", "Checkout LCP", "bench_time id=parse/*"]);
    }

    #[test]
    fn renders_the_documented_shape_and_round_trips() {
        let report = crate::report::sample::report();
        let text = render(&report).unwrap();
        insta::assert_snapshot!(text);
        let back: Report = serde_json::from_str(&text).unwrap();
        assert_eq!(back, report);
        // The hostile subject is data: escaped by JSON, never a raw control character.
        assert!(text.contains(r#""url": "https://x.example/a|b `tick` <!-- hide @someone [x](https://evil.example)\n::error::forged %0A \u001b[31mred"#));
        assert!(!text.contains('\u{1b}'));
        assert!(text.lines().all(|line| !line.trim_start().starts_with("::")));
        assert!(!text.contains("##["));
    }
}
