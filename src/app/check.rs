//! `perfbudget check`: the budget, its inputs and built files, the baseline, the verdicts,
//! then the report files, the table and, under GitHub Actions, the step's outputs.

use std::path::{Path, PathBuf};

use anyhow::bail;

use super::bundle::{built_files, entry_files, measure_built};
use super::{ExitStatus, Github, Outcome, Outputs, Terminal, github_step, load_budget, warnings_text};
use crate::baseline::Baseline;
use crate::budget;
use crate::cli::{CheckArgs, FailOn};
use crate::evaluate::{Against, evaluate_against};
use crate::ingest::{self, bundle};
use crate::model::Verdict;
use crate::model::report::BaselineSource;
use crate::report;
use crate::report::json::{BudgetInfo, Report};

/// The saved criterion baseline `name` of every input folder that has one.
fn criterion_baseline(inputs: &[PathBuf], name: &str) -> anyhow::Result<Baseline> {
    let mut measurements = Vec::new();
    for input in inputs.iter().filter(|input| input.is_dir()) {
        if let Ok(saved) = ingest::criterion::read_tree(input, name) {
            measurements.extend(saved);
        }
    }
    if measurements.is_empty() {
        bail!(
            "--criterion-baseline {name}: no input holds a criterion baseline `{name}/`; save one with \
             `cargo bench -- --save-baseline {name}`"
        );
    }
    Ok(Baseline::from_measurements(&measurements))
}

/// What `check` and `tighten` read besides the budget: the inputs named by the budget and
/// the command line, built files, and k6 thresholds imported as checks (added to `budget`).
pub(super) struct Read {
    pub inputs: Vec<PathBuf>,
    pub measurements: Vec<crate::model::Measurement>,
    pub warnings: Vec<String>,
}

/// Reads the inputs as `check` does; `command` (`check`, `tighten`) names the command in
/// the error of a run without inputs.
pub(super) fn read_inputs(
    command: &str,
    budget: &mut budget::Budget,
    extra: &[PathBuf],
    input_format: Option<ingest::InputFormat>,
    criterion_current: &str,
    cache: &crate::cli::CacheArgs,
    terminal: &Terminal,
) -> anyhow::Result<Read> {
    let mut inputs = budget.inputs.clone();
    inputs.extend(extra.iter().cloned());
    let globs_files = budget
        .checks
        .iter()
        .any(|check| check.metric == budget::metric::Metric::BundleSize && !check.files_from_inputs);
    if inputs.is_empty() && !globs_files {
        bail!(
            "{}: no inputs to check: list them under `inputs:` in the budget or give them after `perfbudget {command}`",
            budget.file
        );
    }
    // Raw samples (k6 streams) are kept only for the metrics the budget reads; imported k6
    // thresholds can name any metric, so then every one is kept.
    let wanted = (!budget.import_k6_thresholds)
        .then(|| budget.checks.iter().map(|check| check.selects().metric.to_owned()).collect());
    let mut built = entry_files(budget)?;
    built.extend(built_files(budget, &inputs)?);
    built.sort();
    built.dedup_by(|a, b| a.name == b.name);
    let options = ingest::Options {
        format: input_format,
        wanted_metrics: wanted,
        criterion_current: criterion_current.to_owned(),
        folders_may_hold_only_built_files: budget.checks.iter().any(|check| check.files_from_inputs),
        scrape_elapsed: budget.scrape_elapsed,
        // Raw samples are scored with each Apdex entry's thresholds as they are read.
        apdex: budget
            .checks
            .iter()
            .filter(|check| check.metric == budget::metric::Metric::Apdex)
            .filter_map(|check| check.stat.as_deref().and_then(crate::model::apdex::Thresholds::from_stat))
            .collect(),
    };
    let ingest::Inputs { mut measurements, mut warnings, .. } = ingest::read_inputs(&inputs, &options)?;
    // Only the sizes some check reads: brotli is the slow one.
    let compressions: Vec<bundle::Compression> = bundle::Compression::ALL
        .into_iter()
        .filter(|compression| {
            budget
                .checks
                .iter()
                .any(|check| check.metric == budget::metric::Metric::BundleSize && check.compression == *compression)
        })
        .collect();
    let (sizes, problems) = measure_built(&built, &compressions, cache, terminal)?;
    measurements.extend(sizes);
    warnings.extend(problems);
    if budget.import_k6_thresholds {
        let (imported, problems) = budget::k6_import::checks_from_thresholds(&measurements, budget.default_warn)?;
        if imported.is_empty() && problems.is_empty() {
            warnings
                .push("import_k6_thresholds: the inputs hold no k6 thresholds (only k6 summaries report them)".into());
        }
        budget.checks.extend(imported);
        warnings.extend(problems);
    }
    Ok(Read { inputs, measurements, warnings })
}

pub(super) fn run(args: &CheckArgs, cwd: &Path, terminal: &Terminal, github: &Github) -> anyhow::Result<Outcome> {
    if let Some(key) = &args.key
        && let Some(problem) = crate::model::merged::key_problem(key)
    {
        bail!("--key: the job key {problem}");
    }
    let mut budget = load_budget(args.budget.as_deref(), cwd)?;
    let Read { inputs, measurements, mut warnings } = read_inputs(
        "check",
        &mut budget,
        &args.inputs,
        args.input_format,
        &args.criterion_current,
        &args.cache,
        terminal,
    )?;
    let mut baseline = match &args.baseline {
        Some(path) => Some(crate::baseline::load(path)?),
        None => None,
    };
    if let Some(name) = &args.criterion_baseline {
        let saved = criterion_baseline(&inputs, name)?;
        baseline.get_or_insert_with(Baseline::default).extend(saved);
    }
    let environment = crate::history::environment::detect(&super::history::env_var);
    let (history, history_limits) = match &args.baseline {
        Some(_) => (None, None),
        None => match super::history::for_check(
            args.history.as_deref(),
            budget.history.as_deref(),
            args.branch.as_deref(),
            args.merge_base.as_deref(),
            &environment,
            cwd,
            &mut warnings,
        )? {
            Some((history, limits)) => (Some(history), limits),
            None => (None, None),
        },
    };
    let against = match (&history, &baseline) {
        (Some(history), _) => Against::History(history),
        (None, baseline) => Against::from(baseline.as_ref()),
    };
    let mut evaluation = evaluate_against(&budget, &measurements, against)
        .map_err(|error| anyhow::anyhow!("{}: {error}", budget.file))?;
    ingest::annotate(&mut evaluation, &measurements);
    // A history's limits are those of the run the exact comparison is made with.
    if let Some(baseline) = history_limits.as_ref().or(baseline.as_ref()) {
        evaluation.checks.extend(crate::evaluate::loosening::loosened(&budget, baseline, args.allow_loosening));
    }
    let mut report = Report::new(evaluation, BudgetInfo { name: budget.name.clone(), file: budget.file.clone() });
    let compared = baseline.is_some() || history.as_ref().is_some_and(|history| history.runs > 0);
    report.baseline_source = baseline_source(args, compared);
    report.key.clone_from(&args.key);

    let outputs = Outputs::of(args);
    let marker = args.marker.as_deref().or(args.key.as_deref()).unwrap_or("default");
    let comment = super::Comment { marker, extras: report::markdown::Extras { trend_charts: args.trend_charts } };
    outputs.write(&report, comment)?;
    let mut stdout = if args.quiet {
        format!("perfbudget: {} — {}\n", report.verdict.as_str(), report::summary_counts(&report))
    } else {
        report::table::render(&report, terminal.color, terminal.width, args.verbose)
    };
    if github.actions {
        stdout = github_step(&report, comment, &outputs, github, &stdout)?;
    }
    let mut stderr = warnings_text(&warnings);
    if report.baseline_source.as_ref().is_some_and(BaselineSource::fails)
        && let Some(line) = report::baseline_line(&report, &|text| report::escape::terminal(text))
    {
        stderr.push_str(&format!("error: {line}\n"));
    }
    let fails = match args.fail_on {
        FailOn::Red => report.verdict == Verdict::Red,
        FailOn::Yellow => report.verdict >= Verdict::Yellow,
    };
    let status = match &report.baseline_source {
        Some(source) if source.fails() => ExitStatus::Untrusted,
        _ if fails => ExitStatus::Fail,
        _ => ExitStatus::Pass,
    };
    Ok(Outcome { stdout, stderr, status })
}

/// What the reports say about the baseline, when the caller said where it came from or that
/// one is required; `compared` is whether the run had a baseline or a history.
fn baseline_source(args: &CheckArgs, compared: bool) -> Option<BaselineSource> {
    let told = args.baseline_branch.is_some() || args.baseline_commit.is_some() || args.require_baseline;
    told.then(|| BaselineSource {
        branch: args.baseline_branch.clone(),
        commit: args.baseline_commit.clone().filter(|_| args.baseline.is_some()),
        merge_base: args.merge_base.clone(),
        found: compared,
        required: args.require_baseline,
    })
}
