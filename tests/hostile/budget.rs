//! Hostile budget files (issue 13): limits that overflow their unit, YAML alias bombs,
//! oversized files, globs too large to compile, and a literal too long to prefilter by.
//! Every refusal is exit 2 with the file, line and column, and a short message.

use std::fs;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use super::{perfbudget, refused};

/// Writes `text` as `name` in `dir`.
fn write(dir: &Path, name: &str, text: &str) {
    fs::write(dir.join(name), text).unwrap();
}

/// A k6 handleSummary JSON with one trend and one threshold on it. `metric` is the
/// summary's key (a metric or a submetric); `expression` is written as is.
fn k6_summary(metric: &str, expression: &str) -> String {
    format!(
        "{{\n  \"root_group\": {{}},\n  \"metrics\": {{\n    \"{metric}\": {{\n      \"type\": \"trend\",\n      \
         \"contains\": \"time\",\n      \"values\": {{ \"p(95)\": 12.5, \"avg\": 10 }},\n      \
         \"thresholds\": {{ \"{expression}\": {{ \"ok\": true }} }}\n    }}\n  }}\n}}\n"
    )
}

// Issue 13 item 7: a limit whose number is finite but whose unit's factor makes it
// infinite in base units (ns, bytes) was accepted, and an infinite limit never turns red.
#[test]
fn limits_that_overflow_their_unit_are_refused_at_the_value() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    write(dir, "short.yml", "version: 1\nlimits:\n  lcp: 1e300s\n");
    assert_eq!(
        refused(
            dir,
            &["validate", "short.yml"],
            "short.yml",
            &["limits.lcp: `1e300s` is too large for a time (it overflows in"]
        ),
        "error: short.yml:3:8: limits.lcp: `1e300s` is too large for a time (it overflows in nanoseconds)\n"
    );
    write(dir, "long.yml", "version: 1\nbudgets:\n  - metric: bundle_size\n    max: 1e300 GB\n");
    assert_eq!(
        refused(
            dir,
            &["validate", "long.yml"],
            "long.yml",
            &["budgets[0].max: `1e300 GB` is too large for a size (it overflows in"]
        ),
        "error: long.yml:4:10: budgets[0].max: `1e300 GB` is too large for a size (it overflows in bytes)\n"
    );
    write(dir, "warn.yml", "version: 1\nbudgets:\n  - metric: lcp\n    max: 2s\n    warn: 1e300 s\n");
    assert_eq!(
        refused(
            dir,
            &["validate", "warn.yml"],
            "warn.yml",
            &["budgets[0].warn: `1e300 s` is too large for a time (it overflows in"]
        ),
        "error: warn.yml:5:11: budgets[0].warn: `1e300 s` is too large for a time (it overflows in nanoseconds)\n"
    );
    write(dir, "k6.yml", "version: 1\nbudgets:\n  - { metric: k6, k6_metric: t, stat: avg, max: 1e305ms }\n");
    assert!(
        refused(
            dir,
            &["validate", "k6.yml"],
            "k6.yml:3:",
            &["budgets[0].max: `1e305ms` is too large for a time (it overflows"]
        )
        .contains("`1e305ms` is too large for a time"),
        "a k6 limit's dimension comes from its unit"
    );
    write(dir, "b.json", "{\"version\": 1, \"limits\": {\"bundle_size\": \"1e301 GiB\"}}");
    assert_eq!(
        refused(
            dir,
            &["validate", "b.json"],
            "b.json",
            &["`1e301 GiB` is too large for a size (it overflows in bytes)"]
        ),
        "error: b.json:1:52: `1e301 GiB` is too large for a size (it overflows in bytes)\n"
    );
    // A large limit that fits is still a limit.
    write(dir, "fits.yml", "version: 1\nlimits:\n  lcp: 1e290s\n  bundle_size: 1e290 GB\n");
    assert_eq!(perfbudget(dir, &["validate", "fits.yml"]).code, 0);
}

// Issue 13 item 7: an imported k6 threshold is in the metric's unit (ms for a time trend),
// so `p(95)<1e308` became an infinite limit in nanoseconds.
#[test]
fn an_imported_k6_threshold_that_overflows_is_refused_at_the_threshold() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    write(dir, "k6.json", &k6_summary("http_req_duration", "p(95)<1e308"));
    write(dir, "perfbudget.yml", "version: 1\ninputs: [k6.json]\nimport_k6_thresholds: true\n");
    assert_eq!(
        refused(dir, &["check"], "k6.json", &["k6 threshold `p(95)<1e308` on http_req_duration: `1e308 ms` is too"]),
        "error: k6.json:8:23: k6 threshold `p(95)<1e308` on http_req_duration: \
         `1e308 ms` is too large for a time (it overflows in nanoseconds)\n"
    );
    // The same threshold with a number that fits is a check like any other.
    write(dir, "k6.json", &k6_summary("http_req_duration", "p(95)<1e290"));
    let run = perfbudget(dir, &["check", "--quiet"]);
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (0, "perfbudget: green — 0 red, 0 yellow, 1 green\n"),
        "{}",
        run.stderr
    );
}

// Issue 13 item 14: a budget file had no size cap.
#[test]
fn a_budget_file_over_16_mib_is_refused_before_it_is_parsed() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let mut text = String::from("version: 1\nlimits:\n  lcp: 2s\n# ");
    text.push_str(&"x".repeat(16 * 1024 * 1024));
    text.push('\n');
    write(dir, "big.yml", &text);
    assert_eq!(
        refused(
            dir,
            &["validate", "big.yml"],
            "big.yml",
            &["the budget file is 16777248 bytes; a budget file may be at most 16"]
        ),
        "error: big.yml: the budget file is 16777248 bytes; a budget file may be at most 16 MiB (16777216 bytes)\n"
    );
}

/// A budget whose entries each name themselves with an alias of one string of `size` bytes.
fn alias_budget(size: usize, aliases: usize) -> String {
    let mut text = format!("version: 1\nname: &big \"{}\"\nbudgets:\n", "x".repeat(size));
    for _ in 0..aliases {
        text.push_str("  - { name: *big, metric: lcp, max: 2s }\n");
    }
    text
}

// Issue 13 item 14: YAML aliases re-read their anchor's value each time, so a 1 MB string
// aliased 2,000 times took 3.9 GB. Here 80 aliases of 1 MiB: 80 MiB, over the 64 MiB cap.
#[test]
fn yaml_alias_expansion_is_capped() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    write(dir, "bomb.yml", &alias_budget(1024 * 1024, 80));
    let started = Instant::now();
    let stderr = refused(
        dir,
        &["validate", "bomb.yml"],
        "bomb.yml:",
        &["2:7: budgets[62].name: YAML aliases expand this budget to more than"],
    );
    assert!(
        stderr.ends_with(
            "YAML aliases expand this budget to more than 64 MiB (counting each key and value's bytes and one \
             more for each); write the values out or use fewer aliases\n"
        ),
        "{stderr}"
    );
    assert!(started.elapsed() < Duration::from_secs(20), "refused in {:?}", started.elapsed());
    // Aliases within the cap are read as YAML defines them.
    write(dir, "few.yml", &alias_budget(10, 3));
    let run = perfbudget(dir, &["validate", "few.yml"]);
    assert_eq!((run.code, run.stdout.as_str()), (0, "ok: few.yml: 3 checks\n"), "{}", run.stderr);
}

/// Runs `perfbudget ARGS` in `dir` and checks that it ends within `limit`.
fn run_within(dir: &Path, args: &[&str], limit: Duration) -> (i32, String, String) {
    let mut child =
        super::common::command(dir).args(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        let late = started.elapsed() > limit;
        if late {
            child.kill().unwrap();
        }
        assert!(!late, "{args:?} still running after {limit:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    let text = |bytes: Vec<u8>| String::from_utf8(bytes).unwrap();
    (output.status.code().unwrap(), text(output.stdout), text(output.stderr))
}

// Issue 13 item 16: globset compiles a glob into a regex on first use and panics when the
// regex is too large (or, nested deep enough, overflows the stack while parsing it); the
// panic guard then echoed a 500 kB regex. A glob is now measured where it is written.
#[test]
fn huge_globs_are_refused_at_load_with_a_short_message() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    fs::create_dir(dir.join("dist")).unwrap();
    fs::write(dir.join("dist/app.js"), "let a = 1;\n").unwrap();
    let stars = format!("dist/{}", "*".repeat(100_000));
    write(
        dir,
        "files.yml",
        &format!("version: 1\nbudgets:\n  - metric: bundle_size\n    files: [\"{stars}\"]\n    max: 1 MB\n"),
    );
    let expected = "error: files.yml:4:13: budgets[0].files[0]: the glob `dist/***********…` is 100005 bytes long; \
                    a glob may be at most 4096 bytes\n";
    assert_eq!(
        refused(
            dir,
            &["validate", "files.yml"],
            "files.yml",
            &["budgets[0].files[0]: the glob `dist/***********…` is 100005 bytes"]
        ),
        expected
    );
    assert_eq!(
        refused(
            dir,
            &["check", "--budget", "files.yml"],
            "files.yml",
            &["budgets[0].files[0]: the glob `dist/***********…` is 100005 bytes"]
        ),
        expected
    );

    let alternatives = vec!["a"; 200_000].join(",");
    write(
        dir,
        "url.yml",
        &format!("version: 1\nbudgets:\n  - {{ metric: lcp, url: \"*{{{alternatives}}}*\", max: 2s }}\n"),
    );
    assert_eq!(
        refused(
            dir,
            &["validate", "url.yml"],
            "url.yml",
            &["budgets[0].url: the glob `*{a,a,a,a,a,a,a,…` has 200000 alternatives"]
        ),
        "error: url.yml:3:25: budgets[0].url: the glob `*{a,a,a,a,a,a,a,…` has 200000 alternatives in `{…}`; \
         a glob may have at most 256\n"
    );

    let nested = format!("{}x{}", "{a,".repeat(300), "}".repeat(300));
    write(
        dir,
        "tags.yml",
        &format!("version: 1\nbudgets:\n  - metric: api_p95\n    tags: {{ name: \"{nested}\" }}\n    max: 1s\n"),
    );
    let stderr = refused(
        dir,
        &["validate", "tags.yml"],
        "tags.yml:4:19: budgets[0].tags.name: the glob `{a,{a,",
        &["{a,{a,{a,{…` nests `{…}` 300 deep; a glob may nest them at most 8"],
    );
    assert!(stderr.ends_with("nests `{…}` 300 deep; a glob may nest them at most 8 deep\n"), "{stderr}");

    // Deeper still, globset's parser used to overflow the stack (exit 134) at load.
    let deep = format!("{}x{}", "{a,".repeat(20_000), "}".repeat(20_000));
    write(dir, "id.yml", &format!("version: 1\nbudgets:\n  - {{ metric: bench_time, id: \"{deep}\", max: 1ms }}\n"));
    let (code, _, stderr) = run_within(dir, &["validate", "id.yml"], Duration::from_secs(60));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.starts_with("error: id.yml:3:31: budgets[0].id: the glob `"), "{stderr}");
    assert!(stderr.len() < 200, "{stderr}");

    // Globs within the limits load and match.
    let wide = format!("dist/{{{}}}.js", (0..256).map(|i| format!("f{i}")).collect::<Vec<_>>().join(","));
    write(
        dir,
        "ok.yml",
        &format!(
            "version: 1\nbudgets:\n  - metric: bundle_size\n    files: [\"{wide}\", \"dist/{}\"]\n    compression: none\n    max: 1 MB\n",
            "*".repeat(4000)
        ),
    );
    let run = perfbudget(dir, &["check", "--budget", "ok.yml"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

// Issue 13 item 12: the glob prefilter built an Aho-Corasick DFA over the longest literal
// of every glob, quadratic in the literal's length. An imported k6 threshold on a
// submetric selects the submetric's tag value exactly, however long k6 wrote it.
#[test]
fn an_80k_character_tag_value_is_selected_in_linear_time() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let name: String = (0..80_000).map(|i| char::from(b'a' + (i * 7 % 26) as u8)).collect();
    write(dir, "k6.json", &k6_summary(&format!("http_req_duration{{name:{name}}}"), "p(95)<500"));
    write(dir, "perfbudget.yml", "version: 1\ninputs: [k6.json]\nimport_k6_thresholds: true\n");
    let (code, stdout, stderr) = run_within(dir, &["check", "--quiet"], Duration::from_secs(20));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(stdout, "perfbudget: green — 0 red, 0 yellow, 1 green\n");
}
