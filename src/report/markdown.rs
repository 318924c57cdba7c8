//! The markdown report for a pull-request comment or a step summary.
//!
//! A hidden marker identifies the comment so it is updated in place. GitHub refuses
//! comments over 65,536 characters; we stay under that many bytes (UTF-8 bytes are never
//! fewer than the UTF-16 units GitHub counts) by rendering fewer rows and saying so,
//! never by cutting a table in half.

use super::escape::{html, md_code_cell, md_code_span, md_text};
use super::file_table;
use super::json::Report;
use super::{Cells, Columns, merged_summary, summary_counts, verdict_icon, worst_first};
use crate::model::merged::{Job, Merged};
use crate::model::{CheckResult, Verdict};

/// GitHub's limit on a comment body.
pub const MAX_BYTES: usize = 65_536;

/// The table header: a use column when rows have limits, a trend column with a history, a
/// change column when rows were compared with a baseline.
fn table_head(columns: Columns) -> String {
    let mut names = vec!["", "Budget", "Subject", "Value", "Limit"];
    let mut aligns = vec![":-:", "---", "---", "--:", "--:"];
    for (shown, name, align) in
        [(columns.uses, "Use", "---"), (columns.trends, "Trend", "---"), (columns.changes, "Change", "--:")]
    {
        if shown {
            names.push(name);
            aligns.push(align);
        }
    }
    names.push("Details");
    aligns.push("---");
    format!("| {} |\n|{}|\n", names.join(" | "), aligns.join("|")).replacen("|  |", "| |", 1)
}

/// The hidden marker line; `key` separates comments of several jobs on one pull request.
pub fn marker(key: &str) -> String {
    // The key ends up inside an HTML comment: keep only characters that cannot close it.
    let key: String =
        key.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/')).take(100).collect();
    format!("<!-- perfbudget:v1 key={key} -->")
}

/// What a comment holds besides its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Extras {
    /// A folded mermaid `xychart-beta` of each non-green series with a history.
    pub trend_charts: bool,
}

/// The most trend charts one comment holds.
pub const MAX_TREND_CHARTS: usize = 5;

/// Renders the comment within `max_bytes`.
pub fn render(report: &Report, key: &str, max_bytes: usize) -> String {
    render_with(report, key, max_bytes, Extras { trend_charts: false })
}

/// Renders the comment within `max_bytes`, with the extras asked for where they fit.
pub fn render_with(report: &Report, key: &str, max_bytes: usize, extras: Extras) -> String {
    render_framed(report, Frame::Comment(key), max_bytes, extras)
}

/// Where a report's markdown goes.
#[derive(Debug, Clone, Copy)]
enum Frame<'a> {
    /// A comment of its own, with the marker of this key.
    Comment(&'a str),
    /// The section of this job in a merged comment.
    Job(&'a str),
}

fn render_framed(report: &Report, frame: Frame<'_>, max_bytes: usize, extras: Extras) -> String {
    let all = worst_first(report);
    let worst =
        all.first().filter(|check| check.verdict != Verdict::Green).map_or_else(String::new, |check| {
            match check.loosened {
                Some(_) => format!(" Worst: {} {}.", md_code_cell(&check.budget), md_text(&check.message)),
                None => format!(" Worst: {}.", worst_problem(check)),
            }
        });
    let (loosened, rows): (Vec<&CheckResult>, Vec<&CheckResult>) =
        all.into_iter().partition(|check| check.loosened.is_some());
    let (problems, greens): (Vec<&CheckResult>, Vec<&CheckResult>) =
        rows.into_iter().partition(|check| check.verdict != Verdict::Green);
    let baseline = super::baseline_line(report, &|text| md_code_cell(text))
        .map(|line| format!("{}.\n\n", line.replacen("No baseline:", "**No baseline**:", 1)));
    let history = super::history_line(report, &|text| md_text(text)).map(|line| format!("{line}.\n\n"));
    let name = report.budget.name.as_deref().map_or_else(String::new, |name| format!(" · {}", md_text(name)));
    let title = match frame {
        Frame::Comment(key) => {
            format!("{}\n### {} perfbudget: {}", marker(key), verdict_icon(report.verdict), report.verdict.as_str())
        }
        Frame::Job(key) => {
            format!("\n#### {} {} · {}", verdict_icon(report.verdict), md_code_span(key), report.verdict.as_str())
        }
    };
    let head = format!(
        "{title}{name}\n\n{}.{worst}\n\n{}{}{}",
        summary_counts(report),
        baseline.unwrap_or_default(),
        history.unwrap_or_default(),
        loosened_section(&loosened)
    );
    let foot = format!(
        "\n<sub>Budget {} · perfbudget {}</sub>\n",
        md_code_cell(&report.budget.file),
        md_text(&report.version)
    );
    let columns = Columns::of(report);
    let head_row = &table_head(columns);
    let problem_rows: Vec<String> = problems.iter().map(|check| row(check, columns)).collect();
    // Greens are shown all or not at all; stop rendering them once they cannot fit.
    let mut room =
        max_bytes.saturating_sub(head.len() + foot.len() + problem_rows.iter().map(String::len).sum::<usize>());
    let mut green_rows: Vec<String> = Vec::with_capacity(greens.len());
    for check in &greens {
        let row = row(check, columns);
        if row.len() > room {
            green_rows.clear();
            break;
        }
        room -= row.len();
        green_rows.push(row);
    }

    let full = compose(&head, head_row, &problem_rows, problems.len(), &green_rows, greens.len(), &foot);
    if full.len() <= max_bytes {
        // Each file of the summed bundle checks and the trend charts, when there is room.
        let mut full = full;
        let charts = if extras.trend_charts { trend_charts(&problems) } else { String::new() };
        for section in [files_sections(&worst_first(report)), charts] {
            if !section.is_empty() && full.len() + section.len() <= max_bytes {
                let at = full.len() - foot.len();
                full = format!("{}{section}{}", &full[..at], &full[at..]);
            }
        }
        return full;
    }
    // Too long: drop the greens first, then the least severe problem rows. The size of a
    // composition is its fixed parts plus its rows, so the cut is found without
    // rendering every candidate.
    let fixed = compose(&head, head_row, &[], problems.len(), &[], greens.len(), &foot).len();
    let mut budget = max_bytes.saturating_sub(fixed);
    let mut shown = 0;
    for row in &problem_rows {
        if row.len() > budget {
            break;
        }
        budget -= row.len();
        shown += 1;
    }
    let text = compose(&head, head_row, &problem_rows[..shown], problems.len(), &[], greens.len(), &foot);
    if text.len() <= max_bytes {
        return text;
    }
    match frame {
        // Not even the head fits: the marker alone keeps the comment findable.
        Frame::Comment(key) => format!("{}\n", marker(key)),
        Frame::Job(key) => job_line(report, key),
    }
}

/// A job's section in one line, when its rows do not fit.
fn job_line(report: &Report, key: &str) -> String {
    format!(
        "\n{} {} · {}: {}; not shown (size limit), the JSON report has them.\n",
        verdict_icon(report.verdict),
        md_code_span(key),
        report.verdict.as_str(),
        summary_counts(report)
    )
}

/// Renders the comment of merged reports (`perfbudget merge`) within `max_bytes`: one
/// headline and marker for every job, a table of the jobs (the missing ones first), then
/// each job's section, worst first: its own comment's body under a `####` heading with its
/// key. When it is all too long, every job keeps at least one line; the red and yellow jobs
/// share the room first, then the green ones, each rendering fewer rows as its own comment
/// does.
pub fn render_merged(merged: &Merged, key: &str, max_bytes: usize, extras: Extras) -> String {
    let head = format!(
        "{}\n### {} perfbudget: {} · merged\n\n{}.\n\n",
        marker(key),
        verdict_icon(merged.verdict),
        merged.verdict.as_str(),
        merged_summary(merged)
    );
    let foot = format!("\n<sub>Merged by perfbudget {}</sub>\n", md_text(&merged.version));
    let mut jobs: Vec<&Job> = merged.jobs.iter().collect();
    jobs.sort_by(|a, b| b.report.verdict.cmp(&a.report.verdict).then_with(|| a.key.cmp(&b.key)));
    let mut table_rows: Vec<String> = merged
        .missing
        .iter()
        .map(|missing| {
            let job = missing.key.as_deref().map_or_else(|| "—".to_owned(), md_code_cell);
            format!("| {} | {job} | — | {} |\n", verdict_icon(missing.verdict), md_text(&missing.message))
        })
        .collect();
    table_rows.extend(jobs.iter().map(|job| {
        let budget = job.report.budget.name.as_deref().map_or_else(|| md_code_cell(&job.report.budget.file), md_text);
        format!(
            "| {} | {} | {budget} | {} |\n",
            verdict_icon(job.report.verdict),
            md_code_cell(&job.key),
            summary_counts(&job.report)
        )
    }));
    let table_head = "| | Job | Budget | Checks |\n|:-:|---|---|---|\n";
    // The table, as many rows as fit beside the head and the foot.
    let mut room = max_bytes.saturating_sub(head.len() + foot.len() + table_head.len());
    let mut table = table_head.to_owned();
    let mut shown = 0;
    for row in &table_rows {
        // Room for the line that counts what is left out.
        if row.len() + 120 > room {
            break;
        }
        room -= row.len();
        table.push_str(row);
        shown += 1;
    }
    if shown < table_rows.len() {
        let line = format!(
            "\n{} more jobs are not shown to keep this comment under GitHub's size limit; the JSON report has them \
             all.\n",
            table_rows.len() - shown
        );
        room = room.saturating_sub(line.len());
        table.push_str(&line);
    }
    if shown == 0 {
        // Not even the head fits: the marker alone keeps the comment findable.
        let text = format!("{head}{table}{foot}");
        return if text.len() <= max_bytes { text } else { format!("{}\n", marker(key)) };
    }
    // The sections of the jobs whose rows are in the table (the missing rows come first).
    let listed = shown.saturating_sub(merged.missing.len()).min(jobs.len());
    let sections = job_sections(&jobs[..listed], room, extras);
    format!("{head}{table}{}{foot}", sections.concat())
}

/// Each job's section within `room` bytes in all: one line each at least (as many jobs as
/// fit), then the red and yellow jobs share what is left, each taking no more than its share
/// unless others need less, then the green jobs the same way.
fn job_sections(jobs: &[&Job], room: usize, extras: Extras) -> Vec<String> {
    let full: Vec<String> =
        jobs.iter().map(|job| render_framed(&job.report, Frame::Job(&job.key), usize::MAX, extras)).collect();
    if full.iter().map(String::len).sum::<usize>() <= room {
        return full;
    }
    let mut sections: Vec<String> = jobs.iter().map(|job| job_line(&job.report, &job.key)).collect();
    let hidden =
        |count: usize| format!("\n{count} more jobs are not shown to keep this comment under GitHub's size limit.\n");
    // Room for the line that counts the jobs left out, unless every line fits. Without room
    // even for that, the jobs' table (which names them all) is what there is.
    let mut left = if sections.iter().map(String::len).sum::<usize>() <= room {
        room
    } else if let Some(left) = room.checked_sub(hidden(jobs.len()).len()) {
        left
    } else {
        return Vec::new();
    };
    let mut fits = 0;
    for line in &sections {
        if line.len() > left {
            break;
        }
        left -= line.len();
        fits += 1;
    }
    sections.truncate(fits);
    // An equal share each, the red and yellow jobs first; a job that needs less leaves the
    // rest to the next pass.
    for problems in [true, false] {
        let group: Vec<usize> =
            (0..fits).filter(|&at| (jobs[at].report.verdict != Verdict::Green) == problems).collect();
        if group.is_empty() {
            continue;
        }
        let share = left / group.len();
        for at in group {
            if full[at].len() <= sections[at].len() + share {
                left -= full[at].len() - sections[at].len();
                sections[at] = full[at].clone();
            }
        }
    }
    // What is left goes to the jobs still cut, worst first, each as much as it can use.
    for at in 0..fits {
        if sections[at].len() == full[at].len() || left == 0 {
            continue;
        }
        let budget = sections[at].len() + left;
        let section = if full[at].len() <= budget {
            full[at].clone()
        } else {
            render_framed(&jobs[at].report, Frame::Job(&jobs[at].key), budget, extras)
        };
        if section.len() > sections[at].len() && section.len() <= budget {
            left = budget - section.len();
            sections[at] = section;
        }
    }
    if fits < jobs.len() {
        sections.push(hidden(jobs.len() - fits));
    }
    sections
}

fn compose(
    head: &str,
    table_head: &str,
    problem_rows: &[String],
    problem_total: usize,
    green_rows: &[String],
    green_total: usize,
    foot: &str,
) -> String {
    let mut text = head.to_owned();
    if problem_total > 0 {
        text.push_str(table_head);
        for row in problem_rows {
            text.push_str(row);
        }
        let hidden = problem_total - problem_rows.len();
        if hidden > 0 {
            text.push_str(&format!(
                "\n{hidden} more red or yellow rows are not shown to keep this comment under GitHub's size limit; \
                 the JSON report has them all.\n"
            ));
        }
    }
    if green_total > 0 {
        if green_rows.is_empty() {
            text.push_str(&format!(
                "\n{green_total} green checks are not shown (size limit); the JSON report has them.\n"
            ));
        } else {
            text.push_str(&format!("\n<details><summary>{green_total} green</summary>\n\n{table_head}"));
            for row in green_rows {
                text.push_str(row);
            }
            text.push_str("\n</details>\n");
        }
    }
    if problem_total == 0 && green_total == 0 {
        text.push_str("No checks ran.\n");
    }
    text.push_str(foot);
    text
}

/// Loosened and removed budgets listed in the comment; more are counted, not shown.
pub const LOOSENED_SHOWN: usize = 30;

/// The budgets whose limits are looser than the baseline's, or that are gone, each with
/// its verdict and what changed: its own section, above the table, for the reviewer who
/// approves it.
fn loosened_section(rows: &[&CheckResult]) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let mut text = format!("#### Loosened and removed budgets ({})\n\n", rows.len());
    for check in rows.iter().take(LOOSENED_SHOWN) {
        text.push_str(&format!(
            "- {} {}: {}\n",
            verdict_icon(check.verdict),
            md_code_cell(&check.budget),
            md_text(&check.message)
        ));
    }
    if rows.len() > LOOSENED_SHOWN {
        text.push_str(&format!(
            "\n{} more loosened or removed budgets; the JSON report has them all.\n",
            rows.len() - LOOSENED_SHOWN
        ));
    }
    text.push('\n');
    text
}

/// Files listed per check; more are counted, not shown.
const FILES_SHOWN: usize = 30;

/// A folded table per summed bundle check: each file's size and, against a baseline, its
/// change, with files added and removed. Changed files lead, the largest change first.
fn files_sections(rows: &[&CheckResult]) -> String {
    let mut text = String::new();
    for check in rows.iter().filter(|check| !check.files.is_empty()) {
        let files = file_table(check);
        text.push_str(&format!(
            "\n<details><summary>Files of {} ({}): {}</summary>\n\n",
            // A <summary> on the line of its <details> is raw HTML to GitHub: markdown
            // escapes would show, so it is escaped as HTML.
            html(&check.budget),
            html(check.stat.as_deref().unwrap_or("")),
            html(&files.summary)
        ));
        if files.compared {
            text.push_str("| File | Size | Base | Change |\n|---|--:|--:|--:|\n");
        } else {
            text.push_str("| File | Size |\n|---|--:|\n");
        }
        for file in files.rows.iter().take(FILES_SHOWN) {
            let name = md_code_cell(&file.name);
            if files.compared {
                text.push_str(&format!("| {name} | {} | {} | {} |\n", file.size, file.base, md_text(&file.change)));
            } else {
                text.push_str(&format!("| {name} | {} |\n", file.size));
            }
        }
        if files.rows.len() > FILES_SHOWN {
            text.push_str(&format!(
                "\n{} more files; the JSON report lists them all.\n",
                files.rows.len() - FILES_SHOWN
            ));
        }
        text.push_str("\n</details>\n");
    }
    text
}

fn row(check: &CheckResult, columns: Columns) -> String {
    let cells = Cells::of(check);
    // The bars and sparklines are generated characters only; a code span keeps them one
    // glyph per cell wide.
    let picture = |text: &str| if text.is_empty() { String::new() } else { format!("`{text}`") };
    let mut optional = String::new();
    if columns.uses {
        let usage = match cells.usage.rsplit_once(' ') {
            Some((bar, share)) => format!("{} {share}", picture(bar)),
            None => String::new(),
        };
        optional.push_str(&format!(" {usage} |"));
    }
    if columns.trends {
        optional.push_str(&format!(" {} |", picture(&cells.trend)));
    }
    if columns.changes {
        optional.push_str(&format!(" {} |", md_text(&cells.change)));
    }
    format!(
        "| {} | {} | {} | {} | {} |{optional} {} |\n",
        verdict_icon(check.verdict),
        md_text(&cells.budget),
        cells.subject.as_deref().map_or_else(|| "—".to_owned(), md_code_cell),
        md_text(&cells.value),
        md_text(&cells.limit),
        md_text(&check.message)
    )
}

/// A folded mermaid chart of each non-green series with a history (at most
/// [`MAX_TREND_CHARTS`]): a line of the base runs and this run, and one of the limit. Only
/// numbers perfbudget computed and seven-hex-digit commits go inside the chart: mermaid
/// parses its labels, and an input's string there could be markup or a directive.
fn trend_charts(problems: &[&CheckResult]) -> String {
    let mut text = String::new();
    for check in problems.iter().filter(|check| !check.trend.is_empty() && check.value.is_some()).take(MAX_TREND_CHARTS)
    {
        let mut values: Vec<f64> = check.trend.iter().map(|point| point.value).collect();
        values.extend(check.value);
        let limit = check.limit.map(crate::model::LimitValue::amount);
        if !values.iter().chain(&limit).all(|value| value.is_finite()) {
            continue;
        }
        let mut labels: Vec<String> = check
            .trend
            .iter()
            .enumerate()
            .map(|(at, point)| match super::short_commit(point.commit.as_deref()) {
                Some(short) => format!("\"{short}\""),
                None => format!("\"#{}\"", at + 1),
            })
            .collect();
        labels.push("\"now\"".to_owned());
        let low = values.iter().chain(&limit).copied().fold(f64::INFINITY, f64::min);
        let high = values.iter().chain(&limit).copied().fold(f64::NEG_INFINITY, f64::max);
        // A bounded axis with min < max: mermaid loops on some degenerate ranges.
        let (low, high) = if high > low { (low, high) } else { (low - 1.0, high + 1.0) };
        let numbers = |values: &[f64]| values.iter().map(|value| format!("{value}")).collect::<Vec<_>>().join(", ");
        let limit_line =
            limit.map_or_else(String::new, |limit| format!("    line [{}]\n", numbers(&vec![limit; values.len()])));
        let key = if limit.is_some() {
            "The first line is the base runs and this run (`now`), the second the limit"
        } else {
            "The line is the base runs and this run (`now`)"
        };
        text.push_str(&format!(
            "\n<details><summary>Trend of {} on {}</summary>\n\n```mermaid\nxychart-beta\n    x-axis [{}]\n    y-axis \"{}\" {} --> {}\n    line [{}]\n{limit_line}```\n\n{key}.\n\n</details>\n",
            md_text(&check.budget),
            Cells::of(check).subject.as_deref().map_or_else(|| "—".to_owned(), md_code_cell),
            labels.join(", "),
            check.unit.as_str(),
            low,
            high,
            numbers(&values),
        ));
    }
    text
}

/// The worst row in a few words for the headline: `` `Checkout LCP` on `https://shop/`: 2.4 s,
/// 20% over the 2 s limit ``. Names are escaped as everywhere.
fn worst_problem(check: &CheckResult) -> String {
    let cells = Cells::of(check);
    let on = cells.subject.as_deref().map_or_else(String::new, |subject| format!(" on {}", md_code_cell(subject)));
    let what = match (check.value, check.limit) {
        (None, _) => "no data".to_owned(),
        (Some(value), Some(crate::model::LimitValue::Max(max))) if value > max && max > 0.0 => {
            format!(
                "{}, {} over the {} limit",
                cells.value,
                crate::quantity::percent((value - max) / max),
                check.unit.format(max)
            )
        }
        (Some(value), Some(crate::model::LimitValue::Min(min))) if value < min && min > 0.0 => format!(
            "{}, {} under the {} minimum",
            cells.value,
            crate::quantity::percent((min - value) / min),
            check.unit.format(min)
        ),
        (Some(_), _) => match check.change {
            Some(change) => {
                format!("{}, {} against the baseline", cells.value, crate::quantity::signed_percent(change))
            }
            None => cells.value.clone(),
        },
    };
    format!("{}{on}: {}", md_text(&cells.budget), md_text(&what))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comment_layout() {
        let text = render(&crate::report::sample::report(), "web", MAX_BYTES);
        insta::assert_snapshot!(text);
        assert!(text.starts_with("<!-- perfbudget:v1 key=web -->\n"));
        assert!(text.contains("3 red, 2 yellow, 3 green."));
        let details = text.find("<details>").unwrap();
        assert!(text.find("🔴").unwrap() < details);
    }

    #[test]
    fn loosened_and_removed_budgets_have_their_own_section() {
        let report = crate::report::sample::loosened_report();
        let text = render(&report, "web", MAX_BYTES);
        insta::assert_snapshot!(text);
        let section = text.find("#### Loosened and removed budgets (5)").unwrap();
        assert!(section < text.find("| Budget |").unwrap(), "the section leads");
        assert!(text.contains(
            "- 🔴 `Checkout LCP`: limit loosened from 2 s to 2.2 s (loosening: fail; approve with --allow-loosening)\n"
        ));
        assert!(text.contains("- 🟡 `api_p95`: limit loosened from 300 ms to 400 ms"));
        // The rows are not repeated in the table; the hostile name is one inert code span.
        assert_eq!(text.matches("limit loosened from 300 ms").count(), 1);
        assert!(text.contains("- 🟡 `` `x` @\u{2060}someone <b>\\|[y](https://evil.example) ``: budget removed"));
        assert!(text.contains(" Worst: `Checkout LCP` limit loosened from 2 s to 2.2 s"));
        assert_eq!(text.lines().filter(|line| line.starts_with("- ")).count(), 5);
    }

    #[test]
    fn a_loosened_limit_can_be_the_worst() {
        let mut report = crate::report::sample::loosened_report();
        report.checks.retain(|check| check.loosened.is_some() || check.verdict == Verdict::Green);
        report.checks.retain(|check| check.budget == "api_p95" || check.loosened.is_none());
        let text = render(&report, "web", MAX_BYTES);
        assert!(text.contains(" Worst: `api_p95` limit loosened from 300 ms to 400 ms"), "{text}");
    }

    #[test]
    fn hostile_subject_stays_inside_its_cell() {
        let text = render(&crate::report::sample::report(), "web", MAX_BYTES);
        let head = table_head(Columns::of(&crate::report::sample::report()));
        let columns = head.lines().next().unwrap().matches(" | ").count();
        for line in text.lines().filter(|line| line.starts_with("| ")) {
            let unescaped = line.replace("\\|", "");
            assert_eq!(unescaped.matches(" | ").count(), columns, "{line}");
        }
        // The only HTML comment is our marker; nothing can mention or link.
        assert_eq!(text.matches("<!--").count(), 1);
        assert!(!text.contains("@someone"));
        assert!(text.contains("[x](https://evil.example)"), "kept as text, inside a code span");
        let markup: String = text.lines().map(outside_code_spans).collect();
        assert!(!markup.contains("](https://evil"));
        assert!(!markup.contains("https://evil"));
        assert!(!text.contains('\u{1b}'));
        for line in text.lines() {
            assert!(!line.starts_with("::"));
        }
    }

    /// The text of a line that markdown parses as markup: code spans removed.
    fn outside_code_spans(line: &str) -> String {
        let mut out = String::new();
        let mut rest = line;
        while let Some(start) = rest.find('`') {
            out.push_str(&rest[..start]);
            let fence_len = rest[start..].chars().take_while(|c| *c == '`').count();
            let fence = "`".repeat(fence_len);
            let body = &rest[start + fence_len..];
            match body.find(&fence) {
                Some(end) => rest = &body[end + fence_len..],
                None => return format!("{out}{}", &rest[start..]),
            }
        }
        out.push_str(rest);
        out
    }

    #[test]
    fn the_change_column_appears_with_a_baseline() {
        let mut report = crate::report::sample::report();
        assert!(!render(&report, "k", MAX_BYTES).contains("| Change |"));
        report.checks[0].baseline = Some(2000.0);
        report.checks[0].change = Some(-0.1);
        let text = render(&report, "k", MAX_BYTES);
        assert!(text.contains("| Change |"));
        assert!(
            text.contains(
                "| 🟢 | lcp | `https://shop.example/` | 1.8 s | ≤ 2.5 s | `███████▏░▒` 72% | -10% | LCP 1.8 s"
            ),
            "{text}"
        );
    }

    /// Three jobs of the sample report (hostile subject included) and a missing one.
    fn merged() -> Merged {
        use crate::model::merged::{Expected, ReadReport, merge};
        let reports = ["web", "api", "docs `x` @someone"]
            .into_iter()
            .map(|key| {
                let mut report = crate::report::sample::report();
                report.key = Some(key.to_owned());
                ReadReport { file: format!("{key}.json"), report }
            })
            .collect();
        let expected = Expected::Keys(vec!["web".into(), "api".into(), "gone".into()]);
        merge(reports, &expected, Verdict::Red).unwrap().0
    }

    #[test]
    fn a_merged_comment_stays_under_every_cap_with_one_marker() {
        let merged = merged();
        let full = render_merged(&merged, "perf", MAX_BYTES, Extras { trend_charts: false });
        assert!(full.contains("\n#### 🔴 ``docs `x` @\u{2060}someone`` · red · Shop\n"), "{full}");
        assert!(full.contains("| 🔴 | `gone` | — | expected, but no report has this key |"));
        for cap in (100..full.len() + 100).step_by(97) {
            let text = render_merged(&merged, "perf", cap, Extras { trend_charts: false });
            assert!(text.len() <= cap.max(marker("perf").len() + 1), "{cap}: {}", text.len());
            assert!(text.starts_with("<!-- perfbudget:v1 key=perf -->\n"));
            assert_eq!(text.matches("<!--").count(), 1, "{cap}: {text}");
            assert!(!text.contains('\u{1b}'));
            for line in text.lines() {
                assert!(!line.starts_with("::"), "{cap}: {line}");
                if line.starts_with('|') {
                    assert!(line.ends_with('|'), "{cap}: a cut row: {line}");
                }
            }
        }
    }

    #[test]
    fn marker_key_cannot_close_the_comment() {
        assert_eq!(marker("web --> @x"), "<!-- perfbudget:v1 key=web--x -->");
    }

    #[test]
    fn too_long_renders_fewer_rows_and_says_so() {
        let mut report = crate::report::sample::report();
        let template = report.checks.iter().find(|c| c.verdict == Verdict::Red).unwrap().clone();
        for index in 0..2000 {
            let mut check = template.clone();
            check.subject.insert("url".into(), format!("https://shop.example/product/{index}"));
            report.checks.push(check);
        }
        let text = render(&report, "web", MAX_BYTES);
        assert!(text.len() <= MAX_BYTES, "{}", text.len());
        assert!(text.contains("more red or yellow rows are not shown"));
        assert!(text.contains("green checks are not shown"));
        // Every table line is a whole row.
        for line in text.lines().filter(|line| line.starts_with('|')) {
            assert!(line.ends_with('|'), "{line}");
        }
        let small = render(&report, "web", 2_000);
        assert!(small.len() <= 2_000);
    }
}
