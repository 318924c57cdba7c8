//! `perfbudget import`: a peer tool's budget configuration (Lighthouse CI's `lighthouserc`,
//! a LightWallet `budget.json`, size-limit, bundlewatch or bundlesize) as a commented
//! perfbudget budget, with everything that could not carry over listed.
//!
//! Pure: the config's text in, the budget's entries and the losses out; the command reads
//! and writes the files. Each config is read with its own keys only (an unknown key is an
//! error at its line and column), and each limit is read with its tool's own unit parser,
//! so the imported budget passes and fails where the tool did.

mod bundlewatch;
mod lhci;
mod lightwallet;
mod size_limit;
pub mod units;

use std::fmt::Write as _;
use std::path::Path;

use serde::de::DeserializeOwned;

use super::load::{BudgetError, json_error, yaml_error};

/// The tools whose configs are imported, as the report names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    LighthouseCi,
    LightWallet,
    SizeLimit,
    Bundlewatch,
    Bundlesize,
}

impl Tool {
    pub fn name(self) -> &'static str {
        match self {
            Tool::LighthouseCi => "Lighthouse CI",
            Tool::LightWallet => "Lighthouse budget.json (LightWallet)",
            Tool::SizeLimit => "size-limit",
            Tool::Bundlewatch => "bundlewatch",
            Tool::Bundlesize => "bundlesize",
        }
    }
}

/// What an import produced: the budget's entries, and what did not carry over as it was.
#[derive(Debug, Default)]
pub struct Imported {
    pub tools: Vec<Tool>,
    pub entries: Vec<Entry>,
    /// Checks of the config that are not in the budget.
    pub lost: Vec<Note>,
    /// Checks in the budget whose meaning differs from the config's.
    pub changed: Vec<Note>,
    /// Checks whose meaning was kept under another spelling (a quirk of the tool's parser).
    pub kept: Vec<Note>,
    /// Keys that are not budgets (how to collect runs, where to upload): nothing to carry.
    pub skipped: Vec<Note>,
}

impl Imported {
    /// Whether everything the config checked is checked the same way by the budget.
    pub fn is_lossless(&self) -> bool {
        self.lost.is_empty() && self.changed.is_empty()
    }
}

/// One budget entry: where it came from, and its keys with their YAML values in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub source: String,
    pub fields: Vec<(&'static str, String)>,
}

impl Entry {
    fn new(source: String) -> Entry {
        Entry { source, fields: Vec::new() }
    }

    fn with(mut self, key: &'static str, value: String) -> Entry {
        self.fields.push((key, value));
        self
    }
}

/// A line of the loss report: where in the config, and what happened to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    pub at: String,
    pub what: String,
}

impl Note {
    fn new(at: impl Into<String>, what: impl Into<String>) -> Note {
        Note { at: at.into(), what: what.into() }
    }
}

/// Reads a file a config names, relative to the config: its name to show and its text.
pub type ReadReferenced<'a> = dyn Fn(&str) -> Result<(String, String), String> + 'a;

/// The config to import.
#[allow(missing_debug_implementations)] // holds a reader
pub struct Source<'a> {
    pub text: &'a str,
    /// The file as the user named it, for messages and comments.
    pub file: &'a str,
    /// The config's folder as seen from the budget's folder (`""` when it is the same, else
    /// ending in `/`): size-limit and bundlewatch globs are relative to the config.
    pub files_prefix: &'a str,
    /// Reads a file a config refers to (Lighthouse CI's `budgetsFile`), relative to the
    /// config's folder: the name to show and its text.
    pub read_referenced: &'a ReadReferenced<'a>,
}

/// File extensions of configs that are JavaScript: their value exists only once run.
const SCRIPT_EXTENSIONS: &[&str] = &["js", "cjs", "mjs", "ts", "mts", "cts"];

/// The one-line command that prints a JavaScript config as JSON, to import that instead.
pub fn node_dump_command(file: &str) -> String {
    let quoted = shell_quote(&format!("./{}", file.trim_start_matches("./")));
    format!(
        "node -e 'import(require(\"path\").resolve(process.argv[1])).then(m => console.log(JSON.stringify(m.default ?? m, null, 2)))' {quoted} > config.json"
    )
}

fn shell_quote(text: &str) -> String {
    if text.bytes().all(|b| b.is_ascii_alphanumeric() || b"./_-+".contains(&b)) {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

/// Reads a config, recognised by its content, into budget entries and losses.
pub fn import(source: &Source<'_>) -> Result<Imported, BudgetError> {
    let file = source.file;
    let refused = |message: String| BudgetError::File { file: file.to_owned(), message };
    let extension = Path::new(file).extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    let body = source.text.trim_start_matches('\u{feff}');
    if SCRIPT_EXTENSIONS.contains(&extension.as_str()) || looks_like_script(body) {
        return Err(refused(format!(
            "is JavaScript, which perfbudget does not run; print it as JSON with `{}`, then run `perfbudget import config.json`",
            node_dump_command(file)
        )));
    }
    if body.trim().is_empty() {
        return Err(refused("is empty; nothing to import".into()));
    }
    let json = body.trim_start().starts_with(['{', '[']);
    let value: serde_json::Value = parse(body, file, json)?;
    let name = Path::new(file).file_name().and_then(|n| n.to_str()).unwrap_or("").to_ascii_lowercase();
    let mut imported = Imported::default();
    match &value {
        serde_json::Value::Object(map) if ["ci", "lhci", "ci:client"].iter().any(|key| map.contains_key(*key)) => {
            imported.tools.push(Tool::LighthouseCi);
            lhci::import(&parse(body, file, json)?, source, &mut imported)?;
        }
        serde_json::Value::Object(map)
            if ["size-limit", "bundlewatch", "bundlesize"].iter().any(|key| map.contains_key(*key)) =>
        {
            let package: PackageJson = parse(body, file, json)?;
            if let Some(checks) = package.size_limit {
                imported.tools.push(Tool::SizeLimit);
                size_limit::import(&checks, "package.json#size-limit", source, &mut imported)?;
            }
            if let Some(config) = package.bundlewatch {
                imported.tools.push(Tool::Bundlewatch);
                bundlewatch::import(
                    &config.into_config(),
                    Tool::Bundlewatch,
                    "package.json#bundlewatch",
                    source,
                    &mut imported,
                );
            }
            if let Some(files) = package.bundlesize {
                imported.tools.push(Tool::Bundlesize);
                let config = bundlewatch::Config::of_files(files);
                bundlewatch::import(&config, Tool::Bundlesize, "package.json#bundlesize", source, &mut imported);
            }
        }
        serde_json::Value::Object(map) if map.contains_key("files") => {
            let config: bundlewatch::Config = parse(body, file, json)?;
            let tool = if name.contains("bundlesize") { Tool::Bundlesize } else { Tool::Bundlewatch };
            imported.tools.push(tool);
            bundlewatch::import(&config, tool, "files", source, &mut imported);
        }
        serde_json::Value::Array(items) if items.iter().any(is_lightwallet) => {
            imported.tools.push(Tool::LightWallet);
            lightwallet::import(&parse::<Vec<lightwallet::Budget>>(body, file, json)?, "", &mut imported);
        }
        serde_json::Value::Array(items) if items.iter().any(|item| item.get("maxSize").is_some()) => {
            let files: Vec<bundlewatch::File> = parse(body, file, json)?;
            let tool = if name.contains("bundlewatch") { Tool::Bundlewatch } else { Tool::Bundlesize };
            imported.tools.push(tool);
            let config = bundlewatch::Config::of_files(files);
            bundlewatch::import(&config, tool, "", source, &mut imported);
        }
        serde_json::Value::Array(items) if !items.is_empty() && items.iter().all(serde_json::Value::is_object) => {
            imported.tools.push(Tool::SizeLimit);
            size_limit::import(&parse::<Vec<size_limit::RawCheck>>(body, file, json)?, "", source, &mut imported)?;
        }
        _ => {
            return Err(refused(
                "is not a config perfbudget can import: expected a Lighthouse CI lighthouserc (`ci.assert`), a \
                 Lighthouse budget.json (a list with `resourceSizes`/`timings`), a size-limit list (`path`, \
                 `limit`), a bundlewatch or bundlesize config (`files` with `maxSize`), or a package.json with one"
                    .into(),
            ));
        }
    }
    Ok(imported)
}

/// Whether the text is JavaScript rather than JSON or YAML (a `.json` file holding a module).
fn looks_like_script(body: &str) -> bool {
    let start = body.trim_start();
    [
        "module.exports",
        "export default",
        "export const",
        "const ",
        "import ",
        "'use strict'",
        "\"use strict\"",
        "//",
        "/*",
    ]
    .iter()
    .any(|marker| start.starts_with(marker))
}

fn is_lightwallet(item: &serde_json::Value) -> bool {
    ["resourceSizes", "resourceCounts", "timings"].iter().any(|key| item.get(*key).is_some())
}

/// The text as `T`, JSON or YAML, with errors at their line and column.
fn parse<T: DeserializeOwned>(body: &str, file: &str, json: bool) -> Result<T, BudgetError> {
    if json {
        serde_json::from_str(body).map_err(|error| json_error(&error, file))
    } else {
        yaml_serde::from_str(body).map_err(|error| yaml_error(&error, file))
    }
}

/// The keys of a package.json that hold a budget; the others are not read.
#[derive(serde::Deserialize)]
struct PackageJson {
    #[serde(rename = "size-limit")]
    size_limit: Option<Vec<size_limit::RawCheck>>,
    bundlewatch: Option<bundlewatch::Section>,
    bundlesize: Option<Vec<bundlewatch::File>>,
}

/// The budget's text: a header, then every entry with its source as a comment.
pub fn render(imported: &Imported, file: &str) -> String {
    let tools: Vec<&str> = imported.tools.iter().map(|tool| tool.name()).collect();
    let mut text = String::new();
    let _ = writeln!(text, "# Imported by `perfbudget import` from {} ({}).", comment_text(file), tools.join(", "));
    text.push_str("# Each entry names the setting it came from. What could not carry over was printed\n");
    text.push_str("# by the import (run it again to see the list).\n");
    text.push_str("version: 1\n");
    text.push_str("defaults:\n");
    text.push_str("  warn: 0%      # the peer tools have no yellow band: pass and fail stay theirs\n");
    text.push_str("budgets:\n");
    for entry in &imported.entries {
        let _ = writeln!(text, "  # {}", comment_text(&entry.source));
        for (index, (key, value)) in entry.fields.iter().enumerate() {
            let lead = if index == 0 { "  - " } else { "    " };
            let _ = writeln!(text, "{lead}{key}: {value}");
        }
    }
    text
}

/// Text safe inside a one-line YAML comment: control characters escaped.
fn comment_text(text: &str) -> String {
    text.chars().flat_map(|c| if c.is_control() { c.escape_default().collect::<Vec<_>>() } else { vec![c] }).collect()
}

/// A YAML double-quoted scalar: a JSON string is one, every control character escaped.
fn yaml_string(value: &str) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "\"\"".to_owned())
}

/// A value of the config, shown as JSON in a comment or a note.
fn shown(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// A byte count as a budget limit: in KiB or kB when whole, else in bytes, never rounded.
fn size_limit_text(bytes: f64) -> String {
    if bytes >= 1024.0 && bytes % 1024.0 == 0.0 && bytes / 1024.0 < 1e15 {
        format!("{} KiB", bytes / 1024.0)
    } else if bytes >= 1000.0 && bytes % 1000.0 == 0.0 && bytes / 1000.0 < 1e15 {
        format!("{} kB", bytes / 1000.0)
    } else {
        format!("{bytes} B")
    }
}

/// A time in milliseconds as a budget limit, exactly.
fn ms_text(ms: f64) -> String {
    format!("{ms} ms")
}

/// A file glob of a config, relative to the budget's folder: its `!` kept in front.
fn rebased_glob(prefix: &str, glob: &str) -> String {
    let (negation, glob) = match glob.strip_prefix('!') {
        Some(rest) => ("!", rest),
        None => ("", glob),
    };
    let glob = glob.strip_prefix("./").unwrap_or(glob);
    format!("{negation}{}{glob}", super::escape_glob(prefix))
}

/// Whether a glob's last part can match source maps and license files, which a
/// perfbudget bundle budget leaves out unless it names them.
fn may_match_maps(glob: &str) -> bool {
    let last = glob.rsplit('/').next().unwrap_or(glob);
    !glob.contains(".map") && !glob.contains(".LICENSE.txt") && (last.ends_with('*') || last.contains("{"))
}

#[cfg(test)]
mod tests;
