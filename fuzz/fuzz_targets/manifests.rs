//! Build manifests (Vite, webpack stats, esbuild metafile) on arbitrary bytes: the input is
//! split at the first 0xFF byte into the entry's name and the manifest. The reader returns
//! an error or files, never panics, and every file it returns stays inside the build.
#![no_main]

use std::path::{Component, Path};

use libfuzzer_sys::fuzz_target;
use perfbudget::ingest::bundle::manifest;

fuzz_target!(|data: &[u8]| {
    let (entry, bytes) = match data.iter().position(|byte| *byte == 0xFF) {
        Some(at) => (String::from_utf8_lossy(&data[..at]).into_owned(), &data[at + 1..]),
        None => ("src/main.ts".to_owned(), data),
    };
    if let Ok(found) = manifest::parse(bytes, Path::new("build/manifest.json"), &entry) {
        assert!(!found.files.is_empty());
        for file in &found.files {
            assert!(
                Path::new(file).components().all(|part| matches!(part, Component::Normal(_) | Component::CurDir)),
                "{file}"
            );
        }
    }
});
