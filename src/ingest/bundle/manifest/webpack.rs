//! webpack's stats JSON (`webpack --json=stats.json`, `stats.toJson()`): an entrypoint's
//! `assets` are the files of its initial chunks, JavaScript and CSS (webpack 5 gives
//! `{name, size}`, webpack 4 plain names). Names are relative to `outputPath`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    entrypoints: BTreeMap<String, Entrypoint>,
    #[serde(default)]
    output_path: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Entrypoint {
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
/// this machine.
pub fn root(stats: &Stats, folder: &Path, files: &[String]) -> PathBuf {
    if files.iter().all(|file| folder.join(file).is_file()) {
        return folder.to_path_buf();
    }
    match &stats.output_path {
        Some(path) if Path::new(path).is_dir() => PathBuf::from(path),
        _ => folder.to_path_buf(),
    }
}

/// The entrypoint's assets, without source maps (which webpack lists apart anyway).
pub fn entry_files(stats: &Stats, entry: &str) -> Result<Vec<String>, String> {
    let Some(entrypoint) = stats.entrypoints.get(entry) else {
        let names: Vec<&str> = stats.entrypoints.keys().map(String::as_str).collect();
        return Err(super::unknown_entry(entry, &names));
    };
    let mut files: Vec<String> = Vec::new();
    for asset in &entrypoint.assets {
        let name = match asset {
            Asset::Named { name } | Asset::Plain(name) => name,
        };
        if !name.ends_with(".map") && !files.contains(name) {
            files.push(name.clone());
        }
    }
    Ok(files)
}
