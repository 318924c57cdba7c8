//! Vite's build manifest (`build.manifest: true`): `dist/.vite/manifest.json` since Vite 5,
//! `dist/manifest.json` before. A map from source key to chunk: `file`, `imports` (keys of
//! other chunks), `dynamicImports`, `css`. File names are relative to the output folder.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Chunk {
    file: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    is_entry: bool,
    #[serde(default)]
    imports: Vec<String>,
    #[serde(default)]
    css: Vec<String>,
}

/// The output folder: the manifest's folder, or its parent when that is `.vite`.
pub(super) fn root(folder: &Path) -> PathBuf {
    match folder.file_name() {
        Some(name) if name == ".vite" => folder.parent().unwrap_or(Path::new("")).to_path_buf(),
        _ => folder.to_path_buf(),
    }
}

/// The entry's file, then each static import's file and CSS, depth first, each once. The
/// entry is a manifest key (`src/main.ts`, `index.html`) or an entry chunk's `name`.
pub(super) fn entry_files(manifest: &BTreeMap<String, Chunk>, entry: &str) -> Result<Vec<String>, String> {
    let key = if manifest.contains_key(entry) {
        entry.to_owned()
    } else {
        let named: Vec<&String> = manifest
            .iter()
            .filter(|(_, chunk)| chunk.is_entry && chunk.name.as_deref() == Some(entry))
            .map(|(key, _)| key)
            .collect();
        match named.as_slice() {
            [key] => (*key).clone(),
            _ => {
                let entries: Vec<&str> =
                    manifest.iter().filter(|(_, chunk)| chunk.is_entry).map(|(key, _)| key.as_str()).collect();
                return Err(super::unknown_entry(entry, &entries));
            }
        }
    };
    let mut files = super::FileList::default();
    let mut seen = std::collections::HashSet::new();
    let mut stack = vec![key.as_str()];
    while let Some(key) = stack.pop() {
        if !seen.insert(key) {
            continue;
        }
        let Some(chunk) = manifest.get(key) else {
            return Err(format!("a chunk imports `{key}`, which the manifest does not list"));
        };
        for file in std::iter::once(&chunk.file).chain(&chunk.css) {
            files.push(file);
        }
        // Reversed onto the stack, so imports are visited in the order written.
        stack.extend(chunk.imports.iter().rev().map(String::as_str));
    }
    Ok(files.into_files())
}
