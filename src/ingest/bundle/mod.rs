//! Built files (a `dist/` folder): each file's raw, gzip and brotli size, as size-limit
//! and bundlewatch measure them. Files are found by globs or by folder, never sniffed: a
//! built file has no format to recognise.
//!
//! Each file is compressed on its own (sizes are summed later, per budget, as size-limit
//! sums them), on all cores, and sizes are remembered by content in a [`SizeCache`].

pub(crate) mod cache;
pub mod compress;
pub mod manifest;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::Context;
use rayon::prelude::*;

pub use crate::model::hashed_name::logical_name;
pub use cache::SizeCache;
pub use compress::Compression;

use super::{Measurement, Subject};
use crate::quantity::Unit;

pub use crate::model::vocabulary::{BUNDLE_METRIC as METRIC, BUNDLE_SOURCE as SOURCE, FILE_TAG};

/// The largest file compressed; a bigger one is an error naming it, so a stray disk image
/// in `dist/` cannot keep the gate busy for hours.
pub const MAX_FILE_BYTES: u64 = 1_000_000_000;

/// What `perfbudget measure` lists from a folder without reports: the code browsers
/// download. (Not HTML or SVG: report folders such as criterion's are full of them.)
pub const ASSET_EXTENSIONS: &[&str] = &["js", "mjs", "cjs", "css", "wasm"];

/// A built file: its name in reports (a `/`-separated path as the user wrote its folder)
/// and where it is on disk.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct BuiltFile {
    pub name: String,
    pub path: PathBuf,
}

/// The folder a glob starts in: its leading components without glob syntax (`dist/assets`
/// of `dist/assets/*.js`; the whole glob when it has none).
pub fn glob_base(glob: &str) -> &str {
    let mut end = 0;
    for (at, component) in glob.split_inclusive('/').scan(0, |at, part| {
        let start = *at;
        *at += part.len();
        Some((start, part))
    }) {
        if component.contains(['*', '?', '[', ']', '{', '}', '\\']) {
            break;
        }
        end = at + component.len();
    }
    glob[..end].trim_end_matches('/')
}

/// A path as a file name in reports: `/`-separated, without `./`.
pub fn display_name(path: &Path) -> String {
    let parts: Vec<String> = path
        .components()
        .filter_map(|part| match part {
            std::path::Component::Normal(name) => Some(name.to_string_lossy().into_owned()),
            std::path::Component::ParentDir => Some("..".to_owned()),
            _ => None,
        })
        .collect();
    let joined = parts.join("/");
    if path.has_root() { format!("/{joined}") } else { joined }
}

/// Every file under `root` that `keep` accepts by name, starting from the base folder of
/// each glob in `globs`. Names are relative to `root`, with `/`. Symbolic links are
/// followed; a loop or an unreadable folder is an error naming it.
pub fn find(root: &Path, globs: &[&str], keep: &(dyn Fn(&str) -> bool + Sync)) -> anyhow::Result<Vec<BuiltFile>> {
    let mut bases: Vec<&str> = globs.iter().map(|glob| glob_base(glob)).collect();
    bases.sort_unstable();
    bases.dedup();
    let mut files = Vec::new();
    for base in bases {
        let start = if base.is_empty() { root.to_path_buf() } else { root.join(base) };
        if !start.exists() {
            continue;
        }
        walk(&start, base, keep, &mut files)?;
    }
    files.sort();
    files.dedup_by(|a, b| a.name == b.name);
    Ok(files)
}

/// Every file under `dir` that `keep` accepts, named `prefix/relative/path`.
pub fn find_in_folder(
    dir: &Path,
    prefix: &str,
    keep: &(dyn Fn(&str) -> bool + Sync),
) -> anyhow::Result<Vec<BuiltFile>> {
    let mut files = Vec::new();
    walk(dir, prefix, keep, &mut files)?;
    files.sort();
    Ok(files)
}

fn walk(
    start: &Path,
    prefix: &str,
    keep: &(dyn Fn(&str) -> bool + Sync),
    files: &mut Vec<BuiltFile>,
) -> anyhow::Result<()> {
    for entry in walkdir::WalkDir::new(start).follow_links(true).sort_by_file_name() {
        let entry = entry.map_err(|error| walk_error(start, &error))?;
        if !entry.file_type().is_file() {
            continue;
        }
        // A glob naming one file starts at the file itself: its name is the prefix alone.
        let relative = entry.path().strip_prefix(start).unwrap_or(entry.path());
        let name = display_name(&Path::new(prefix).join(relative));
        if keep(&name) {
            files.push(BuiltFile { name, path: entry.into_path() });
        }
    }
    Ok(())
}

fn walk_error(start: &Path, error: &walkdir::Error) -> anyhow::Error {
    let path = error.path().unwrap_or(start).display();
    if let Some(ancestor) = error.loop_ancestor() {
        return anyhow::anyhow!("{path}: a symbolic link loop (it leads back to {})", ancestor.display());
    }
    match error.io_error() {
        Some(io) => anyhow::anyhow!("cannot read {path}: {io}"),
        None => anyhow::anyhow!("cannot read {path}: {error}"),
    }
}

/// Whether a name is one perfbudget leaves out unless a glob names its kind: source maps
/// and extracted license comments are not shipped to users (webpack and bundle-stats
/// leave them out too).
pub fn is_left_out_by_default(name: &str) -> bool {
    name.ends_with(".map") || name.ends_with(".LICENSE.txt")
}

/// Counts compressed bytes as files finish, for a progress bar.
pub trait Progress: Sync {
    /// Called once before any work, with the bytes that will be compressed (cache misses
    /// only count as they finish).
    fn start(&self, total_bytes: u64);
    fn advance(&self, bytes: u64);
}

/// No progress shown.
#[derive(Debug)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _total_bytes: u64) {}
    fn advance(&self, _bytes: u64) {}
}

/// The sizes of `files` in each of `compressions`, one measurement per file and
/// compression, in file order. A file that cannot be read is an error naming it; a cache
/// that cannot be written is a warning.
pub fn measure(
    files: &[BuiltFile],
    compressions: &[Compression],
    cache: &SizeCache,
    progress: &dyn Progress,
) -> anyhow::Result<(Vec<Measurement>, Vec<String>)> {
    let compressed = compressions.iter().any(|compression| *compression != Compression::None);
    let lengths: Vec<u64> = files
        .iter()
        .map(|file| {
            let metadata =
                std::fs::metadata(&file.path).with_context(|| format!("cannot read {}", file.path.display()))?;
            if compressed && metadata.len() > MAX_FILE_BYTES {
                return Err(too_large_to_compress(&file.path, metadata.len()));
            }
            Ok(metadata.len())
        })
        .collect::<anyhow::Result<_>>()?;
    progress.start(if compressed { lengths.iter().sum() } else { 0 });
    let cache_problem: Mutex<Option<String>> = Mutex::new(None);
    // Largest files first, one per task: a big file started last would leave the other
    // cores idle while it compresses (brotli at quality 11 takes seconds per megabyte).
    let mut order: Vec<usize> = (0..files.len()).collect();
    order.sort_by_key(|&index| std::cmp::Reverse(lengths[index]));
    let measured: Vec<(usize, Vec<(Compression, u64)>)> = order
        .into_par_iter()
        .with_max_len(1)
        .map(|index| {
            let sizes = file_sizes(&files[index], lengths[index], compressions, cache, &cache_problem)?;
            progress.advance(lengths[index]);
            Ok((index, sizes))
        })
        .collect::<anyhow::Result<_>>()?;
    let mut sizes: Vec<Vec<(Compression, u64)>> = vec![Vec::new(); files.len()];
    for (index, file_sizes) in measured {
        sizes[index] = file_sizes;
    }
    let mut measurements = Vec::with_capacity(files.len() * compressions.len());
    for (file, sizes) in files.iter().zip(sizes) {
        for (compression, size) in sizes {
            let subject = Subject::from([(FILE_TAG, file.name.as_str())]);
            let mut measurement =
                Measurement::new(SOURCE, METRIC, Some(compression.stat()), subject, size as f64, Unit::Bytes);
            measurement.origin = Some(file.path.display().to_string());
            measurements.push(measurement);
        }
    }
    let warnings = cache_problem.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner).into_iter().collect();
    Ok((measurements, warnings))
}

fn file_sizes(
    file: &BuiltFile,
    length: u64,
    compressions: &[Compression],
    cache: &SizeCache,
    cache_problem: &Mutex<Option<String>>,
) -> anyhow::Result<Vec<(Compression, u64)>> {
    let mut sizes = Vec::with_capacity(compressions.len());
    let mut content: Option<(Vec<u8>, blake3::Hash)> = None;
    for &compression in compressions {
        if compression == Compression::None {
            sizes.push((compression, length));
            continue;
        }
        if content.is_none() {
            let bytes =
                super::read_capped(&file.path, MAX_FILE_BYTES, &|size| too_large_to_compress(&file.path, size))?;
            let hash = blake3::hash(&bytes);
            content = Some((bytes, hash));
        }
        let Some((bytes, hash)) = &content else { continue };
        if let Some(size) = cache.get(hash, compression, bytes.len() as u64) {
            sizes.push((compression, size));
            continue;
        }
        let size = compress::compressed_size(bytes, compression)
            .with_context(|| format!("cannot compress {}", file.path.display()))?;
        if let Err(error) = cache.put(hash, compression, size) {
            let mut problem = cache_problem.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            problem.get_or_insert_with(|| format!("sizes are not cached: {error}"));
        }
        sizes.push((compression, size));
    }
    Ok(sizes)
}

/// The error for a file too large to compress, before any work is done.
fn too_large_to_compress(path: &Path, size: u64) -> anyhow::Error {
    anyhow::anyhow!(
        "{}: {size} bytes is more than the {MAX_FILE_BYTES} perfbudget compresses; leave it out with a `!` glob",
        path.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names() {
        assert_eq!(display_name(Path::new("./dist/assets/a.js")), "dist/assets/a.js");
        assert_eq!(display_name(Path::new("../web/dist/a.js")), "../web/dist/a.js");
        assert_eq!(display_name(Path::new("/srv/dist/a.js")), "/srv/dist/a.js");
    }

    #[test]
    fn glob_bases() {
        assert_eq!(glob_base("dist/assets/*.js"), "dist/assets");
        assert_eq!(glob_base("dist/**/*.js"), "dist");
        assert_eq!(glob_base("**/*.js"), "");
        assert_eq!(glob_base("dist/vendor/react.js"), "dist/vendor/react.js");
        assert_eq!(glob_base("../web/dist/{a,b}.js"), "../web/dist");
        assert_eq!(glob_base("dist/[ab]/x.js"), "dist");
    }
}
