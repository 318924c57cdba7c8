//! ApacheBench (`ab`) standard output: the summary ab prints after a run
//! (`ab -n 1000 -c 10 URL > ab.txt`, with or without `-k`).
//!
//! One run is one URL, so the whole run is one subject, tagged `url` (`http://HOST:PORT/PATH`,
//! from `Server Hostname`, `Server Port` and `Document Path`; `https` when ab printed a
//! `SSL/TLS Protocol` line). Every number is ab's own, as printed (README "ApacheBench"):
//!
//! * `http_req_duration` `p(50)` … `p(99)`: the "Percentage of the requests served within a
//!   certain time (ms)" lines, whole ms. ab takes element `n·p/100` of the requests sorted by
//!   total time and rounds it to the ms (`support/ab.c`), so these are its numbers exactly,
//!   never re-interpolated. `max` is the `100%` line (the longest request); `avg` and `min`
//!   are the `Total:` row of "Connection Times (ms)". The `Total:` max is the same number
//!   (ab rounds the same longest time for both) and is read only when ab printed no
//!   percentile block (a one-request run). The `Total:` median is not read: ab averages two
//!   middle samples for it, so it can differ from the `50%` line `api_p50` reads.
//! * `http_reqs` `rate` = `Requests per second`, `count` = `Complete requests`.
//! * `http_req_failed` `rate` = (`Non-2xx responses` + the connect, receive and exception
//!   failures of `Failed requests`) / (`Complete requests` + the connect and exception
//!   failures). ab counts a response whose body length differs from the first response's as
//!   a `Length` failure: a 500 with another body is then counted twice (as Non-2xx and as
//!   Length), and every 200 of a page whose length varies "fails", so Length failures are not
//!   request failures here. Connect and exception failures are retried by ab and never
//!   become complete requests, so they are added to the requests tried.
//!
//! ab's `-e FILE.csv` (`Percentage served,Time in ms`, rows 0 to 100) is read too: `p(1)` …
//! `p(99)`, `min` (row 0) and `max` (row 100), in ms with ab's three decimals. It holds no
//! URL, so its subject is the run without tags. ab picks its rows by another index than
//! its printed lines (`(int)(0.5 + n·p/100)`, not `n·p/100`), so a CSV row may be one
//! request away from the printed line of the same percentile; each is read as ab wrote it.
//!
//! ab's `-g FILE.tsv` (one row per request, whole ms) gives `p(50)` … `p(99)`, `max`, `min`
//! and `http_reqs` `count` by ab's printed-line rule, so the same numbers as its standard
//! output ([`parse_tsv`]); it too names no URL.
//!
//! A run that printed no result block (a refused connection, a time-out: ab stops with a
//! message on standard error) is an error quoting ab's message when the file holds it; a
//! result block cut short is an error naming the line it stops at.

use std::io::BufRead;
use std::path::Path;

use super::lines::Lines;
use super::{Adapter, Detection, Error, Head, Measurement, Options, Subject};
use crate::model::vocabulary::{HTTP_REQ_DURATION, HTTP_REQ_FAILED, HTTP_REQS, RATE};
use crate::quantity::Unit;

/// The source of every ab measurement.
const SOURCE: &str = "ab";
/// The subject tag holding the run's URL.
const URL_TAG: &str = "url";
/// ab's banner, the first line it prints.
const BANNER: &str = "This is ApacheBench, Version";
const CONNECTION_TIMES: &str = "Connection Times (ms)";
const PERCENTILES: &str = "Percentage of the requests served within a certain time (ms)";
/// The percentiles ab prints, in its order; 100 is the longest request.
const PERCENTS: [u32; 9] = [50, 66, 75, 80, 90, 95, 98, 99, 100];
/// The first line of ab's `-e` CSV.
const CSV_HEADER: &str = "Percentage served,Time in ms";
/// The first line of ab's `-g` gnuplot TSV.
const TSV_HEADER: &str = "starttime\tseconds\tctime\tdtime\tttime\twait";

#[derive(Debug)]
pub struct ApacheBench;

impl Adapter for ApacheBench {
    /// ab's banner, the header of its `-e` CSV or `-g` TSV, or the summary's own lines when
    /// the banner was cut off (`tail`): no other format writes `Server Hostname:`,
    /// `Document Path:` and `Complete requests:`.
    fn detect(&self, head: &Head) -> Detection {
        let text = head.lines_text();
        let has = |prefix: &str| text.lines().any(|line| line.starts_with(prefix));
        let banner = text.lines().take(3).any(|line| line.starts_with(BANNER));
        let first = text.lines().next().map(str::trim_end);
        let export = first.is_some_and(|line| line == CSV_HEADER || line == TSV_HEADER);
        Detection::from(
            banner || export || (has("Server Hostname:") && has("Document Path:") && has("Complete requests:")),
            false,
        )
    }

    fn read(&self, path: &Path, _options: &Options) -> Result<Vec<Measurement>, Error> {
        let mut reader = std::io::BufReader::new(std::fs::File::open(path)?);
        // An export's header is its first bytes, well inside the first buffer read.
        let start = reader.fill_buf()?;
        if start.starts_with(CSV_HEADER.as_bytes()) {
            return parse_csv(reader);
        }
        if start.starts_with(TSV_HEADER.as_bytes()) {
            return parse_tsv(reader);
        }
        parse(reader)
    }
}

/// The numbers of one run, as read.
#[derive(Debug, Default)]
struct Run {
    hostname: Option<String>,
    port: Option<String>,
    path: Option<String>,
    tls: bool,
    complete: Option<u64>,
    failed: Option<u64>,
    /// Connect, Receive, Length, Exceptions.
    failed_parts: Option<[u64; 4]>,
    non_2xx: u64,
    requests_per_second: Option<f64>,
    /// min, mean, max of the `Total:` row.
    total: Option<[f64; 3]>,
    percentiles: Vec<f64>,
}

/// Where the reader is in ab's output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// The banner and progress lines, before `Server Software:`.
    Preamble,
    /// The `Key: value` lines.
    Summary,
    /// After `Connection Times (ms)`: its column header, then the rows to `Total:`.
    ConnectionTimes {
        columns: Option<Columns>,
    },
    /// After the `Total:` row: ab's WARNING lines, then the percentile block.
    AfterTimes,
    Percentiles,
}

/// The columns of "Connection Times (ms)": `min mean[+/-sd] median max`, or with `-S`
/// `min avg max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Columns {
    Confidence,
    Plain,
}

/// Every measurement of ab's output. Lines ab prints that no budget reads (transfer
/// rates, sizes, `-v` logs) are skipped.
pub fn parse(reader: impl BufRead) -> Result<Vec<Measurement>, Error> {
    let mut run = Run::default();
    let mut part = Part::Preamble;
    // What ab printed after its banner before any result: its error, when stderr went here.
    let mut ab_message: Option<String> = None;
    let mut last_line = 0;
    let mut lines = Lines::new(reader);
    while let Some((number, line)) = lines.next_line()? {
        last_line = number;
        let at = |message: String| Error::Line { line: number, message };
        match part {
            Part::Preamble => {
                if line.starts_with("Server Software:") {
                    part = Part::Summary;
                } else if field(line, "Server Hostname:").is_some() {
                    // Output without its first summary line is still a summary.
                    part = Part::Summary;
                    summary_line(&mut run, line).map_err(at)?;
                } else if ab_message.is_none() && is_ab_message(line) {
                    ab_message = Some(line.trim().to_owned());
                }
            }
            Part::Summary => {
                if line.trim() == CONNECTION_TIMES {
                    summary_complete(&run).map_err(at)?;
                    part = Part::ConnectionTimes { columns: None };
                } else if line.trim() == PERCENTILES {
                    return Err(at("a percentile block without ab's `Connection Times (ms)` before it".into()));
                } else {
                    summary_line(&mut run, line).map_err(at)?;
                }
            }
            Part::ConnectionTimes { columns: None } => {
                let words: Vec<&str> = line.split_whitespace().collect();
                let columns = match words.as_slice() {
                    ["min", "mean[+/-sd]", "median", "max"] => Columns::Confidence,
                    ["min", "avg", "max"] => Columns::Plain,
                    _ => return Err(at(format!("`{}` is not ab's header of Connection Times", line.trim()))),
                };
                part = Part::ConnectionTimes { columns: Some(columns) };
            }
            Part::ConnectionTimes { columns: Some(columns) } => {
                let trimmed = line.trim_start();
                let Some((row, values)) = trimmed.split_once(':') else {
                    return Err(at(format!("`{}` is not a row of ab's Connection Times", line.trim())));
                };
                if !matches!(row, "Connect" | "Processing" | "Waiting" | "Total") {
                    return Err(at(format!("`{row}:` is not a row of ab's Connection Times")));
                }
                let row_values = times_row(values, columns).map_err(|why| at(format!("{row}: {why}")))?;
                if row == "Total" {
                    run.total = Some(row_values);
                    part = Part::AfterTimes;
                }
            }
            Part::AfterTimes => {
                if line.trim() == PERCENTILES {
                    part = Part::Percentiles;
                }
                // Else ab's WARNING/ERROR lines on the spread, or blank lines.
            }
            Part::Percentiles => {
                if run.percentiles.len() == PERCENTS.len() {
                    // After `100%`: whatever follows (another tool's output) is not ab's.
                    continue;
                }
                let expected = PERCENTS[run.percentiles.len()];
                let value = percentile_line(line, expected).map_err(at)?;
                run.percentiles.push(value);
            }
        }
    }
    finish(&run, part, ab_message, last_line)
}

/// ab's error line after its banner, such as `apr_socket_recv: Connection refused (111)` or
/// `apr_pollset_poll: The timeout specified has expired (70007)`; not the banner, its
/// `Benchmarking` line or its progress lines.
fn is_ab_message(line: &str) -> bool {
    let line = line.trim();
    !(line.is_empty()
        || line.starts_with(BANNER)
        || line.starts_with("Copyright ")
        || line.starts_with("Licensed to ")
        || line.starts_with("Benchmarking ")
        || line.starts_with("Completed ")
        || line.starts_with("Finished "))
}

/// The value of a `Key:   value` summary line.
fn field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    line.strip_prefix(key).map(str::trim)
}

/// Reads one line of the summary into `run`; lines no budget reads are skipped.
fn summary_line(run: &mut Run, line: &str) -> Result<(), String> {
    if let Some(value) = field(line, "Server Hostname:") {
        run.hostname = Some(value.to_owned());
    } else if let Some(value) = field(line, "Server Port:") {
        whole(value).ok_or_else(|| format!("the port `{value}` is not a number"))?;
        run.port = Some(value.to_owned());
    } else if field(line, "SSL/TLS Protocol:").is_some() {
        run.tls = true;
    } else if let Some(value) = field(line, "Document Path:") {
        run.path = Some(value.to_owned());
    } else if let Some(value) = field(line, "Complete requests:") {
        run.complete = Some(count(value, "Complete requests")?);
    } else if let Some(value) = field(line, "Failed requests:") {
        run.failed = Some(count(value, "Failed requests")?);
    } else if let Some(value) = field(line, "Non-2xx responses:") {
        run.non_2xx = count(value, "Non-2xx responses")?;
    } else if let Some(value) = field(line, "Requests per second:") {
        let rate = value.strip_suffix("[#/sec] (mean)").map(str::trim).unwrap_or(value);
        run.requests_per_second =
            Some(decimal(rate).ok_or_else(|| format!("Requests per second `{value}` is not a number"))?);
    } else if let Some(parts) = line.trim().strip_prefix("(Connect:") {
        run.failed_parts = Some(failed_parts(parts)?);
    }
    Ok(())
}

/// `n, Receive: n, Length: n, Exceptions: n)`, after `(Connect:`.
fn failed_parts(text: &str) -> Result<[u64; 4], String> {
    let bad = || format!("`(Connect:{text}` is not ab's `(Connect: n, Receive: n, Length: n, Exceptions: n)`");
    let inner = text.trim().strip_suffix(')').ok_or_else(bad)?;
    let mut values = [0; 4];
    for (index, (item, name)) in inner.split(',').zip(["", "Receive:", "Length:", "Exceptions:"]).enumerate() {
        let value = item.trim().strip_prefix(name).ok_or_else(bad)?.trim();
        values[index] = whole(value).ok_or_else(bad)?;
    }
    if inner.split(',').count() != 4 {
        return Err(bad());
    }
    Ok(values)
}

/// What must be in the summary once `Connection Times` starts.
fn summary_complete(run: &Run) -> Result<(), String> {
    let missing = [
        ("Server Hostname", run.hostname.is_none()),
        ("Server Port", run.port.is_none()),
        ("Document Path", run.path.is_none()),
        ("Complete requests", run.complete.is_none()),
        ("Failed requests", run.failed.is_none()),
        ("Requests per second", run.requests_per_second.is_none()),
    ];
    if let Some((name, _)) = missing.iter().find(|(_, missing)| *missing) {
        return Err(format!("ab's `{name}:` line is missing before its Connection Times"));
    }
    if run.failed.is_some_and(|failed| failed > 0) && run.failed_parts.is_none() {
        return Err("ab's `(Connect: n, Receive: n, Length: n, Exceptions: n)` line is missing after a `Failed \
                    requests:` count above 0"
            .into());
    }
    Ok(())
}

/// A row of Connection Times -> (min, mean, max), whole ms.
fn times_row(values: &str, columns: Columns) -> Result<[f64; 3], String> {
    let words: Vec<&str> = values.split_whitespace().collect();
    let wanted = match columns {
        Columns::Confidence => 5,
        Columns::Plain => 3,
    };
    if words.len() != wanted {
        return Err(format!("`{}` is not {wanted} numbers (cut short?)", values.trim()));
    }
    let ms = |word: &str| whole(word).map(|value| value as f64).ok_or_else(|| format!("`{word}` is not whole ms"));
    // The [+/-sd] column is a decimal; it is checked, not kept.
    if columns == Columns::Confidence {
        decimal(words[2]).ok_or_else(|| format!("the deviation `{}` is not a number", words[2]))?;
    }
    let max = words[wanted - 1];
    Ok([ms(words[0])?, ms(words[1])?, ms(max)?])
}

/// `  95%     14`, or ` 100%     22 (longest request)` -> the ms.
fn percentile_line(line: &str, expected: u32) -> Result<f64, String> {
    let not_it = || format!("`{}` is not ab's `{expected}%` line (cut short?)", line.trim());
    let (percent, rest) = line.trim().split_once('%').ok_or_else(not_it)?;
    if whole(percent) != Some(u64::from(expected)) {
        return Err(not_it());
    }
    let rest = rest.trim();
    let value = match expected {
        100 => rest.strip_suffix("(longest request)").map(str::trim).ok_or_else(not_it)?,
        _ => rest,
    };
    whole(value).map(|value| value as f64).ok_or_else(not_it)
}

/// The run's measurements once the file has ended in `part`, or why there are none.
fn finish(run: &Run, part: Part, ab_message: Option<String>, last_line: usize) -> Result<Vec<Measurement>, Error> {
    let cut = |what: &str| Error::Line {
        line: last_line.max(1),
        message: format!("ab's output ends here, before {what} (cut short?)"),
    };
    let complete = match part {
        Part::Preamble => {
            return Err(Error::Refused(match ab_message {
                Some(message) => format!("ab printed no results, only its error `{message}`: the run measured nothing"),
                None => "ab printed no results (no `Server Hostname:` line): the run stopped before it measured \
                         anything, and ab wrote why on standard error (capture it with `2>&1`)"
                    .into(),
            }));
        }
        Part::Summary => match run.complete {
            // ab prints no Connection Times for a run that completed no request.
            Some(0) if run.failed.is_some() => 0,
            _ => return Err(cut("its `Connection Times (ms)`")),
        },
        Part::ConnectionTimes { .. } => return Err(cut("the `Total:` row of its Connection Times")),
        Part::AfterTimes => match run.complete {
            // ab prints percentiles only for more than one request.
            Some(complete @ 0..=1) => complete,
            _ => {
                return Err(cut("its percentile block (`Percentage of the requests served ...`, left out by `ab -d`)"));
            }
        },
        Part::Percentiles if run.percentiles.len() < PERCENTS.len() => {
            return Err(cut(&format!("its `{}%` line", PERCENTS[run.percentiles.len()])));
        }
        Part::Percentiles => run.complete.unwrap_or_default(),
    };
    let subject = Subject::from([(URL_TAG, url(run).as_str())]);
    let measurement = |metric: &str, stat: &str, value: f64, unit: Unit| {
        Measurement::new(SOURCE, metric, Some(stat), subject.clone(), value, unit)
    };
    let mut measurements = vec![measurement(HTTP_REQS, "count", complete as f64, Unit::Number)];
    if complete == 0 {
        // Nothing completed: no duration, rate or error share, so every budget on them is
        // "no data", never a 0.
        return Ok(measurements);
    }
    if let Some(rate) = run.requests_per_second {
        measurements.push(measurement(HTTP_REQS, RATE, rate, Unit::PerSecond));
    }
    let [connect, receive, _length, exceptions] = run.failed_parts.unwrap_or_default();
    let failed = run.non_2xx + connect + receive + exceptions;
    let tried = complete + connect + exceptions;
    measurements.push(measurement(HTTP_REQ_FAILED, RATE, failed as f64 / tried as f64, Unit::Ratio));
    if let Some([min, avg, max]) = run.total {
        measurements.push(measurement(HTTP_REQ_DURATION, "avg", avg, Unit::Ms));
        measurements.push(measurement(HTTP_REQ_DURATION, "min", min, Unit::Ms));
        if run.percentiles.is_empty() {
            measurements.push(measurement(HTTP_REQ_DURATION, "max", max, Unit::Ms));
        }
    }
    for (percent, value) in PERCENTS.iter().zip(&run.percentiles) {
        let stat = match percent {
            100 => "max".to_owned(),
            percent => format!("p({percent})"),
        };
        measurements.push(measurement(HTTP_REQ_DURATION, &stat, *value, Unit::Ms));
    }
    Ok(measurements)
}

/// Every measurement of ab's `-e` CSV: its header, then one `PERCENT,MS` row for each percent
/// from 0 to 100, in order. A missing, extra or garbled row is an error naming its line.
pub fn parse_csv(reader: impl BufRead) -> Result<Vec<Measurement>, Error> {
    let mut lines = Lines::new(reader);
    let mut measurements = Vec::with_capacity(101);
    let mut last_line = 0;
    while let Some((number, line)) = lines.next_line()? {
        last_line = number;
        let at = |message: String| Error::Line { line: number, message };
        if number == 1 {
            if line.trim_end() != CSV_HEADER {
                return Err(at(format!("the header is not ab's `{CSV_HEADER}`")));
            }
            continue;
        }
        let expected = measurements.len();
        if expected > 100 {
            return Err(at("a row after ab's `100,` row".into()));
        }
        let not_it = || format!("`{line}` is not ab's `{expected},MS` row (cut short?)");
        let (percent, ms) = line.split_once(',').ok_or_else(|| at(not_it()))?;
        if whole(percent) != Some(expected as u64) {
            return Err(at(not_it()));
        }
        let value = decimal(ms).ok_or_else(|| at(not_it()))?;
        let stat = match expected {
            0 => "min".to_owned(),
            100 => "max".to_owned(),
            percent => format!("p({percent})"),
        };
        measurements.push(Measurement::new(SOURCE, HTTP_REQ_DURATION, Some(&stat), Subject::new(), value, Unit::Ms));
    }
    if measurements.len() <= 100 {
        return Err(Error::Line {
            line: last_line.max(1),
            message: format!("ab's CSV ends here, before its `{},` row (cut short?)", measurements.len()),
        });
    }
    Ok(measurements)
}

/// Every measurement of ab's `-g` TSV: one row per request (`starttime`, a ctime string;
/// `seconds`; then `ctime`, `dtime`, `ttime` and `wait` in whole ms). The percentiles are
/// taken by ab's own rule for its printed lines, from the `ttime` column: element `n·p/100`
/// of the times sorted, `max` the last, `min` the first. ab rounds each time to the ms
/// before writing it, and rounding keeps the order, so these equal the lines it printed for
/// the same run. Its mean is of unrounded times and cannot be recomputed: no `avg`.
///
/// The times are counted per whole ms ([`TimeCounts`]), not kept per row and sorted: the
/// same elements of the sorted times, in one pass and in memory bounded by the distinct
/// times, whatever the number of rows (a 1 GB file is 21 million rows).
pub fn parse_tsv(reader: impl BufRead) -> Result<Vec<Measurement>, Error> {
    let mut lines = Lines::new(reader);
    let mut times = TimeCounts::default();
    while let Some((number, line)) = lines.next_line()? {
        let at = |message: String| Error::Line { line: number, message };
        if number == 1 {
            if line.trim_end() != TSV_HEADER {
                return Err(at("the header is not ab's `starttime seconds ctime dtime ttime wait`".into()));
            }
            continue;
        }
        // The six columns without a Vec per row; `count` is every column there is.
        let mut columns = [""; 6];
        let mut count = 0;
        for column in line.split('\t') {
            if let Some(slot) = columns.get_mut(count) {
                *slot = column;
            }
            count += 1;
        }
        if count != 6 || columns[0].trim().is_empty() || columns[1..].iter().any(|column| whole(column).is_none()) {
            return Err(at(format!(
                "`{}` is not ab's row of a start time and five whole numbers (cut short?)",
                line.replace('\t', " ")
            )));
        }
        if let Some(ttime) = whole(columns[4]) {
            times.add(ttime);
        }
    }
    if times.n == 0 {
        return Err(Error::Refused("ab's gnuplot file has no request rows: the run measured nothing".into()));
    }
    // ab writes the rows sorted by total time; counting keeps its rule for any order.
    let n = times.n as usize;
    let ms = |index: usize| times.nth(index as u64) as f64;
    let measurement = |stat: &str, value: f64, unit: Unit| {
        Measurement::new(SOURCE, HTTP_REQ_DURATION, Some(stat), Subject::new(), value, unit)
    };
    let mut measurements = vec![
        Measurement::new(SOURCE, HTTP_REQS, Some("count"), Subject::new(), n as f64, Unit::Number),
        measurement("min", ms(0), Unit::Ms),
    ];
    // ab prints no percentiles for one request; its one time is the min and the max.
    let percents: &[u32] = if n > 1 { &PERCENTS } else { &[100] };
    for &percent in percents {
        let (stat, index) = match percent {
            100 => ("max".to_owned(), n - 1),
            percent => (format!("p({percent})"), n * percent as usize / 100),
        };
        measurements.push(measurement(&stat, ms(index), Unit::Ms));
    }
    Ok(measurements)
}

/// The times of ab's `-g` rows, counted per whole ms: a count per ms below
/// [`TimeCounts::DENSE_MS`] (grown to the longest time seen, at most 512 KiB), and a map for
/// the rare longer ones (ab's default time-out is 30 s).
#[derive(Debug, Default)]
struct TimeCounts {
    /// `dense[ms]`: how many requests took `ms`.
    dense: Vec<u64>,
    /// ms -> how many requests took it, for ms of [`TimeCounts::DENSE_MS`] and more.
    sparse: std::collections::BTreeMap<u64, u64>,
    /// Every request counted.
    n: u64,
}

impl TimeCounts {
    const DENSE_MS: u64 = 1 << 16;

    fn add(&mut self, ms: u64) {
        self.n += 1;
        if ms < Self::DENSE_MS {
            let index = ms as usize;
            if index >= self.dense.len() {
                self.dense.resize(index + 1, 0);
            }
            self.dense[index] += 1;
        } else {
            *self.sparse.entry(ms).or_default() += 1;
        }
    }

    /// Element `index` (from 0) of the times sorted, as sorting them would give; 0 past the
    /// last one.
    fn nth(&self, index: u64) -> u64 {
        let dense = self.dense.iter().enumerate().map(|(ms, &count)| (ms as u64, count));
        let mut before = 0;
        for (ms, count) in dense.chain(self.sparse.iter().map(|(&ms, &count)| (ms, count))) {
            before += count;
            if index < before {
                return ms;
            }
        }
        0
    }
}

/// The run's URL as ab requested it: `http://HOST:PORT/PATH` (an IPv6 host in brackets).
fn url(run: &Run) -> String {
    let scheme = if run.tls { "https" } else { "http" };
    let host = run.hostname.as_deref().unwrap_or_default();
    let host = if host.contains(':') && !host.starts_with('[') { format!("[{host}]") } else { host.to_owned() };
    let port = run.port.as_deref().unwrap_or_default();
    format!("{scheme}://{host}:{port}{}", run.path.as_deref().unwrap_or_default())
}

/// A count ab printed (`%d`).
fn count(value: &str, name: &str) -> Result<u64, String> {
    whole(value).ok_or_else(|| format!("{name} `{value}` is not a count"))
}

/// Digits only: ab prints whole ms and counts with `%d`, so anything else is not its output.
fn whole(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// A `%.2f` or `%.1f` number: digits, a point, digits.
fn decimal(text: &str) -> Option<f64> {
    let (whole_part, decimals) = text.split_once('.')?;
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole_part) || !digits(decimals) {
        return None;
    }
    text.parse().ok().filter(|value: &f64| value.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ab").join(name)).unwrap()
    }

    fn value(measurements: &[Measurement], metric: &str, stat: &str) -> f64 {
        let found: Vec<&Measurement> =
            measurements.iter().filter(|m| m.metric == metric && m.stat.as_deref() == Some(stat)).collect();
        assert_eq!(found.len(), 1, "{metric} {stat}");
        found[0].value.unwrap()
    }

    fn error(text: &str) -> String {
        parse(text.as_bytes()).unwrap_err().to_string()
    }

    #[test]
    fn a_plain_run() {
        let measurements = parse(fixture("plain.txt").as_bytes()).unwrap();
        assert_eq!(measurements.len(), 14);
        assert!(measurements.iter().all(|m| m.subject.get(URL_TAG) == Some("http://127.0.0.1:18431/api/users")));
        assert_eq!(value(&measurements, HTTP_REQ_DURATION, "p(95)"), 14.0);
        assert_eq!(value(&measurements, HTTP_REQS, "rate"), 1147.28);
        assert_eq!(value(&measurements, HTTP_REQ_FAILED, "rate"), 0.0);
    }

    #[test]
    fn non_2xx_counts_once_and_length_failures_do_not_count() {
        let flaky = parse(fixture("flaky.txt").as_bytes()).unwrap();
        assert_eq!(value(&flaky, HTTP_REQ_FAILED, "rate"), 62.0 / 500.0);
        let varies = parse(fixture("varies.txt").as_bytes()).unwrap();
        assert_eq!(value(&varies, HTTP_REQ_FAILED, "rate"), 0.0);
    }

    #[test]
    fn connect_and_exception_failures_are_requests_tried() {
        let text = fixture("plain.txt")
            .replace(
                "Failed requests:        0",
                "Failed requests:        7\n   (Connect: 2, Receive: 1, Length: 3, Exceptions: 1)",
            )
            .replace("Complete requests:      500", "Complete requests:      497");
        let measurements = parse(text.as_bytes()).unwrap();
        assert_eq!(value(&measurements, HTTP_REQ_FAILED, "rate"), 4.0 / 500.0);
    }

    #[test]
    fn one_request_has_no_percentiles_and_its_max_from_total() {
        let measurements = parse(fixture("single.txt").as_bytes()).unwrap();
        assert_eq!(value(&measurements, HTTP_REQ_DURATION, "max"), 27.0);
        assert!(!measurements.iter().any(|m| m.stat.as_deref() == Some("p(50)")));
    }

    #[test]
    fn a_run_that_completed_nothing_has_only_its_count() {
        // ab prints no rate and no Connection Times when no request completed.
        let plain = fixture("plain.txt");
        let summary = &plain[..plain.find("Requests per second").unwrap()];
        let text = summary.replace("Complete requests:      500", "Complete requests:      0");
        let measurements = parse(text.as_bytes()).unwrap();
        assert_eq!(measurements.len(), 1);
        assert_eq!((measurements[0].metric.as_str(), measurements[0].value), (HTTP_REQS, Some(0.0)));
        // With requests completed, the same summary is cut short.
        assert!(error(summary).contains("before its `Connection Times (ms)`"));
    }

    #[test]
    fn the_s_flag_prints_three_columns() {
        let text = fixture("plain.txt")
            .replace("              min  mean[+/-sd] median   max", "              min   avg   max")
            .replace("Connect:        0    0   0.1      0       2", "Connect:        0    0    2")
            .replace("Processing:     2    8   3.2      9      22", "Processing:     2    8   22")
            .replace("Waiting:        2    8   3.2      8      22", "Waiting:        2    8   22")
            .replace("Total:          2    9   3.2      9      22", "Total:          2    9   22");
        let measurements = parse(text.as_bytes()).unwrap();
        assert_eq!(value(&measurements, HTTP_REQ_DURATION, "avg"), 9.0);
    }

    #[test]
    fn no_result_block_quotes_abs_error() {
        assert_eq!(
            error(&fixture("refused-with-stderr.txt")),
            "ab printed no results, only its error `apr_socket_recv: Connection refused (111)`: the run measured \
             nothing"
        );
        assert!(error(&fixture("refused.txt")).contains("capture it with `2>&1`"));
    }

    #[test]
    fn a_cut_file_names_the_line() {
        let plain = fixture("plain.txt");
        let lines: Vec<&str> = plain.lines().collect();
        let cut = |n: usize| lines[..n].join("\n");
        let percent = lines.iter().position(|line| line.starts_with("Percentage")).unwrap();
        assert_eq!(
            error(&cut(percent - 1)),
            format!(
                "{}: ab's output ends here, before its percentile block (`Percentage of the requests served ...`, \
                 left out by `ab -d`) (cut short?)",
                percent - 1
            )
        );
        assert_eq!(
            error(&cut(percent + 3)),
            format!("{}: ab's output ends here, before its `75%` line (cut short?)", percent + 3)
        );
        let total = lines.iter().position(|line| line.starts_with("Total:")).unwrap();
        assert!(error(&cut(total)).contains("before the `Total:` row"));
        // Cut inside a line: the number that is left is not ab's line.
        assert!(error(&format!("{}\n  95", cut(percent + 6))).contains("is not ab's `95%` line"));
        assert!(error(&format!("{}\nTotal:          2    9", cut(total))).contains("Total: `2    9` is not 5 numbers"));
        let rps = lines.iter().position(|line| line.starts_with("Requests per second")).unwrap();
        assert!(error(&cut(rps)).contains("before its `Connection Times (ms)`"));
    }

    #[test]
    fn garbled_numbers_are_errors() {
        let plain = fixture("plain.txt");
        for (from, to, why) in [
            ("  95%     14", "  95%     1x", "is not ab's `95%` line"),
            ("  95%     14", "  96%     14", "is not ab's `95%` line"),
            ("Complete requests:      500", "Complete requests:      -5", "Complete requests `-5` is not a count"),
            ("1147.28 [#/sec]", "1,147.28 [#/sec]", "is not a number"),
        ] {
            let error = error(&plain.replace(from, to));
            assert!(error.contains(why), "{to}: {error}");
        }
    }

    #[test]
    fn detection_by_banner_or_summary_lines() {
        use crate::ingest::format::claims;
        assert!(claims(&ApacheBench, fixture("plain.txt").as_bytes()));
        assert!(claims(&ApacheBench, fixture("refused.txt").as_bytes()));
        let plain = fixture("plain.txt");
        let without_banner = &plain[plain.find("Server Software").unwrap()..];
        assert!(claims(&ApacheBench, without_banner.as_bytes()));
        assert!(!claims(&ApacheBench, b"Server Hostname: x\nsomething else\n"));
    }

    #[test]
    fn the_csv_of_e() {
        let measurements = parse_csv(fixture("orders-percentiles.csv").as_bytes()).unwrap();
        assert_eq!(measurements.len(), 101);
        assert_eq!(value(&measurements, HTTP_REQ_DURATION, "min"), 20.554);
        assert_eq!(value(&measurements, HTTP_REQ_DURATION, "p(50)"), 40.933);
        assert_eq!(value(&measurements, HTTP_REQ_DURATION, "max"), 60.669);
        assert!(measurements.iter().all(|m| m.subject.is_empty()));
        assert!(crate::ingest::format::claims(&ApacheBench, fixture("orders-percentiles.csv").as_bytes()));
    }

    #[test]
    fn a_cut_or_garbled_csv_names_the_line() {
        let csv = fixture("orders-percentiles.csv");
        let lines: Vec<&str> = csv.lines().collect();
        let csv_error = |text: &str| parse_csv(text.as_bytes()).unwrap_err().to_string();
        assert_eq!(csv_error(&lines[..51].join("\n")), "51: ab's CSV ends here, before its `50,` row (cut short?)");
        assert_eq!(csv_error(CSV_HEADER), "1: ab's CSV ends here, before its `0,` row (cut short?)");
        assert_eq!(
            csv_error(&format!("{}\n50,4", lines[..51].join("\n"))),
            "52: `50,4` is not ab's `50,MS` row (cut short?)"
        );
        assert!(csv_error(&format!("{csv}101,70.000\n")).contains("a row after ab's `100,` row"));
        assert!(csv_error(&csv.replace("50,40.933", "51,40.933")).contains("is not ab's `50,MS` row"));
    }

    #[test]
    fn the_tsv_of_g() {
        let measurements = parse_tsv(fixture("orders-gnuplot.tsv").as_bytes()).unwrap();
        assert_eq!(measurements.len(), 11);
        assert_eq!(value(&measurements, HTTP_REQS, "count"), 500.0);
        assert_eq!(value(&measurements, HTTP_REQ_DURATION, "p(95)"), 59.0);
        assert!(crate::ingest::format::claims(&ApacheBench, fixture("orders-gnuplot.tsv").as_bytes()));
        let tsv_error = |text: &str| parse_tsv(text.as_bytes()).unwrap_err().to_string();
        let tsv = fixture("orders-gnuplot.tsv");
        let cut = &tsv[..tsv.rfind('\t').unwrap()];
        assert!(tsv_error(cut).ends_with("is not ab's row of a start time and five whole numbers (cut short?)"));
        assert!(tsv_error(cut).starts_with("501: `"), "{}", tsv_error(cut));
        assert_eq!(tsv_error(TSV_HEADER), "ab's gnuplot file has no request rows: the run measured nothing");
        let one = tsv.lines().take(2).collect::<Vec<_>>().join("\n");
        let stats: Vec<String> = parse_tsv(one.as_bytes()).unwrap().into_iter().filter_map(|m| m.stat).collect();
        assert_eq!(stats, ["count", "min", "max"]);
    }

    #[test]
    fn the_tsv_counts_give_the_sorted_elements() {
        // Against sorting every time, as ab does: unsorted rows, repeated times, one time
        // past the dense counts and a 0 ms request.
        let times = [61, 21, 0, 70_000, 21, 35, 61, 65_535, 65_536, 40, 21, 70_000, 3];
        let mut counts = TimeCounts::default();
        times.iter().for_each(|&ms| counts.add(ms));
        let mut sorted = times.to_vec();
        sorted.sort_unstable();
        for (index, ms) in sorted.iter().enumerate() {
            assert_eq!(counts.nth(index as u64), *ms, "element {index}");
        }
        assert_eq!(counts.nth(sorted.len() as u64), 0);
        let rows: String =
            times.iter().map(|ms| format!("Tue Dec 01 15:35:55 2026\t1796139355\t0\t{ms}\t{ms}\t{ms}\n")).collect();
        let measurements = parse_tsv(format!("{TSV_HEADER}\n{rows}").as_bytes()).unwrap();
        let n = sorted.len();
        assert_eq!(value(&measurements, HTTP_REQ_DURATION, "min"), 0.0);
        assert_eq!(value(&measurements, HTTP_REQ_DURATION, "p(50)"), sorted[n * 50 / 100] as f64);
        assert_eq!(value(&measurements, HTTP_REQ_DURATION, "p(90)"), sorted[n * 90 / 100] as f64);
        assert_eq!(value(&measurements, HTTP_REQ_DURATION, "max"), 70_000.0);
        // A row with a seventh column is still refused.
        let seven = format!("{TSV_HEADER}\nTue Dec 01 15:35:55 2026\t1\t0\t2\t2\t2\t9\n");
        assert!(parse_tsv(seven.as_bytes()).unwrap_err().to_string().starts_with("2: `"));
    }

    #[test]
    fn not_utf8_is_an_error() {
        let mut bytes = fixture("plain.txt").into_bytes();
        bytes.splice(0..0, *b"\xff\n");
        assert!(matches!(parse(bytes.as_slice()), Err(Error::At(located)) if located.line == 1));
    }

    #[test]
    fn ipv6_and_tls_urls() {
        let run = Run {
            hostname: Some("::1".into()),
            port: Some("8443".into()),
            path: Some("/a?b=1".into()),
            tls: true,
            ..Run::default()
        };
        assert_eq!(url(&run), "https://[::1]:8443/a?b=1");
    }
}
