//! `perfbudget merge`: the JSON reports of several jobs (a CI matrix, a monorepo's
//! packages) as one verdict, one comment with a section per job, one JUnit file and, under
//! GitHub Actions, one set of annotations, step outputs and step summary.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use super::{ExitStatus, Github, Outcome, ReportFile, Terminal, warnings_text, write_rendered};
use crate::cli::{FailOn, MergeArgs};
use crate::model::Verdict;
use crate::model::merged::{self, Expected, Merged, ReadReport};
use crate::report::{self, markdown};

/// The report files: each path given, and every `*.json` below each folder given (sorted,
/// so the order never depends on the file system), except `written` (this run's own
/// `--json`, which a second run over the same folder would otherwise read as a job).
fn report_files(given: &[PathBuf], written: Option<&Path>) -> anyhow::Result<Vec<PathBuf>> {
    let written = written.and_then(|path| std::fs::canonicalize(path).ok());
    let mut files = Vec::new();
    for path in given {
        let metadata = std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
        if !metadata.is_dir() {
            files.push(path.clone());
            continue;
        }
        for entry in walkdir::WalkDir::new(path).follow_links(true).sort_by_file_name() {
            let entry = entry.with_context(|| format!("cannot read the folder {}", path.display()))?;
            if entry.file_type().is_dir() || !entry.file_name().to_string_lossy().ends_with(".json") {
                continue;
            }
            if written.is_some() && std::fs::canonicalize(entry.path()).ok() == written {
                continue;
            }
            files.push(entry.into_path());
            if files.len() > merged::MAX_JOBS {
                bail!(
                    "{}: more than {} reports to merge; a CI matrix has at most a few hundred jobs",
                    path.display(),
                    merged::MAX_JOBS
                );
            }
        }
    }
    Ok(files)
}

pub(super) fn run(args: &MergeArgs, terminal: &Terminal, github: &Github) -> anyhow::Result<Outcome> {
    let expected = match (&args.expect, args.expect_count) {
        (keys, _) if !keys.is_empty() => {
            // `--expect web,api,` and lists written one key per line leave empty entries.
            let mut keys: Vec<String> =
                keys.iter().map(|key| key.trim().to_owned()).filter(|key| !key.is_empty()).collect();
            if let Some(problem) = keys.iter().find_map(|key| merged::key_problem(key)) {
                bail!("--expect: a job key {problem}");
            }
            let mut seen = std::collections::BTreeSet::new();
            keys.retain(|key| seen.insert(key.clone()));
            if keys.is_empty() { Expected::Any } else { Expected::Keys(keys) }
        }
        (_, Some(count)) => Expected::Count(count as usize),
        _ => Expected::Any,
    };
    let files = report_files(&args.reports, args.json.as_deref())?;
    if files.len() > merged::MAX_JOBS {
        bail!("more than {} reports to merge; a CI matrix has at most a few hundred jobs", merged::MAX_JOBS);
    }
    if files.is_empty() && expected == Expected::Any {
        let given: Vec<String> = args.reports.iter().map(|path| path.display().to_string()).collect();
        bail!(
            "no reports to merge: {} holds no *.json file; give `perfbudget check --json` reports, or --expect the \
             jobs so that missing ones are named",
            given.join(", ")
        );
    }
    let mut reports = Vec::with_capacity(files.len());
    for file in &files {
        let report = crate::baseline::read_report(file)?;
        crate::baseline::check_values(&report).map_err(|problem| anyhow::anyhow!("{}: {problem}", file.display()))?;
        reports.push(ReadReport { file: file.display().to_string(), report });
    }
    let missing_verdict = match args.missing {
        FailOn::Red => Verdict::Red,
        FailOn::Yellow => Verdict::Yellow,
    };
    let (merged, warnings) = merged::merge(reports, &expected, missing_verdict)?;

    let extras = markdown::Extras { trend_charts: args.trend_charts };
    let files =
        [(ReportFile::Json, &args.json), (ReportFile::Markdown, &args.markdown), (ReportFile::Junit, &args.junit)];
    let files: Vec<(ReportFile, &Path)> =
        files.into_iter().filter_map(|(file, path)| Some((file, path.as_deref()?))).collect();
    write_rendered(files.iter().map(|&(file, path)| {
        let text = match file {
            ReportFile::Json => report::json::render_merged(&merged),
            ReportFile::Junit => report::junit::render_merged(&merged),
            ReportFile::Markdown | ReportFile::Html => {
                Ok(markdown::render_merged(&merged, &args.marker, markdown::MAX_BYTES, extras))
            }
        };
        (file, path, text)
    }))?;
    let mut stdout = if args.quiet {
        format!("perfbudget: {} — {}\n", merged.verdict.as_str(), report::merged_summary(&merged))
    } else {
        report::table::render_merged(&merged, terminal.color, terminal.width, args.verbose)
    };
    if github.actions {
        let paths: Vec<(&str, String)> =
            files.iter().map(|(file, path)| (file.name(), path.display().to_string())).collect();
        stdout = github_step(&merged, args, extras, &paths, github, &stdout)?;
    }
    let fails = match args.fail_on {
        FailOn::Red => merged.verdict == Verdict::Red,
        FailOn::Yellow => merged.verdict >= Verdict::Yellow,
    };
    Ok(Outcome {
        stdout,
        stderr: warnings_text(&warnings),
        status: if fails { ExitStatus::Fail } else { ExitStatus::Pass },
    })
}

/// As `check` does under GitHub Actions: the merged comment appended to the step summary,
/// the outputs (with `missing`), annotations naming each job, and the tables printed with
/// workflow commands stopped.
fn github_step(
    merged: &Merged,
    args: &MergeArgs,
    extras: markdown::Extras,
    paths: &[(&str, String)],
    github: &Github,
    table: &str,
) -> anyhow::Result<String> {
    if let Some(path) = &github.step_summary {
        let summary = markdown::render_merged(merged, &args.marker, report::github::STEP_SUMMARY_MAX_BYTES, extras);
        super::append(path, &format!("{summary}\n"), "$GITHUB_STEP_SUMMARY")?;
    }
    if let Some(path) = &github.output {
        let delimiter = format!("ghadelimiter_{}", github.token);
        super::append(path, &report::github::outputs_merged(merged, paths, &delimiter), "$GITHUB_OUTPUT")?;
    }
    Ok(format!(
        "{}{}",
        report::github::annotations_merged(merged),
        report::github::without_commands(table, &github.token)
    ))
}
