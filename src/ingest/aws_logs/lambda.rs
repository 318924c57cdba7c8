//! AWS Lambda's platform reports: the `REPORT RequestId: …` line of the text log format
//! and the `platform.report` record of the JSON log format (the Telemetry API's schema).
//!
//! A REPORT line is tokenised on its `Key: value unit` pairs, not on positions: real logs
//! separate them with TABs, copies in the wild with one or two spaces. `Init Duration` is
//! there only on the first invocation of an execution environment: a cold start.

use serde_json::{Map, Value};

/// One invocation's report. Durations in ms, memory in MB (Lambda's MB are MiB).
#[derive(Debug, Clone, PartialEq, Default)]
pub(super) struct Report {
    pub(super) duration: Option<f64>,
    pub(super) billed_duration: Option<f64>,
    pub(super) memory_size: Option<f64>,
    pub(super) max_memory_used: Option<f64>,
    pub(super) init_duration: Option<f64>,
}

/// Whether a log line claims to be a REPORT line: `REPORT` as its first word, or after a
/// prefix (`aws logs tail` puts a time and the stream first) followed by `RequestId:`.
pub(super) fn claims_report(line: &str) -> bool {
    let line = line.trim_start();
    line.starts_with("REPORT ") || line.contains(" REPORT RequestId:") || line.contains("\tREPORT RequestId:")
}

/// A REPORT line's numbers, or what is wrong with it. Whatever follows on the same log event
/// (`XRAY TraceId: …` after a line end) is not part of it.
pub(super) fn parse_report(line: &str) -> Result<Report, String> {
    let start = line.find("REPORT ").ok_or("no `REPORT`")?;
    // Some exports keep the event's TAB and line end as the two characters `\t` and `\n`.
    let text = line[start + "REPORT ".len()..].replace("\\t", "\t");
    let text = text.split(['\n', '\r']).next().unwrap_or_default();
    let text = text.split("\\n").next().unwrap_or_default();
    let mut words = text.split_whitespace().peekable();
    if words.next() != Some("RequestId:") || words.next().is_none() {
        return Err("no `RequestId: ID` after `REPORT`".into());
    }
    let mut report = Report::default();
    let mut key = String::new();
    while let Some(word) = words.next() {
        let Some(name) = word.strip_suffix(':') else {
            key = if key.is_empty() { word.to_owned() } else { format!("{key} {word}") };
            continue;
        };
        let name = if key.is_empty() { name.to_owned() } else { format!("{key} {name}") };
        key.clear();
        let value = words.next().ok_or_else(|| format!("`{name}:` has no value"))?;
        // `9804ms` (INIT_REPORT's style) or `9804 ms`.
        let (number, unit) = match value.find(|c: char| c.is_ascii_alphabetic()) {
            Some(at) => (&value[..at], &value[at..]),
            None => (value, words.next().ok_or_else(|| format!("`{name}: {value}` has no unit"))?),
        };
        let number: f64 = number
            .parse()
            .ok()
            .filter(|n: &f64| n.is_finite() && *n >= 0.0 && !number.starts_with('+'))
            .ok_or_else(|| format!("`{name}: {value}` is not a number"))?;
        let expected = match name.as_str() {
            "Duration" | "Billed Duration" | "Init Duration" => "ms",
            "Memory Size" | "Max Memory Used" => "MB",
            // Restore Duration (SnapStart) and fields Lambda may add later.
            _ => continue,
        };
        if unit != expected {
            return Err(format!("`{name}: {value} {unit}` is not in {expected}"));
        }
        let field = match name.as_str() {
            "Duration" => &mut report.duration,
            "Billed Duration" => &mut report.billed_duration,
            "Memory Size" => &mut report.memory_size,
            "Max Memory Used" => &mut report.max_memory_used,
            _ => &mut report.init_duration,
        };
        *field = Some(number);
    }
    if !key.is_empty() {
        return Err(format!("`{key}` after the last field (cut short?)"));
    }
    if report.duration.is_none() {
        return Err("no `Duration: N ms`".into());
    }
    Ok(report)
}

/// Whether a JSON object is a `platform.report` record.
pub(super) fn is_platform_report(object: &Map<String, Value>) -> bool {
    object.get("type").and_then(Value::as_str) == Some("platform.report")
}

/// A `platform.report` record's numbers, or what is wrong with it. Lambda Managed Instances
/// write only `durationMs` (and `spans`): the rest is then no data.
pub(super) fn parse_platform_report(object: &Map<String, Value>) -> Result<Report, String> {
    let metrics = object
        .get("record")
        .and_then(|record| record.get("metrics"))
        .and_then(Value::as_object)
        .ok_or("a platform.report without `record.metrics`")?;
    let number = |key: &str| -> Result<Option<f64>, String> {
        match metrics.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => match value.as_f64() {
                Some(number) if number.is_finite() && number >= 0.0 => Ok(Some(number)),
                _ => Err(format!("`record.metrics.{key}` is {value}, not a number")),
            },
        }
    };
    let report = Report {
        duration: number("durationMs")?,
        billed_duration: number("billedDurationMs")?,
        memory_size: number("memorySizeMB")?,
        max_memory_used: number("maxMemoryUsedMB")?,
        init_duration: number("initDurationMs")?,
    };
    if report.duration.is_none() {
        return Err("a platform.report without `record.metrics.durationMs`".into());
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tabs_spaces_and_a_trailing_xray_line() {
        let tabs = "REPORT RequestId: a5102125-3a8b\tDuration: 12.68 ms\tBilled Duration: 309 ms\tMemory Size: 512 MB\tMax Memory Used: 93 MB\tInit Duration: 295.33 ms\t\nXRAY TraceId: 1-5d83 SegmentId: 3125\tSampled: true";
        let report = parse_report(tabs).unwrap();
        assert_eq!(
            report,
            Report {
                duration: Some(12.68),
                billed_duration: Some(309.0),
                memory_size: Some(512.0),
                max_memory_used: Some(93.0),
                init_duration: Some(295.33)
            }
        );
        let spaces = "REPORT RequestId: 8edab1f8 Duration: 0.81 ms  Billed Duration: 100 ms Memory Size: 128 MB Max Memory Used: 90 MB  Init Duration: 1234 ms";
        assert_eq!(parse_report(spaces).unwrap().init_duration, Some(1234.0));
        let escaped = r"REPORT RequestId: db27\tDuration: 1.76 ms\tBilled Duration: 100 ms\tMemory Size: 128 MB\tMax Memory Used: 48 MB\t\n";
        assert_eq!(parse_report(escaped).unwrap().max_memory_used, Some(48.0));
        let prefixed = "2024-01-01T00:00:00 stream REPORT RequestId: x Duration: 1 ms Restore Duration: 3 ms";
        assert!(claims_report(prefixed));
        assert_eq!(parse_report(prefixed).unwrap().duration, Some(1.0));
    }

    #[test]
    fn a_malformed_report_says_what_is_wrong() {
        for (line, why) in [
            ("REPORT invalid report log line", "no `RequestId: ID` after `REPORT`"),
            ("REPORT RequestId: x Duration: 1.2.3 ms", "`Duration: 1.2.3` is not a number"),
            ("REPORT RequestId: x Duration: -1 ms", "`Duration: -1` is not a number"),
            ("REPORT RequestId: x Duration: 12", "`Duration: 12` has no unit"),
            ("REPORT RequestId: x Duration: 12 s", "`Duration: 12 s` is not in ms"),
            ("REPORT RequestId: x Duration: 12 ms Billed", "`Billed` after the last field (cut short?)"),
            ("REPORT RequestId: x Duration:", "`Duration:` has no value"),
            ("REPORT RequestId: x Billed Duration: 100 ms", "no `Duration: N ms`"),
        ] {
            assert!(claims_report(line));
            assert_eq!(parse_report(line).unwrap_err(), why, "{line}");
        }
        assert!(!claims_report("START RequestId: x Version: $LATEST"));
        assert!(!claims_report("INFO the REPORT is ready"));
    }

    #[test]
    fn platform_reports_with_and_without_memory() {
        let object = |text: &str| serde_json::from_str::<Map<String, Value>>(text).unwrap();
        let cold = object(
            r#"{"type":"platform.report","record":{"metrics":{"durationMs":0.81,"billedDurationMs":100,"memorySizeMB":128,"maxMemoryUsedMB":90,"initDurationMs":1234}}}"#,
        );
        assert!(is_platform_report(&cold));
        assert_eq!(parse_platform_report(&cold).unwrap().init_duration, Some(1234.0));
        let managed = object(r#"{"type":"platform.report","record":{"metrics":{"durationMs":2.524},"spans":[]}}"#);
        assert_eq!(parse_platform_report(&managed).unwrap(), Report { duration: Some(2.524), ..Report::default() });
        let bad = object(r#"{"type":"platform.report","record":{"metrics":{"durationMs":"1"}}}"#);
        assert_eq!(parse_platform_report(&bad).unwrap_err(), "`record.metrics.durationMs` is \"1\", not a number");
    }
}
