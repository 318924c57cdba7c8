//! Lighthouse CI's `lighthouserc` (`packages/utils/src/assertions.js` of @lhci/utils
//! 0.15.1): `ci.assert` with `assertions`, a `preset`, an `assertMatrix` per URL pattern or
//! a `budgetsFile`. Metric audits with `maxNumericValue` map 1:1; a level alone asserts
//! `minScore: 0.9` (`realMinScore`), which for a metric is its value at Lighthouse's p10
//! (where the score 0.9 starts), per form factor; `categories:performance` is the score
//! ×100. Aggregation is written out, `optimistic` where the config gives none, as Lighthouse
//! CI's default. Level `warn` becomes `level: warn`, a yellow-only entry.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, IgnoredAny};

use super::{Entry, Imported, Note, Source, lightwallet, ms_text, parse, shown, size_limit_text, yaml_string};
use crate::budget::load::BudgetError;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Rc {
    ci: Option<Ci>,
    lhci: Option<Ci>,
    #[serde(rename = "ci:client")]
    client: Option<Ci>,
    #[serde(rename = "ci:server")]
    server: Option<IgnoredAny>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Ci {
    assert: Option<Assert>,
    collect: Option<IgnoredAny>,
    upload: Option<IgnoredAny>,
    server: Option<IgnoredAny>,
    wizard: Option<IgnoredAny>,
    extends: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Assert {
    assertions: Option<BTreeMap<String, Assertion>>,
    preset: Option<String>,
    assert_matrix: Option<Vec<MatrixEntry>>,
    budgets_file: Option<String>,
    aggregation_method: Option<Aggregation>,
    #[serde(rename = "includePassedAssertions")]
    _include_passed_assertions: Option<IgnoredAny>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct MatrixEntry {
    matching_url_pattern: Option<String>,
    assertions: Option<BTreeMap<String, Assertion>>,
    preset: Option<String>,
    aggregation_method: Option<Aggregation>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Level {
    Off,
    Warn,
    Error,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
enum Aggregation {
    Median,
    Optimistic,
    Pessimistic,
    MedianRun,
}

impl Aggregation {
    fn name(self) -> &'static str {
        match self {
            Aggregation::Median => "median",
            Aggregation::Optimistic => "optimistic",
            Aggregation::Pessimistic => "pessimistic",
            Aggregation::MedianRun => "median-run",
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Options {
    #[serde(skip_serializing_if = "Option::is_none")]
    min_score: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_numeric_value: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_length: Option<f64>,
    #[serde(skip_serializing)]
    aggregation_method: Option<Aggregation>,
}

/// `"error"` or `["error", {options}]`, as `normalizeAssertion` reads it.
#[derive(Debug, Clone)]
struct Assertion {
    level: Level,
    options: Options,
    /// Elements after `[level, options]`, which Lighthouse CI does not read.
    ignored: usize,
}

impl<'de> Deserialize<'de> for Assertion {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Assertion, D::Error> {
        struct AssertionVisitor;
        impl<'de> de::Visitor<'de> for AssertionVisitor {
            type Value = Assertion;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a level (\"off\", \"warn\", \"error\") or [level, {minScore|maxNumericValue|maxLength}]")
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Assertion, E> {
                let level = Level::deserialize(de::value::StrDeserializer::<E>::new(text))?;
                Ok(Assertion { level, options: Options::default(), ignored: 0 })
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Assertion, A::Error> {
                let level: Level = seq.next_element()?.ok_or_else(|| de::Error::invalid_length(0, &self))?;
                let options: Options = seq.next_element()?.unwrap_or_default();
                let mut ignored = 0;
                while seq.next_element::<IgnoredAny>()?.is_some() {
                    ignored += 1;
                }
                Ok(Assertion { level, options, ignored })
            }
        }
        deserializer.deserialize_any(AssertionVisitor)
    }
}

/// Lighthouse's metric audits and perfbudget's metric for each.
const METRIC_AUDITS: &[(&str, &str)] = &[
    ("largest-contentful-paint", "lcp"),
    ("first-contentful-paint", "fcp"),
    ("speed-index", "speed_index"),
    ("interactive", "tti"),
    ("total-blocking-time", "tbt"),
    ("cumulative-layout-shift", "cls"),
    ("server-response-time", "ttfb"),
    ("interaction-to-next-paint", "inp"),
    ("experimental-interaction-to-next-paint", "inp"),
];

/// The value where a metric's score 0.9 starts (`scoringOptions.p10`), mobile and desktop,
/// the same in Lighthouse 10 to 13 (read from the LHRs in tests/fixtures/lighthouse).
const P10: &[(&str, f64, f64)] = &[
    ("largest-contentful-paint", 2500.0, 1200.0),
    ("first-contentful-paint", 1800.0, 934.0),
    ("speed-index", 3387.0, 1311.0),
    ("total-blocking-time", 200.0, 150.0),
    ("cumulative-layout-shift", 0.1, 0.1),
];

/// What each preset of @lhci/utils 0.15.1 asserts on the metrics above (`presets/*.js`),
/// and how many audits it asserts in all.
const PRESETS: &[(&str, Level, usize)] = &[
    ("lighthouse:all", Level::Error, 147),
    ("lighthouse:recommended", Level::Warn, 145),
    ("lighthouse:no-pwa", Level::Warn, 143),
];

/// The preset audits that are metrics perfbudget reads, all asserted with a level alone.
const PRESET_METRICS: &[&str] =
    &["cumulative-layout-shift", "first-contentful-paint", "largest-contentful-paint", "speed-index"];

/// Adds the rc's assertions.
pub(super) fn import(rc: &Rc, source: &Source<'_>, imported: &mut Imported) -> Result<(), BudgetError> {
    let refused = |message: String| BudgetError::File { file: source.file.to_owned(), message };
    let (key, ci) = match (&rc.ci, &rc.lhci, &rc.client) {
        (Some(ci), _, _) => ("ci", ci),
        (None, Some(ci), _) => ("lhci", ci),
        (None, None, Some(ci)) => ("ci:client", ci),
        (None, None, None) => return Err(refused("has no `ci`: nothing to import".into())),
    };
    if rc.server.is_some() {
        imported.skipped.push(Note::new("ci:server", "the Lighthouse CI server's settings; no check"));
    }
    for (part, present) in [
        ("collect", ci.collect.is_some()),
        ("upload", ci.upload.is_some()),
        ("server", ci.server.is_some()),
        ("wizard", ci.wizard.is_some()),
    ] {
        if present {
            imported.skipped.push(Note::new(format!("{key}.{part}"), "how runs are made or stored; no check"));
        }
    }
    if let Some(extends) = &ci.extends {
        imported.lost.push(Note::new(
            format!("{key}.extends"),
            format!("{} is another rc merged under this one; not followed: import it too", shown(extends)),
        ));
    }
    let Some(assert) = &ci.assert else {
        return Err(refused(format!("has no `{key}.assert`: Lighthouse CI asserts nothing, so nothing to import")));
    };
    let at = format!("{key}.assert");
    if let Some(matrix) = &assert.assert_matrix {
        if assert.assertions.is_some()
            || assert.preset.is_some()
            || assert.budgets_file.is_some()
            || assert.aggregation_method.is_some()
        {
            return Err(refused(format!(
                "{at}: Cannot use assertMatrix with other options (Lighthouse CI refuses it too)"
            )));
        }
        for (index, entry) in matrix.iter().enumerate() {
            let here = format!("{at}.assertMatrix[{index}]");
            let url = match &entry.matching_url_pattern {
                None => None,
                Some(pattern) => match url_glob(pattern) {
                    Some(glob) => Some(glob),
                    None => {
                        imported.lost.push(Note::new(
                            format!("{here}.matchingUrlPattern"),
                            format!(
                                "the regular expression {} has no glob equivalent; its assertions are not imported",
                                shown(pattern)
                            ),
                        ));
                        continue;
                    }
                },
            };
            let set = Set {
                at: here,
                assertions: entry.assertions.as_ref(),
                preset: entry.preset.as_deref(),
                aggregation: entry.aggregation_method,
                url,
            };
            import_set(&set, imported)?;
        }
        return Ok(());
    }
    if let Some(budgets_file) = &assert.budgets_file {
        if assert.assertions.is_some() {
            return Err(refused(format!(
                "{at}: Cannot use both budgets AND assertions (Lighthouse CI refuses it too)"
            )));
        }
        let (shown_file, text) = (source.read_referenced)(budgets_file)
            .map_err(|error| refused(format!("{at}.budgetsFile {}: {error}", shown(budgets_file))))?;
        let json = text.trim_start().starts_with(['{', '[']);
        let budgets: Vec<lightwallet::Budget> = parse(text.trim_start_matches('\u{feff}'), &shown_file, json)?;
        imported.tools.push(super::Tool::LightWallet);
        lightwallet::import(&budgets, &format!("{at}.budgetsFile {}", shown(&shown_file)), imported);
        return Ok(());
    }
    if assert.assertions.is_none() && assert.preset.is_none() {
        return Err(refused(format!(
            "{at}: No assertions to use (no `assertions`, `preset`, `assertMatrix` or `budgetsFile`)"
        )));
    }
    let set = Set {
        at,
        assertions: assert.assertions.as_ref(),
        preset: assert.preset.as_deref(),
        aggregation: assert.aggregation_method,
        url: None,
    };
    import_set(&set, imported)
}

/// A set of assertions with what applies to all of them.
struct Set<'a> {
    at: String,
    assertions: Option<&'a BTreeMap<String, Assertion>>,
    preset: Option<&'a str>,
    aggregation: Option<Aggregation>,
    url: Option<String>,
}

fn import_set(set: &Set<'_>, imported: &mut Imported) -> Result<(), BudgetError> {
    // Keys as Lighthouse CI reads them: kebab-cased; the file's own win over the preset's.
    let mut assertions: BTreeMap<String, (String, Assertion)> = BTreeMap::new();
    if let Some(preset) = set.preset {
        let Some((_, level, count)) = PRESETS.iter().find(|(name, _, _)| *name == preset) else {
            imported.lost.push(Note::new(
                format!("{}.preset", set.at),
                format!(
                    "{} is not a Lighthouse CI preset (lighthouse:all, lighthouse:recommended, lighthouse:no-pwa)",
                    shown(&preset)
                ),
            ));
            return Ok(());
        };
        for audit in PRESET_METRICS {
            let origin = format!("{}.preset {} \"{audit}\"", set.at, shown(&preset));
            assertions.insert(
                (*audit).to_owned(),
                (origin, Assertion { level: *level, options: Options::default(), ignored: 0 }),
            );
        }
        imported.lost.push(Note::new(
            format!("{}.preset", set.at),
            format!(
                "{preset} asserts {count} audits; the {} metrics perfbudget reads are imported (CLS, FCP, LCP, Speed \
                 Index); the others (accessibility, SEO, best practices, opportunities, total-byte-weight, \
                 interactive, server-response-time, max-potential-fid, ...) assert audit scores, which perfbudget \
                 does not budget",
                PRESET_METRICS.len()
            ),
        ));
    }
    let written = set.assertions.into_iter().flatten();
    for (key, assertion) in written {
        let origin = format!("{}.assertions[{}]", set.at, shown(key));
        let kebab = kebab_case(key);
        if kebab != *key {
            // Lighthouse CI kebab-cases the key, then looks the kebab-cased key up among the
            // assertions: a key spelt otherwise finds nothing and is off.
            let shadowed = set.assertions.is_some_and(|all| all.contains_key(&kebab));
            if !shadowed {
                imported.kept.push(Note::new(
                    origin,
                    format!("Lighthouse CI reads this key as {} and finds no assertion there: it asserted nothing, so no check", shown(&kebab)),
                ));
            }
            continue;
        }
        assertions.insert(kebab, (origin, assertion.clone()));
    }
    for (key, (origin, assertion)) in &assertions {
        if assertion.level == Level::Off {
            continue;
        }
        import_assertion(set, key, origin, assertion, imported);
    }
    Ok(())
}

fn import_assertion(set: &Set<'_>, key: &str, origin: &str, assertion: &Assertion, imported: &mut Imported) {
    let parts: Vec<&str> = key.split(['.', ':']).filter(|part| !part.is_empty()).collect();
    let options = &assertion.options;
    let aggregation = options.aggregation_method.or(set.aggregation).unwrap_or(Aggregation::Optimistic);
    let level = format!("{:?}", assertion.level).to_lowercase();
    let written = if options_empty(options) { level } else { format!("[{level}, {}]", shown(options)) };
    if assertion.ignored > 0 {
        imported.kept.push(Note::new(
            origin,
            format!(
                "{} after [level, options], which Lighthouse CI does not read either",
                crate::quantity::count(assertion.ignored, "element", "elements")
            ),
        ));
    }
    let mut lose = |what: String| imported.lost.push(Note::new(origin, what));
    if options.max_length.is_some() {
        lose("maxLength counts an audit's items; perfbudget does not budget audit details".into());
    }
    let manual = options.max_length.is_some() || options.max_numeric_value.is_some();
    let min_score = options.min_score.or((!manual).then_some(0.9));
    let base = |source: String, metric: &str| {
        let mut entry = Entry::new(source)
            .with("name", yaml_string(&name_of(key, set.url.as_deref())))
            .with("metric", metric.to_owned());
        if let Some(url) = &set.url {
            entry = entry.with("url", yaml_string(url));
        }
        entry
    };
    let finish = |entry: Entry| {
        let entry = entry.with("aggregate", aggregation.name().into());
        if assertion.level == Level::Warn { entry.with("level", "warn".into()) } else { entry }
    };
    let source = format!("{origin}: {written}");
    let mut entries = Vec::new();
    match parts.as_slice() {
        [audit] if METRIC_AUDITS.iter().any(|(id, _)| id == audit) => {
            let metric = METRIC_AUDITS.iter().find(|(id, _)| id == audit).map_or("", |(_, metric)| *metric);
            if let Some(max) = options.max_numeric_value {
                let limit = if metric == "cls" { max.to_string() } else { ms_text(max) };
                entries.push(finish(base(source.clone(), metric).with("max", limit)));
            }
            match (min_score, P10.iter().find(|(id, _, _)| id == audit)) {
                (None, _) => {}
                (Some(0.9), Some((_, mobile, desktop))) => {
                    for (form_factor, p10) in [("mobile", mobile), ("desktop", desktop)] {
                        let limit = if metric == "cls" { p10.to_string() } else { ms_text(*p10) };
                        let entry =
                            base(format!("{source}: score ≥ 0.9 is {metric} ≤ {limit} on {form_factor}"), metric)
                                .with("tags", format!("{{ form_factor: {form_factor} }}"))
                                .with("max", limit)
                                // Runs of the other form factor, or none of this one, are no failure.
                                .with("optional", "true".into());
                        entries.push(finish(entry));
                    }
                    imported.changed.push(Note::new(
                        origin,
                        format!(
                            "minScore 0.9 of {audit} is imported as its value at Lighthouse's p10 (Lighthouse 10 to 13: \
                             mobile and desktop curves): the same verdict except within Lighthouse's two-decimal score \
                             rounding near the limit"
                        ),
                    ));
                }
                (Some(score), _) => lose(format!(
                    "minScore {score} asserts the audit's score; perfbudget budgets {metric}'s value (a maxNumericValue \
                     imports)"
                )),
            }
        }
        ["categories", "performance"] => {
            if options.max_numeric_value.is_some() {
                lose("maxNumericValue on a category means nothing to Lighthouse CI either".into());
            }
            if let Some(score) = min_score {
                let limit = crate::quantity::significant(score * 100.0);
                entries.push(finish(
                    base(format!("{source}: minScore {score} is score {limit}"), "score").with("min", limit),
                ));
            }
        }
        ["categories", category] => {
            lose(format!("the {category} category: perfbudget budgets the performance score only"));
        }
        ["resource-summary", kind, "size"] => match options.max_numeric_value {
            Some(max) if PAGE_TYPES.contains(kind) => {
                entries.push(finish(
                    base(source.clone(), &format!("page_weight.{kind}")).with("max", size_limit_text(max)),
                ));
            }
            Some(_) => lose(format!("{kind} is not a resource type Lighthouse reports")),
            None => lose("a resource-summary assertion without maxNumericValue asserts its score; not imported".into()),
        },
        ["resource-summary", _, "count"] => {
            lose("request counts: perfbudget does not read Lighthouse's request counts".into());
        }
        ["total-byte-weight"] => match options.max_numeric_value {
            Some(max) => entries.push(finish(base(source.clone(), "page_weight").with("max", size_limit_text(max)))),
            None => {
                lose(
                    "minScore of total-byte-weight asserts its score; a maxNumericValue imports as page_weight".into(),
                );
            }
        },
        ["user-timings", ..] => lose("user timings: perfbudget does not read them".into()),
        // An audit's `maxLength` is said above; the rest of it is its score.
        _ if options.max_length.is_some() && options.min_score.is_none() => {}
        _ => lose(format!("{} is not a metric perfbudget budgets (perfbudget has no audit-score budget)", shown(&key))),
    }
    imported.entries.extend(entries);
}

const PAGE_TYPES: &[&str] =
    &["total", "document", "script", "stylesheet", "image", "media", "font", "other", "third-party"];

fn options_empty(options: &Options) -> bool {
    options.min_score.is_none() && options.max_numeric_value.is_none() && options.max_length.is_none()
}

fn name_of(key: &str, url: Option<&str>) -> String {
    match url {
        Some(url) => format!("{key} {url}"),
        None => key.to_owned(),
    }
}

/// `_.kebabCase` of @lhci/utils' lodash: a dash between a lower-case letter and a capital,
/// then all lower-case.
fn kebab_case(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    let mut previous_lower = false;
    for c in key.chars() {
        if previous_lower && c.is_ascii_uppercase() {
            out.push('-');
        }
        previous_lower = c.is_ascii_lowercase();
        out.extend(c.to_lowercase());
    }
    out
}

/// An unanchored JavaScript regular expression tested against the URL, as a URL glob, when
/// it is only literals, escaped punctuation, `.`, `.*` and `^`/`$`.
fn url_glob(pattern: &str) -> Option<String> {
    let (pattern, start) = match pattern.strip_prefix('^') {
        Some(rest) => (rest, true),
        None => (pattern, false),
    };
    let (pattern, end) = match pattern.strip_suffix('$').filter(|rest| !rest.ends_with('\\')) {
        Some(rest) => (rest, true),
        None => (pattern, false),
    };
    let mut glob = String::from(if start { "" } else { "*" });
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let escaped = chars.next()?;
                if escaped.is_ascii_alphanumeric() {
                    return None;
                }
                glob.push_str(&crate::budget::escape_glob(&escaped.to_string()));
            }
            '.' if chars.peek() == Some(&'*') => {
                chars.next();
                glob.push('*');
            }
            '.' if chars.peek() == Some(&'+') => {
                chars.next();
                glob.push_str("?*");
            }
            '.' => glob.push('?'),
            '[' | ']' | '(' | ')' | '{' | '}' | '|' | '+' | '*' | '?' | '^' | '$' => return None,
            other => glob.push(other),
        }
    }
    if !end {
        glob.push('*');
    }
    while glob.contains("**") {
        glob = glob.replace("**", "*");
    }
    Some(glob)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_kebab_cased_as_lighthouse_ci_does() {
        assert_eq!(kebab_case("firstContentfulPaint"), "first-contentful-paint");
        assert_eq!(kebab_case("categories:performance"), "categories:performance");
        assert_eq!(kebab_case("resource-summary:script:size"), "resource-summary:script:size");
    }

    #[test]
    fn simple_patterns_become_globs_and_others_none() {
        assert_eq!(url_glob("/checkout").as_deref(), Some("*/checkout*"));
        assert_eq!(url_glob("localhost:8080/$").as_deref(), Some("*localhost:8080/"));
        assert_eq!(url_glob("^https://example\\.com/.*").as_deref(), Some("https://example.com/*"));
        assert_eq!(url_glob("fast\\.html").as_deref(), Some("*fast.html*"));
        assert_eq!(url_glob(".*"), Some("*".into()));
        assert_eq!(url_glob("/(a|b)"), None);
        assert_eq!(url_glob("\\d+"), None);
        assert_eq!(url_glob("/a?"), None);
    }
}

#[cfg(test)]
mod p10_tests {
    use super::P10;

    /// Every navigation report of Lighthouse 10+ in the fixtures: an audit's value is at most
    /// its p10 exactly when Lighthouse scored it 0.9 or more, the rule the import relies on.
    #[test]
    fn the_p10_limit_agrees_with_lighthouse_s_scores_in_the_fixtures() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut compared = 0;
        for entry in walkdir::WalkDir::new(root.join("tests/fixtures/lighthouse")).into_iter().flatten() {
            let Ok(text) = std::fs::read_to_string(entry.path()) else { continue };
            let Ok(lhr) = serde_json::from_str::<serde_json::Value>(&text) else { continue };
            let major: u32 =
                lhr["lighthouseVersion"].as_str().and_then(|v| v.split('.').next()?.parse().ok()).unwrap_or(0);
            let navigation = lhr["gatherMode"].as_str().is_none_or(|mode| mode == "navigation");
            let form_factor = lhr["configSettings"]["formFactor"].as_str();
            if major < 10 || !navigation {
                continue;
            }
            for (audit, mobile, desktop) in P10 {
                let p10 = match form_factor {
                    Some("mobile") => mobile,
                    Some("desktop") => desktop,
                    _ => continue,
                };
                let (Some(value), Some(score)) =
                    (lhr["audits"][audit]["numericValue"].as_f64(), lhr["audits"][audit]["score"].as_f64())
                else {
                    continue;
                };
                assert_eq!(value <= *p10, score >= 0.9, "{}: {audit} {value} scored {score}", entry.path().display());
                compared += 1;
            }
        }
        assert_eq!(compared, 70);
    }
}
