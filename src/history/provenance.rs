//! The commit, branch and time of a run being recorded: given on the command line, else
//! from the CI's variables (GitHub Actions, GitLab CI), else from `git` in the current
//! folder, else refused — a run recorded on no branch could never be a baseline.

use std::path::Path;

use anyhow::bail;

use super::record::Provenance;

/// What the command line gave.
#[derive(Debug, Clone, Default)]
pub struct Given {
    pub commit: Option<String>,
    pub branch: Option<String>,
    pub time: Option<String>,
}

/// The run's provenance. `var` reads an environment variable; `now` is the current time.
pub fn resolve(
    given: Given,
    var: &dyn Fn(&str) -> Option<String>,
    cwd: &Path,
    now: jiff::Timestamp,
) -> anyhow::Result<Provenance> {
    let present = |name: &str| var(name).filter(|value| !value.trim().is_empty());
    let commit = given
        .commit
        .or_else(|| present("GITHUB_SHA"))
        .or_else(|| present("CI_COMMIT_SHA"))
        .or_else(|| git(cwd, &["rev-parse", "HEAD"]));
    // On a pull request GITHUB_REF_NAME is `123/merge`; the head branch is GITHUB_HEAD_REF.
    let branch = given
        .branch
        .or_else(|| present("GITHUB_HEAD_REF"))
        .or_else(|| present("GITHUB_REF_NAME"))
        .or_else(|| present("CI_COMMIT_BRANCH"))
        .or_else(|| present("CI_COMMIT_REF_NAME"))
        .or_else(|| git(cwd, &["symbolic-ref", "--short", "-q", "HEAD"]));
    let Some(branch) = branch else {
        bail!("the branch of this run is not known (no CI variables, and git is on no branch): give --branch NAME");
    };
    let time = match given.time {
        Some(text) => parse_time(&text).map_err(|message| anyhow::anyhow!("--time {text:?}: {message}"))?,
        None => now.to_string(),
    };
    Ok(Provenance { commit, branch, time })
}

/// An RFC 3339 time (`2026-12-01T16:43:46Z`, `2026-12-01T17:43:46+01:00`), as UTC.
pub fn parse_time(text: &str) -> Result<String, String> {
    text.parse::<jiff::Timestamp>()
        .map(|time| time.to_string())
        .map_err(|_| "not an RFC 3339 time such as 2026-12-01T16:43:46Z".to_owned())
}

/// One line of `git`'s output in `cwd`, or `None` when git is missing or fails.
fn git(cwd: &Path, args: &[&str]) -> Option<String> {
    let output = std::process::Command::new("git").args(args).current_dir(cwd).output().ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    let line = text.trim();
    (output.status.success() && !line.is_empty()).then(|| line.to_owned())
}

/// The merge-base of `HEAD` and `branch` (or `origin/branch`), where git knows it.
pub fn merge_base(cwd: &Path, branch: &str) -> Option<String> {
    git(cwd, &["merge-base", "HEAD", branch]).or_else(|| git(cwd, &["merge-base", "HEAD", &format!("origin/{branch}")]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ci_variables_come_before_git_and_the_head_branch_before_the_merge_ref() {
        let vars = |name: &str| match name {
            "GITHUB_SHA" => Some("abc123".to_owned()),
            "GITHUB_HEAD_REF" => Some("feature".to_owned()),
            "GITHUB_REF_NAME" => Some("12/merge".to_owned()),
            _ => None,
        };
        let now: jiff::Timestamp = "2026-12-01T16:43:46Z".parse().unwrap();
        let provenance = resolve(Given::default(), &vars, Path::new("/"), now).unwrap();
        assert_eq!(
            provenance,
            Provenance { commit: Some("abc123".into()), branch: "feature".into(), time: "2026-12-01T16:43:46Z".into() }
        );
        let given = Given { time: Some("2026-12-01T17:43:46+01:00".into()), ..Given::default() };
        assert_eq!(resolve(given, &vars, Path::new("/"), now).unwrap().time, "2026-12-01T16:43:46Z");
        let bad = Given { time: Some("yesterday".into()), ..Given::default() };
        assert_eq!(
            format!("{:#}", resolve(bad, &vars, Path::new("/"), now).unwrap_err()),
            "--time \"yesterday\": not an RFC 3339 time such as 2026-12-01T16:43:46Z"
        );
    }
}
