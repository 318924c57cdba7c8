use super::*;
use crate::quantity::Unit;

/// A row of the run: `label` measured `value` in `unit`.
fn row(label: &str, unit: Unit, value: f64) -> CheckResult {
    CheckResult { value: Some(value), ..CheckResult::blank(label, unit) }
}

fn plan_of(text: &str, rows: &[CheckResult], margin: f64) -> Result<Plan, TightenError> {
    let budget = crate::budget::parse_str(text, "perfbudget.yml", Path::new("")).unwrap();
    plan(text, &budget, budget.checks.len(), rows, margin, Path::new(""))
}

const BUDGET: &str = "\
version: 1
# The shop's budget.
defaults: { warn: 10% }
limits:
  lcp: 2.5s        # Core Web Vitals
  api_p95: \"300ms\"
  bundle_size: 150kb
budgets:
  - name: Home score
    metric: score
    min: 50        # raise it after the redesign
  - metric: cls
    max: 0.25
";

#[test]
fn far_looser_limits_come_down_to_the_worst_value_plus_the_margin_in_their_own_units() {
    let rows = [
        row("lcp", Unit::Ms, 1900.0),
        row("lcp", Unit::Ms, 1500.0),
        row("api_p95", Unit::Ms, 92.0),
        row("bundle_size", Unit::Bytes, 101_000.0),
        row("Home score", Unit::Number, 96.0),
        row("Home score", Unit::Number, 97.0),
        row("cls", Unit::Number, 0.05),
    ];
    let plan = plan_of(BUDGET, &rows, 0.10).unwrap();
    let written: Vec<(&str, &str, &str)> = plan
        .changes
        .iter()
        .map(|change| (change.label.as_str(), change.written.as_str(), change.rewritten.as_str()))
        .collect();
    // lcp: 1.9 s + 10% = 2.09 s -> 2.1 s; 2.5 s is under 2.1 s + 10% = 2.31 s? No: over, so it moves.
    assert_eq!(
        written,
        vec![
            ("lcp", "2.5s", "2.1s"),
            ("api_p95", "300ms", "110ms"),
            ("bundle_size", "150kb", "120kb"),
            ("Home score", "50", "86"),
            ("cls", "0.25", "0.055"),
        ]
    );
    assert_eq!(
        plan.text,
        "\
version: 1
# The shop's budget.
defaults: { warn: 10% }
limits:
  lcp: 2.1s        # Core Web Vitals
  api_p95: \"110ms\"
  bundle_size: 120kb
budgets:
  - name: Home score
    metric: score
    min: 86        # raise it after the redesign
  - metric: cls
    max: 0.055
"
    );
    assert_eq!(plan.notes, Vec::<String>::new());
    assert_eq!(
        describe(&plan.changes[1], 0.10),
        "api_p95 (limits.api_p95, line 6): 300 ms → 110 ms (today's worst 92 ms + 10%)"
    );
    assert_eq!(describe(&plan.changes[3], 0.10), "Home score (budgets[0], line 11): 50 → 86 (today's worst 96 − 10%)");
}

#[test]
fn limits_near_today_or_without_values_stay() {
    // 92 ms + 10% -> 110 ms; 115 ms is within 110 ms + 10%: not far looser.
    let text = "version: 1\nlimits:\n  api_p95: 115ms\n  lcp: 2.5s\n  cls: 0.1\n";
    let plan = plan_of(text, &[row("api_p95", Unit::Ms, 92.0), row("cls", Unit::Number, 0.0)], 0.10).unwrap();
    assert_eq!(plan.changes, vec![]);
    assert_eq!(plan.text, text);
    assert_eq!(
        plan.notes,
        vec![
            "lcp: nothing measured today, left as it is".to_owned(),
            "cls: today's value is 0, no margin to keep; left as it is".to_owned(),
        ]
    );
    // A worse value than the limit never loosens it.
    let plan = plan_of(text, &[row("api_p95", Unit::Ms, 200.0)], 0.10).unwrap();
    assert_eq!(plan.changes, vec![]);
}

#[test]
fn json_files_and_the_map_form_keep_their_layout() {
    let text = "{\n  \"budgets\": {\"lcp\": \"2.5s\", \"inp\": \"200ms\", \"cls\": \"0.1\", \"bundle_size\": \"150kb\", \
                \"api_p95\": \"100ms\"}\n}\n";
    let rows = [row("lcp", Unit::Ms, 1200.0), row("api_p95", Unit::Ms, 40.0), row("inp", Unit::Ms, 190.0)];
    let plan = plan_of(text, &rows, 0.10).unwrap();
    assert_eq!(
        plan.text,
        "{\n  \"budgets\": {\"lcp\": \"1.4s\", \"inp\": \"200ms\", \"cls\": \"0.1\", \"bundle_size\": \"150kb\", \
         \"api_p95\": \"44ms\"}\n}\n"
    );
}

#[test]
fn an_absolute_warn_in_the_way_is_a_note() {
    let text = "version: 1\nbudgets:\n  - metric: api_p95\n    max: 300ms\n    warn: 250ms\n";
    let plan = plan_of(text, &[row("api_p95", Unit::Ms, 92.0)], 0.10).unwrap();
    assert_eq!(plan.changes, vec![]);
    assert_eq!(
        plan.notes,
        vec!["api_p95: could be 110 ms, but its `warn: 250 ms` lies beyond that; move `warn:` first"]
    );
    // A band of a share of the limit moves with it.
    let text = "version: 1\nbudgets:\n  - metric: api_p95\n    max: 300ms\n    warn: 20%\n";
    let plan = plan_of(text, &[row("api_p95", Unit::Ms, 92.0)], 0.10).unwrap();
    assert_eq!(plan.text, "version: 1\nbudgets:\n  - metric: api_p95\n    max: 110ms\n    warn: 20%\n");
}

#[test]
fn values_that_cannot_be_rewritten_alone_refuse_the_file_at_their_line() {
    let text = "version: 1\nlimits:\n  lcp: &l 2.5s\n  fcp: *l\n";
    let error = plan_of(text, &[row("lcp", Unit::Ms, 1000.0)], 0.10).unwrap_err();
    assert_eq!(
        error.to_string(),
        "perfbudget.yml:3: `limits.lcp` (lcp) cannot be rewritten in place: it carries an anchor (`&name`): other \
         values may repeat it; the file is left as it is"
    );
    let text = "version: 1\nlimits:\n  lcp: 2.5s\n  fcp: *x\n";
    assert!(crate::budget::parse_str(text, "b", Path::new("")).is_err(), "an unknown alias does not load");
    // Only the values that would change are refused: an alias elsewhere is fine.
    let text = "version: 1\nlimits:\n  lcp: &l 2.5s\n  fcp: *l\n  api_p95: 300ms\n";
    let plan = plan_of(text, &[row("api_p95", Unit::Ms, 92.0)], 0.10).unwrap();
    assert_eq!(plan.text, "version: 1\nlimits:\n  lcp: &l 2.5s\n  fcp: *l\n  api_p95: 110ms\n");
    // A block scalar.
    let text = "version: 1\nlimits:\n  lcp: >\n    2.5s\n";
    let error = plan_of(text, &[row("lcp", Unit::Ms, 1000.0)], 0.10).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("perfbudget.yml:4: `limits.lcp` (lcp) cannot be rewritten in place: it is a block scalar"),
        "{error}"
    );
}

#[test]
fn presets_and_shared_labels_are_notes() {
    let text = "version: 1\nextends: [core-web-vitals]\nbudgets:\n  - name: API\n    metric: api_p95\n    max: 300ms\n  \
                - name: API\n    metric: api_p99\n    max: 900ms\n";
    let rows = [row("lcp", Unit::Ms, 1000.0), row("API", Unit::Ms, 50.0)];
    let plan = plan_of(text, &rows, 0.10).unwrap();
    assert_eq!(plan.changes, vec![]);
    assert!(
        plan.notes.iter().any(|note| note.starts_with("lcp: from the preset `core-web-vitals`")),
        "{:?}",
        plan.notes
    );
    assert!(plan.notes.iter().any(|note| note.starts_with("API: several budgets share this label")));
}

#[test]
fn two_significant_digits_away_from_the_value() {
    assert_eq!(round_two(101.2, Rounding::Up), 110.0);
    assert_eq!(round_two(110.0, Rounding::Up), 110.0);
    assert_eq!(round_two(2.09, Rounding::Up), 2.1);
    assert_eq!(round_two(86.4, Rounding::Down), 86.0);
    assert_eq!(decimal(110.0), "110");
    assert_eq!(decimal(2.1), "2.1");
    assert_eq!(decimal(0.055), "0.055");
    assert_eq!(decimal(1200.0), "1200");
    assert_eq!(split_written("150 kB"), ("150", " kB"));
    assert_eq!(split_written("1e3ms"), ("1e3", "ms"));
    assert_eq!(split_written("2.5s"), ("2.5", "s"));
    assert_eq!(split_written("1e-1"), ("1e-1", ""));
    assert_eq!(split_written("+1ms"), ("", "+1ms"));
}
