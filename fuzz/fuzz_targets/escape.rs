//! The escaping of untrusted strings, as properties over any text: the output never holds
//! a live mention, link, issue reference or commit SHA, HTML comment or tag, an extra
//! table cell or row, a control character, or a workflow command; GitHub's unescaping of
//! workflow data, HTML's of entities and JSON's of strings give the text back.
#![no_main]

use libfuzzer_sys::fuzz_target;
use perfbudget::ingest::{Measurement, Subject};
use perfbudget::quantity::Unit;
use perfbudget::report::escape;

const WORD_JOINER: char = '\u{2060}';

fn no_controls(text: &str) {
    assert!(!text.chars().any(|c| c.is_control()), "a control character: {text:?}");
    for bidi in ['\u{202E}', '\u{2066}', '\u{2028}', '\u{2029}'] {
        assert!(!text.contains(bidi), "{text:?}");
    }
}

/// Every `@` is followed by a word joiner, so no mention is live.
fn no_mentions(text: &str) {
    let chars: Vec<char> = text.chars().collect();
    for (at, c) in chars.iter().enumerate() {
        if *c == '@' {
            assert_eq!(chars.get(at + 1), Some(&WORD_JOINER), "a live mention: {text:?}");
        }
    }
}

/// Every `special` character is backslash-escaped: odd backslashes before it.
fn all_escaped(text: &str, special: &[u8]) {
    let bytes = text.as_bytes();
    for (at, byte) in bytes.iter().enumerate() {
        if special.contains(byte) {
            let backslashes = bytes[..at].iter().rev().take_while(|b| **b == b'\\').count();
            assert!(backslashes % 2 == 1, "an unescaped `{}`: {text:?}", *byte as char);
        }
    }
}

/// Every `|` is escaped by an odd run of backslashes, so no cell or row is added under
/// any reading: cmark-gfm and markdown-it keep a `|` after any backslash in its cell, a
/// stricter parser only after an odd run.
fn no_cell_breaks(text: &str) {
    all_escaped(text, b"|");
}

/// The text markdown shows for `text`: a backslash before ASCII punctuation escapes it.
fn md_unescaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match chars.peek() {
            Some(next) if c == '\\' && next.is_ascii_punctuation() => {
                out.push(*next);
                chars.next();
            }
            _ => out.push(c),
        }
    }
    out
}

/// No issue reference (`#1`, `owner/repo#1`, `GH-1`) and no run of 7 or more hex digits
/// (a commit SHA GitHub would link) in text as GitHub shows it.
fn no_references(text: &str) {
    let chars: Vec<char> = text.chars().collect();
    for (at, c) in chars.iter().enumerate() {
        let digit_next = chars.get(at + 1).is_some_and(char::is_ascii_digit);
        assert!(!(*c == '#' && digit_next), "a live issue reference: {text:?}");
        let gh = at >= 2 && chars[at - 2].eq_ignore_ascii_case(&'g') && chars[at - 1].eq_ignore_ascii_case(&'h');
        assert!(!(*c == '-' && gh && digit_next), "a live GH- reference: {text:?}");
    }
    let longest_hex = text.split(|c: char| !c.is_ascii_hexdigit()).map(str::len).max().unwrap_or(0);
    assert!(longest_hex < 7, "a live commit SHA: {text:?}");
}

/// No `##[`, which the runner reads as a workflow command anywhere in a line: for text
/// that is put inside a line (a table cell, a `<summary>`), never at its start.
fn no_inline_commands(text: &str) {
    assert!(!text.contains("##["), "a workflow command: {text:?}");
}

/// No line the runner reads as a workflow command.
fn no_commands(text: &str) {
    for line in text.lines() {
        assert!(!line.trim_start().starts_with("::") && !line.contains("##["), "a workflow command: {text:?}");
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };

    let cell = escape::md_code_cell(text);
    no_controls(&cell);
    no_mentions(&cell);
    no_cell_breaks(&cell);
    assert!(!cell.contains("<!"), "an HTML comment could open: {cell:?}");
    // One code span: the fence opens and closes it, and no longer backtick run is inside.
    let fence = cell.chars().take_while(|c| *c == '`').count();
    assert!(fence > 0 && cell.ends_with(&"`".repeat(fence)), "{cell:?}");
    let inner = &cell[fence..cell.len() - fence];
    assert!(inner.split(|c| c != '`').all(|run| run.len() < fence), "the span closes early: {cell:?}");
    no_inline_commands(&cell);

    let prose = escape::md_text(text);
    no_controls(&prose);
    no_mentions(&prose);
    no_cell_breaks(&prose);
    // No tag or comment, no bare link; brackets escaped, so no markdown link or image.
    for live in ["<", ">", "://", "www."] {
        assert!(!prose.contains(live), "{live} in {prose:?}");
    }
    all_escaped(&prose, b"[]`*_");
    no_references(&md_unescaped(&prose));
    no_inline_commands(&prose);

    let terminal = escape::terminal(text);
    no_controls(&terminal);
    // The runner reads `::` at the start of a line and `##[` anywhere.
    assert!(!terminal.trim_start().starts_with("::") && !terminal.contains("##["), "a workflow command: {terminal:?}");

    let html = escape::html(text);
    no_controls(&html);
    no_inline_commands(&html);
    assert!(!html.contains(['<', '>', '"', '\'']), "{html:?}");
    // GitHub looks for mentions, references and links in the text the entities stand for.
    let decoded = html.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'");
    let decoded = decoded.replace("&amp;", "&");
    no_mentions(&decoded);
    no_references(&decoded);
    for live in ["://", "www."] {
        assert!(!decoded.contains(live), "{live} in {html:?}");
    }
    // Entities only, no backslash escapes (a <summary> would show them): decoded, and the
    // word joiners taken out, it is the text without its controls.
    assert_eq!(decoded.replace(WORD_JOINER, ""), escape::strip_controls(text).replace(WORD_JOINER, ""));

    // The measurements JSON (`escape::json` over serde_json's) is safe to print and reads
    // back to the same text.
    let measurement = Measurement::new("fuzz", "m", None, Subject::from([("id", text)]), 1.0, Unit::Ms);
    let json = perfbudget::report::measure::json(std::slice::from_ref(&measurement))
        .unwrap_or_else(|error| panic!("{error}: {measurement:?}"));
    no_controls(&json.replace('\n', ""));
    no_commands(&json);
    let back = perfbudget::ingest::measurements::parse(&json).unwrap_or_else(|error| panic!("{error:?}: {json:?}"));
    assert_eq!(back.first().and_then(|m| m.subject.get("id")), Some(text), "{json:?}");

    let lines = escape::terminal_lines(text);
    assert_eq!(lines.matches('\n').count(), text.matches('\n').count(), "{lines:?}");
    no_commands(&lines);
    assert!(!lines.chars().any(|c| c.is_control() && c != '\n'), "a control character: {lines:?}");

    let data = escape::workflow_data(text);
    assert!(!data.contains(['\n', '\r']), "a new line in a workflow command: {data:?}");
    let property = escape::workflow_property(text);
    assert!(!property.contains(['\n', '\r', ':', ',']), "{property:?}");
    // The runner unescapes %0D, %0A and %25 in that order: the text comes back.
    let unescaped = data.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%");
    assert_eq!(unescaped, text);

    let xml = escape::xml(text);
    no_controls(&xml);
});
