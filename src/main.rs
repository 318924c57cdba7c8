//! The `perfbudget` binary: parse arguments, run, print, exit 0/1/2.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;

use perfbudget::app::{self, ExitStatus, Github, Outcome, Terminal};
use perfbudget::cli::Cli;
use perfbudget::report::escape;

fn main() -> ExitCode {
    // A gate that crashed has not passed.
    ExitCode::from(perfbudget::crash::guard(run, ExitStatus::Untrusted))
}

fn run() -> ExitStatus {
    let mut cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return usage(&error),
    };
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
        Ok(outcome) => print(&outcome, &mut std::io::stdout().lock(), &mut std::io::stderr().lock()),
        Err(error) => fail(&error),
    }
}

/// Help and version (stdout, exit 0) and usage errors (stderr, exit 2) as clap prints
/// them, but without colour and with every line escaped: a usage error echoes the
/// argument, which may be a hostile file name a shell glob expanded.
fn usage(error: &clap::Error) -> ExitStatus {
    let text = error.render().to_string();
    // clap's codes: 0 for help and version, 2 for a usage error.
    let status = if error.exit_code() == 0 { ExitStatus::Pass } else { ExitStatus::Untrusted };
    if error.use_stderr() {
        let _ = std::io::stderr().lock().write_all(escape::terminal_lines(&text).as_bytes());
        return status;
    }
    let outcome = Outcome { stdout: text, stderr: String::new(), status };
    print(&outcome, &mut std::io::stdout().lock(), &mut std::io::stderr().lock())
}

/// Writes what a command printed and returns the exit status. A closed pipe (`| head`) is
/// no error: the reader took what it wanted, and the verdict stands (a red run stays 1).
/// Any other failure (a full disk under `comment > comment.md`) leaves a cut file that
/// looks whole, so the run cannot be trusted: exit 2, said on stderr.
fn print(outcome: &Outcome, stdout: &mut dyn Write, stderr: &mut dyn Write) -> ExitStatus {
    let mut status = outcome.status;
    if let Err(error) = write_flushed(stdout, &outcome.stdout)
        && error.kind() != std::io::ErrorKind::BrokenPipe
    {
        let _ = writeln!(stderr, "error: cannot write to stdout: {error}");
        status = ExitStatus::Untrusted;
    }
    // Warnings that cannot be written leave nowhere to say so; the exit code does.
    if let Err(error) = write_flushed(stderr, &outcome.stderr)
        && error.kind() != std::io::ErrorKind::BrokenPipe
    {
        status = ExitStatus::Untrusted;
    }
    status
}

/// Writes `text` and flushes, so a buffered write's failure is seen here.
fn write_flushed(writer: &mut dyn Write, text: &str) -> std::io::Result<()> {
    writer.write_all(text.as_bytes())?;
    writer.flush()
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

fn fail(error: &anyhow::Error) -> ExitStatus {
    let message = escape::terminal(&format!("{error:#}"));
    let _ = writeln!(std::io::stderr(), "error: {message}");
    ExitStatus::Untrusted
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::ErrorKind;

    /// Accepts `room` bytes, then fails every write with `kind`.
    struct Failing {
        room: usize,
        kind: ErrorKind,
        written: Vec<u8>,
    }

    impl Write for Failing {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            if self.room == 0 {
                return Err(self.kind.into());
            }
            let n = bytes.len().min(self.room);
            self.room -= n;
            self.written.extend_from_slice(&bytes[..n]);
            Ok(n)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn failing(room: usize, kind: ErrorKind) -> Failing {
        Failing { room, kind, written: Vec::new() }
    }

    fn outcome(status: ExitStatus) -> Outcome {
        Outcome { stdout: "| row |\n| row |\n".into(), stderr: "warning: w\n".into(), status }
    }

    #[test]
    fn a_failed_write_is_exit_2_and_said() {
        let (mut stdout, mut stderr) = (failing(7, ErrorKind::StorageFull), Vec::new());
        assert_eq!(print(&outcome(ExitStatus::Pass), &mut stdout, &mut stderr), ExitStatus::Untrusted);
        assert_eq!(stdout.written, b"| row |");
        let said = String::from_utf8(stderr).unwrap();
        assert!(said.starts_with("error: cannot write to stdout: "), "{said}");
        assert!(said.ends_with("warning: w\n"), "{said}");
        // stderr failing leaves only the exit code to tell.
        let mut stderr = failing(0, ErrorKind::Other);
        assert_eq!(print(&outcome(ExitStatus::Fail), &mut Vec::new(), &mut stderr), ExitStatus::Untrusted);
    }

    #[test]
    fn a_closed_pipe_keeps_the_verdict_quietly() {
        for status in [ExitStatus::Pass, ExitStatus::Fail] {
            let (mut stdout, mut stderr) = (failing(3, ErrorKind::BrokenPipe), Vec::new());
            assert_eq!(print(&outcome(status), &mut stdout, &mut stderr), status);
            assert_eq!(stderr, b"warning: w\n");
            assert_eq!(print(&outcome(status), &mut Vec::new(), &mut failing(0, ErrorKind::BrokenPipe)), status);
        }
    }
}
