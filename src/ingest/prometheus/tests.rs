//! The parser against the OpenMetrics conformance suite and real scrapes.

use std::path::{Path, PathBuf};

use super::*;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/prometheus")
}

#[test]
fn openmetrics_conformance_suite() {
    let suite = fixtures().join("openmetrics-parser-suite");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&suite).unwrap().map(|entry| entry.unwrap().path()).collect();
    cases.sort();
    let (mut parsed, mut refused, mut wrong) = (0, 0, Vec::new());
    for case in &cases {
        let test: serde_json::Value = serde_json::from_slice(&std::fs::read(case.join("test.json")).unwrap()).unwrap();
        let should_parse = test["shouldParse"].as_bool().unwrap();
        let bytes = std::fs::read(case.join("metrics")).unwrap();
        let result = std::str::from_utf8(&bytes)
            .map_err(|_| ())
            .and_then(|text| parse_as(text, Syntax::OpenMetrics).map_err(|_| ()));
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        match (should_parse, &result) {
            (true, Ok(_)) => parsed += 1,
            (false, Err(())) => refused += 1,
            (true, Err(())) => wrong.push(format!(
                "{name}: refused: {:?}",
                parse_as(&String::from_utf8_lossy(&bytes), Syntax::OpenMetrics).err()
            )),
            (false, Ok(_)) => wrong.push(format!("{name}: parsed")),
        }
    }
    // OpenMetrics forbids a histogram `_sum` beside negative buckets, a negative summary sum
    // and negative quantile values; Prometheus's Go client writes all three for negative
    // observations (prometheus-repo/alltypes.5mfs.om.txt), and perfbudget reads what real
    // clients write.
    let accepted = ["bad_counter_values_17: parsed", "bad_counter_values_19: parsed", "bad_histograms_3: parsed"];
    assert_eq!(wrong, accepted, "{} wrong", wrong.len());
    assert_eq!((parsed, refused), (44, 164));
}

fn syntax(name: &str) -> Syntax {
    Syntax::of(&std::fs::read_to_string(fixtures().join(name)).unwrap())
}

fn read(name: &str) -> Scrape {
    read_scrape(&fixtures().join(name)).unwrap_or_else(|error| panic!("{name}: {error}"))
}

#[test]
fn the_prometheus_repo_scrapes() {
    let classic = read("prometheus-repo/alltypes.237mfs.prom.txt");
    // Prometheus's test data ends it with `# EOF`, so it reads as OpenMetrics, whose rules
    // its classic `# TYPE x_total counter` lines also meet.
    assert_eq!(syntax("prometheus-repo/alltypes.237mfs.prom.txt"), Syntax::OpenMetrics);
    assert_eq!(classic.families.len(), 237);
    let count = |kind: Kind| classic.families.iter().filter(|family| family.kind == kind).count();
    assert_eq!(
        (count(Kind::Counter), count(Kind::Gauge), count(Kind::Histogram), count(Kind::Summary)),
        (112, 97, 15, 13)
    );
    let om = read("prometheus-repo/alltypes.5mfs.om.txt");
    assert_eq!(syntax("prometheus-repo/alltypes.5mfs.om.txt"), Syntax::OpenMetrics);
    assert_eq!(om.families.len(), 5);
    let one = read("prometheus-repo/1histogram.om.txt");
    assert_eq!(one.families.len(), 1);
    assert_eq!(one.families[0].kind, Kind::Histogram);
}

fn scrape_of(text: &str) -> Scrape {
    parse::parse(text).unwrap()
}

fn files(texts: &[&str]) -> Vec<window::ScrapeFile> {
    texts
        .iter()
        .enumerate()
        .map(|(at, text)| window::ScrapeFile { path: PathBuf::from(format!("s{at}.prom")), scrape: scrape_of(text) })
        .collect()
}

fn stat(measurements: &[Measurement], metric: &str, stat: &str) -> Option<f64> {
    let found: Vec<&Measurement> =
        measurements.iter().filter(|m| m.metric == metric && m.stat.as_deref() == Some(stat)).collect();
    assert_eq!(found.len(), 1, "{metric} {stat}: {measurements:#?}");
    found[0].value
}

#[test]
fn the_classic_format_as_prometheus_reads_it() {
    let text = "# a comment\n\n# TYPE requests counter\nrequests{code=\"200\",} 3 1700000000000\n\
                {\"my.dotted\", \"error.message\"=\"Not Found\"} 1\n# TYPE up gauge\nup NaN\n";
    let scrape = scrape_of(text);
    let measurements = measurements(&scrape);
    // A counter declared without `_total` is read by its PromQL name.
    assert_eq!(stat(&measurements, "requests_total", "value"), Some(3.0));
    assert_eq!(scrape.latest_timestamp(), Some(1_700_000_000.0), "milliseconds");
    assert_eq!(stat(&measurements, "my.dotted", "value"), Some(1.0));
    let up = measurements.iter().find(|m| m.metric == "up").unwrap();
    assert_eq!((up.value, up.no_data.as_deref()), (None, Some("the value is NaN")));
    // The same in OpenMetrics is refused: a trailing comma, a blank line, a comment.
    assert!(parse_as(&format!("{text}# EOF\n"), Syntax::OpenMetrics).is_err());
}

#[test]
fn errors_name_the_line_and_column() {
    let error = |text: &str| {
        let located = parse::parse(text).unwrap_err();
        format!("{}:{}: {}", located.line, located.column, located.message)
    };
    assert_eq!(error("a 1\nb 2"), "2:4: the last line has no line feed: the scrape was cut off mid-line");
    assert_eq!(error("a{b=\"1\"} x\n"), "1:10: `x` is not a number");
    assert_eq!(error("a 1 1.5\n"), "1:5: `1.5` is not a timestamp in integer milliseconds");
    assert_eq!(error("a 1\na 2\n"), "2:1: the series `a` is given twice: a duplicate series (line 1)");
    assert_eq!(
        error("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_count 1\n").split(": ").nth(1),
        Some("the histogram `h` has no `le=\"+Inf\"` bucket")
    );
    assert_eq!(
        error("# TYPE h histogram\nh_bucket{le=\"1.0\"} 1\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 1\n"),
        "3:1: the bucket `le=\"1\"` of `h` is given twice (line 2)"
    );
    assert_eq!(
        error("# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_count 3\n"),
        "3:1: the count of `h` is 3 but its `+Inf` bucket holds 2 (line 2)"
    );
    // An OpenMetrics scrape cut before `# EOF` is read as the classic format, and says so.
    let cut = "# TYPE a counter\na_total 1 # {t=\"1\"} 1\n# EOF\n";
    let cut = &cut[..cut.len() - 6];
    let located = parse::parse(cut).unwrap_err();
    assert_eq!((located.line, located.column), (2, 11));
}

#[test]
fn a_window_over_two_scrapes() {
    let before = "# TYPE c counter\nc_total{a=\"1\"} 10\n# TYPE g gauge\ng 200\n# TYPE h histogram\n\
                  h_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 3\nh_count 2\n";
    let after = "# TYPE c counter\nc_total{a=\"1\"} 25\nc_total{a=\"2\"} 4\n# TYPE g gauge\ng 230\n# TYPE h histogram\n\
                 h_bucket{le=\"1\"} 9\nh_bucket{le=\"+Inf\"} 12\nh_sum 13\nh_count 12\n";
    let windows = window::windows(&files(&[before, after]), Some(10.0));
    assert!(windows.warnings.is_empty());
    let m = &windows.measurements;
    let c = |label: &str| {
        m.iter()
            .find(|m| {
                m.metric == "c_total" && m.stat.as_deref() == Some("increase") && m.subject.get("a") == Some(label)
            })
            .and_then(|m| m.value)
    };
    assert_eq!(c("1"), Some(15.0));
    assert_eq!(c("2"), Some(4.0), "a series absent before counts from 0");
    assert_eq!(stat(m, "g", "growth"), Some(0.15));
    // Bucket increases 8 and 10: histogram_quantile(0.5) = 0 + 1 × 5/8.
    assert_eq!(stat(m, "h", "window_p(50)"), Some(0.625));
    assert_eq!(stat(m, "h", "window_count"), Some(10.0));
    assert_eq!(stat(m, "h", "window_mean"), Some(1.0));
    assert_eq!(stat(m, "h", "window_rate"), Some(1.0));
    assert_eq!(m[0].origin.as_deref(), Some("s0.prom → s1.prom"));
}

#[test]
fn resets_clocks_and_targets() {
    // The counter went down: the process restarted, and its new value is the increase.
    let a = "# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total 50 1000000\n";
    let b = "# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total 2 1020000\n";
    let c = "# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total 7 1010000\n";
    // Given out of order: the timestamps order them a, c, b (1000 s, 1010 s, 1020 s).
    let windows = window::windows(&files(&[a, b, c]), Some(999.0));
    let m = &windows.measurements;
    // 50 -> 7 is a reset (7), 7 -> 2 another (2).
    assert_eq!(stat(m, "process_cpu_seconds_total", "increase"), Some(9.0));
    assert_eq!(stat(m, "process_cpu_seconds_total", "cpu_share"), Some(9.0 / 20.0), "the clocks, not the budget");
    // Scrapes of another target are not combined, and say so.
    let other = "# TYPE node_load1 gauge\nnode_load1 0.5\n";
    let windows = window::windows(&files(&[a, other]), None);
    assert!(windows.measurements.is_empty());
    assert_eq!(windows.warnings.len(), 2, "{:?}", windows.warnings);
    // No clock and no elapsed time: the rate is no data.
    let windows = window::windows(&files(&["x_total 1\n", "x_total 3\n"]), None);
    let rate = windows.measurements.iter().find(|m| m.stat.as_deref() == Some("rate"));
    assert!(rate.is_none(), "an untyped series has no window");
    let typed = |v: u32| format!("# TYPE x counter\nx_total {v}\n");
    let windows = window::windows(&files(&[&typed(1), &typed(3)]), None);
    let rate = windows.measurements.iter().find(|m| m.stat.as_deref() == Some("rate")).unwrap();
    assert_eq!(rate.value, None);
    assert!(rate.no_data.as_deref().unwrap().contains("scrape_elapsed"));
}
