//! The command-line contract as data: each `tests/cmd/*.toml` is one run of the binary with
//! its arguments and its exact exit code, stdout and stderr (beside it: `NAME.stdout` for long
//! outputs, `NAME.in/` the folder it runs in, copied to a temporary sandbox, and `NAME.out/`
//! the files it must write there). See tests/cmd/README.md.
//!
//! After an intended change of output, refresh the cases and review the diff:
//!
//! ```text
//! TRYCMD=overwrite cargo test --test cli_cases
//! ```
//!
//! The other tests here keep the README honest: every command line it shows is a case (or
//! says why it cannot be one), the output it quotes is what a case prints, and its budget
//! and measurement examples load.
#![allow(clippy::unwrap_used, clippy::panic)] // test setup: a failure should stop the test

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{perfbudget, repo};

#[test]
fn cli_cases() {
    trycmd::TestCases::new()
        .register_bin("perfbudget", common::binary())
        .default_bin_name("perfbudget")
        // Each case clears the environment (`env.inherit = false`); this is all it gets.
        .env("PERFBUDGET_CACHE_DIR", common::cache_dir().display().to_string())
        // The crate's version, exact, but kept out of the case files so a release bump does
        // not touch them (text cases only; `binary = true` cases compare bytes).
        .insert_var("[VERSION]", env!("CARGO_PKG_VERSION"))
        .unwrap()
        .case("tests/cmd/*.toml");
}

fn cases_dir() -> PathBuf {
    repo().join("tests/cmd")
}

/// Every `tests/cmd/*.toml`, by name without the extension, in name order.
fn case_names() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(cases_dir())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .map(|path| path.file_stem().unwrap().to_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

fn case_toml(name: &str) -> String {
    fs::read_to_string(cases_dir().join(format!("{name}.toml"))).unwrap_or_else(|_| panic!("no case {name}.toml"))
}

/// A case's `args`, written on one line as an array of plain strings (which is JSON too).
fn case_args(name: &str) -> Vec<String> {
    let toml = case_toml(name);
    let line = toml.lines().find_map(|line| line.strip_prefix("args = ")).unwrap_or_else(|| panic!("{name}: no args"));
    serde_json::from_str(line).unwrap_or_else(|e| panic!("{name}: args must be one line of plain strings: {e}"))
}

/// What a case expects the binary to print: its inline `stdout`/`stderr` and its
/// `.stdout`/`.stderr` files.
fn case_expected_output(name: &str) -> String {
    let mut text = case_toml(name);
    for ext in ["stdout", "stderr"] {
        text.push_str(&fs::read_to_string(cases_dir().join(format!("{name}.{ext}"))).unwrap_or_default());
    }
    text
}

/// The case runs in a sandbox: a copy of its `.in/` folder (or of `fs.base`), never the
/// repository.
fn sandboxed(name: &str, toml: &str) -> bool {
    let dir = cases_dir();
    let own_out = dir.join(format!("{name}.out")).is_dir();
    let own_in = dir.join(format!("{name}.in")).is_dir();
    let flag = toml.lines().any(|line| line.trim() == "fs.sandbox = true");
    own_out || ((own_in || toml.contains("fs.base = ")) && flag)
}

#[test]
fn every_case_runs_in_a_clean_environment_and_writes_only_in_a_sandbox() {
    let names = case_names();
    assert!(names.len() >= 60, "{} cases", names.len());
    for name in &names {
        let toml = case_toml(name);
        // Nothing of the environment running the tests reaches the binary: no GITHUB_*, no
        // NO_COLOR, no COLUMNS. A case that wants a variable adds it with `env.add`.
        assert!(
            toml.lines().any(|line| line.trim() == "env.inherit = false"),
            "{name}.toml: add `env.inherit = false`"
        );
        assert!(toml.lines().any(|line| line.starts_with("status")), "{name}.toml: no expected `status`");
        let has = |ext: &str| {
            toml.lines().any(|l| l.starts_with(&format!("{ext} =")))
                || cases_dir().join(format!("{name}.{ext}")).is_file()
        };
        assert!(has("stdout") && has("stderr"), "{name}.toml: pin both stdout and stderr");
        let args = case_args(name);
        let help = args.iter().any(|arg| arg == "--help" || arg == "-h");
        let writes = !help
            && (args.first().is_some_and(|command| command == "init")
                || args.iter().any(|arg| ["--json", "--markdown", "--junit", "--output"].contains(&arg.as_str())));
        assert!(
            !writes || sandboxed(name, &toml),
            "{name}.toml writes files: give it a `{name}.in/` folder and `fs.sandbox = true`, or a `{name}.out/`"
        );
    }
}

/// How the README's command lines are covered.
enum Covered {
    /// By this case: the README's arguments appear in its `args`, in order (the case may add
    /// what it needs to run on shipped files, such as `--budget`).
    Case(&'static str),
    /// The command synopsis of `## Commands`: its flags must be those of this case's
    /// `--help` output.
    Synopsis(&'static str),
    /// Not a case, and why.
    Not(&'static str),
}

use Covered::{Case, Not, Synopsis};

/// Every command line the README shows (in a code block, or as a code span that starts with
/// one of [`COMMAND_STARTS`]) and how a case covers it. A new command line in the README
/// must be added here.
const README_COMMANDS: &[(&str, Covered)] = &[
    ("cargo run --release -- check --budget budgets/demo.yml", Case("check-demo")),
    ("cargo run --release -- check --budget budgets/service-slos.yml", Case("check-service-slos")),
    ("cargo test", Not("the test suite itself, which runs these cases")),
    (
        "sha256sum --check --ignore-missing SHA256SUMS",
        Not("checks a downloaded release; tests/release.rs checks the archives"),
    ),
    (
        "gh attestation verify perfbudget-x86_64-unknown-linux-musl.tar.gz --repo perfbudget/perfbudget",
        Not("verifies a release's attestation with GitHub's API; none exists before the first tag"),
    ),
    (
        "npm install --save-dev perfbudget",
        Not("installs the published npm package; tests/npm.rs installs its tarballs"),
    ),
    ("npx perfbudget check", Not("runs the npm package; tests/npm.rs runs `npx perfbudget check` on the demo")),
    (
        "cargo install --locked --git https://github.com/perfbudget/perfbudget perfbudget",
        Not("builds from GitHub; the network here reaches package registries only"),
    ),
    ("action/install.sh", Not("the Action's install step; tests/release.rs runs it against a local release server")),
    ("cargo install --locked --path .", Not("a release build of this checkout, what `cargo run --release` builds")),
    ("cargo fmt --check", Not(".ci/run's formatting step, not a perfbudget command")),
    ("cargo clippy --all-targets -- -D warnings", Not(".ci/run's lint step, not a perfbudget command")),
    ("cargo test --locked", Not("the test suite itself, which runs these cases")),
    ("TRYCMD=overwrite cargo test --test cli_cases", Not("rewrites these cases from the binary's output")),
    ("perfbudget measure --format json", Case("measure-format-json")),
    ("measure --format json", Case("measure-format-json")),
    ("perfbudget check dist/", Case("check-dist-seed")),
    ("perfbudget measure dist/", Case("measure-dist")),
    ("perfbudget measure before.prom after.prom", Case("measure-prometheus-window")),
    ("measure --scrape-elapsed 20s", Case("measure-prometheus-window")),
    (
        "perfbudget check    [--budget FILE] [--baseline REPORT.json | --history FILE [--branch NAME]]",
        Synopsis("check-help"),
    ),
    (
        "perfbudget measure  [--format table|json] [--input-format FORMAT] [--criterion-current NAME]",
        Synopsis("measure-help"),
    ),
    ("perfbudget validate [FILE]", Synopsis("validate-help")),
    ("perfbudget schema", Case("schema")),
    ("perfbudget comment  REPORT.json [--marker KEY] [--trend-charts]", Synopsis("comment-help")),
    (
        "perfbudget merge    REPORT.json... [--expect KEY,... | --expect-count N] [--missing red|yellow]",
        Synopsis("merge-help"),
    ),
    (
        "perfbudget check --key web --json perfbudget-report-web.json",
        Not("one job of a matrix; tests/merge.rs runs check --key on each job's budget"),
    ),
    ("perfbudget merge --expect web,api,bench,docs reports/", Case("merge")),
    ("perfbudget init     [--output FILE] [INPUT...]", Synopsis("init-help")),
    ("perfbudget import   FILE [--output FILE] [--force]", Synopsis("import-help")),
    ("perfbudget import .size-limit.json", Case("import-size-limit")),
    ("perfbudget import lighthouserc.json --output budgets/web.yml", Case("import-lossy")),
    (
        "perfbudget tighten  [--budget FILE] [--margin PERCENT] [--check] [--input-format FORMAT]",
        Synopsis("tighten-help"),
    ),
    ("perfbudget check --baseline base-report.json head.json", Case("check-loosened")),
    ("perfbudget check --baseline base-report.json --allow-loosening head.json", Case("check-allow-loosening")),
    ("perfbudget tighten --check", Case("tighten-check")),
    ("perfbudget tighten", Case("tighten")),
    (
        "perfbudget history  record REPORT.json [--commit SHA] [--branch NAME] [--time RFC3339]",
        Synopsis("history-record-help"),
    ),
    (
        "perfbudget history  show [--branch NAME] [--metric M] [--subject TAG=GLOB] [--last N]",
        Synopsis("history-show-help"),
    ),
    ("perfbudget history  export [--output FILE]", Synopsis("history-export-help")),
    ("perfbudget check --json report.json", Case("check-reports")),
    ("perfbudget history record report.json --history perfbudget-history.db", Case("history-record")),
    (
        "cargo run --release --example noise_simulation",
        Not("a seeded simulation of 360,000 judged values; its table is pasted in the README"),
    ),
    ("cargo bench --bench history", Not("criterion benchmarks, minutes long; their numbers are in the README")),
    (
        "benches/history/real-data.sh",
        Not("checks out and benches 20 commits twice, about 30 minutes; its table is summarised in the README"),
    ),
    ("perfbudget check --history perfbudget-history.db --branch main --markdown comment.md", Case("check-history")),
    ("perfbudget history  import FILE.jsonl", Synopsis("history-import-help")),
    ("perfbudget history  prune --keep N [--branch NAME]", Synopsis("history-prune-help")),
    (
        "cargo run --release --example write_workload -- target/workload",
        Not("builds a release example and writes a 10,000-measurement workload into target/"),
    ),
    (
        "hyperfine -N -i 'target/release/perfbudget check --budget target/workload/perfbudget.yml target/workload/measurements.json'",
        Not("a timing with hyperfine, on the workload the command before it writes"),
    ),
    ("perfbudget check", Case("check-default-budget")),
    ("perfbudget --version", Case("version")),
    ("check --criterion-baseline base", Case("check-criterion-baseline")),
    ("check --no-cache", Case("check-dist-no-cache")),
    (
        "npm install size-limit@12 @size-limit/file@12",
        Not("installs the peer tool from npm for a comparison; not perfbudget"),
    ),
    (
        "benches/bundle/make-large-dist.sh",
        Not("writes a 201 MB build and needs size-limit; `check --no-cache` on the shipped dist/ is the case"),
    ),
    ("benches/bundle/compare-size-limit.sh", Not("times size-limit against perfbudget on the 201 MB build")),
    (
        "benches/rows/measure-peak.sh",
        Not("times three 100,000-measurement gates with /usr/bin/time; hostile/driver.rs tests the row bounds"),
    ),
    (
        "cargo run --release --example write_criterion_tree -- DIR/criterion",
        Not("writes a 5,000-benchmark tree; `check --criterion-baseline` on the shipped tree is the case"),
    ),
    (
        "for i in $(seq 150); do zcat tests/fixtures/k6/generated/v110/stream.ndjson.gz; done > big.ndjson",
        Not("writes a 308 MB stream for a timing; `check` of the shipped stream is the case check-k6-stream"),
    ),
    ("contrib/gitlab/mr-note.sh", Not("GitLab's API behind a token; tests/contrib.rs runs it against a stub curl")),
    (
        "contrib/gitlab/baseline.sh",
        Not("GitLab's artifact API; tests/action_baseline.rs runs it against a stub API on 127.0.0.1"),
    ),
    ("cargo bench --bench bundle", Not("a criterion benchmark of the compressors, minutes long")),
    ("cargo bench --bench gatling_log", Not("a criterion benchmark over 400 MB in memory, minutes long")),
    (
        "cargo bench --bench loadtools -- --warm-up-time 0.5 --measurement-time 2",
        Not("a criterion benchmark of the load-tool readers on 100 MB inputs built in memory"),
    ),
    (
        "cargo bench --bench prometheus -- --warm-up-time 1 --measurement-time 4",
        Not("a criterion benchmark of the scrape reader on a 17 MB scrape built in memory"),
    ),
    (
        "tail -n +2 tests/fixtures/ab/orders-gnuplot.tsv > rows.tsv",
        Not("the first step of writing a 1 GB ab -g file for a timing; tests/ab.rs reads the shipped one"),
    ),
    ("for i in $(seq 100); do cat rows.tsv; done > rows100.tsv", Not("the second step of writing the 1 GB file")),
    (
        "(head -1 tests/fixtures/ab/orders-gnuplot.tsv; for i in $(seq 425); do cat rows100.tsv; done) > /tmp/ab-1gb.tsv",
        Not("writes the 1 GB ab -g file for a timing"),
    ),
    (
        "/usr/bin/time -v target/release/perfbudget measure /tmp/ab-1gb.tsv",
        Not("times the release binary on the 1 GB file the lines before it write"),
    ),
];

/// Code spans that start with these are command lines (and scripts, `*.sh`).
const COMMAND_STARTS: &[&str] =
    &["perfbudget ", "cargo ", "check --", "measure --", "hyperfine ", "npm ", "for ", "TRYCMD="];

fn is_command(span: &str) -> bool {
    COMMAND_STARTS.iter().any(|start| span.starts_with(start)) || (span.ends_with(".sh") && !span.contains(' '))
}

/// Flags the README's `## Commands` synopsis leaves out although `--help` has them
/// (reported to the README's owners; remove an entry when the synopsis gains it).
/// `history`'s `--history` and `--budget` are said once, in the sentence below the synopsis.
const NOT_IN_SYNOPSIS: &[(&str, &str)] = &[("history", "--history"), ("history", "--budget")];

/// The command lines of the README: the lines of its `sh` code blocks, and the lines of its
/// plain code blocks and its code spans that start like a command.
fn readme_command_lines(readme: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut fence: Option<String> = None;
    for line in readme.lines() {
        if let Some(info) = line.strip_prefix("```") {
            fence = match fence {
                Some(_) => None,
                None => Some(info.trim().to_owned()),
            };
            continue;
        }
        match fence.as_deref() {
            // A shell block is all commands; a plain one (the synopsis, the layout) only
            // where a line starts like one.
            Some("sh" | "console") => {
                let command = line.split("  #").next().unwrap().trim();
                if !command.is_empty() {
                    lines.push(command.to_owned());
                }
            }
            Some("") if is_command(line) => lines.push(line.trim().to_owned()),
            Some(_) => {}
            None => {
                for span in line.split('`').skip(1).step_by(2) {
                    if is_command(span) {
                        lines.push(span.to_owned());
                    }
                }
            }
        }
    }
    lines
}

/// The flags (`--name`) in a text.
fn flags(text: &str) -> Vec<String> {
    let mut flags: Vec<String> = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|word| word.starts_with("--") && word.len() > 2)
        .map(str::to_owned)
        .collect();
    flags.sort();
    flags.dedup();
    flags
}

#[test]
fn every_readme_command_line_is_a_case_or_says_why_not() {
    let readme = fs::read_to_string(repo().join("README.md")).unwrap();
    let shown = readme_command_lines(&readme);
    for line in &shown {
        assert!(
            README_COMMANDS.iter().any(|(command, _)| command == line),
            "the README shows `{line}`: add it to README_COMMANDS with its case (tests/cmd/) or why it cannot be one"
        );
    }
    let synopsis = readme.split("## Commands\n").nth(1).unwrap().split("```").nth(1).unwrap();
    for (command, covered) in README_COMMANDS {
        assert!(
            shown.iter().any(|line| line == command),
            "README_COMMANDS lists `{command}`, which the README no longer shows"
        );
        match covered {
            Case(name) => {
                let words: Vec<&str> = match command.strip_prefix("cargo run --release -- ") {
                    Some(rest) => rest.split_whitespace().collect(),
                    None => command.trim_start_matches("perfbudget ").split_whitespace().collect(),
                };
                let args = case_args(name);
                let mut rest = args.iter();
                for word in &words {
                    assert!(rest.any(|arg| arg == word), "{name}.toml does not run `{command}`: args {args:?}");
                }
            }
            Synopsis(name) => {
                // The synopsis of one command may span several lines: up to the next command.
                // `history` has commands of its own: each line is one of them.
                let words: Vec<&str> = command.split_whitespace().skip(1).collect();
                let subcommand = words[0];
                let depth = if subcommand == "history" { 2 } else { 1 };
                let text: String = synopsis
                    .split("perfbudget ")
                    .find(|part| part.split_whitespace().take(depth).eq(words.iter().copied().take(depth)))
                    .unwrap()
                    .to_owned();
                let help = fs::read_to_string(cases_dir().join(format!("{name}.stdout"))).unwrap();
                // The flags the option lines declare (their descriptions name other flags too).
                let declared: String = help
                    .split("Options:")
                    .nth(1)
                    .unwrap_or("")
                    .lines()
                    .map(str::trim)
                    .filter(|line| {
                        let name = line.trim_start_matches('-');
                        line.len() - name.len() <= 2 && name.starts_with(|c: char| c.is_ascii_alphanumeric())
                    })
                    .map(|line| line.split("  ").next().unwrap())
                    .collect::<Vec<_>>()
                    .join(" ");
                let help_flags = flags(&declared);
                for flag in flags(&text) {
                    assert!(help_flags.contains(&flag), "README: `perfbudget {subcommand} {flag}` is not in {name}");
                }
                for flag in help_flags.iter().filter(|flag| *flag != "--help") {
                    let known = NOT_IN_SYNOPSIS.contains(&(subcommand, flag.as_str()));
                    assert_eq!(
                        flags(&text).contains(flag),
                        !known,
                        "README synopsis of `{subcommand}` and {name}: `{flag}` (update NOT_IN_SYNOPSIS)"
                    );
                }
            }
            Not(why) => assert!(!why.is_empty(), "`{command}`: say why it is not a case"),
        }
    }
}

/// Output the README quotes, and the case whose expected output holds it.
const README_QUOTES: &[(&str, &str)] = &[
    ("perfbudget: red — 3 red, 3 yellow, 3 green", "check-demo"),
    (
        "error: budget.yml:3:8: limits.lcp: `2.5` has no unit; lcp is a time and needs one of: ns, us (or µs), ms, s",
        "check-budget-no-unit",
    ),
    ("Bundle size (brotli) 157.5 kB is 21% under the 200 kB limit (8 files)", "check-dist-files"),
    ("no data: Lighthouse's audit errored: Required HostDPR gatherer did not run.", "check-lighthouse-audit-error"),
    ("unknown key `wran`; did you mean `warn`?", "validate-typo-key"),
    ("score is 0-100; did you mean 90?", "validate-score-fraction"),
    (
        "no measurement matched lcp with url=*/checkout*; lcp is there for https://shop.example/, https://shop.example/cart",
        "check-no-match",
    ),
    ("LCP 3.1 s is 24% over the 2.5 s limit", "check-no-match"),
    ("<!-- perfbudget:v1 key=", "comment"),
    ("::stop-commands::", "check-github-actions"),
];

#[test]
fn output_the_readme_quotes_is_what_a_case_prints() {
    let readme = fs::read_to_string(repo().join("README.md")).unwrap().replace('\n', " ");
    for (quote, name) in README_QUOTES {
        assert!(readme.contains(quote), "the README no longer says `{quote}`: update README_QUOTES");
        let expected = case_expected_output(name);
        assert!(
            expected.replace('\n', " ").contains(quote)
                || table_cells(&expected).iter().any(|cell| cell.contains(quote)),
            "the README quotes `{quote}`, but {name} prints otherwise"
        );
    }
}

/// The cells of the terminal tables in `text`, each cell's wrapped lines joined with a space.
fn table_cells(text: &str) -> Vec<String> {
    let mut cells = Vec::new();
    let mut row: Vec<String> = Vec::new();
    for line in text.lines() {
        let Some(inner) = line.strip_prefix('│').and_then(|line| line.strip_suffix('│')) else {
            cells.append(&mut row);
            continue;
        };
        let parts: Vec<&str> = inner.split('┆').map(str::trim).collect();
        // A row's first line has its verdict (or, in the header, its first title) in some
        // cell where a continuation line has blanks in the same places.
        let continues = row.len() == parts.len() && parts.first().is_some_and(|first| first.is_empty());
        if !continues {
            cells.append(&mut row);
            row = parts.iter().map(|part| (*part).to_owned()).collect();
            continue;
        }
        for (cell, part) in row.iter_mut().zip(parts) {
            if !part.is_empty() {
                cell.push(' ');
                cell.push_str(part);
            }
        }
    }
    cells.append(&mut row);
    cells
}

/// The README's fenced blocks of a language, in order.
fn readme_blocks(language: &str) -> Vec<String> {
    let readme = fs::read_to_string(repo().join("README.md")).unwrap();
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in readme.lines() {
        match (&mut current, line.strip_prefix("```")) {
            (None, Some(info)) if info.trim() == language => current = Some(String::new()),
            (Some(block), Some(_)) => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            (Some(block), None) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

fn validate(dir: &Path, name: &str, text: &str) -> common::Run {
    fs::write(dir.join(name), text).unwrap();
    perfbudget(dir, &["validate", name])
}

#[test]
fn the_readme_budget_examples_load() {
    let dir = tempfile::tempdir().unwrap();
    let blocks = readme_blocks("yaml");
    assert_eq!(
        blocks.len(),
        15,
        "the bundle entries, the manifest entries, autocannon's, Artillery's, the hyperfine ones, the ApacheBench \
         budget, the Locust budget, the Gatling budget, the JMeter budget, the WebPageTest budget, the EMF and \
         Lambda budget, the JUnit budget, the Prometheus budget, the budget file and the loosening policy"
    );
    // Fragments: a `budgets:` list, then bare entries of one.
    let files = [
        format!("version: 1\n{}", blocks[0]),
        format!("version: 1\nbudgets:\n{}", blocks[1]),
        blocks[2].clone(),
        blocks[3].clone(),
        format!("version: 1\n{}", blocks[4]),
        blocks[5].clone(),
        blocks[6].clone(),
        blocks[7].clone(),
        blocks[8].clone(),
        blocks[9].clone(),
        blocks[10].clone(),
        blocks[11].clone(),
        blocks[12].clone(),
        blocks[13].clone(),
    ];
    // The example's own `lcp` and `cls` limits replace the preset's: only its INP is left.
    let expected = [
        "3 checks",
        "3 checks",
        "4 checks",
        "5 checks",
        "2 checks",
        "3 checks",
        "4 checks",
        "3 checks",
        "5 checks",
        "4 checks",
        "5 checks",
        "3 checks",
        "4 checks",
        "11 checks (1 from presets)",
    ];
    for (text, checks) in files.iter().zip(expected) {
        let run = validate(dir.path(), "perfbudget.yml", text);
        assert_eq!((run.code, run.stderr.as_str()), (0, ""), "{text}");
        assert_eq!(run.stdout, format!("ok: perfbudget.yml: {checks}\n"));
    }
    let readme = fs::read_to_string(repo().join("README.md")).unwrap();
    let seed = readme.split("A bare map such as `").nth(1).unwrap().split('`').next().unwrap();
    let run = validate(dir.path(), "seed.json", seed);
    assert_eq!((run.code, run.stdout.as_str()), (0, "ok: seed.json: 5 checks\n"), "{}", run.stderr);
}

#[test]
fn the_readme_measurements_example_reads_back_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let blocks = readme_blocks("json");
    assert_eq!(blocks.len(), 1);
    fs::write(dir.path().join("m.json"), &blocks[0]).unwrap();
    let run = perfbudget(dir.path(), &["measure", "--format", "json", "m.json"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    // Numbers compared as numbers: `2400` is written back as `2400.0`.
    let numbers = |text: &str| -> Vec<serde_json::Value> {
        let mut value: serde_json::Value = serde_json::from_str(text).unwrap();
        for measurement in value.as_array_mut().unwrap() {
            measurement["value"] = measurement["value"].as_f64().unwrap().into();
            measurement.as_object_mut().unwrap().remove("origin");
        }
        value.as_array().unwrap().clone()
    };
    assert_eq!(numbers(&run.stdout), numbers(&blocks[0]));
    assert!(run.stdout.contains("\"origin\": \"m.json\""), "{}", run.stdout);
}
