//! A JMeter JTL in CSV (`jmeter -n -t plan.jmx -l results.jtl`), plain or gzip, read as a
//! stream: one line at a time into the dashboard's summaries ([`super::Run`]), so memory
//! grows with the labels and not with the file.
//!
//! The columns come from the header JMeter writes (`print_field_names`, the default since
//! 3.0); columns it does not know (sample variables) are read past. A file without a header
//! is read in JMeter's default layout of its column count: 12 columns as 2.13 writes them
//! (`timeStamp, elapsed, label, responseCode, responseMessage, threadName, dataType,
//! success, bytes, grpThreads, allThreads, Latency`) or 17 as 3.1 to 5.6 do (the header's
//! columns of [`DEFAULT_COLUMNS`]). The delimiter is the one after `timeStamp` (a header) or
//! after the first number (no header). Quoted fields (`"a, b"`, `""` for a quote, line ends
//! inside quotes) are read as JMeter's `CSVSaveService` writes them.
//!
//! Every row must have the layout's column count, an epoch-ms `timeStamp`, a whole,
//! non-negative `elapsed` and a `success` of `true` or `false`: anything else is an error
//! naming the line, never a row dropped.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use super::{Run, Sample};
use crate::ingest::format::GZIP_MAGIC;
use crate::ingest::lines::Lines;
use crate::ingest::{Adapter, Detection, Error, Head, Located, Measurement, Options};
use crate::model::apdex::Thresholds;

#[derive(Debug)]
pub struct JtlCsv;

/// The header of JMeter 3.1 to 5.6's default JTL.
pub(crate) const DEFAULT_COLUMNS: &[&str] = &[
    "timeStamp",
    "elapsed",
    "label",
    "responseCode",
    "responseMessage",
    "threadName",
    "dataType",
    "success",
    "failureMessage",
    "bytes",
    "sentBytes",
    "grpThreads",
    "allThreads",
    "URL",
    "Latency",
    "IdleTime",
    "Connect",
];

/// JMeter 2.13's default columns, written without a header.
const COLUMNS_2_13: &[&str] = &[
    "timeStamp",
    "elapsed",
    "label",
    "responseCode",
    "responseMessage",
    "threadName",
    "dataType",
    "success",
    "bytes",
    "grpThreads",
    "allThreads",
    "Latency",
];

/// The delimiters JMeter users set (`jmeter.save.saveservice.default_delimiter`).
const DELIMITERS: &[u8] = b",;\t|";

impl Adapter for JtlCsv {
    fn detect(&self, head: &Head) -> Detection {
        let text = head.lines_text();
        let first = text.trim_start_matches('\u{feff}').lines().next().unwrap_or_default();
        Detection::from(header_layout(first.as_bytes()).is_some() || looks_headerless(first.as_bytes()), false)
    }

    fn read(&self, path: &Path, options: &Options) -> Result<Vec<Measurement>, Error> {
        parse(open(path)?, &options.apdex)
    }
}

/// A file, decompressed when it is gzip.
pub(crate) fn open(path: &Path) -> Result<Box<dyn BufRead>, Error> {
    let mut file = std::fs::File::open(path)?;
    let mut magic = [0u8; 2];
    let gzip = file.read(&mut magic).map(|n| n == 2 && magic == GZIP_MAGIC).unwrap_or(false);
    let file = std::fs::File::open(path)?;
    Ok(if gzip {
        Box::new(BufReader::with_capacity(1 << 20, flate2::read::MultiGzDecoder::new(file)))
    } else {
        Box::new(BufReader::with_capacity(1 << 20, file))
    })
}

/// Where the fields the dashboard reads are.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Layout {
    delimiter: u8,
    columns: usize,
    timestamp: usize,
    elapsed: usize,
    label: usize,
    success: usize,
    message: Option<usize>,
    /// The first line is a header, not a sample.
    header: bool,
}

impl Layout {
    fn of(names: &[&str], delimiter: u8, header: bool) -> Option<Layout> {
        let at = |name: &str| names.iter().position(|n| *n == name);
        Some(Layout {
            delimiter,
            columns: names.len(),
            timestamp: at("timeStamp")?,
            elapsed: at("elapsed")?,
            label: at("label")?,
            success: at("success")?,
            message: at("responseMessage"),
            header,
        })
    }
}

/// The layout a header line gives, when it is one of JMeter's.
fn header_layout(line: &[u8]) -> Option<Layout> {
    let line = line.strip_prefix("\u{feff}".as_bytes()).unwrap_or(line);
    let rest = line.strip_prefix(b"timeStamp")?;
    let delimiter = *rest.first().filter(|d| DELIMITERS.contains(d))?;
    let text = std::str::from_utf8(line).ok()?.trim_end_matches('\r');
    let names: Vec<&str> = text.split(char::from(delimiter)).collect();
    Layout::of(&names, delimiter, true)
}

/// Whether a first line starts as a headerless JTL row does: an epoch-ms time, then a whole
/// elapsed time. Its layout is decided when it is read, with an error that says why a
/// column count is not one of JMeter's.
fn looks_headerless(line: &[u8]) -> bool {
    let digits = line.iter().take_while(|b| b.is_ascii_digit()).count();
    let Some(&delimiter) = line.get(digits).filter(|d| DELIMITERS.contains(d)) else { return false };
    let rest = &line[digits + 1..];
    let elapsed = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    (10..=13).contains(&digits) && elapsed > 0 && rest.get(elapsed) == Some(&delimiter)
}

/// The default layout of a first line that is a sample, not a header.
fn headerless_layout(line: &[u8]) -> Result<Layout, String> {
    let digits = line.iter().take_while(|b| b.is_ascii_digit()).count();
    let delimiter = line.get(digits).copied().filter(|d| DELIMITERS.contains(d));
    let Some(delimiter) = delimiter.filter(|_| digits >= 10) else {
        return Err("not a JMeter JTL: it starts with neither a `timeStamp` header nor an epoch-ms time".into());
    };
    let mut fields = Vec::new();
    split(line, delimiter, &mut fields).map_err(|_| "the first line's quotes are not closed".to_owned())?;
    let names = match fields.len() {
        12 => COLUMNS_2_13,
        17 => DEFAULT_COLUMNS,
        n => {
            return Err(format!(
                "a JTL without a header and {n} columns: perfbudget knows JMeter's default layouts without a header, \
                 of 2.13 (12 columns) and of 3.1 to 5.6 (17); write the JTL with its header \
                 (jmeter.save.saveservice.print_field_names=true, the default since 3.0)"
            ));
        }
    };
    let layout = Layout::of(names, delimiter, false).ok_or("unreachable: the default layouts hold every column")?;
    let success = fields[layout.success].text(line);
    let elapsed = fields[layout.elapsed].text(line);
    if !(success.eq_ignore_ascii_case(b"true") || success.eq_ignore_ascii_case(b"false"))
        || !elapsed.iter().all(u8::is_ascii_digit)
    {
        return Err(format!("a JTL without a header and {} columns, but not in JMeter's default order", fields.len()));
    }
    Ok(layout)
}

/// One field of a line: its bytes, and whether it was quoted (then `""` stands for `"`).
#[derive(Debug, Clone, Copy)]
struct Field {
    start: usize,
    end: usize,
    quoted: bool,
}

impl Field {
    fn text<'a>(&self, line: &'a [u8]) -> &'a [u8] {
        &line[self.start..self.end]
    }
}

/// Splits a line into fields. `Err(())` when a quote is still open at its end (the record
/// goes on on the next line).
fn split(line: &[u8], delimiter: u8, fields: &mut Vec<Field>) -> Result<(), ()> {
    fields.clear();
    // Most lines hold no quote: one scan for delimiters and quotes, and a quote found sends
    // the line to the quote-aware split below.
    let mut start = 0;
    let mut quoted = false;
    for at in memchr::memchr2_iter(delimiter, b'"', line) {
        if line[at] == b'"' {
            quoted = true;
            break;
        }
        fields.push(Field { start, end: at, quoted: false });
        start = at + 1;
    }
    if !quoted {
        fields.push(Field { start, end: line.len(), quoted: false });
        return Ok(());
    }
    fields.clear();
    let mut at = 0;
    loop {
        if line.get(at) == Some(&b'"') {
            // A quoted field ends at a quote not doubled.
            let start = at + 1;
            let mut i = start;
            loop {
                match memchr::memchr(b'"', &line[i..]) {
                    None => return Err(()),
                    Some(offset) if line.get(i + offset + 1) == Some(&b'"') => i += offset + 2,
                    Some(offset) => {
                        i += offset;
                        break;
                    }
                }
            }
            fields.push(Field { start, end: i, quoted: true });
            at = i + 1;
            // Text after the closing quote, up to the delimiter, belongs to the field as
            // lenient readers take it; JMeter never writes any.
            match memchr::memchr(delimiter, &line[at..]) {
                Some(offset) => at += offset + 1,
                None => return Ok(()),
            }
        } else {
            match memchr::memchr(delimiter, &line[at..]) {
                Some(offset) => {
                    fields.push(Field { start: at, end: at + offset, quoted: false });
                    at += offset + 1;
                }
                None => {
                    fields.push(Field { start: at, end: line.len(), quoted: false });
                    return Ok(());
                }
            }
        }
    }
}

/// A whole number written as digits only.
fn integer(bytes: &[u8]) -> Option<i64> {
    if bytes.is_empty() || bytes.len() > 18 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(bytes.iter().fold(0i64, |n, b| n * 10 + i64::from(b - b'0')))
}

/// Reads a CSV JTL into the dashboard's measurements.
pub fn parse(reader: impl BufRead, apdex: &[Thresholds]) -> Result<Vec<Measurement>, Error> {
    let mut lines = Lines::new(reader);
    let Some((_, first)) = lines.next_bytes()? else {
        return Err(Error::Refused("the JTL is empty: JMeter wrote no sample".into()));
    };
    let first = first.strip_prefix("\u{feff}".as_bytes()).unwrap_or(first).to_vec();
    let layout = match header_layout(&first) {
        Some(layout) => layout,
        None => headerless_layout(&first).map_err(|message| Error::Line { line: 1, message })?,
    };
    let mut run = Run::new(apdex);
    let mut fields = Vec::new();
    // A record with a line end inside quotes, gathered over its lines.
    let mut record: Vec<u8> = Vec::new();
    let mut unescaped = String::new();
    if !layout.header {
        row(&first, 1, &layout, &mut fields, &mut unescaped, &mut run)?;
    }
    let mut record_line = 0;
    // Whether the record gathered so far holds an odd number of quotes: a quoted field is
    // still open. Counted per line, so a quote never closed costs one pass over each line,
    // not one over the whole record per line.
    let mut open_quote = false;
    while let Some((number, line)) = lines.next_bytes()? {
        if record.is_empty() {
            if line.is_empty() {
                continue;
            }
            if split(line, layout.delimiter, &mut fields).is_ok() {
                row_of_fields(line, number, &layout, &fields, &mut unescaped, &mut run)?;
                continue;
            }
            record_line = number;
            record.extend_from_slice(line);
            open_quote = true;
            continue;
        }
        record.push(b'\n');
        record.extend_from_slice(line);
        if record.len() > crate::ingest::lines::MAX_LINE_BYTES {
            return Err(Error::Line {
                line: record_line,
                message: "a quoted field is never closed (the record runs past 16 MiB)".into(),
            });
        }
        open_quote ^= memchr::memchr_iter(b'"', line).count() % 2 == 1;
        if !open_quote {
            split(&record, layout.delimiter, &mut fields)
                .map_err(|()| Error::Line { line: record_line, message: "a quoted field is not closed".into() })?;
            row_of_fields(&record, record_line, &layout, &fields, &mut unescaped, &mut run)?;
            record.clear();
        }
    }
    if !record.is_empty() {
        return Err(Error::Line {
            line: record_line,
            message: "the file ends inside a quoted field: the JTL is cut short".into(),
        });
    }
    if run.is_empty() {
        return Err(Error::Refused("the JTL holds a header and no sample: JMeter recorded nothing".into()));
    }
    Ok(run.into_measurements())
}

fn row(
    line: &[u8],
    number: usize,
    layout: &Layout,
    fields: &mut Vec<Field>,
    unescaped: &mut String,
    run: &mut Run,
) -> Result<(), Error> {
    split(line, layout.delimiter, fields)
        .map_err(|()| Error::Line { line: number, message: "a quoted field is not closed".into() })?;
    row_of_fields(line, number, layout, fields, unescaped, run)
}

/// One sample of a split record.
fn row_of_fields(
    line: &[u8],
    number: usize,
    layout: &Layout,
    fields: &[Field],
    unescaped: &mut String,
    run: &mut Run,
) -> Result<(), Error> {
    let error = |message: String| Error::Line { line: number, message };
    if fields.len() != layout.columns {
        return Err(error(format!(
            "{} fields where the {} has {}: the row is cut short or not this JTL's",
            fields.len(),
            if layout.header { "header" } else { "layout" },
            layout.columns
        )));
    }
    let timestamp = fields[layout.timestamp].text(line);
    let start_ms = integer(timestamp).ok_or_else(|| {
        error(format!(
            "timeStamp {:?} is not epoch milliseconds; perfbudget reads JTLs written with \
             jmeter.save.saveservice.timestamp_format=ms (the default)",
            String::from_utf8_lossy(timestamp)
        ))
    })?;
    let elapsed = fields[layout.elapsed].text(line);
    let elapsed_ms = integer(elapsed).ok_or_else(|| {
        error(format!("elapsed {:?} is not a whole number of milliseconds", String::from_utf8_lossy(elapsed)))
    })?;
    let success = fields[layout.success].text(line);
    let success = if success.eq_ignore_ascii_case(b"true") {
        true
    } else if success.eq_ignore_ascii_case(b"false") {
        false
    } else {
        return Err(error(format!("success {:?} is neither true nor false", String::from_utf8_lossy(success))));
    };
    let label_field = fields[layout.label];
    let label = std::str::from_utf8(label_field.text(line)).map_err(|utf8| {
        Error::At(Located {
            line: number,
            column: label_field.start + utf8.valid_up_to() + 1,
            message: "the label is not UTF-8 text".into(),
        })
    })?;
    let label: &str = if label_field.quoted {
        unescaped.clear();
        unescaped.push_str(&label.replace("\"\"", "\""));
        unescaped
    } else {
        label
    };
    // Only the message's start is read (a Transaction Controller's), so its quotes stay.
    let message: &[u8] = layout.message.map(|at| fields[at].text(line)).unwrap_or_default();
    run.add(&Sample { label, start_ms, elapsed_ms, success, message });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split_all(line: &str) -> Result<Vec<String>, ()> {
        let mut fields = Vec::new();
        split(line.as_bytes(), b',', &mut fields)?;
        Ok(fields.iter().map(|f| String::from_utf8(f.text(line.as_bytes()).to_vec()).unwrap()).collect())
    }

    #[test]
    fn quoted_fields_split_as_jmeter_writes_them() {
        assert_eq!(split_all("a,b,,c").unwrap(), ["a", "b", "", "c"]);
        assert_eq!(split_all(r#"1,"x, y",z"#).unwrap(), ["1", "x, y", "z"]);
        assert_eq!(split_all(r#"1,"say ""hi""",2"#).unwrap(), ["1", r#"say ""hi"""#, "2"]);
        assert_eq!(split_all("1,\"\"\"").unwrap_err(), ());
        assert_eq!(split_all(r#"1,"",2"#).unwrap(), ["1", "", "2"]);
        assert_eq!(split_all(r#"1,"a"#).unwrap_err(), ());
    }

    #[test]
    fn layouts_come_from_the_header_or_the_column_count() {
        let header = header_layout(DEFAULT_COLUMNS.join("\t").as_bytes()).unwrap();
        assert_eq!((header.delimiter, header.columns, header.success, header.message), (b'\t', 17, 7, Some(4)));
        let old = headerless_layout(b"1552393960302,42,home,200,OK,Group 1-1,text,true,2165,1,1,0").unwrap();
        assert_eq!((old.columns, old.header, old.success), (12, false, 7));
        assert!(headerless_layout(b"1552393960302,42,home").unwrap_err().contains("3 columns"));
        assert!(headerless_layout(b"label,elapsed").is_err());
    }
}
