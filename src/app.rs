//! What each command does: budget -> inputs -> evaluate -> reports. Returns the text to
//! print and the exit code; `main` prints. Files named by flags are written here.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::baseline::Baseline;
use crate::budget::{self, Budget};
use crate::cli::{CheckArgs, Cli, Command, FailOn, MeasureArgs, MeasureFormat, ValidateArgs};
use crate::evaluate::{Verdict, evaluate};
use crate::ingest;
use crate::report::json::{BudgetInfo, Report};
use crate::report::{self, markdown};

/// The file names `check` and `validate` look for when no budget is given.
pub const DEFAULT_BUDGET_FILES: &[&str] = &["perfbudget.yml", "perfbudget.yaml", "perfbudget.json"];

/// What the process environment tells about the terminal, read once by `main`.
#[derive(Debug, Clone, Default)]
pub struct Terminal {
    /// Colour the table: stdout is a terminal and `NO_COLOR` is not set.
    pub color: bool,
    /// Wrap the table to this width (a terminal); `None` keeps rows on one line.
    pub width: Option<u16>,
}

/// The result of a command that ran to the end.
#[derive(Debug, Default)]
pub struct Outcome {
    pub stdout: String,
    pub stderr: String,
    /// 0 or 1; errors (exit 2) are returned as `Err`.
    pub exit_code: u8,
}

pub fn run(cli: Cli, cwd: &Path, terminal: &Terminal) -> anyhow::Result<Outcome> {
    match cli.command {
        Command::Check(args) => check(&args, cwd, terminal),
        Command::Measure(args) => measure(&args, cwd, terminal),
        Command::Validate(args) => validate(&args, cwd),
        Command::Schema => Ok(Outcome { stdout: budget::schema::render(), ..Outcome::default() }),
    }
}

fn find_budget(given: Option<&Path>, cwd: &Path) -> anyhow::Result<PathBuf> {
    if let Some(path) = given {
        return Ok(cwd.join(path));
    }
    for name in DEFAULT_BUDGET_FILES {
        let path = cwd.join(name);
        if path.is_file() {
            return Ok(PathBuf::from(name));
        }
    }
    bail!(
        "no budget file: none of {} is in {}; give one with --budget FILE (`perfbudget schema` describes the format)",
        DEFAULT_BUDGET_FILES.join(", "),
        cwd.display()
    )
}

fn load_budget(given: Option<&Path>, cwd: &Path) -> anyhow::Result<Budget> {
    let path = find_budget(given, cwd)?;
    let shown = given.map(Path::to_path_buf).unwrap_or_else(|| path.clone());
    let mut budget = budget::load(&cwd.join(&path))?;
    // Messages name the file as the user wrote it, not as joined to the working folder.
    budget.file = shown.display().to_string();
    Ok(budget)
}

fn check(args: &CheckArgs, cwd: &Path, terminal: &Terminal) -> anyhow::Result<Outcome> {
    let budget = load_budget(args.budget.as_deref(), cwd)?;
    let mut inputs: Vec<PathBuf> = budget.inputs.iter().map(|input| relative_to(cwd, input)).collect();
    inputs.extend(args.inputs.iter().cloned());
    if inputs.is_empty() {
        bail!(
            "{}: no inputs to check: list them under `inputs:` in the budget or give them after `perfbudget check`",
            budget.file
        );
    }
    let inputs: Vec<PathBuf> = inputs.iter().map(|input| cwd.join(input)).collect();
    let measurements = ingest::read_inputs(&inputs, args.input_format)?;
    let baseline = match &args.baseline {
        Some(path) => Some(Baseline::load(&cwd.join(path))?),
        None => None,
    };
    let evaluation = evaluate(&budget, &measurements, baseline.as_ref());
    let report = Report::new(evaluation, BudgetInfo { name: budget.name.clone(), file: budget.file.clone() });

    if let Some(path) = &args.json {
        write(&cwd.join(path), &report::json::render(&report), "JSON report")?;
    }
    if let Some(path) = &args.markdown {
        write(&cwd.join(path), &markdown::render(&report, &args.marker, markdown::MAX_BYTES), "markdown report")?;
    }
    if let Some(path) = &args.junit {
        write(&cwd.join(path), &report::junit::render(&report), "JUnit report")?;
    }
    let stdout = if args.quiet {
        format!("perfbudget: {} — {}\n", report.verdict.as_str(), report::summary_counts(&report))
    } else {
        report::table::render(&report, terminal.color, terminal.width)
    };
    let fails = match args.fail_on {
        FailOn::Red => report.verdict == Verdict::Red,
        FailOn::Yellow => report.verdict >= Verdict::Yellow,
    };
    Ok(Outcome { stdout, stderr: String::new(), exit_code: u8::from(fails) })
}

/// Shows a path under the working folder relative to it, as the user would write it.
fn relative_to(cwd: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(cwd).map(Path::to_path_buf).unwrap_or_else(|_| path.to_path_buf())
}

fn measure(args: &MeasureArgs, cwd: &Path, terminal: &Terminal) -> anyhow::Result<Outcome> {
    let inputs: Vec<PathBuf> = args.inputs.iter().map(|input| cwd.join(input)).collect();
    let mut measurements = ingest::read_inputs(&inputs, args.input_format)?;
    for measurement in &mut measurements {
        if let Some(origin) = &measurement.origin {
            measurement.origin = Some(relative_to(cwd, Path::new(origin)).display().to_string());
        }
    }
    let stdout = match args.format {
        MeasureFormat::Table => report::measure::table(&measurements, terminal.width),
        MeasureFormat::Json => report::measure::json(&measurements),
    };
    Ok(Outcome { stdout, ..Outcome::default() })
}

fn validate(args: &ValidateArgs, cwd: &Path) -> anyhow::Result<Outcome> {
    let budget = load_budget(args.file.as_deref(), cwd)?;
    let from_presets = budget.preset_checks();
    let presets = if from_presets > 0 { format!(" ({from_presets} from presets)") } else { String::new() };
    let plural = if budget.checks.len() == 1 { "check" } else { "checks" };
    Ok(Outcome {
        stdout: format!("ok: {}: {} {plural}{presets}\n", budget.file, budget.checks.len()),
        ..Outcome::default()
    })
}

fn write(path: &Path, text: &str, what: &str) -> anyhow::Result<()> {
    if let Some(parent) = path.parent().filter(|parent| !parent.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).with_context(|| format!("cannot create the folder for the {what} {}", path.display()))?;
    }
    std::fs::write(path, text).with_context(|| format!("cannot write the {what} {}", path.display()))
}
