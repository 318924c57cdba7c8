//! Escaping for every string that came from an input (URLs, benchmark ids, tag values,
//! file names) and from the budget file. Each output format has one function here; no
//! renderer writes an untrusted string any other way.
//!
//! The threats: a name that adds a table row (`|`, newline), pings someone (`@user`),
//! links somewhere (`[x](https://…)`, bare URLs), cross-references an issue or commit of
//! any repository (`#123`, `owner/repo#1`, `GH-42`, a commit SHA), hides the rest of a
//! comment (`<!--`), forges a GitHub workflow command (a newline then `::error::`, or `##[`
//! anywhere), or rewrites a terminal (ANSI escapes).

use std::path::Path;

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

/// A path for terminal output, as [`terminal`]; bytes that are not UTF-8 show as `�`.
pub fn path(path: &Path) -> String {
    terminal(&path.display().to_string())
}

/// Several lines for terminal output (clap's usage errors): each line as [`terminal`],
/// the line breaks kept.
pub fn terminal_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let (body, end) = match line.strip_suffix('\n') {
            Some(body) => (body, "\n"),
            None => (line, ""),
        };
        out.push_str(&terminal(body));
        out.push_str(end);
    }
    out
}

fn break_workflow_commands(text: &str) -> String {
    text.replace("::", ":\u{2060}:").replace("##[", "#\u{2060}#[")
}

/// JSON text as `serde_json` wrote it, made safe to print: `##[` (which the runner reads
/// as a command anywhere in a line) and the characters serde_json leaves raw that a
/// terminal or log viewer acts on (DEL, C1 controls, bidi controls, line and paragraph
/// separators) become `\u` escapes. Each of those can only occur inside a string in
/// serialised JSON, so the text parses back to the same values. A line of pretty JSON
/// starts with spaces and a quote or bracket, never with `::`.
pub fn json(serialized: &str) -> String {
    let mut out = String::with_capacity(serialized.len());
    for (at, c) in serialized.char_indices() {
        let escape = c == '\u{7f}'
            || ('\u{80}'..='\u{9f}').contains(&c)
            || is_bidi_control(c)
            || matches!(c, '\u{2028}' | '\u{2029}')
            || (c == '#' && serialized[at + 1..].starts_with("#["));
        if escape {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// An untrusted identifier in a markdown table cell: an inline code span (inside which
/// mentions, links and HTML are inert) with a fence longer than any backtick run in it,
/// and `|` escaped, which GFM requires even inside code spans in tables.
pub fn md_code_cell(text: &str) -> String {
    code_span(text, true)
}

/// An untrusted identifier in markdown outside a table (a heading): a code span as
/// [`md_code_cell`], with `|` left as it is (a backslash would show outside a table).
pub fn md_code_span(text: &str) -> String {
    code_span(text, false)
}

fn code_span(text: &str, in_table: bool) -> String {
    let cleaned = collapse_spaces(&strip_controls(text));
    let shown = truncate(&cleaned, MAX_CELL_CHARS);
    let longest_run = shown.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest_run + 1);
    let pad = if shown.starts_with('`') || shown.ends_with('`') || shown.is_empty() { " " } else { "" };
    // Inside a code span GitHub renders no mention or comment, but other renderers of the
    // same markdown might: a word joiner costs nothing visible and settles it. `##[` is
    // broken for the log a comment may be printed to.
    let piped = if in_table { escape_pipes(&shown) } else { shown };
    let inert = piped.replace('@', "@\u{2060}").replace("<!", "<\u{2060}!").replace("##[", "#\u{2060}#[");
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
/// as entities, markdown punctuation backslash-escaped, and mentions, references and bare
/// links broken ([`unlinked`]).
pub fn md_text(text: &str) -> String {
    let cleaned = unlinked(&strip_controls(text));
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
            _ => out.push(c),
        }
    }
    out
}

/// Text in HTML that GitHub renders, such as a `<summary>`, where markdown is not parsed
/// (a backslash escape would show) but mentions and references still are: HTML special
/// characters as entities, and mentions, references and bare links broken
/// ([`unlinked`]). Also safe in a quoted attribute value. `##[` is broken for the log a
/// comment may be printed to (in markdown text, `#` is backslash-escaped anyway).
pub fn html(text: &str) -> String {
    let cleaned = unlinked(&strip_controls(text)).replace("##[", "#\u{2060}#[");
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

/// Hex digits in a row from which GitHub links a commit SHA (its shortest abbreviation).
const SHA_MIN_DIGITS: usize = 7;

/// What GitHub turns into a link or notification in rendered text, whether or not
/// markdown escapes are around it, broken by a word joiner (invisible; GitHub's
/// detection stops at it): after `@` (mentions), after `#` and `GH-` before a digit
/// (issue references, also `owner/repo#1`), every 6 digits of a run of 7 or more hex
/// digits (commit SHAs, also `owner/repo@SHA`), and inside `://` and `www.` (bare links).
fn unlinked(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    // Position in the current run of hex digits, and the run's length.
    let (mut in_run, mut run_len) = (0, 0);
    for (at, &c) in chars.iter().enumerate() {
        if c.is_ascii_hexdigit() {
            if in_run == 0 {
                run_len = chars[at..].iter().take_while(|c| c.is_ascii_hexdigit()).count();
            } else if run_len >= SHA_MIN_DIGITS && in_run % (SHA_MIN_DIGITS - 1) == 0 {
                out.push(WORD_JOINER);
            }
            in_run += 1;
        } else {
            in_run = 0;
        }
        out.push(c);
        let next = chars.get(at + 1).copied();
        let digit_next = next.is_some_and(|next| next.is_ascii_digit());
        let gh_dash =
            c == '-' && at >= 2 && chars[at - 2].eq_ignore_ascii_case(&'g') && chars[at - 1].eq_ignore_ascii_case(&'h');
        if c == '@' || ((c == '#' || gh_dash) && digit_next) {
            out.push(WORD_JOINER);
        }
    }
    // GFM turns bare `https://…` and `www.…` into links.
    out.replace("://", &format!(":{WORD_JOINER}//")).replace("www.", &format!("www{WORD_JOINER}."))
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
    pub(super) const HOSTILE: &str = "a|b `tick` <!-- hide @someone [x](https://evil.example)\n::error::x %0A \u{1b}[31mred\u{1b}[0m ##[warning]y \u{202e}evil";

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
    fn references_and_commit_shas_are_broken_outside_code() {
        let wj = WORD_JOINER;
        assert_eq!(md_text("see #123, owner/repo#1"), format!("see \\#{wj}123, owner/repo\\#{wj}1"));
        assert_eq!(md_text("GH-42 gh-7 Gh-1 GH-x #x"), format!("GH-{wj}42 gh-{wj}7 Gh-{wj}1 GH-x \\#x"));
        let sha = "0123456789abcdef0123456789abcdef01234567";
        let broken = md_text(&format!("owner/repo@{sha}"));
        assert_eq!(broken.replace(wj, ""), format!("owner/repo@{sha}"));
        assert!(broken.split(|c: char| !c.is_ascii_hexdigit()).all(|run| run.len() < SHA_MIN_DIGITS), "{broken}");
        assert_eq!(broken, format!("owner/repo@{wj}012345{wj}6789ab{wj}cdef01{wj}234567{wj}89abcd{wj}ef0123{wj}4567"));
        // Six hex digits are no SHA; nor are runs inside an identifier cut by other letters.
        assert_eq!(md_text("cafe12 deadbe"), "cafe12 deadbe");
        assert_eq!(md_text("1234567"), format!("123456{wj}7"));
        // Inside a code span GitHub links nothing: left as they are.
        assert_eq!(md_code_cell("#1 GH-2"), "`#1 GH-2`");
    }

    #[test]
    fn html_has_entities_not_backslashes() {
        let wj = WORD_JOINER;
        assert_eq!(html("initial_js *x* [a](b)"), "initial_js *x* [a](b)");
        assert_eq!(html("#12 @team https://x"), format!("#{wj}12 @{wj}team https:{wj}//x"));
        assert_eq!(html("##[error]"), format!("#{wj}#[error]"));
    }

    #[test]
    fn json_is_printable_and_parses_back() {
        let text = "a\n##[error]x \u{7f}\u{9b}31m \u{202e}rtl\u{2028}#[ #";
        let serialized = serde_json::to_string(text).unwrap();
        let safe = json(&serialized);
        assert_eq!(safe, r##""a\n\u0023#[error]x \u007f\u009b31m \u202ertl\u2028#[ #""##);
        assert_eq!(serde_json::from_str::<String>(&safe).unwrap(), text);
        assert_eq!(json(r###"["##[\\##["]"###), r###"["\u0023#[\\\u0023#["]"###);
    }

    #[test]
    fn terminal_lines_keep_line_breaks() {
        assert_eq!(terminal_lines("error: x\n\n::error::y\u{1b}[31m\n"), "error: x\n\n:\u{2060}:error:\u{2060}:y\n");
        assert_eq!(path(Path::new("a\n::b")), "a :\u{2060}:b");
    }

    #[test]
    fn html_and_xml() {
        assert_eq!(html("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
        assert_eq!(xml("ok\u{0}\u{8}\u{FFFE}"), "ok");
    }
}
