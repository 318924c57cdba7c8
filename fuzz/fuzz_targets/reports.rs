//! Every input adapter on the same arbitrary bytes: Lighthouse, PageSpeed Insights, CrUX,
//! k6 summary, k6 JSON stream, measurements JSON, cargo-criterion JSON lines and bencher
//! text. Each returns an error or measurements, never panics; what they return is finite.
#![no_main]

use libfuzzer_sys::fuzz_target;
use perfbudget::ingest::{self, Measurement};

fn finite(measurements: &[Measurement]) {
    for measurement in measurements {
        for value in [measurement.value, measurement.lower, measurement.upper].into_iter().flatten() {
            assert!(value.is_finite(), "{measurement:?}");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(found) = ingest::lighthouse::parse(data) {
        finite(&found);
    }
    if let Ok(found) = ingest::pagespeed::parse(data) {
        finite(&found);
    }
    if let Ok(found) = ingest::crux::parse(data) {
        finite(&found);
    }
    if let Ok(found) = ingest::k6::parse(data) {
        finite(&found);
    }
    if let Ok(found) = ingest::k6_stream::parse(data, None) {
        finite(&ingest::k6_stream::summarize(found));
    }
    if let Ok(found) = ingest::cargo_criterion::parse(data) {
        finite(&found);
    }
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(found) = ingest::measurements::parse(text) {
            finite(&found);
        }
        finite(&ingest::bencher::parse(text));
    }
});
