//! The environment a run is measured in: OS, architecture, CPU model and the CI runner,
//! from the process's own knowledge and the CI's variables. Only runs of the same
//! environment say what noise to expect of times (a faster CPU is not a regression).

use crate::model::report::Environment;

/// This machine's environment; `var` reads an environment variable.
pub fn detect(var: &dyn Fn(&str) -> Option<String>) -> Environment {
    Environment {
        os: std::env::consts::OS.to_owned(),
        arch: std::env::consts::ARCH.to_owned(),
        cpu_model: cpu_model(var),
        runner: runner(var),
    }
}

/// The CPU's model name: Linux's `/proc/cpuinfo`, Windows's `PROCESSOR_IDENTIFIER`.
fn cpu_model(var: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    if let Ok(cpuinfo) = std::fs::read_to_string("/proc/cpuinfo") {
        let model = cpuinfo.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            matches!(key.trim(), "model name" | "Hardware" | "cpu model").then(|| value.trim().to_owned())
        });
        if model.is_some() {
            return model;
        }
    }
    var("PROCESSOR_IDENTIFIER").filter(|model| !model.is_empty())
}

/// The CI runner's kind and image (GitHub Actions: `github-hosted ubuntu24`), or its
/// description and tags (GitLab): the runner name itself changes with every job.
fn runner(var: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let present = |name: &str| var(name).filter(|value| !value.is_empty());
    if present("GITHUB_ACTIONS").is_some() {
        let parts: Vec<String> = ["RUNNER_ENVIRONMENT", "ImageOS"].iter().filter_map(|name| present(name)).collect();
        return Some(if parts.is_empty() { "github-actions".to_owned() } else { parts.join(" ") });
    }
    if present("GITLAB_CI").is_some() {
        let parts: Vec<String> =
            ["CI_RUNNER_DESCRIPTION", "CI_RUNNER_TAGS"].iter().filter_map(|name| present(name)).collect();
        return Some(if parts.is_empty() { "gitlab".to_owned() } else { parts.join(" ") });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let vars: Vec<(String, String)> = vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        move |name| vars.iter().find(|(key, _)| key == name).map(|(_, value)| value.clone())
    }

    #[test]
    fn the_runner_is_its_kind_and_image_not_its_name() {
        let github = from(&[
            ("GITHUB_ACTIONS", "true"),
            ("RUNNER_ENVIRONMENT", "github-hosted"),
            ("ImageOS", "ubuntu24"),
            ("RUNNER_NAME", "GitHub Actions 12"),
        ]);
        assert_eq!(detect(&github).runner.as_deref(), Some("github-hosted ubuntu24"));
        let gitlab = from(&[("GITLAB_CI", "true"), ("CI_RUNNER_TAGS", "[\"linux\"]")]);
        assert_eq!(detect(&gitlab).runner.as_deref(), Some("[\"linux\"]"));
        let local = detect(&from(&[]));
        assert_eq!((local.runner, local.os.as_str()), (None, std::env::consts::OS));
    }
}
