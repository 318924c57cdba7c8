//! Bundle planning: which built files a budget needs measured (its `files:` globs, its
//! manifest entries, the input folders of checks without globs), and measuring them. It
//! reads the budget, so it lives here and not in `ingest::bundle`, which only measures.

use std::path::{Path, PathBuf};

use anyhow::bail;

use super::Terminal;
use crate::budget::{self, Budget};
use crate::cli::CacheArgs;
use crate::ingest::{self, bundle};
use crate::report;

/// The built files a budget's `bundle_size` checks read: those their `files:` globs select
/// from the budget file's folder, and for checks without globs the `.js` files of the
/// input folders. The caller sorts and de-duplicates with the entries' files, so a file
/// found several ways is measured once.
pub(super) fn built_files(budget: &Budget, inputs: &[PathBuf]) -> anyhow::Result<Vec<bundle::BuiltFile>> {
    let checks: Vec<&budget::Check> =
        budget.checks.iter().filter(|check| check.metric == budget::metric::Metric::BundleSize).collect();
    let root = Path::new(&budget.file).parent().unwrap_or(Path::new(""));
    let mut files = Vec::new();
    for check in checks.iter().filter(|check| !check.files_from_inputs) {
        let Some(selector) = check.selectors.iter().find(|selector| selector.tag == bundle::FILE_TAG) else { continue };
        let globs: Vec<&str> = selector.include.iter().map(|pattern| pattern.text.as_str()).collect();
        files.extend(bundle::find(root, &globs, &|name| selector.matches(name))?);
    }
    if checks.iter().any(|check| check.files_from_inputs) {
        for input in inputs.iter().filter(|input| input.is_dir()) {
            let javascript = |name: &str| name.ends_with(".js");
            files.extend(bundle::find_in_folder(input, &input.display().to_string(), &javascript)?);
        }
    }
    Ok(files)
}

/// The files of each `bundle_size` entry named by `manifest:` and `entry:`, read from its
/// manifest; the check then selects exactly those files. A file the manifest names that
/// is not on disk is an error: the build and its manifest do not match.
pub(super) fn entry_files(budget: &mut Budget) -> anyhow::Result<Vec<bundle::BuiltFile>> {
    let root = Path::new(&budget.file).parent().unwrap_or(Path::new("")).to_path_buf();
    let mut files = Vec::new();
    for check in budget.checks.iter_mut() {
        let Some(entry) = &check.entry else { continue };
        let manifest = root.join(&entry.manifest);
        let found = bundle::manifest::entry_files(&manifest, &entry.entry)?;
        let build = found.root.strip_prefix(&root).unwrap_or(&found.root);
        let mut names = Vec::new();
        for file in &found.files {
            let path = found.root.join(file);
            if !path.is_file() {
                bail!(
                    "{}: entry `{}` names {file}, which is not in {}: is the build complete, and the manifest from it?",
                    manifest.display(),
                    entry.entry,
                    found.root.display()
                );
            }
            let name = bundle::display_name(&build.join(file));
            // Matched as they are, however long or many: a manifest names files exactly.
            names.push(budget::Pattern::exact(&name));
            files.push(bundle::BuiltFile { name, path });
        }
        check.selectors.push(budget::Selector::new(bundle::FILE_TAG, names, Vec::new()));
    }
    Ok(files)
}

/// Sizes of built files, with a progress bar on a terminal.
pub(super) fn measure_built(
    files: &[bundle::BuiltFile],
    compressions: &[bundle::Compression],
    cache: &CacheArgs,
    terminal: &Terminal,
) -> anyhow::Result<(Vec<ingest::Measurement>, Vec<String>)> {
    if files.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let dir = if cache.no_cache { None } else { cache.cache_dir.clone().or_else(bundle::SizeCache::default_dir) };
    let bar = report::progress::CompressionBar::new(terminal.progress);
    let measured = bundle::measure(files, compressions, &bundle::SizeCache::new(dir), &bar);
    bar.finish();
    measured
}
