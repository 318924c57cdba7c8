//! What each command does: budget -> inputs -> evaluate -> reports, one file per command.
//! Returns the text to print and the exit status; `main` prints. Files named by flags are
//! written here. Paths are used as given (relative to the working folder), so messages name
//! files the way the user wrote them; `cwd` is only where a default budget file is looked
//! for.

mod bundle;
mod check;
mod comment;
mod history;
mod import;
mod init;
mod measure;
mod merge;
mod schema;
mod tighten;
mod validate;

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::budget::{self, Budget};
use crate::cli::{CheckArgs, Cli, Command};
use crate::report::json::Report;
use crate::report::{self, RenderError, markdown};

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

/// How a run ends, as the `--help` text documents it. Only these three exist, so no other
/// code can be returned.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: nothing red (yellow passes unless `--fail-on yellow`), or a command other than
    /// `check` that ran to the end.
    #[default]
    Pass,
    /// 1: at least one check is red (or yellow, under `--fail-on yellow`).
    Fail,
    /// 2: the run cannot be trusted: bad budget file, unreadable, unknown or malformed
    /// input, bad flag, a failed write, an internal error or a crash.
    Untrusted,
}

impl From<ExitStatus> for std::process::ExitCode {
    fn from(status: ExitStatus) -> std::process::ExitCode {
        std::process::ExitCode::from(match status {
            ExitStatus::Pass => 0,
            ExitStatus::Fail => 1,
            ExitStatus::Untrusted => 2,
        })
    }
}

/// The result of a command that ran to the end.
#[derive(Debug, Default)]
pub struct Outcome {
    pub stdout: String,
    pub stderr: String,
    /// Pass or fail; errors (untrusted) are returned as `Err`.
    pub status: ExitStatus,
}

pub fn run(cli: Cli, cwd: &Path, terminal: &Terminal, github: &Github) -> anyhow::Result<Outcome> {
    match cli.command {
        Command::Check(args) => check::run(&args, cwd, terminal, github),
        Command::Comment(args) => comment::run(&args),
        Command::Merge(args) => merge::run(&args, terminal, github),
        Command::Measure(args) => measure::run(&args, terminal),
        Command::Validate(args) => validate::run(&args, cwd),
        Command::Schema => schema::run(),
        Command::Init(args) => init::run(&args, cwd),
        Command::Import(args) => import::run(&args, cwd),
        Command::Tighten(args) => tighten::run(&args, cwd, terminal),
        Command::History(command) => history::run(&command, cwd),
    }
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

/// The budget `check` and `validate` read: the one given, or the default file in `cwd`.
fn load_budget(given: Option<&Path>, cwd: &Path) -> anyhow::Result<Budget> {
    Ok(budget::load(&find_budget(given, cwd)?)?)
}

/// How `check` words its markdown: the marker's key and the extras asked for.
#[derive(Debug, Clone, Copy)]
struct Comment<'a> {
    marker: &'a str,
    extras: markdown::Extras,
}

/// A report file `check` writes when its flag names a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ReportFile {
    Json,
    Markdown,
    Junit,
    Html,
}

impl ReportFile {
    /// The name of its `$GITHUB_OUTPUT` path output, as of its flag.
    fn name(self) -> &'static str {
        match self {
            ReportFile::Json => "json",
            ReportFile::Markdown => "markdown",
            ReportFile::Junit => "junit",
            ReportFile::Html => "html",
        }
    }

    /// What it is, in messages.
    fn what(self) -> &'static str {
        match self {
            ReportFile::Json => "JSON report",
            ReportFile::Markdown => "markdown report",
            ReportFile::Junit => "JUnit report",
            ReportFile::Html => "HTML report",
        }
    }

    fn render(self, report: &Report, comment: Comment<'_>) -> Result<String, RenderError> {
        match self {
            ReportFile::Json => report::json::render(report),
            ReportFile::Markdown => {
                Ok(markdown::render_with(report, comment.marker, markdown::MAX_BYTES, comment.extras))
            }
            ReportFile::Junit => report::junit::render(report),
            ReportFile::Html => Ok(report::html::render(report)),
        }
    }
}

/// The report files of one `check` run, in flag order (`--json`, `--markdown`, `--junit`),
/// as hyperfine's `ExportManager` holds its exports.
#[derive(Debug)]
struct Outputs<'a> {
    files: Vec<(ReportFile, &'a Path)>,
}

impl<'a> Outputs<'a> {
    fn of(args: &'a CheckArgs) -> Outputs<'a> {
        let flags = [
            (ReportFile::Json, &args.json),
            (ReportFile::Markdown, &args.markdown),
            (ReportFile::Junit, &args.junit),
            (ReportFile::Html, &args.html),
        ];
        Outputs { files: flags.into_iter().filter_map(|(file, path)| Some((file, path.as_deref()?))).collect() }
    }

    /// Renders every report, then writes them (see [`write_rendered`]).
    fn write(&self, report: &Report, comment: Comment<'_>) -> anyhow::Result<()> {
        write_rendered(self.files.iter().map(|&(file, path)| (file, path, file.render(report, comment))))
    }

    /// The `$GITHUB_OUTPUT` path outputs: `json`, `markdown`, `junit` for the files written.
    fn paths(&self) -> Vec<(&'static str, String)> {
        self.files.iter().map(|(file, path)| (file.name(), path.display().to_string())).collect()
    }
}

/// Takes every rendered text into memory before writing the first file: a report that
/// could not be rendered leaves no file written, none empty and none cut. A write that
/// fails (a full disk) is an error naming the file.
fn write_rendered<'a>(
    rendered: impl IntoIterator<Item = (ReportFile, &'a Path, Result<String, RenderError>)>,
) -> anyhow::Result<()> {
    let mut texts = Vec::new();
    for (file, path, text) in rendered {
        texts.push((file, path, text.with_context(|| format!("{}: not written", path.display()))?));
    }
    for (file, path, text) in texts {
        write(path, &text, file.what())?;
    }
    Ok(())
}

/// Under GitHub Actions: the step summary and outputs are written, annotations lead the
/// output, and the table (which holds untrusted names) is printed with workflow commands
/// stopped.
fn github_step(
    report: &Report,
    comment: Comment<'_>,
    outputs: &Outputs<'_>,
    github: &Github,
    table: &str,
) -> anyhow::Result<String> {
    if let Some(path) = &github.step_summary {
        let summary =
            markdown::render_with(report, comment.marker, report::github::STEP_SUMMARY_MAX_BYTES, comment.extras);
        append(path, &format!("{summary}\n"), "$GITHUB_STEP_SUMMARY")?;
    }
    if let Some(path) = &github.output {
        let delimiter = format!("ghadelimiter_{}", github.token);
        append(path, &report::github::outputs(report, &outputs.paths(), &delimiter), "$GITHUB_OUTPUT")?;
    }
    Ok(format!("{}{}", report::github::annotations(report), report::github::without_commands(table, &github.token)))
}

/// Appends to a file the runner reads (`$GITHUB_STEP_SUMMARY`, `$GITHUB_OUTPUT`).
fn append(path: &Path, text: &str, what: &str) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("cannot open {what} {}", path.display()))?;
    file.write_all(text.as_bytes()).with_context(|| format!("cannot write {what} {}", path.display()))
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

    /// No input makes a renderer fail (see [`RenderError`]), so the failure is made here:
    /// a report that did not render leaves every file unwritten, the ones before it too.
    #[test]
    fn a_report_that_does_not_render_leaves_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let (json, junit) = (dir.path().join("out/report.json"), dir.path().join("out/junit.xml"));
        let failed = RenderError::Junit(std::io::Error::other("refused").into());
        let error = write_rendered([
            (ReportFile::Json, json.as_path(), Ok("{}\n".to_owned())),
            (ReportFile::Junit, junit.as_path(), Err(failed)),
        ])
        .unwrap_err();
        let said = format!("{error:#}");
        let expected = format!(
            "{}: not written: cannot render the JUnit report (a bug in perfbudget; please report it): ",
            junit.display()
        );
        assert!(said.starts_with(&expected) && said.ends_with("refused"), "{said}");
        assert!(!json.exists() && !junit.exists() && !dir.path().join("out").exists());

        let source = serde_json::from_str::<u8>("x").unwrap_err();
        let failed = RenderError::Json { what: "JSON report", source };
        let error = write_rendered([(ReportFile::Json, json.as_path(), Err(failed))]).unwrap_err();
        let said = format!("{error:#}");
        let expected = format!(
            "{}: not written: cannot render the JSON report (a bug in perfbudget; please report it): expected value",
            json.display()
        );
        assert!(said.starts_with(&expected), "{said}");
        assert!(!json.exists());

        write_rendered([
            (ReportFile::Json, json.as_path(), Ok("{}\n".to_owned())),
            (ReportFile::Junit, junit.as_path(), Ok("<x/>\n".to_owned())),
        ])
        .unwrap();
        assert_eq!(std::fs::read_to_string(&json).unwrap(), "{}\n");
        assert_eq!(std::fs::read_to_string(&junit).unwrap(), "<x/>\n");
    }

    #[test]
    fn the_report_files_are_those_flagged_in_flag_order() {
        use clap::Parser as _;
        let cli =
            Cli::try_parse_from(["perfbudget", "check", "--junit", "j.xml", "--json", "r.json", "k6.json"]).unwrap();
        let Command::Check(args) = cli.command else { panic!("not check") };
        let outputs = Outputs::of(&args);
        assert_eq!(outputs.files, [(ReportFile::Json, Path::new("r.json")), (ReportFile::Junit, Path::new("j.xml"))]);
        assert_eq!(outputs.paths(), [("json", "r.json".to_owned()), ("junit", "j.xml".to_owned())]);
    }
}
