//! Which measurements each check selects.
//!
//! A check selects a measurement when the metric and statistic fit and, for every
//! selector, the measurement has the tag, one include glob matches its value (or there is
//! none) and no exclude glob does; a subject holding a tag read only when selected (a
//! run's `period`, [`crate::model::vocabulary::SELECTED_ONLY_BY_NAME`]) needs a selector on
//! it too. Testing every glob of every check against every
//! measurement costs checks × measurements glob matches (a million for a large
//! monorepo). Instead, for each metric and tag, one Aho-Corasick automaton holds the
//! longest literal run of every glob on it (`/checkout` of `*/checkout*`): a literal that
//! stands outside `*`, `?`, `[...]` and `{...}` appears verbatim in every string the glob
//! matches, so one scan of a tag value finds the few globs that can match it, and only
//! those are tested. The automaton holds at most the first [`MAX_PREFILTER_LITERAL`]
//! bytes of each literal: any part of a literal is in every match too, so a cut literal
//! only lets a few more globs be tested, and the automaton stays linear in the number of
//! globs however long one literal is (a DFA over one 80,000-character literal took 20 s).

use std::collections::HashMap;

use aho_corasick::AhoCorasick;

use crate::budget::{Check, Pattern};
use crate::model::Measurement;
use crate::model::vocabulary::reads_subject;

/// For each check (in order), the measurements it selects, in input order; `None` once
/// more than `max_selected` (check, measurement) pairs are selected in all, so memory stays
/// bounded however broad the entries are.
pub(super) fn select<'m>(
    checks: &[Check],
    measurements: &'m [Measurement],
    max_selected: usize,
) -> Option<Vec<Vec<&'m Measurement>>> {
    let mut by_metric: HashMap<&str, Vec<&'m Measurement>> = HashMap::new();
    for measurement in measurements {
        by_metric.entry(measurement.metric.as_str()).or_default().push(measurement);
    }
    let mut checks_by_metric: HashMap<&str, Vec<usize>> = HashMap::new();
    for (index, check) in checks.iter().enumerate() {
        checks_by_metric.entry(check.selects().metric).or_default().push(index);
    }
    let mut selected: Vec<Vec<&'m Measurement>> = vec![Vec::new(); checks.len()];
    let mut total = 0_usize;
    let mut state = MatchState::new(checks.len());
    for (metric, check_indices) in checks_by_metric {
        let Some(candidates) = by_metric.get(metric) else { continue };
        let index = TagIndex::build(checks, &check_indices);
        let unselective: Vec<usize> =
            check_indices.iter().copied().filter(|&i| checks[i].selectors.is_empty()).collect();
        for measurement in candidates {
            let stat = measurement.stat.as_deref();
            // Raw samples carry no statistic yet: every check on their metric may take them.
            let raw = measurement.distribution.is_some();
            let mut take = |check_index: usize| {
                let check = &checks[check_index];
                let exact = raw || !check.exact_subject || measurement.subject.len() == check.selectors.len();
                // A period of a run is read only by a check that selects periods.
                let read = reads_subject(&measurement.subject, |tag| check.selectors.iter().any(|s| s.tag == tag));
                if exact && read && (raw || check.selects().stats.rank(stat).is_some()) {
                    selected[check_index].push(*measurement);
                    total += 1;
                }
            };
            for &check_index in &unselective {
                take(check_index);
            }
            index.match_tags(measurement, &mut state);
            for &check_index in &state.touched {
                if state.accepts(check_index, checks[check_index].selectors.len()) {
                    take(check_index);
                }
            }
            if total > max_selected {
                return None;
            }
        }
    }
    Some(selected)
}

/// Whether a glob includes or excludes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Include,
    Exclude,
}

/// The globs of every check on one metric, grouped by tag.
struct TagIndex<'c> {
    tags: Vec<TagGlobs<'c>>,
}

struct TagGlobs<'c> {
    tag: &'c str,
    /// Each distinct glob once: many checks often share one (`status: "2*"`).
    globs: Prefiltered<'c>,
    /// For each distinct glob: the checks it belongs to and whether it includes or excludes.
    owners: Vec<Vec<(usize, Role)>>,
    /// Checks that select on this tag with exclude globs only: having the tag satisfies them.
    exclude_only: Vec<usize>,
}

/// Globs behind a literal prefilter.
struct Prefiltered<'c> {
    patterns: Vec<&'c Pattern>,
    /// Finds the literal of each glob in `with_literal`, by its index there.
    literals: Option<AhoCorasick>,
    with_literal: Vec<usize>,
    /// Globs without a literal (`*`): every value is a candidate.
    without_literal: Vec<usize>,
    /// Exact values (a manifest entry's files, a k6 submetric's tags) by value: found by
    /// one lookup, so an entry of 80,000 files costs no scan per file.
    exact: HashMap<&'c str, usize>,
}

impl<'c> Prefiltered<'c> {
    fn new(patterns: Vec<&'c Pattern>) -> Prefiltered<'c> {
        let mut literals = Vec::new();
        let mut with_literal = Vec::new();
        let mut without_literal = Vec::new();
        let mut exact = HashMap::new();
        for (index, pattern) in patterns.iter().enumerate() {
            if let Some(value) = pattern.exact_value() {
                exact.insert(value, index);
                continue;
            }
            let literal = prefilter_literal(&pattern.text);
            if literal.is_empty() {
                without_literal.push(index);
            } else {
                literals.push(literal);
                with_literal.push(index);
            }
        }
        // An automaton that fails to build only loses the prefilter: every glob is tested.
        let automaton = if literals.is_empty() { None } else { AhoCorasick::new(&literals).ok() };
        if automaton.is_none() {
            without_literal.append(&mut with_literal);
        }
        Prefiltered { patterns, literals: automaton, with_literal, without_literal, exact }
    }

    /// The indices of the globs matching `value`, into `out` (cleared first);
    /// `candidates` is a scratch buffer.
    fn matches_into(&self, value: &str, candidates: &mut Vec<usize>, out: &mut Vec<usize>) {
        out.clear();
        candidates.clear();
        candidates.extend_from_slice(&self.without_literal);
        if let Some(automaton) = &self.literals {
            candidates
                .extend(automaton.find_overlapping_iter(value).map(|hit| self.with_literal[hit.pattern().as_usize()]));
        }
        candidates.sort_unstable();
        candidates.dedup();
        for &index in candidates.iter() {
            if self.patterns[index].is_match(value) {
                out.push(index);
            }
        }
        if let Some(&index) = self.exact.get(value) {
            out.push(index);
        }
    }
}

/// The most bytes of a glob's literal the prefilter looks for: enough to tell URLs and
/// ids apart, short enough that building the automaton costs little per glob.
const MAX_PREFILTER_LITERAL: usize = 64;

/// What the prefilter looks for: the start of the glob's longest literal, cut at a
/// character boundary.
fn prefilter_literal(glob: &str) -> &str {
    let literal = longest_literal(glob);
    let mut end = literal.len().min(MAX_PREFILTER_LITERAL);
    while !literal.is_char_boundary(end) {
        end -= 1;
    }
    &literal[..end]
}

/// The longest run of characters of a glob that every match contains verbatim: outside
/// `[...]` and `{...}`, between wildcards; an escaped character ends a run.
fn longest_literal(glob: &str) -> &str {
    let mut best = "";
    let mut depth = 0usize;
    let mut start: Option<usize> = None;
    let mut escaped = false;
    for (at, c) in glob.char_indices() {
        let literal = !escaped && depth == 0 && !matches!(c, '*' | '?' | '[' | ']' | '{' | '}' | '\\');
        if escaped {
            escaped = false;
        } else {
            match c {
                '\\' => escaped = true,
                '[' | '{' => depth += 1,
                ']' | '}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        match (literal, start) {
            (true, None) => start = Some(at),
            (false, Some(from)) => {
                if at - from > best.len() {
                    best = &glob[from..at];
                }
                start = None;
            }
            _ => {}
        }
    }
    if let Some(from) = start
        && glob.len() - from > best.len()
    {
        best = &glob[from..];
    }
    best
}

impl<'c> TagIndex<'c> {
    fn build(checks: &'c [Check], check_indices: &[usize]) -> TagIndex<'c> {
        #[derive(Default)]
        struct Collected<'c> {
            patterns: Vec<&'c Pattern>,
            distinct: HashMap<&'c Pattern, usize>,
            owners: Vec<Vec<(usize, Role)>>,
            exclude_only: Vec<usize>,
        }
        impl<'c> Collected<'c> {
            fn add(&mut self, pattern: &'c Pattern, owner: (usize, Role)) {
                let next = self.patterns.len();
                let index = *self.distinct.entry(pattern).or_insert(next);
                if index == next {
                    self.patterns.push(pattern);
                    self.owners.push(Vec::new());
                }
                self.owners[index].push(owner);
            }
        }
        let mut by_tag: HashMap<&'c str, Collected<'c>> = HashMap::new();
        for &check_index in check_indices {
            for selector in &checks[check_index].selectors {
                let collected = by_tag.entry(selector.tag.as_str()).or_default();
                for pattern in &selector.include {
                    collected.add(pattern, (check_index, Role::Include));
                }
                for pattern in &selector.exclude {
                    collected.add(pattern, (check_index, Role::Exclude));
                }
                if selector.include.is_empty() {
                    collected.exclude_only.push(check_index);
                }
            }
        }
        let mut tags: Vec<TagGlobs<'c>> = by_tag
            .into_iter()
            .map(|(tag, collected)| TagGlobs {
                tag,
                globs: Prefiltered::new(collected.patterns),
                owners: collected.owners,
                exclude_only: collected.exclude_only,
            })
            .collect();
        tags.sort_by(|a, b| a.tag.cmp(b.tag));
        TagIndex { tags }
    }

    /// Records in `state` which selectors of which checks accept the measurement.
    fn match_tags(&self, measurement: &Measurement, state: &mut MatchState) {
        state.begin();
        for (tag_number, tag) in self.tags.iter().enumerate() {
            let Some(value) = measurement.subject.get(tag.tag) else { continue };
            tag.globs.matches_into(value, &mut state.candidates, &mut state.hits);
            for hit in 0..state.hits.len() {
                for &(check_index, role) in &tag.owners[state.hits[hit]] {
                    match role {
                        Role::Exclude => state.exclude(check_index),
                        Role::Include => state.satisfy(check_index, tag_number),
                    }
                }
            }
            for &check_index in &tag.exclude_only {
                state.satisfy(check_index, tag_number);
            }
        }
    }
}

/// Per-check counters for the measurement being matched, reset by a stamp instead of by
/// clearing, so matching one measurement costs only the checks its tags hit.
struct MatchState {
    stamp: Vec<usize>,
    satisfied: Vec<usize>,
    last_tag: Vec<usize>,
    excluded: Vec<bool>,
    current: usize,
    /// Checks some selector of which saw the current measurement.
    touched: Vec<usize>,
    /// Reused buffers of glob indices.
    candidates: Vec<usize>,
    hits: Vec<usize>,
}

impl MatchState {
    fn new(checks: usize) -> MatchState {
        MatchState {
            stamp: vec![0; checks],
            satisfied: vec![0; checks],
            last_tag: vec![usize::MAX; checks],
            excluded: vec![false; checks],
            current: 0,
            touched: Vec::new(),
            candidates: Vec::new(),
            hits: Vec::new(),
        }
    }

    /// Starts a new measurement: every counter becomes stale at once.
    fn begin(&mut self) {
        self.current += 1;
        self.touched.clear();
    }

    fn touch(&mut self, check: usize) {
        if self.stamp[check] != self.current {
            self.stamp[check] = self.current;
            self.touched.push(check);
            self.satisfied[check] = 0;
            self.last_tag[check] = usize::MAX;
            self.excluded[check] = false;
        }
    }

    /// One selector of the check (the one on `tag`) accepts; counted once per tag.
    fn satisfy(&mut self, check: usize, tag: usize) {
        self.touch(check);
        if self.last_tag[check] != tag {
            self.last_tag[check] = tag;
            self.satisfied[check] += 1;
        }
    }

    fn exclude(&mut self, check: usize) {
        self.touch(check);
        self.excluded[check] = true;
    }

    fn accepts(&self, check: usize, required: usize) -> bool {
        self.stamp[check] == self.current && !self.excluded[check] && self.satisfied[check] == required
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::budget;
    use crate::ingest::measurements::parse;

    #[test]
    fn longest_literals_stand_outside_wildcards_classes_and_braces() {
        assert_eq!(longest_literal("*/checkout*"), "/checkout");
        assert_eq!(longest_literal("dist/assets/*.js"), "dist/assets/");
        assert_eq!(longest_literal("{main,vendor}-bundle.js"), "-bundle.js");
        assert_eq!(longest_literal("a[bcdefgh]xy"), "xy");
        assert_eq!(longest_literal("ab\\*cdefg"), "cdefg");
        assert_eq!(longest_literal("*"), "");
        assert_eq!(longest_literal("GET /api/users"), "GET /api/users");
        let long = format!("*/{}é{}*", "a".repeat(62), "b".repeat(100));
        assert_eq!(prefilter_literal(&long), format!("/{}", "a".repeat(62)), "cut before the two-byte é");
        assert_eq!(prefilter_literal("*/checkout*"), "/checkout");
    }

    /// The index must select exactly what testing every selector one by one selects.
    #[test]
    fn selects_what_the_one_by_one_rules_select() {
        let budget = budget::parse_str(
            r#"
version: 1
limits:
  lcp: 2.5s
budgets:
  - { metric: lcp, url: "*/checkout*", max: 2s }
  - { metric: lcp, url: "https://shop.example/{cart,checkout}/*", max: 2s }
  - { metric: lcp, url: "*", tags: { form_factor: desktop }, max: 2s }
  - { metric: lcp, url: "*shop*", tags: { form_factor: "[dm]*" }, max: 2s }
  - { metric: api_p95, tags: { name: "GET /api/*", status: "2??" }, max: 2s }
  - { metric: bundle_size, files: ["dist/**/*.js", "!**/vendor*", "!**/*.map"], max: 1MB }
  - { metric: bundle_size, files: ["!dist/legacy/*"], each: true, max: 1MB }
  - { metric: lcp, url: "https://shop.example/catalogue/{LONG}/a*", max: 2s }
  - { metric: lcp, url: "https://shop.example/catalogue/{LONG}/b*", max: 2s }
"#
            .replace("{LONG}", &"x".repeat(200))
            .as_str(),
            "b.yml",
            Path::new(""),
        )
        .unwrap();
        let mut rows = Vec::new();
        let long = |tail: &str| format!("https://shop.example/catalogue/{}/{tail}", "x".repeat(200));
        let (long_a, long_b, long_short) = (long("a1"), long("b2"), long("").replace("xx/", "x/"));
        for (url, form_factor) in [
            ("https://shop.example/", "mobile"),
            ("https://shop.example/checkout/pay", "desktop"),
            ("https://shop.example/cart/", "mobile"),
            ("https://other.example/checkout", "desktop"),
            (long_a.as_str(), "mobile"),
            (long_b.as_str(), "mobile"),
            (long_short.as_str(), "mobile"),
        ] {
            rows.push(format!(r#"{{"source":"l","metric":"lcp","subject":{{"url":"{url}","form_factor":"{form_factor}"}},"value":1,"unit":"ms"}}"#));
        }
        rows.push(r#"{"source":"l","metric":"lcp","subject":{},"value":1,"unit":"ms"}"#.to_owned());
        for (name, status) in [("GET /api/users", "200"), ("GET /api/users", "500"), ("POST /api/users", "201")] {
            rows.push(format!(r#"{{"source":"k6","metric":"http_req_duration","stat":"p(95)","subject":{{"name":"{name}","status":"{status}"}},"value":1,"unit":"ms"}}"#));
        }
        for file in [
            "dist/a.js",
            "dist/js/vendor.js",
            "dist/js/app.js",
            "dist/js/app.js.map",
            "dist/legacy/old.js",
            "dist/b.css",
        ] {
            rows.push(format!(r#"{{"source":"b","metric":"bundle_size","stat":"brotli","subject":{{"file":"{file}"}},"value":1,"unit":"B"}}"#));
        }
        let measurements = parse(&format!("[{}]", rows.join(","))).unwrap();
        let indexed = select(&budget.checks, &measurements, usize::MAX).unwrap();
        for (check, selected) in budget.checks.iter().zip(&indexed) {
            let selects = check.selects();
            let one_by_one: Vec<&Measurement> = measurements
                .iter()
                .filter(|m| m.metric == selects.metric && selects.stats.rank(m.stat.as_deref()).is_some())
                .filter(|m| check.selectors.iter().all(|s| m.subject.get(&s.tag).is_some_and(|v| s.matches(v))))
                .collect();
            assert_eq!(selected, &one_by_one, "{}", check.label);
        }
        let counts: Vec<usize> = indexed.iter().map(Vec::len).collect();
        // The last check leaves out app.js.map: source maps count only where a glob names them.
        assert_eq!(counts, vec![8, 2, 2, 2, 6, 1, 3, 4, 1, 1]);
    }
}
