//! A JMeter JTL in XML (`jmeter.save.saveservice.output_format=xml`), plain or gzip:
//! `<testResults version="1.2">` holding `<httpSample>` and `<sample>` elements, each with
//! its attributes (`t` elapsed ms, `ts` epoch-ms start, `s` success, `lb` label, `rm`
//! response message) and nested `<assertionResult>`s and sub-results. Read as a stream
//! (quick-xml), so memory grows with the labels and not with the file.
//!
//! Every sample element counts, nested sub-results too, in document order (a parent before
//! its sub-results), which is how JMeter 5.x writes the same samples as CSV rows (sub-results
//! labelled `NAME-0`, `NAME-1`; 2.13's CSV leaves them out); the dashboard's rules
//! ([`super`]) then apply. The dashboard itself reads only CSV: these are
//! the numbers it gives for the same samples saved as CSV.
//!
//! A sample without `t`, `ts`, `s` or `lb`, a value that is not a number, and a file that
//! ends inside an element are errors naming the line.

use std::borrow::Cow;
use std::io::BufRead;
use std::path::Path;

use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};

use super::jtl_csv::open;
use super::{Run, Sample};
use crate::ingest::{Adapter, Detection, Error, Head, Measurement, Options};
use crate::model::apdex::Thresholds;

#[derive(Debug)]
pub struct JtlXml;

impl Adapter for JtlXml {
    fn detect(&self, head: &Head) -> Detection {
        let text = head.lines_text();
        let text = text.trim_start_matches('\u{feff}').trim_start();
        let body = match text.strip_prefix("<?xml") {
            Some(rest) => rest.split_once("?>").map_or("", |(_, body)| body).trim_start(),
            None => text,
        };
        Detection::from(body.starts_with("<testResults"), false)
    }

    fn read(&self, path: &Path, options: &Options) -> Result<Vec<Measurement>, Error> {
        parse(open(path)?, &options.apdex)
    }
}

/// Counts line ends in what the reader has passed, so errors can name a line, and stops a
/// tag or text that never ends: quick-xml gathers a whole event in memory, so a file that
/// never closes a tag would otherwise be read into memory whole.
struct Counted<R> {
    inner: R,
    lines: usize,
    /// Bytes passed since the last `>`.
    since_tag_end: usize,
}

/// The longest run without a `>` (one tag or text between tags) read: JTL elements are a
/// few hundred bytes, saved response data a few MB.
const MAX_EVENT_BYTES: usize = crate::ingest::lines::MAX_LINE_BYTES;

impl<R: BufRead> std::io::Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.lines += memchr::memchr_iter(b'\n', &buf[..n]).count();
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counted<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if self.since_tag_end > MAX_EVENT_BYTES {
            return Err(std::io::Error::other(format!(
                "more than {} MiB without a `>`: a tag or text that never ends",
                MAX_EVENT_BYTES >> 20
            )));
        }
        self.inner.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        if let Ok(buffer) = self.inner.fill_buf() {
            let passed = &buffer[..amount.min(buffer.len())];
            self.lines += memchr::memchr_iter(b'\n', passed).count();
            self.since_tag_end = match memchr::memrchr(b'>', passed) {
                Some(at) => passed.len() - at - 1,
                None => self.since_tag_end + passed.len(),
            };
        }
        self.inner.consume(amount);
    }
}

/// Reads an XML JTL into the dashboard's measurements.
pub fn parse(reader: impl BufRead, apdex: &[Thresholds]) -> Result<Vec<Measurement>, Error> {
    let mut xml = quick_xml::Reader::from_reader(Counted { inner: reader, lines: 0, since_tag_end: 0 });
    xml.config_mut().check_end_names = true;
    let mut run = Run::new(apdex);
    let mut buffer = Vec::new();
    // The open elements' names and lines.
    let mut open: Vec<(Vec<u8>, usize)> = Vec::new();
    let mut seen_root = false;
    loop {
        let line = xml.get_ref().lines + 1;
        let event = xml.read_event_into(&mut buffer).map_err(|error| Error::Line {
            line: xml.get_ref().lines + 1,
            message: format!("not well-formed XML: {error}"),
        })?;
        match event {
            Event::Start(element) => {
                let name = element.name().as_ref().to_vec();
                check_root(&mut seen_root, &open, &name, line)?;
                if is_sample(&name) {
                    add(&element, line, &mut run)?;
                }
                open.push((name, line));
            }
            Event::Empty(element) => {
                let name = element.name();
                check_root(&mut seen_root, &open, name.as_ref(), line)?;
                if is_sample(name.as_ref()) {
                    add(&element, line, &mut run)?;
                }
            }
            Event::End(_) => {
                open.pop();
            }
            Event::Eof => break,
            _ => {}
        }
        buffer.clear();
    }
    if let Some((name, opened)) = open.last() {
        return Err(Error::Line {
            line: xml.get_ref().lines + 1,
            message: format!(
                "the file ends inside <{}> opened at line {opened}: the JTL is cut short",
                String::from_utf8_lossy(name)
            ),
        });
    }
    if !seen_root {
        return Err(Error::Refused("no <testResults> element: not a JMeter XML JTL".into()));
    }
    if run.is_empty() {
        return Err(Error::Refused("the JTL holds no sample: JMeter recorded nothing".into()));
    }
    Ok(run.into_measurements())
}

fn is_sample(name: &[u8]) -> bool {
    name == b"httpSample" || name == b"sample"
}

/// The document element must be `<testResults>`; samples are inside it.
fn check_root(seen: &mut bool, open: &[(Vec<u8>, usize)], name: &[u8], line: usize) -> Result<(), Error> {
    if open.is_empty() {
        if *seen || name != b"testResults" {
            return Err(Error::Line {
                line,
                message: format!("<{}> outside <testResults>: not a JMeter XML JTL", String::from_utf8_lossy(name)),
            });
        }
        *seen = true;
    }
    Ok(())
}

/// One sample element into the run.
fn add(element: &BytesStart<'_>, line: usize, run: &mut Run) -> Result<(), Error> {
    let error = |message: String| Error::Line { line, message };
    let (mut elapsed, mut start, mut success, mut label, mut message) = (None, None, None, None, None);
    for attribute in element.attributes() {
        let attribute = attribute.map_err(|e| error(format!("a malformed attribute: {e}")))?;
        let key = attribute.key.as_ref();
        if !matches!(key, b"t" | b"ts" | b"s" | b"lb" | b"rm") {
            continue;
        }
        let value: Cow<'_, str> = attribute
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| error(format!("attribute `{}`: {e}", String::from_utf8_lossy(key))))?;
        match key {
            b"t" => elapsed = Some(value.into_owned()),
            b"ts" => start = Some(value.into_owned()),
            b"s" => success = Some(value.into_owned()),
            b"lb" => label = Some(value.into_owned()),
            _ => message = Some(value.into_owned()),
        }
    }
    let name = String::from_utf8_lossy(element.name().as_ref()).into_owned();
    let missing = |attribute: &str| error(format!("<{name}> without `{attribute}`"));
    let elapsed = elapsed.ok_or_else(|| missing("t"))?;
    let elapsed_ms = whole(&elapsed).ok_or_else(|| error(format!("t={elapsed:?} is not a whole number of ms")))?;
    let start = start.ok_or_else(|| missing("ts"))?;
    let start_ms = whole(&start).ok_or_else(|| error(format!("ts={start:?} is not epoch milliseconds")))?;
    let success = match success.ok_or_else(|| missing("s"))?.as_str() {
        s if s.eq_ignore_ascii_case("true") => true,
        s if s.eq_ignore_ascii_case("false") => false,
        other => return Err(error(format!("s={other:?} is neither true nor false"))),
    };
    let label = label.ok_or_else(|| missing("lb"))?;
    let message = message.unwrap_or_default();
    run.add(&Sample { label: &label, start_ms, elapsed_ms, success, message: message.as_bytes() });
    Ok(())
}

/// A whole, non-negative number written as digits.
fn whole(text: &str) -> Option<i64> {
    (!text.is_empty() && text.len() <= 18 && text.bytes().all(|b| b.is_ascii_digit())).then(|| text.parse().ok())?
}
