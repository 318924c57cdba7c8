//! `perfbudget history`: record a report as a run, show the series, export, import and
//! prune; and, for `check --history`, the base branch's runs as `evaluate`'s plain data.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use wildmatch::WildMatch;

use super::{DEFAULT_BUDGET_FILES, Outcome, write};
use crate::baseline::Baseline;
use crate::budget::metric::{Metric, Stats};
use crate::cli::{HistoryCommand, HistoryFileArgs, MeasureFormat, ShowArgs};
use crate::history::store::SeriesValues;
use crate::history::{Store, environment, jsonl, provenance, record};
use crate::model::history::History;
use crate::model::report::Environment;
use crate::report;

/// Reads an environment variable of this process.
pub(super) fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

pub(super) fn run(command: &HistoryCommand, cwd: &Path) -> anyhow::Result<Outcome> {
    match command {
        HistoryCommand::Record(args) => {
            let path = history_file(&args.file, cwd)?;
            let report = crate::baseline::read_report(&args.report)?;
            crate::baseline::check_values(&report)
                .map_err(|problem| anyhow::anyhow!("{}: {problem}", args.report.display()))?;
            let given =
                provenance::Given { commit: args.commit.clone(), branch: args.branch.clone(), time: args.time.clone() };
            let provenance = provenance::resolve(given, &env_var, cwd, jiff::Timestamp::now())?;
            // Recorded where it was measured: the CI job that ran `check` records its report.
            let environment = environment::detect(&env_var);
            let run = record::from_report(&report, provenance, environment);
            let mut store = Store::open_for_writing(&path)?;
            store.record(&run)?;
            let commit = run.commit.as_deref().map(short).unwrap_or_else(|| "no commit".to_owned());
            Ok(Outcome {
                stdout: format!(
                    "recorded {} measurements of {} ({commit}) in {}\n",
                    run.measurements.len(),
                    report::escape::terminal(&run.branch),
                    path.display()
                ),
                ..Outcome::default()
            })
        }
        HistoryCommand::Show(args) => show(args, cwd),
        HistoryCommand::Export(args) => {
            let path = history_file(&args.file, cwd)?;
            let store = existing(&path)?;
            let mut text = Vec::new();
            let count = jsonl::export(&store, &mut text)?;
            let text = String::from_utf8(text).context("the export is not UTF-8 (a bug in perfbudget)")?;
            match &args.output {
                Some(output) => {
                    write(output, &text, "history export")?;
                    Ok(Outcome {
                        stdout: format!("exported {count} runs to {}\n", output.display()),
                        ..Outcome::default()
                    })
                }
                None => Ok(Outcome { stdout: text, ..Outcome::default() }),
            }
        }
        HistoryCommand::Import(args) => {
            let path = history_file(&args.file, cwd)?;
            let mut runs = jsonl::read(&args.export)?;
            let mut store = Store::open_for_writing(&path)?;
            let (added, skipped) = store.import(&mut runs)?;
            Ok(Outcome {
                stdout: format!("imported {added} runs into {} ({skipped} already there)\n", path.display()),
                ..Outcome::default()
            })
        }
        HistoryCommand::Prune(args) => {
            let path = history_file(&args.file, cwd)?;
            let mut store = existing(&path)?;
            let deleted = store.prune(args.keep as usize, args.branch.as_deref())?;
            Ok(Outcome {
                stdout: format!(
                    "deleted {deleted} runs from {}, kept the newest {} of each branch\n",
                    path.display(),
                    args.keep
                ),
                ..Outcome::default()
            })
        }
    }
}

/// An existing history, or an error saying there is none.
fn existing(path: &Path) -> anyhow::Result<Store> {
    Store::open_for_reading(path)?.ok_or_else(|| {
        anyhow::anyhow!("{}: no history there yet; `perfbudget history record REPORT.json` starts one", path.display())
    })
}

/// The history file: `--history`, else `$PERFBUDGET_HISTORY`, else the budget's `history:`.
fn history_file(args: &HistoryFileArgs, cwd: &Path) -> anyhow::Result<PathBuf> {
    if let Some(path) = &args.history {
        return Ok(path.clone());
    }
    if let Some(path) = env_var("PERFBUDGET_HISTORY").filter(|path| !path.is_empty()) {
        return Ok(PathBuf::from(path));
    }
    let budget = match &args.budget {
        Some(path) => Some(path.clone()),
        None => DEFAULT_BUDGET_FILES.iter().map(PathBuf::from).find(|name| cwd.join(name).is_file()),
    };
    if let Some(budget) = budget {
        if let Some(path) = crate::budget::load(&budget)?.history {
            return Ok(path);
        }
        bail!(
            "no history file: give --history FILE, set PERFBUDGET_HISTORY, or add `history:` to {}",
            budget.display()
        );
    }
    bail!("no history file: give --history FILE, set PERFBUDGET_HISTORY, or add `history:` to the budget file")
}

/// The history `check` compares with, if it compares with one: the file from `--history`,
/// `$PERFBUDGET_HISTORY` or the budget's `history:`; `None` when none is named. A named file
/// that does not exist yet is an empty history (every regression row says "no baseline").
/// `merge_base` (`--merge-base`) names the run to compare exactly with; else git's. With it
/// the limits recorded with that run (or the newest, as the exact comparison picks), for
/// loosening; `None` when the run was recorded without limits.
pub(super) fn for_check(
    given: Option<&Path>,
    budget_history: Option<&Path>,
    branch: Option<&str>,
    merge_base: Option<&str>,
    environment: &Environment,
    cwd: &Path,
    warnings: &mut Vec<String>,
) -> anyhow::Result<Option<(History, Option<Baseline>)>> {
    let from_env = env_var("PERFBUDGET_HISTORY").filter(|path| !path.is_empty()).map(PathBuf::from);
    let Some(path) = given.map(Path::to_path_buf).or(from_env).or_else(|| budget_history.map(Path::to_path_buf)) else {
        return Ok(None);
    };
    let Some(store) = Store::open_for_reading(&path)? else {
        warnings.push(format!("{}: no history there yet: no baseline for any regression check", path.display()));
        return Ok(Some((History::new(branch.unwrap_or("main").to_owned(), 0, None), None)));
    };
    let branch = base_branch(&store, branch, &path)?;
    let merge_base = merge_base.map(str::to_owned).or_else(|| provenance::merge_base(cwd, &branch));
    let history = store.load(&branch, environment, merge_base.as_deref())?;
    let limits = store.comparison_limits(&branch, merge_base.as_deref())?.and_then(|(run, limits)| {
        let budgets = limits?.iter().map(record::RecordedLimits::to_budget_limits).collect();
        Some(Baseline::from_limits(budgets, which_run(&run, &branch, merge_base.as_deref())))
    });
    Ok(Some((history, limits)))
}

/// Which base run the limits are of, as the exact comparison names its run:
/// `main at 1a2b3c4, the merge-base`.
fn which_run(run: &crate::history::store::RunInfo, branch: &str, merge_base: Option<&str>) -> String {
    let Some(commit) = run.commit.as_deref() else {
        return format!("the newest run of {branch}");
    };
    if merge_base == Some(commit) {
        format!("{branch} at {}, the merge-base", short(commit))
    } else if let Some(merge_base) = merge_base {
        format!(
            "{branch} at {}, the newest run: the merge-base {} is not in the history",
            short(commit),
            short(merge_base)
        )
    } else {
        format!("{branch} at {}", short(commit))
    }
}

/// The base branch: given, else the CI's target branch, else the history's only branch,
/// else `main` or `master` where the history has them.
fn base_branch(store: &Store, given: Option<&str>, path: &Path) -> anyhow::Result<String> {
    let from_ci = ["GITHUB_BASE_REF", "CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "CI_DEFAULT_BRANCH"]
        .iter()
        .find_map(|name| env_var(name).filter(|value| !value.is_empty()));
    if let Some(branch) = given.map(str::to_owned).or(from_ci) {
        return Ok(branch);
    }
    let branches = store.branches()?;
    if let [(only, _)] = branches.as_slice() {
        return Ok(only.clone());
    }
    for usual in ["main", "master"] {
        if branches.iter().any(|(branch, _)| branch == usual) {
            return Ok(usual.to_owned());
        }
    }
    if branches.is_empty() {
        return Ok("main".to_owned());
    }
    let names: Vec<String> = branches.iter().take(10).map(|(branch, _)| report::escape::terminal(branch)).collect();
    bail!("{}: which branch is the baseline? give --branch; the history has {}", path.display(), names.join(", "))
}

/// `history show`.
fn show(args: &ShowArgs, cwd: &Path) -> anyhow::Result<Outcome> {
    let path = history_file(&args.file, cwd)?;
    let store = existing(&path)?;
    let branch = match &args.branch {
        Some(branch) => branch.clone(),
        None => store.branches()?.into_iter().next().map(|(branch, _)| branch).unwrap_or_else(|| "main".to_owned()),
    };
    let runs = store.runs(&branch, args.last as usize)?;
    let filter = SeriesFilter::new(args.metric.as_deref(), &args.subject)?;
    let series: Vec<SeriesValues> =
        store.series_of(&runs)?.into_iter().filter(|series| filter.matches(series)).collect();
    let changes: Vec<Vec<report::history::Change>> = series.iter().map(change_points).collect();
    let shown = report::history::Shown { branch: &branch, runs: &runs, series: &series, changes: &changes };
    let stdout = match args.format {
        MeasureFormat::Table => report::history::table(&shown),
        MeasureFormat::Json => report::history::json(&shown)?,
    };
    Ok(Outcome { stdout, ..Outcome::default() })
}

/// A series' change points as Otava finds them (window 50, p < 0.001), each at the run
/// that starts the new level.
fn change_points(series: &SeriesValues) -> Vec<report::history::Change> {
    let values: Vec<f64> = series.values.iter().map(|(_, value)| *value).collect();
    crate::stats::change_points::change_points(&values, &Default::default())
        .into_iter()
        .map(|point| report::history::Change {
            run: series.values[point.index].0,
            change: point.forward_change,
            p_value: point.p_value,
        })
        .collect()
}

/// `--metric` and `--subject` of `history show`.
struct SeriesFilter {
    /// A budget metric's measured metric and statistics, or a glob of measured metrics.
    metric: Option<(WildMatch, Option<Vec<String>>)>,
    tags: Vec<(String, WildMatch)>,
}

impl SeriesFilter {
    fn new(metric: Option<&str>, subject: &[String]) -> anyhow::Result<SeriesFilter> {
        let metric = metric.map(|name| match Metric::parse(name) {
            Some(metric) if !metric.is_generic() => {
                let selects = metric.selects(None, None);
                let stats = match selects.stats {
                    Stats::OneOf(stats) => Some(stats.iter().map(|stat| (*stat).to_owned()).collect()),
                    _ => None,
                };
                (WildMatch::new(selects.metric), stats)
            }
            _ => (WildMatch::new(name), None),
        });
        let tags = subject
            .iter()
            .map(|pair| {
                let (tag, glob) = pair
                    .split_once('=')
                    .with_context(|| format!("--subject {pair:?}: write TAG=GLOB, such as url=*checkout*"))?;
                Ok((tag.to_owned(), WildMatch::new(glob)))
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(SeriesFilter { metric, tags })
    }

    fn matches(&self, series: &SeriesValues) -> bool {
        let metric_matches = self.metric.as_ref().is_none_or(|(metric, stats)| {
            metric.matches(&series.metric)
                && stats.as_ref().is_none_or(|stats| series.stat.as_ref().is_some_and(|stat| stats.contains(stat)))
        });
        metric_matches
            && self.tags.iter().all(|(tag, glob)| series.subject.get(tag).is_some_and(|value| glob.matches(value)))
    }
}

/// A commit as people read it: its first seven characters.
pub(super) fn short(commit: &str) -> String {
    commit.chars().take(7).collect()
}
