//! A history as JSON lines, one run per line, oldest first: what `history export` writes
//! and `history import` reads, so a history can move between machines or live in git. An
//! imported file is untrusted input: every line must be a whole run with finite values and
//! an RFC 3339 time, or the import stops at it, naming the line, and imports nothing.

use std::io::{BufReader, Write};
use std::path::Path;

use anyhow::Context;

use super::record::RunRecord;
use super::store::Store;
use crate::ingest::lines::Lines;
use crate::model::report::LimitValue;

/// Writes every run of `store` to `out`; returns how many.
pub fn export(store: &Store, out: &mut dyn Write) -> anyhow::Result<usize> {
    store.export(&mut |run| {
        serde_json::to_writer(&mut *out, &run).context("cannot write the export")?;
        out.write_all(b"\n").context("cannot write the export")
    })
}

/// The runs of an export, one line at a time (an import holds one run in memory, however
/// long the file); the first bad line is an error naming it.
#[derive(Debug)]
pub struct Runs {
    path: std::path::PathBuf,
    lines: Lines<BufReader<std::fs::File>>,
}

/// Opens an export to read its runs.
pub fn read(path: &Path) -> anyhow::Result<Runs> {
    let metadata =
        std::fs::metadata(path).with_context(|| format!("cannot read the history export {}", path.display()))?;
    crate::files::regular_file(path, &metadata, "an export is a file that `perfbudget history export` writes")?;
    let file = std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(Runs { path: path.to_owned(), lines: Lines::new(BufReader::new(file)) })
}

impl Iterator for Runs {
    type Item = anyhow::Result<RunRecord>;

    fn next(&mut self) -> Option<anyhow::Result<RunRecord>> {
        let path = &self.path;
        loop {
            let (number, line) = match self.lines.next_line() {
                Ok(Some(line)) => line,
                Ok(None) => return None,
                Err(error) => return Some(Err(error.in_file(path))),
            };
            if line.trim().is_empty() {
                continue;
            }
            let parsed = serde_json::from_str::<RunRecord>(line)
                .map_err(|error| crate::model::diagnostic::Located::from_json(&error, number, 1).in_file(path));
            return Some(parsed.and_then(|mut run| match run_problem(&mut run) {
                Some(problem) => Err(anyhow::anyhow!("{}:{number}: {problem}", path.display())),
                None => Ok(run),
            }));
        }
    }
}

/// Why a run cannot be imported, or `None`; its time is rewritten in UTC.
fn run_problem(run: &mut RunRecord) -> Option<String> {
    if run.branch.trim().is_empty() {
        return Some("the run has an empty branch".to_owned());
    }
    match super::provenance::parse_time(&run.time) {
        Ok(time) => run.time = time,
        Err(message) => return Some(format!("time {:?}: {message}", run.time)),
    }
    let limit = run.limits.iter().flatten().find_map(|limits| {
        let values =
            [("limit", limits.limit.map(LimitValue::amount)), ("warn", limits.warn), ("regression", limits.regression)];
        values.into_iter().find_map(|(what, value)| {
            let value = value?;
            let finite = value.is_finite() && limits.unit.to_base(value).is_finite();
            (!finite).then(|| format!("the {what} of budget {:?} ({value:e}) is not a finite number", limits.label))
        })
    });
    if limit.is_some() {
        return limit;
    }
    run.measurements.iter().find_map(|measurement| {
        let values = [("value", Some(measurement.value)), ("lower", measurement.lower), ("upper", measurement.upper)];
        values.into_iter().find_map(|(what, value)| {
            let value = value?;
            let finite = value.is_finite() && measurement.unit.to_base(value).is_finite();
            (!finite).then(|| format!("{} {what} {value:e} is not a finite number", measurement.metric))
        })
    })
}
