//! Every input adapter on the same arbitrary bytes: Lighthouse, PageSpeed Insights, CrUX,
//! k6 summary, k6 JSON stream, measurements JSON, cargo-criterion JSON lines, bencher text,
//! autocannon, Artillery, hyperfine, ApacheBench (output, CSV and TSV), Locust's
//! `_stats.csv`, JMeter (CSV and XML JTLs, `statistics.json`), WebPageTest, CloudWatch logs (EMF, Lambda reports) and JUnit XML. Each returns an error or measurements, never panics. What the validating
//! driver (`ingest::validated`, the one path every input takes) lets through is finite in its
//! base unit and inside its metric's physical range, and so is a k6 stream's every statistic
//! computed from accepted samples.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use perfbudget::ingest::{self, Measurement, validate};

fn trusted(value: f64, measurement: &Measurement) {
    let base = measurement.unit.to_base(value);
    assert!(value.is_finite() && base.is_finite(), "{measurement:?}");
    let range = validate::range(&measurement.source, &measurement.metric, measurement.unit);
    assert!(range.min <= value && value <= range.max, "{value} outside {range:?}: {measurement:?}");
}

/// What the driver accepts is trusted; what it refuses never reaches a verdict.
fn check(found: Vec<Measurement>) -> Vec<Measurement> {
    let Ok(accepted) = ingest::validated(Path::new("fuzz"), found) else { return Vec::new() };
    for measurement in &accepted {
        for value in [measurement.value, measurement.lower, measurement.upper].into_iter().flatten() {
            trusted(value, measurement);
        }
    }
    accepted
}

fuzz_target!(|data: &[u8]| {
    if let Ok(found) = ingest::lighthouse::parse(data) {
        check(found);
    }
    if let Ok(found) = ingest::pagespeed::parse(data) {
        check(found);
    }
    if let Ok(found) = ingest::crux::parse(data) {
        check(found);
    }
    if let Ok(found) = ingest::k6::parse(data) {
        check(found);
    }
    if let Ok(found) = ingest::k6_stream::parse(data, None) {
        let accepted = check(found);
        // Statistics of accepted samples (a mean, a counter's sum) must stay finite too.
        for summary in ingest::k6_stream::summarize(accepted) {
            if let Some(value) = summary.value {
                assert!(summary.unit.to_base(value).is_finite(), "{summary:?}");
            }
        }
    }
    if let Ok(found) = ingest::gatling_log::parse(data, None, &[perfbudget::model::apdex::Thresholds::default()]) {
        let accepted = check(found);
        for summary in ingest::k6_stream::summarize(accepted) {
            if let Some(value) = summary.value {
                assert!(summary.unit.to_base(value).is_finite(), "{summary:?}");
            }
        }
    }
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(found) = ingest::gatling_report::parse(text, [50.0, 75.0, 95.0, 99.0])
    {
        check(found);
    }
    let thresholds = [perfbudget::model::apdex::Thresholds { satisfied_ms: 0.5, tolerated_ms: 2.0 }];
    if let Ok(found) = ingest::jmeter::jtl_csv::parse(data, &thresholds) {
        check(found);
    }
    if let Ok(found) = ingest::jmeter::jtl_xml::parse(data, &thresholds) {
        check(found);
    }
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(found) = ingest::jmeter::statistics::parse(text)
    {
        check(found);
    }
    if let Ok(found) = ingest::cargo_criterion::parse(data) {
        check(found);
    }
    if let Ok(found) = ingest::autocannon::parse(data) {
        check(found);
    }
    if let Ok(found) = ingest::artillery::parse(data) {
        check(found);
    }
    if let Ok(found) = ingest::hyperfine::parse(data) {
        check(found);
    }
    if let Ok(found) = ingest::bencher::parse(data) {
        check(found);
    }
    if let Ok(found) = ingest::ab::parse(data) {
        check(found);
    }
    if let Ok(found) = ingest::ab::parse_csv(data) {
        check(found);
    }
    if let Ok(found) = ingest::ab::parse_tsv(data) {
        check(found);
    }
    if let Ok(found) = ingest::locust::parse(data) {
        check(found);
    }
    if let Ok(found) = ingest::locust_json::parse(data) {
        check(found);
    }
    if let Ok(found) = ingest::locust_history::parse(data) {
        check(found);
    }
    if let Ok(found) = ingest::locust_failures::parse(data) {
        check(found);
    }
    if let Ok(found) = ingest::webpagetest::parse(data, "fuzz") {
        check(found);
    }
    if let Ok(found) = ingest::prometheus::parse(data) {
        check(found);
    }
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(found) = ingest::measurements::parse(text) {
            check(found);
        }
        if let Ok(found) = ingest::aws_logs::parse(text) {
            check(found);
        }
        if let Ok(found) = ingest::junit::parse(text, "fuzz") {
            check(found);
        }
    }
});
