//! The `perfbudget` binary: parse arguments, run, print, exit 0/1/2.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;

use perfbudget::app::{self, Github, Terminal};
use perfbudget::cli::Cli;

use perfbudget::crash::UNTRUSTED;

fn main() -> ExitCode {
    ExitCode::from(perfbudget::crash::guard(run))
}

fn run() -> u8 {
    // clap prints usage errors itself and exits 2, the "cannot be trusted" code.
    let mut cli = Cli::parse();
    // PERFBUDGET_CACHE_DIR stands in for --cache-dir; empty is unset, as CI templates often
    // leave variables.
    if let Some(dir) = std::env::var_os("PERFBUDGET_CACHE_DIR").filter(|dir| !dir.is_empty())
        && let Some(cache) = cli.command.cache_args_mut()
    {
        cache.cache_dir.get_or_insert_with(|| dir.into());
    }
    let cwd = match std::env::current_dir() {
        Ok(cwd) => cwd,
        Err(error) => return fail(&anyhow::anyhow!("cannot read the current folder: {error}")),
    };
    let stdout_is_terminal = std::io::stdout().is_terminal();
    let width = if stdout_is_terminal { comfy_table::Table::new().width() } else { None };
    let mut terminal = Terminal::new(stdout_is_terminal, std::env::var_os("NO_COLOR").as_deref(), width);
    terminal.progress = std::io::stderr().is_terminal();
    let github = Github {
        actions: std::env::var_os("GITHUB_ACTIONS").is_some_and(|value| value == "true"),
        step_summary: std::env::var_os("GITHUB_STEP_SUMMARY").filter(|v| !v.is_empty()).map(Into::into),
        output: std::env::var_os("GITHUB_OUTPUT").filter(|v| !v.is_empty()).map(Into::into),
        token: random_token(),
    };
    match app::run(cli, &cwd, &terminal, &github) {
        Ok(outcome) => {
            // A closed pipe (`| head`) is not an error of the gate: the verdict stands.
            let _ = std::io::stdout().lock().write_all(outcome.stdout.as_bytes());
            let _ = std::io::stderr().lock().write_all(outcome.stderr.as_bytes());
            outcome.exit_code
        }
        Err(error) => fail(&error),
    }
}

/// A token nobody can predict, for heredoc delimiters and stop-commands: std's hasher is
/// seeded randomly per process; the process id and the time are mixed in as well.
fn random_token() -> String {
    use std::hash::BuildHasher;
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let seed = std::collections::hash_map::RandomState::new();
    let (a, b) = (seed.hash_one((std::process::id(), nanos)), seed.hash_one((nanos, 0x9e37_79b9_u32)));
    format!("{a:016x}{b:016x}")
}

fn fail(error: &anyhow::Error) -> u8 {
    let message = perfbudget::report::escape::terminal(&format!("{error:#}"));
    let _ = writeln!(std::io::stderr(), "error: {message}");
    UNTRUSTED
}
