//! Command-line arguments (clap derive). Parsing only: `app` does the work.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::ingest::InputFormat;

const EXIT_CODES: &str = "\
Exit codes:
  0  nothing red (yellow passes unless --fail-on yellow)
  1  at least one check is red
  2  the run cannot be trusted: bad budget file, unreadable, unknown or malformed input,
     bad flag, internal error";

const CHECK_AFTER_HELP: &str = "\
Exit codes:
  0  nothing red (yellow passes unless --fail-on yellow)
  1  at least one check is red
  2  the run cannot be trusted: bad budget file, unreadable, unknown or malformed input,
     bad flag, internal error

Examples:
  perfbudget check --budget budgets/demo.yml
  perfbudget check --baseline base/report.json --json report.json --markdown comment.md measurements.json
  perfbudget check --criterion-baseline main target/criterion
  perfbudget check --history perfbudget-history.db --branch main
  perfbudget check --baseline main.json --baseline-commit 1a2b3c4 --merge-base 1a2b3c4";

const MERGE_AFTER_HELP: &str = "\
A job is named by its report's `key` (given to `check`), else by the report's file name
without `.json`. Two reports of one key are an error (exit 2).

Exit codes:
  0  nothing red (yellow passes unless --fail-on yellow)
  1  a job has a red check, or an expected job did not report (unless --missing yellow)
  2  the run cannot be trusted: a report unreadable, malformed, of another schema version,
     edited, or two reports of one key; bad flag, internal error

Examples:
  perfbudget merge --expect web,api,docs --markdown comment.md reports/
  perfbudget merge --expect-count 3 --junit junit.xml perfbudget-report-*.json";

const TIGHTEN_AFTER_HELP: &str = "\
A limit is far looser when it is more than the margin beyond today's worst value plus the
margin (for a minimum: below the worst value minus the margin, by more than the margin).
It becomes the worst value plus the margin, rounded up to two significant digits in the
unit the file wrote (`2.5s` stays in seconds, `150kb` in kB); it is never loosened.

Exit codes:
  0  written, or nothing to tighten
  1  --check: something could be tightened (nothing is written)
  2  the file cannot be rewritten faithfully, or a bad budget, input or flag

Examples:
  perfbudget tighten --check
  perfbudget tighten --budget budgets/demo.yml --margin 20%";

const HISTORY_AFTER_HELP: &str = "\
The history file is --history FILE, else $PERFBUDGET_HISTORY, else the budget's `history:`.

Examples:
  perfbudget history record report.json --branch main
  perfbudget history show --metric api_p95 --last 20
  perfbudget history export --output history.jsonl
  perfbudget history prune --keep 200";

#[derive(Debug, Parser)]
#[command(name = "perfbudget", version, about = "One CI gate for performance budgets: web vitals, API latency, bundle size, benchmarks.", after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the inputs against the budget: green, yellow or red per check.
    #[command(after_help = CHECK_AFTER_HELP)]
    Check(Box<CheckArgs>),
    /// Print what the inputs hold, without a budget.
    Measure(MeasureArgs),
    /// Check a budget file and print how many checks it has.
    Validate(ValidateArgs),
    /// Print the JSON Schema of the budget file.
    Schema,
    /// Render the markdown pull-request comment from a JSON report (`check --json`).
    Comment(CommentArgs),
    /// Merge the JSON reports of several jobs (a CI matrix) into one verdict, comment and JUnit.
    #[command(after_help = MERGE_AFTER_HELP)]
    Merge(MergeArgs),
    /// Write a starter budget from the Lighthouse, k6 and criterion outputs found here.
    Init(InitArgs),
    /// Write a budget from a Lighthouse CI, LightWallet, size-limit, bundlewatch or bundlesize config.
    #[command(after_help = IMPORT_AFTER_HELP)]
    Import(ImportConfigArgs),
    /// Lower the limits far looser than today's values to the worst value plus a margin,
    /// rewriting the budget file in place (its comments and layout kept).
    #[command(after_help = TIGHTEN_AFTER_HELP)]
    Tighten(TightenArgs),
    /// Keep the base branch's runs in a history file (SQLite) and look at them.
    #[command(subcommand, after_help = HISTORY_AFTER_HELP)]
    History(HistoryCommand),
}

#[derive(Debug, Subcommand)]
pub enum HistoryCommand {
    /// Record a JSON report (`check --json`) as a run of a commit and branch.
    Record(RecordArgs),
    /// Print each series with its last values and a sparkline.
    Show(ShowArgs),
    /// Write every run as JSON lines (one run per line, oldest first).
    Export(ExportArgs),
    /// Add the runs of a `history export` file (runs already there are skipped).
    Import(ImportArgs),
    /// Delete all but the newest runs of each branch.
    Prune(PruneArgs),
}

/// Which history file, for every `history` command.
#[derive(Debug, Clone, clap::Args)]
pub struct HistoryFileArgs {
    /// The history file. Default: $PERFBUDGET_HISTORY, else the budget's `history:`.
    #[arg(long, value_name = "FILE")]
    pub history: Option<PathBuf>,
    /// The budget whose `history:` names the file. Default: perfbudget.yml, perfbudget.yaml
    /// or perfbudget.json in the current folder, if there is one.
    #[arg(long, value_name = "FILE")]
    pub budget: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct RecordArgs {
    /// A JSON report written by `perfbudget check --json`.
    #[arg(value_name = "REPORT.json")]
    pub report: PathBuf,
    /// The commit measured. Default: $GITHUB_SHA, $CI_COMMIT_SHA, else `git rev-parse HEAD`.
    #[arg(long, value_name = "SHA")]
    pub commit: Option<String>,
    /// The branch. Default: $GITHUB_HEAD_REF, $GITHUB_REF_NAME, $CI_COMMIT_BRANCH,
    /// $CI_COMMIT_REF_NAME, else git's current branch.
    #[arg(long, value_name = "NAME")]
    pub branch: Option<String>,
    /// When the run was made (RFC 3339, `2026-12-01T16:43:46Z`). Default: now.
    #[arg(long, value_name = "RFC3339")]
    pub time: Option<String>,
    #[command(flatten)]
    pub file: HistoryFileArgs,
}

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// The branch. Default: the branch with the most runs.
    #[arg(long, value_name = "NAME")]
    pub branch: Option<String>,
    /// Only this metric: a budget metric (`api_p95`) or a measured one (`http_req_duration`,
    /// globs allowed).
    #[arg(long, value_name = "M")]
    pub metric: Option<String>,
    /// Only series whose subject tag matches (`url=*checkout*`); repeat for several tags.
    #[arg(long, value_name = "TAG=GLOB")]
    pub subject: Vec<String>,
    /// How many of the newest runs to show.
    #[arg(long, value_name = "N", default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub last: u32,
    /// Output format.
    #[arg(long, value_enum, default_value_t = MeasureFormat::Table)]
    pub format: MeasureFormat,
    #[command(flatten)]
    pub file: HistoryFileArgs,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// Write here instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub file: HistoryFileArgs,
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// A file written by `perfbudget history export`.
    #[arg(value_name = "FILE.jsonl")]
    pub export: PathBuf,
    #[command(flatten)]
    pub file: HistoryFileArgs,
}

#[derive(Debug, clap::Args)]
pub struct PruneArgs {
    /// How many of the newest runs of each branch to keep.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub keep: u32,
    /// Prune only this branch.
    #[arg(long, value_name = "NAME")]
    pub branch: Option<String>,
    #[command(flatten)]
    pub file: HistoryFileArgs,
}

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Where to write the budget. An existing file is never overwritten.
    #[arg(long, value_name = "FILE", default_value = "perfbudget.yml")]
    pub output: PathBuf,
    /// Files or folders to read. Default: `.lighthouseci/`, `target/criterion/` and the
    /// reports in the current folder or one level below, recognised by their content.
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
}

const IMPORT_AFTER_HELP: &str = "\
The config is recognised by its content: a lighthouserc (JSON or YAML), a Lighthouse
budget.json, a .size-limit.json, a bundlewatch or bundlesize config, or a package.json
with a `size-limit`, `bundlewatch` or `bundlesize` key. A JavaScript config is not run:
the error prints the `node -e` line that turns it into JSON.

Exit: 0 everything was imported, 1 something was not (listed), 2 a bad config.

Examples:
  perfbudget import lighthouserc.json
  perfbudget import .size-limit.json --output budgets/size.yml";

#[derive(Debug, clap::Args)]
pub struct ImportConfigArgs {
    /// The peer tool's config.
    #[arg(value_name = "FILE")]
    pub config: PathBuf,
    /// Where to write the budget.
    #[arg(long, short, value_name = "FILE", default_value = "perfbudget.yml")]
    pub output: PathBuf,
    /// Replace the output file if it exists.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, clap::Args)]
pub struct CommentArgs {
    /// A JSON report written by `perfbudget check --json`.
    #[arg(value_name = "REPORT.json")]
    pub report: PathBuf,
    /// Key of the hidden marker, to keep several comments apart. Default: the report's job
    /// key, else `default`.
    #[arg(long, value_name = "KEY")]
    pub marker: Option<String>,
    /// Add a folded mermaid trend chart of each red or yellow series with a history.
    #[arg(long)]
    pub trend_charts: bool,
}

#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// JSON reports written by `perfbudget check --json`, or folders holding them (every
    /// `*.json` below a folder is read).
    #[arg(value_name = "REPORT.json", required = true)]
    pub reports: Vec<PathBuf>,
    /// The jobs that must report, by key (comma-separated, or repeat the flag).
    #[arg(long, value_name = "KEY,...", value_delimiter = ',', conflicts_with = "expect_count")]
    pub expect: Vec<String>,
    /// How many jobs must report (the matrix's size, when the keys are not known).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub expect_count: Option<u32>,
    /// The verdict of an expected job that did not report.
    #[arg(long, value_enum, value_name = "VERDICT", default_value_t = FailOn::Red)]
    pub missing: FailOn,
    /// The verdict that fails the run.
    #[arg(long, value_enum, default_value_t = FailOn::Red)]
    pub fail_on: FailOn,
    /// Write the merged JSON report here (every job's report, under its key).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write the markdown comment (a section per job) here.
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,
    /// Key of the markdown's hidden marker, to keep several comments apart.
    #[arg(long, value_name = "KEY", default_value = "default")]
    pub marker: String,
    /// Add a folded mermaid trend chart of each red or yellow series with a history.
    #[arg(long)]
    pub trend_charts: bool,
    /// Write a JUnit XML report here (a test suite per job).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Print only the summary line, not the jobs' tables.
    #[arg(long, short, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print the tables of all-green jobs too, and their green rows when long.
    #[arg(long, short)]
    pub verbose: bool,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Budget file (YAML or JSON). Default: perfbudget.yml, perfbudget.yaml or
    /// perfbudget.json in the current folder.
    #[arg(long, value_name = "FILE")]
    pub budget: Option<PathBuf>,
    /// A JSON report of an earlier run (`--json`) to compare against.
    #[arg(long, value_name = "REPORT.json", conflicts_with = "history")]
    pub baseline: Option<PathBuf>,
    /// The branch whose report the baseline is (or, without --baseline, was looked for and
    /// not found: the reports then say "no baseline" plainly).
    #[arg(long, value_name = "NAME")]
    pub baseline_branch: Option<String>,
    /// The commit the --baseline report was made from, for the reports to name it.
    #[arg(long, value_name = "SHA", requires = "baseline", value_parser = commit)]
    pub baseline_commit: Option<String>,
    /// The pull request's merge-base with the base branch: the reports say whether the
    /// baseline was made from it, and --history compares with its run. Default for
    /// --history: `git merge-base HEAD BRANCH`.
    #[arg(long, value_name = "SHA", value_parser = commit)]
    pub merge_base: Option<String>,
    /// Fail with exit code 2 (after writing the reports, which say why) when there is no
    /// baseline: no --baseline, no history and no --criterion-baseline.
    #[arg(long)]
    pub require_baseline: bool,
    /// Compare against the base branch's runs in this history file (`perfbudget history`).
    /// Default: $PERFBUDGET_HISTORY, else the budget's `history:`.
    #[arg(long, value_name = "FILE")]
    pub history: Option<PathBuf>,
    /// The base branch in the history. Default: $GITHUB_BASE_REF,
    /// $CI_MERGE_REQUEST_TARGET_BRANCH_NAME, $CI_DEFAULT_BRANCH, else the history's only
    /// branch, or `main` or `master`.
    #[arg(long, value_name = "NAME")]
    pub branch: Option<String>,
    /// Compare criterion benchmarks with the saved baseline NAME of the same tree
    /// (`cargo bench -- --save-baseline NAME`).
    #[arg(long, value_name = "NAME")]
    pub criterion_baseline: Option<String>,
    /// Read criterion's saved baseline NAME as the current results instead of new/.
    #[arg(long, value_name = "NAME", default_value = "new")]
    pub criterion_current: String,
    /// The verdict that fails the run.
    #[arg(long, value_enum, default_value_t = FailOn::Red)]
    pub fail_on: FailOn,
    /// Limits looser than the --baseline report's (and budgets it had that are gone) are
    /// approved: their rows are green whatever the budget's `loosening:` policy.
    #[arg(long)]
    pub allow_loosening: bool,
    /// Write the JSON report here (also the next run's --baseline).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write the markdown report (for a pull-request comment) here.
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,
    /// This job's key: written in the JSON report, it names the job in `perfbudget merge`;
    /// also the marker's key unless --marker is given.
    #[arg(long, value_name = "KEY")]
    pub key: Option<String>,
    /// Key of the markdown's hidden marker, to keep several comments apart. Default: --key,
    /// else `default`.
    #[arg(long, value_name = "KEY")]
    pub marker: Option<String>,
    /// Add a folded mermaid trend chart of each red or yellow series with a history to the
    /// markdown (GitHub and GitLab render mermaid; e-mail shows its text).
    #[arg(long)]
    pub trend_charts: bool,
    /// Write a JUnit XML report here.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Write the report as one self-contained HTML page here (no network, no script).
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Print only the summary line, not the table.
    #[arg(long, short, conflicts_with = "verbose")]
    pub quiet: bool,
    /// List green checks in the table even when it is long (over 50 rows).
    #[arg(long, short)]
    pub verbose: bool,
    /// Read every input as this format instead of detecting it by content.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub input_format: Option<InputFormat>,
    #[command(flatten)]
    pub cache: CacheArgs,
    /// Files or folders to read, in addition to the budget's `inputs:`.
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct TightenArgs {
    /// Budget file (YAML or JSON). Default: perfbudget.yml, perfbudget.yaml or
    /// perfbudget.json in the current folder.
    #[arg(long, value_name = "FILE")]
    pub budget: Option<PathBuf>,
    /// Room kept above today's worst value (below it, for a minimum).
    #[arg(long, value_name = "PERCENT", default_value = "10%", value_parser = margin)]
    pub margin: f64,
    /// Write nothing; exit 1 when a limit could be tightened (for CI).
    #[arg(long)]
    pub check: bool,
    /// Read every input as this format instead of detecting it by content.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub input_format: Option<InputFormat>,
    /// Read criterion's saved baseline NAME as the current results instead of new/.
    #[arg(long, value_name = "NAME", default_value = "new")]
    pub criterion_current: String,
    #[command(flatten)]
    pub cache: CacheArgs,
    /// Files or folders to read, in addition to the budget's `inputs:`.
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
}

/// A margin: `10%` or a fraction such as `0.1`, from 0 to 100%.
fn margin(text: &str) -> Result<f64, String> {
    let (number, scale) = match text.trim().strip_suffix('%') {
        Some(percent) => (percent.trim(), 100.0),
        None => (text.trim(), 1.0),
    };
    match number.parse::<f64>() {
        Ok(value) if value.is_finite() && value >= 0.0 && value / scale <= 1.0 => Ok(value / scale),
        Ok(value) if value.is_finite() && value >= 0.0 => Err(format!("`{text}` is over 100%")),
        _ => Err(format!("`{text}` is not a margin such as 10% or 0.1")),
    }
}

#[derive(Debug, clap::Args)]
pub struct MeasureArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = MeasureFormat::Table)]
    pub format: MeasureFormat,
    /// Read every input as this format instead of detecting it by content.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub input_format: Option<InputFormat>,
    /// Read criterion's saved baseline NAME as the current results instead of new/.
    #[arg(long, value_name = "NAME", default_value = "new")]
    pub criterion_current: String,
    #[command(flatten)]
    pub cache: CacheArgs,
    /// The time between the first and the last Prometheus scrape of one target (`90s`,
    /// `5m`), for rates and CPU shares when the scrapes carry no timestamps.
    #[arg(long, value_name = "DURATION", value_parser = seconds)]
    pub scrape_elapsed: Option<f64>,
    /// Files or folders to read. A folder without reports is a build: its .js, .mjs,
    /// .cjs, .css and .wasm files are listed with their raw, gzip and brotli sizes.
    #[arg(value_name = "INPUT", required = true)]
    pub inputs: Vec<PathBuf>,
}

/// A git commit id: 7 to 64 hex digits (a short id, SHA-1 or SHA-256), lower-cased.
fn commit(text: &str) -> Result<String, String> {
    if (7..=64).contains(&text.len()) && text.chars().all(|c| c.is_ascii_hexdigit()) {
        Ok(text.to_ascii_lowercase())
    } else {
        Err("a commit is 7 to 64 hex digits".to_owned())
    }
}

/// A duration as seconds: `90`, `90s`, `1500ms`, `5m`, `1h`.
fn seconds(text: &str) -> Result<f64, String> {
    let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let factor = match unit.trim() {
        "" | "s" => 1.0,
        "ms" => 1e-3,
        "m" | "min" => 60.0,
        "h" => 3600.0,
        other => return Err(format!("`{other}` is not a unit of time (ms, s, m, h)")),
    };
    match number.parse::<f64>() {
        Ok(value) if value > 0.0 && value.is_finite() => Ok(value * factor),
        _ => Err(format!("`{text}` is not a duration such as 90s or 5m")),
    }
}

impl Command {
    /// The cache options of the commands that measure built files.
    pub fn cache_args_mut(&mut self) -> Option<&mut CacheArgs> {
        match self {
            Command::Check(args) => Some(&mut args.cache),
            Command::Measure(args) => Some(&mut args.cache),
            Command::Tighten(args) => Some(&mut args.cache),
            _ => None,
        }
    }
}

/// Where compressed sizes of built files are remembered.
#[derive(Debug, Clone, clap::Args)]
pub struct CacheArgs {
    /// Remember compressed sizes of built files here, by content. Default:
    /// $PERFBUDGET_CACHE_DIR, else the user's cache folder (~/.cache/perfbudget on Linux).
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Compress every built file afresh and remember nothing (over --cache-dir).
    #[arg(long)]
    pub no_cache: bool,
}

#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// Budget file. Default: perfbudget.yml, perfbudget.yaml or perfbudget.json.
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Red,
    Yellow,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MeasureFormat {
    Table,
    Json,
}
