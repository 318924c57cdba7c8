//! Compressed sizes remembered by content, so an unchanged file is compressed once: brotli
//! at quality 11 runs at under 1 MB/s, and most files of a build do not change between
//! commits.
//!
//! One small file per entry, `<dir>/sizes-v1/<2 hex>/<62 hex>.<encoder>`, holding the size
//! in decimal. The key is the BLAKE3 hash of the content (collision-resistant, so a crafted
//! file cannot borrow another's size) with the encoder and its parameters. Entries are
//! written to a temporary name and renamed, so concurrent runs never read half an entry.
//!
//! The folder may come from elsewhere (a CI cache restored from another branch), so an
//! entry is trusted only as far as it can be checked: a small regular file (not a link,
//! a FIFO or a device) holding a size the encoder can give a file of this length.
//! Anything else is a miss: the file is compressed again and the entry rewritten.

use std::io::{self, Read};
use std::path::{Path, PathBuf};

use super::compress::Compression;

/// Where sizes are remembered; `None` remembers nothing.
#[derive(Debug, Clone)]
pub struct SizeCache {
    dir: Option<PathBuf>,
}

impl SizeCache {
    pub fn new(dir: Option<PathBuf>) -> SizeCache {
        SizeCache { dir: dir.map(|dir| dir.join("sizes-v1")) }
    }

    /// The user's cache folder (`$XDG_CACHE_HOME/perfbudget`, `~/Library/Caches/perfbudget`,
    /// `%LOCALAPPDATA%\perfbudget`).
    pub fn default_dir() -> Option<PathBuf> {
        dirs::cache_dir().map(|dir| dir.join("perfbudget"))
    }

    pub fn is_enabled(&self) -> bool {
        self.dir.is_some()
    }

    fn entry(&self, hash: &blake3::Hash, compression: Compression) -> Option<PathBuf> {
        let hex = hash.to_hex();
        let dir = self.dir.as_ref()?;
        Some(dir.join(&hex[..2]).join(format!("{}.{}", &hex[2..], compression.encoder())))
    }

    /// The remembered size of content `hash`, `raw` bytes long, compressed as
    /// `compression`; `None` when there is none that can be right.
    pub fn get(&self, hash: &blake3::Hash, compression: Compression, raw: u64) -> Option<u64> {
        let text = read_entry(&self.entry(hash, compression)?)?;
        let digits = text.strip_suffix('\n')?;
        let size: u64 = digits.parse().ok()?;
        // Exactly as `put` writes it: `+21` or `021` is not an entry of ours.
        let ours = size.to_string() == digits;
        (ours && compression.possible_sizes(raw).contains(&size)).then_some(size)
    }

    pub fn put(&self, hash: &blake3::Hash, compression: Compression, size: u64) -> io::Result<()> {
        let Some(path) = self.entry(hash, compression) else { return Ok(()) };
        let folder = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(folder)?;
        let mut temporary = tempfile::NamedTempFile::new_in(folder)?;
        io::Write::write_all(&mut temporary, format!("{size}\n").as_bytes())?;
        temporary.persist(&path).map_err(|error| error.error)?;
        Ok(())
    }
}

/// The most bytes read from an entry: `u64::MAX` in decimal is 20 digits, then `\n`.
const MAX_ENTRY_BYTES: u64 = 21;

/// An entry's text, if it is a regular file of at most [`MAX_ENTRY_BYTES`]. Its type is
/// read without following a link, before it is opened: opening a FIFO blocks until
/// something writes to it, and a link could lead to `/dev/zero`, which never ends.
fn read_entry(path: &Path) -> Option<String> {
    let metadata = std::fs::symlink_metadata(path).ok()?;
    if !metadata.file_type().is_file() || metadata.len() > MAX_ENTRY_BYTES {
        return None;
    }
    let file = std::fs::File::open(path).ok()?;
    let mut text = String::new();
    file.take(MAX_ENTRY_BYTES + 1).read_to_string(&mut text).ok()?;
    (text.len() as u64 <= MAX_ENTRY_BYTES).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_by_content_and_encoder() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let cache = SizeCache::new(Some(dir.path().to_path_buf()));
        let hash = blake3::hash(b"body{}");
        assert_eq!(cache.get(&hash, Compression::Brotli, 6), None);
        cache.put(&hash, Compression::Brotli, 10)?;
        assert_eq!(cache.get(&hash, Compression::Brotli, 6), Some(10));
        assert_eq!(cache.get(&hash, Compression::Gzip, 6), None, "another encoder is another entry");
        assert_eq!(cache.get(&blake3::hash(b"body{ }"), Compression::Brotli, 7), None);
        Ok(())
    }

    #[test]
    fn a_damaged_entry_is_a_miss() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let cache = SizeCache::new(Some(dir.path().to_path_buf()));
        let hash = blake3::hash(b"x");
        cache.put(&hash, Compression::Gzip, 21)?;
        assert_eq!(cache.get(&hash, Compression::Gzip, 1), Some(21));
        let entry = cache.entry(&hash, Compression::Gzip).ok_or_else(|| io::Error::other("no entry"))?;
        for damaged in ["21 bytes?", "21", " 21\n", "+21\n", "0021\n", "\n", "18446744073709551616\n"] {
            std::fs::write(&entry, damaged)?;
            assert_eq!(cache.get(&hash, Compression::Gzip, 1), None, "{damaged:?}");
        }
        Ok(())
    }

    /// A gzip member is at least 20 bytes and at most a little over its input; brotli's
    /// at least 1 byte and at most its input in uncompressed meta-blocks.
    #[test]
    fn a_size_the_encoder_cannot_give_is_a_miss() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let cache = SizeCache::new(Some(dir.path().to_path_buf()));
        let hash = blake3::hash(b"x");
        for (compression, size, raw, hit) in [
            (Compression::Gzip, 0, 43_000, false),
            (Compression::Gzip, 19, 1, false),
            (Compression::Gzip, 20, 1, true),
            (Compression::Gzip, 58, 43_000, false),
            (Compression::Gzip, 16_033, 43_000, true),
            (Compression::Gzip, 43_100, 43_000, false),
            (Compression::Brotli, 0, 43_000, false),
            (Compression::Brotli, 1, 43_000, true),
            (Compression::Brotli, 43_014, 43_000, true),
            (Compression::Brotli, 43_015, 43_000, false),
        ] {
            cache.put(&hash, compression, size)?;
            assert_eq!(cache.get(&hash, compression, raw).is_some(), hit, "{compression:?} {size} of {raw}");
        }
        Ok(())
    }

    #[cfg(unix)]
    #[test]
    fn only_a_small_regular_file_is_read() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let cache = SizeCache::new(Some(dir.path().to_path_buf()));
        let hash = blake3::hash(b"x");
        cache.put(&hash, Compression::Brotli, 5)?;
        let entry = cache.entry(&hash, Compression::Brotli).ok_or_else(|| io::Error::other("no entry"))?;
        let elsewhere = dir.path().join("elsewhere");
        std::fs::write(&elsewhere, "5\n")?;
        std::fs::remove_file(&entry)?;
        std::os::unix::fs::symlink(&elsewhere, &entry)?;
        assert_eq!(cache.get(&hash, Compression::Brotli, 10), None, "a link is not followed");
        std::fs::remove_file(&entry)?;
        std::os::unix::fs::symlink("/dev/zero", &entry)?;
        assert_eq!(cache.get(&hash, Compression::Brotli, 10), None);
        std::fs::remove_file(&entry)?;
        std::fs::write(&entry, format!("5\n{}", " ".repeat(100)))?;
        assert_eq!(cache.get(&hash, Compression::Brotli, 10), None, "longer than any size");
        cache.put(&hash, Compression::Brotli, 5)?;
        assert_eq!(cache.get(&hash, Compression::Brotli, 10), Some(5), "rewritten over the bad entry");
        Ok(())
    }
}
