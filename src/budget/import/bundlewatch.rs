//! bundlewatch and bundlesize: every file a glob matches checked on its own against
//! `bytes(maxSize) || Infinity`, as `bytes` 3.x reads it (`kB` = 1024, anything else read
//! by `parseInt`), gzip unless said otherwise. Their quirks keep their meaning: a numeric
//! `maxSize` and `"0"` never fail, so they become no check; `"40 KiB"` is 40 bytes.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, IgnoredAny};

use super::units::bytes;
use super::{Entry, Imported, Note, Source, Tool, may_match_maps, rebased_glob, shown, size_limit_text, yaml_string};

/// A bundlewatch config (`src/app/config/getConfig.js`), or bundlesize's
/// `bundlesize.config.json` (its `files` only).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct Config {
    #[serde(default)]
    pub files: Vec<File>,
    default_compression: Option<Compression>,
    normalize_filenames: Option<IgnoredAny>,
    bundlewatch_service_host: Option<IgnoredAny>,
    ci: Option<IgnoredAny>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct File {
    path: String,
    max_size: Option<MaxSize>,
    compression: Option<Compression>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Compression {
    Gzip,
    Brotli,
    None,
}

impl Compression {
    fn name(self) -> &'static str {
        match self {
            Compression::Gzip => "gzip",
            Compression::Brotli => "brotli",
            Compression::None => "none",
        }
    }
}

/// `maxSize` as written: text goes through `bytes.parse`; a number through `bytes.format`,
/// which makes it text that `size > "20KB"` never exceeds.
#[derive(Debug)]
enum MaxSize {
    Text(String),
    Number(f64),
}

impl<'de> Deserialize<'de> for MaxSize {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<MaxSize, D::Error> {
        struct MaxSizeVisitor;
        impl de::Visitor<'_> for MaxSizeVisitor {
            type Value = MaxSize;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a size such as \"30kB\"")
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<MaxSize, E> {
                Ok(MaxSize::Text(text.to_owned()))
            }
            fn visit_u64<E: de::Error>(self, value: u64) -> Result<MaxSize, E> {
                Ok(MaxSize::Number(value as f64))
            }
            fn visit_i64<E: de::Error>(self, value: i64) -> Result<MaxSize, E> {
                Ok(MaxSize::Number(value as f64))
            }
            fn visit_f64<E: de::Error>(self, value: f64) -> Result<MaxSize, E> {
                Ok(MaxSize::Number(value))
            }
        }
        deserializer.deserialize_any(MaxSizeVisitor)
    }
}

/// package.json's `bundlewatch`: a config, or the list of files alone.
#[derive(Debug)]
pub(super) enum Section {
    Config(Config),
    Files(Vec<File>),
}

impl Config {
    /// A config of these files alone, as bundlesize's list in package.json is.
    pub(super) fn of_files(files: Vec<File>) -> Config {
        Config { files, ..Config::default() }
    }
}

impl Section {
    pub(super) fn into_config(self) -> Config {
        match self {
            Section::Config(config) => config,
            Section::Files(files) => Config { files, ..Config::default() },
        }
    }
}

impl<'de> Deserialize<'de> for Section {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Section, D::Error> {
        struct SectionVisitor;
        impl<'de> de::Visitor<'de> for SectionVisitor {
            type Value = Section;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a bundlewatch config or a list of files")
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Section, A::Error> {
                Config::deserialize(de::value::MapAccessDeserializer::new(map)).map(Section::Config)
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Section, A::Error> {
                Vec::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(Section::Files)
            }
        }
        deserializer.deserialize_any(SectionVisitor)
    }
}

/// Adds the config's files; `at` names where the list is.
pub(super) fn import(config: &Config, tool: Tool, at: &str, source: &Source<'_>, imported: &mut Imported) {
    let name = tool.name();
    if config.normalize_filenames.is_some() {
        imported.skipped.push(Note::new(
            format!("{at}.normalizeFilenames").trim_start_matches('.'),
            format!("how {name} names files for its service; the limits are per file either way"),
        ));
    }
    for (key, present) in
        [("bundlewatchServiceHost", config.bundlewatch_service_host.is_some()), ("ci", config.ci.is_some())]
    {
        if present {
            imported.skipped.push(Note::new(
                key,
                "where bundlewatch stores and compares with the base branch; perfbudget compares with --baseline or \
                 --history",
            ));
        }
    }
    if config.files.is_empty() {
        imported.skipped.push(Note::new(at, format!("no files: {name} checks nothing")));
    }
    let default = config.default_compression.unwrap_or(Compression::Gzip);
    for (index, file) in config.files.iter().enumerate() {
        let here = if at.is_empty() {
            format!("[{index}] {}", shown(&file.path))
        } else {
            format!("{at}[{index}] {}", shown(&file.path))
        };
        let compression = file.compression.unwrap_or(default);
        let (bytes_limit, written) = match &file.max_size {
            None => {
                imported.kept.push(Note::new(&here, format!("no maxSize: {name} never fails it, so no check")));
                continue;
            }
            Some(MaxSize::Number(number)) => {
                imported.kept.push(Note::new(
                    &here,
                    format!(
                        "maxSize {number} is a number, which {name} turns into text (`bytes.format`) that no size \
                         exceeds: it never failed, so no check (write \"{}\" to mean it)",
                        size_limit_text(*number)
                    ),
                ));
                continue;
            }
            Some(MaxSize::Text(text)) => match bytes(text) {
                Some(parsed) if parsed != 0.0 && parsed.is_finite() => (parsed, text),
                _ => {
                    imported.kept.push(Note::new(
                        &here,
                        format!(
                            "maxSize {} reads as 0 or nothing, which {name} makes unlimited: no check",
                            shown(text)
                        ),
                    ));
                    continue;
                }
            },
        };
        if bytes_limit < 0.0 {
            imported
                .lost
                .push(Note::new(&here, format!("maxSize {} is negative: {name} failed it always", shown(written))));
            continue;
        }
        let lower = written.to_ascii_lowercase();
        let plain_unit = ["kb", "mb", "gb", "tb", "pb"].iter().any(|unit| lower.trim_end().ends_with(unit));
        let digits_only = lower.trim().bytes().all(|b| b.is_ascii_digit() || b == b'.');
        if !plain_unit && !digits_only && !lower.trim_end().ends_with('b') || lower.contains("ib") {
            imported.kept.push(Note::new(
                &here,
                format!(
                    "maxSize {} is read by {name} as {bytes_limit} bytes (its parser knows kB, MB, GB only): kept",
                    shown(written)
                ),
            ));
        }
        if may_match_maps(&file.path) {
            imported.changed.push(Note::new(
                &here,
                format!(
                    "{} may match source maps or license files, which {name} checks and perfbudget leaves out unless \
                     a glob names them",
                    shown(&file.path)
                ),
            ));
        }
        imported.entries.push(
            Entry::new(format!(
                "{here}: maxSize {} ({bytes_limit} bytes: kB = 1024), {}",
                shown(written),
                compression.name()
            ))
            .with("metric", "bundle_size".into())
            .with("files", format!("[{}]", yaml_string(&rebased_glob(source.files_prefix, &file.path))))
            .with("each", "true".into())
            .with("compression", compression.name().into())
            .with("max", size_limit_text(bytes_limit)),
        );
    }
}
