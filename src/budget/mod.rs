//! The budget file: what limits the gate enforces.
//!
//! [`load`] reads YAML or JSON into a [`Budget`], a flat list of [`Check`]s whose limits are
//! already in base units (ns, bytes, fractions) so `evaluate` only compares numbers.

pub mod import;
pub(crate) mod k6_import;
pub(crate) mod load;
pub(crate) mod metric;
pub(crate) mod presets;
pub(crate) mod schema;
pub mod spans;
pub mod tighten;
pub mod units;

use std::fmt;
use std::path::PathBuf;

use std::sync::OnceLock;

use globset::{Glob, GlobBuilder, GlobMatcher};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use wildmatch::WildMatch;

pub use load::{BudgetError, load, parse_str};
use metric::{Direction, Metric, Selects, Stats};

pub use crate::model::vocabulary::Compression;
use crate::quantity::Dimension;

/// A loaded, validated budget file.
#[derive(Debug, Clone)]
pub struct Budget {
    pub name: Option<String>,
    /// The file it was read from, as given.
    pub file: String,
    /// `inputs:`, resolved against the budget file's folder.
    pub inputs: Vec<PathBuf>,
    /// `history:`, the history file, resolved against the budget file's folder.
    pub history: Option<PathBuf>,
    /// `import_k6_thresholds: true`: k6's thresholds in the inputs become checks.
    pub import_k6_thresholds: bool,
    /// `scrape_elapsed:`, in seconds: the time between the first and the last Prometheus
    /// scrape of one target, for rates when the scrapes carry no timestamps.
    pub scrape_elapsed: Option<f64>,
    /// The yellow band of checks made from the inputs (imported k6 thresholds).
    pub default_warn: f64,
    /// `defaults.loosening`: the policy of checks that set none, and of budgets the baseline
    /// had and this file has not.
    pub default_loosening: LooseningPolicy,
    pub checks: Vec<Check>,
}

impl Budget {
    /// How many checks came from built-in presets (`extends:`).
    pub fn preset_checks(&self) -> usize {
        self.checks.iter().filter(|check| check.preset.is_some()).count()
    }
}

/// One budget entry: a metric, which subjects it applies to, and its limits.
#[derive(Debug, Clone)]
pub struct Check {
    /// `name:` or a label made from the metric and selectors.
    pub label: String,
    pub metric: Metric,
    /// For `metric: k6`, `emf`, `lambda` and `prometheus`: the measured metric (the k6
    /// metric, the EMF metric's name, `lambda_<name>`, the Prometheus series' name) and the
    /// statistic.
    pub k6_metric: Option<String>,
    pub stat: Option<String>,
    /// Subject tags the measurement must match (all of them).
    pub selectors: Vec<Selector>,
    /// The dimension the limit is in: the metric's, or for `k6` the limit's own unit's.
    pub dimension: Dimension,
    pub limit: Option<Limit>,
    /// The warning threshold in base units: past it (towards the limit) is yellow.
    pub warn: Option<Warn>,
    /// Allowed relative worsening against the baseline, as a fraction.
    pub regression: Option<f64>,
    /// A check that matches nothing is not red.
    pub optional: bool,
    /// How repeated measurements of one subject combine.
    pub aggregate: Aggregate,
    /// `bundle_size`: check every file on its own instead of their sum.
    pub each: bool,
    /// `bundle_size`: which compressed size.
    pub compression: Compression,
    /// `bundle_size` without `files:`: the `.js` files of the input folders, rather than
    /// files found by globs from the budget file's folder.
    pub files_from_inputs: bool,
    /// `bundle_size` with `manifest:` and `entry:`: the files of one entry of a build.
    pub entry: Option<ManifestEntry>,
    /// Match only subjects with exactly the selected tags, as a k6 threshold applies to its
    /// own metric or submetric and not to the submetrics below it (imported thresholds).
    pub exact_subject: bool,
    /// Where it was written: `limits.lcp`, `budgets[2]`.
    pub location: String,
    /// The preset it came from, if any.
    pub preset: Option<String>,
    /// The verdict of a `regression:` with nothing to compare with (`defaults.missing_baseline`).
    pub missing_baseline: crate::model::Verdict,
    /// `level: warn`: the check is yellow at most; what would be red is yellow.
    pub yellow_only: bool,
    /// `loosening:` of the entry, else of `defaults:`; `None` for the default (`warn`).
    pub loosening: Option<LooseningPolicy>,
}

/// `loosening:`: what a limit looser than the baseline's (or a budget the baseline had and
/// the file no longer has) makes of the run: a green note, a yellow row or a red one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum LooseningPolicy {
    /// Listed, green: loosening needs no approval.
    Allow,
    /// Yellow (the default): the run passes unless `--fail-on yellow`.
    #[default]
    Warn,
    /// Red: the run fails until the pull request is approved (`check --allow-loosening`).
    Fail,
}

impl LooseningPolicy {
    pub fn verdict(self) -> crate::model::Verdict {
        match self {
            LooseningPolicy::Allow => crate::model::Verdict::Green,
            LooseningPolicy::Warn => crate::model::Verdict::Yellow,
            LooseningPolicy::Fail => crate::model::Verdict::Red,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LooseningPolicy::Allow => "allow",
            LooseningPolicy::Warn => "warn",
            LooseningPolicy::Fail => "fail",
        }
    }
}

impl Check {
    /// The measurement metric and statistics this check reads.
    pub fn selects(&self) -> Selects<'_> {
        let mut selects = self.metric.selects(self.k6_metric.as_deref(), self.stat.as_deref());
        if self.metric == Metric::BundleSize {
            selects.stats = Stats::OneOf(self.compression.stats());
        }
        selects
    }

    pub fn direction(&self) -> Direction {
        match (self.metric.direction(), self.limit) {
            (Some(direction), _) => direction,
            (None, Some(Limit::Min(_))) => Direction::HigherIsBetter,
            (None, _) => Direction::LowerIsBetter,
        }
    }
}

/// An entry of a build manifest, as the budget names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestEntry {
    /// The manifest, relative to the budget file's folder.
    pub manifest: String,
    /// The entry's name in the manifest.
    pub entry: String,
}

/// A hard limit in base units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Limit {
    Max(f64),
    Min(f64),
}

impl Limit {
    pub fn value(self) -> f64 {
        match self {
            Limit::Max(value) | Limit::Min(value) => value,
        }
    }
}

/// Where the yellow band starts, and whether it was given as a share of the limit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Warn {
    /// Threshold in base units.
    pub threshold: f64,
    /// The fraction of the limit the band spans, when written as a percentage.
    pub fraction: Option<f64>,
}

/// The default yellow band: within 10% of the limit.
pub const DEFAULT_WARN_FRACTION: f64 = 0.10;

/// A subject tag and the globs its value must match.
#[derive(Debug, Clone)]
pub struct Selector {
    pub tag: String,
    pub include: Vec<Pattern>,
    pub exclude: Vec<Pattern>,
    /// How many of the last `exclude` globs perfbudget added (source maps, license
    /// files); they apply but are not shown.
    pub implied_excludes: usize,
    /// The exact values among `include`, looked up instead of tested one by one: a
    /// manifest entry of 80,000 files would otherwise test every file against every name.
    exact_includes: std::collections::HashSet<String>,
}

impl Selector {
    pub fn new(tag: &str, include: Vec<Pattern>, exclude: Vec<Pattern>) -> Selector {
        let exact_includes = include.iter().filter_map(|p| p.exact_value().map(str::to_owned)).collect();
        Selector { tag: tag.to_owned(), include, exclude, implied_excludes: 0, exact_includes }
    }

    /// Whether a tag value passes this selector: one include glob matches (or there are
    /// none) and no exclude glob does.
    pub fn matches(&self, value: &str) -> bool {
        let included = self.include.is_empty()
            || self.exact_includes.contains(value)
            || self.include.iter().any(|p| p.exact_value().is_none() && p.is_match(value));
        included && !self.exclude.iter().any(|p| p.is_match(value))
    }
}

impl Selector {
    /// The exclude globs the budget wrote.
    pub fn written_excludes(&self) -> &[Pattern] {
        &self.exclude[..self.exclude.len() - self.implied_excludes.min(self.exclude.len())]
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let patterns: Vec<String> = self
            .include
            .iter()
            .map(|p| p.text.clone())
            .chain(self.written_excludes().iter().map(|p| format!("!{}", p.text)))
            .collect();
        write!(f, "{}={}", self.tag, patterns.join(","))
    }
}

/// A glob that matches only `value` itself (a tag value, a benchmark id): every glob
/// metacharacter backslash-escaped.
pub fn escape_glob(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '{' | '}' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The longest glob a budget may hold, in bytes. Real globs are a few dozen bytes; this
/// leaves room for a long URL. globset compiles a glob into a regex of about its own size
/// and panics when the regex passes its 10 MiB limit, which every kind of glob (`*`, `?`,
/// classes, alternatives) stays far below at this length: the smallest that panics are
/// around 200 kB.
pub const MAX_GLOB_BYTES: usize = 4096;

/// The most alternatives a glob may hold, counted over all its `{...}` groups.
pub const MAX_GLOB_ALTERNATIVES: usize = 256;

/// How deep a glob may nest `{...}` groups: globset parses them recursively (a few
/// thousand levels overflow the stack) and its regex parser refuses 250 levels.
pub const MAX_GLOB_NESTING: usize = 8;

/// A glob that perfbudget refuses. The size errors show only the glob's first characters:
/// a glob that breaks a limit is too long to print.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum GlobError {
    #[error("the glob `{prefix}` has {count} alternatives in `{{…}}`; a glob may have at most {MAX_GLOB_ALTERNATIVES}")]
    TooManyAlternatives { prefix: String, count: usize },
    #[error("the glob `{prefix}` nests `{{…}}` {depth} deep; a glob may nest them at most {MAX_GLOB_NESTING} deep")]
    TooDeep { prefix: String, depth: usize },
    #[error("the glob `{prefix}` is {bytes} bytes long; a glob may be at most {MAX_GLOB_BYTES} bytes")]
    TooLong { prefix: String, bytes: usize },
    #[error(transparent)]
    Invalid(#[from] globset::Error),
}

/// Checks a glob against the size limits before anything parses it. Braces are counted
/// wherever they stand unescaped, inside `[...]` too, so the count is never below the
/// nesting globset sees.
pub fn check_glob_size(text: &str) -> Result<(), GlobError> {
    let mut depth = 0usize;
    let mut deepest = 0usize;
    let mut alternatives = 0usize;
    let mut escaped = false;
    for c in text.chars() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '{' => {
                depth += 1;
                deepest = deepest.max(depth);
                alternatives += 1;
            }
            ',' if depth > 0 => alternatives += 1,
            '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    if deepest > MAX_GLOB_NESTING {
        return Err(GlobError::TooDeep { prefix: glob_prefix(text), depth: deepest });
    }
    if alternatives > MAX_GLOB_ALTERNATIVES {
        return Err(GlobError::TooManyAlternatives { prefix: glob_prefix(text), count: alternatives });
    }
    if text.len() > MAX_GLOB_BYTES {
        return Err(GlobError::TooLong { prefix: glob_prefix(text), bytes: text.len() });
    }
    Ok(())
}

/// The first characters of a glob, escaped, for messages about a glob too large to print.
fn glob_prefix(text: &str) -> String {
    const SHOWN: usize = 16;
    let mut prefix: String = text.chars().take(SHOWN).flat_map(char::escape_debug).collect();
    if text.chars().nth(SHOWN).is_some() {
        prefix.push('…');
    }
    prefix
}

/// A glob with the text it was written as.
///
/// Globs of only literals, `*` and `?` where `*` may cross `/` (URLs, ids, tags) are
/// matched by `wildmatch`, which needs no compilation; a budget with a thousand of them
/// would otherwise spend most of its run compiling regexes. File globs (`*` stays within
/// a folder, `**` crosses) and globs with `[...]`, `{...}` or escapes go to globset,
/// compiled once on first use. An exact value (a k6 submetric's tag) is compared as it is.
#[derive(Debug, Clone)]
pub struct Pattern {
    pub text: String,
    engine: Engine,
}

#[derive(Debug, Clone)]
enum Engine {
    Wildcard(WildMatch),
    Glob { glob: Glob, matcher: OnceLock<GlobMatcher> },
    Exact(String),
}

impl Pattern {
    /// `*` crosses `/` except in file globs, where it stays within one folder as in
    /// size-limit's globs: `dist/*.js` does not reach `dist/legacy/x.js`.
    pub fn new(text: &str, within_folder: bool) -> Result<Pattern, GlobError> {
        // Before globset sees it: its parser recurses into braces and its regex may not fit.
        check_glob_size(text)?;
        // Parsing with globset even for wildcards: one grammar decides what is valid.
        let glob = GlobBuilder::new(text).literal_separator(within_folder).backslash_escape(true).build()?;
        let plain = !text.contains(['[', ']', '{', '}', '\\']);
        let engine = if plain && !within_folder {
            Engine::Wildcard(WildMatch::new(text))
        } else {
            Engine::Glob { glob, matcher: OnceLock::new() }
        };
        Ok(Pattern { text: text.to_owned(), engine })
    }

    /// Matches `value` alone, of any length: no glob is compiled. Shown as the glob that
    /// would match it.
    pub fn exact(value: &str) -> Pattern {
        Pattern { text: escape_glob(value), engine: Engine::Exact(value.to_owned()) }
    }

    /// The one value an exact pattern matches.
    pub fn exact_value(&self) -> Option<&str> {
        match &self.engine {
            Engine::Exact(value) => Some(value),
            Engine::Wildcard(_) | Engine::Glob { .. } => None,
        }
    }

    pub fn is_match(&self, value: &str) -> bool {
        match &self.engine {
            Engine::Wildcard(wildcard) => wildcard.matches(value),
            Engine::Glob { glob, matcher } => matcher.get_or_init(|| glob.compile_matcher()).is_match(value),
            Engine::Exact(exact) => exact == value,
        }
    }
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Pattern) -> bool {
        self.text == other.text && std::mem::discriminant(&self.engine) == std::mem::discriminant(&other.engine)
    }
}

impl Eq for Pattern {}

impl std::hash::Hash for Pattern {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.text.hash(state);
    }
}

/// How several runs of one subject combine into the value that is checked, with
/// Lighthouse CI's definitions: `median` (the mean of the two middle runs for an even
/// count), `optimistic` and `pessimistic` (the best and the worst run), `median-run` (the
/// value of Lighthouse CI's representative run).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Aggregate {
    #[default]
    Median,
    Optimistic,
    Pessimistic,
    MedianRun,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The wildcard fast path must agree with globset wherever it is used.
    #[test]
    fn wildcard_globs_match_like_globset() {
        let patterns = ["*/checkout*", "GET /api/*", "2??", "*", "**", "a*b*c", "https://*.example/*", "exact", "*?x"];
        let values = [
            "https://shop.example/checkout/pay",
            "https://a.example/",
            "GET /api/users/7",
            "200",
            "2000",
            "aXbYc",
            "abc/def/c",
            "exact",
            "",
            "yx",
            "x",
        ];
        for pattern in patterns {
            let ours = Pattern::new(pattern, false).unwrap();
            assert!(matches!(ours.engine, Engine::Wildcard(_)), "{pattern}");
            let reference = GlobBuilder::new(pattern).literal_separator(false).build().unwrap().compile_matcher();
            for value in values {
                assert_eq!(ours.is_match(value), reference.is_match(value), "{pattern} on {value}");
            }
        }
        let files = Pattern::new("dist/*.js", true).unwrap();
        assert!(files.is_match("dist/a.js"));
        assert!(!files.is_match("dist/sub/a.js"));
        assert!(Pattern::new("{a,b}*", false).unwrap().is_match("b/x"));
    }

    #[test]
    fn glob_limits_count_what_globset_would_nest() {
        assert_eq!(check_glob_size(&"*".repeat(MAX_GLOB_BYTES)), Ok(()));
        assert!(matches!(
            check_glob_size(&"*".repeat(MAX_GLOB_BYTES + 1)),
            Err(GlobError::TooLong { bytes: 4097, .. })
        ));
        let deep = |depth: usize| format!("{}x{}", "{a,".repeat(depth), "}".repeat(depth));
        assert_eq!(check_glob_size(&deep(MAX_GLOB_NESTING)), Ok(()));
        assert!(matches!(check_glob_size(&deep(MAX_GLOB_NESTING + 1)), Err(GlobError::TooDeep { depth: 9, .. })));
        // Escaped braces are literals; braces in a class count, which can only overcount.
        assert_eq!(check_glob_size(&"\\{".repeat(100)), Ok(()));
        assert!(check_glob_size(&"[{]".repeat(9)).is_err());
        let alternatives = |count: usize| format!("{{{}}}", vec!["a"; count].join(","));
        assert_eq!(check_glob_size(&alternatives(MAX_GLOB_ALTERNATIVES)), Ok(()));
        let error = check_glob_size(&alternatives(MAX_GLOB_ALTERNATIVES + 1)).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the glob `{a,a,a,a,a,a,a,a…` has 257 alternatives in `{…}`; a glob may have at most 256"
        );
        assert_eq!(glob_prefix("\u{1b}[31m"), "\\u{1b}[31m");
        // Within the limits, the worst of each kind compiles and matches without a panic.
        let worst = [
            format!("dist/{}", "*".repeat(MAX_GLOB_BYTES - 5)),
            "**/".repeat(MAX_GLOB_BYTES / 3),
            "[!/]?".repeat(MAX_GLOB_BYTES / 5),
            format!("{}x{}", "{*,".repeat(MAX_GLOB_NESTING), "}".repeat(MAX_GLOB_NESTING)).repeat(10),
            alternatives(MAX_GLOB_ALTERNATIVES),
        ];
        for glob in &worst {
            Pattern::new(glob, true).unwrap().is_match("dist/assets/index.js.map/x");
        }
    }
}
