//! Build manifests: which built files make up one entry of a build. An entry's weight is
//! its own file, the chunks it imports statically (transitively) and their CSS: what a
//! browser loads before the entry runs. Dynamic imports load later and do not count.
//!
//! One file per bundler's format; the format is recognised by content.

mod esbuild;
mod vite;
mod webpack;

use std::path::{Component, Path, PathBuf};

use anyhow::bail;

use crate::ingest::{Located, read_document};

/// The files of one entry: names relative to `root`, the folder the manifest names its
/// files from (relative as the manifest's own path is).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryFiles {
    pub root: PathBuf,
    pub files: Vec<String>,
}

/// The top-level keys, which tell the formats apart; every value is skipped unread. A map,
/// so that only a JSON object is a manifest.
type Keys = std::collections::BTreeMap<String, serde::de::IgnoredAny>;

/// Reads `manifest` and returns the files of `entry`. Errors name the manifest (with the
/// line and column of a JSON error), and for an unknown entry list the entries there are.
pub fn entry_files(manifest: &Path, entry: &str) -> anyhow::Result<EntryFiles> {
    parse(&read_document(manifest)?, manifest, entry)
}

/// [`entry_files`] of a manifest's bytes; `manifest` names it in errors and places its
/// folder.
pub fn parse(bytes: &[u8], manifest: &Path, entry: &str) -> anyhow::Result<EntryFiles> {
    let not_a_manifest = || {
        anyhow::anyhow!(
            "{}: not a build manifest perfbudget reads (Vite's .vite/manifest.json, webpack's stats JSON \
             from `webpack --json`, or esbuild's --metafile)",
            manifest.display()
        )
    };
    // A first pass only looks at the top-level keys, skipping values without building them
    // (webpack stats run to hundreds of MB of modules), and places syntax errors.
    let keys: Keys = serde_json::from_slice(bytes).map_err(|error| match error.classify() {
        serde_json::error::Category::Data => not_a_manifest(),
        _ => Located::from_json(&error, 1, 1).in_file(manifest),
    })?;
    let shape = |error: serde_json::Error| anyhow::anyhow!("{}: {error}", manifest.display());
    let folder = manifest.parent().unwrap_or(Path::new(""));
    let (root, found) = if keys.contains_key("entrypoints") {
        let stats: webpack::Stats = serde_json::from_slice(bytes).map_err(shape)?;
        let files = webpack::entry_files(&stats, entry);
        let names = files.as_deref().unwrap_or_default();
        (webpack::root(&stats, folder, names), files)
    } else if keys.contains_key("outputs") && keys.contains_key("inputs") {
        (folder.to_path_buf(), esbuild::entry_files(&serde_json::from_slice(bytes).map_err(shape)?, entry))
    } else {
        // Vite's manifest is a map whose every value is a chunk with a `file`.
        let chunks: std::collections::BTreeMap<String, vite::Chunk> =
            serde_json::from_slice(bytes).map_err(|_| not_a_manifest())?;
        if chunks.is_empty() {
            return Err(not_a_manifest());
        }
        (vite::root(folder), vite::entry_files(&chunks, entry))
    };
    let files = found.map_err(|problem| anyhow::anyhow!("{}: {problem}", manifest.display()))?;
    // An entry without files would select nothing, or with no file glob, everything.
    if files.is_empty() {
        bail!("{}: entry `{entry}` lists no files", manifest.display());
    }
    for file in &files {
        if !stays_inside(file) {
            bail!("{}: names `{file}`, which is outside its build folder", manifest.display());
        }
    }
    Ok(EntryFiles { root, files })
}

/// Whether a manifest's file name stays below its folder: relative, without `..`.
fn stays_inside(name: &str) -> bool {
    !name.is_empty()
        && Path::new(name).components().all(|part| matches!(part, Component::Normal(_) | Component::CurDir))
}

/// "no entry `x`; the entries are: a, b" with the closest first.
fn unknown_entry(entry: &str, entries: &[&str]) -> String {
    let mut known: Vec<&str> = entries.to_vec();
    known.sort_by(|a, b| strsim::jaro_winkler(b, entry).total_cmp(&strsim::jaro_winkler(a, entry)).then(a.cmp(b)));
    known.truncate(10);
    format!("no entry `{entry}`; the entries are: {}", known.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the `manifests` fuzz target: a webpack entrypoint whose `assets` key was
    /// mangled (`@ssets`) read as an entry of no files, which would have selected every
    /// built file.
    #[test]
    fn only_a_json_object_of_a_known_shape_is_a_manifest() {
        for text in [r#"[{"entrypoints": {}}]"#, "{}", r#"{"name": "app", "version": "1.0.0"}"#, "3"] {
            let error = parse(text.as_bytes(), Path::new("m.json"), "main").unwrap_err().to_string();
            assert!(error.starts_with("m.json: not a build manifest perfbudget reads"), "{text}: {error}");
        }
        let error = parse(br#"{"src/main.ts": {"file": "#, Path::new("m.json"), "main").unwrap_err().to_string();
        assert!(error.starts_with("m.json:1:") && error.contains("truncated?"), "{error}");
    }

    #[test]
    fn an_entry_without_files_is_an_error() {
        let stats = br#"{"entrypoints":{"main":{"name":"main","@ssets":[{"name":"main.js","size":3}]}}}"#;
        let error = parse(stats, Path::new("dist/stats.json"), "main").unwrap_err();
        assert_eq!(error.to_string(), "dist/stats.json: entry `main` lists no files");
        let maps_only = br#"{"entrypoints":{"main":{"assets":["main.js.map"]}}}"#;
        assert!(parse(maps_only, Path::new("stats.json"), "main").is_err());
    }

    #[test]
    fn names_outside_the_build_are_refused() {
        assert!(stays_inside("assets/index.js"));
        assert!(stays_inside("./index.js"));
        assert!(!stays_inside("../secrets.js"));
        assert!(!stays_inside("/etc/passwd"));
        assert!(!stays_inside("assets/../../x.js"));
        assert!(!stays_inside(""));
    }
}
