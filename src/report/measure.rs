//! `perfbudget measure`: what the adapters read, as a table or as the measurements JSON
//! array that `check` accepts back as an input.

use comfy_table::{Cell, CellAlignment, ContentArrangement, Table, presets};

use super::escape::terminal;
use crate::ingest::{Measurement, bundle, describe_subject};

/// Reports' measurements one per row; built files one per row with their three sizes.
pub fn table(measurements: &[Measurement], width: Option<u16>) -> String {
    let (built, reported): (Vec<&Measurement>, Vec<&Measurement>) =
        measurements.iter().partition(|m| m.source == bundle::SOURCE && m.metric == bundle::METRIC);
    let mut text = String::new();
    if !reported.is_empty() {
        text.push_str(&reports_table(&reported, width));
    }
    if !built.is_empty() {
        text.push_str(&built_files_table(&built, width));
    }
    text
}

/// Built files: the name without its hash, the name as built, and each size in bytes
/// (exact, as size-limit's `--json` prints them).
fn built_files_table(measurements: &[&Measurement], width: Option<u16>) -> String {
    let mut table = new_table(width);
    table.set_header(["File", "Built as", "Raw", "Gzip", "Brotli"]);
    let mut rows: Vec<(&str, [Option<f64>; 3])> = Vec::new();
    for measurement in measurements {
        let Some(file) = measurement.subject.get(bundle::FILE_TAG) else { continue };
        if rows.last().is_none_or(|(last, _)| *last != file) {
            rows.push((file, [None; 3]));
        }
        let column = measurement
            .stat
            .as_deref()
            .and_then(bundle::Compression::from_stat)
            .and_then(|compression| bundle::Compression::ALL.iter().position(|c| *c == compression));
        if let (Some(column), Some(row)) = (column, rows.last_mut()) {
            row.1[column] = measurement.value;
        }
    }
    let names = crate::evaluate::bundle::logical_names(rows.iter().map(|(file, _)| *file));
    let bytes = |value: Option<f64>| value.map_or_else(String::new, |value| format!("{value}"));
    for (file, sizes) in &rows {
        let name = names.get(file).map_or(*file, String::as_str);
        let built = if name == *file { "" } else { file };
        table.add_row(vec![
            Cell::new(terminal(name)),
            Cell::new(terminal(built)),
            Cell::new(bytes(sizes[0])).set_alignment(CellAlignment::Right),
            Cell::new(bytes(sizes[1])).set_alignment(CellAlignment::Right),
            Cell::new(bytes(sizes[2])).set_alignment(CellAlignment::Right),
        ]);
    }
    let total = |column: usize| rows.iter().filter_map(|(_, sizes)| sizes[column]).sum::<f64>();
    let files = crate::quantity::count(rows.len(), "built file", "built files");
    format!("{table}\n{files}, in bytes: {} raw, {} gzip, {} brotli\n", total(0), total(1), total(2))
}

fn new_table(width: Option<u16>) -> Table {
    let mut table = Table::new();
    table.load_style(presets::UTF8_FULL_CONDENSED).force_no_tty();
    match width {
        Some(width) => table.set_content_arrangement(ContentArrangement::Dynamic).set_width(width),
        None => table.set_content_arrangement(ContentArrangement::Disabled),
    };
    table
}

fn reports_table(measurements: &[&Measurement], width: Option<u16>) -> String {
    let mut table = new_table(width);
    table.set_header(["Source", "Metric", "Stat", "Subject", "Value", "95% CI", "Origin"]);
    for measurement in measurements {
        let interval = match (measurement.lower, measurement.upper) {
            (Some(lower), Some(upper)) => {
                format!("{} – {}", measurement.unit.format(lower), measurement.unit.format(upper))
            }
            _ => String::new(),
        };
        table.add_row(vec![
            Cell::new(terminal(&measurement.source)),
            Cell::new(terminal(&measurement.metric)),
            Cell::new(terminal(measurement.stat.as_deref().unwrap_or(""))),
            Cell::new(terminal(&describe_subject(&measurement.subject))),
            Cell::new(match measurement.value {
                Some(value) => measurement.unit.format(value),
                None => format!("no data: {}", terminal(measurement.no_data.as_deref().unwrap_or(""))),
            })
            .set_alignment(CellAlignment::Right),
            Cell::new(interval),
            Cell::new(terminal(measurement.origin.as_deref().unwrap_or(""))),
        ]);
    }
    format!("{table}\n{} measurements\n", measurements.len())
}

/// The measurements JSON array, one object per measurement, exact values, safe to print
/// ([`super::escape::json`]).
pub fn json(measurements: &[Measurement]) -> Result<String, super::RenderError> {
    super::pretty_json(&measurements, "measurements JSON")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::measurements::parse;

    const INPUT: &str = r#"[{"source":"k6","metric":"http_req_duration","stat":"p(95)","subject":{"name":"GET /x"},"value":123.4,"unit":"ms","origin":"k6.json"},
{"source":"criterion","metric":"bench_time","subject":{"id":"parse/csv"},"value":1500000,"unit":"ns","lower":1480000,"upper":1530000,"samples":100}]"#;

    #[test]
    fn json_round_trips_exactly() {
        let measurements = parse(INPUT).unwrap();
        let text = json(&measurements).unwrap();
        insta::assert_snapshot!(text);
        assert_eq!(parse(&text).unwrap(), measurements);
    }

    #[test]
    fn table_lists_each_measurement() {
        let text = table(&parse(INPUT).unwrap(), None);
        insta::assert_snapshot!(text);
        assert!(text.contains("1.48 ms – 1.53 ms"));
        assert!(text.ends_with("2 measurements\n"));
    }
}
