//! autocannon's `--json` result (autocannon 7 to 9): the one object it prints for a run, one
//! worker or several (`-w`, whose histograms autocannon merges before printing). A run hits
//! one URL, so it is one subject: the whole run, tagged with its `url` (and `title` when
//! set), mapped to the canonical HTTP vocabulary.
//!
//! Latency is autocannon's HDR histogram of whole milliseconds; its percentiles are read as
//! written (`p97_5` is `p(97.5)`). autocannon reports no p95, and none is made up: a p95
//! budget matches nothing and says which percentiles there are.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

use super::{Adapter, Detection, Error, Head, Located, Measurement, Options, Subject};
use crate::model::CheckResult;
use crate::model::vocabulary::{HTTP_REQ_DURATION, HTTP_REQ_FAILED, HTTP_REQS, RATE};
use crate::quantity::Unit;

/// The `source` of every measurement read here.
pub(crate) const SOURCE: &str = "autocannon";

#[derive(Debug)]
pub(crate) struct Autocannon;

impl Adapter for Autocannon {
    fn detect(&self, head: &Head) -> Detection {
        let Some(text) = head.object() else { return Detection::No };
        let has = |key: &str| text.contains(&format!("\"{key}\""));
        // Keys of autocannon's run options and counters that no other tool's JSON has
        // together; they come before `latency`, so a result cut short is still known.
        let own = has("connections") && has("pipelining") && has("sampleInt") && has("non2xx");
        let blocks = has("latency") && has("requests") && has("throughput");
        Detection::from(own && has("latency"), blocks && (has("connections") || has("non2xx")))
    }

    fn near_miss(&self, _path: &Path, head: &Head) -> Option<String> {
        is_text_table(&head.text).then(|| {
            "this is autocannon's text table, which rounds and abbreviates its numbers; \
             write its result as JSON with `autocannon --json URL > result.json`"
                .to_owned()
        })
    }

    fn read(&self, path: &Path, _options: &Options) -> Result<Vec<Measurement>, Error> {
        let bytes = super::read_document(path)?;
        Ok(parse(&bytes)?)
    }
}

/// Whether a file is autocannon's printed result (its stderr without `--json`, or
/// `printResult`): the header of a run, or the latency table and its footer.
pub(crate) fn is_text_table(text: &str) -> bool {
    let run_header = text.starts_with("Running ") && text.contains(" test @ ") && text.contains("connections");
    let table = text.contains("│ Latency") && text.contains("│ Req/Sec");
    run_header || table || text.contains("Req/Bytes counts sampled")
}

/// One URL, or several given to autocannon's API.
#[derive(Deserialize)]
#[serde(untagged)]
enum Url {
    One(String),
    Several(Vec<String>),
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    title: Option<String>,
    url: Option<Url>,
    /// The length of one requests sample in ms; `requests` stats count per sample.
    sample_int: Option<f64>,
    /// Socket errors and time-outs: requests that got no response.
    errors: f64,
    /// Responses with a status outside 2xx.
    non2xx: f64,
    /// Stat name -> number, with `totalCount` (the samples recorded).
    latency: serde_json::Map<String, serde_json::Value>,
    requests: Requests,
}

#[derive(Deserialize)]
struct Requests {
    /// The mean of the per-sample response counts.
    average: f64,
    /// Responses received.
    total: f64,
}

/// Reads one autocannon result.
pub fn parse(bytes: &[u8]) -> Result<Vec<Measurement>, Located> {
    let run: Run = serde_json::from_str(super::utf8(bytes)?).map_err(|error| Located::from_json(&error, 1, 1))?;
    let at = |message: String| Located { line: 1, column: 1, message };
    let subject = subject(&run);
    let total_count = match run.latency.get("totalCount") {
        Some(value) => Some(value.as_f64().ok_or_else(|| at(format!("latency.totalCount is {value}, not a number")))?),
        None => None,
    };
    // A run that got no response (a refused port, only time-outs) writes every latency
    // field as 0 and `totalCount` 0: that is no data, never a 0 ms request.
    let recorded = total_count.unwrap_or(run.requests.total);
    let no_latency = (recorded == 0.0).then(|| {
        format!(
            "autocannon recorded no latency ({} responses, {} socket errors or time-outs): its latency fields are \
             zeros for nothing measured",
            run.requests.total, run.errors
        )
    });
    let mut measurements = Vec::new();
    for (key, value) in &run.latency {
        let Some(stat) = latency_stat(key) else { continue };
        let number = value.as_f64().ok_or_else(|| at(format!("latency.{key} is {value}, not a number")))?;
        let mut measurement =
            Measurement::new(SOURCE, HTTP_REQ_DURATION, Some(&stat), subject.clone(), number, Unit::Ms);
        measurement.samples = total_count.map(count);
        if let Some(reason) = &no_latency {
            measurement.value = None;
            measurement.no_data = Some(reason.clone());
        }
        measurements.push(measurement);
    }
    if !measurements.iter().any(|m| m.stat.as_deref() == Some("p(99)")) {
        return Err(at("`latency` has no p99: is this autocannon's --json result?".into()));
    }
    // `requests` counts per `sampleInt` (1000 ms unless the API was given another).
    let per_second = match run.sample_int {
        Some(interval) if interval > 0.0 && interval != 1000.0 => run.requests.average * 1000.0 / interval,
        _ => run.requests.average,
    };
    measurements.push(Measurement::new(SOURCE, HTTP_REQS, Some(RATE), subject.clone(), per_second, Unit::PerSecond));
    measurements.push(Measurement::new(
        SOURCE,
        HTTP_REQS,
        Some("count"),
        subject.clone(),
        run.requests.total,
        Unit::Number,
    ));
    // A request failed when its response was not 2xx or it got none (a socket error or a
    // time-out, which autocannon counts in `errors` and not in `requests.total`).
    let attempted = run.requests.total + run.errors;
    let mut failed = Measurement::new(SOURCE, HTTP_REQ_FAILED, Some(RATE), subject, 0.0, Unit::Ratio);
    failed.samples = Some(count(attempted));
    match attempted > 0.0 {
        true => failed.value = Some((run.non2xx + run.errors) / attempted),
        false => {
            failed.value = None;
            failed.no_data = Some("autocannon sent no request that got a response or an error".into());
        }
    }
    measurements.push(failed);
    Ok(measurements)
}

/// The run as a subject: its URL and title, as autocannon wrote them.
fn subject(run: &Run) -> Subject {
    let mut subject = Subject::new();
    match &run.url {
        Some(Url::One(url)) => {
            subject.insert("url".into(), url.clone());
        }
        Some(Url::Several(urls)) if !urls.is_empty() => {
            subject.insert("url".into(), urls.join(" "));
        }
        _ => {}
    }
    if let Some(title) = run.title.as_ref().filter(|title| !title.is_empty()) {
        subject.insert("title".into(), title.clone());
    }
    subject
}

/// The canonical statistic of a `latency` key: `mean` is `avg` (`average` is the same
/// number again), `min` and `max` as they are, `p97_5` is `p(97.5)`. `stddev` and
/// `totalCount` are not statistics a budget reads.
fn latency_stat(key: &str) -> Option<String> {
    match key {
        "mean" => Some("avg".into()),
        "min" | "max" => Some(key.into()),
        _ => {
            let digits = key.strip_prefix('p')?;
            let (whole, fraction) = digits.split_once('_').unwrap_or((digits, ""));
            let numeric = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
            if whole.is_empty()
                || !numeric(whole)
                || !numeric(fraction)
                || (digits.contains('_') && fraction.is_empty())
            {
                return None;
            }
            Some(match fraction.is_empty() {
                true => format!("p({whole})"),
                false => format!("p({whole}.{fraction})"),
            })
        }
    }
}

/// A count written as a JSON number, for `samples`.
fn count(value: f64) -> u64 {
    // Counts are whole and far below 2^53; anything else is shown as the nearest count.
    value.max(0.0).round() as u64
}

/// Adds to each judged latency row of a rate-limited run (`-R`/`-r`) that its percentiles
/// are not the responses' own. With a rate, autocannon records each latency with HDR's
/// coordinated-omission correction at a 1 ms interval, adding a sample for every whole ms
/// below it, so the histogram holds far more samples than there were responses and its
/// percentiles read low. The JSON does not say a rate was set; the sample count does.
pub(crate) fn annotate(checks: &mut [CheckResult], measurements: &[Measurement]) {
    let responses: HashMap<(&str, &Subject), f64> = measurements
        .iter()
        .filter(|m| m.source == SOURCE && m.metric == HTTP_REQS && m.stat.as_deref() == Some("count"))
        .filter_map(|m| Some(((m.origin.as_deref()?, &m.subject), m.value?)))
        .collect();
    let mut back_filled: HashMap<(&str, &Subject), (u64, f64)> = HashMap::new();
    for m in measurements.iter().filter(|m| m.source == SOURCE && m.metric == HTTP_REQ_DURATION) {
        let (Some(origin), Some(samples)) = (m.origin.as_deref(), m.samples) else { continue };
        if let Some(&total) = responses.get(&(origin, &m.subject))
            && samples as f64 > total
        {
            back_filled.insert((origin, &m.subject), (samples, total));
        }
    }
    if back_filled.is_empty() {
        return;
    }
    for result in checks.iter_mut() {
        if result.source.as_deref() != Some(SOURCE) || result.source_metric != HTTP_REQ_DURATION {
            continue;
        }
        let runs: Vec<(u64, f64)> = result
            .origins
            .iter()
            .filter_map(|origin| back_filled.get(&(origin.as_str(), &result.subject)).copied())
            .collect();
        if let Some((samples, total)) = runs.first() {
            result.message.push_str(&format!(
                "; autocannon ran rate-limited (-R): its histogram holds {samples} samples for {total} responses, \
                 back-filled at 1 ms steps, so its latencies read lower than the responses' own"
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latency_keys_become_canonical_stats() {
        assert_eq!(latency_stat("p97_5").as_deref(), Some("p(97.5)"));
        assert_eq!(latency_stat("p0_001").as_deref(), Some("p(0.001)"));
        assert_eq!(latency_stat("p50").as_deref(), Some("p(50)"));
        assert_eq!(latency_stat("mean").as_deref(), Some("avg"));
        for key in ["average", "stddev", "totalCount", "p", "p_5", "p9_", "pfoo"] {
            assert_eq!(latency_stat(key), None, "{key}");
        }
    }

    #[test]
    fn detection_and_text() {
        let json = br#"{"url":"http://x/","connections":1,"sampleInt":1000,"pipelining":1,"non2xx":0,"latency":{},"requests":{},"throughput":{}}"#;
        assert!(crate::ingest::format::claims(&Autocannon, json));
        assert!(!crate::ingest::format::claims(&Autocannon, br#"{"metrics":{"http_reqs":{}}}"#));
        assert!(is_text_table("Running 3s test @ http://127.0.0.1/\n10 connections\n"));
        assert!(!is_text_table("{\"latency\": 1}"));
    }

    #[test]
    fn nothing_sent_is_no_error_rate() {
        let json = br#"{"url":"u","errors":0,"non2xx":0,"latency":{"p99":0,"totalCount":0},"requests":{"average":0,"total":0}}"#;
        let measurements = parse(json).unwrap();
        let failed = measurements.iter().find(|m| m.metric == HTTP_REQ_FAILED).unwrap();
        assert_eq!(failed.value, None);
        let p99 = measurements.iter().find(|m| m.stat.as_deref() == Some("p(99)")).unwrap();
        assert_eq!(p99.value, None);
        assert!(p99.no_data.as_deref().unwrap().contains("recorded no latency"));
    }
}
