//! Reading the reports teams already produce into [`Measurement`]s.
//!
//! Ingest knows formats, not budgets. Each format is one file behind [`Adapter`] and one
//! row of [`registry::FORMATS`]; the format of an input is decided by its content, never by
//! its name ([`detect`]). Every measurement of every path (a file named directly, a file or
//! folder found in a search) passes one driver ([`validated`]) that checks its range and
//! stamps its origin.

pub mod ab;
pub mod artillery;
pub mod autocannon;
pub mod aws_logs;
pub mod bencher;
pub mod bundle;
pub mod cargo_criterion;
pub mod criterion;
pub mod crux;
mod detect;
mod error;
mod field;
pub(crate) mod format;
pub mod gatling_log;
pub mod gatling_report;
pub mod hyperfine;
pub mod jmeter;
pub mod junit;
pub mod k6;
pub mod k6_stream;
pub mod lighthouse;
pub(crate) mod lines;
pub mod locust;
pub mod locust_failures;
pub mod locust_history;
pub mod locust_json;
pub mod measurements;
pub mod pagespeed;
pub mod prometheus;
pub(crate) mod registry;
pub mod validate;
mod walk;
pub mod webpagetest;

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

pub use crate::files::{MAX_DOCUMENT_BYTES, read_capped, read_document, read_text_document, regular_file};
pub use crate::model::diagnostic::Located;
pub use crate::model::distribution;
pub use crate::model::measurement::{Measurement, describe_subject};
pub use crate::model::subject::Subject;
pub use detect::detect;
pub use error::Error;
pub(crate) use error::utf8;
pub use format::{Adapter, Detection, Head};
pub use registry::{InputFormat, known_formats};

/// Source-specific notes added to the judged rows after `evaluate`, which knows no source:
/// each tool's own verdict on the same number, shown beside perfbudget's.
const ANNOTATORS: &[Annotator] = &[criterion::annotate, k6::annotate, autocannon::annotate];

/// Adds a source's notes to the rows of an evaluation of these measurements.
type Annotator = fn(&mut [crate::model::CheckResult], &[Measurement]);

/// Adds every source's notes to an evaluation of `measurements`.
pub fn annotate(evaluation: &mut crate::model::Evaluation, measurements: &[Measurement]) {
    for annotator in ANNOTATORS {
        annotator(&mut evaluation.checks, measurements);
    }
}

/// How inputs are read.
#[derive(Debug, Clone)]
pub struct Options {
    /// Read every input as this format instead of detecting it.
    pub format: Option<InputFormat>,
    /// The metrics whose raw samples are worth keeping (k6 streams); all when `None`.
    pub wanted_metrics: Option<std::collections::HashSet<String>>,
    /// The criterion baseline directory read as the current results (`new`, the latest
    /// run, unless a saved baseline is named).
    pub criterion_current: String,
    /// A folder without reports is fine: it holds built files, which are measured apart
    /// ([`bundle`]).
    pub folders_may_hold_only_built_files: bool,
    /// The seconds between the first and the last scrape of one target, for rates and CPU
    /// shares when the scrapes carry no clock (`scrape_elapsed:` of the budget).
    pub scrape_elapsed: Option<f64>,
    /// The Apdex thresholds the budget scores raw samples with (JTLs, k6 streams), besides
    /// JMeter's defaults.
    pub apdex: Vec<crate::model::apdex::Thresholds>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            format: None,
            wanted_metrics: None,
            criterion_current: criterion::LATEST.to_owned(),
            folders_may_hold_only_built_files: false,
            scrape_elapsed: None,
            apdex: Vec::new(),
        }
    }
}

/// What the inputs held, and what a person should know about how they were read.
#[derive(Debug, Default)]
pub struct Inputs {
    pub measurements: Vec<Measurement>,
    /// Things skipped on purpose (stale criterion directories), one sentence each.
    pub warnings: Vec<String>,
    /// The Prometheus scrapes read, in input order: only these pair into windows (a
    /// measurements JSON of `source: prometheus` names no scrape to read again).
    pub scrapes: Vec<PathBuf>,
}

/// Reads every input (files and folders) into measurements, in input order, then adds
/// the windows between scrapes of one target ([`combine_scrapes`]).
pub fn read_inputs(inputs: &[PathBuf], options: &Options) -> anyhow::Result<Inputs> {
    let mut all = read_each(inputs, options)?;
    combine_scrapes(&mut all, options)?;
    Ok(all)
}

/// Reads every input into measurements, in input order, each on its own: scrapes are not
/// combined into windows.
pub fn read_each(inputs: &[PathBuf], options: &Options) -> anyhow::Result<Inputs> {
    let mut all = Inputs::default();
    for input in inputs {
        read_into(input, options, &mut all)?;
    }
    Ok(all)
}

/// Adds the windows between the Prometheus scrapes read, in the order read: consecutive
/// scrapes of one target give counter increases, rates, gauge growth and histogram
/// quantiles of the window ([`prometheus::window`]), and the earlier scrapes' own numbers
/// give way to the last one's. Each scrape is parsed again; they were read once already,
/// so they parse.
pub fn combine_scrapes(all: &mut Inputs, options: &Options) -> anyhow::Result<()> {
    let mut seen = std::collections::HashSet::new();
    let scrapes: Vec<PathBuf> = all.scrapes.iter().filter(|path| seen.insert(path.as_path())).cloned().collect();
    if scrapes.len() < 2 {
        tag_scrapes_of_one_series(&mut all.measurements);
        return Ok(());
    }
    let mut files = Vec::with_capacity(scrapes.len());
    for path in scrapes {
        let scrape = prometheus::read_scrape(&path).map_err(|error| error.in_file(&path))?;
        files.push(prometheus::window::ScrapeFile { path, scrape });
    }
    let windows = prometheus::window::windows(&files, options.scrape_elapsed);
    for measurement in &windows.measurements {
        if let Some(problem) = validate::measurement_problem(measurement) {
            let origin = measurement.origin.as_deref().unwrap_or_default();
            let stat = measurement.stat.as_deref().unwrap_or_default();
            bail!("{origin}: {} {stat} for {}: {problem}", measurement.metric, describe_subject(&measurement.subject));
        }
    }
    let superseded: std::collections::HashSet<String> =
        windows.superseded.iter().map(|path| path.display().to_string()).collect();
    all.measurements.retain(|measurement| {
        measurement.source != prometheus::SOURCE
            || measurement.origin.as_ref().is_none_or(|origin| !superseded.contains(origin))
    });
    all.measurements.extend(windows.measurements);
    all.warnings.extend(windows.warnings);
    tag_scrapes_of_one_series(&mut all.measurements);
    Ok(())
}

/// Tags with `scrape` (the file, or the pair of files of a window) every Prometheus
/// measurement of a series that scrapes of several targets report: an app's and
/// node_exporter's `process_resident_memory_bytes` are different processes, and without
/// the tag a budget would combine them as two runs of one value. A budget tells them apart
/// with `tags: { scrape: "*node*" }`.
fn tag_scrapes_of_one_series(measurements: &mut [Measurement]) {
    let key = |m: &Measurement| (m.metric.clone(), m.stat.clone(), m.subject.clone());
    let mut origins: std::collections::HashMap<_, std::collections::HashSet<String>> = std::collections::HashMap::new();
    for measurement in measurements.iter().filter(|m| m.source == prometheus::SOURCE) {
        if let Some(origin) = &measurement.origin {
            origins.entry(key(measurement)).or_default().insert(origin.clone());
        }
    }
    for measurement in measurements.iter_mut().filter(|m| m.source == prometheus::SOURCE) {
        let ambiguous = origins.get(&key(measurement)).is_some_and(|files| files.len() > 1);
        if ambiguous && let Some(origin) = measurement.origin.clone() {
            measurement.subject.insert(crate::model::vocabulary::SCRAPE_TAG.to_owned(), origin);
        }
    }
}

/// Reads one file or folder with the default options, or as the given format.
pub fn read_input(path: &Path, format: Option<InputFormat>) -> anyhow::Result<Vec<Measurement>> {
    let mut inputs = Inputs::default();
    read_into(path, &Options { format, ..Options::default() }, &mut inputs)?;
    Ok(inputs.measurements)
}

fn read_into(path: &Path, options: &Options, inputs: &mut Inputs) -> anyhow::Result<()> {
    let metadata = std::fs::metadata(path).with_context(|| format!("cannot read input {}", path.display()))?;
    if metadata.is_dir() {
        return walk::read_folder(path, options, inputs);
    }
    regular_file(path, &metadata, "an input is a report file or a folder of them")?;
    let format = match options.format {
        Some(format) => format.0,
        None => detect(path)?,
    };
    let measurements = format.adapter.read(path, options).map_err(|error| {
        // A format named with --input-format that does not fit: say what the file is.
        match options.format.and_then(|_| detect(path).ok()).filter(|detected| detected.id != format.id) {
            Some(detected) => anyhow::anyhow!(
                "{}: read as --input-format {}, but it is a {}: drop --input-format or name that one (as {}: {error})",
                path.display(),
                format.id,
                detected.description,
                format.id
            ),
            None => error.in_file(path),
        }
    })?;
    if format.id == prometheus::FORMAT_ID {
        inputs.scrapes.push(path.to_owned());
    }
    accept(path, measurements, inputs)
}

/// The one way measurements enter a run, from every path (a file named directly, a file
/// or a claimed folder found in a search): each is validated ([`validate`]) and stamped
/// with the file it came from.
pub(crate) fn accept(path: &Path, measurements: Vec<Measurement>, inputs: &mut Inputs) -> anyhow::Result<()> {
    inputs.measurements.extend(validated(path, measurements)?);
    Ok(())
}

/// The measurements of one file, each checked for range ([`validate`]) and stamped with the
/// file as its origin; the first impossible value is an error naming the file.
pub fn validated(path: &Path, mut measurements: Vec<Measurement>) -> anyhow::Result<Vec<Measurement>> {
    let origin = path.display().to_string();
    for measurement in &mut measurements {
        if let Some(problem) = validate::measurement_problem(measurement) {
            let stat = measurement.stat.as_deref().map(|stat| format!(" {stat}")).unwrap_or_default();
            let subject = match measurement.subject.is_empty() {
                true => String::new(),
                false => format!(" for {}", describe_subject(&measurement.subject)),
            };
            bail!("{}: {}{stat}{subject}: {problem}", path.display(), measurement.metric);
        }
        measurement.origin.get_or_insert_with(|| origin.clone());
    }
    Ok(measurements)
}

#[cfg(test)]
mod tests;
