//! The escaping of untrusted strings, as properties over any text: the output never holds
//! a live mention, link, HTML comment or tag, an extra table cell or row, a control
//! character, or a workflow command; and GitHub's unescaping of workflow data gives the
//! text back.
#![no_main]

use libfuzzer_sys::fuzz_target;
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

    let prose = escape::md_text(text);
    no_controls(&prose);
    no_mentions(&prose);
    no_cell_breaks(&prose);
    // No tag or comment, no bare link; brackets escaped, so no markdown link or image.
    for live in ["<", ">", "://", "www."] {
        assert!(!prose.contains(live), "{live} in {prose:?}");
    }
    all_escaped(&prose, b"[]`*_");

    let terminal = escape::terminal(text);
    no_controls(&terminal);
    // The runner reads `::` at the start of a line and `##[` anywhere.
    assert!(!terminal.trim_start().starts_with("::") && !terminal.contains("##["), "a workflow command: {terminal:?}");

    let html = escape::html(text);
    no_controls(&html);
    assert!(!html.contains(['<', '>', '"', '\'']), "{html:?}");

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
