//! Locust's `--csv PREFIX` request statistics, `PREFIX_stats.csv` (Locust 2.x): one row per
//! request name and method, then the `Aggregated` row of the whole run, mapped to the
//! canonical HTTP vocabulary (README "Locust"). Every number is read as Locust wrote it:
//!
//! * Each row is a subject tagged `name` (Locust's name of the request) and `method` (its
//!   `Type`: `GET`, `POST`, or a custom request type); the `Aggregated` row (empty `Type`)
//!   is the whole run, without tags.
//! * `http_req_duration`: `p(50)` … `p(99.99)` and `p(100)` are the `50%` … `100%` columns,
//!   Locust's percentiles of its rounded buckets (whole ms below 100 ms, then tens, then
//!   hundreds), never re-interpolated. `med` is `Median Response Time`: the same bucket,
//!   clamped by Locust to the run's min and max, and the number Locust prints as the median;
//!   `api_p50` reads it first. `avg`, `min` and `max` are the `Average`, `Min` and `Max
//!   Response Time` columns, unrounded (`max` is exact where `100%` is a bucket).
//! * `http_reqs` `rate` is `Requests/s`, `count` is `Request Count`.
//! * `http_req_failed` `rate` is `Failure Count` / `Request Count`: a request fails when the
//!   client raised (a refused connection, a time-out), the status was 400 or more, or the
//!   script marked it failed.
//!
//! "No data", never 0: a percentile Locust wrote as `N/A`; every latency of a row with no
//! request (Locust writes its median, average, min and max as 0); and every latency of a
//! row whose requests all failed, as Locust's response times are then the times taken to
//! fail (a refused connection answers in a millisecond), not responses.
//!
//! The other files of a run have their own readers: `_stats_history.csv`
//! ([`super::locust_history`], periods), `_failures.csv` ([`super::locust_failures`]) and
//! `--json` ([`super::locust_json`], the same numbers from raw buckets). `_exceptions.csv`
//! (its users' exceptions, not requests) is a near miss that names `_stats.csv`.

use std::path::Path;

use super::{Adapter, Detection, Error, Head, Measurement, Options, Subject};
use crate::model::vocabulary::{HTTP_REQ_DURATION, HTTP_REQ_FAILED, HTTP_REQS, NAME_TAG, RATE};
use crate::quantity::Unit;

/// The `source` of every measurement read here.
pub(crate) const SOURCE: &str = "locust";
/// The start of `_stats.csv`'s header, the same in every Locust 2.x.
const STATS_HEADER: &str = "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,\
                            Min Response Time,Max Response Time,";
const EXCEPTIONS_HEADER: &str = "Count,Message,Traceback,Nodes";
/// The `Name` of the whole run's row.
const AGGREGATED: &str = "Aggregated";

#[derive(Debug)]
pub(crate) struct Locust;

impl Adapter for Locust {
    fn detect(&self, head: &Head) -> Detection {
        let text = head.lines_text();
        let first = text.lines().next().unwrap_or("").trim_end();
        Detection::from(first.starts_with(STATS_HEADER) && first.contains(",50%,") && first.ends_with(",100%"), false)
    }

    fn near_miss(&self, _path: &Path, head: &Head) -> Option<String> {
        let text = head.lines_text();
        let first = text.lines().next().unwrap_or("").trim_end();
        let other = if first.starts_with(EXCEPTIONS_HEADER) {
            "Locust's _exceptions.csv, which lists the exceptions of its users"
        } else {
            return None;
        };
        Some(format!(
            "this is {other}; give perfbudget the PREFIX_stats.csv that `locust --headless --csv PREFIX` writes \
             beside it"
        ))
    }

    fn read(&self, path: &Path, _options: &Options) -> Result<Vec<Measurement>, Error> {
        let bytes = super::read_document(path).map_err(Error::Named)?;
        parse(&bytes)
    }
}

/// The columns a row is read by, as indices into it.
struct Columns {
    kind: usize,
    name: usize,
    requests: usize,
    failures: usize,
    median: usize,
    average: usize,
    min: usize,
    max: usize,
    per_second: usize,
    /// Each percentile column with its canonical stat, `p(50)` … `p(100)`.
    percentiles: Vec<(usize, String)>,
}

impl Columns {
    fn of(header: &csv::StringRecord) -> Result<Columns, Error> {
        let find = |name: &str| {
            header.iter().position(|column| column == name).ok_or_else(|| Error::Line {
                line: 1,
                message: format!("Locust's _stats.csv header has no `{name}` column"),
            })
        };
        let percentiles: Vec<(usize, String)> = header
            .iter()
            .enumerate()
            .filter_map(|(index, column)| {
                let number = column.strip_suffix('%')?;
                let valid = !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit() || b == b'.');
                valid.then(|| (index, format!("p({number})")))
            })
            .collect();
        if percentiles.is_empty() {
            return Err(Error::Line { line: 1, message: "Locust's _stats.csv header has no percentile column".into() });
        }
        Ok(Columns {
            kind: find("Type")?,
            name: find("Name")?,
            requests: find("Request Count")?,
            failures: find("Failure Count")?,
            median: find("Median Response Time")?,
            average: find("Average Response Time")?,
            min: find("Min Response Time")?,
            max: find("Max Response Time")?,
            per_second: find("Requests/s")?,
            percentiles,
        })
    }
}

/// Reads one `_stats.csv`.
pub fn parse(bytes: &[u8]) -> Result<Vec<Measurement>, Error> {
    let mut measurements = Vec::new();
    let mut aggregated = false;
    let last_line = for_each_row(bytes, Columns::of, |columns, record, line| {
        if aggregated {
            return Err(Error::Line {
                line,
                message: "a row after the Aggregated row, which Locust writes last".into(),
            });
        }
        let row = Row { record, line };
        let subject = request_subject(row.text(columns.kind), row.text(columns.name));
        aggregated = subject.is_empty();
        row.read(columns, subject, &mut measurements)
    })?;
    if !aggregated {
        return Err(Error::Line {
            line: last_line + 1,
            message: "the file ends before Locust's Aggregated row, which it writes last: truncated?".into(),
        });
    }
    Ok(measurements)
}

/// The subject of a row by its `Type` (or `Method`) and `Name`: the whole run (no tags)
/// for Locust's `Aggregated` row, else the request's `name` and `method`.
pub(crate) fn request_subject(kind: &str, name: &str) -> Subject {
    let mut subject = Subject::new();
    if !(kind.is_empty() && name == AGGREGATED) {
        subject.insert(NAME_TAG.into(), name.to_owned());
        if !kind.is_empty() {
            subject.insert("method".into(), kind.to_owned());
        }
    }
    subject
}

/// A Locust CSV as text: UTF-8, without a byte-order mark.
fn text_of(bytes: &[u8]) -> Result<&str, Error> {
    let text = std::str::from_utf8(bytes).map_err(|error| {
        Error::Refused(format!("not UTF-8 text (an invalid byte at offset {})", error.valid_up_to()))
    })?;
    Ok(text.strip_prefix('\u{feff}').unwrap_or(text))
}

/// Reads one of Locust's CSV files: its header into columns (`columns_of`), then each
/// record with its line, in order (`row`); returns the last record's line (1 for a header
/// alone).
pub(crate) fn for_each_row<C>(
    bytes: &[u8],
    columns_of: impl FnOnce(&csv::StringRecord) -> Result<C, Error>,
    mut row: impl FnMut(&C, &csv::StringRecord, usize) -> Result<(), Error>,
) -> Result<usize, Error> {
    let text = text_of(bytes)?;
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes());
    // The line a record starting at `byte` is on, counted on from the last record's start
    // (offsets only grow), so reading stays linear. csv leaves the previous record's line
    // end unread until the next read, so it is skipped here.
    let bytes = text.as_bytes();
    let (mut counted_to, mut lines_before) = (0, 0);
    let mut line_at = |byte: u64| {
        let mut at = (byte as usize).clamp(counted_to, bytes.len());
        while at < bytes.len() && matches!(bytes[at], b'\r' | b'\n') {
            at += 1;
        }
        lines_before += bytes[counted_to..at].iter().filter(|&&b| b == b'\n').count();
        counted_to = at;
        lines_before + 1
    };
    let columns = columns_of(reader.headers().map_err(|error| csv_error(&error, 1))?)?;
    let mut last_line = 1;
    let mut record = csv::StringRecord::new();
    loop {
        // Where the next record starts, before reading it: csv's own line of an error on a
        // last line without its line end (where a truncated file stops) is one short.
        let line = line_at(reader.position().byte());
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(error) => return Err(csv_error(&error, line)),
        }
        last_line = line;
        row(&columns, &record, line)?;
    }
    Ok(last_line)
}

/// A csv error at its line.
fn csv_error(error: &csv::Error, line: usize) -> Error {
    let message = match error.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("a row of {len} fields where Locust's header has {expected_len}: truncated?")
        }
        csv::ErrorKind::Utf8 { .. } => "not UTF-8 text".to_owned(),
        _ => error.to_string(),
    };
    Error::Line { line, message }
}

/// One row of a Locust CSV.
pub(crate) struct Row<'a> {
    pub(crate) record: &'a csv::StringRecord,
    pub(crate) line: usize,
}

impl Row<'_> {
    pub(crate) fn text(&self, index: usize) -> &str {
        self.record.get(index).unwrap_or("")
    }

    /// A number, or `None` for Locust's `N/A`.
    pub(crate) fn number(&self, index: usize, column: &str) -> Result<Option<f64>, Error> {
        let text = self.text(index).trim();
        if text == "N/A" {
            return Ok(None);
        }
        match text.parse::<f64>() {
            Ok(value) if value.is_finite() && value >= 0.0 => Ok(Some(value)),
            _ => Err(Error::Line {
                line: self.line,
                message: format!("`{column}` is {text:?}, not a number Locust writes"),
            }),
        }
    }

    /// A number that is never `N/A`.
    pub(crate) fn required(&self, index: usize, column: &str) -> Result<f64, Error> {
        self.number(index, column)?
            .ok_or_else(|| Error::Line { line: self.line, message: format!("`{column}` is N/A") })
    }

    fn read(&self, columns: &Columns, subject: Subject, out: &mut Vec<Measurement>) -> Result<(), Error> {
        let mut percentiles = Vec::with_capacity(columns.percentiles.len());
        for (index, stat) in &columns.percentiles {
            let column = format!("{}%", &stat[2..stat.len() - 1]);
            percentiles.push((stat.clone(), self.number(*index, &column)?));
        }
        let stats = RequestStats {
            requests: self.required(columns.requests, "Request Count")?,
            failures: self.required(columns.failures, "Failure Count")?,
            median: self.number(columns.median, "Median Response Time")?,
            average: self.number(columns.average, "Average Response Time")?,
            min: self.number(columns.min, "Min Response Time")?,
            max: self.number(columns.max, "Max Response Time")?,
            percentiles,
            per_second: Ok(self.required(columns.per_second, "Requests/s")?),
        };
        push_request_stats(&stats, subject, out);
        Ok(())
    }
}

/// One request's (or the whole run's) statistics as Locust reports them, from a row of
/// `_stats.csv` or computed from `--json` by Locust's rules.
pub(crate) struct RequestStats {
    pub(crate) requests: f64,
    pub(crate) failures: f64,
    /// `None` where Locust wrote `N/A`.
    pub(crate) median: Option<f64>,
    pub(crate) average: Option<f64>,
    pub(crate) min: Option<f64>,
    pub(crate) max: Option<f64>,
    /// Each percentile's canonical stat (`p(50)` … `p(100)`) and value.
    pub(crate) percentiles: Vec<(String, Option<f64>)>,
    /// Requests per second, or why there is none.
    pub(crate) per_second: Result<f64, String>,
}

/// The measurements of one request's statistics, the same from `_stats.csv` and `--json`:
/// `med`, `avg`, `min`, `max`, the percentiles, `http_reqs` `rate` and `count`, and
/// `http_req_failed` `rate`.
pub(crate) fn push_request_stats(stats: &RequestStats, subject: Subject, out: &mut Vec<Measurement>) {
    let (requests, failures) = (stats.requests, stats.failures);
    let samples = requests.round() as u64;
    // No request, or only failed ones: Locust's latencies measure nothing, or only the
    // time to fail.
    let no_latency = if requests == 0.0 {
        Some("Locust recorded no request here: it writes 0 and N/A for nothing measured".to_owned())
    } else if failures >= requests {
        Some(format!(
            "every request failed ({failures} of {requests}): Locust's response times are then the times \
             taken to fail, not responses"
        ))
    } else {
        None
    };
    let mut latency = |stat: &str, value: Option<f64>| {
        let mut measurement =
            Measurement::new(SOURCE, HTTP_REQ_DURATION, Some(stat), subject.clone(), value.unwrap_or(0.0), Unit::Ms);
        measurement.samples = Some(samples);
        match (&no_latency, value) {
            (Some(reason), _) => {
                measurement.value = None;
                measurement.no_data = Some(reason.clone());
            }
            (None, None) => {
                measurement.value = None;
                measurement.no_data = Some("Locust wrote N/A: it has no response time for this percentile".into());
            }
            (None, Some(_)) => {}
        }
        out.push(measurement);
    };
    latency("med", stats.median);
    latency("avg", stats.average);
    latency("min", stats.min);
    latency("max", stats.max);
    for (stat, value) in &stats.percentiles {
        latency(stat, *value);
    }
    let mut rate = Measurement::new(SOURCE, HTTP_REQS, Some(RATE), subject.clone(), 0.0, Unit::PerSecond);
    match &stats.per_second {
        Ok(per_second) => rate.value = Some(*per_second),
        Err(reason) => {
            rate.value = None;
            rate.no_data = Some(reason.clone());
        }
    }
    out.push(rate);
    out.push(Measurement::new(SOURCE, HTTP_REQS, Some("count"), subject.clone(), requests, Unit::Number));
    let mut failed = Measurement::new(SOURCE, HTTP_REQ_FAILED, Some(RATE), subject, 0.0, Unit::Ratio);
    failed.samples = Some(samples);
    match requests > 0.0 {
        true => failed.value = Some(failures / requests),
        false => {
            failed.value = None;
            failed.no_data = Some("Locust sent no request here".into());
        }
    }
    out.push(failed);
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,\
                          Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,\
                          75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%\n";

    #[test]
    fn detection_and_near_misses() {
        assert!(crate::ingest::format::claims(&Locust, HEADER.as_bytes()));
        assert!(!crate::ingest::format::claims(&Locust, b"Percentage served,Time in ms\n"));
        let head = Head::new(b"Count,Message,Traceback,Nodes\n".to_vec());
        assert!(Locust.near_miss(Path::new("x.csv"), &head).unwrap().contains("_exceptions.csv"));
    }

    #[test]
    fn a_row_cut_short_names_its_line() {
        let csv = format!("{HEADER}GET,/a,1,0,5,5.0,5.0,5.0,0,1.0,0.0,5,5\n");
        let error = parse(csv.as_bytes()).unwrap_err().to_string();
        assert!(error.starts_with("2: a row of 13 fields"), "{error}");
        let csv = format!("{HEADER}GET,/a,1,0,5,5.0,5.0,5.0,0,1.0,0.0,5,5,5,5,5,5,5,5,5,5,5\n");
        let error = parse(csv.as_bytes()).unwrap_err().to_string();
        assert!(error.starts_with("3: the file ends before"), "{error}");
    }

    #[test]
    fn a_bad_number_names_its_column() {
        let csv = format!("{HEADER},Aggregated,1,0,5,x,5.0,5.0,0,1.0,0.0,5,5,5,5,5,5,5,5,5,5,5\n");
        let error = parse(csv.as_bytes()).unwrap_err().to_string();
        assert!(error.contains("`Average Response Time` is \"x\""), "{error}");
    }
}
