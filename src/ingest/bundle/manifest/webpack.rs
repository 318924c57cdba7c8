//! webpack's stats JSON (`webpack --json=stats.json`, `stats.toJson()`): an entrypoint's
//! `assets` are the files of its initial chunks, JavaScript and CSS (webpack 5 gives
//! `{name, size}`, webpack 4 plain names). Names are relative to `outputPath`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Stats {
    entrypoints: BTreeMap<String, Entrypoint>,
    #[serde(default)]
    output_path: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct Entrypoint {
    #[serde(default)]
    assets: Vec<Asset>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Asset {
    Named { name: String },
    Plain(String),
}

/// The output folder: the stats file's own folder when the files are there (stats kept
/// with the build, or moved with it as an artifact), else `outputPath` when it exists on
/// this machine. webpack writes `outputPath` absolute, and a stats file can name any
/// folder there (`/etc`), so it is taken only below the stats file's folder (after links
/// are resolved), and named from that folder as the other manifests' files are.
pub(super) fn root(stats: &Stats, folder: &Path, files: &[String]) -> Result<PathBuf, String> {
    if files.iter().all(|file| folder.join(file).is_file()) {
        return Ok(folder.to_path_buf());
    }
    let Some(output_path) = &stats.output_path else { return Ok(folder.to_path_buf()) };
    let here = if folder.as_os_str().is_empty() { Path::new(".") } else { folder };
    // A relative `outputPath` is taken from the stats file's folder, not from wherever
    // perfbudget runs.
    let output = here.join(output_path);
    let (Ok(output), Ok(here)) = (output.canonicalize(), here.canonicalize()) else {
        // Not on this machine: the files are looked for beside the stats file, and a
        // missing one is reported there.
        return Ok(folder.to_path_buf());
    };
    match output.strip_prefix(&here) {
        Ok(below) if output.is_dir() => Ok(folder.join(below)),
        Ok(_) => Ok(folder.to_path_buf()),
        Err(_) => Err(format!(
            "outputPath `{output_path}` is outside the stats file's folder, and perfbudget reads no built \
             files from there: keep the stats file in the build folder or above it"
        )),
    }
}

/// The entrypoint's assets, without source maps (which webpack lists apart anyway).
pub(super) fn entry_files(stats: &Stats, entry: &str) -> Result<Vec<String>, String> {
    let Some(entrypoint) = stats.entrypoints.get(entry) else {
        let names: Vec<&str> = stats.entrypoints.keys().map(String::as_str).collect();
        return Err(super::unknown_entry(entry, &names));
    };
    let mut files = super::FileList::default();
    for asset in &entrypoint.assets {
        let name = match asset {
            Asset::Named { name } | Asset::Plain(name) => name,
        };
        if !name.ends_with(".map") {
            files.push(name);
        }
    }
    Ok(files.into_files())
}
