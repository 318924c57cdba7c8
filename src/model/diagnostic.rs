//! Where in a file something went wrong, for messages of the form `file:line:column: ...`.

use std::path::Path;

/// A parse error with its place in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl Located {
    /// A serde_json error of text that starts at `line`:`column` of the file.
    pub fn from_json(error: &serde_json::Error, line: usize, column: usize) -> Located {
        let message = without_position(&error.to_string(), error.line(), error.column());
        let hint = match error.classify() {
            serde_json::error::Category::Eof => " (the file ends early: truncated?)",
            _ => "",
        };
        let (at_line, at_column) = match error.line() {
            0 => (line, column),
            1 => (line, column + error.column().saturating_sub(1)),
            n => (line + n - 1, error.column().max(1)),
        };
        Located { line: at_line, column: at_column, message: format!("{message}{hint}") }
    }

    /// `file:line:column: message`.
    pub fn in_file(&self, path: &Path) -> anyhow::Error {
        anyhow::anyhow!("{}:{}:{}: {}", path.display(), self.line, self.column, self.message)
    }
}

/// Drops the " at line L column C" parsers write into their messages (serde_json at the
/// end, YAML before its context), since the error starts with the place.
pub(crate) fn without_position(message: &str, line: usize, column: usize) -> String {
    message.replacen(&format!(" at line {line} column {column}"), "", 1)
}
