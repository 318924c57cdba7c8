//! Compressed sizes remembered by content, so an unchanged file is compressed once: brotli
//! at quality 11 runs at under 1 MB/s, and most files of a build do not change between
//! commits.
//!
//! One small file per entry, `<dir>/sizes-v1/<2 hex>/<62 hex>.<encoder>`, holding the size
//! in decimal. The key is the BLAKE3 hash of the content (collision-resistant, so a crafted
//! file cannot borrow another's size) with the encoder and its parameters. Entries are
//! written to a temporary name and renamed, so concurrent runs never read half an entry;
//! an unreadable entry is a miss.

use std::io;
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

    pub fn get(&self, hash: &blake3::Hash, compression: Compression) -> Option<u64> {
        let text = std::fs::read_to_string(self.entry(hash, compression)?).ok()?;
        text.trim_end().parse().ok()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_by_content_and_encoder() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let cache = SizeCache::new(Some(dir.path().to_path_buf()));
        let hash = blake3::hash(b"body{}");
        assert_eq!(cache.get(&hash, Compression::Brotli), None);
        cache.put(&hash, Compression::Brotli, 10)?;
        assert_eq!(cache.get(&hash, Compression::Brotli), Some(10));
        assert_eq!(cache.get(&hash, Compression::Gzip), None, "another encoder is another entry");
        assert_eq!(cache.get(&blake3::hash(b"body{ }"), Compression::Brotli), None);
        Ok(())
    }

    #[test]
    fn a_damaged_entry_is_a_miss() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let cache = SizeCache::new(Some(dir.path().to_path_buf()));
        let hash = blake3::hash(b"x");
        cache.put(&hash, Compression::Gzip, 21)?;
        let entry = cache.entry(&hash, Compression::Gzip).ok_or_else(|| io::Error::other("no entry"))?;
        std::fs::write(&entry, "21 bytes?")?;
        assert_eq!(cache.get(&hash, Compression::Gzip), None);
        Ok(())
    }
}
