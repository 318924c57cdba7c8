//! size-limit's checks (`.size-limit.json`, package.json's `size-limit`): each check's
//! files summed, brotli unless `gzip: true` (or raw with `brotli: false`), against its limit
//! as `bytes-iec` reads it (`kB` = 1000). What needs a bundler or a browser cannot carry
//! over: perfbudget measures built files.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, IgnoredAny};

use super::units::{bytes_iec, size_limit_is_time};
use super::{Entry, Imported, Note, Source, may_match_maps, rebased_glob, shown, size_limit_text, yaml_string};
use crate::budget::load::BudgetError;

/// One check as size-limit 12/13 accepts it (`OPTIONS` of `get-config.js`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct RawCheck {
    path: Option<Paths>,
    limit: Option<Limit>,
    name: Option<String>,
    gzip: Option<bool>,
    brotli: Option<bool>,
    // Shown by size-limit only.
    message: Option<IgnoredAny>,
    hide_passed: Option<IgnoredAny>,
    highlight_less: Option<IgnoredAny>,
    disable_plugins: Option<IgnoredAny>,
    module: Option<IgnoredAny>,
    // Bundling (@size-limit/webpack, @size-limit/esbuild).
    import: Option<IgnoredAny>,
    ignore: Option<IgnoredAny>,
    config: Option<IgnoredAny>,
    entry: Option<IgnoredAny>,
    webpack: Option<IgnoredAny>,
    compare_with: Option<IgnoredAny>,
    ui_reports: Option<IgnoredAny>,
    disable_module_concatenation: Option<IgnoredAny>,
    modify_webpack_config: Option<IgnoredAny>,
    modify_esbuild_config: Option<IgnoredAny>,
    // Running in a browser (@size-limit/time).
    running: Option<IgnoredAny>,
    time: Option<IgnoredAny>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Paths {
    One(String),
    Many(Vec<String>),
}

/// A limit as size-limit reads it: a time when it holds an `s`, else bytes by bytes-iec.
/// Text bytes-iec cannot read is an error here (size-limit would fail the check forever).
#[derive(Debug)]
enum Limit {
    Bytes { bytes: f64, written: String },
    Time(String),
}

impl<'de> Deserialize<'de> for Limit {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Limit, D::Error> {
        struct LimitVisitor;
        impl de::Visitor<'_> for LimitVisitor {
            type Value = Limit;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a size-limit limit such as \"10 kB\" or \"500 ms\"")
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Limit, E> {
                if size_limit_is_time(text) {
                    return Ok(Limit::Time(text.to_owned()));
                }
                match bytes_iec(text) {
                    Some(bytes) if bytes >= 0.0 && bytes.is_finite() => {
                        Ok(Limit::Bytes { bytes, written: text.to_owned() })
                    }
                    Some(_) => Err(E::custom(format!("limit {text:?} is negative"))),
                    None => Err(E::custom(format!(
                        "limit {text:?} is not a size size-limit can read (its units: B, kB = 1000 B, MB, GB, KiB = \
                         1024 B, MiB, GiB; a bare `k` is not one) nor a time (ms, s)"
                    ))),
                }
            }
            fn visit_u64<E: de::Error>(self, value: u64) -> Result<Limit, E> {
                Ok(Limit::Bytes { bytes: value as f64, written: value.to_string() })
            }
            fn visit_i64<E: de::Error>(self, value: i64) -> Result<Limit, E> {
                Err(E::custom(format!("limit {value} is negative")))
            }
            fn visit_f64<E: de::Error>(self, value: f64) -> Result<Limit, E> {
                match value {
                    v if v >= 0.0 && v.is_finite() => Ok(Limit::Bytes { bytes: v, written: v.to_string() }),
                    v => Err(E::custom(format!("limit {v} is not a size"))),
                }
            }
        }
        deserializer.deserialize_any(LimitVisitor)
    }
}

/// A path without glob characters whose last part has no extension (`dist`, `build/`).
fn looks_like_folder(path: &str) -> bool {
    let last = path.trim_end_matches('/').rsplit('/').next().unwrap_or(path);
    !path.starts_with('!') && !path.contains(['*', '?', '[', '{']) && !last.contains('.')
}

/// Adds size-limit's checks; `at` names where the list is (`package.json#size-limit`).
pub(super) fn import(
    checks: &[RawCheck],
    at: &str,
    source: &Source<'_>,
    imported: &mut Imported,
) -> Result<(), BudgetError> {
    if checks.is_empty() {
        return Err(BudgetError::File {
            file: source.file.to_owned(),
            message: "size-limit's list of checks is empty (size-limit refuses it too)".into(),
        });
    }
    for (index, check) in checks.iter().enumerate() {
        let label = check.name.as_ref().map_or(String::new(), |name| format!(" {}", shown(name)));
        let here = format!("{at}[{index}]{label}");
        let bundler = [
            ("import", check.import.is_some()),
            ("ignore", check.ignore.is_some()),
            ("config", check.config.is_some()),
            ("entry", check.entry.is_some()),
            ("webpack", check.webpack.is_some()),
            ("compareWith", check.compare_with.is_some()),
            ("uiReports", check.ui_reports.is_some()),
            ("disableModuleConcatenation", check.disable_module_concatenation.is_some()),
            ("modifyWebpackConfig", check.modify_webpack_config.is_some()),
            ("modifyEsbuildConfig", check.modify_esbuild_config.is_some()),
        ];
        let bundling: Vec<&str> = bundler.iter().filter(|(_, on)| *on).map(|(key, _)| *key).collect();
        if !bundling.is_empty() {
            imported.lost.push(Note::new(
                &here,
                format!(
                    "`{}` makes size-limit bundle the code and measure the bundle it built; perfbudget measures built \
                     files: add a bundle_size entry for the built output instead",
                    bundling.join("`, `")
                ),
            ));
            continue;
        }
        let written = [
            ("message", check.message.is_some()),
            ("hidePassed", check.hide_passed.is_some()),
            ("highlightLess", check.highlight_less.is_some()),
            ("disablePlugins", check.disable_plugins.is_some()),
            ("module", check.module.is_some()),
        ];
        for (key, _) in written.iter().filter(|(_, on)| *on) {
            imported.skipped.push(Note::new(format!("{here}.{key}"), "how size-limit prints; no check"));
        }
        let limit = match &check.limit {
            None => {
                imported.skipped.push(Note::new(&here, "no `limit`: size-limit only printed the size"));
                continue;
            }
            Some(Limit::Time(text)) => {
                imported.lost.push(Note::new(
                    &here,
                    format!(
                        "limit {} is a time (@size-limit/time: download at 50 KiB/s plus running the code in Chrome); \
                         perfbudget has no such metric",
                        shown(text)
                    ),
                ));
                continue;
            }
            Some(Limit::Bytes { bytes, written }) => (*bytes, written),
        };
        if check.running.is_some() || check.time.is_some() {
            imported.lost.push(Note::new(
                &here,
                "`running`/`time` set the time limit's browser run and network speed; the size limit is imported, \
                 the time part is not",
            ));
        }
        let paths = match &check.path {
            Some(Paths::One(path)) => vec![path.clone()],
            Some(Paths::Many(paths)) if !paths.is_empty() => paths.clone(),
            _ => {
                imported.lost.push(Note::new(
                    &here,
                    "no `path`: size-limit measured the package's `main` (or index.js); give the file as `path`",
                ));
                continue;
            }
        };
        let (compression, said) = match (check.gzip, check.brotli) {
            (Some(true), _) => ("gzip", "gzip: true"),
            (_, Some(false)) => ("none", "brotli: false"),
            _ => ("brotli", "brotli, size-limit's default"),
        };
        for path in paths.iter().filter(|path| looks_like_folder(path)) {
            imported.changed.push(Note::new(
                &here,
                format!(
                    "{} looks like a folder: size-limit 13 counts everything under it, a perfbudget `files:` glob only \
                     a file of that name; write {} for the folder",
                    shown(path),
                    shown(&format!("{}/**", path.trim_end_matches('/')))
                ),
            ));
        }
        for path in paths.iter().filter(|path| may_match_maps(path)) {
            imported.changed.push(Note::new(
                &here,
                format!(
                    "{} may match source maps or license files, which size-limit counts and perfbudget leaves out \
                     unless a glob names them",
                    shown(path)
                ),
            ));
        }
        let globs: Vec<String> =
            paths.iter().map(|path| yaml_string(&rebased_glob(source.files_prefix, path))).collect();
        let (bytes, written) = limit;
        let name = check.name.clone().unwrap_or_else(|| paths.join(", "));
        imported.entries.push(
            Entry::new(format!("{here}: limit {} ({bytes} bytes: kB = 1000), {said}", shown(written)))
                .with("name", yaml_string(&name))
                .with("metric", "bundle_size".into())
                .with("files", format!("[{}]", globs.join(", ")))
                .with("compression", compression.into())
                .with("max", size_limit_text(bytes)),
        );
    }
    Ok(())
}
