//! The module layering as data: each top-level module of `src/` and the modules it may
//! import (`crate::X`). No module imports one above it, `evaluate` reads only `budget` and
//! `model`, and the format adapters (`ingest`) and the budget file (`budget`) never import
//! each other. Test code (`tests.rs` files and what follows `#[cfg(test)]`) may import
//! anything. The README's Layout section lists the same layers.
#![allow(clippy::unwrap_used)] // test setup: a failure should stop the test

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

/// Top to bottom: a module and what it may import.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "app",
        &[
            "baseline", "budget", "cli", "crash", "evaluate", "files", "history", "ingest", "init", "model",
            "quantity", "report", "stats",
        ],
    ),
    ("cli", &["ingest"]),
    ("init", &["budget", "ingest", "model", "quantity"]),
    ("crash", &["report"]),
    ("report", &["budget", "evaluate", "history", "ingest", "model", "quantity"]),
    ("history", &["files", "ingest", "model", "quantity"]),
    ("baseline", &["files", "ingest", "model", "quantity"]),
    ("evaluate", &["budget", "model", "quantity", "stats"]),
    ("ingest", &["files", "model", "quantity"]),
    ("budget", &["files", "model", "quantity"]),
    ("model", &["quantity"]),
    ("files", &["quantity"]),
    ("quantity", &[]),
    ("stats", &[]),
];

/// The non-test text of a source file.
fn production_code(text: &str) -> &str {
    text.find("\n#[cfg(test)]").map_or(text, |at| &text[..at])
}

/// Every `crate::NAME` a text refers to.
fn imports(text: &str) -> BTreeSet<String> {
    text.match_indices("crate::")
        .filter(|(at, _)| !text[..*at].ends_with(|c: char| c.is_alphanumeric() || c == '_'))
        .map(|(at, _)| {
            text[at + "crate::".len()..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect()
        })
        .collect()
}

fn visit(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            visit(&path, files);
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            files.push(path);
        }
    }
}

#[test]
fn no_module_imports_one_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    visit(&src, &mut files);
    files.sort();
    let mut seen_modules = BTreeSet::new();
    let mut violations = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&src).unwrap();
        let top = relative.components().next().unwrap().as_os_str().to_str().unwrap().trim_end_matches(".rs");
        if matches!(top, "main" | "lib") || relative.file_name().unwrap() == "tests.rs" {
            continue;
        }
        seen_modules.insert(top.to_owned());
        let allowed = LAYERS
            .iter()
            .find(|(name, _)| *name == top)
            .unwrap_or_else(|| panic!("src/{top} is not in LAYERS: give it its place"))
            .1;
        let text = fs::read_to_string(file).unwrap();
        for import in imports(production_code(&text)) {
            if import != top && !allowed.contains(&import.as_str()) {
                violations.push(format!("src/{} imports crate::{import}", relative.display()));
            }
        }
    }
    assert!(violations.is_empty(), "imports against the layering:\n{}", violations.join("\n"));
    let listed: BTreeSet<String> = LAYERS.iter().map(|(name, _)| (*name).to_owned()).collect();
    assert_eq!(seen_modules, listed, "LAYERS lists exactly the modules of src/");
}

#[test]
fn each_layer_imports_only_layers_below_it() {
    for (at, (name, allowed)) in LAYERS.iter().enumerate() {
        for import in *allowed {
            let below = LAYERS[at + 1..].iter().any(|(lower, _)| lower == import);
            assert!(below, "{name} may import {import}, which is not below it in LAYERS");
        }
    }
}

#[test]
fn the_scan_finds_imports_and_skips_test_code() {
    let text = "use crate::model::Measurement;\nfn f() { crate::files::read(); my_crate::x(); }\n#[cfg(test)]\nuse crate::app;";
    let found: Vec<String> = imports(production_code(text)).into_iter().collect();
    assert_eq!(found, ["files", "model"]);
}
