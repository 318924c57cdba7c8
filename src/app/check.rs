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

pub(super) fn run(args: &CheckArgs, cwd: &Path, terminal: &Terminal, github: &Github) -> anyhow::Result<Outcome> {
    let mut budget = load_budget(args.budget.as_deref(), cwd)?;
    let mut inputs = budget.inputs.clone();
    inputs.extend(args.inputs.iter().cloned());
    let globs_files = budget
        .checks
        .iter()
        .any(|check| check.metric == budget::metric::Metric::BundleSize && !check.files_from_inputs);
    if inputs.is_empty() && !globs_files {
        bail!(
            "{}: no inputs to check: list them under `inputs:` in the budget or give them after `perfbudget check`",
            budget.file
        );
    }
    // Raw samples (k6 streams) are kept only for the metrics the budget reads; imported k6
    // thresholds can name any metric, so then every one is kept.
    let wanted = (!budget.import_k6_thresholds)
        .then(|| budget.checks.iter().map(|check| check.selects().metric.to_owned()).collect());
    let mut built = entry_files(&mut budget)?;
    built.extend(built_files(&budget, &inputs)?);
    built.sort();
    built.dedup_by(|a, b| a.name == b.name);
    let options = ingest::Options {
        format: args.input_format,
        wanted_metrics: wanted,
        criterion_current: args.criterion_current.clone(),
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
    let (sizes, problems) = measure_built(&built, &compressions, &args.cache, terminal)?;
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
    let mut baseline = match &args.baseline {
        Some(path) => Some(crate::baseline::load(path)?),
        None => None,
    };
    if let Some(name) = &args.criterion_baseline {
        let saved = criterion_baseline(&inputs, name)?;
        baseline.get_or_insert_with(Baseline::default).extend(saved);
    }
    let environment = crate::history::environment::detect(&super::history::env_var);
    let history = match &args.baseline {
        Some(_) => None,
        None => super::history::for_check(
            args.history.as_deref(),
            budget.history.as_deref(),
            args.branch.as_deref(),
            &environment,
            cwd,
            &mut warnings,
        )?,
    };
    let against = match (&history, &baseline) {
        (Some(history), _) => Against::History(history),
        (None, baseline) => Against::from(baseline.as_ref()),
    };
    let mut evaluation = evaluate_against(&budget, &measurements, against)
        .map_err(|error| anyhow::anyhow!("{}: {error}", budget.file))?;
    ingest::annotate(&mut evaluation, &measurements);
    let report = Report::new(evaluation, BudgetInfo { name: budget.name.clone(), file: budget.file.clone() });

    let outputs = Outputs::of(args);
    let comment =
        super::Comment { marker: &args.marker, extras: report::markdown::Extras { trend_charts: args.trend_charts } };
    outputs.write(&report, comment)?;
    let mut stdout = if args.quiet {
        format!("perfbudget: {} — {}\n", report.verdict.as_str(), report::summary_counts(&report))
    } else {
        report::table::render(&report, terminal.color, terminal.width, args.verbose)
    };
    if github.actions {
        stdout = github_step(&report, comment, &outputs, github, &stdout)?;
    }
    let stderr = warnings_text(&warnings);
    let fails = match args.fail_on {
        FailOn::Red => report.verdict == Verdict::Red,
        FailOn::Yellow => report.verdict >= Verdict::Yellow,
    };
    Ok(Outcome { stdout, stderr, status: if fails { ExitStatus::Fail } else { ExitStatus::Pass } })
}
