//! What each command does: budget -> inputs -> evaluate -> reports. Returns the text to
//! print and the exit code; `main` prints. Files named by flags are written here. Paths
//! are used as given (relative to the working folder), so messages name files the way
//! the user wrote them; `cwd` is only where a default budget file is looked for.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::baseline::Baseline;
use crate::budget::{self, Budget};
use crate::cli::{CacheArgs, CheckArgs, Cli, Command, FailOn, InitArgs, MeasureArgs, MeasureFormat, ValidateArgs};
use crate::evaluate::evaluate;
use crate::ingest::{self, bundle};
use crate::model::Verdict;
use crate::report::json::{BudgetInfo, Report};
use crate::report::{self, markdown};

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

/// The file names `check` and `validate` look for when no budget is given.
pub const DEFAULT_BUDGET_FILES: &[&str] = &["perfbudget.yml", "perfbudget.yaml", "perfbudget.json"];

/// What the process environment tells about the terminal, read once by `main`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Terminal {
    /// Colour the table: stdout is a terminal and `NO_COLOR` is not set.
    pub color: bool,
    /// Wrap the table to this width; `None` keeps rows on one line.
    pub width: Option<u16>,
    /// stderr is a terminal: a long run may show a progress bar there.
    pub progress: bool,
}

/// Table width when stdout is not a terminal (CI logs, files): long messages wrap
/// instead of making 400-column rows.
pub const LOG_WIDTH: u16 = 160;

impl Terminal {
    /// `no_color` is the value of `NO_COLOR`; any non-empty value turns colour off
    /// (no-color.org). `terminal_width` is the terminal's width when stdout is one.
    pub fn new(stdout_is_terminal: bool, no_color: Option<&std::ffi::OsStr>, terminal_width: Option<u16>) -> Terminal {
        let no_color = no_color.is_some_and(|value| !value.is_empty());
        Terminal {
            color: stdout_is_terminal && !no_color,
            width: if stdout_is_terminal { terminal_width } else { Some(LOG_WIDTH) },
            progress: false,
        }
    }
}

/// What GitHub Actions tells the process, read once by `main` (`GITHUB_ACTIONS`,
/// `GITHUB_STEP_SUMMARY`, `GITHUB_OUTPUT`), with a random token for this run's heredoc
/// delimiters and stop-commands.
#[derive(Debug, Clone, Default)]
pub struct Github {
    pub actions: bool,
    pub step_summary: Option<PathBuf>,
    pub output: Option<PathBuf>,
    pub token: String,
}

/// The result of a command that ran to the end.
#[derive(Debug, Default)]
pub struct Outcome {
    pub stdout: String,
    pub stderr: String,
    /// 0 or 1; errors (exit 2) are returned as `Err`.
    pub exit_code: u8,
}

pub fn run(cli: Cli, cwd: &Path, terminal: &Terminal, github: &Github) -> anyhow::Result<Outcome> {
    match cli.command {
        Command::Check(args) => check(&args, cwd, terminal, github),
        Command::Comment(args) => {
            let report = crate::baseline::read_report(&args.report)?;
            Ok(Outcome { stdout: markdown::render(&report, &args.marker, markdown::MAX_BYTES), ..Outcome::default() })
        }
        Command::Measure(args) => measure(&args, terminal),
        Command::Validate(args) => validate(&args, cwd),
        Command::Schema => Ok(Outcome { stdout: budget::schema::render(), ..Outcome::default() }),
        Command::Init(args) => init(&args, cwd),
    }
}

fn init(args: &InitArgs, cwd: &Path) -> anyhow::Result<Outcome> {
    let output = &args.output;
    let shown = output.display().to_string();
    if cwd.join(output).exists() {
        bail!("{shown} exists: `perfbudget init` never overwrites a budget; remove it or pass --output FILE");
    }
    let named = !args.inputs.is_empty();
    let candidates = if named { args.inputs.clone() } else { crate::init::discover(cwd) };
    let mut inputs = Vec::new();
    let mut measurements = Vec::new();
    let mut warnings = Vec::new();
    for input in candidates {
        match ingest::read_inputs(&[cwd.join(&input)], &ingest::Options::default()) {
            Ok(read) => {
                if named || !read.measurements.is_empty() {
                    inputs.push(input);
                }
                measurements.extend(read.measurements);
                warnings.extend(read.warnings);
            }
            // A file found by the search that does not read is left out, and said so;
            // one the user named is an error.
            Err(error) if !named => warnings.push(format!("left out {}: {error:#}", input.display())),
            Err(error) => return Err(error),
        }
    }
    if measurements.is_empty() {
        bail!(
            "found no Lighthouse, k6 or criterion output in {}: run them first, or name the reports: perfbudget init FILE...",
            cwd.display()
        );
    }
    let measurements = ingest::k6_stream::summarize(measurements);
    let text = crate::init::starter(&inputs, &measurements);
    let budget = budget::parse_str(&text, &shown, cwd)
        .with_context(|| format!("the starter budget does not load (a bug in perfbudget init):\n{text}"))?;
    let report = Report::new(
        evaluate(&budget, &measurements, None)?,
        BudgetInfo { name: budget.name.clone(), file: budget.file.clone() },
    );
    // The limits init chose must pass on the numbers they came from; the preset's targets
    // need not.
    let mut own = budget.clone();
    own.checks.retain(|check| check.preset.is_none());
    let own_evaluation = evaluate(&own, &measurements, None)?;
    let own_not_green: Vec<&str> = own_evaluation
        .checks
        .iter()
        .filter(|check| check.verdict != Verdict::Green)
        .map(|check| check.message.as_str())
        .collect();
    if !own_not_green.is_empty() {
        bail!(
            "the starter budget is not green on the numbers it was made from (a bug in perfbudget init): {}",
            own_not_green.join("; ")
        );
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(cwd.join(output))
        .with_context(|| format!("cannot create {shown}"))?;
    std::io::Write::write_all(&mut file, text.as_bytes()).with_context(|| format!("cannot write {shown}"))?;

    let mut stdout = format!(
        "wrote {}: {} checks from {} inputs\n",
        report::escape::terminal(&shown),
        budget.checks.len(),
        inputs.len()
    );
    for input in &inputs {
        stdout.push_str(&format!("  {}\n", report::escape::path(input)));
    }
    stdout.push_str(&format!("today: {} — {}", report.verdict.as_str(), report::summary_counts(&report)));
    if report.verdict == Verdict::Green {
        stdout.push('\n');
    } else {
        stdout.push_str(" (the non-green checks are the Core Web Vitals targets of the preset: the gap to close)\n");
    }
    Ok(Outcome { stdout, stderr: warnings_text(&warnings), exit_code: 0 })
}

fn find_budget(given: Option<&Path>, cwd: &Path) -> anyhow::Result<PathBuf> {
    if let Some(path) = given {
        return Ok(path.to_path_buf());
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
    Ok(budget::load(&find_budget(given, cwd)?)?)
}

fn check(args: &CheckArgs, cwd: &Path, terminal: &Terminal, github: &Github) -> anyhow::Result<Outcome> {
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
    };
    let ingest::Inputs { mut measurements, mut warnings } = ingest::read_inputs(&inputs, &options)?;
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
    let mut evaluation = evaluate(&budget, &measurements, baseline.as_ref())
        .map_err(|error| anyhow::anyhow!("{}: {error}", budget.file))?;
    ingest::annotate(&mut evaluation, &measurements);
    let report = Report::new(evaluation, BudgetInfo { name: budget.name.clone(), file: budget.file.clone() });

    if let Some(path) = &args.json {
        write(path, &report::json::render(&report), "JSON report")?;
    }
    if let Some(path) = &args.markdown {
        write(path, &markdown::render(&report, &args.marker, markdown::MAX_BYTES), "markdown report")?;
    }
    if let Some(path) = &args.junit {
        write(path, &report::junit::render(&report), "JUnit report")?;
    }
    let mut stdout = if args.quiet {
        format!("perfbudget: {} — {}\n", report.verdict.as_str(), report::summary_counts(&report))
    } else {
        report::table::render(&report, terminal.color, terminal.width, args.verbose)
    };
    if github.actions {
        stdout = github_step(&report, args, github, &stdout)?;
    }
    let stderr = warnings_text(&warnings);
    let fails = match args.fail_on {
        FailOn::Red => report.verdict == Verdict::Red,
        FailOn::Yellow => report.verdict >= Verdict::Yellow,
    };
    Ok(Outcome { stdout, stderr, exit_code: u8::from(fails) })
}

fn measure(args: &MeasureArgs, terminal: &Terminal) -> anyhow::Result<Outcome> {
    let mut measurements = Vec::new();
    let mut warnings = Vec::new();
    let mut built = Vec::new();
    for input in &args.inputs {
        // A folder holds reports, or else it is a build whose files are listed.
        let folder = input.is_dir();
        let options = ingest::Options {
            format: args.input_format,
            wanted_metrics: None,
            criterion_current: args.criterion_current.clone(),
            folders_may_hold_only_built_files: folder,
        };
        let read = ingest::read_inputs(std::slice::from_ref(input), &options)?;
        if folder && read.measurements.is_empty() {
            let asset = |name: &str| {
                !bundle::is_left_out_by_default(name)
                    && name.rsplit_once('.').is_some_and(|(_, extension)| bundle::ASSET_EXTENSIONS.contains(&extension))
            };
            let files = bundle::find_in_folder(input, &input.display().to_string(), &asset)?;
            if files.is_empty() {
                bail!(
                    "{}: no file in this folder is an input perfbudget reads ({}), nor a built file ({})",
                    input.display(),
                    ingest::known_formats().join(", "),
                    bundle::ASSET_EXTENSIONS
                        .iter()
                        .map(|extension| format!(".{extension}"))
                        .collect::<Vec<_>>()
                        .join(" ")
                );
            }
            built.extend(files);
        }
        measurements.extend(read.measurements);
        warnings.extend(read.warnings);
    }
    let (sizes, problems) = measure_built(&built, &bundle::Compression::ALL, &args.cache, terminal)?;
    measurements.extend(sizes);
    warnings.extend(problems);
    let measurements = ingest::k6_stream::summarize(measurements);
    let stderr = warnings_text(&warnings);
    let stdout = match args.format {
        MeasureFormat::Table => report::measure::table(&measurements, terminal.width),
        MeasureFormat::Json => report::measure::json(&measurements),
    };
    Ok(Outcome { stdout, stderr, exit_code: 0 })
}

/// The built files a budget's `bundle_size` checks read: those their `files:` globs select
/// from the budget file's folder, and for checks without globs the `.js` files of the
/// input folders. The caller sorts and de-duplicates with the entries' files, so a file
/// found several ways is measured once.
fn built_files(budget: &Budget, inputs: &[PathBuf]) -> anyhow::Result<Vec<bundle::BuiltFile>> {
    let checks: Vec<&budget::Check> =
        budget.checks.iter().filter(|check| check.metric == budget::metric::Metric::BundleSize).collect();
    let root = Path::new(&budget.file).parent().unwrap_or(Path::new(""));
    let mut files = Vec::new();
    for check in checks.iter().filter(|check| !check.files_from_inputs) {
        let Some(selector) = check.selectors.iter().find(|selector| selector.tag == bundle::FILE_TAG) else { continue };
        let globs: Vec<&str> = selector.include.iter().map(|pattern| pattern.text.as_str()).collect();
        files.extend(bundle::find(root, &globs, &|name| selector.matches(name))?);
    }
    if checks.iter().any(|check| check.files_from_inputs) {
        for input in inputs.iter().filter(|input| input.is_dir()) {
            let javascript = |name: &str| name.ends_with(".js");
            files.extend(bundle::find_in_folder(input, &input.display().to_string(), &javascript)?);
        }
    }
    Ok(files)
}

/// The files of each `bundle_size` entry named by `manifest:` and `entry:`, read from its
/// manifest; the check then selects exactly those files. A file the manifest names that
/// is not on disk is an error: the build and its manifest do not match.
fn entry_files(budget: &mut Budget) -> anyhow::Result<Vec<bundle::BuiltFile>> {
    let root = Path::new(&budget.file).parent().unwrap_or(Path::new("")).to_path_buf();
    let mut files = Vec::new();
    for check in budget.checks.iter_mut() {
        let Some(entry) = &check.entry else { continue };
        let manifest = root.join(&entry.manifest);
        let found = bundle::manifest::entry_files(&manifest, &entry.entry)?;
        let build = found.root.strip_prefix(&root).unwrap_or(&found.root);
        let mut names = Vec::new();
        for file in &found.files {
            let path = found.root.join(file);
            if !path.is_file() {
                bail!(
                    "{}: entry `{}` names {file}, which is not in {}: is the build complete, and the manifest from it?",
                    manifest.display(),
                    entry.entry,
                    found.root.display()
                );
            }
            let name = bundle::display_name(&build.join(file));
            // Matched as they are, however long or many: a manifest names files exactly.
            names.push(budget::Pattern::exact(&name));
            files.push(bundle::BuiltFile { name, path });
        }
        check.selectors.push(budget::Selector::new(bundle::FILE_TAG, names, Vec::new()));
    }
    Ok(files)
}

/// Sizes of built files, with a progress bar on a terminal.
fn measure_built(
    files: &[bundle::BuiltFile],
    compressions: &[bundle::Compression],
    cache: &CacheArgs,
    terminal: &Terminal,
) -> anyhow::Result<(Vec<ingest::Measurement>, Vec<String>)> {
    if files.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let dir = if cache.no_cache { None } else { cache.cache_dir.clone().or_else(bundle::SizeCache::default_dir) };
    let bar = report::progress::CompressionBar::new(terminal.progress);
    let measured = bundle::measure(files, compressions, &bundle::SizeCache::new(dir), &bar);
    bar.finish();
    measured
}

fn validate(args: &ValidateArgs, cwd: &Path) -> anyhow::Result<Outcome> {
    let budget = load_budget(args.file.as_deref(), cwd)?;
    let from_presets = budget.preset_checks();
    let presets = if from_presets > 0 { format!(" ({from_presets} from presets)") } else { String::new() };
    let plural = if budget.checks.len() == 1 { "check" } else { "checks" };
    Ok(Outcome {
        stdout: format!("ok: {}: {} {plural}{presets}\n", report::escape::terminal(&budget.file), budget.checks.len()),
        ..Outcome::default()
    })
}

/// Under GitHub Actions: the step summary and outputs are written, annotations lead the
/// output, and the table (which holds untrusted names) is printed with workflow commands
/// stopped.
fn github_step(report: &Report, args: &CheckArgs, github: &Github, table: &str) -> anyhow::Result<String> {
    use std::io::Write as _;
    let append = |path: &Path, text: &str, what: &str| -> anyhow::Result<()> {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .with_context(|| format!("cannot open {what} {}", path.display()))?;
        file.write_all(text.as_bytes()).with_context(|| format!("cannot write {what} {}", path.display()))
    };
    if let Some(path) = &github.step_summary {
        let summary = markdown::render(report, &args.marker, report::github::STEP_SUMMARY_MAX_BYTES);
        append(path, &format!("{summary}\n"), "$GITHUB_STEP_SUMMARY")?;
    }
    if let Some(path) = &github.output {
        let mut paths = Vec::new();
        for (name, path) in [("json", &args.json), ("markdown", &args.markdown), ("junit", &args.junit)] {
            if let Some(path) = path {
                paths.push((name, path.display().to_string()));
            }
        }
        let delimiter = format!("ghadelimiter_{}", github.token);
        append(path, &report::github::outputs(report, &paths, &delimiter), "$GITHUB_OUTPUT")?;
    }
    Ok(format!("{}{}", report::github::annotations(report), report::github::without_commands(table, &github.token)))
}

/// One `warning:` line each, safe for a terminal and a CI log.
fn warnings_text(warnings: &[String]) -> String {
    warnings.iter().map(|warning| format!("warning: {}\n", report::escape::terminal(warning))).collect()
}

fn write(path: &Path, text: &str, what: &str) -> anyhow::Result<()> {
    if let Some(parent) = path.parent().filter(|parent| !parent.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create the folder for the {what} {}", path.display()))?;
    }
    std::fs::write(path, text).with_context(|| format!("cannot write the {what} {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_only_on_a_terminal_without_no_color() {
        let on = Terminal::new(true, None, Some(100));
        assert_eq!(on, Terminal { color: true, width: Some(100), progress: false });
        assert!(!Terminal::new(true, Some(std::ffi::OsStr::new("1")), Some(100)).color);
        assert!(Terminal::new(true, Some(std::ffi::OsStr::new("")), Some(100)).color, "empty NO_COLOR is unset");
        assert_eq!(
            Terminal::new(false, None, None),
            Terminal { color: false, width: Some(LOG_WIDTH), progress: false }
        );
    }
}
