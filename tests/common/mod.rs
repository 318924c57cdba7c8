//! What the command-line test crates share: running the binary in a folder.

use std::path::{Path, PathBuf};
use std::process::Command;

/// What one run of the binary printed, and its exit code.
pub(crate) struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `perfbudget ARGS` in `dir`, outside GitHub Actions and with colours left to the
/// terminal check (the output is a pipe), whatever the environment running the tests.
pub(crate) fn perfbudget(dir: &Path, args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_perfbudget"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("GITHUB_ACTIONS")
        // Compressed sizes are remembered here, never in the user's cache.
        .env("PERFBUDGET_CACHE_DIR", env!("CARGO_TARGET_TMPDIR"))
        .output()
        .expect("perfbudget runs");
    Run {
        code: output.status.code().expect("exited, not killed"),
        stdout: String::from_utf8(output.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(output.stderr).expect("utf-8 stderr"),
    }
}

pub(crate) fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}
