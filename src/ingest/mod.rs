//! Reading the reports teams already produce into [`Measurement`]s.
//!
//! Ingest knows formats, not budgets. Each format is one file behind [`Adapter`]; the
//! format of an input is decided by its content, never by its name.

pub mod bencher;
pub mod bundle;
pub mod cargo_criterion;
pub mod criterion;
pub mod crux;
mod field;
pub mod k6;
pub mod k6_stream;
pub mod lighthouse;
mod lines;
pub mod measurements;
pub mod pagespeed;
pub mod validate;

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use rayon::prelude::*;

pub use crate::model::diagnostic::Located;
pub use crate::model::distribution;
pub use crate::model::measurement::{Measurement, describe_subject};
pub use crate::model::subject::Subject;

/// Source-specific notes added to the judged rows after `evaluate`, which knows no source:
/// each tool's own verdict on the same number, shown beside perfbudget's.
const ANNOTATORS: &[Annotator] = &[criterion::annotate, k6::annotate];

/// Adds a source's notes to the rows of an evaluation of these measurements.
type Annotator = fn(&mut [crate::model::CheckResult], &[Measurement]);

/// Adds every source's notes to an evaluation of `measurements`.
pub fn annotate(evaluation: &mut crate::model::Evaluation, measurements: &[Measurement]) {
    for annotator in ANNOTATORS {
        annotator(&mut evaluation.checks, measurements);
    }
}

/// The formats perfbudget reads; `--input-format` names one to skip detection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    /// perfbudget's own measurements JSON, as `perfbudget measure --format json` prints it.
    Measurements,
    /// A Lighthouse report (LHR JSON) or user-flow result.
    Lighthouse,
    /// A PageSpeed Insights API v5 response.
    Pagespeed,
    /// A Chrome UX Report API records:queryRecord response.
    Crux,
    /// A k6 summary: `--summary-export` JSON or handleSummary's data as JSON.
    K6Summary,
    /// A criterion results folder (`target/criterion`).
    Criterion,
    /// cargo-criterion's `--message-format=json` lines.
    CargoCriterion,
    /// libtest or criterion `--output-format bencher` text.
    Bencher,
    /// k6's `--out json` stream (NDJSON, also gzip).
    K6Stream,
}

impl fmt::Display for InputFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.adapter().description())
    }
}

impl InputFormat {
    fn adapter(self) -> &'static dyn Adapter {
        match self {
            InputFormat::Measurements => &measurements::MeasurementsJson,
            InputFormat::Lighthouse => &lighthouse::Lighthouse,
            InputFormat::Pagespeed => &pagespeed::PageSpeed,
            InputFormat::Crux => &crux::Crux,
            InputFormat::K6Summary => &k6::K6Summary,
            InputFormat::Criterion => &criterion::CriterionTree,
            InputFormat::CargoCriterion => &cargo_criterion::CargoCriterion,
            InputFormat::Bencher => &bencher::BencherText,
            InputFormat::K6Stream => &k6_stream::K6Stream,
        }
    }
}

/// One input format.
pub trait Adapter: Sync {
    /// Names the format in messages ("perfbudget measurements JSON").
    fn description(&self) -> &'static str;
    /// Whether a file starting with these bytes is in this format. Must be cheap and never
    /// claim another adapter's files.
    fn sniff(&self, head: &[u8]) -> bool;
    /// Reads every measurement of the file. Errors name the file and, where there is one,
    /// the line and column.
    fn read(&self, path: &Path) -> anyhow::Result<Vec<Measurement>>;
    /// Reads with the run's options (which metrics matter); most formats ignore them.
    fn read_with(&self, path: &Path, _options: &Options) -> anyhow::Result<Vec<Measurement>> {
        self.read(path)
    }
    /// Whether a folder met while searching is one input of this format as a whole (one
    /// criterion benchmark's directory), read with [`Adapter::read_folder`] and not
    /// searched further.
    fn claims_folder(&self, _dir: &Path, _options: &Options) -> bool {
        false
    }
    /// Of the folders this adapter claimed in one search, those left over from an earlier
    /// run, with a warning that names them; `None` when all are current.
    fn stale_folders(&self, _claimed: &[PathBuf]) -> Option<(Vec<PathBuf>, String)> {
        None
    }
    /// Reads a folder this adapter claims.
    fn read_folder(&self, dir: &Path, _options: &Options) -> anyhow::Result<Vec<Measurement>> {
        anyhow::bail!("{}: {} is not read as a folder", dir.display(), self.description())
    }
}

/// The first bytes of a file as text when they open a JSON object (after a BOM and
/// spaces), for adapters that recognise their format by the keys near its start.
pub(crate) fn object_head(head: &[u8]) -> Option<std::borrow::Cow<'_, str>> {
    let text = String::from_utf8_lossy(head);
    text.trim_start_matches('\u{feff}').trim_start().starts_with('{').then_some(text)
}

/// Every adapter, in the order detection tries them.
const ADAPTERS: &[&dyn Adapter] = &[
    &measurements::MeasurementsJson,
    &lighthouse::Lighthouse,
    &pagespeed::PageSpeed,
    &crux::Crux,
    &k6::K6Summary,
    &k6_stream::K6Stream,
    &criterion::CriterionTree,
    &cargo_criterion::CargoCriterion,
    &bencher::BencherText,
];

/// The formats detection knows, named for messages.
pub fn known_formats() -> Vec<&'static str> {
    ADAPTERS.iter().map(|adapter| adapter.description()).collect()
}

pub use crate::files::{MAX_DOCUMENT_BYTES, read_capped, read_document, read_text_document, regular_file};

/// How many leading bytes detection looks at.
const SNIFF_BYTES: usize = 8 * 1024;

/// Folder depth at which a search stops, so a deep or looping tree cannot hang the gate.
const MAX_FOLDER_DEPTH: usize = 16;

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
}

impl Default for Options {
    fn default() -> Options {
        Options {
            format: None,
            wanted_metrics: None,
            criterion_current: criterion::LATEST.to_owned(),
            folders_may_hold_only_built_files: false,
        }
    }
}

/// What the inputs held, and what a person should know about how they were read.
#[derive(Debug, Default)]
pub struct Inputs {
    pub measurements: Vec<Measurement>,
    /// Things skipped on purpose (stale criterion directories), one sentence each.
    pub warnings: Vec<String>,
}

/// Reads every input (files and folders) into measurements, in input order.
pub fn read_inputs(inputs: &[PathBuf], options: &Options) -> anyhow::Result<Inputs> {
    let mut all = Inputs::default();
    for input in inputs {
        read_into(input, options, &mut all)?;
    }
    Ok(all)
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
        return read_folder(path, options, inputs);
    }
    regular_file(path, &metadata, "an input is a report file or a folder of them")?;
    let adapter = match options.format {
        Some(format) => format.adapter(),
        None => detect(path)?,
    };
    let measurements = adapter.read_with(path, options)?;
    accept(path, measurements, inputs)
}

/// The one way measurements enter a run, from every path (a file named directly, a file
/// or a claimed folder found in a search): each is validated ([`validate`]) and stamped
/// with the file it came from.
fn accept(path: &Path, measurements: Vec<Measurement>, inputs: &mut Inputs) -> anyhow::Result<()> {
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

/// Picks the adapter for a file by its first bytes.
pub fn detect(path: &Path) -> anyhow::Result<&'static dyn Adapter> {
    let head = read_head(path)?;
    if let Some(adapter) = ADAPTERS.iter().find(|adapter| adapter.sniff(&head)) {
        return Ok(*adapter);
    }
    if lighthouse::is_html_report(&head) {
        bail!(
            "{}: this is Lighthouse's HTML report; perfbudget reads its JSON: run Lighthouse with `--output=json` \
             (or `--output=json --output=html` for both), or give the `lhr-*.json` files of `.lighthouseci/`",
            path.display()
        );
    }
    if k6::is_text_summary(&head) {
        bail!(
            "{}: this is k6's end-of-test text, which is not a stable format; write JSON with \
             `k6 run --summary-export=summary.json`, or return JSON.stringify(data) from handleSummary",
            path.display()
        );
    }
    if measurements::is_perfbudget_report(&head) {
        bail!(
            "{}: this is a perfbudget JSON report; give it as `--baseline {}` to compare against it",
            path.display(),
            path.display()
        );
    }
    let known: Vec<&str> = ADAPTERS.iter().map(|adapter| adapter.description()).collect();
    if head.iter().all(u8::is_ascii_whitespace) {
        bail!("{}: the file is empty; perfbudget reads: {}", path.display(), known.join(", "));
    }
    bail!(
        "{}: not an input perfbudget can read (detected by content, not by name); perfbudget reads: {}",
        path.display(),
        known.join(", ")
    )
}

fn read_head(path: &Path) -> anyhow::Result<Vec<u8>> {
    let file = std::fs::File::open(path).with_context(|| format!("cannot open input {}", path.display()))?;
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    file.take(SNIFF_BYTES as u64)
        .read_to_end(&mut head)
        .with_context(|| format!("cannot read input {}", path.display()))?;
    Ok(head)
}

/// Reads every file in a folder (recursively, in name order) that some adapter claims.
/// Files no adapter claims are skipped: a folder of reports also holds other things.
fn read_folder(dir: &Path, options: &Options, inputs: &mut Inputs) -> anyhow::Result<()> {
    let adapters: Vec<&'static dyn Adapter> = match options.format {
        Some(format) => vec![format.adapter()],
        None => ADAPTERS.to_vec(),
    };
    let mut found = Vec::new();
    collect(dir, 0, &adapters, options, &mut found)?;
    // Folders an adapter knows to be left over from an earlier run are read without their
    // values, and said: each of their rows is there with no data, so a budget that selects
    // one is red; dropping them would make a budget green for want of data.
    let mut left_over: std::collections::HashSet<PathBuf> = std::collections::HashSet::new();
    for adapter in &adapters {
        let claimed: Vec<PathBuf> = found
            .iter()
            .filter_map(|item| match item {
                Found::Folder(path, owner) if std::ptr::addr_eq(*owner, *adapter) => Some(path.clone()),
                _ => None,
            })
            .collect();
        if let Some((stale, warning)) = adapter.stale_folders(&claimed) {
            left_over.extend(stale);
            inputs.warnings.push(warning);
        }
    }
    // Items are independent: read them on all cores. `collect` keeps their order, so the
    // output is the same whatever the thread count.
    let read: Vec<Option<(PathBuf, Vec<Measurement>)>> = found
        .into_par_iter()
        .map(|item| -> anyhow::Result<Option<(PathBuf, Vec<Measurement>)>> {
            match item {
                Found::Folder(path, adapter) => {
                    let mut measurements = adapter.read_folder(&path, options)?;
                    if left_over.contains(&path) {
                        measurements.iter_mut().for_each(withdraw_left_over);
                    }
                    Ok(Some((path, measurements)))
                }
                Found::File(path) => {
                    let head = read_head(&path)?;
                    let Some(adapter) = adapters.iter().find(|adapter| adapter.sniff(&head)) else {
                        return unclaimed_file(&path, &head).map(|()| None);
                    };
                    let measurements = adapter.read_with(&path, options)?;
                    Ok(Some((path, measurements)))
                }
            }
        })
        .collect::<anyhow::Result<_>>()?;
    let mut read_any = false;
    for (path, measurements) in read.into_iter().flatten() {
        read_any = true;
        accept(&path, measurements, inputs)?;
    }
    if !read_any && !options.folders_may_hold_only_built_files {
        bail!(
            "{}: no file in this folder is an input perfbudget reads ({})",
            dir.display(),
            known_formats().join(", ")
        );
    }
    Ok(())
}

/// A file in an input folder that no format claims is skipped, as a folder of reports also
/// holds other things, unless it looks like a report that is broken: an empty or cut-off
/// `lhr-*.json` beside good ones would otherwise vanish, and three runs would become one.
/// A `.json`, `.ndjson` or `.jsonl` file must then be complete (a whole JSON document, or a
/// non-empty stream), and a file named like a Lighthouse CI report must be one.
fn unclaimed_file(path: &Path, head: &[u8]) -> anyhow::Result<()> {
    let name = path.file_name().map(|name| name.to_string_lossy().to_lowercase()).unwrap_or_default();
    let Some(extension) = REPORT_EXTENSIONS.iter().find(|extension| name.ends_with(*extension)) else {
        return Ok(());
    };
    let named_like_lhci = name.starts_with("lhr-") && *extension == ".json";
    let broken = |why: &str| {
        let expected = if named_like_lhci { "a Lighthouse CI report (lhr-*.json)" } else { "a report" };
        anyhow::anyhow!(
            "{}: named like {expected} but {why}; a broken report in an input folder is an error, not a run              that did not happen (move it out of the folder if it is not a report)",
            path.display()
        )
    };
    if head.iter().all(u8::is_ascii_whitespace) {
        return Err(broken("the file is empty"));
    }
    if *extension != ".json" {
        return Ok(());
    }
    let bytes = read_document(path)?;
    let mut document = serde_json::Deserializer::from_slice(&bytes);
    // Syntax only: no tree is built, whatever the document's size.
    if let Err(error) =
        <serde::de::IgnoredAny as serde::Deserialize>::deserialize(&mut document).and_then(|_| document.end())
    {
        let located = Located::from_json(&error, 1, 1);
        return Err(broken(&format!(
            "is not valid JSON at line {}, column {}: {}",
            located.line, located.column, located.message
        )));
    }
    if named_like_lhci {
        return Err(broken("is not a Lighthouse report (no `lighthouseVersion` near its start)"));
    }
    Ok(())
}

/// File endings of reports a folder holds, checked by [`unclaimed_file`].
const REPORT_EXTENSIONS: &[&str] = &[".json", ".ndjson", ".jsonl"];

/// A measurement of a folder left over from an earlier run, kept as a row without a value.
fn withdraw_left_over(measurement: &mut Measurement) {
    measurement.value = None;
    measurement.lower = None;
    measurement.upper = None;
    measurement.samples = None;
    measurement.distribution = None;
    measurement.no_data = Some("left over from an earlier run (the latest run did not write it; see the warning): delete its folder or run it again".into());
}

/// What a folder search found: a file to detect, or a folder an adapter reads whole.
enum Found {
    File(PathBuf),
    Folder(PathBuf, &'static dyn Adapter),
}

/// Searches a folder in name order. Folders an adapter claims are not entered.
fn collect(
    dir: &Path,
    depth: usize,
    adapters: &[&'static dyn Adapter],
    options: &Options,
    found: &mut Vec<Found>,
) -> anyhow::Result<()> {
    if depth > MAX_FOLDER_DEPTH {
        bail!("{}: folders nest deeper than {MAX_FOLDER_DEPTH} levels", dir.display());
    }
    if let Some(adapter) = adapters.iter().find(|adapter| adapter.claims_folder(dir, options)) {
        found.push(Found::Folder(dir.to_path_buf(), *adapter));
        return Ok(());
    }
    let mut entries = std::fs::read_dir(dir)
        .with_context(|| format!("cannot list folder {}", dir.display()))?
        .map(|entry| entry.map(|entry| entry.path()))
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("cannot list folder {}", dir.display()))?;
    entries.sort();
    for path in entries {
        // symlink_metadata: a symlinked folder is not followed, so a link loop cannot recurse.
        let metadata = std::fs::symlink_metadata(&path).with_context(|| format!("cannot read {}", path.display()))?;
        if metadata.is_dir() {
            collect(&path, depth + 1, adapters, options, found)?;
        } else if metadata.is_file() {
            found.push(Found::File(path));
        }
    }
    Ok(())
}

#[cfg(test)]
mod adapter_tests {
    use clap::ValueEnum;

    use super::*;

    /// Detection must try every format `--input-format` names.
    #[test]
    fn every_input_format_is_detected() {
        for format in InputFormat::value_variants() {
            let adapter = format.adapter();
            assert!(
                ADAPTERS.iter().any(|known| std::ptr::addr_eq(*known, adapter)),
                "{} is missing from ADAPTERS",
                adapter.description()
            );
        }
    }
}
