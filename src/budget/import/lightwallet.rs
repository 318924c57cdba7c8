//! Lighthouse's `budget.json` (LightWallet, `lighthouse --budget-path` until Lighthouse 12,
//! Lighthouse CI's `budgetsFile` still): per path, transfer sizes in KiB and timings in ms.
//! Lighthouse CI converts each budget to assertions at level `error` with its default
//! `optimistic` aggregation; the import does the same, so the verdicts stay the same.

use serde::Deserialize;
use serde::de::IgnoredAny;

use super::{Entry, Imported, Note, ms_text, shown, size_limit_text, yaml_string};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct Budget {
    path: Option<String>,
    options: Option<Options>,
    resource_sizes: Option<Vec<Resource>>,
    resource_counts: Option<Vec<Resource>>,
    timings: Option<Vec<Timing>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Options {
    first_party_hostnames: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Resource {
    resource_type: ResourceType,
    budget: f64,
}

#[derive(Debug, Clone, Copy, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
enum ResourceType {
    Total,
    Document,
    Script,
    Stylesheet,
    Image,
    Media,
    Font,
    Other,
    ThirdParty,
}

impl ResourceType {
    fn name(self) -> &'static str {
        match self {
            ResourceType::Total => "total",
            ResourceType::Document => "document",
            ResourceType::Script => "script",
            ResourceType::Stylesheet => "stylesheet",
            ResourceType::Image => "image",
            ResourceType::Media => "media",
            ResourceType::Font => "font",
            ResourceType::Other => "other",
            ResourceType::ThirdParty => "third-party",
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Timing {
    metric: TimingMetric,
    budget: f64,
    /// Removed in Lighthouse 6 (lighthouse#9770): accepted, and said to be ignored.
    tolerance: Option<IgnoredAny>,
}

#[derive(Debug, Clone, Copy, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
enum TimingMetric {
    FirstContentfulPaint,
    Interactive,
    FirstMeaningfulPaint,
    MaxPotentialFid,
    TotalBlockingTime,
    SpeedIndex,
    LargestContentfulPaint,
    CumulativeLayoutShift,
}

/// Adds each budget's sizes and timings; `at` is where the list is (`""` for a file of its
/// own, `ci.assert.budgetsFile` otherwise).
pub(super) fn import(budgets: &[Budget], at: &str, imported: &mut Imported) {
    let paths: Vec<Option<&str>> = budgets.iter().map(|budget| budget.path.as_deref()).collect();
    if paths.len() > 1 {
        imported.changed.push(Note::new(
            if at.is_empty() { "budget.json" } else { at },
            "Lighthouse applied only the last budget whose path matches a page; perfbudget, like Lighthouse CI's \
             conversion, applies every matching one",
        ));
    }
    for (index, budget) in budgets.iter().enumerate() {
        let here = format!("{at}[{index}]");
        let url = match budget.path.as_deref() {
            None | Some("/") => None,
            Some(path) => {
                match url_glob(path) {
                    Some(glob) => {
                        imported.changed.push(Note::new(
                            format!("{here}.path"),
                            format!(
                                "{} matched the path after the host; the url glob {} also matches it deeper in a URL",
                                shown(&path),
                                shown(&glob)
                            ),
                        ));
                        Some(glob)
                    }
                    None => {
                        imported.lost.push(Note::new(
                        format!("{here}.path"),
                        format!("{} is not a budget.json path (it starts with `/`, at most one `*`, `$` only at the end)", shown(&path)),
                    ));
                        continue;
                    }
                }
            }
        };
        if budget.options.as_ref().is_some_and(|options| options.first_party_hostnames.is_some()) {
            imported.skipped.push(Note::new(
                format!("{here}.options.firstPartyHostnames"),
                "Lighthouse CI does not use it either; third-party sizes are Lighthouse's own",
            ));
        }
        // Named as Lighthouse CI's conversion names the assertion, with the path.
        let entry = |source: String, key: String, metric: &str| {
            let name = match &budget.path {
                Some(path) => format!("{key} {path}"),
                None => key,
            };
            let entry = Entry::new(source).with("name", yaml_string(&name)).with("metric", metric.to_owned());
            match &url {
                Some(glob) => entry.with("url", yaml_string(glob)),
                None => entry,
            }
        };
        for (item, resource) in budget.resource_sizes.iter().flatten().enumerate() {
            let bytes = (resource.budget * 1024.0).floor();
            let source =
                format!("{here}.resourceSizes[{item}]: {} {} KiB", resource.resource_type.name(), resource.budget);
            imported.entries.push(
                entry(
                    source,
                    format!("resource-summary:{}:size", resource.resource_type.name()),
                    &format!("page_weight.{}", resource.resource_type.name()),
                )
                .with("max", size_limit_text(bytes))
                .with("aggregate", "optimistic".into()),
            );
        }
        for (item, resource) in budget.resource_counts.iter().flatten().enumerate() {
            imported.lost.push(Note::new(
                format!("{here}.resourceCounts[{item}]"),
                format!(
                    "{} requests ≤ {}: perfbudget does not read Lighthouse's request counts",
                    resource.resource_type.name(),
                    resource.budget
                ),
            ));
        }
        for (item, timing) in budget.timings.iter().flatten().enumerate() {
            let at_timing = format!("{here}.timings[{item}]");
            if timing.tolerance.is_some() {
                imported.kept.push(Note::new(&at_timing, "`tolerance` was removed in Lighthouse 6; ignored"));
            }
            let (metric, limit) = match timing.metric {
                TimingMetric::FirstContentfulPaint => ("fcp", ms_text(timing.budget)),
                TimingMetric::Interactive => ("tti", ms_text(timing.budget)),
                TimingMetric::TotalBlockingTime => ("tbt", ms_text(timing.budget)),
                TimingMetric::SpeedIndex => ("speed_index", ms_text(timing.budget)),
                TimingMetric::LargestContentfulPaint => ("lcp", ms_text(timing.budget)),
                TimingMetric::CumulativeLayoutShift => ("cls", timing.budget.to_string()),
                TimingMetric::FirstMeaningfulPaint | TimingMetric::MaxPotentialFid => {
                    imported.lost.push(Note::new(
                        &at_timing,
                        format!(
                            "{} is not a perfbudget metric (FMP left Lighthouse in 12.1; max-potential-fid is FID's)",
                            shown(&timing.metric)
                        ),
                    ));
                    continue;
                }
            };
            let source = format!("{at_timing}: {} {}", shown(&timing.metric), timing.budget);
            let key = shown(&timing.metric).trim_matches('"').to_owned();
            imported.entries.push(entry(source, key, metric).with("max", limit).with("aggregate", "optimistic".into()));
        }
    }
}

/// A budget.json path (robots.txt style: a prefix of the URL's path and query, `*` any
/// characters, `$` the end) as a glob over the page URL.
fn url_glob(path: &str) -> Option<String> {
    let (body, anchored) = match path.strip_suffix('$') {
        Some(body) => (body, true),
        None => (path, false),
    };
    if !body.starts_with('/') || body.contains('$') || body.matches('*').count() > 1 {
        return None;
    }
    let parts: Vec<String> = body.split('*').map(crate::budget::escape_glob).collect();
    let mut glob = format!("*://*{}", parts.join("*"));
    if !anchored && !glob.ends_with('*') {
        glob.push('*');
    }
    Some(glob)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_url_globs() {
        assert_eq!(url_glob("/blog").as_deref(), Some("*://*/blog*"));
        assert_eq!(url_glob("/shop/*/cart$").as_deref(), Some("*://*/shop/*/cart"));
        assert_eq!(url_glob("/a?b[c]").as_deref(), Some("*://*/a\\?b\\[c\\]*"));
        assert_eq!(url_glob("blog"), None);
        assert_eq!(url_glob("/a*b*c"), None);
    }
}
