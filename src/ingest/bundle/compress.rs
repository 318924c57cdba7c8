//! The sizes of one file as the JS tools report them, compressed on its own.
//!
//! - `gzip`: deflate level 9 in a gzip member without a file name and with mtime 0, as
//!   Node's `zlib.gzipSync(buf, {level: 9})` in size-limit, bundlewatch and bundlesize. The
//!   encoder is zlib-rs; Node's zlib is Chromium's fork, whose level 9 chooses other matches,
//!   so sizes differ by a few bytes per file (+0.10% in total on tests/fixtures/bundle).
//! - `brotli`: quality 11, window 22, generic mode, a raw stream, as Node's brotli encoder
//!   in size-limit. The encoder is Google's C library (brotlic), so sizes are byte-identical
//!   to size-limit's; the pure-Rust port is not.

use std::io::{self, Write};

pub use crate::model::vocabulary::Compression;

impl Compression {
    /// The encoder and its parameters, which together decide the size: part of the cache
    /// key, so that a new encoder version never reuses an old one's sizes. The versions
    /// are checked against Cargo.lock by a test.
    pub fn encoder(self) -> &'static str {
        match self {
            Compression::None => "raw",
            Compression::Gzip => "gzip-9-mtime0-zlib-rs-0.6.8",
            Compression::Brotli => "brotli-q11-w22-brotlic-sys-0.2.2",
        }
    }
}

impl Compression {
    /// Every size this compression can give `raw` bytes, from the formats' own limits, so
    /// that a remembered size outside them is known to be wrong.
    ///
    /// - gzip: a 10-byte header and an 8-byte trailer around a deflate stream of at least
    ///   one block (2 bytes). Deflate codes 258 bytes in at least 2 bits (a length and a
    ///   distance code), so it compresses at most 1032:1; at worst it stores, and zlib's
    ///   `deflateBound` for our parameters (window 15, memLevel 8) bounds that overhead.
    /// - brotli: 1 byte for empty input; at most `BrotliEncoderMaxCompressedSize`, the
    ///   input in uncompressed meta-blocks with their headers. Its long copies have no
    ///   useful lower bound beyond 1 byte.
    pub fn possible_sizes(self, raw: u64) -> std::ops::RangeInclusive<u64> {
        const GZIP_FRAME: u64 = 18;
        match self {
            Compression::None => raw..=raw,
            Compression::Gzip => {
                let least = GZIP_FRAME + (raw / 1032).max(2);
                let most = raw + (raw >> 12) + (raw >> 14) + (raw >> 25) + 7 + GZIP_FRAME;
                least..=most
            }
            Compression::Brotli if raw == 0 => 1..=2,
            Compression::Brotli => 1..=raw + 4 * (raw >> 14) + 6,
        }
    }
}

/// The size of `bytes` compressed as `compression`.
pub fn compressed_size(bytes: &[u8], compression: Compression) -> io::Result<u64> {
    let mut counter = Counter(0);
    match compression {
        Compression::None => return Ok(bytes.len() as u64),
        Compression::Gzip => {
            let mut encoder = flate2::GzBuilder::new().mtime(0).write(&mut counter, flate2::Compression::best());
            encoder.write_all(bytes)?;
            encoder.finish()?;
        }
        Compression::Brotli => {
            let encoder = brotlic::BrotliEncoderOptions::new()
                .quality(brotlic::Quality::best())
                .window_size(brotlic::WindowSize::new(22).map_err(io::Error::other)?)
                .mode(brotlic::CompressionMode::Generic)
                .build()
                .map_err(io::Error::other)?;
            let mut writer = brotlic::CompressorWriter::with_encoder(encoder, &mut counter);
            writer.write_all(bytes)?;
            writer.into_inner().map_err(|error| io::Error::other(error.to_string()))?;
        }
    }
    Ok(counter.0)
}

/// A writer that only counts: the compressed bytes themselves are never needed.
struct Counter(u64);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Node 20.20.2's sizes of the empty input and of a short text: the gzip header and
    /// trailer, brotli's empty stream.
    #[test]
    fn small_inputs_match_node() -> io::Result<()> {
        assert_eq!(compressed_size(b"", Compression::Gzip)?, 20);
        assert_eq!(compressed_size(b"", Compression::Brotli)?, 1);
        assert_eq!(compressed_size(b"hello hello hello hello\n", Compression::None)?, 24);
        Ok(())
    }

    /// The bounds hold at both ends: for the most compressible input (zeros) and for
    /// input that does not compress (pseudo-random bytes), at sizes around the formats'
    /// block lengths.
    #[test]
    fn sizes_stay_within_the_possible_ones() -> io::Result<()> {
        let mut random = vec![0; 300_000];
        blake3::Hasher::new().update(b"incompressible").finalize_xof().fill(&mut random);
        for len in [0, 1, 2, 100, 1031, 16_384, 65_535, 65_536, 70_000, 300_000] {
            for bytes in [&vec![0u8; len][..], &random[..len]] {
                for compression in Compression::ALL {
                    let size = compressed_size(bytes, compression)?;
                    let possible = compression.possible_sizes(len as u64);
                    assert!(possible.contains(&size), "{compression:?} of {len} bytes: {size} not in {possible:?}");
                }
            }
        }
        let zeros = compressed_size(&vec![0; 4_000_000], Compression::Gzip)?;
        assert!(Compression::Gzip.possible_sizes(4_000_000).contains(&zeros), "{zeros}");
        Ok(())
    }

    /// The cache key names the encoder versions; a dependency bump must change it.
    #[test]
    fn encoder_versions_are_the_locked_ones() {
        let lock = include_str!("../../../Cargo.lock");
        for (package, key) in [("zlib-rs", Compression::Gzip.encoder()), ("brotlic-sys", Compression::Brotli.encoder())]
        {
            let needle = format!("name = \"{package}\"\nversion = \"");
            let start = lock.find(&needle).map(|at| at + needle.len());
            let version = start.and_then(|start| lock[start..].split('"').next());
            assert!(
                version.is_some_and(|version| key.ends_with(&format!("{package}-{version}"))),
                "{key} does not name the locked {package} {version:?}"
            );
        }
    }
}
