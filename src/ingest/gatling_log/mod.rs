//! Gatling's `simulation.log` (the tab-separated text of Gatling 2.2 to 3.12, plain or
//! gzip), read as a stream: one pass, one reused line buffer, and per request name only
//! what a budget reads (the response times when a duration is budgeted, else two counts).
//!
//! Record layouts, by the version the `RUN` record names (`LogFileDataWriter` of each
//! release; `ASSERTION` lines may precede `RUN`):
//!
//! | record | 3.4 – 3.12 | 3.0 – 3.3 | 2.2 – 2.3 |
//! |---|---|---|---|
//! | `RUN` | class, id, start, description, version | the same | class, user id, id, start, description, `2.0` |
//! | `REQUEST` | groups, name, start, end, `OK`/`KO`, message | user, groups, name, start, end, status, message | scenario, user, groups, name, start, end, status, message, extra columns… |
//! | `USER` | scenario, `START`/`END`, time | scenario, user, event, start, end | the same |
//! | `GROUP` | groups, start, end, cumulated time, status | user, groups, … | scenario, user, groups, … |
//! | `ERROR` | message, time | the same | written as `GROUP`, message, time |
//!
//! A request's response time is end − start (ms). Each request name (within its groups)
//! is a subject tagged `name` (and `group`, the groups joined by ` / ` as Gatling's report
//! names them); every request together is Gatling's "Global Information". They become
//! raw samples ([`Distribution`]) from which `evaluate` computes Gatling's own numbers:
//! `http_req_duration` (its t-digest percentiles), `http_req_failed` (KO of all),
//! `http_reqs` (count over the run's span in whole seconds, the span over every request,
//! user and group time of the log).
//!
//! Gatling's own reader skips lines it cannot parse; here any line that is not one of the
//! records above is an error naming its line, as is a last line cut short. Gatling 3.13
//! and later write a binary `simulation.log`: refused, saying so.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::sync::Arc;

use super::distribution::{Distribution, GatlingSample};
use super::format::GZIP_MAGIC;
use super::lines::Lines;
use super::{Adapter, Detection, Error, Head, Measurement, Options, Subject};
use crate::model::apdex::{APDEX, ApdexCounts, Thresholds};
use crate::model::vocabulary::{HTTP_REQ_DURATION, HTTP_REQ_FAILED, HTTP_REQS, NAME_TAG};
use crate::quantity::Unit;

/// The `source` of every measurement read here.
pub(crate) const SOURCE: &str = "gatling";
/// The tag of a request inside groups: the groups, outermost first, joined by ` / `.
pub(crate) const GROUP_TAG: &str = "group";

#[derive(Debug)]
pub(crate) struct GatlingLog;

impl Adapter for GatlingLog {
    fn detect(&self, head: &Head) -> Detection {
        if binary_version(&head.bytes).is_some() {
            return Detection::Certain;
        }
        let text = head.lines_text();
        let first = text.lines().next().unwrap_or_default();
        let old_run = first.split('\t').nth(2) == Some("RUN");
        Detection::from(first.starts_with("RUN\t") || first.starts_with("ASSERTION\t") || old_run, false)
    }

    fn read(&self, path: &Path, options: &Options) -> Result<Vec<Measurement>, Error> {
        let mut file = std::fs::File::open(path)?;
        let mut head = [0u8; 64];
        let read = read_up_to(&mut file, &mut head)?;
        if let Some(version) = binary_version(&head[..read]) {
            return Err(Error::Refused(format!(
                "a binary simulation.log (Gatling {version}): Gatling 3.13 and later write the log in a binary \
                 format perfbudget does not read; give perfbudget the report folder Gatling generated from it \
                 (its js/stats.js), or a simulation.log of Gatling 3.12 or earlier"
            )));
        }
        let file = std::fs::File::open(path)?;
        let reader: Box<dyn BufRead> = if head[..read].starts_with(GZIP_MAGIC) {
            Box::new(BufReader::new(flate2::read::MultiGzDecoder::new(file)))
        } else {
            Box::new(BufReader::with_capacity(1 << 20, file))
        };
        parse_wanted(reader, &Wanted::of(options.wanted_metrics.as_ref(), &options.apdex))
    }
}

fn read_up_to(file: &mut std::fs::File, buffer: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match file.read(&mut buffer[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// The Gatling version a binary (3.13+) `simulation.log` starts with: a zero byte (its RUN
/// record), the version's length as a big-endian 32-bit integer, the version, a coder byte.
fn binary_version(bytes: &[u8]) -> Option<String> {
    let (&0, rest) = bytes.split_first()? else { return None };
    let length = u32::from_be_bytes(rest.get(..4)?.try_into().ok()?) as usize;
    let version = std::str::from_utf8(rest.get(4..4 + length)?).ok()?;
    let plausible = (3..=32).contains(&length)
        && version.starts_with("3.")
        && version.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    plausible.then(|| version.to_owned())
}

/// Which numbers a budget reads, so the rest is not kept.
struct Wanted {
    durations: bool,
    failures: bool,
    requests: bool,
    /// The Apdex thresholds every request is scored with as it is read: JMeter's defaults and
    /// each budget's (none when a budget reads no `apdex`), the rule of JMeter JTLs too.
    apdex: Vec<Thresholds>,
}

impl Wanted {
    fn of(wanted: Option<&std::collections::HashSet<String>>, apdex: &[Thresholds]) -> Wanted {
        let wants = |metric: &str| wanted.is_none_or(|wanted| wanted.contains(metric));
        Wanted {
            durations: wants(HTTP_REQ_DURATION),
            failures: wants(HTTP_REQ_FAILED),
            requests: wants(HTTP_REQS),
            apdex: if wants(APDEX) { with_default(apdex) } else { Vec::new() },
        }
    }

    fn all() -> Wanted {
        Wanted { durations: true, failures: true, requests: true, apdex: vec![Thresholds::default()] }
    }
}

/// JMeter's default thresholds first (what `measure` shows), then the budgets' others.
fn with_default(apdex: &[Thresholds]) -> Vec<Thresholds> {
    let mut all = vec![Thresholds::default()];
    for thresholds in apdex {
        if !all.contains(thresholds) {
            all.push(*thresholds);
        }
    }
    all
}

/// The most columns a record is split into; more is an error (2.x requests carry extra
/// columns after their message, which are not read).
const MAX_FIELDS: usize = 12;

/// The record layout of a log, from its RUN record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// Gatling 2.2 and 2.3: every record but RUN has scenario and user columns.
    V2,
    /// Gatling 3.0 to 3.3: requests, groups and users carry the user's id.
    V30,
    /// Gatling 3.4 to 3.12.
    V34,
}

/// One request name's requests.
struct Requests {
    subject: Subject,
    samples: Vec<GatlingSample>,
    count: u64,
    ko: u64,
    apdex: Vec<ApdexCounts>,
}

/// Reads a log, keeping the samples of the `wanted` metrics (all when `None`).
pub fn parse(
    reader: impl BufRead,
    wanted: Option<&std::collections::HashSet<String>>,
    apdex: &[Thresholds],
) -> Result<Vec<Measurement>, Error> {
    parse_wanted(reader, &Wanted::of(wanted, apdex))
}

fn parse_wanted(reader: impl BufRead, wanted: &Wanted) -> Result<Vec<Measurement>, Error> {
    let mut lines = Lines::new(reader);
    let mut layout: Option<Layout> = None;
    let mut by_key: HashMap<Vec<u8>, usize> = HashMap::new();
    let mut requests: Vec<Requests> = Vec::new();
    let mut key = Vec::new();
    let (mut start, mut end) = (u64::MAX, 0_u64);
    let mut last_line = 0;
    while let Some((number, line)) = lines.next_bytes()? {
        last_line = number;
        if line.is_empty() {
            continue;
        }
        let at = |message: String| Error::Line { line: number, message };
        let mut fields: [&[u8]; MAX_FIELDS] = [&[]; MAX_FIELDS];
        let mut count = 0;
        for field in line.split(|&b| b == b'\t') {
            if count == fields.len() {
                count += 1;
                break;
            }
            fields[count] = field;
            count += 1;
        }
        let record = &fields[..count.min(fields.len())];
        let kind = record[0];
        let Some(layout) = layout else {
            match kind {
                b"ASSERTION" if count == 2 => continue,
                b"RUN" => {
                    layout = Some(run_layout(record, count).map_err(at)?);
                    continue;
                }
                _ if count > 2 && record[2] == b"RUN" => {
                    return Err(at("a simulation.log of Gatling 2.0 or 2.1 (RUN in the third column), whose \
                                   layout perfbudget does not read; it reads Gatling 2.2 to 3.12"
                        .into()));
                }
                _ => return Err(at(format!("{} before the RUN record, which Gatling writes first", shown(kind)))),
            }
        };
        match (kind, layout) {
            (b"REQUEST", _) => {
                let (columns, offset) = match layout {
                    Layout::V34 => (7, 1),
                    Layout::V30 => (8, 2),
                    Layout::V2 => (9, 3),
                };
                let fits = if layout == Layout::V2 { count >= columns } else { count == columns };
                if !fits {
                    return Err(at(field_count_message("REQUEST", count, columns, layout)));
                }
                let (groups, name) = (record[offset], record[offset + 1]);
                let started = timestamp(record[offset + 2], "start").map_err(at)?;
                let ended = timestamp(record[offset + 3], "end").map_err(at)?;
                let ok = match record[offset + 4] {
                    b"OK" => true,
                    b"KO" => false,
                    other => return Err(at(format!("the status is {}, not OK or KO", shown(other)))),
                };
                let response_time = ended
                    .checked_sub(started)
                    .and_then(|time| u32::try_from(time).ok())
                    .ok_or_else(|| at(format!("the request ends at {ended}, before it starts at {started}")))?;
                start = start.min(started);
                end = end.max(ended);
                key.clear();
                key.extend_from_slice(groups);
                key.push(b'\t');
                key.extend_from_slice(name);
                let index = match by_key.get(key.as_slice()) {
                    Some(&index) => index,
                    None => {
                        let subject = request_subject(groups, name).map_err(at)?;
                        let apdex = wanted.apdex.iter().map(|thresholds| ApdexCounts::new(*thresholds)).collect();
                        requests.push(Requests { subject, samples: Vec::new(), count: 0, ko: 0, apdex });
                        by_key.insert(key.clone(), requests.len() - 1);
                        requests.len() - 1
                    }
                };
                let entry = &mut requests[index];
                entry.count += 1;
                entry.ko += u64::from(!ok);
                if wanted.durations {
                    entry.samples.push(GatlingSample { order: number as u64, response_time, ok });
                }
                for counts in &mut entry.apdex {
                    counts.add(f64::from(response_time), ok);
                }
            }
            (b"USER", Layout::V34) => {
                if count != 4 {
                    return Err(at(field_count_message("USER", count, 4, layout)));
                }
                let time = timestamp(record[3], "time").map_err(at)?;
                match record[2] {
                    b"START" => start = start.min(time),
                    b"END" => {}
                    other => return Err(at(format!("the user event is {}, not START or END", shown(other)))),
                }
                end = end.max(time);
            }
            (b"USER", _) => {
                if count != 6 {
                    return Err(at(field_count_message("USER", count, 6, layout)));
                }
                if !matches!(record[3], b"START" | b"END") {
                    return Err(at(format!("the user event is {}, not START or END", shown(record[3]))));
                }
                start = start.min(timestamp(record[4], "start").map_err(at)?);
                end = end.max(timestamp(record[5], "end").map_err(at)?);
            }
            // Gatling 2.x writes its ERROR records with the GROUP header: three columns.
            (b"GROUP", Layout::V2) if count == 3 => {
                timestamp(record[2], "time").map_err(at)?;
            }
            (b"GROUP", _) => {
                let (columns, offset) = match layout {
                    Layout::V34 => (6, 2),
                    Layout::V30 => (7, 3),
                    Layout::V2 => (8, 4),
                };
                if count != columns {
                    return Err(at(field_count_message("GROUP", count, columns, layout)));
                }
                start = start.min(timestamp(record[offset], "start").map_err(at)?);
                end = end.max(timestamp(record[offset + 1], "end").map_err(at)?);
                timestamp(record[offset + 2], "cumulated response time").map_err(at)?;
                if !matches!(record[offset + 3], b"OK" | b"KO") {
                    return Err(at(format!("the status is {}, not OK or KO", shown(record[offset + 3]))));
                }
            }
            (b"ERROR", _) if count == 3 => {
                timestamp(record[2], "time").map_err(at)?;
            }
            (b"ERROR", _) => return Err(at(field_count_message("ERROR", count, 3, layout))),
            (b"ASSERTION", _) if count == 2 => {}
            (b"RUN", _) => return Err(at("a second RUN record: two logs joined into one?".into())),
            (other, _) => return Err(at(format!("an unknown record type {}", shown(other)))),
        }
    }
    if !lines.line_ended() {
        return Err(Error::Line {
            line: last_line,
            message: "the last line has no line end: the log was cut short (Gatling ends every record with one)".into(),
        });
    }
    if layout.is_none() {
        return Err(Error::Line {
            line: last_line.max(1),
            message: "no RUN record: not a whole simulation.log".into(),
        });
    }
    if requests.is_empty() {
        return Err(Error::Refused("the simulation.log holds no REQUEST record: the run sent no request".into()));
    }
    Ok(measurements(requests, wanted, start, end))
}

/// The layout a RUN record declares.
fn run_layout(record: &[&[u8]], count: usize) -> Result<Layout, String> {
    match count {
        7 => Ok(Layout::V2),
        6 => {
            let version = String::from_utf8_lossy(record[5]);
            let mut parts = version.trim().split('.');
            let major: Option<u32> = parts.next().and_then(|p| p.parse().ok());
            let minor: Option<u32> =
                parts.next().and_then(|p| p.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok());
            match (major, minor) {
                (Some(3), Some(0..=3)) => Ok(Layout::V30),
                (Some(3), Some(4..=12)) => Ok(Layout::V34),
                _ => Err(format!(
                    "the RUN record names Gatling {version:?}; perfbudget reads the text simulation.log of Gatling \
                     2.2 to 3.12"
                )),
            }
        }
        _ => Err(format!("a RUN record of {count} columns; Gatling writes 6 (3.x) or 7 (2.x)")),
    }
}

fn field_count_message(kind: &str, count: usize, columns: usize, layout: Layout) -> String {
    let (version, at_least) = match layout {
        Layout::V34 => ("3.4 to 3.12", ""),
        Layout::V30 => ("3.0 to 3.3", ""),
        Layout::V2 => ("2.x", if kind == "REQUEST" { "at least " } else { "" }),
    };
    let count = if count > MAX_FIELDS { format!("more than {MAX_FIELDS}") } else { count.to_string() };
    format!(
        "a {kind} record of {count} columns, where Gatling {version} writes {at_least}{columns} (a line cut short?)"
    )
}

/// A time column: whole ms since the epoch.
fn timestamp(field: &[u8], what: &str) -> Result<u64, String> {
    let valid = !field.is_empty() && field.len() <= 19 && field.iter().all(u8::is_ascii_digit);
    if !valid {
        return Err(format!("the {what} time {} is not a whole number of ms", shown(field)));
    }
    Ok(field.iter().fold(0_u64, |value, digit| value * 10 + u64::from(digit - b'0')))
}

/// A field for a message, quoted and cut to a readable length.
fn shown(field: &[u8]) -> String {
    let text = String::from_utf8_lossy(&field[..field.len().min(60)]);
    format!("{text:?}")
}

/// The subject of a request: its name, and its groups when it is in any.
fn request_subject(groups: &[u8], name: &[u8]) -> Result<Subject, String> {
    let text = |bytes: &[u8], what: &str| {
        std::str::from_utf8(bytes).map(str::to_owned).map_err(|_| format!("the {what} is not UTF-8 text"))
    };
    let mut subject = Subject::new();
    subject.insert(NAME_TAG.to_owned(), text(name, "request name")?);
    if !groups.is_empty() {
        subject.insert(GROUP_TAG.to_owned(), text(groups, "group")?.split(',').collect::<Vec<_>>().join(" / "));
    }
    Ok(subject)
}

/// The raw-sample measurements of every request name, in the order the log first names them.
fn measurements(requests: Vec<Requests>, wanted: &Wanted, start: u64, end: u64) -> Vec<Measurement> {
    let mut out = Vec::new();
    let raw = |metric: &str, subject: &Subject, unit: Unit, distribution: Distribution| {
        let mut measurement = Measurement::new(SOURCE, metric, None, subject.clone(), 0.0, unit);
        measurement.value = None;
        measurement.no_data = Some("raw samples: a statistic is computed when a budget selects them".into());
        measurement.samples = Some(distribution.sample_count());
        measurement.distribution = Some(Arc::new(distribution));
        measurement
    };
    for entry in requests {
        if wanted.durations {
            out.push(raw(HTTP_REQ_DURATION, &entry.subject, Unit::Ms, Distribution::GatlingRequests(entry.samples)));
        }
        if wanted.failures {
            let rate = Distribution::Rate { trues: entry.ko, total: entry.count };
            out.push(raw(HTTP_REQ_FAILED, &entry.subject, Unit::Ratio, rate));
        }
        if wanted.requests {
            let throughput = Distribution::Throughput { count: entry.count, start_ms: start, end_ms: end };
            out.push(raw(HTTP_REQS, &entry.subject, Unit::PerSecond, throughput));
        }
        if !entry.apdex.is_empty() {
            out.push(raw(APDEX, &entry.subject, Unit::Number, Distribution::Apdex(entry.apdex)));
        }
    }
    out
}

/// Reads a log's every number.
pub fn parse_all(reader: impl BufRead) -> Result<Vec<Measurement>, Error> {
    parse_wanted(reader, &Wanted::all())
}

#[cfg(test)]
mod tests;
