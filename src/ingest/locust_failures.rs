//! Locust's `PREFIX_failures.csv` (`--csv PREFIX`, Locust 2.x): one row per request and
//! error, with how often it occurred. Each row is a subject tagged `name`, `method` and
//! `error` (Locust's text of the error, `HTTPError('500 Server Error: ...')`,
//! `ConnectionRefusedError(111, 'Connection refused')`), read as `http_req_failed` `count`:
//! its `Occurrences`. The error rate is `_stats.csv`'s; this file counts what the failures
//! were, so a budget can hold one kind of error to a count (README "Locust").

use std::path::Path;

use super::locust::{Row, SOURCE, for_each_row, request_subject};
use super::{Adapter, Detection, Error, Head, Measurement, Options};
use crate::model::vocabulary::HTTP_REQ_FAILED;
use crate::quantity::Unit;

/// The start of the header (Locust 2.x adds `First Seen,Last Seen` in later versions).
pub(crate) const HEADER: &str = "Method,Name,Error,Occurrences";
/// The subject tag holding Locust's text of the error.
const ERROR_TAG: &str = "error";

#[derive(Debug)]
pub(crate) struct LocustFailures;

impl Adapter for LocustFailures {
    fn detect(&self, head: &Head) -> Detection {
        let text = head.lines_text();
        let first = text.lines().next().unwrap_or("").trim_end();
        Detection::from(first == HEADER || first.starts_with(&format!("{HEADER},")), false)
    }

    fn read(&self, path: &Path, _options: &Options) -> Result<Vec<Measurement>, Error> {
        let bytes = super::read_document(path).map_err(Error::Named)?;
        parse(&bytes)
    }
}

/// Reads one `_failures.csv`.
pub fn parse(bytes: &[u8]) -> Result<Vec<Measurement>, Error> {
    let mut measurements = Vec::new();
    for_each_row(bytes, check_header, |(), record, line| {
        let row = Row { record, line };
        let mut subject = request_subject(row.text(0), row.text(1));
        subject.insert(ERROR_TAG.into(), row.text(2).to_owned());
        let occurrences = row.required(3, "Occurrences")?;
        if occurrences.fract() != 0.0 {
            return Err(Error::Line { line, message: format!("`Occurrences` is {occurrences}, not a count") });
        }
        let mut count = Measurement::new(SOURCE, HTTP_REQ_FAILED, Some("count"), subject, occurrences, Unit::Number);
        count.samples = Some(occurrences as u64);
        measurements.push(count);
        Ok(())
    })?;
    Ok(measurements)
}

/// The columns are read by position: Locust's first four are always these.
fn check_header(header: &csv::StringRecord) -> Result<(), Error> {
    let first: Vec<&str> = header.iter().take(4).collect();
    match first.join(",") == HEADER {
        true => Ok(()),
        false => {
            Err(Error::Line { line: 1, message: format!("the header does not start `{HEADER}`, as Locust's does") })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_error_is_a_count_of_its_request() {
        let csv = "Method,Name,Error,Occurrences,First Seen,Last Seen\n\
                   GET,/api/users,\"ConnectionRefusedError(111, 'Connection refused')\",189,2026-12-01T15:46:24Z,\
                   2026-12-01T15:46:28Z\n";
        let read = parse(csv.as_bytes()).unwrap();
        assert_eq!(read.len(), 1);
        assert_eq!(read[0].value, Some(189.0));
        assert_eq!(read[0].subject.get("error"), Some("ConnectionRefusedError(111, 'Connection refused')"));
        assert_eq!(read[0].subject.get("method"), Some("GET"));
        let error = parse(b"Method,Name,Error,Occurrences\nGET,/a,x,1,5\n").unwrap_err().to_string();
        assert!(error.starts_with("2: a row of 5 fields"), "{error}");
        assert!(parse(b"Method,Name,Error,Occurrences\nGET,/a,x,many\n").unwrap_err().to_string().contains("many"));
    }
}
