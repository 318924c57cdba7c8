use super::*;

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lighthouse").join(name);
    std::fs::read(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// metric -> value of the measurements that have one.
fn values(measurements: &[Measurement]) -> Vec<(String, f64)> {
    measurements.iter().filter_map(|m| Some((m.metric.clone(), m.value?))).collect()
}

fn value(measurements: &[Measurement], metric: &str) -> Option<f64> {
    measurements.iter().find(|m| m.metric == metric).and_then(|m| m.value)
}

const DBW: &str = "http://localhost:10200/dobetterweb/dbw_tester.html";

#[test]
fn every_version_9_to_13_reads_its_numeric_values() {
    // (file, major, lcp, cls, tbt, tti, ttfb, total-byte-weight, score, script transfer size)
    let cases = [
        (
            "lhr-sample_v2-v9.6.8.json",
            "9",
            6843.951,
            0.13570762803819444,
            1220.691999999999,
            8190.57,
            568.468,
            1324308.0,
            26.0,
            198392.0,
        ),
        (
            "lhr-sample_v2-v10.4.0.json",
            "10",
            13319.961,
            0.13570762803819444,
            1220.691999999999,
            8190.57,
            568.468,
            1437431.0,
            28.0,
            198392.0,
        ),
        (
            "lhr-sample_v2-v11.7.1.json",
            "11",
            13319.961,
            0.13570762803819444,
            1220.691999999999,
            8190.57,
            568.468,
            1437431.0,
            28.0,
            198392.0,
        ),
        (
            "lhr-sample_v2-v12.8.2.json",
            "12",
            10894.404,
            0.09957584751767748,
            1018.2689999999993,
            7991.567,
            3.681,
            1871037.0,
            32.0,
            167558.0,
        ),
        (
            "lhr-sample_v2-v13.4.1.json",
            "13",
            10884.681,
            0.099576,
            1055.1980000000003,
            8012.46,
            8.0,
            1871037.0,
            32.0,
            167558.0,
        ),
    ];
    for (file, major, lcp, cls, tbt, tti, ttfb, weight, score, script) in cases {
        let measurements = parse(&fixture(file)).unwrap_or_else(|e| panic!("{file}: {e:?}"));
        assert_eq!(value(&measurements, "lcp"), Some(lcp), "{file}");
        assert_eq!(value(&measurements, "cls"), Some(cls), "{file}");
        assert_eq!(value(&measurements, "tbt"), Some(tbt), "{file}");
        assert_eq!(value(&measurements, "tti"), Some(tti), "{file}");
        assert_eq!(value(&measurements, "ttfb"), Some(ttfb), "{file}");
        assert_eq!(value(&measurements, "page_weight"), Some(weight), "{file}");
        assert_eq!(value(&measurements, "score"), Some(score), "{file}");
        assert_eq!(value(&measurements, "page_weight.script"), Some(script), "{file}");
        assert_eq!(value(&measurements, "inp"), None, "a navigation report has no INP ({file})");
        let first = &measurements[0];
        assert_eq!(first.source, "lighthouse");
        assert_eq!(
            first.subject,
            Subject::from([("url", DBW), ("data", "lab"), ("lighthouse", major), ("form_factor", "mobile")])
        );
        let lcp_unit = measurements.iter().find(|m| m.metric == "lcp").map(|m| m.unit);
        assert_eq!(lcp_unit, Some(Unit::Ms));
        assert_eq!(measurements.iter().find(|m| m.metric == "cls").map(|m| m.unit), Some(Unit::Number));
    }
}

#[test]
fn resource_summary_gives_every_type() {
    let measurements = parse(&fixture("lhr-sample_v2-v13.4.1.json")).unwrap();
    let weights: Vec<(String, f64)> =
        values(&measurements).into_iter().filter(|(metric, _)| metric.starts_with("page_weight.")).collect();
    let names: Vec<&str> = weights.iter().map(|(metric, _)| metric.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "page_weight.total",
            "page_weight.image",
            "page_weight.script",
            "page_weight.other",
            "page_weight.document",
            "page_weight.stylesheet",
            "page_weight.media",
            "page_weight.font",
            "page_weight.third-party"
        ]
    );
    // resource-summary's total is not total-byte-weight (Lighthouse counts them apart).
    assert_eq!(value(&measurements, "page_weight.total"), Some(1870756.0));
    assert_eq!(value(&measurements, "page_weight"), Some(1871037.0));
}

#[test]
fn pagespeed_insights_lighthouse_8_uses_the_older_fields() {
    let measurements = parse(&fixture("psi-lighthouseResult-v8.0.0-dkdev.json")).unwrap();
    assert_eq!(
        measurements[0].subject,
        Subject::from([
            ("url", "https://dkdevelopment.net/"),
            ("data", "lab"),
            ("lighthouse", "8"),
            ("form_factor", "mobile")
        ])
    );
    assert_eq!(value(&measurements, "tti"), Some(3927.0));
    assert_eq!(value(&measurements, "ttfb"), Some(19.556));
    assert_eq!(value(&measurements, "page_weight"), Some(656898.0));
    assert!(value(&measurements, "score").is_some(), "no gatherMode: a navigation");
}

#[test]
fn user_flow_steps_are_subjects_and_timespans_give_inp() {
    let measurements = parse(&fixture("flow-result-sample-v10.4.0.json")).unwrap();
    let step = |name: &str| -> Vec<(String, f64)> {
        values(&measurements.iter().filter(|m| m.subject.get("step") == Some(name)).cloned().collect::<Vec<_>>())
    };
    let navigation = step("Navigation report (www.mikescerealshack.co/)");
    assert!(navigation.contains(&("lcp".into(), 1352.107)));
    assert!(navigation.contains(&("tbt".into(), 143.0)));
    assert!(navigation.contains(&("cls".into(), 0.002631263732910156)));
    assert!(navigation.contains(&("score".into(), 98.0)));
    let timespan = step("Search input");
    assert!(timespan.contains(&("inp".into(), 64.0)), "{timespan:?}");
    assert!(timespan.contains(&("cls".into(), 0.13125)));
    assert!(!timespan.iter().any(|(metric, _)| metric == "score"), "timespan scores are not comparable");
    assert!(!timespan.iter().any(|(metric, _)| metric == "lcp"));
    assert!(!step("Search results").iter().any(|(metric, _)| metric == "score"));

    let v13 = parse(&fixture("flow-result-sample-v13.4.1.json")).unwrap();
    let inp: Vec<&Measurement> = v13.iter().filter(|m| m.metric == "inp").collect();
    assert_eq!(inp.len(), 1);
    assert_eq!(inp[0].value, Some(41.019));
    assert_eq!(inp[0].subject.get("step"), Some("Search input"));
    assert_eq!(inp[0].subject.get("url"), Some("https://www.mikescerealshack.co/search?q=call+of+duty"));
    // This flow's navigation steps have errored LCP audits: no value, never a zero, and
    // Lighthouse's reason.
    let lcp: Vec<&Measurement> = v13.iter().filter(|m| m.metric == "lcp").collect();
    assert_eq!(lcp.len(), 2);
    assert!(lcp.iter().all(|m| m.value.is_none()));
    assert_eq!(lcp[0].no_data.as_deref(), Some("Lighthouse's audit errored: Required HostDPR gatherer did not run."));
}

#[test]
fn a_runtime_error_is_an_untrusted_run() {
    let text = r#"{"lighthouseVersion":"13.5.0","requestedUrl":"http://127.0.0.1:9/","finalUrl":"chrome-error://chromewebdata/",
      "finalDisplayedUrl":"chrome-error://chromewebdata/","runtimeError":{"code":"CHROME_INTERSTITIAL_ERROR","message":"Chrome prevented page load with an interstitial."},
      "audits":{"largest-contentful-paint":{"score":null,"scoreDisplayMode":"error","errorMessage":"Chrome prevented page load"}},
      "categories":{"performance":{"score":null}}}"#;
    match parse(text.as_bytes()) {
        Err(Error::Refused(message)) => assert_eq!(
            message,
            "Lighthouse could not test http://127.0.0.1:9/ (CHROME_INTERSTITIAL_ERROR: Chrome prevented page load with an interstitial.); a failed run cannot pass the gate"
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn errored_audits_give_no_value_and_malformed_reports_fail_with_a_position() {
    let text = r#"{"lighthouseVersion":"12.0.0","finalDisplayedUrl":"https://a/","audits":{
      "largest-contentful-paint":{"score":null,"scoreDisplayMode":"error","errorMessage":"NO_LCP"},
      "cumulative-layout-shift":{"score":1,"scoreDisplayMode":"numeric","numericValue":0,"numericUnit":"unitless"}}}"#;
    let measurements = parse(text.as_bytes()).unwrap();
    assert_eq!(values(&measurements), vec![("cls".to_owned(), 0.0)]);
    let lcp = measurements.iter().find(|m| m.metric == "lcp").unwrap();
    assert_eq!((lcp.value, lcp.no_data.as_deref()), (None, Some("Lighthouse's audit errored: NO_LCP")));
    assert_eq!(lcp.unit, Unit::Ms, "an errored audit has no unit: the metric's usual one");
    match parse(b"{\"lighthouseVersion\":\"12.0.0\",\n\"audits\": {\"cumulative-layout-shift\": {\"numericValue\": ") {
        Err(Error::At(located)) => {
            assert_eq!(located.line, 2);
            assert!(located.message.contains("EOF while parsing"), "{}", located.message);
        }
        other => panic!("{other:?}"),
    }
    match parse(br#"{"lighthouseVersion":"12.0.0","finalUrl":"https://a/"}"#) {
        Err(Error::At(located)) => assert!(located.message.starts_with("missing field `audits`")),
        other => panic!("{other:?}"),
    }
    match parse(br#"{"lighthouseVersion":"twelve","finalUrl":"https://a/","audits":{}}"#) {
        Err(Error::Refused(message)) => assert!(message.contains("is not a version")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn sniffs_reports_and_flows_but_not_other_json() {
    assert!(crate::ingest::format::claims(&Lighthouse, &fixture("lhr-sample_v2-v9.6.8.json")[..8192]));
    assert!(crate::ingest::format::claims(&Lighthouse, &fixture("flow-result-sample-v13.4.1.json")[..8192]));
    assert!(!crate::ingest::format::claims(&Lighthouse, br#"{"metrics":{"http_req_duration":{}}}"#));
    assert!(!crate::ingest::format::claims(&Lighthouse, br#"[{"lighthouseVersion":"1"}]"#));
    assert!(!crate::ingest::format::claims(
        &Lighthouse,
        br#"{"kind":"pagespeedonline#result","loadingExperience":{},"lighthouseResult":{"lighthouseVersion":"12"#
    ));
    assert!(is_html_report(b"<!doctype html>\n<html><head><title>Lighthouse Report</title>"));
    assert!(!is_html_report(b"<!doctype html><html><body>hello"));
}
