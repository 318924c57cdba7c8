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
