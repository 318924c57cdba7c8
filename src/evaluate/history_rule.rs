//! A regression judged against the base branch's history (`check --history`), README
//! "Regressions and history":
//!
//! * Deterministic values — sizes, or a series whose recorded values never moved — compare
//!   exactly with one base run: the one at the merge-base commit when the history has it,
//!   else the newest. Any worsening beyond `regression:` is red. (Bencher's statistical
//!   tests find no limit in a series without spread, so such a series never alerts there.)
//! * Noisy values with at least [`MIN_NOISE_RUNS`] runs of the same environment: on the
//!   logarithms of the last [`WINDOW`] of them, a one-sided Student-t prediction limit at
//!   [`ALPHA`] (Bessel's s, the √(1 + 1/n) of a prediction rather than of a mean) around
//!   the geometric mean. Red only beyond the limit *and* beyond `regression:`; yellow when
//!   one holds; green otherwise. A value with its own 95% interval (criterion) counts as
//!   beyond the limit only when its whole interval is: the history's spread holds the noise
//!   between runs, the interval the noise within this one, and a red needs both to agree.
//! * Fewer runs: the single-baseline rule against the newest base run, saying so.

use crate::budget::metric::Direction;
use crate::model::Verdict;
use crate::model::baseline::BaselineValue;
use crate::model::history::{History, HistoryPoint};
use crate::model::report::{HistoryEvidence, HistoryRule};
use crate::quantity::percent;

use super::judge::{Sample, judge_regression};

/// The noise rule's one-sided level: the chance that a value of the same distribution as
/// the history falls beyond the limit.
pub const ALPHA: f64 = 0.01;
/// The fewest same-environment runs the noise rule works from.
pub const MIN_NOISE_RUNS: usize = 8;
/// The most runs it works from: the newest, so that old code does not set today's noise.
pub const WINDOW: usize = 30;
/// The fewest runs at a new level (after a change point) before it is the typical value.
pub const MIN_LEVEL_RUNS: usize = 5;

/// What the history says about one check's value.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Judged {
    pub verdict: Verdict,
    pub message: String,
    /// The value the change is relative to (base units): the base run's, or the typical.
    pub baseline: Option<f64>,
    pub evidence: Option<HistoryEvidence>,
}

/// How a check's value is to be compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// Sizes: the same code gives the same value.
    Deterministic,
    /// Times, scores, rates: the same code gives values that scatter.
    Noisy,
}

/// One check's value and what its budget allows.
pub(super) struct Question<'a> {
    /// How the value is named in sentences.
    pub what: &'a str,
    /// The value, base units.
    pub current: Sample,
    /// The allowed worsening, a fraction.
    pub allowed: f64,
    pub direction: Direction,
    pub kind: Kind,
    /// The verdict when the history holds no run of the branch (`missing_baseline:`).
    pub missing: Verdict,
    /// Formats a base-unit value for sentences.
    pub show: &'a dyn Fn(f64) -> String,
}

/// Judges the question's value against the history's `points` of its series (newest
/// first).
pub(super) fn judge(question: &Question<'_>, history: &History, points: &[HistoryPoint]) -> Judged {
    let Question { what, current, allowed, direction, kind, missing, show } = *question;
    let branch = &history.branch;
    let Some(newest) = points.first() else {
        let message = if history.runs == 0 {
            format!("{what}: no baseline: the history holds no run of {branch}")
        } else {
            format!("{what} is new: no recorded run of {branch} measured it")
        };
        let verdict = if history.runs == 0 { missing } else { Verdict::Green };
        return Judged { verdict, message, baseline: None, evidence: None };
    };
    // One run says nothing about whether a series moves.
    let never_moved = points.len() >= 2 && points.iter().all(|point| point.value == newest.value);
    if kind == Kind::Deterministic || never_moved {
        let base = history
            .merge_base
            .as_deref()
            .and_then(|merge_base| points.iter().find(|point| point.commit.as_deref() == Some(merge_base)))
            .unwrap_or(newest);
        let at = describe_run(base, branch, history.merge_base.as_deref());
        let why = if kind == Kind::Deterministic { "exact" } else { "exact: its recorded values never moved" };
        return single(question, base, HistoryRule::Exact, 1, &format!("{why}, {at}"));
    }
    let window: Vec<&HistoryPoint> = points.iter().filter(|point| point.same_environment).take(WINDOW).collect();
    if window.len() < MIN_NOISE_RUNS {
        let base = window.first().copied().unwrap_or(newest);
        let note = format!(
            "history too short for the noise rule: {} same-environment runs of {branch}, it needs {MIN_NOISE_RUNS}; \
             {}",
            window.len(),
            describe_run(base, branch, None)
        );
        return single(question, base, HistoryRule::Single, window.len(), &note);
    }
    // Oldest first, split where the level changed: the typical value is the newest level's,
    // the noise is pooled over every level.
    let values: Vec<f64> = window.iter().rev().map(|point| point.value).collect();
    let found: Vec<usize> = crate::stats::change_points::change_points(&values, &Default::default())
        .iter()
        .map(|point| point.index)
        .collect();
    // A level of fewer than MIN_LEVEL_RUNS runs may be a real shift that landed on the base
    // branch, or a shared runner's load that comes and goes: judged against the new level
    // alone, a return of the load cries wolf; against the old one, every change after a
    // landed slowdown does. Until the level has its runs, the more lenient of the two limits
    // holds, so neither is called red.
    let mut settled = found.clone();
    while settled.last().is_some_and(|start| values.len() - start < MIN_LEVEL_RUNS) {
        settled.pop();
    }
    let upper = direction == Direction::LowerIsBetter;
    // Both splits, the more lenient limit first (the larger for an upper limit).
    let mut chosen: Vec<(&Vec<usize>, crate::stats::LogPrediction)> = [&found, &settled]
        .into_iter()
        .filter_map(|starts| Some((starts, crate::stats::log_prediction(&values, starts, ALPHA, upper)?)))
        .collect();
    chosen.sort_by(|(_, a), (_, b)| if upper { b.limit.total_cmp(&a.limit) } else { a.limit.total_cmp(&b.limit) });
    let chosen = chosen.into_iter().next();
    let Some((starts, prediction)) = chosen else {
        let note = format!("the noise rule needs values above 0; {}", describe_run(newest, branch, None));
        return single(question, newest, HistoryRule::Single, window.len(), &note);
    };
    let n = prediction.n;
    let current_level = prediction.current;
    let typical = prediction.typical;
    let limit = prediction.limit;
    // The end of the value's own interval nearest the typical value: beyond the limit
    // only when the whole interval is.
    let nearest = match (current.interval, upper) {
        (Some((lower, _)), true) => lower,
        (Some((_, higher)), false) => higher,
        (None, _) => current.value,
    };
    let beyond_limit = if upper { nearest > limit } else { nearest < limit };
    let change = current.value / typical - 1.0;
    let worse = if upper { change } else { -change };
    let beyond_allowed = worse > allowed;
    let worse_word = if upper { "worse" } else { "lower" };
    let better_word = if upper { "better" } else { "higher" };
    let runs = match starts.last() {
        None => format!("the last {n} runs of {branch}"),
        Some(start) => {
            let first = window[values.len() - 1 - start];
            let at = first.commit.as_deref().map_or_else(|| "a run".to_owned(), |c| c.chars().take(7).collect());
            let level = &values[*start..];
            let before = &values[..*start];
            let change = crate::stats::mean(level).zip(crate::stats::mean(before)).map_or(0.0, |(a, b)| a / b - 1.0);
            format!(
                "the {current_level} runs of {branch} since its change point at {at} ({}; noise from the last {n})",
                crate::quantity::signed_percent(change)
            )
        }
    };
    let evidence = format!("n = {n}, α = {ALPHA}");
    let interval_note = if current.interval.is_some() { " (its whole 95% interval)" } else { "" };
    let (verdict, message) = match (beyond_limit, beyond_allowed) {
        (true, true) => (
            Verdict::Red,
            format!(
                "{what} {} is {} {worse_word} than the typical {} of {runs}, beyond their prediction limit {}{interval_note} \
                 ({evidence}; allowed: {})",
                show(current.value),
                percent(worse),
                show(typical),
                show(limit),
                percent(allowed)
            ),
        ),
        (true, false) => (
            Verdict::Yellow,
            format!(
                "{what} {} is beyond the prediction limit {} of {runs}{interval_note} (typical {}, {evidence}): a real \
                 change, {} {worse_word}, within the allowed {}",
                show(current.value),
                show(limit),
                show(typical),
                percent(worse.max(0.0)),
                percent(allowed)
            ),
        ),
        (false, true) => (
            Verdict::Yellow,
            format!(
                "inconclusive: re-run: {what} {} is {} {worse_word} than the typical {} of {runs} (allowed: {}), but \
                 within their noise: the prediction limit is {} ({evidence})",
                show(current.value),
                percent(worse),
                show(typical),
                percent(allowed),
                show(limit)
            ),
        ),
        (false, false) if worse == 0.0 => (
            Verdict::Green,
            format!(
                "{what} {} is the same as the typical value of {runs}, within their noise (limit {}) and the allowed {}",
                show(current.value),
                show(limit),
                percent(allowed)
            ),
        ),
        (false, false) => {
            let (amount, word) = if worse > 0.0 { (worse, worse_word) } else { (-worse, better_word) };
            (
                Verdict::Green,
                format!(
                    "{what} is {} {word} than the typical {} of {runs}, within their noise (limit {}) and the allowed {}",
                    percent(amount),
                    show(typical),
                    show(limit),
                    percent(allowed)
                ),
            )
        }
    };
    Judged {
        verdict,
        message,
        baseline: Some(typical),
        evidence: Some(HistoryEvidence {
            rule: HistoryRule::Noise,
            runs: n,
            typical: Some(typical),
            limit: Some(limit),
            alpha: Some(ALPHA),
            commit: None,
        }),
    }
}

/// The single-baseline rule against one base run, with a note of why it was chosen.
fn single(question: &Question<'_>, base: &HistoryPoint, rule: HistoryRule, runs: usize, note: &str) -> Judged {
    let Question { what, current, allowed, direction, show, .. } = *question;
    let baseline = BaselineValue { value: base.value, interval: base.interval };
    let (verdict, message) = judge_regression(what, current, true, Some(baseline), allowed, direction, show);
    Judged {
        verdict,
        message: format!("{message} ({note})"),
        baseline: Some(base.value),
        evidence: Some(HistoryEvidence {
            rule,
            runs,
            typical: None,
            limit: None,
            alpha: None,
            commit: base.commit.clone(),
        }),
    }
}

/// Which base run a comparison used: `main at 1a2b3c4 (the merge-base)`.
fn describe_run(point: &HistoryPoint, branch: &str, merge_base: Option<&str>) -> String {
    let Some(commit) = point.commit.as_deref() else {
        return format!("against the newest run of {branch}");
    };
    let short: String = commit.chars().take(7).collect();
    if merge_base == Some(commit) {
        format!("against {branch} at {short}, the merge-base")
    } else if let Some(merge_base) = merge_base {
        let wanted: String = merge_base.chars().take(7).collect();
        format!("against {branch} at {short}, the newest run: the merge-base {wanted} is not in the history")
    } else {
        format!("against {branch} at {short}")
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::evaluate::{Against, evaluate_against};
    use crate::model::{Evaluation, Measurement, Subject};

    const SAMPLES: [f64; 10] = [100.0, 102.0, 98.0, 101.0, 99.0, 100.0, 103.0, 97.0, 100.0, 100.0];

    fn history_of(metric: &str, stat: Option<&str>, values: &[f64], environment: bool) -> History {
        let mut history = History::new("main".to_owned(), values.len(), None);
        for (index, value) in values.iter().enumerate() {
            let point = HistoryPoint {
                value: *value,
                interval: None,
                commit: Some(format!("{index:07}abcdef")),
                same_environment: environment,
            };
            history.push(metric, stat, &Subject::default(), point);
        }
        history
    }

    /// A `bench_time` of `ms` (base units are ns) judged with a 10% allowance.
    fn bench(ms: f64, interval: Option<(f64, f64)>, history: &History) -> Evaluation {
        let budget = crate::budget::parse_str(
            "version: 1\nbudgets:\n  - metric: bench_time\n    regression: 10%\n",
            "perfbudget.yml",
            Path::new(""),
        )
        .unwrap();
        let measurement = Measurement {
            lower: interval.map(|(lower, _)| lower),
            upper: interval.map(|(_, upper)| upper),
            ..Measurement::new(
                "criterion",
                "bench_time",
                Some("typical"),
                Subject::default(),
                ms,
                crate::quantity::Unit::Ms,
            )
        };
        evaluate_against(&budget, &[measurement], Against::History(history)).unwrap()
    }

    fn ns(values: &[f64]) -> Vec<f64> {
        values.iter().map(|ms| ms * 1e6).collect()
    }

    fn verdict(evaluation: &Evaluation) -> (Verdict, &str) {
        (evaluation.checks[0].verdict, evaluation.checks[0].message.as_str())
    }

    #[test]
    fn every_branch_of_the_noise_rule() {
        let steady = history_of("bench_time", Some("typical"), &ns(&SAMPLES), true);
        let cases = [
            (
                150.0,
                Verdict::Red,
                "Bench time 150 ms is 50% worse than the typical 99.99 ms of the last 10 runs of main, beyond their \
                 prediction limit 105.3 ms (n = 10, α = 0.01; allowed: 10%)",
            ),
            (
                107.0,
                Verdict::Yellow,
                "Bench time 107 ms is beyond the prediction limit 105.3 ms of the last 10 runs of main (typical 99.99 \
                 ms, n = 10, α = 0.01): a real change, 7% worse, within the allowed 10%",
            ),
            (
                104.0,
                Verdict::Green,
                "Bench time is 4% worse than the typical 99.99 ms of the last 10 runs of main, within their noise \
                 (limit 105.3 ms) and the allowed 10%",
            ),
            (
                90.0,
                Verdict::Green,
                "Bench time is 10% better than the typical 99.99 ms of the last 10 runs of main, within their noise \
                 (limit 105.3 ms) and the allowed 10%",
            ),
        ];
        for (ms, expected, message) in cases {
            let evaluation = bench(ms, None, &steady);
            assert_eq!(verdict(&evaluation), (expected, message), "{ms} ms");
            let evidence = evaluation.checks[0].history.clone().unwrap();
            assert_eq!((evidence.rule, evidence.runs, evidence.alpha), (HistoryRule::Noise, 10, Some(ALPHA)));
            assert_eq!(evaluation.checks[0].baseline, evidence.typical, "the change is against the typical value");
        }
        let scattered = [80.0, 120.0, 90.0, 110.0, 100.0, 130.0, 70.0, 100.0, 95.0, 105.0];
        let noisy = history_of("bench_time", Some("typical"), &ns(&scattered), true);
        let evaluation = bench(125.0, None, &noisy);
        assert_eq!(
            verdict(&evaluation),
            (
                Verdict::Yellow,
                "inconclusive: re-run: Bench time 125 ms is 27% worse than the typical 98.53 ms of the last 10 runs \
                 of main (allowed: 10%), but within their noise: the prediction limit is 169.4 ms (n = 10, α = 0.01)"
            )
        );
        let summary = evaluation.history.unwrap();
        assert_eq!((summary.branch.as_str(), summary.runs, summary.noisy_checks), ("main", 10, 1));
        assert_eq!(summary.expected_false_alarms(), 0.01);
    }

    #[test]
    fn after_a_change_point_the_typical_value_is_the_new_levels_and_the_noise_is_pooled() {
        // Newest first: runs at about 120 ms after runs at about 100 ms (a slowdown that
        // landed on main): today's value is judged against the 120s, with the noise of both.
        let level = |base: f64, count: u32| (0..count).map(move |index| base + f64::from(index % 3) - 1.0);
        let shifted: Vec<f64> = level(120.0, 12).chain(level(100.0, 20)).collect();
        let history = history_of("bench_time", Some("typical"), &ns(&shifted), true);
        assert_eq!(
            verdict(&bench(121.0, None, &history)),
            (
                Verdict::Green,
                "Bench time is 0.84% worse than the typical 120 ms of the 12 runs of main since its change point at \
                 0000011 (+20%; noise from the last 30), within their noise (limit 122.5 ms) and the allowed 10%"
            )
        );
        // Three runs at the new level are enough: the noise comes from all of them.
        let recent: Vec<f64> = level(120.0, 3).chain(level(100.0, 20)).collect();
        let history = history_of("bench_time", Some("typical"), &ns(&recent), true);
        assert_eq!(
            verdict(&bench(150.0, None, &history)),
            (
                Verdict::Red,
                "Bench time 150 ms is 25% worse than the typical 120 ms of the 3 runs of main since its change point at \
                 0000002 (+20%; noise from the last 23), beyond their prediction limit 122.9 ms (n = 23, α = 0.01; \
                 allowed: 10%)"
            )
        );
    }

    #[test]
    fn a_level_of_a_few_runs_calls_neither_its_return_nor_its_continuation_red() {
        let level = |base: f64, count: u32| (0..count).map(move |index| base + f64::from(index % 3) - 1.0);
        // A shared runner's load dipped for the two newest runs: a run back at 100 ms is not red.
        let dip: Vec<f64> = level(80.0, 2).chain(level(100.0, 20)).collect();
        let history = history_of("bench_time", Some("typical"), &ns(&dip), true);
        assert_ne!(
            verdict(&bench(100.0, None, &history)).0,
            Verdict::Red,
            "{:?}",
            verdict(&bench(100.0, None, &history))
        );
        // A slowdown landed on main three runs ago: a change as slow as main is not red either.
        let landed: Vec<f64> = level(120.0, 3).chain(level(100.0, 20)).collect();
        let history = history_of("bench_time", Some("typical"), &ns(&landed), true);
        assert_ne!(
            verdict(&bench(121.0, None, &history)).0,
            Verdict::Red,
            "{:?}",
            verdict(&bench(121.0, None, &history))
        );
        // One recorded run is too few to call a series unmoving: the single-baseline rule says so.
        let one = history_of("bench_time", Some("typical"), &ns(&[100.0]), true);
        let single = bench(100.0, None, &one);
        assert_eq!(single.checks[0].history.as_ref().unwrap().rule, HistoryRule::Single);
        assert!(
            verdict(&single).1.contains("history too short for the noise rule: 1 same-environment runs"),
            "{:?}",
            verdict(&single)
        );
    }

    #[test]
    fn an_interval_counts_as_beyond_the_limit_only_when_all_of_it_is() {
        let steady = history_of("bench_time", Some("typical"), &ns(&SAMPLES), true);
        let straddling = bench(112.0, Some((104.0, 120.0)), &steady);
        assert_eq!(
            verdict(&straddling),
            (
                Verdict::Yellow,
                "inconclusive: re-run: Bench time 112 ms is 12% worse than the typical 99.99 ms of the last 10 runs \
                 of main (allowed: 10%), but within their noise: the prediction limit is 105.3 ms (n = 10, α = 0.01)"
            )
        );
        let apart = bench(112.0, Some((108.0, 116.0)), &steady);
        assert_eq!(
            verdict(&apart),
            (
                Verdict::Red,
                "Bench time 112 ms is 12% worse than the typical 99.99 ms of the last 10 runs of main, beyond their \
                 prediction limit 105.3 ms (its whole 95% interval) (n = 10, α = 0.01; allowed: 10%)"
            )
        );
    }

    #[test]
    fn a_series_that_never_moved_compares_exactly_and_any_growth_past_the_allowance_is_red() {
        let flat = history_of("bench_time", Some("typical"), &ns(&[100.0; 12]), true);
        let evaluation = bench(111.0, None, &flat);
        assert_eq!(
            verdict(&evaluation),
            (
                Verdict::Red,
                "Bench time 111 ms is 11% worse than the baseline 100 ms (allowed: 10%) (exact: its recorded values \
                 never moved, against main at 0000000)"
            )
        );
        assert_eq!(evaluation.checks[0].history.as_ref().unwrap().rule, HistoryRule::Exact);
        assert_eq!(evaluation.history.unwrap().noisy_checks, 0);
    }

    #[test]
    fn sizes_compare_with_the_merge_base_run_or_say_which_run_they_used() {
        let budget = crate::budget::parse_str(
            "version: 1\nbudgets:\n  - metric: page_weight\n    regression: 1%\n",
            "perfbudget.yml",
            Path::new(""),
        )
        .unwrap();
        let weight = Measurement::new(
            "lighthouse",
            "page_weight",
            None,
            Subject::default(),
            10_200.0,
            crate::quantity::Unit::Bytes,
        );
        let mut history = history_of("page_weight", None, &[10_000.0, 10_150.0, 9_000.0], true);
        let judge = |history: &History| {
            let evaluation =
                evaluate_against(&budget, std::slice::from_ref(&weight), Against::History(history)).unwrap();
            verdict(&evaluation).1.to_owned()
        };
        assert_eq!(
            judge(&history),
            "Page weight 10.2 kB is 2% worse than the baseline 10 kB (allowed: 1%) (exact, against main at 0000000)"
        );
        history.merge_base = Some("0000001abcdef".to_owned());
        assert_eq!(
            judge(&history),
            "Page weight is 0.49% worse than the baseline 10.15 kB, within the allowed 1% (exact, against main at \
             0000001, the merge-base)"
        );
        history.merge_base = Some("fedcba9".to_owned());
        assert_eq!(
            judge(&history),
            "Page weight 10.2 kB is 2% worse than the baseline 10 kB (allowed: 1%) (exact, against main at 0000000, \
             the newest run: the merge-base fedcba9 is not in the history)"
        );
    }

    #[test]
    fn few_runs_fall_back_to_the_newest_run_and_no_runs_say_no_baseline() {
        let short = history_of("bench_time", Some("typical"), &ns(&SAMPLES[..5]), true);
        assert_eq!(
            verdict(&bench(115.0, None, &short)),
            (
                Verdict::Red,
                "Bench time 115 ms is 15% worse than the baseline 100 ms (allowed: 10%) (history too short for the \
                 noise rule: 5 same-environment runs of main, it needs 8; against main at 0000000)"
            )
        );
        let elsewhere = history_of("bench_time", Some("typical"), &ns(&SAMPLES), false);
        assert!(verdict(&bench(115.0, None, &elsewhere)).1.contains("0 same-environment runs of main, it needs 8"));
        let empty = History::new("main".to_owned(), 0, None);
        assert_eq!(
            verdict(&bench(115.0, None, &empty)),
            (Verdict::Yellow, "Bench time: no baseline: the history holds no run of main")
        );
        let other = history_of("lcp", None, &[1.0], true);
        assert_eq!(
            verdict(&bench(115.0, None, &other)),
            (Verdict::Green, "Bench time is new: no recorded run of main measured it")
        );
    }
}
