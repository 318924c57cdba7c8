//! Escaping for every string that came from an input (URLs, benchmark ids, tag values,
//! file names) and from the budget file. Each output format has one function here; no
//! renderer writes an untrusted string any other way.
//!
//! The threats: a name that adds a table row (`|`, newline), pings someone (`@user`),
//! links somewhere (`[x](https://…)`, bare URLs), hides the rest of a comment (`<!--`),
//! forges a GitHub workflow command (a newline then `::error::`, or `##[` anywhere), or
//! rewrites a terminal (ANSI escapes).

/// Longest identifier shown in a table cell; longer ones end in `…`.
pub const MAX_CELL_CHARS: usize = 120;

/// Word joiner: invisible, and breaks mention and autolink detection where inserted.
const WORD_JOINER: char = '\u{2060}';

/// Bidirectional controls that reorder how text displays ("Trojan Source").
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Removes control characters (C0, DEL, C1), whole ANSI escape sequences and bidi
/// controls; tabs and line breaks become spaces so nothing can start a new line.
pub fn strip_controls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI: ESC [ parameters final-byte; OSC: ESC ] ... BEL or ESC \.
            match chars.peek() {
                Some('[') => {
                    chars.next();
                    for next in chars.by_ref() {
                        if ('\u{40}'..='\u{7e}').contains(&next) {
                            break;
                        }
                    }
                }
                Some(']') => {
                    chars.next();
                    while let Some(next) = chars.next() {
                        if next == '\u{7}' || (next == '\u{1b}' && chars.peek() == Some(&'\\')) {
                            if next == '\u{1b}' {
                                chars.next();
                            }
                            break;
                        }
                    }
                }
                _ => {}
            }
            continue;
        }
        if matches!(c, '\t' | '\n' | '\r' | '\u{2028}' | '\u{2029}') {
            out.push(' ');
        } else if !c.is_control() && !is_bidi_control(c) {
            out.push(c);
        }
    }
    out
}

/// For terminal output: controls stripped, and the two prefixes GitHub's runner reads
/// as workflow commands (`::` at a line start, `##[` anywhere) broken up.
pub fn terminal(text: &str) -> String {
    break_workflow_commands(&strip_controls(text))
}

fn break_workflow_commands(text: &str) -> String {
    text.replace("::", ":\u{2060}:").replace("##[", "#\u{2060}#[")
}

/// An untrusted identifier in a markdown table cell: an inline code span (inside which
/// mentions, links and HTML are inert) with a fence longer than any backtick run in it,
/// and `|` escaped, which GFM requires even inside code spans in tables.
pub fn md_code_cell(text: &str) -> String {
    let cleaned = collapse_spaces(&strip_controls(text));
    let shown = truncate(&cleaned, MAX_CELL_CHARS);
    let longest_run = shown.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest_run + 1);
    let pad = if shown.starts_with('`') || shown.ends_with('`') || shown.is_empty() { " " } else { "" };
    // Inside a code span GitHub renders no mention or comment, but other renderers of the
    // same markdown might: a word joiner costs nothing visible and settles it.
    let inert = escape_pipes(&shown).replace('@', "@\u{2060}").replace("<!", "<\u{2060}!");
    format!("{fence}{pad}{inert}{pad}{fence}")
}

/// `|` as `\|`. A backslash already before it is parted from the escape by a word joiner:
/// `\\|` is an escaped pipe to cmark-gfm but an escaped backslash and a cell break to a
/// parser that counts backslashes (found by fuzzing).
fn escape_pipes(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c == '|' {
            if out.ends_with('\\') {
                out.push(WORD_JOINER);
            }
            out.push_str("\\|");
        } else {
            out.push(c);
        }
    }
    out
}

/// Untrusted or generated text in markdown outside code spans: HTML special characters
/// as entities, markdown punctuation backslash-escaped, mentions and bare links broken.
pub fn md_text(text: &str) -> String {
    let cleaned = strip_controls(text);
    let mut out = String::with_capacity(cleaned.len() + 16);
    for c in cleaned.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '#' | '!' | '$' => {
                out.push('\\');
                out.push(c);
            }
            '@' => {
                out.push('@');
                out.push(WORD_JOINER);
            }
            _ => out.push(c),
        }
    }
    // GFM turns bare `https://…` and `www.…` into links; a word joiner stops that.
    out.replace("://", &format!(":{WORD_JOINER}//")).replace("www.", &format!("www{WORD_JOINER}."))
}

/// Text in HTML content or a quoted attribute value.
pub fn html(text: &str) -> String {
    let cleaned = strip_controls(text);
    let mut out = String::with_capacity(cleaned.len());
    for c in cleaned.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Text for XML: characters XML 1.0 cannot hold are removed (the XML writer escapes
/// `& < > " '` itself).
pub fn xml(text: &str) -> String {
    strip_controls(text).chars().filter(|c| !matches!(c, '\u{FFFE}' | '\u{FFFF}')).collect()
}

/// A workflow command's message (`::error ...::MESSAGE`), as GitHub's toolkit escapes it:
/// `%` first, so a literal `%0A` in a name survives the runner's unescaping.
pub fn workflow_data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// A workflow command's property value (`file=`, `title=`): as data, plus `:` and `,`,
/// which would otherwise end the property.
pub fn workflow_property(text: &str) -> String {
    workflow_data(text).replace(':', "%3A").replace(',', "%2C")
}

fn collapse_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn truncate(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every trick at once, as a hostile benchmark id or URL would carry it.
    pub const HOSTILE: &str = "a|b `tick` <!-- hide @someone [x](https://evil.example)\n::error::x %0A \u{1b}[31mred\u{1b}[0m ##[warning]y \u{202e}evil";

    /// Found by the `escape` fuzz target (fuzz/, input `\|`|`): a backslash before a
    /// pipe must not turn our `\|` into `\\|`, an escaped backslash and a cell break.
    #[test]
    fn a_backslash_before_a_pipe_keeps_the_pipe_escaped() {
        assert_eq!(md_code_cell("\\|`|"), "``\\\u{2060}\\|`\\|``");
        assert_eq!(md_text("\\|"), "\\\\\\|");
    }

    #[test]
    fn strips_controls_ansi_and_bidi() {
        assert_eq!(strip_controls("a\u{1b}[31mred\u{1b}[0m\u{7}b"), "aredb");
        assert_eq!(strip_controls("x\ny\rz\t!"), "x y z !");
        assert_eq!(strip_controls("\u{202e}abc\u{2066}"), "abc");
        assert_eq!(strip_controls("\u{1b}]0;title\u{7}ok"), "ok");
        assert_eq!(strip_controls("c1\u{85}\u{9b}end"), "c1end");
    }

    #[test]
    fn code_cells_cannot_break_the_table_or_mention() {
        let cell = md_code_cell(HOSTILE);
        assert!(cell.starts_with("``") && cell.ends_with("``"), "{cell}");
        assert!(!cell.contains('\n'));
        assert!(!cell.contains('\u{1b}'));
        // Every pipe is escaped, so the row keeps its columns.
        assert_eq!(cell.matches('|').count(), cell.matches("\\|").count());
        assert_eq!(md_code_cell("`x`"), "`` `x` ``");
        assert_eq!(md_code_cell(""), "`  `");
        let long = "x".repeat(500);
        assert_eq!(md_code_cell(&long).chars().count(), MAX_CELL_CHARS + 3);
    }

    #[test]
    fn markdown_text_is_inert() {
        let text = md_text(HOSTILE);
        assert!(!text.contains("<!--"));
        assert!(text.contains("&lt;\\!--"));
        assert!(!text.contains("@someone"));
        assert!(!text.contains("](https://"));
        assert!(!text.contains("https://"));
        assert!(text.contains("\\[x\\]"));
        assert!(!text.contains('\n'));
        assert!(!text.contains("a|b"));
        assert_eq!(md_text("www.evil.example"), "www\u{2060}.evil.example");
    }

    #[test]
    fn workflow_commands_are_escaped_as_the_toolkit_does() {
        assert_eq!(workflow_data("50%\r\n::error::x"), "50%25%0D%0A::error::x");
        assert_eq!(workflow_data("%0A"), "%250A");
        assert_eq!(workflow_property("a:b,c\n"), "a%3Ab%2Cc%0A");
    }

    #[test]
    fn terminal_text_cannot_start_a_command() {
        let text = terminal(HOSTILE);
        assert!(!text.contains('\n'));
        assert!(!text.contains("::"));
        assert!(!text.contains("##["));
        assert!(!text.contains('\u{1b}'));
    }

    #[test]
    fn html_and_xml() {
        assert_eq!(html("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
        assert_eq!(xml("ok\u{0}\u{8}\u{FFFE}"), "ok");
    }
}
