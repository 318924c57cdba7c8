//! Gatling's HTML report numbers: `js/stats.json` (every request and the whole run),
//! `js/global_stats.json` (the whole run) and `js/stats.js` (the same tree as a JavaScript
//! object, as Gatling 3.13.5 and later write it alone). A folder holding a report
//! (`index.html` and `js/`) is one run, read from its `stats.json` (else `stats.js`): the
//! `simulation.log` beside it is what the report was made from, not a second run.
//!
//! Every number is Gatling's, never recomputed:
//!
//! * The whole run ("Global Information") is the subject without tags; each request is
//!   tagged `name`, and `group` (its groups joined by ` / `) inside groups. A group's own
//!   row (its cumulated response time) is not read.
//! * `http_req_duration`: `min`, `max`, `avg` (`meanResponseTime`), `stddev`
//!   (`standardDeviation`) and the report's four percentiles, `percentiles1..4` of every
//!   request, OK or KO (`total`). Which percentiles they are is a setting of the run
//!   (`charting.indicators.percentile1..4`, by default 50, 75, 95, 99): read from the
//!   folder's `index.html` table heads, else the defaults. A percentile the report does
//!   not show is no data (p(90) by default), never interpolated.
//! * `http_req_failed` `rate` = `numberOfRequests.ko` / `numberOfRequests.total` (a
//!   failed check or a transport error).
//! * `http_reqs` `rate` = `meanNumberOfRequestsPerSecond.total` (requests over the run's
//!   span in whole seconds), `count` = `numberOfRequests.total`.
//!
//! Values are numbers (3.x `stats.json`) or strings (`stats.js`, older reports), where
//! `-` is no value. A row of no request has no latency data.

use std::path::Path;

use serde_json::Value;

use super::{Adapter, Detection, Error, Head, Measurement, Options, Subject};
use crate::ingest::gatling_log::{GROUP_TAG, SOURCE};
use crate::model::vocabulary::{HTTP_REQ_DURATION, HTTP_REQ_FAILED, HTTP_REQS, NAME_TAG, RATE};
use crate::quantity::Unit;

/// Gatling's default `charting.indicators.percentile1..4`.
const DEFAULT_PERCENTILES: [f64; 4] = [50.0, 75.0, 95.0, 99.0];

#[derive(Debug)]
pub(crate) struct GatlingReport;

impl Adapter for GatlingReport {
    fn detect(&self, head: &Head) -> Detection {
        let text = head.text.as_str();
        let tree = text.starts_with('{') && text.contains("\"type\": \"GROUP\"") && text.contains("\"stats\": {");
        let global = text.starts_with('{')
            && text.contains("\"numberOfRequests\": {")
            && text.contains("\"minResponseTime\": {")
            && !text.contains("\"contents\"");
        let script = text.starts_with("var stats = {");
        Detection::from((tree && text.contains("\"numberOfRequests\"")) || global || script, false)
    }

    fn read(&self, path: &Path, _options: &Options) -> Result<Vec<Measurement>, Error> {
        let bytes = super::read_document(path).map_err(Error::Named)?;
        let text = super::utf8(&bytes)?;
        parse(text, DEFAULT_PERCENTILES)
    }

    fn claims_folder(&self, dir: &Path, _options: &Options) -> bool {
        dir.join("index.html").is_file() && report_file(dir).is_some()
    }

    fn read_folder(&self, dir: &Path, _options: &Options) -> Result<Vec<Measurement>, Error> {
        let Some(file) = report_file(dir) else {
            return Err(Error::Refused("a Gatling report folder without js/stats.json or js/stats.js".into()));
        };
        let index = super::read_document(&dir.join("index.html")).map_err(Error::Named)?;
        let percentiles = table_percentiles(&String::from_utf8_lossy(&index)).unwrap_or(DEFAULT_PERCENTILES);
        let bytes = super::read_document(&file).map_err(Error::Named)?;
        let text = super::utf8(&bytes).map_err(|located| Error::At(located).in_file(&file))?;
        parse(text, percentiles).map_err(|error| Error::Named(error.in_file(&file)))
    }
}

/// The file a report folder's numbers are read from.
fn report_file(dir: &Path) -> Option<std::path::PathBuf> {
    ["js/stats.json", "js/stats.js"].iter().map(|name| dir.join(name)).find(|path| path.is_file())
}

/// The four percentiles a report's statistics table heads name (`50th pct`), in order.
fn table_percentiles(html: &str) -> Option<[f64; 4]> {
    let mut found = Vec::new();
    for (at, _) in html.match_indices(" pct") {
        let before = &html[..at];
        let Some(rank) = ["th", "st", "nd", "rd"].iter().find_map(|suffix| before.strip_suffix(suffix)) else {
            continue;
        };
        let start = rank.rfind(|c: char| !(c.is_ascii_digit() || c == '.')).map_or(0, |i| i + 1);
        if let Ok(value) = rank[start..].parse::<f64>()
            && (0.0..=100.0).contains(&value)
            && !found.contains(&value)
        {
            found.push(value);
        }
        if found.len() == 4 {
            return Some([found[0], found[1], found[2], found[3]]);
        }
    }
    None
}

/// Reads a `stats.json`, `global_stats.json` or `stats.js` text.
pub fn parse(text: &str, percentiles: [f64; 4]) -> Result<Vec<Measurement>, Error> {
    let root: Value = if let Some(script) = text.trim_start().strip_prefix("var stats =") {
        script_object(script)?
    } else {
        serde_json::from_str(text).map_err(|error| Error::At(super::Located::from_json(&error, 1, 1)))?
    };
    let mut out = Vec::new();
    if root.get("contents").is_some() || root.get("type").is_some() {
        walk(&root, &[], true, percentiles, &mut out)?;
    } else {
        node_stats(&root, &Subject::new(), percentiles, &mut out)?;
    }
    Ok(out)
}

/// The tree's rows: the root's as the whole run, each request's under its groups.
fn walk(
    node: &Value,
    groups: &[String],
    root: bool,
    percentiles: [f64; 4],
    out: &mut Vec<Measurement>,
) -> Result<(), Error> {
    let kind = node.get("type").and_then(Value::as_str).unwrap_or_default();
    let name = node.get("name").and_then(Value::as_str).unwrap_or_default().to_owned();
    let stats = node.get("stats").ok_or_else(|| Error::Refused(format!("the {kind} {name:?} has no `stats`")))?;
    match kind {
        "GROUP" if root => node_stats(stats, &Subject::new(), percentiles, out)?,
        "GROUP" => {}
        "REQUEST" => {
            let mut subject = Subject::new();
            subject.insert(NAME_TAG.to_owned(), name.clone());
            if !groups.is_empty() {
                subject.insert(GROUP_TAG.to_owned(), groups.join(" / "));
            }
            return node_stats(stats, &subject, percentiles, out);
        }
        other => return Err(Error::Refused(format!("an entry of type {other:?}, not GROUP or REQUEST"))),
    }
    let mut inner: Vec<String> = groups.to_vec();
    if !root {
        inner.push(name);
    }
    if let Some(contents) = node.get("contents").and_then(Value::as_object) {
        for child in contents.values() {
            walk(child, &inner, false, percentiles, out)?;
        }
    }
    Ok(())
}

/// One `{total, ok, ko}` value's `total` (or `ko`): a number, a numeric string, or `-`.
fn value(stats: &Value, key: &str, part: &str, name: &str) -> Result<Option<f64>, Error> {
    let Some(entry) = stats.get(key) else {
        return Err(Error::Refused(format!("the stats of {name:?} have no `{key}`")));
    };
    match entry.get(part) {
        Some(Value::Number(number)) => Ok(number.as_f64().filter(|v| v.is_finite())),
        Some(Value::String(text)) if text.trim() == "-" => Ok(None),
        Some(Value::String(text)) => text
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .map(Some)
            .ok_or_else(|| Error::Refused(format!("`{key}.{part}` of {name:?} is {text:?}, not a number"))),
        _ => Err(Error::Refused(format!("the stats of {name:?} have no number at `{key}.{part}`"))),
    }
}

fn node_stats(
    stats: &Value,
    subject: &Subject,
    percentiles: [f64; 4],
    out: &mut Vec<Measurement>,
) -> Result<(), Error> {
    let name = stats.get("name").and_then(Value::as_str).unwrap_or("Global Information").to_owned();
    let total = value(stats, "numberOfRequests", "total", &name)?.unwrap_or(0.0);
    let ko = value(stats, "numberOfRequests", "ko", &name)?.unwrap_or(0.0);
    let push = |out: &mut Vec<Measurement>, metric: &str, stat: &str, value: Option<f64>, unit: Unit| {
        let mut measurement = Measurement::new(SOURCE, metric, Some(stat), subject.clone(), 0.0, unit);
        measurement.value = value;
        if value.is_none() {
            measurement.no_data = Some(if total == 0.0 {
                "Gatling's report counts no request here".to_owned()
            } else {
                format!("Gatling's report shows no {stat} here")
            });
        }
        if total > 0.0 {
            measurement.samples = Some(total as u64);
        }
        out.push(measurement);
    };
    let latency = |key: &str| -> Result<Option<f64>, Error> {
        if total == 0.0 { Ok(None) } else { value(stats, key, "total", &name) }
    };
    push(out, HTTP_REQ_DURATION, "min", latency("minResponseTime")?, Unit::Ms);
    push(out, HTTP_REQ_DURATION, "max", latency("maxResponseTime")?, Unit::Ms);
    push(out, HTTP_REQ_DURATION, "avg", latency("meanResponseTime")?, Unit::Ms);
    if stats.get("standardDeviation").is_some() {
        push(out, HTTP_REQ_DURATION, "stddev", latency("standardDeviation")?, Unit::Ms);
    }
    for (index, rank) in percentiles.iter().enumerate() {
        let key = format!("percentiles{}", index + 1);
        if stats.get(&key).is_none() {
            continue;
        }
        push(out, HTTP_REQ_DURATION, &format!("p({rank})"), latency(&key)?, Unit::Ms);
    }
    if total < 0.0 || ko < 0.0 || ko > total {
        return Err(Error::Refused(format!("{name:?} counts {ko} KO of {total} requests")));
    }
    push(out, HTTP_REQ_FAILED, RATE, (total > 0.0).then(|| ko / total), Unit::Ratio);
    let per_second = value(stats, "meanNumberOfRequestsPerSecond", "total", &name)?;
    push(out, HTTP_REQS, RATE, if total > 0.0 { per_second } else { None }, Unit::PerSecond);
    push(out, HTTP_REQS, "count", Some(total), Unit::Number);
    Ok(())
}

/// The object of `var stats = {...}` as JSON: its bare keys (`type:`, `name:`) quoted.
fn script_object(script: &str) -> Result<Value, Error> {
    let mut json = String::with_capacity(script.len() + 256);
    let mut depth = 0_usize;
    let mut chars = script.char_indices().peekable();
    let mut in_string = false;
    let mut started = false;
    while let Some((_, c)) = chars.next() {
        if in_string {
            json.push(c);
            match c {
                '\\' => {
                    if let Some((_, escaped)) = chars.next() {
                        json.push(escaped);
                    }
                }
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                json.push(c);
            }
            '{' => {
                depth += 1;
                started = true;
                json.push(c);
            }
            '}' => {
                depth = depth.saturating_sub(1);
                json.push(c);
                if started && depth == 0 {
                    return serde_json::from_str(&json).map_err(|error| {
                        Error::Refused(format!("the `var stats` object of stats.js is not readable: {error}"))
                    });
                }
            }
            c if c.is_ascii_alphabetic() && started => {
                let mut word = String::from(c);
                while let Some(&(_, next)) = chars.peek() {
                    if next.is_ascii_alphanumeric() || next == '_' {
                        word.push(next);
                        chars.next();
                    } else {
                        break;
                    }
                }
                json.push('"');
                json.push_str(&word);
                json.push('"');
            }
            c => json.push(c),
        }
    }
    Err(Error::Refused("stats.js ends inside its `var stats` object: truncated?".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_heads_name_the_percentiles() {
        let heads = "<th>50th pct</th><th>75th pct</th><th>95th pct</th><th>99.9th pct</th>";
        assert_eq!(table_percentiles(heads), Some([50.0, 75.0, 95.0, 99.9]));
        assert_eq!(table_percentiles("<th>50th pct</th><th>50th pct</th>"), None);
        assert_eq!(table_percentiles("no table"), None);
    }
}
