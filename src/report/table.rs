//! The terminal table: worst first, colour only when asked for (a terminal without
//! `NO_COLOR`; the caller decides).

use comfy_table::{Cell, CellAlignment, Color, ContentArrangement, Table, presets};

use super::escape::terminal;
use super::json::Report;
use super::{Cells, summary_counts, worst_first};
use crate::evaluate::Verdict;

/// Renders the table and a summary line. `width` wraps long cells on a terminal; `None`
/// keeps every row on one line (logs).
pub fn render(report: &Report, color: bool, width: Option<u16>) -> String {
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
    table.set_header(["", "Budget", "Subject", "Value", "Limit", "Change", "Details"]);
    for check in worst_first(report) {
        let cells = Cells::of(check);
        let mut verdict = Cell::new(check.verdict.as_str());
        if color {
            verdict = verdict.fg(match check.verdict {
                Verdict::Red => Color::Red,
                Verdict::Yellow => Color::Yellow,
                Verdict::Green => Color::Green,
            });
        }
        table.add_row(vec![
            verdict,
            Cell::new(terminal(&cells.budget)),
            Cell::new(cells.subject.as_deref().map_or_else(|| "-".to_owned(), terminal)),
            Cell::new(cells.value).set_alignment(CellAlignment::Right),
            Cell::new(cells.limit).set_alignment(CellAlignment::Right),
            Cell::new(cells.change).set_alignment(CellAlignment::Right),
            Cell::new(terminal(&check.message)),
        ]);
    }
    let mut text = if report.checks.is_empty() { String::new() } else { format!("{table}\n") };
    text.push_str(&format!("perfbudget: {} — {}\n", report.verdict.as_str(), summary_counts(report)));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_table_worst_first() {
        let text = render(&crate::report::sample::report(), false, None);
        insta::assert_snapshot!(text);
        let red = text.find("│ red").unwrap();
        let yellow = text.find("│ yellow").unwrap();
        let green = text.find("│ green").unwrap();
        assert!(red < yellow && yellow < green);
        assert!(!text.contains('\u{1b}'), "no colour when not asked");
        assert!(text.ends_with("perfbudget: red — 3 red, 2 yellow, 3 green\n"));
    }

    #[test]
    fn colour_only_when_asked() {
        let text = render(&crate::report::sample::report(), true, Some(200));
        assert!(text.contains("\u{1b}["));
    }

    #[test]
    fn hostile_names_cannot_forge_lines_or_commands() {
        let text = render(&crate::report::sample::report(), false, None);
        for line in text.lines() {
            assert!(!line.trim_start().starts_with("::"), "{line}");
        }
        assert!(!text.contains("##["));
        assert!(!text.contains("\u{1b}[31m"));
    }
}
