//! Build manifests: which built files make up one entry of a build. An entry's weight is
//! its own file, the chunks it imports statically (transitively) and their CSS: what a
//! browser loads before the entry runs. Dynamic imports load later and do not count.
//!
//! One file per bundler's format; the format is recognised by content.

mod esbuild;
mod vite;
mod webpack;

use std::collections::HashSet;
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
    let in_manifest = |problem: String| anyhow::anyhow!("{}: {problem}", manifest.display());
    let (found, root) = if keys.contains_key("entrypoints") {
        let stats: webpack::Stats = serde_json::from_slice(bytes).map_err(shape)?;
        (webpack::entry_files(&stats, entry), Root::Webpack(stats))
    } else if keys.contains_key("outputs") && keys.contains_key("inputs") {
        let metafile = serde_json::from_slice(bytes).map_err(shape)?;
        (esbuild::entry_files(&metafile, entry), Root::Folder(folder.to_path_buf()))
    } else {
        // Vite's manifest is a map whose every value is a chunk with a `file`.
        let chunks: std::collections::BTreeMap<String, vite::Chunk> =
            serde_json::from_slice(bytes).map_err(|_| not_a_manifest())?;
        if chunks.is_empty() {
            return Err(not_a_manifest());
        }
        (vite::entry_files(&chunks, entry), Root::Folder(vite::root(folder)))
    };
    let files = found.map_err(in_manifest)?;
    // An entry without files would select nothing, or with no file glob, everything.
    if files.is_empty() {
        bail!("{}: entry `{entry}` lists no files", manifest.display());
    }
    // Before anything is looked up on disk by these names.
    for file in &files {
        if !stays_inside(file) {
            bail!("{}: names `{file}`, which is outside its build folder", manifest.display());
        }
    }
    let root = match root {
        Root::Folder(root) => root,
        Root::Webpack(stats) => webpack::root(&stats, folder, &files).map_err(in_manifest)?,
    };
    Ok(EntryFiles { root, files })
}

/// Where a manifest's files are: a folder known from the format, or for webpack's stats
/// one decided by where the files are found.
enum Root {
    Folder(PathBuf),
    Webpack(webpack::Stats),
}

/// Whether a manifest's file name stays below its folder on every system: not empty, no
/// root (`/`, `\`, a UNC `\\server`), no drive (`C:`), no `..`. A manifest written on
/// one system may be read on another, so `\` separates folders here too.
fn stays_inside(name: &str) -> bool {
    let first = name.split(['/', '\\']).next().unwrap_or_default().as_bytes();
    let drive = first.len() >= 2 && first[0].is_ascii_alphabetic() && first[1] == b':';
    !name.is_empty()
        && !name.starts_with(['/', '\\'])
        && !drive
        && !name.split(['/', '\\']).any(|part| part == "..")
        && Path::new(name).components().all(|part| matches!(part, Component::Normal(_) | Component::CurDir))
}

/// File names in the order first listed, each once. A set remembers what is listed: an
/// entry can list tens of thousands of files, and a search of the list for each would
/// take time quadratic in them.
#[derive(Debug, Default)]
struct FileList<'a> {
    files: Vec<String>,
    listed: HashSet<&'a str>,
}

impl<'a> FileList<'a> {
    fn push(&mut self, name: &'a str) {
        if self.listed.insert(name) {
            self.files.push(name.to_owned());
        }
    }

    fn into_files(self) -> Vec<String> {
        self.files
    }
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

    /// Found by the hostile review: each name was looked up in the list so far, which
    /// took 12 s for 80,000 assets. Every format lists each file once, in order.
    #[test]
    fn an_entry_of_80000_files_is_listed_in_linear_time() -> serde_json::Result<()> {
        const FILES: usize = 80_000;
        let name = |i: usize| format!("c-{i}.js");
        let assets: Vec<String> = (0..FILES).chain(0..FILES).map(name).collect();
        let stats = serde_json::json!({"entrypoints": {"main": {"assets": assets}}});
        let mut chunks = serde_json::Map::new();
        let imports: Vec<String> = (0..FILES).map(|i| format!("_c{i}")).collect();
        chunks.insert("main.ts".into(), serde_json::json!({"file": "main.js", "imports": imports, "css": ["a.css"]}));
        let mut outputs = serde_json::Map::new();
        let statics: Vec<serde_json::Value> =
            (0..FILES).map(|i| serde_json::json!({"path": name(i), "kind": "import-statement"})).collect();
        outputs.insert("main.js".into(), serde_json::json!({"entryPoint": "main.ts", "imports": statics}));
        for i in 0..FILES {
            chunks.insert(format!("_c{i}"), serde_json::json!({"file": name(i), "css": ["a.css"]}));
            outputs.insert(name(i), serde_json::json!({"cssBundle": "a.css"}));
        }
        let metafile = serde_json::json!({"inputs": {}, "outputs": outputs});
        for (manifest, entry, count) in [
            (stats, "main", FILES),
            (serde_json::Value::Object(chunks), "main.ts", FILES + 2),
            (metafile, "main.ts", FILES + 2),
        ] {
            let found = parse(&serde_json::to_vec(&manifest)?, Path::new("m.json"), entry);
            let files = found.map(|found| found.files).unwrap_or_default();
            assert_eq!(files.len(), count, "{entry}");
            assert!(files.contains(&name(FILES - 1)));
        }
        Ok(())
    }

    #[test]
    fn names_outside_the_build_are_refused() {
        assert!(stays_inside("assets/index.js"));
        assert!(stays_inside("./index.js"));
        assert!(!stays_inside("../secrets.js"));
        assert!(!stays_inside("/etc/passwd"));
        assert!(!stays_inside("assets/../../x.js"));
        assert!(!stays_inside(""));
        for windows in ["..\\..\\etc\\passwd", "assets\\..\\..\\x.js", "C:\\Windows\\win.ini", "c:/x.js", "C:x.js"] {
            assert!(!stays_inside(windows), "{windows}");
        }
        for root in ["\\\\server\\share\\x.js", "\\x.js", "//server/share/x.js"] {
            assert!(!stays_inside(root), "{root}");
        }
        assert!(stays_inside("assets\\index.js"), "a name, not a way out");
        assert!(stays_inside("assets/v1.2..3/x.js"), "`..` inside a name is no parent");
    }
}
