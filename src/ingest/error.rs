//! Why an input cannot be read. Adapters say what is wrong and where in the file; the
//! driver names the file ([`Error::in_file`]), so every message has the same shape:
//! `FILE:LINE:COLUMN: ...`, `FILE:LINE: ...` or `FILE: ...`.

use std::path::Path;

use crate::ingest::lines::{LineError, MAX_LINE_BYTES};
use crate::model::diagnostic::Located;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// At a line and column of the file.
    #[error("{}:{}: {}", .0.line, .0.column, .0.message)]
    At(Located),
    /// At a line of the file.
    #[error("{line}: {message}")]
    Line { line: usize, message: String },
    /// About the file as a whole: the run it records cannot be trusted, or it is another
    /// tool's output.
    #[error("{0}")]
    Refused(String),
    /// The file could not be read.
    #[error("cannot read: {0}")]
    Io(#[from] std::io::Error),
    /// An error that names its file already (a capped read, a file inside a folder).
    #[error("{0:#}")]
    Named(anyhow::Error),
}

impl Error {
    /// The error as the user reads it, naming `path`.
    pub fn in_file(self, path: &Path) -> anyhow::Error {
        let file = path.display();
        match self {
            Error::At(located) => anyhow::anyhow!("{file}:{}:{}: {}", located.line, located.column, located.message),
            Error::Line { line, message } => anyhow::anyhow!("{file}:{line}: {message}"),
            Error::Refused(message) => anyhow::anyhow!("{file}: {message}"),
            Error::Io(error) => anyhow::Error::new(error).context(format!("cannot read {file}")),
            Error::Named(error) => error,
        }
    }
}

impl From<Located> for Error {
    fn from(located: Located) -> Error {
        Error::At(located)
    }
}

impl From<LineError> for Error {
    fn from(error: LineError) -> Error {
        match error {
            LineError::Io(error) => Error::Io(error),
            LineError::TooLong { line } => Error::Line {
                line,
                message: format!(
                    "the line is longer than {} MiB, the most perfbudget reads as one line; is this the right file?",
                    MAX_LINE_BYTES >> 20
                ),
            },
            LineError::NotUtf8 { line, column } => {
                Error::At(Located { line, column, message: "not UTF-8 text".into() })
            }
        }
    }
}

impl From<anyhow::Error> for Error {
    fn from(error: anyhow::Error) -> Error {
        Error::Named(error)
    }
}

/// A report's bytes as text, or the line and column of its first byte that is not UTF-8.
/// JSON readers check the whole file first: serde skips the strings of fields it does not
/// read without checking them, and a file with a Latin-1 byte anywhere is not the tool's.
pub(crate) fn utf8(bytes: &[u8]) -> Result<&str, Located> {
    std::str::from_utf8(bytes).map_err(|error| {
        let before = &bytes[..error.valid_up_to()];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let column = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
        Located { line, column, message: "not UTF-8 text".into() }
    })
}
