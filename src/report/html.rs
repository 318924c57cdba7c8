//! `--html FILE`: the whole report as one self-contained page. No network, no script (a
//! strict Content-Security-Policy forbids both), readable in light and dark, on screen and
//! on paper. The pictures are inline SVG drawn here: each check's use of its limit against
//! the warning band, its trend over the base branch's runs, a summed bundle's files and
//! repeated runs around the value they combine to. Verdicts are a symbol and a word, never
//! colour alone. Every string from an input goes through [`html`]; SVG holds only numbers
//! and our own words.

use std::fmt::Write as _;

use super::escape::html;
use super::json::Report;
use super::{Cells, Columns, bars, file_table, summary_counts, worst_first};
use crate::model::{CheckResult, LimitValue, Verdict};

/// The policy: nothing may load, no script may run, only the page's own styles apply.
const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; base-uri 'none'";

const STYLE: &str = r#"
:root { color-scheme: light dark; --fg: #1f2328; --muted: #59636e; --bg: #ffffff; --line: #d1d9e0;
  --red: #cf222e; --yellow: #9a6700; --green: #1a7f37; --track: #eef1f4; --band: #f5d77a; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6edf3; --muted: #9198a1; --bg: #0d1117; --line: #3d444d;
    --red: #ff7b72; --yellow: #d29922; --green: #3fb950; --track: #262c36; --band: #6e5a1e; } }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg);
  margin: 2rem auto; max-width: 78rem; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; } h2 { font-size: 1.1rem; margin: 2rem 0 .5rem; }
p { margin: .25rem 0; } .muted { color: var(--muted); }
table { border-collapse: collapse; width: 100%; } th, td { border-bottom: 1px solid var(--line); padding: .35rem .5rem;
  text-align: left; vertical-align: top; } th { font-weight: 600; } td.num { text-align: right; white-space: nowrap; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; overflow-wrap: anywhere; }
.red { color: var(--red); } .yellow { color: var(--yellow); } .green { color: var(--green); }
.verdict { font-weight: 600; white-space: nowrap; }
.use { display: flex; align-items: center; gap: .4rem; white-space: nowrap; }
svg { display: block; } svg text { font: 11px system-ui, sans-serif; fill: var(--muted); }
.track { fill: var(--track); } .band { fill: var(--band); } .limit { stroke: var(--fg); stroke-width: 1.5; }
.fill-red { fill: var(--red); } .fill-yellow { fill: var(--yellow); } .fill-green { fill: var(--green); }
.trend { fill: none; stroke: var(--muted); stroke-width: 1.5; } .dot { fill: var(--muted); }
.now-red { fill: var(--red); } .now-yellow { fill: var(--yellow); } .now-green { fill: var(--green); }
figure { margin: 1rem 0; } figcaption { font-size: 12px; color: var(--muted); }
@media print { :root { --fg: #000; --muted: #333; --bg: #fff; --line: #999; --track: #eee; --band: #ddd; }
  body { margin: 0; max-width: none; } tr { break-inside: avoid; } }
"#;

fn verdict_word(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Red => "✖ red",
        Verdict::Yellow => "▲ yellow",
        Verdict::Green => "✔ green",
    }
}

/// Renders the page.
pub fn render(report: &Report) -> String {
    let mut page = String::with_capacity(16 * 1024 + report.checks.len() * 2048);
    let name = report.budget.name.as_deref().map(html);
    let title = match &name {
        Some(name) => format!("perfbudget: {} — {name}", report.verdict.as_str()),
        None => format!("perfbudget: {}", report.verdict.as_str()),
    };
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<header>\n\
         <h1 class=\"{verdict}\">perfbudget: {word}{budget}</h1>\n<p>{counts}.</p>\n",
        verdict = report.verdict.as_str(),
        word = verdict_word(report.verdict),
        budget = name.as_ref().map_or_else(String::new, |name| format!(" — {name}")),
        counts = summary_counts(report),
    );
    if let Some(line) = super::baseline_line(report, &|text| html(text)) {
        let _ = writeln!(page, "<p class=\"muted\">{line}.</p>");
    }
    if let Some(line) = super::history_line(report, &|text| html(text)) {
        let _ = writeln!(page, "<p class=\"muted\">{line}.</p>");
    }
    page.push_str("</header>\n<main>\n<h2>Checks</h2>\n");
    checks_table(&mut page, report);
    trends(&mut page, report);
    files(&mut page, report);
    runs(&mut page, report);
    let _ = write!(
        page,
        "</main>\n<footer>\n<p class=\"muted\">Budget <code>{}</code> · perfbudget {}</p>\n</footer>\n</body>\n</html>\n",
        html(&report.budget.file),
        html(&report.version)
    );
    page
}

fn checks_table(page: &mut String, report: &Report) {
    let columns = Columns::of(report);
    let _ = write!(
        page,
        "<table>\n<thead><tr><th>Verdict</th><th>Budget</th><th>Subject</th><th>Value</th><th>Limit</th>{}{}\
         <th>Details</th></tr></thead>\n<tbody>\n",
        if columns.uses { "<th>Use of the limit</th>" } else { "" },
        if columns.changes { "<th>Change</th>" } else { "" },
    );
    for check in worst_first(report) {
        let cells = Cells::of(check);
        let usage = if columns.uses {
            let bar = bars::use_cell(check).map_or_else(String::new, |(_, share)| {
                format!("<div class=\"use\">{}<span class=\"muted\">{share}</span></div>", use_bar(check))
            });
            format!("<td>{bar}</td>")
        } else {
            String::new()
        };
        let change =
            if columns.changes { format!("<td class=\"num\">{}</td>", html(&cells.change)) } else { String::new() };
        let _ = writeln!(
            page,
            "<tr><td class=\"verdict {verdict}\">{word}</td><td>{budget}</td><td>{subject}</td>\
             <td class=\"num\">{value}</td><td class=\"num\">{limit}</td>{usage}{change}<td>{message}</td></tr>",
            verdict = check.verdict.as_str(),
            word = verdict_word(check.verdict),
            budget = html(&cells.budget),
            subject = cells.subject.as_deref().map_or_else(|| "—".to_owned(), |s| format!("<code>{}</code>", html(s))),
            value = html(&cells.value),
            limit = html(&cells.limit),
            message = html(&check.message),
        );
    }
    page.push_str("</tbody>\n</table>\n");
}

/// A horizontal bar of the value against its limit: the track is 120% of the limit, the
/// warning band shaded, the limit a line; a value beyond the track ends in an arrow.
fn use_bar(check: &CheckResult) -> String {
    const WIDTH: f64 = 132.0;
    const LIMIT_AT: f64 = 110.0;
    let Some(share) = bars::budget_use(check) else { return String::new() };
    let band = bars::warning_use(check).map_or_else(String::new, |warning| {
        format!(
            "<rect class=\"band\" x=\"{:.1}\" y=\"3\" width=\"{:.1}\" height=\"10\"/>",
            warning * LIMIT_AT,
            (1.0 - warning) * LIMIT_AT
        )
    });
    let filled = (share * LIMIT_AT).min(WIDTH - 6.0);
    let arrow = if share * LIMIT_AT > WIDTH - 6.0 {
        format!(
            "<path class=\"fill-{0}\" d=\"M{1:.1} 2 L{2:.1} 8 L{1:.1} 14 Z\"/>",
            check.verdict.as_str(),
            WIDTH - 6.0,
            WIDTH
        )
    } else {
        String::new()
    };
    format!(
        "<svg width=\"{WIDTH}\" height=\"16\" role=\"img\" aria-label=\"{share} of the limit\">\
         <rect class=\"track\" x=\"0\" y=\"3\" width=\"{track:.1}\" height=\"10\"/>{band}\
         <rect class=\"fill-{verdict}\" x=\"0\" y=\"5\" width=\"{filled:.1}\" height=\"6\"/>{arrow}\
         <line class=\"limit\" x1=\"{LIMIT_AT}\" y1=\"0\" x2=\"{LIMIT_AT}\" y2=\"16\"/></svg>",
        share = bars::share_text(share),
        track = WIDTH - 6.0,
        verdict = check.verdict.as_str(),
    )
}

/// Maps `value` from `[min, max]` onto `[from, to]` (the middle when the range is empty).
fn scale(value: f64, (min, max): (f64, f64), (from, to): (f64, f64)) -> f64 {
    if max > min { from + (value - min) / (max - min) * (to - from) } else { (from + to) / 2.0 }
}

/// A line chart per check with a history: the base runs, this run as a coloured dot, the
/// limit as a line; the axis labels are our numbers and short commits only.
fn trends(page: &mut String, report: &Report) {
    let with_trend: Vec<&CheckResult> = worst_first(report).into_iter().filter(|c| !c.trend.is_empty()).collect();
    if with_trend.is_empty() {
        return;
    }
    page.push_str("<h2>Trends against the base branch</h2>\n");
    for check in with_trend {
        let (width, height, left, right, top, bottom) = (560.0, 150.0, 64.0, 540.0, 12.0, 120.0);
        let values: Vec<f64> = check.trend.iter().map(|point| point.value).collect();
        let current = check.value;
        let limit = check.limit.map(LimitValue::amount);
        let mut all = values.clone();
        all.extend(current);
        all.extend(limit);
        let min = all.iter().copied().fold(f64::INFINITY, f64::min);
        let max = all.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let count = values.len() + 1;
        let x = |at: usize| scale(at as f64, (0.0, (count - 1).max(1) as f64), (left, right));
        let y = |value: f64| scale(value, (min, max), (bottom, top));
        let points: Vec<String> =
            values.iter().enumerate().map(|(at, v)| format!("{:.1},{:.1}", x(at), y(*v))).collect();
        let mut svg = format!(
            "<svg width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"trend of {n} base runs and this run\">",
            n = values.len()
        );
        let _ = write!(
            svg,
            "<line class=\"limit\" x1=\"{left}\" y1=\"{bottom}\" x2=\"{right}\" y2=\"{bottom}\" style=\"stroke-width:.5\"/>\
             <text x=\"{tx}\" y=\"{ty1:.1}\" text-anchor=\"end\">{max}</text><text x=\"{tx}\" y=\"{ty2:.1}\" \
             text-anchor=\"end\">{min}</text>",
            tx = left - 6.0,
            ty1 = top + 4.0,
            ty2 = bottom + 4.0,
            max = html(&check.unit.format(max)),
            min = html(&check.unit.format(min)),
        );
        if let Some(limit) = limit {
            let _ = write!(
                svg,
                "<line class=\"limit\" x1=\"{left}\" y1=\"{ly:.1}\" x2=\"{right}\" y2=\"{ly:.1}\" \
                 style=\"stroke-dasharray:4 3\"/><text x=\"{right}\" y=\"{ty:.1}\" text-anchor=\"end\">limit {}</text>",
                html(&check.unit.format(limit)),
                ly = y(limit),
                ty = y(limit) - 4.0,
            );
        }
        let _ = write!(svg, "<polyline class=\"trend\" points=\"{}\"/>", points.join(" "));
        for (at, value) in values.iter().enumerate() {
            let _ = write!(svg, "<circle class=\"dot\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"2\"/>", x(at), y(*value));
        }
        if let Some(value) = current {
            let _ = write!(
                svg,
                "<circle class=\"now-{}\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"5\"/>",
                check.verdict.as_str(),
                x(count - 1),
                y(value)
            );
        }
        let first = super::short_commit(check.trend.first().and_then(|point| point.commit.as_deref()));
        let last = super::short_commit(check.trend.last().and_then(|point| point.commit.as_deref()));
        for (label, at, anchor) in [(first, 0, "start"), (last, values.len() - 1, "end")] {
            if let Some(label) = label {
                let _ = write!(
                    svg,
                    "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"{anchor}\">{label}</text>",
                    x(at),
                    bottom + 18.0
                );
            }
        }
        let _ = write!(svg, "<text x=\"{right}\" y=\"{}\" text-anchor=\"end\">now</text>", bottom + 28.0);
        svg.push_str("</svg>");
        let subject = Cells::of(check).subject.unwrap_or_default();
        let _ = writeln!(
            page,
            "<figure>{svg}<figcaption><span class=\"verdict {}\">{}</span> {} <code>{}</code>: the last {} runs of \
             the base branch (grey), this run (the large dot){}</figcaption></figure>",
            check.verdict.as_str(),
            verdict_word(check.verdict),
            html(&check.budget),
            html(&subject),
            check.trend.len(),
            if limit.is_some() { " and the limit (dashed)" } else { "" },
        );
    }
}

/// Each summed bundle check's files as bars, the largest file the full width, with their
/// change against the baseline.
fn files(page: &mut String, report: &Report) {
    let bundles: Vec<&CheckResult> = worst_first(report).into_iter().filter(|c| !c.files.is_empty()).collect();
    for check in bundles {
        let table = file_table(check);
        let largest = check.files.iter().flat_map(|file| [file.value, file.baseline]).flatten().fold(0.0, f64::max);
        let _ = writeln!(
            page,
            "<h2>Files of {}: {}</h2>\n<table>\n<thead><tr><th>File</th><th>Size</th><th></th><th>Baseline</th>\
             <th>Change</th></tr></thead>\n<tbody>",
            html(&check.budget),
            html(&table.summary)
        );
        for (row, file) in table.rows.iter().zip(sorted_files(check, &table)) {
            let width = file.value.map_or(0.0, |value| scale(value, (0.0, largest), (0.0, 200.0)));
            let _ = writeln!(
                page,
                "<tr><td><code>{}</code></td><td class=\"num\">{}</td><td><svg width=\"204\" height=\"12\" \
                 role=\"img\" aria-label=\"size\"><rect class=\"fill-{}\" x=\"0\" y=\"2\" width=\"{width:.1}\" \
                 height=\"8\"/></svg></td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                html(&row.name),
                html(&row.size),
                if row.changed { "yellow" } else { "green" },
                html(&row.base),
                html(&row.change)
            );
        }
        page.push_str("</tbody>\n</table>\n");
    }
}

/// The files in the order [`file_table`] lists them.
fn sorted_files<'a>(check: &'a CheckResult, table: &super::FileTable) -> Vec<&'a crate::model::report::FileSize> {
    table.rows.iter().filter_map(|row| check.files.iter().find(|file| file.name == row.name)).collect()
}

/// Checks that combined several runs: each run a dot on a line, the value they combine to
/// a bar across it, the limit a line.
fn runs(page: &mut String, report: &Report) {
    let repeated: Vec<&CheckResult> = worst_first(report).into_iter().filter(|c| c.runs.len() > 1).collect();
    if repeated.is_empty() {
        return;
    }
    page.push_str("<h2>Repeated runs</h2>\n");
    for check in repeated {
        let limit = check.limit.map(LimitValue::amount);
        let mut all = check.runs.clone();
        all.extend(check.value);
        all.extend(limit);
        let min = all.iter().copied().fold(f64::INFINITY, f64::min);
        let max = all.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let x = |value: f64| scale(value, (min, max), (12.0, 448.0));
        let mut svg = String::from("<svg width=\"460\" height=\"40\" role=\"img\" aria-label=\"runs\">");
        let _ =
            write!(svg, "<line class=\"limit\" x1=\"12\" y1=\"20\" x2=\"448\" y2=\"20\" style=\"stroke-width:.5\"/>");
        for run in &check.runs {
            let _ = write!(svg, "<circle class=\"dot\" cx=\"{:.1}\" cy=\"20\" r=\"4\"/>", x(*run));
        }
        if let Some(value) = check.value {
            let _ = write!(
                svg,
                "<rect class=\"fill-{}\" x=\"{:.1}\" y=\"8\" width=\"3\" height=\"24\"/>",
                check.verdict.as_str(),
                x(value) - 1.5
            );
        }
        if let Some(limit) = limit {
            let _ = write!(
                svg,
                "<line class=\"limit\" x1=\"{0:.1}\" y1=\"4\" x2=\"{0:.1}\" y2=\"36\" style=\"stroke-dasharray:3 2\"/>",
                x(limit)
            );
        }
        svg.push_str("</svg>");
        let subject = Cells::of(check).subject.unwrap_or_default();
        let _ = writeln!(
            page,
            "<figure>{svg}<figcaption>{} <code>{}</code>: {} runs (dots), the value they combine to (bar){}</figcaption></figure>",
            html(&check.budget),
            html(&subject),
            check.runs.len(),
            if limit.is_some() { " and the limit (dashed)" } else { "" },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_is_one_file_with_every_row_and_nothing_that_loads() {
        let page = render(&crate::report::sample::report());
        insta::assert_snapshot!(page);
        assert!(page.starts_with("<!DOCTYPE html>\n"));
        assert!(page.contains(&format!("content=\"{CSP}\"")));
        assert_eq!(page.matches("<tr><td class=\"verdict").count(), 8);
        for forbidden in ["<script", "src=", "href=", "@import", "url("] {
            assert!(!page.contains(forbidden), "{forbidden}");
        }
        // The hostile subject is text: no comment, tag or link of its own.
        assert_eq!(page.matches("<!--").count(), 0);
        assert!(page.contains("&lt;!-- hide"));
    }

    #[test]
    fn loosened_budgets_are_rows_of_text() {
        let page = render(&crate::report::sample::loosened_report());
        assert!(
            page.contains("limit loosened from 300 ms to 400 ms (loosening: warn; approve with --allow-loosening)")
        );
        assert!(page.contains("budget removed (its limit was ≥ 90)"));
        assert!(!page.contains("<b>|"), "the hostile name is text");
    }

    #[test]
    fn repeated_runs_are_dots_and_a_summed_bundle_lists_its_files_as_bars() {
        use crate::model::report::FileSize;
        let mut report = crate::report::sample::report();
        let lcp = report.checks.iter_mut().find(|check| check.metric == "lcp" && check.value == Some(1800.0)).unwrap();
        lcp.runs = vec![1700.0, 1800.0, 2100.0];
        let cls = report.checks.iter_mut().find(|check| check.metric == "cls" && check.value == Some(0.05)).unwrap();
        cls.files = vec![
            FileSize {
                name: "app.js".into(),
                built: vec!["app.1a2b.js".into()],
                value: Some(120_000.0),
                baseline: Some(100_000.0),
            },
            FileSize { name: "<b>vendor</b>.js".into(), built: Vec::new(), value: Some(60_000.0), baseline: None },
        ];
        let page = render(&report);
        let strip = page.split("<h2>Repeated runs</h2>").nth(1).unwrap();
        assert_eq!(strip.split("</figure>").next().unwrap().matches("<circle class=\"dot\"").count(), 3);
        assert!(strip.contains("3 runs (dots), the value they combine to (bar) and the limit (dashed)"));
        let files = page.split("<h2>Files of cls: 2 files, 1 changed, 1 new</h2>").nth(1).unwrap();
        assert!(files.contains("<code>app.js</code>") && files.contains("+20 kB (+20%)"), "{files}");
        assert!(files.contains("<code>&lt;b&gt;vendor&lt;/b&gt;.js</code>") && files.contains(">new<"), "{files}");
        assert!(files.contains("width=\"200.0\""), "the largest file is the full width: {files}");
    }
}
