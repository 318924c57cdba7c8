//! WebPageTest's result JSON (`jsonResult.php?test=ID`, what the `webpagetest` CLI prints):
//! `{"data": {..., "runs": {"1": {"firstView": {...}, "repeatView": {...}}}}, "statusCode": 200}`.
//!
//! Every successful run is a value of its own (its origin is `FILE (run N)`), so `aggregate:`
//! combines them: the default `median` is the median of the budgeted metric over the runs,
//! and `median-run` is WebPageTest's median run, recomputed from the runs by its default
//! rule (the run of the lower-median `loadTime`). `data.median` itself is not read: it is one
//! whole run picked by whatever `medianMetric` the server was asked for, and the JSON does
//! not say which. A view is a subject of its own (`view=first`, `view=repeat`), tagged with
//! the URL, the location, the browser and the connectivity.

use std::path::Path;

use serde_json::{Map, Value};

use super::{Adapter, Detection, Error, Head, Located, Measurement, Options, Subject};
use crate::quantity::Unit;

#[derive(Debug)]
pub(crate) struct WebPageTest;

/// The source of WebPageTest measurements.
pub(crate) const SOURCE: &str = "webpagetest";

/// (measured metric, WebPageTest's key, unit). The dotted keys are one JSON key each.
const METRICS: &[(&str, &str, Unit)] = &[
    ("lcp", "chromeUserTiming.LargestContentfulPaint", Unit::Ms),
    ("cls", "chromeUserTiming.CumulativeLayoutShift", Unit::Number),
    ("tbt", "TotalBlockingTime", Unit::Ms),
    ("speed_index", "SpeedIndex", Unit::Ms),
    ("fcp", "firstContentfulPaint", Unit::Ms),
    ("ttfb", "TTFB", Unit::Ms),
    ("load_time", "loadTime", Unit::Ms),
    ("fully_loaded", "fullyLoaded", Unit::Ms),
    ("page_weight", "bytesIn", Unit::Bytes),
    ("requests", "requestsFull", Unit::Number),
];

impl Adapter for WebPageTest {
    /// A JSON object whose `data` has WebPageTest's `testUrl`, `location` and `connectivity`.
    fn detect(&self, head: &Head) -> Detection {
        let Some(text) = head.object() else { return Detection::No };
        let keys = ["\"data\"", "\"testUrl\"", "\"location\"", "\"connectivity\""];
        Detection::from(keys.iter().all(|key| text.contains(key)), false)
    }

    fn read(&self, path: &Path, _options: &Options) -> Result<Vec<Measurement>, Error> {
        parse(&super::read_document(path)?, &path.display().to_string())
    }
}

/// Every run's measurements of a result's bytes, each with the origin `{origin} (run N)`.
pub fn parse(bytes: &[u8], origin: &str) -> Result<Vec<Measurement>, Error> {
    let text = super::utf8(bytes)?;
    let result: Value = serde_json::from_str(text).map_err(|error| Located::from_json(&error, 1, 1))?;
    parse_result(&result, origin).map_err(Error::Refused)
}

/// Every run's measurements of a parsed result.
fn parse_result(result: &Value, origin: &str) -> Result<Vec<Measurement>, String> {
    let status = result.get("statusCode").and_then(Value::as_i64);
    let text = result.get("statusText").and_then(Value::as_str).unwrap_or("");
    match status {
        Some(200) => {}
        Some(code) if code < 200 => {
            return Err(format!("WebPageTest status {code} ({text}): the test is not finished; fetch it again"));
        }
        Some(code) => return Err(format!("WebPageTest status {code} ({text}): the test failed")),
        None => return Err("no `statusCode`: not a WebPageTest result (jsonResult.php)".into()),
    }
    let data = result.get("data").and_then(Value::as_object).ok_or("no `data` object")?;
    let Some(runs) = data.get("runs").and_then(Value::as_object) else {
        return Err(match data.get("lighthouse") {
            Some(_) => "a Lighthouse-only WebPageTest test: save its `data.lighthouse` as its own file, a Lighthouse \
                        report"
                .into(),
            None => "no `data.runs`".into(),
        });
    };
    let text_of = |key: &str| data.get(key).and_then(Value::as_str).unwrap_or("");
    let url = [text_of("testUrl"), text_of("url")].into_iter().find(|url| !url.is_empty()).unwrap_or("");
    let location = text_of("location");
    let mut base = Subject::from([("url", url), ("data", "lab"), ("location", location)]);
    if let Some(connectivity) = data.get("connectivity").and_then(Value::as_str) {
        base.insert("connectivity".into(), connectivity.to_owned());
    }
    let mut numbers: Vec<(u64, &str)> = Vec::new();
    for key in runs.keys() {
        let number = key.parse().map_err(|_| format!("`data.runs` has a run named `{key}`, not a number"))?;
        numbers.push((number, key));
    }
    numbers.sort();
    let mut measurements = Vec::new();
    let mut failed = Vec::new();
    for (number, key) in numbers {
        for (view_key, view) in [("firstView", "first"), ("repeatView", "repeat")] {
            let Some(run) = runs[key].get(view_key).and_then(Value::as_object) else { continue };
            if run.contains_key("steps") {
                return Err(format!(
                    "run {number} is a multi-step run (`steps`), whose numbers are sums over its steps: \
                     not read; budget each step's page with its own test"
                ));
            }
            let code = run.get("result").and_then(Value::as_i64);
            if !matches!(code, Some(0 | 99999)) {
                failed.push(format!(
                    "run {number} {view} view: result {}",
                    code.map_or("none".into(), |c| c.to_string())
                ));
                continue;
            }
            let mut subject = base.clone();
            subject.insert("view".into(), view.to_owned());
            if let Some(browser) = run.get("browser_name").and_then(Value::as_str) {
                subject.insert("browser".into(), browser.to_owned());
            }
            let run_origin = format!("{origin} (run {number})");
            for (metric, key, unit) in METRICS {
                let mut measurement = run_value(run, metric, key, *unit, subject.clone());
                measurement.origin = Some(run_origin.clone());
                measurements.push(measurement);
            }
        }
    }
    if measurements.is_empty() {
        return Err(match failed.is_empty() {
            true => "no run in `data.runs`".into(),
            false => format!("no successful run ({})", failed.join("; ")),
        });
    }
    Ok(measurements)
}

/// One metric of one view of one run, or no data with why.
fn run_value(run: &Map<String, Value>, metric: &str, key: &str, unit: Unit, subject: Subject) -> Measurement {
    let mut measurement = Measurement::new(SOURCE, metric, None, subject, 0.0, unit);
    // Inside a run `requests` is often the list of request objects; its count is `requestsFull`.
    let value = match (metric, run.get(key)) {
        ("requests", None) => run.get("requests").filter(|value| value.is_number()),
        (_, value) => value,
    };
    let why = match value.and_then(Value::as_f64) {
        // SpeedIndex is 0 when the test captured no video: not measured, not instant.
        Some(value) if metric == "speed_index" && value == 0.0 => {
            "SpeedIndex is 0: WebPageTest captured no video (run with video on)".to_owned()
        }
        Some(value) => {
            measurement.value = Some(value);
            return measurement;
        }
        None if value.is_some() => format!("`{key}` is not a number"),
        None if matches!(metric, "lcp" | "cls" | "tbt") => {
            format!("this result has no `{key}` (WebPageTest records LCP, CLS and TBT since 2020)")
        }
        None => format!("this result has no `{key}`"),
    };
    measurement.value = None;
    measurement.no_data = Some(why);
    measurement
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(runs: &str) -> Value {
        serde_json::from_str(&format!(
            r#"{{"statusCode":200,"statusText":"Test Complete","data":{{"testUrl":"https://a/","location":"Dulles:Chrome","connectivity":"Cable","runs":{runs}}}}}"#
        ))
        .unwrap()
    }

    #[test]
    fn each_successful_run_and_view_is_a_value() {
        let runs = r#"{"1":{"firstView":{"result":0,"loadTime":900,"SpeedIndex":0,"bytesIn":10,"requests":[{}],"requestsFull":3},
                       "repeatView":{"result":99999,"loadTime":400}},
                      "2":{"firstView":{"result":404,"loadTime":1}}}"#;
        let measurements = parse_result(&result(runs), "wpt.json").unwrap();
        let find = |metric: &str, view: &str| {
            measurements.iter().find(|m| m.metric == metric && m.subject.get("view") == Some(view)).unwrap()
        };
        assert_eq!(find("load_time", "first").value, Some(900.0));
        assert_eq!(find("load_time", "first").origin.as_deref(), Some("wpt.json (run 1)"));
        assert_eq!(find("load_time", "repeat").value, Some(400.0));
        assert_eq!(find("requests", "first").value, Some(3.0));
        let speed_index = find("speed_index", "first");
        assert_eq!(
            (speed_index.value, speed_index.no_data.as_deref()),
            (None, Some("SpeedIndex is 0: WebPageTest captured no video (run with video on)"))
        );
        assert_eq!(find("lcp", "first").value, None);
        assert_eq!(measurements.len(), 20, "run 2 failed and is left out");
    }

    #[test]
    fn unfinished_failed_and_empty_results_are_refused() {
        let pending: Value =
            serde_json::from_str(r#"{"statusCode":101,"statusText":"Test Started","data":{}}"#).unwrap();
        assert_eq!(
            parse_result(&pending, "x").unwrap_err(),
            "WebPageTest status 101 (Test Started): the test is not finished; fetch it again"
        );
        let failed = result(r#"{"1":{"firstView":{"result":404}}}"#);
        assert_eq!(parse_result(&failed, "x").unwrap_err(), "no successful run (run 1 first view: result 404)");
        let steps = result(r#"{"1":{"firstView":{"result":0,"steps":[]}}}"#);
        assert!(parse_result(&steps, "x").unwrap_err().starts_with("run 1 is a multi-step run"));
    }
}
