//! What one input format is to the rest of ingest: an [`Adapter`] that says how sure it is
//! that a file is its own ([`Detection`], from the file's [`Head`], parsed once), what a
//! near miss looks like, and reads a file or a folder it claims.

use std::borrow::Cow;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::ingest::{Error, Options};
use crate::model::Measurement;

/// How sure a format is that a file is one of its own. Detection takes the most confident
/// format; two formats equally sure of one file are a bug the fixture test catches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Detection {
    /// Not this format.
    No,
    /// Shaped like this format, by keys other formats could also hold.
    Likely,
    /// Keys or lines no other format writes.
    Certain,
}

impl Detection {
    /// `Certain` when `certain`, else `Likely` when `likely`, else `No`.
    pub fn from(certain: bool, likely: bool) -> Detection {
        match (certain, likely) {
            (true, _) => Detection::Certain,
            (false, true) => Detection::Likely,
            (false, false) => Detection::No,
        }
    }
}

/// How many leading bytes detection looks at.
pub(crate) const HEAD_BYTES: usize = 8 * 1024;

/// The start of a file, read once and looked at by every format.
#[derive(Debug, Clone)]
pub struct Head {
    /// The first [`HEAD_BYTES`] bytes as read.
    pub bytes: Vec<u8>,
    /// The same as text (invalid UTF-8 replaced), without a byte-order mark and leading
    /// white space.
    pub text: String,
    /// For a gzip file, the start of what it holds, as text.
    pub decompressed: Option<String>,
}

/// A gzip member starts with these two bytes.
pub(crate) const GZIP_MAGIC: &[u8] = &[0x1f, 0x8b];

impl Head {
    pub fn new(bytes: Vec<u8>) -> Head {
        let text = String::from_utf8_lossy(&bytes).trim_start_matches('\u{feff}').trim_start().to_owned();
        let decompressed = bytes.starts_with(GZIP_MAGIC).then(|| {
            let mut decoded = Vec::new();
            // A head cut mid-stream fails to decode to the end; what came out is enough.
            let _ = flate2::read::GzDecoder::new(bytes.as_slice()).take(4096).read_to_end(&mut decoded);
            String::from_utf8_lossy(&decoded).into_owned()
        });
        Head { bytes, text, decompressed }
    }

    /// Reads the head of a file.
    pub fn read(path: &Path) -> anyhow::Result<Head> {
        use anyhow::Context;
        let file = std::fs::File::open(path).with_context(|| format!("cannot open input {}", path.display()))?;
        let mut bytes = Vec::with_capacity(HEAD_BYTES);
        file.take(HEAD_BYTES as u64)
            .read_to_end(&mut bytes)
            .with_context(|| format!("cannot read input {}", path.display()))?;
        Ok(Head::new(bytes))
    }

    /// The text when it opens a JSON object, for formats known by the keys near its start.
    pub fn object(&self) -> Option<&str> {
        self.text.starts_with('{').then_some(self.text.as_str())
    }

    /// The text a line-oriented format reads: what a gzip file holds, or the file itself.
    pub fn lines_text(&self) -> Cow<'_, str> {
        match &self.decompressed {
            Some(text) => Cow::Borrowed(text.as_str()),
            None => Cow::Borrowed(self.text.as_str()),
        }
    }

    /// Whether the file is empty or only white space.
    pub fn is_blank(&self) -> bool {
        self.bytes.iter().all(u8::is_ascii_whitespace)
    }
}

/// One input format. Each is one file of `src/ingest/` and one row of
/// [`crate::ingest::registry::FORMATS`].
pub trait Adapter: Sync {
    /// How sure this format is that a file starting with `head` is its own. Must be cheap.
    fn detect(&self, head: &Head) -> Detection;
    /// For a file no format claims, why it looks like this format's but is not readable as
    /// it, with what to do instead ("this is Lighthouse's HTML report; ...").
    fn near_miss(&self, _path: &Path, _head: &Head) -> Option<String> {
        None
    }
    /// Reads every measurement of a file. The driver adds the file's name to errors.
    fn read(&self, path: &Path, options: &Options) -> Result<Vec<Measurement>, Error>;
    /// Whether a folder met while searching is one input of this format as a whole (one
    /// criterion benchmark's directory), read with [`Adapter::read_folder`] and not
    /// searched further.
    fn claims_folder(&self, _dir: &Path, _options: &Options) -> bool {
        false
    }
    /// Of the folders this adapter claimed in one search, those left over from an earlier
    /// run, with a warning that names them; `None` when all are current.
    fn stale_folders(&self, _claimed: &[PathBuf]) -> Option<(Vec<PathBuf>, String)> {
        None
    }
    /// Reads a folder this adapter claims.
    fn read_folder(&self, _dir: &Path, _options: &Options) -> Result<Vec<Measurement>, Error> {
        Err(Error::Refused("this format is not read as a folder".into()))
    }
}

/// Whether `adapter` claims a file starting with `bytes`, for tests.
#[cfg(test)]
pub(crate) fn claims(adapter: &dyn Adapter, bytes: &[u8]) -> bool {
    adapter.detect(&Head::new(bytes.to_vec())) != Detection::No
}
