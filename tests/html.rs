//! The HTML report (`check --html`) as a browser gets it: valid HTML5 by a WHATWG
//! tokenizer, nothing that loads, the hostile corpus as text, the demo and a run with a
//! 20-run history drawn; and, in a real headless Chromium, a page that shows its rows.
#![allow(clippy::unwrap_used, clippy::print_stderr)] // test setup: a failure should stop the test; sizes and skips are said

mod common;

use std::path::{Path, PathBuf};

use common::{perfbudget, repo};

/// Every tokenizer error of `page`, with where it is.
fn html5_errors(page: &str) -> Vec<String> {
    html5gum::Tokenizer::new(page)
        .filter_map(|token| match token {
            Ok(html5gum::Token::Error(error)) => Some(format!("{error:?}")),
            _ => None,
        })
        .collect()
}

/// The demo's HTML report, written by `check --html`.
fn demo_page(dir: &Path) -> String {
    let budget = repo().join("budgets/demo.yml");
    let run = perfbudget(dir, &["check", "--budget", budget.to_str().unwrap(), "--html", "demo.html"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    std::fs::read_to_string(dir.join("demo.html")).unwrap()
}

#[test]
fn the_demo_page_is_valid_html5_and_loads_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let page = demo_page(dir.path());
    assert_eq!(html5_errors(&page), Vec::<String>::new());
    assert_eq!(page.matches("<tr><td class=\"verdict").count(), 9);
    for verdict in ["✖ red", "▲ yellow", "✔ green"] {
        assert!(page.contains(verdict), "verdicts by symbol and word: {verdict}");
    }
    for forbidden in ["<script", " src=", " href=", "url(", "@import"] {
        assert!(!page.contains(forbidden), "{forbidden}");
    }
    assert!(page.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"));
    eprintln!("the demo's HTML report: {} bytes", page.len());
}

/// A measurements input of one benchmark time and one page weight.
fn measurements(ms: f64, bytes: f64) -> String {
    format!(
        r#"[{{"source":"criterion","metric":"bench_time","stat":"typical","subject":{{"id":"parse <img src=x onerror=alert(1)>"}},"value":{ms},"unit":"ms"}},
           {{"source":"lighthouse","metric":"page_weight","subject":{{"url":"https://shop.example/?q=\"><script>alert(1)</script>"}},"value":{bytes},"unit":"B"}}]"#
    )
}

const HISTORY_BUDGET: &str = "version: 1\nname: Shop <b>bold</b>\nbudgets:\n  - metric: bench_time\n    max: 130ms\n    regression: 10%\n  - metric: page_weight\n    max: 2MB\n    regression: 1%\n";

/// A folder with 20 runs of main recorded, and the HTML and markdown of a run judged
/// against them.
fn judged_against_history(dir: &Path) -> (String, String) {
    std::fs::write(dir.join("perfbudget.yml"), HISTORY_BUDGET).unwrap();
    for run in 0..20u32 {
        let wiggle = [0.0, 1.5, -1.0, 2.0, -0.5][run as usize % 5];
        std::fs::write(dir.join("m.json"), measurements(100.0 + wiggle, 1_500_000.0)).unwrap();
        assert_eq!(perfbudget(dir, &["check", "--json", "r.json", "m.json"]).code, 0);
        let commit = format!("{run:02x}c0ffee{run:02x}");
        let time = format!("2026-11-{:02}T10:00:00Z", run + 1);
        let args = [
            "history",
            "record",
            "r.json",
            "--history",
            "h.db",
            "--branch",
            "main",
            "--commit",
            &commit,
            "--time",
            &time,
        ];
        assert_eq!(perfbudget(dir, &args).code, 0);
    }
    std::fs::write(dir.join("m.json"), measurements(125.0, 1_600_000.0)).unwrap();
    let args = ["check", "--history", "h.db", "--branch", "main", "--html", "h.html", "--markdown", "c.md", "m.json"];
    let run = perfbudget(dir, &args);
    assert_eq!(run.code, 1, "{}", run.stdout);
    (std::fs::read_to_string(dir.join("h.html")).unwrap(), std::fs::read_to_string(dir.join("c.md")).unwrap())
}

#[test]
fn a_run_against_a_20_run_history_draws_each_trend() {
    let dir = tempfile::tempdir().unwrap();
    let (page, comment) = judged_against_history(dir.path());
    assert_eq!(html5_errors(&page), Vec::<String>::new());
    assert!(page.contains("<h2>Trends against the base branch</h2>"));
    assert_eq!(page.matches("<polyline class=\"trend\"").count(), 2);
    let polyline = page.split("<polyline class=\"trend\" points=\"").nth(1).unwrap().split('"').next().unwrap();
    assert_eq!(polyline.split(' ').count(), 20, "one point per base run");
    assert!(page.contains(">00c0ffe</text>") && page.contains(">13c0ffe</text>"), "short commits label the ends");
    // Hostile names are text, in the table and the captions alike.
    assert!(!page.contains("<img") && !page.contains("<script") && !page.contains("<b>"));
    assert!(page.contains("parse &lt;img src=x onerror=alert(1)&gt;"));
    assert!(page.contains("<title>perfbudget: red — Shop &lt;b&gt;bold&lt;/b&gt;</title>"));
    // The comment: a use bar, a 21-mark sparkline (20 base runs, then this one), the change.
    let row = comment.lines().find(|line| line.contains("Bench time")).unwrap();
    let sparkline = "▁▂▁▂▁▁▂▁▂▁▁▂▁▂▁▁▂▁▂▁█";
    assert_eq!(sparkline.chars().count(), 21);
    assert!(row.contains(&format!("| `█████████▌` 96% | `{sparkline}` | +25% |")), "{row}");
    assert!(comment.contains("| Use | Trend | Change |"), "{comment}");
    assert!(!comment.contains("```mermaid"), "charts only with --trend-charts");
    let args = ["check", "--history", "h.db", "--branch", "main", "--trend-charts", "--markdown", "t.md", "m.json"];
    assert_eq!(perfbudget(dir.path(), &args).code, 1);
    let charted = std::fs::read_to_string(dir.path().join("t.md")).unwrap();
    assert_eq!(charted.matches("```mermaid\nxychart-beta\n").count(), 2, "{charted}");
    assert!(charted.contains("    x-axis [\"00c0ffe\", \"01c0ffe\","), "{charted}");
    assert!(charted.contains("    y-axis \"ms\" 99 --> 130\n    line [100, 101.5, 99, 102, 99.5,"), "{charted}");
    assert!(charted.contains("<details><summary>Trend of bench\\_time on `"), "{charted}");
    for block in charted.split("```mermaid").skip(1) {
        let chart = block.split("```").next().unwrap();
        assert!(!chart.contains("parse") && !chart.contains("shop.example"), "no input string in a chart: {chart}");
    }
}

/// Chromium, where it is installed; under CI (`CI` set) it must be (`.ci/run` installs it).
fn chromium() -> Option<PathBuf> {
    let found = ["chromium", "chromium-browser", "google-chrome"].iter().find_map(|name| {
        std::env::split_paths(&std::env::var_os("PATH")?).map(|dir| dir.join(name)).find(|path| path.is_file())
    });
    if found.is_none() {
        assert!(std::env::var_os("CI").is_none(), "CI must have Chromium for the browser test (.ci/run installs it)");
        eprintln!("skipped: no Chromium on PATH");
    }
    found
}

fn headless(chromium: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(chromium)
        .args(["--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run"])
        .args(["--disable-extensions", "--disable-background-networking", "--virtual-time-budget=2000"])
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn chromium_renders_the_demo_page_with_its_rows() {
    let Some(chromium) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    demo_page(dir.path());
    let url = format!("file://{}", dir.path().join("demo.html").display());
    let dom = headless(&chromium, &["--dump-dom", &url]);
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(dom.contains("perfbudget: ✖ red — Demo shop"), "{dom}");
    assert_eq!(dom.matches("<td class=\"verdict").count(), 9, "{dom}");
    let shot = dir.path().join("demo.png");
    let out = headless(&chromium, &["--window-size=1280,900", &format!("--screenshot={}", shot.display()), &url]);
    assert!(shot.is_file(), "{}", String::from_utf8_lossy(&out.stderr));
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&shot).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let frame = reader.next_frame(&mut pixels).unwrap();
    let pixels = &pixels[..frame.buffer_size()];
    let step = frame.color_type.samples();
    let mut colours: Vec<&[u8]> = pixels.chunks(step).collect();
    let inked = colours.iter().filter(|pixel| pixel[..3].iter().any(|channel| *channel < 200)).count();
    colours.sort_unstable();
    colours.dedup();
    assert_eq!((frame.width, frame.height), (1280, 900));
    assert!(colours.len() > 50, "a blank page has a handful of colours: {}", colours.len());
    assert!(inked > 10_000, "text and bars ink the page: {inked} dark pixels");
    // The verdict colours are there: a red bar (LCP) and a green one (the benchmark).
    let reddish = |p: &[u8]| p[0] > 150 && p[1] < 80 && p[2] < 80;
    let greenish = |p: &[u8]| p[1] > 100 && p[0] < 80 && p[2] < 100;
    assert!(pixels.chunks(step).any(reddish) && pixels.chunks(step).any(greenish));
}
