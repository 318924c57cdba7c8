//! The statistical regression rule on a real criterion tree: the same benchmarks run fast
//! (saved as `base`) and then with SLOW=1 (`new`), see tests/fixtures/criterion/README.md.

#![allow(clippy::unwrap_used)]

use std::path::Path;

use perfbudget::baseline::Baseline;
use perfbudget::budget;
use perfbudget::evaluate::evaluate;
use perfbudget::ingest::{self, criterion};
use perfbudget::report::json::{BudgetInfo, Report};

#[test]
fn the_slowed_benchmarks_are_red_and_the_rest_pass() {
    let tree = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/criterion/generated/tree");
    let budget =
        budget::parse_str("version: 1\nbudgets:\n  - metric: bench_time\n    regression: 5%\n", "b.yml", Path::new(""))
            .unwrap();
    let base = criterion::read_tree(&tree, "base").unwrap();
    let base_report = Report::new(evaluate(&budget, &base, None), BudgetInfo { name: None, file: "b.yml".into() });
    let baseline = Baseline::from_report(&base_report);
    let new = ingest::read_input(&tree, None).unwrap();
    let evaluation = evaluate(&budget, &new, Some(&baseline));
    let verdicts: Vec<(&str, &str, String)> = evaluation
        .checks
        .iter()
        .map(|c| (c.subject.get("id").unwrap(), c.verdict.as_str(), quantity(c.change.unwrap())))
        .collect();
    // criterion's own verdicts on this run (run2.txt): fib 30 and sizes/hash/* "regressed",
    // the rest "no change" or "within noise threshold".
    assert_eq!(
        verdicts,
        vec![
            ("fib 30", "red", "+102%".to_owned()),
            ("sizes/16", "green", "-1.4%".to_owned()),
            ("sizes/256", "green", "-0.09%".to_owned()),
            ("sizes/hash/16", "red", "+99%".to_owned()),
            ("sizes/hash/256", "red", "+191%".to_owned()),
            ("text/parse/count words", "green", "+0.03%".to_owned()),
            ("text/parse/csv:line?v2", "green", "+1.2%".to_owned()),
        ]
    );
}

fn quantity(change: f64) -> String {
    perfbudget::quantity::signed_percent(change)
}
