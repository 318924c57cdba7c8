//! Detection over every real fixture: exactly one format claims each report file.

use std::path::{Path, PathBuf};

use super::format::{Detection, Head};
use super::registry::FORMATS;

fn files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, found);
        } else {
            found.push(path);
        }
    }
}

/// What detection must make of a fixture.
enum Expected {
    /// Exactly this format claims it.
    Claimed(&'static str),
    /// No format claims it, and this one explains what it is instead.
    NearMiss(&'static str),
    /// Not a report (READMEs, scripts, built files, criterion's own files, read as their
    /// folder): at most one format may claim it.
    Nothing,
}

/// The format each fixture is in, by the folder or name it has.
fn expected(path: &Path) -> Expected {
    let text = path.to_string_lossy();
    let name = path.file_name().unwrap().to_string_lossy();
    let extension = path.extension().map(|e| e.to_string_lossy().into_owned()).unwrap_or_default();
    let gatling = text.contains("fixtures/gatling/");
    let log_of_ours = (extension == "log" || (gatling && extension == "js"))
        && (text.contains("fixtures/cloudwatch-emf/") || text.contains("fixtures/lambda/") || gatling);
    if !(matches!(extension.as_str(), "json" | "ndjson" | "gz" | "txt" | "html" | "csv" | "tsv" | "xml" | "jtl")
        || log_of_ours)
        || name.starts_with("make-")
    {
        return Expected::Nothing;
    }
    Expected::Claimed(match () {
        _ if text.contains("/bundle/") => return Expected::Nothing,
        // hyperfine leaves 0-byte exports when its first command fails: no format's.
        _ if text.contains("tests/fixtures/hyperfine/") && name.starts_with("aborted-first") => {
            return Expected::Nothing;
        }
        _ if text.contains("tests/fixtures/hyperfine/") => "hyperfine",
        _ if text.contains("/generated/pages/") || text.contains("/generated/lhci/") => return Expected::Nothing,
        // A Gatling report's page: the folder is read whole, from js/.
        _ if gatling && extension == "html" => return Expected::Nothing,
        _ if gatling && name.contains("simulation.log") => "gatling-log",
        _ if gatling => "gatling",
        _ if extension == "html" => return Expected::NearMiss("lighthouse"),
        _ if text.contains("/k6/") && extension == "txt" => return Expected::NearMiss("k6-summary"),
        _ if text.contains("fixtures/autocannon/") && extension == "txt" => return Expected::NearMiss("autocannon"),
        _ if text.contains("fixtures/autocannon/") => "autocannon",
        _ if text.contains("fixtures/artillery/") && extension == "txt" => return Expected::NearMiss("artillery"),
        _ if text.contains("fixtures/artillery/") => "artillery",
        _ if name.starts_with("cargo-bench-message-format") => return Expected::NearMiss("cargo-criterion"),
        _ if text.contains("/criterion/") && name == "bencher.txt" => "bencher",
        _ if text.contains("/criterion/") && name.starts_with("cargo-criterion") => "cargo-criterion",
        // A criterion tree's files are read as their benchmark's folder.
        _ if text.contains("/criterion/") => return Expected::Nothing,
        _ if text.contains("/k6/") && (name.starts_with("stream") || extension == "gz") => "k6-stream",
        _ if text.contains("/k6/") => "k6-summary",
        _ if text.contains("tests/fixtures/ab/") => "ab",
        _ if text.contains("fixtures/jmeter/") && name == "statistics.json" => "jmeter-dashboard",
        // The APDEX table the dashboard wrote into its dashboard.js, kept to compare with.
        _ if text.contains("fixtures/jmeter/") && name == "apdex.json" => return Expected::Nothing,
        _ if text.contains("fixtures/jmeter/") && name.contains(".xml") => "jmeter-xml",
        _ if text.contains("fixtures/jmeter/") => "jmeter-jtl",
        _ if text.contains("fixtures/junit/") => "junit",
        _ if text.contains("fixtures/webpagetest/") || text.contains("samples/webpagetest") => "webpagetest",
        _ if text.contains("fixtures/cloudwatch-emf/") || text.contains("fixtures/lambda/") => "aws-logs",
        _ if text.contains("fixtures/locust/") && name.ends_with("_stats.csv") => "locust",
        _ if text.contains("fixtures/locust/") && extension == "json" => "locust-json",
        _ if text.contains("fixtures/locust/") && name.ends_with("_stats_history.csv") => "locust-history",
        _ if text.contains("fixtures/locust/") && name.ends_with("_failures.csv") => "locust-failures",
        _ if text.contains("fixtures/locust/") => return Expected::NearMiss("locust"),
        _ if text.contains("fixtures/prometheus/") && name == "versions.txt" => return Expected::Nothing,
        _ if text.contains("fixtures/prometheus/") && extension == "txt" => "prometheus",
        _ if name.starts_with("crux-") => "crux",
        // The `lighthouseResult` of a PageSpeed Insights response alone is a report.
        _ if name.starts_with("psi-lighthouseResult") => "lighthouse",
        _ if name.starts_with("psi-") => "pagespeed",
        _ if text.contains("/lighthouse/") && (name.starts_with("assertion-results") || name == "manifest.json") => {
            return Expected::Nothing;
        }
        _ if text.contains("/lighthouse/") || text.contains("samples/lighthouse") => "lighthouse",
        _ if text.contains("samples/k6") => "k6-summary",
        _ => return Expected::Nothing,
    })
}

#[test]
fn exactly_one_format_claims_each_real_fixture() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    files(&root.join("tests/fixtures"), &mut found);
    files(&root.join("samples"), &mut found);
    found.sort();
    let mut checked = 0;
    let mut wrong = Vec::new();
    for path in &found {
        let head = Head::read(path).unwrap();
        let claims: Vec<&str> = FORMATS
            .iter()
            .filter(|format| format.adapter.detect(&head) != Detection::No)
            .map(|format| format.id)
            .collect();
        let near_misses: Vec<&str> = FORMATS
            .iter()
            .filter(|format| format.adapter.near_miss(path, &head).is_some())
            .map(|format| format.id)
            .collect();
        let shown = path.strip_prefix(root).unwrap().display();
        match expected(path) {
            Expected::Claimed(id) if claims != [id] => wrong.push(format!("{shown}: claimed by {claims:?}, not {id}")),
            Expected::NearMiss(id) if !claims.is_empty() || near_misses != [id] => {
                wrong.push(format!("{shown}: claimed by {claims:?}, a near miss of {near_misses:?}, not of {id}"));
            }
            Expected::Nothing if claims.len() > 1 => wrong.push(format!("{shown}: claimed by {claims:?}")),
            _ => checked += 1,
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(checked >= 40, "only {checked} fixtures were checked");
}
