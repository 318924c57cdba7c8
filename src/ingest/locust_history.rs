//! Locust's `PREFIX_stats_history.csv` (`--csv PREFIX`, Locust 2.x): a row a second, of the
//! whole run (`Aggregated`) and, with `--csv-full-history`, of each request too. Each row is
//! read as its subject (`name` and `method`, or the whole run) tagged `period` with its
//! `Timestamp` (ISO 8601 UTC), which only a budget selecting `period` reads
//! ([`crate::model::vocabulary::SELECTED_ONLY_BY_NAME`]): a budget without it reads the whole
//! run from `_stats.csv` as before (README "Locust").
//!
//! What a row holds is Locust's "current" numbers (`StatsCSVFileWriter._stats_history_data_rows`):
//!
//! * `Requests/s` and `Failures/s` are the mean per-second counts of the ~10 s before the last
//!   request (`current_rps`): `http_reqs` `rate`, and `http_req_failed` `rate` as their ratio.
//!   A row whose `Requests/s` is 0 (the run's first seconds, before a whole second is in the
//!   window) gives neither.
//! * The `50%` … `100%` columns are the last ~10 s (`get_current_response_time_percentile`)
//!   only with `--csv-full-history`; without it they are the run so far, so a period's latency
//!   is "no data" naming the flag. A row whose percentiles are all 0 is a window Locust had
//!   nothing for (no cached second yet, or no response in it) and gives no latency.
//! * The `Total …` columns repeat `_stats.csv`'s numbers of the run so far and are not read;
//!   a row whose `Total Request Count` is 0 (before its first request) gives nothing.

use std::path::Path;

use super::locust::{Row, SOURCE, for_each_row, request_subject};
use super::{Adapter, Detection, Error, Head, Measurement, Options};
use crate::model::vocabulary::{HTTP_REQ_DURATION, HTTP_REQ_FAILED, HTTP_REQS, PERIOD_TAG, RATE, period_stamp};
use crate::quantity::Unit;

/// The start of the header, the same in every Locust 2.x.
pub(crate) const HEADER: &str = "Timestamp,User Count,Type,Name,Requests/s,Failures/s,";

#[derive(Debug)]
pub(crate) struct LocustHistory;

impl Adapter for LocustHistory {
    fn detect(&self, head: &Head) -> Detection {
        let text = head.lines_text();
        let first = text.lines().next().unwrap_or("").trim_end();
        Detection::from(first.starts_with(HEADER) && first.contains(",Total Request Count,"), false)
    }

    fn read(&self, path: &Path, _options: &Options) -> Result<Vec<Measurement>, Error> {
        let bytes = super::read_document(path).map_err(Error::Named)?;
        parse(&bytes)
    }
}

/// The columns a row is read by.
struct Columns {
    timestamp: usize,
    kind: usize,
    name: usize,
    per_second: usize,
    failures_per_second: usize,
    total_requests: usize,
    /// Each percentile column: its index, its canonical stat (`p(95)`) and its title (`95%`).
    percentiles: Vec<(usize, String, String)>,
}

impl Columns {
    fn of(header: &csv::StringRecord) -> Result<Columns, Error> {
        let find = |name: &str| {
            header.iter().position(|column| column == name).ok_or_else(|| Error::Line {
                line: 1,
                message: format!("Locust's _stats_history.csv header has no `{name}` column"),
            })
        };
        let percentiles = header
            .iter()
            .enumerate()
            .filter_map(|(index, column)| {
                let number = column.strip_suffix('%')?;
                let valid = !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit() || b == b'.');
                valid.then(|| (index, format!("p({number})"), column.to_owned()))
            })
            .collect();
        Ok(Columns {
            timestamp: find("Timestamp")?,
            kind: find("Type")?,
            name: find("Name")?,
            per_second: find("Requests/s")?,
            failures_per_second: find("Failures/s")?,
            total_requests: find("Total Request Count")?,
            percentiles,
        })
    }
}

/// Reads one `_stats_history.csv`.
pub fn parse(bytes: &[u8]) -> Result<Vec<Measurement>, Error> {
    let mut measurements = Vec::new();
    // The last second a request's own row was written: Locust writes them (with
    // `--csv-full-history` only) before the Aggregated row of the same second.
    let mut requests_written_at: Option<i64> = None;
    // The stamp of the second last read: a second's rows (each request's, then the whole
    // run's) share it.
    let mut stamp = (i64::MIN, String::new());
    for_each_row(bytes, Columns::of, |columns, record, line| {
        let row = Row { record, line };
        let timestamp = row.text(columns.timestamp).trim();
        let second: i64 = timestamp.parse().map_err(|_| Error::Line {
            line,
            message: format!("`Timestamp` is {timestamp:?}, not the epoch seconds Locust writes"),
        })?;
        let mut subject = request_subject(row.text(columns.kind), row.text(columns.name));
        let whole_run = subject.is_empty();
        let windowed = match whole_run {
            true => requests_written_at == Some(second),
            false => {
                requests_written_at = Some(second);
                true
            }
        };
        if row.required(columns.total_requests, "Total Request Count")? == 0.0 {
            return Ok(());
        }
        if stamp.0 != second {
            stamp = (second, period_stamp(second));
        }
        subject.insert(PERIOD_TAG.into(), stamp.1.clone());

        let mut percentiles = Vec::with_capacity(columns.percentiles.len());
        for (index, stat, title) in &columns.percentiles {
            percentiles.push((stat.as_str(), row.number(*index, title)?));
        }
        let measured = percentiles.iter().any(|(_, value)| value.is_some_and(|v| v > 0.0));
        if !windowed || measured {
            for (stat, value) in percentiles {
                let mut latency =
                    Measurement::new(SOURCE, HTTP_REQ_DURATION, Some(stat), subject.clone(), 0.0, Unit::Ms);
                latency.value = value.filter(|_| windowed);
                if !windowed {
                    latency.no_data = Some(
                        "without --csv-full-history Locust writes the run so far in _stats_history.csv, not the \
                         last 10 s: run it with --csv-full-history to gate periods' latency"
                            .into(),
                    );
                } else if value.is_none() {
                    latency.no_data = Some("Locust wrote N/A: it has no response time for this period".into());
                }
                measurements.push(latency);
            }
        }
        let per_second = row.required(columns.per_second, "Requests/s")?;
        let failures_per_second = row.required(columns.failures_per_second, "Failures/s")?;
        if per_second > 0.0 {
            measurements.push(Measurement::new(
                SOURCE,
                HTTP_REQS,
                Some(RATE),
                subject.clone(),
                per_second,
                Unit::PerSecond,
            ));
            let failed = (failures_per_second / per_second).min(1.0);
            measurements.push(Measurement::new(SOURCE, HTTP_REQ_FAILED, Some(RATE), subject, failed, Unit::Ratio));
        }
        Ok(())
    })?;
    Ok(measurements)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER_LINE: &str = "Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,95%,100%,Total Request Count,\
                               Total Failure Count\n";

    fn stats(csv: &str) -> Vec<(String, String, Option<f64>)> {
        parse(format!("{HEADER_LINE}{csv}").as_bytes())
            .unwrap()
            .into_iter()
            .map(|m| {
                let subject = crate::model::describe_subject(&m.subject);
                (subject, format!("{} {}", m.metric, m.stat.unwrap_or_default()), m.value)
            })
            .collect()
    }

    #[test]
    fn windows_are_read_where_locust_had_one() {
        let full = "1796143592,0,,Aggregated,0.000000,0.000000,N/A,N/A,N/A,0,0\n\
                    1796143593,5,GET,/a,0.000000,0.000000,0,0,0,3,0\n\
                    1796143593,5,,Aggregated,0.000000,0.000000,0,0,0,3,0\n\
                    1796143595,5,GET,/a,8.000000,2.000000,13,21,22,40,4\n\
                    1796143595,5,,Aggregated,8.000000,2.000000,13,21,22,40,4\n";
        let read = stats(full);
        // Nothing before the first request nor for the second without a window; then the
        // request and the whole run of 16:46:35, each 3 percentiles and 2 rates.
        assert_eq!(read.len(), 2 * 5, "{read:?}");
        assert_eq!(
            read[0],
            ("/a (method=GET, period=2026-12-01T16:46:35Z)".into(), "http_req_duration p(50)".into(), Some(13.0))
        );
        assert_eq!(read[4].2, Some(0.25));
        assert_eq!(read[5].0, "period=2026-12-01T16:46:35Z");
    }

    #[test]
    fn without_full_history_a_periods_latency_is_no_data() {
        let read = parse(format!("{HEADER_LINE}1796143595,5,,Aggregated,8.0,0.0,13,21,22,40,0\n").as_bytes()).unwrap();
        assert_eq!(read.len(), 3 + 2);
        assert!(read[0].value.is_none() && read[0].no_data.as_deref().unwrap().contains("--csv-full-history"));
        assert_eq!(read[3].value, Some(8.0));
        let error = parse(format!("{HEADER_LINE}soon,5,,Aggregated,8.0,0.0,13,21,22,40,0\n").as_bytes()).unwrap_err();
        assert_eq!(error.to_string(), "2: `Timestamp` is \"soon\", not the epoch seconds Locust writes");
    }
}
