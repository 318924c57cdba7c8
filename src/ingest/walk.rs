//! Searching an input folder: the files some format claims, the folders a format reads
//! whole, and the broken reports that must not vanish.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use rayon::prelude::*;

use crate::files::read_document;
use crate::ingest::detect::most_confident;
use crate::ingest::format::{Adapter, Head};
use crate::ingest::registry::{FORMATS, Format, known_formats};
use crate::ingest::{Inputs, Options, accept};
use crate::model::Measurement;
use crate::model::diagnostic::Located;

/// Folder depth at which a search stops, so a deep or looping tree cannot hang the gate.
const MAX_FOLDER_DEPTH: usize = 16;

/// Reads every file in a folder (recursively, in name order) that some adapter claims.
/// Files no adapter claims are skipped: a folder of reports also holds other things.
pub(super) fn read_folder(dir: &Path, options: &Options, inputs: &mut Inputs) -> anyhow::Result<()> {
    let formats: Vec<&'static Format> = match options.format {
        Some(format) => vec![format.0],
        None => FORMATS.iter().collect(),
    };
    let adapters: Vec<&'static dyn Adapter> = formats.iter().map(|format| format.adapter).collect();
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
    // Each file read, with whether it is a Prometheus scrape (scrapes pair into windows).
    let read: Vec<Option<(PathBuf, Vec<Measurement>, bool)>> = found
        .into_par_iter()
        .map(|item| -> anyhow::Result<Option<(PathBuf, Vec<Measurement>, bool)>> {
            match item {
                Found::Folder(path, adapter) => {
                    let mut measurements = adapter.read_folder(&path, options).map_err(|error| error.in_file(&path))?;
                    if left_over.contains(&path) {
                        measurements.iter_mut().for_each(withdraw_left_over);
                    }
                    Ok(Some((path, measurements, false)))
                }
                Found::File(path) => {
                    let head = Head::read(&path)?;
                    let Some(format) = most_confident(&head, formats.iter().copied()) else {
                        return unclaimed_file(&path, &head).map(|()| None);
                    };
                    let measurements = format.adapter.read(&path, options).map_err(|error| error.in_file(&path))?;
                    Ok(Some((path, measurements, format.id == super::prometheus::FORMAT_ID)))
                }
            }
        })
        .collect::<anyhow::Result<_>>()?;
    let mut read_any = false;
    for (path, measurements, scrape) in read.into_iter().flatten() {
        read_any = true;
        if scrape {
            inputs.scrapes.push(path.clone());
        }
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
fn unclaimed_file(path: &Path, head: &Head) -> anyhow::Result<()> {
    let name = path.file_name().map(|name| name.to_string_lossy().to_lowercase()).unwrap_or_default();
    let Some(extension) = REPORT_EXTENSIONS.iter().find(|extension| name.ends_with(*extension)) else {
        return Ok(());
    };
    let named_like_lhci = name.starts_with("lhr-") && *extension == ".json";
    let broken = |why: &str| {
        let expected = if named_like_lhci { "a Lighthouse CI report (lhr-*.json)" } else { "a report" };
        anyhow::anyhow!(
            "{}: named like {expected} but {why}; a broken report in an input folder is an error, not a run \
             that did not happen (move it out of the folder if it is not a report)",
            path.display()
        )
    };
    if head.is_blank() {
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
    measurement.no_data = Some(
        "left over from an earlier run (the latest run did not write it; see the warning): delete its folder or \
         run it again"
            .into(),
    );
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
