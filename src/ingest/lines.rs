//! One line reader for every line-oriented input (k6 streams, cargo-criterion lines,
//! bencher text): each line is capped at [`MAX_LINE_BYTES`], so a file or a gzip stream
//! that never ends its line stops at the cap instead of exhausting memory, and one buffer
//! serves every line, so reading a stream allocates nothing per line.

use std::io::{self, BufRead, Read};
use std::path::Path;

/// The longest line perfbudget reads (16 MiB), line end excluded. The lines of the formats
/// read line by line are a few hundred bytes to a few hundred kB (cargo-criterion's sample
/// arrays); a longer one is not one of them, and buffering it whole is what lets a 4 GB
/// line (a few MB of gzip) abort the process.
pub(super) const MAX_LINE_BYTES: usize = 16 * 1024 * 1024;

/// Why a line could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LineError {
    #[error(transparent)]
    Io(#[from] io::Error),
    #[error("line {line}: the line is longer than {} MiB", MAX_LINE_BYTES >> 20)]
    TooLong { line: usize },
    #[error("line {line}: not UTF-8 text (an invalid byte at column {column})")]
    NotUtf8 { line: usize, column: usize },
}

impl LineError {
    /// The error as the user sees it, `FILE:LINE: ...` (or `FILE:LINE:COLUMN: ...`).
    pub fn in_file(self, path: &Path) -> anyhow::Error {
        match self {
            LineError::Io(error) => anyhow::Error::new(error).context(format!("cannot read {}", path.display())),
            LineError::TooLong { line } => anyhow::anyhow!(
                "{}:{line}: the line is longer than {} MiB, the most perfbudget reads as one line; is this the \
                 right file?",
                path.display(),
                MAX_LINE_BYTES >> 20
            ),
            LineError::NotUtf8 { line, column } => {
                anyhow::anyhow!("{}:{line}:{column}: not UTF-8 text", path.display())
            }
        }
    }
}

/// Reads lines of at most [`MAX_LINE_BYTES`] into one reused buffer.
#[derive(Debug)]
pub(crate) struct Lines<R> {
    reader: R,
    line: Vec<u8>,
    number: usize,
    /// Whether the line read last had a line end (a cut-off file's last line has none).
    ended: bool,
}

impl<R: BufRead> Lines<R> {
    pub(crate) fn new(reader: R) -> Lines<R> {
        Lines { reader, line: Vec::new(), number: 0, ended: true }
    }

    /// The next line's number (from 1) and bytes, without its `\n` or `\r\n`; `None` after
    /// the last line. A last line without a line end is a line.
    pub(super) fn next_bytes(&mut self) -> Result<Option<(usize, &[u8])>, LineError> {
        self.line.clear();
        // One byte over the cap leaves room for the line end of a line exactly at the cap.
        let limit = MAX_LINE_BYTES as u64 + 1;
        let read = (&mut self.reader).take(limit).read_until(b'\n', &mut self.line)?;
        if read == 0 {
            return Ok(None);
        }
        self.number += 1;
        self.ended = self.line.last() == Some(&b'\n');
        if self.ended {
            self.line.pop();
            if self.line.last() == Some(&b'\r') {
                self.line.pop();
            }
        } else if read as u64 == limit {
            return Err(LineError::TooLong { line: self.number });
        }
        Ok(Some((self.number, &self.line)))
    }

    /// Whether the line read last ended with a line end.
    pub(super) fn line_ended(&self) -> bool {
        self.ended
    }

    /// The next line as text ([`Lines::next_bytes`]), which must be UTF-8.
    pub(crate) fn next_line(&mut self) -> Result<Option<(usize, &str)>, LineError> {
        let Some((number, bytes)) = self.next_bytes()? else { return Ok(None) };
        match std::str::from_utf8(bytes) {
            Ok(text) => Ok(Some((number, text))),
            Err(error) => Err(LineError::NotUtf8 { line: number, column: error.valid_up_to() + 1 }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(input: &[u8]) -> Result<Vec<(usize, String)>, LineError> {
        let mut lines = Lines::new(input);
        let mut out = Vec::new();
        while let Some((number, line)) = lines.next_line()? {
            out.push((number, line.to_owned()));
        }
        Ok(out)
    }

    #[test]
    fn line_ends_and_a_last_line_without_one() {
        let lines = all(b"a\r\nb\n\nc").unwrap();
        assert_eq!(lines, vec![(1, "a".into()), (2, "b".into()), (3, String::new()), (4, "c".into())]);
        assert!(all(b"").unwrap().is_empty());
    }

    #[test]
    fn a_line_at_the_cap_is_read_and_one_byte_more_is_refused() {
        let mut at_cap = vec![b'x'; MAX_LINE_BYTES];
        at_cap.extend_from_slice(b"\nnext\n");
        let lines = all(&at_cap).unwrap();
        assert_eq!((lines[0].1.len(), &lines[1]), (MAX_LINE_BYTES, &(2, "next".to_owned())));
        // The same at the end of the input, without a line end.
        assert_eq!(all(&at_cap[..MAX_LINE_BYTES]).unwrap()[0].1.len(), MAX_LINE_BYTES);

        let mut over = b"first\n".to_vec();
        over.extend(std::iter::repeat_n(b'x', MAX_LINE_BYTES + 1));
        over.extend_from_slice(b"\n");
        assert!(matches!(all(&over), Err(LineError::TooLong { line: 2 })));
    }

    #[test]
    fn an_endless_line_stops_at_the_cap() {
        // An endless reader: never EOF, never a line end. Reading must stop on its own.
        let mut lines = Lines::new(io::BufReader::new(io::repeat(b'z')));
        assert!(matches!(lines.next_bytes(), Err(LineError::TooLong { line: 1 })));
        assert!(lines.line.capacity() <= 2 * (MAX_LINE_BYTES + 1), "{}", lines.line.capacity());
    }

    #[test]
    fn the_buffer_is_reused() {
        let mut lines = Lines::new(&b"0123456789\nab\n"[..]);
        let first = lines.next_bytes().unwrap().unwrap().1.as_ptr();
        let second = lines.next_bytes().unwrap().unwrap().1.as_ptr();
        assert_eq!(first, second);
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let path = Path::new("dir/k6.json");
        assert_eq!(all(b"ok\n\xffbad\n").unwrap_err().in_file(path).to_string(), "dir/k6.json:2:1: not UTF-8 text");
        assert_eq!(
            LineError::TooLong { line: 7 }.in_file(path).to_string(),
            "dir/k6.json:7: the line is longer than 16 MiB, the most perfbudget reads as one line; is this the right file?"
        );
    }
}
