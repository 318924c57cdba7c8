//! Where each limit of a budget file is written: the byte range of its scalar in the text,
//! so `tighten` can rewrite that value and nothing else. YAML and JSON are read with
//! `saphyr-parser`, whose events carry positions (a JSON document is YAML 1.2 flow
//! style). The parser's positions are a start; each scalar's extent is found from the
//! text itself (quoted scalars by their closing quote) and checked against the value the
//! parser read, so a position that does not match is an error, never a guess.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

use crate::budget::BudgetError;
use crate::budget::metric::Metric;

/// A limit's scalar as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueSpan {
    /// Byte range of the scalar in the text, quotes included.
    pub start: usize,
    pub end: usize,
    /// The scalar's text without its quotes (what the loader read).
    pub value: String,
    /// 1-based line and column, for messages.
    pub line: usize,
    pub column: usize,
    /// Why this value cannot be rewritten in place, if it cannot.
    pub refused: Option<String>,
}

impl ValueSpan {
    /// The byte range of the value's text inside the scalar (inside its quotes).
    pub fn inner(&self) -> std::ops::Range<usize> {
        let quoted = usize::from(self.end - self.start > self.value.len());
        self.start + quoted..self.end - quoted
    }
}

/// The limits' spans, by the location a [`crate::budget::Check`] names: `limits.lcp` (the
/// bare map, `limits:` and the map form of `budgets:`), `budgets[2].max`, `budgets[2].min`.
pub fn limit_spans(text: &str, file: &str) -> Result<HashMap<String, ValueSpan>, BudgetError> {
    let mut walker = Walker { text, file, cursor: (0, 0), spans: HashMap::new() };
    let mut parser = Parser::new_from_str(text);
    let mut path: Vec<Frame> = Vec::new();
    while let Some(next) = parser.next_event() {
        let (event, span) = next.map_err(|error| BudgetError::At {
            file: file.to_owned(),
            line: error.marker().line(),
            column: error.marker().col() + 1,
            message: format!("cannot read the YAML/JSON: {}", error.info()),
        })?;
        // A value in a mapping: the key the last scalar set; in a sequence: the next index.
        let here = match path.last_mut() {
            Some(Frame::Map { key, awaiting_key, .. }) => {
                if *awaiting_key {
                    None
                } else {
                    Some(key.clone())
                }
            }
            Some(Frame::Seq { next, .. }) => {
                *next += 1;
                Some(Some((*next - 1).to_string()))
            }
            None => Some(None),
        };
        match event {
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                let key = here.flatten();
                flip_to_key(&mut path);
                path.push(if matches!(event, Event::MappingStart(..)) {
                    Frame::Map { name: key, key: None, awaiting_key: true }
                } else {
                    Frame::Seq { name: key, next: 0 }
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                path.pop();
            }
            Event::Scalar(value, style, anchor, tag) => match here {
                // A key: remember it, the value follows.
                None => {
                    if let Some(Frame::Map { key, awaiting_key, .. }) = path.last_mut() {
                        *key = Some(value.into_owned());
                        *awaiting_key = false;
                    }
                }
                Some(key) => {
                    flip_to_key(&mut path);
                    if let Some(location) = location(&path, key.as_deref()) {
                        let refused = if anchor != 0 {
                            Some("it carries an anchor (`&name`): other values may repeat it".to_owned())
                        } else if tag.is_some() {
                            Some("it carries a tag (`!tag`)".to_owned())
                        } else {
                            None
                        };
                        let found = walker.scalar(&value, style, span, refused)?;
                        walker.spans.insert(location, found);
                    }
                }
            },
            Event::Alias(_) => {
                let key = here.flatten();
                flip_to_key(&mut path);
                if let Some(location) = location(&path, key.as_deref()) {
                    let (start, line, column) = walker.position(span);
                    walker.spans.insert(
                        location,
                        ValueSpan {
                            start,
                            end: start,
                            value: String::new(),
                            line,
                            column,
                            refused: Some("it is an alias (`*name`) of a value written elsewhere".to_owned()),
                        },
                    );
                }
            }
            Event::StreamStart | Event::StreamEnd | Event::DocumentStart(_) | Event::DocumentEnd | Event::Nothing => {}
        }
    }
    Ok(walker.spans)
}

/// One collection on the path to the current value, with the key (or index) it stands
/// under in its parent (`None` at the top).
enum Frame {
    Map { name: Option<String>, key: Option<String>, awaiting_key: bool },
    Seq { name: Option<String>, next: usize },
}

/// After a mapping's value, the next scalar is a key again.
fn flip_to_key(path: &mut [Frame]) {
    if let Some(Frame::Map { awaiting_key, .. }) = path.last_mut() {
        *awaiting_key = true;
    }
}

/// The check location of a value at `path` under `key`, if it is a limit.
fn location(path: &[Frame], key: Option<&str>) -> Option<String> {
    let names: Vec<Option<&str>> = path
        .iter()
        .map(|frame| match frame {
            Frame::Map { name, .. } | Frame::Seq { name, .. } => name.as_deref(),
        })
        .collect();
    let metric = |key: &str| Metric::parse(key).map(|metric| format!("limits.{}", metric.name()));
    match (names.as_slice(), key?) {
        // The bare map: `{"lcp": "2.5s"}`.
        ([None], key) => metric(key),
        ([None, Some("limits" | "budgets")], key) => metric(key),
        ([None, Some("budgets"), Some(index)], key @ ("max" | "min")) => Some(format!("budgets[{index}].{key}")),
        _ => None,
    }
}

struct Walker<'a> {
    text: &'a str,
    file: &'a str,
    /// (characters, bytes) of the last position converted: events come in order.
    cursor: (usize, usize),
    spans: HashMap<String, ValueSpan>,
}

impl Walker<'_> {
    /// The byte offset, 1-based line and column of a span's start.
    fn position(&mut self, span: Span) -> (usize, usize, usize) {
        let chars = span.start.index();
        if chars < self.cursor.0 {
            self.cursor = (0, 0);
        }
        let (mut at_char, mut at_byte) = self.cursor;
        for c in self.text[at_byte..].chars() {
            if at_char == chars {
                break;
            }
            at_char += 1;
            at_byte += c.len_utf8();
        }
        self.cursor = (at_char, at_byte);
        (at_byte, span.start.line(), span.start.col() + 1)
    }

    /// A scalar's exact extent, from where the parser says it starts.
    fn scalar(
        &mut self,
        value: &str,
        style: ScalarStyle,
        span: Span,
        refused: Option<String>,
    ) -> Result<ValueSpan, BudgetError> {
        let (start, line, column) = self.position(span);
        let unmatched = |why: &str| BudgetError::At {
            file: self.file.to_owned(),
            line,
            column,
            message: format!(
                "cannot find the limit `{value}` where the parser read it ({why}); the file is left as it is"
            ),
        };
        let mut found = ValueSpan { start, end: start, value: value.to_owned(), line, column, refused };
        if found.refused.is_some() {
            return Ok(found);
        }
        let rest = &self.text[start..];
        let (end, written) = match style {
            ScalarStyle::Plain => {
                // A plain scalar on one line is written as its value: it ends before ` #`, a
                // flow indicator or the line's end, which the comparison below confirms.
                let line_end = rest.find(['\n', '\r']).unwrap_or(rest.len());
                (value.len(), rest[..line_end].get(..value.len()).unwrap_or_default())
            }
            ScalarStyle::DoubleQuoted | ScalarStyle::SingleQuoted => {
                let quote = if style == ScalarStyle::DoubleQuoted { '"' } else { '\'' };
                if !rest.starts_with(quote) {
                    return Err(unmatched("no opening quote"));
                }
                match rest[1..].find(quote) {
                    Some(close) => (close + 2, &rest[1..close + 1]),
                    None => return Err(unmatched("no closing quote on its line")),
                }
            }
            ScalarStyle::Literal | ScalarStyle::Folded => {
                found.refused = Some("it is a block scalar (`|` or `>`)".to_owned());
                return Ok(found);
            }
        };
        if written != value {
            // Escapes, line folding: what is written is not the value itself.
            found.refused = Some("it is written with escapes or across lines".to_owned());
            return Ok(found);
        }
        found.end = start + end;
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(text: &str) -> Vec<(String, String, usize, Option<String>)> {
        let mut found: Vec<_> = limit_spans(text, "b.yml")
            .unwrap()
            .into_iter()
            .map(|(location, span)| (location, text[span.start..span.end].to_owned(), span.line, span.refused))
            .collect();
        found.sort();
        found
    }

    #[test]
    fn every_form_of_limit_is_found_at_its_own_text() {
        let text = "version: 1\ndefaults: { warn: 10% }\nlimits:\n  lcp: \"2.5s\"   # quoted\n  api_p95: 100ms # c\n\
                    budgets:\n  - metric: bundle_size\n    files: [\"dist/*.js\"]\n    max: '150 kB'\n  - { metric: \
                    score, min: 90 }\n";
        assert_eq!(
            spans(text),
            vec![
                ("budgets[0].max".into(), "'150 kB'".into(), 9, None),
                ("budgets[1].min".into(), "90".into(), 10, None),
                ("limits.api_p95".into(), "100ms".into(), 5, None),
                ("limits.lcp".into(), "\"2.5s\"".into(), 4, None),
            ]
        );
        let json = "{\n  \"budgets\": {\"lcp\": \"2.5s\", \"cls\": 0.1, \"bundle_size\": \"150kb\"}\n}\n";
        assert_eq!(
            spans(json),
            vec![
                ("limits.bundle_size".into(), "\"150kb\"".into(), 2, None),
                ("limits.cls".into(), "0.1".into(), 2, None),
                ("limits.lcp".into(), "\"2.5s\"".into(), 2, None),
            ]
        );
        assert_eq!(spans("lcp: 2.5s\ncls: 0.1\n").len(), 2);
        // Multibyte text before a limit: byte offsets, not characters.
        let text = "name: \"Café ☕\"\nversion: 1\nlimits: {lcp: 2.5s}\n";
        assert_eq!(spans(text), vec![("limits.lcp".into(), "2.5s".into(), 3, None)]);
    }

    #[test]
    fn values_that_cannot_be_rewritten_alone_say_why() {
        let text = "version: 1\nlimits:\n  lcp: &l 2.5s\n  fcp: *l\n  cls: >\n    0.1\n  tbt: \"2\\u0030ms\"\n";
        let found = spans(text);
        let why = |location: &str| found.iter().find(|(at, ..)| at == location).unwrap().3.clone().unwrap();
        assert!(why("limits.lcp").contains("anchor"));
        assert!(why("limits.fcp").contains("alias"));
        assert!(why("limits.cls").contains("block scalar"));
        assert!(why("limits.tbt").contains("escapes"));
    }

    #[test]
    fn a_broken_file_is_an_error_at_its_line() {
        let error = limit_spans("version: 1\nlimits:\n  lcp: [2.5s\n", "b.yml").unwrap_err();
        assert!(matches!(error, BudgetError::At { ref file, .. } if file == "b.yml"), "{error}");
    }
}
