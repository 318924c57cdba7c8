//! esbuild's metafile (`--metafile=meta.json`, also Bun's): `outputs` maps each output
//! path to its `entryPoint` (the source it was built from), its `imports` and its
//! `cssBundle`. Paths are relative to the folder esbuild ran in, which perfbudget takes to
//! be the metafile's folder: write the metafile there (`--metafile=meta.json`).

use std::collections::{BTreeMap, HashSet};

use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub(super) struct Metafile {
    outputs: BTreeMap<String, Output>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Output {
    #[serde(default)]
    entry_point: Option<String>,
    #[serde(default)]
    imports: Vec<Import>,
    #[serde(default)]
    css_bundle: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct Import {
    path: String,
    kind: String,
    #[serde(default)]
    external: bool,
}

/// The output built from `entry` (a source path such as `src/main.ts`), the outputs it
/// imports statically (`import-statement`, transitively) and each one's CSS bundle.
pub(super) fn entry_files(metafile: &Metafile, entry: &str) -> Result<Vec<String>, String> {
    let starts: Vec<&String> = metafile
        .outputs
        .iter()
        .filter(|(path, output)| output.entry_point.as_deref() == Some(entry) && !path.ends_with(".map"))
        .map(|(path, _)| path)
        .collect();
    let Some(start) = starts.first() else {
        let mut entries: Vec<&str> = metafile.outputs.values().filter_map(|o| o.entry_point.as_deref()).collect();
        entries.sort_unstable();
        entries.dedup();
        return Err(super::unknown_entry(entry, &entries));
    };
    let mut files = super::FileList::default();
    let mut seen = HashSet::new();
    let mut stack = vec![start.as_str()];
    while let Some(path) = stack.pop() {
        if !seen.insert(path) {
            continue;
        }
        let Some(output) = metafile.outputs.get(path) else {
            return Err(format!("an output imports `{path}`, which the metafile does not list"));
        };
        files.push(path);
        if let Some(css) = &output.css_bundle {
            files.push(css);
        }
        let statics = output.imports.iter().filter(|import| import.kind == "import-statement" && !import.external);
        // Reversed onto the stack, so imports are visited in the order written.
        stack.extend(statics.map(|import| import.path.as_str()).collect::<Vec<_>>().into_iter().rev());
    }
    Ok(files.into_files())
}
