//! hyperfine's exports: `--export-json` (`{"results": [{"command", "mean", ...}]}`) and
//! `--export-csv` (`command,mean,stddev,median,user,system,min,max[,parameter_NAME...]`).
//!
//! Each command is one `bench_time` subject, tagged `id` (the command, or its `-n` name)
//! and, for `--parameter-scan` / `--parameter-list` runs, one tag per parameter. Its
//! statistics (`mean`, `median`, `min`, `max`, `stddev`, `user`, `system`) are hyperfine's
//! own numbers in seconds, kept in seconds: converting to nanoseconds could change the last
//! bit of a number that must equal hyperfine's.
//!
//! Runs that exited non-zero (kept with `--ignore-failure`) make every statistic of their
//! command "no data", naming the failures: the time of a command that failed is no evidence
//! that it is fast. The CSV holds neither the runs nor their exit codes, so it cannot show
//! a failure; the JSON can.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::{Adapter, Detection, Error, Head, Located, Measurement, Options, Subject};
use crate::quantity::Unit;

#[derive(Debug)]
pub(crate) struct Hyperfine;

/// The columns every `--export-csv` starts with, in hyperfine's order.
const CSV_COLUMNS: [&str; 8] = ["command", "mean", "stddev", "median", "user", "system", "min", "max"];

/// What a parameter's column is called in the CSV: `parameter_delay`.
const CSV_PARAMETER_PREFIX: &str = "parameter_";

/// The statistics of a command, in the order they are listed.
const STATS: [&str; 7] = ["mean", "median", "min", "max", "stddev", "user", "system"];

/// The subject tag that names the command.
const ID_TAG: &str = "id";

impl Adapter for Hyperfine {
    /// The JSON as hyperfine writes it (`{"results": [{"command":` first) is certain; the
    /// same keys in another order (a reformatted file), or `{"results": []}` alone, likely:
    /// the empty one is then refused as a run that measured nothing. The CSV by its header.
    fn detect(&self, head: &Head) -> Detection {
        if let Some(text) = head.object() {
            let keys = ["\"results\"", "\"command\"", "\"mean\"", "\"stddev\""];
            let likely = keys.iter().all(|key| text.contains(key))
                || tokens(text, &["{", "\"results\"", ":", "[", "]", "}"]).is_some_and(|rest| rest.trim().is_empty());
            return Detection::from(
                tokens(text, &["{", "\"results\"", ":", "[", "{", "\"command\""]).is_some(),
                likely,
            );
        }
        Detection::from(is_csv_header(first_line(&head.text)), false)
    }

    /// A CSV whose header starts like hyperfine's but is not its header (a column renamed,
    /// dropped or moved) is not read: its numbers would land under the wrong statistic.
    fn near_miss(&self, _path: &Path, head: &Head) -> Option<String> {
        let header = first_line(&head.text);
        if header.starts_with("command,") && !is_csv_header(header) {
            return Some(format!(
                "this looks like hyperfine's --export-csv, but its header is `{header}`; {}",
                csv_rule()
            ));
        }
        if header.starts_with("| Command |") {
            return Some(
                "this is hyperfine's --export-markdown table, rounded to its --time-unit; export with --export-json"
                    .into(),
            );
        }
        None
    }

    fn read(&self, path: &Path, _options: &Options) -> Result<Vec<Measurement>, Error> {
        parse(&super::read_document(path)?)
    }
}

/// What follows these JSON tokens (with any white space between them) at the start of
/// `text`, or `None` when it does not start with them: how hyperfine's JSON opens, with the
/// `results` key first and the first result's `command` key first.
fn tokens<'t>(text: &'t str, tokens: &[&str]) -> Option<&'t str> {
    tokens.iter().try_fold(text, |rest, token| rest.trim_start().strip_prefix(token))
}

/// The first line of a text, without its line ending.
fn first_line(text: &str) -> &str {
    let line = text.split('\n').next().unwrap_or_default();
    line.strip_suffix('\r').unwrap_or(line)
}

/// Whether a line is an `--export-csv` header: hyperfine's eight columns, then any number
/// of `parameter_NAME` ones.
fn is_csv_header(line: &str) -> bool {
    let mut columns = line.split(',');
    CSV_COLUMNS.iter().all(|column| columns.next() == Some(*column))
        && columns.all(|column| column.strip_prefix(CSV_PARAMETER_PREFIX).is_some_and(|name| !name.is_empty()))
}

/// What a hyperfine CSV header is, for messages.
fn csv_rule() -> String {
    format!("hyperfine writes `{}[,{CSV_PARAMETER_PREFIX}NAME...]`", CSV_COLUMNS.join(","))
}

/// Every measurement of a hyperfine export, JSON or CSV (told apart by the first character).
pub fn parse(bytes: &[u8]) -> Result<Vec<Measurement>, Error> {
    let text = super::utf8(bytes)?;
    let text = text.trim_start_matches('\u{feff}');
    let commands = match text.trim_start().starts_with('{') {
        true => parse_json(text)?,
        false => parse_csv(text)?,
    };
    if commands.is_empty() {
        // An export hyperfine wrote before it measured anything: not a pass, and not a
        // subject a "no data" row could name.
        return Err(Error::Refused(
            "hyperfine's export has no results: it measured no command (was the run aborted?)".into(),
        ));
    }
    let mut measurements = Vec::new();
    for command in commands {
        command.measurements(&mut measurements);
    }
    Ok(measurements)
}

/// One command as either export has it.
#[derive(Debug)]
struct Command {
    subject: Subject,
    /// `mean`, `median`, `min`, `max`, `user`, `system` and, when hyperfine gave one, `stddev`.
    stats: BTreeMap<&'static str, f64>,
    /// Why the command has no standard deviation, when it has none.
    no_stddev: Option<&'static str>,
    /// How many runs the statistics summarise (the JSON's `times`).
    runs: Option<u64>,
    /// Why its numbers are no evidence (failed runs).
    failed: Option<String>,
}

impl Command {
    fn measurements(self, out: &mut Vec<Measurement>) {
        for stat in STATS {
            let mut measurement =
                Measurement::new("hyperfine", "bench_time", Some(stat), self.subject.clone(), 0.0, Unit::S);
            measurement.value = self.stats.get(stat).copied();
            measurement.samples = self.runs;
            measurement.no_data = match (&self.failed, measurement.value) {
                (Some(failed), _) => Some(failed.clone()),
                (None, None) => self.no_stddev.map(str::to_owned),
                (None, Some(_)) => None,
            };
            if measurement.no_data.is_some() {
                measurement.value = None;
            }
            out.push(measurement);
        }
    }
}

/// The subject of a command: `id` and its parameters' tags.
fn subject(command: &str, parameters: impl IntoIterator<Item = (String, String)>) -> Result<Subject, String> {
    let mut subject = Subject::from([(ID_TAG, command)]);
    for (name, value) in parameters {
        if name == ID_TAG {
            return Err(format!("a parameter named `{ID_TAG}` would hide the command's name; rename the parameter"));
        }
        subject.insert(name, value);
    }
    Ok(subject)
}

#[derive(Deserialize)]
struct Export {
    results: Vec<JsonResult>,
}

/// One command of the JSON. Keys hyperfine added later (`memory_usage_byte` in 1.20) are
/// ignored.
#[derive(Deserialize)]
struct JsonResult {
    command: String,
    mean: f64,
    /// `null` for a single run.
    stddev: Option<f64>,
    median: f64,
    user: f64,
    system: f64,
    min: f64,
    max: f64,
    #[serde(default)]
    times: Option<Vec<f64>>,
    /// `null` for a run a signal ended.
    #[serde(default)]
    exit_codes: Option<Vec<Option<i64>>>,
    #[serde(default)]
    parameters: BTreeMap<String, String>,
}

fn parse_json(text: &str) -> Result<Vec<Command>, Error> {
    let export: Export = serde_json::from_str(text).map_err(|error| Error::At(Located::from_json(&error, 1, 1)))?;
    export
        .results
        .into_iter()
        .map(|result| {
            let subject = subject(&result.command, result.parameters)
                .map_err(|why| Error::Refused(format!("command `{}`: {why}", result.command)))?;
            let mut stats = BTreeMap::from([
                ("mean", result.mean),
                ("median", result.median),
                ("min", result.min),
                ("max", result.max),
                ("user", result.user),
                ("system", result.system),
            ]);
            if let Some(stddev) = result.stddev {
                stats.insert("stddev", stddev);
            }
            Ok(Command {
                subject,
                stats,
                no_stddev: Some("hyperfine gives no standard deviation for a single run"),
                runs: result.times.as_ref().map(|times| times.len() as u64),
                failed: result.exit_codes.as_deref().and_then(failures),
            })
        })
        .collect()
}

/// "2 of 6 runs failed (exit code 1)" when some run did not exit 0, else `None`.
fn failures(exit_codes: &[Option<i64>]) -> Option<String> {
    let failed: Vec<Option<i64>> = exit_codes.iter().copied().filter(|code| *code != Some(0)).collect();
    if failed.is_empty() {
        return None;
    }
    let mut codes: Vec<String> = failed
        .iter()
        .map(|code| code.map_or_else(|| "killed by a signal".to_owned(), |code| code.to_string()))
        .collect();
    codes.sort();
    codes.dedup();
    let plural = if codes.len() == 1 { "" } else { "s" };
    Some(format!(
        "{} of {} runs failed (exit code{plural} {}); hyperfine kept them with --ignore-failure, and the time of a failing command is no evidence",
        failed.len(),
        exit_codes.len(),
        codes.join(", ")
    ))
}

fn parse_csv(text: &str) -> Result<Vec<Command>, Error> {
    // hyperfine ends every record with a line break. A file cut inside its last field could
    // still parse, as a shorter number (`0.0178` cut to `0.01`): refuse it instead.
    if !text.trim().is_empty() && !text.ends_with('\n') {
        return Err(Error::Line {
            line: text.matches('\n').count() + 1,
            message: "the last line does not end with a line break (cut short?)".into(),
        });
    }
    let mut records = csv_records(text);
    let Some((_, header)) = records.next().transpose()? else {
        return Err(Error::Refused("the file is empty".into()));
    };
    let header_line = header.join(",");
    if !is_csv_header(&header_line) {
        return Err(Error::Line { line: 1, message: format!("the header is `{header_line}`; {}", csv_rule()) });
    }
    let parameters: Vec<String> =
        header[CSV_COLUMNS.len()..].iter().map(|column| column[CSV_PARAMETER_PREFIX.len()..].to_owned()).collect();
    let mut commands = Vec::new();
    for record in records {
        let (line, fields) = record?;
        if fields.len() != header.len() {
            return Err(Error::Line {
                line,
                message: format!("{} fields where the header has {} (cut short?)", fields.len(), header.len()),
            });
        }
        let mut stats = BTreeMap::new();
        for (column, field) in CSV_COLUMNS.iter().zip(&fields).skip(1) {
            // Rust's float syntax, as hyperfine writes it; `NaN` or `inf` parse, and the
            // driver refuses them as no finite time.
            let value: f64 = field
                .parse()
                .map_err(|_| Error::Line { line, message: format!("the {column} `{field}` is not a number") })?;
            let stat: &'static str = column;
            // hyperfine's CSV writes 0 where it has no standard deviation (a single run):
            // a 0 of wall-clock times in nanoseconds is that, never a measured spread.
            if !(stat == "stddev" && value == 0.0) {
                stats.insert(stat, value);
            }
        }
        let tags = parameters.iter().cloned().zip(fields[CSV_COLUMNS.len()..].iter().cloned());
        let subject = subject(&fields[0], tags).map_err(|message| Error::Line { line, message })?;
        commands.push(Command {
            subject,
            stats,
            no_stddev: Some("hyperfine's CSV writes 0 for the standard deviation of a single run"),
            runs: None,
            failed: None,
        });
    }
    Ok(commands)
}

/// The records of a CSV (RFC 4180, as the `csv` crate hyperfine uses writes it: a field with
/// a comma, quote or line break in double quotes, quotes doubled), each with the line it
/// starts on. Blank lines are skipped.
fn csv_records(text: &str) -> impl Iterator<Item = Result<(usize, Vec<String>), Error>> + '_ {
    let mut chars = text.chars().peekable();
    let mut line = 1;
    std::iter::from_fn(move || {
        loop {
            let start = line;
            let mut fields = Vec::new();
            let mut field = String::new();
            let mut quoted = false;
            let mut any = false;
            loop {
                let Some(c) = chars.next() else {
                    if quoted {
                        return Some(Err(Error::Line {
                            line: start,
                            message: "a quoted field is not closed (cut short?)".into(),
                        }));
                    }
                    break;
                };
                any = true;
                match (quoted, c) {
                    (true, '"') if chars.peek() == Some(&'"') => {
                        chars.next();
                        field.push('"');
                    }
                    (true, '"') => quoted = false,
                    (true, c) => {
                        if c == '\n' {
                            line += 1;
                        }
                        field.push(c);
                    }
                    (false, '"') if field.is_empty() => quoted = true,
                    (false, ',') => fields.push(std::mem::take(&mut field)),
                    (false, '\n') => {
                        line += 1;
                        break;
                    }
                    (false, '\r') if chars.peek() == Some(&'\n') => {}
                    (false, c) => field.push(c),
                }
            }
            if !any {
                return None;
            }
            fields.push(field);
            if fields.len() == 1 && fields[0].is_empty() {
                continue;
            }
            return Some(Ok((start, fields)));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hyperfine/v1.15.0").join(name))
            .unwrap()
    }

    fn stat<'a>(measurements: &'a [Measurement], id: &str, stat: &str) -> &'a Measurement {
        measurements
            .iter()
            .find(|m| m.subject.get("id") == Some(id) && m.stat.as_deref() == Some(stat))
            .unwrap_or_else(|| panic!("no {stat} for {id}"))
    }

    #[test]
    fn detects_the_json_and_the_csv_by_content() {
        for name in ["sleep.json", "sleep.csv", "scan.json", "scan.csv", "lists.csv", "single.json"] {
            assert_eq!(Hyperfine.detect(&Head::new(fixture(name))), Detection::Certain, "{name}");
        }
        let reordered = br#"{"results": [{"mean": 1, "command": "a", "stddev": null}]}"#;
        assert_eq!(Hyperfine.detect(&Head::new(reordered.to_vec())), Detection::Likely);
        assert_eq!(
            Hyperfine.detect(&Head::new(b"{\"results\": [ ]}\n".to_vec())),
            Detection::Likely,
            "refused on read"
        );
        for other in [&b"{\"results\": [1]}"[..], b"command,mean\n", b"", b"{\"command\": \"mean\"}"] {
            assert_eq!(Hyperfine.detect(&Head::new(other.to_vec())), Detection::No);
        }
    }

    #[test]
    fn every_statistic_in_seconds_with_the_runs() {
        let measurements = parse(&fixture("sleep.json")).unwrap();
        assert_eq!(measurements.len(), 2 * STATS.len());
        let mean = stat(&measurements, "sleep 0.01", "mean");
        assert_eq!((mean.metric.as_str(), mean.unit, mean.samples), ("bench_time", Unit::S, Some(10)));
        assert_eq!(mean.source, "hyperfine");
        assert!(measurements.iter().all(|m| m.value.is_some() && m.no_data.is_none()));
    }

    #[test]
    fn parameters_are_tags() {
        let measurements = parse(&fixture("lists.json")).unwrap();
        let mean = stat(&measurements, "sleep 0.02s", "mean");
        assert_eq!(crate::ingest::describe_subject(&mean.subject), "sleep 0.02s (delay=0.02, suffix=s)");
        let csv = parse(&fixture("lists.csv")).unwrap();
        assert_eq!(stat(&csv, "sleep 0.01", "mean").subject.get("suffix"), Some(""));
        let scan = parse(&fixture("scan.csv")).unwrap();
        assert_eq!(stat(&scan, "sleep 0.03", "max").subject.get("delay"), Some("0.03"));
    }

    #[test]
    fn a_single_run_has_no_standard_deviation_in_either_export() {
        for name in ["single.json", "single.csv"] {
            let measurements = parse(&fixture(name)).unwrap();
            let stddev = stat(&measurements, "sleep 0.01", "stddev");
            assert_eq!(stddev.value, None, "{name}");
            assert!(stddev.no_data.as_deref().unwrap().contains("single run"), "{name}");
            assert!(stat(&measurements, "sleep 0.01", "mean").value.is_some());
        }
    }

    #[test]
    fn failed_runs_are_no_data_naming_them() {
        let measurements = parse(&fixture("ignore-failure.json")).unwrap();
        let always = stat(&measurements, "false", "mean");
        assert_eq!(always.value, None);
        assert!(always.no_data.as_deref().unwrap().starts_with("6 of 6 runs failed (exit code 1);"), "{always:?}");
        let sometimes = measurements.iter().find(|m| m.subject.get("id").unwrap().starts_with("sh -c")).unwrap();
        assert!(sometimes.no_data.as_deref().unwrap().starts_with("2 of 6 runs failed (exit code 1);"));
        assert!(measurements.iter().all(|m| m.value.is_none()));
        assert_eq!(
            failures(&[Some(0), None, Some(2), Some(1), Some(2)]).as_deref().map(|m| m.split(';').next().unwrap()),
            Some("4 of 5 runs failed (exit codes 1, 2, killed by a signal)")
        );
        assert_eq!(failures(&[Some(0), Some(0)]), None);
    }

    #[test]
    fn an_aborted_run_keeps_the_commands_before_the_failure() {
        let measurements = parse(&fixture("aborted-second.json")).unwrap();
        assert!(measurements.iter().all(|m| m.subject.get("id") == Some("sleep 0.01")));
        assert!(fixture("aborted-first.json").is_empty(), "hyperfine leaves an empty file");
    }

    #[test]
    fn bad_input_is_an_error_with_its_place() {
        let sleep = fixture("sleep.json");
        match parse(&sleep[..sleep.len() / 2]) {
            Err(Error::At(located)) => {
                assert!(located.line > 1 && located.message.contains("truncated"), "{located:?}");
            }
            other => panic!("{other:?}"),
        }
        match parse(b"{\"results\": []}") {
            Err(Error::Refused(message)) => assert!(message.contains("no results"), "{message}"),
            other => panic!("{other:?}"),
        }
        match parse(b"command,mean,stddev,median,user,system,max,min\na,1,0,1,0,0,1,1\n") {
            Err(Error::Line { line: 1, message }) => assert!(message.starts_with("the header is `"), "{message}"),
            other => panic!("{other:?}"),
        }
        let csv = fixture("sleep.csv");
        match parse(&csv[..csv.len() - 3]) {
            Err(Error::Line { line: 3, message }) => assert!(message.ends_with("(cut short?)"), "{message}"),
            other => panic!("a CSV cut in its last number: {other:?}"),
        }
        for (row, why) in [
            ("a,1,0,1,0,0,1", "7 fields where the header has 8"),
            ("a,1,0,x,0,0,1,1", "the median `x` is not a number"),
            ("\"a,1,0,1,0,0,1,1", "a quoted field is not closed"),
        ] {
            let text = format!("{}\n{row}\n", CSV_COLUMNS.join(","));
            match parse(text.as_bytes()) {
                Err(Error::Line { line: 2, message }) => assert!(message.starts_with(why), "{message}"),
                other => panic!("{row}: {other:?}"),
            }
        }
        let text = format!("{}\n", CSV_COLUMNS.join(","));
        assert!(matches!(parse(text.as_bytes()), Err(Error::Refused(_))), "a header only");
        let id = format!("{},{CSV_PARAMETER_PREFIX}id\na,1,0,1,0,0,1,1,x\n", CSV_COLUMNS.join(","));
        assert!(matches!(parse(id.as_bytes()), Err(Error::Line { line: 2, .. })));
        assert!(matches!(parse(b"\xff"), Err(Error::At(Located { line: 1, column: 1, .. }))));
    }

    #[test]
    fn quoted_csv_fields() {
        let text = format!("{}\r\n\"a, \"\"b\"\"\nc\",1,0,1,0,0,1,1\r\n\r\n", CSV_COLUMNS.join(","));
        let measurements = parse(text.as_bytes()).unwrap();
        assert_eq!(measurements[0].subject.get("id"), Some("a, \"b\"\nc"));
        assert_eq!(measurements[0].value, Some(1.0));
    }

    #[test]
    fn near_misses() {
        let head = |text: &str| Head::new(text.as_bytes().to_vec());
        let renamed = Hyperfine.near_miss(Path::new("x.csv"), &head("command,average,stddev\n")).unwrap();
        assert!(renamed.starts_with("this looks like hyperfine's --export-csv"), "{renamed}");
        let markdown = "| Command | Mean [ms] | Min [ms] | Max [ms] | Relative |\n";
        assert!(Hyperfine.near_miss(Path::new("x.md"), &head(markdown)).unwrap().contains("--export-json"));
        assert_eq!(Hyperfine.near_miss(Path::new("x.csv"), &head(&CSV_COLUMNS.join(","))), None);
    }
}
