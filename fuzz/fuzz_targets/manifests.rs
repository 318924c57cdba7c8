//! Build manifests (Vite, webpack stats, esbuild metafile) on arbitrary bytes: the input is
//! split at the first 0xFF byte into the entry's name and the manifest. The reader returns
//! an error or files, never panics, and everything it returns stays inside the build: the
//! root below the manifest's folder (webpack's `outputPath` may name `/etc`), and every
//! file below the root on any system (no `..`, root, drive or UNC prefix, with `/` or `\`).
#![no_main]

use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use perfbudget::ingest::bundle::manifest;

/// A folder that exists, so that an `outputPath` is resolved against it as in a real run.
fn build_folder() -> &'static Path {
    static FOLDER: OnceLock<PathBuf> = OnceLock::new();
    FOLDER.get_or_init(|| {
        let folder = std::env::temp_dir().join("perfbudget-fuzz-manifests").join("build");
        std::fs::create_dir_all(&folder).expect("a scratch folder");
        folder
    })
}

fn stays_inside(file: &str) -> bool {
    let parts: Vec<&str> = file.split(['/', '\\']).collect();
    let first = parts[0].as_bytes();
    let drive = first.len() >= 2 && first[0].is_ascii_alphabetic() && first[1] == b':';
    !file.is_empty()
        && !file.starts_with(['/', '\\'])
        && !drive
        && !parts.contains(&"..")
        && Path::new(file).components().all(|part| matches!(part, Component::Normal(_) | Component::CurDir))
}

fuzz_target!(|data: &[u8]| {
    let (entry, bytes) = match data.iter().position(|byte| *byte == 0xFF) {
        Some(at) => (String::from_utf8_lossy(&data[..at]).into_owned(), &data[at + 1..]),
        None => ("src/main.ts".to_owned(), data),
    };
    let folder = build_folder();
    if let Ok(found) = manifest::parse(bytes, &folder.join("manifest.json"), &entry) {
        assert!(!found.files.is_empty());
        let below = found.root.strip_prefix(folder);
        assert!(
            below.is_ok_and(|below| below.components().all(|part| matches!(part, Component::Normal(_)))),
            "root {}",
            found.root.display()
        );
        for file in &found.files {
            assert!(stays_inside(file), "{file}");
        }
    }
});
