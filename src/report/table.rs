//! The terminal table: worst first, colour only when asked for (a terminal without
//! `NO_COLOR`; the caller decides).

use comfy_table::{Cell, CellAlignment, Color, ContentArrangement, Table, presets};

use super::escape::terminal;
use super::json::Report;
use super::{Cells, Columns, file_table, merged_summary, summary_counts, worst_first};
use crate::model::Verdict;
use crate::model::merged::{Job, Merged};

/// Tables with more rows than this list only red and yellow rows unless asked for all:
/// a gate's log should lead with what needs attention.
pub const ALL_ROWS_UP_TO: usize = 50;

/// Renders the table and a summary line. `width` wraps long cells; `None` keeps every
/// row on one line. `all` lists green rows even in a long table.
pub fn render(report: &Report, color: bool, width: Option<u16>, all: bool) -> String {
    let mut text = body(report, color, width, all);
    text.push_str(&format!("perfbudget: {} — {}\n", report.verdict.as_str(), summary_counts(report)));
    text
}

/// Merged reports (`perfbudget merge`): the missing jobs, then each job worst first, a line
/// with its key, budget and counts over its table (a job with only green checks is that
/// line alone unless `all`), then the summary line of every job.
pub fn render_merged(merged: &Merged, color: bool, width: Option<u16>, all: bool) -> String {
    let mut text = String::new();
    for missing in &merged.missing {
        let key = missing.key.as_deref().map_or_else(|| "jobs".to_owned(), |key| format!("job {}", terminal(key)));
        text.push_str(&format!("{key}: {} — {}\n", missing.verdict.as_str(), terminal(&missing.message)));
    }
    let mut jobs: Vec<&Job> = merged.jobs.iter().collect();
    jobs.sort_by(|a, b| b.report.verdict.cmp(&a.report.verdict).then_with(|| a.key.cmp(&b.key)));
    for job in jobs {
        let report = &job.report;
        text.push_str(&format!(
            "job {} ({}): {} — {}\n",
            terminal(&job.key),
            terminal(&report.budget.file),
            report.verdict.as_str(),
            summary_counts(report)
        ));
        if report.verdict != Verdict::Green || all {
            text.push_str(&body(report, color, width, all));
        }
    }
    text.push_str(&format!("perfbudget: {} — {}\n", merged.verdict.as_str(), merged_summary(merged)));
    text
}

/// The table and what follows it, without the summary line.
fn body(report: &Report, color: bool, width: Option<u16>, all: bool) -> String {
    let mut table = Table::new();
    table.load_style(presets::UTF8_FULL_CONDENSED);
    match width {
        Some(width) => {
            table.set_content_arrangement(ContentArrangement::Dynamic).set_width(width);
        }
        None => {
            table.set_content_arrangement(ContentArrangement::Disabled);
        }
    }
    if color {
        table.enforce_styling();
    } else {
        table.force_no_tty();
    }
    let columns = Columns::of(report);
    let mut header = vec!["", "Budget", "Subject", "Value", "Limit"];
    for (shown, name) in [(columns.uses, "Use"), (columns.trends, "Trend"), (columns.changes, "Change")] {
        if shown {
            header.push(name);
        }
    }
    header.push("Details");
    table.set_header(header);
    let list_greens = all || report.checks.len() <= ALL_ROWS_UP_TO;
    let mut folded = 0;
    for check in worst_first(report) {
        if check.verdict == Verdict::Green && !list_greens {
            folded += 1;
            continue;
        }
        let cells = Cells::of(check);
        let mut verdict = Cell::new(check.verdict.as_str());
        if color {
            verdict = verdict.fg(verdict_color(check.verdict));
        }
        let mut row = vec![
            verdict,
            Cell::new(terminal(&cells.budget)),
            Cell::new(cells.subject.as_deref().map_or_else(|| "-".to_owned(), terminal)),
            Cell::new(cells.value).set_alignment(CellAlignment::Right),
            Cell::new(cells.limit).set_alignment(CellAlignment::Right),
        ];
        if columns.uses {
            let mut usage = Cell::new(&cells.usage);
            if color {
                usage = usage.fg(verdict_color(check.verdict));
            }
            row.push(usage);
        }
        if columns.trends {
            row.push(Cell::new(&cells.trend));
        }
        if columns.changes {
            row.push(Cell::new(cells.change).set_alignment(CellAlignment::Right));
        }
        row.push(Cell::new(terminal(&check.message)));
        table.add_row(row);
    }
    let mut text = if table.row_count() == 0 { String::new() } else { format!("{table}\n") };
    if folded > 0 {
        text.push_str(&format!("{folded} green checks not listed (--verbose lists them; the JSON report has all)\n"));
    }
    text.push_str(&changed_files(report));
    if let Some(line) = super::baseline_line(report, &|text| terminal(text)) {
        text.push_str(&format!("{line}\n"));
    }
    if let Some(line) = super::history_line(report, &|text| terminal(text)) {
        text.push_str(&format!("{line}\n"));
    }
    text
}

fn verdict_color(verdict: Verdict) -> Color {
    match verdict {
        Verdict::Red => Color::Red,
        Verdict::Yellow => Color::Yellow,
        Verdict::Green => Color::Green,
    }
}

/// Files listed per summed bundle row; the markdown and JSON reports have more.
const FILES_SHOWN: usize = 10;

/// Under the table, for each summed bundle row compared with a baseline (in budget order):
/// the files that changed, were added or were removed, the largest change first.
fn changed_files(report: &Report) -> String {
    let mut text = String::new();
    for check in report.checks.iter().filter(|check| !check.files.is_empty()) {
        let files = file_table(check);
        let changed: Vec<&super::FileRow> = files.rows.iter().filter(|row| row.changed).collect();
        if changed.is_empty() {
            continue;
        }
        text.push_str(&format!(
            "{} ({}) against the baseline: {}\n",
            terminal(&check.budget),
            terminal(check.stat.as_deref().unwrap_or("")),
            files.summary
        ));
        for row in changed.iter().take(FILES_SHOWN) {
            text.push_str(&format!("  {:>18}  {}\n", row.change, terminal(&row.name)));
        }
        if changed.len() > FILES_SHOWN {
            text.push_str(&format!("  and {} more\n", changed.len() - FILES_SHOWN));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_table_worst_first() {
        let text = render(&crate::report::sample::report(), false, None, false);
        insta::assert_snapshot!(text);
        let red = text.find("│ red").unwrap();
        let yellow = text.find("│ yellow").unwrap();
        let green = text.find("│ green").unwrap();
        assert!(red < yellow && yellow < green);
        assert!(!text.contains('\u{1b}'), "no colour when not asked");
        assert!(text.ends_with("perfbudget: red — 3 red, 2 yellow, 3 green\n"));
    }

    #[test]
    fn loosened_and_removed_budgets_are_rows() {
        let text = render(&crate::report::sample::loosened_report(), false, None, false);
        insta::assert_snapshot!(text);
        assert!(text.contains(
            "│ red    ┆ Checkout LCP                               ┆ -                             ┆ loosened ┆"
        ));
        assert!(
            text.contains("limit loosened from 300 ms to 400 ms (loosening: warn; approve with --allow-loosening)")
        );
        assert!(text.contains("budget removed (its limit was ≥ 90)"));
    }

    #[test]
    fn long_tables_fold_green_rows_unless_all() {
        let mut report = crate::report::sample::report();
        let green = report.checks.iter().find(|c| c.verdict == Verdict::Green).unwrap().clone();
        report.checks.extend(std::iter::repeat_n(green, ALL_ROWS_UP_TO));
        report.counts.green += ALL_ROWS_UP_TO;
        let folded = render(&report, false, None, false);
        assert!(!folded.contains("│ green"));
        assert!(folded.contains("│ red"));
        assert!(folded.contains("53 green checks not listed (--verbose lists them; the JSON report has all)\n"));
        let all = render(&report, false, None, true);
        assert_eq!(all.matches("│ green").count(), 53);
    }

    #[test]
    fn colour_only_when_asked() {
        let text = render(&crate::report::sample::report(), true, Some(200), false);
        assert!(text.contains("\u{1b}["));
    }

    #[test]
    fn hostile_names_cannot_forge_lines_or_commands() {
        let text = render(&crate::report::sample::report(), false, None, false);
        for line in text.lines() {
            assert!(!line.trim_start().starts_with("::"), "{line}");
        }
        assert!(!text.contains("##["));
        assert!(!text.contains("\u{1b}[31m"));
    }
}
