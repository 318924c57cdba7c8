//! Reading files that may be hostile: regular files only (a FIFO or a device is refused
//! before it is opened) and never more than a cap, found by the length before a byte is
//! read. Every layer that opens a file whole reads it here.

use std::io::Read;
use std::path::Path;

use anyhow::{Context, bail};

/// The largest file read whole as one report. Lighthouse reports with their screenshots
/// run to tens of MB; anything past this is refused before a byte is read, so a huge or
/// sparse file given as a report cannot exhaust memory. (k6 streams are read line by line
/// and have no such limit.)
pub const MAX_DOCUMENT_BYTES: u64 = 500_000_000;

/// Reads a whole report, refusing one over [`MAX_DOCUMENT_BYTES`].
pub fn read_document(path: &Path) -> anyhow::Result<Vec<u8>> {
    read_capped(path, MAX_DOCUMENT_BYTES, &|size| {
        anyhow::anyhow!(
            "{}: {} is more than the {} perfbudget reads as one report; is this the right file?",
            path.display(),
            crate::quantity::format_base(crate::quantity::Dimension::Size, size as f64),
            crate::quantity::format_base(crate::quantity::Dimension::Size, MAX_DOCUMENT_BYTES as f64),
        )
    })
}

/// Refuses anything but a regular file (after symlinks), before it is opened: opening a
/// FIFO waits for a writer that may never come, and a device (`/dev/zero`) never ends.
/// The type is checked on the path, then the file is opened by path; a file swapped for a
/// FIFO in between can still block, which needs a writer on this machine, not a report.
/// `hint` says what the file should be.
pub fn regular_file(path: &Path, metadata: &std::fs::Metadata, hint: &str) -> anyhow::Result<()> {
    if metadata.is_file() {
        return Ok(());
    }
    bail!("{}: not a regular file ({}); {hint}", path.display(), file_kind(&metadata.file_type()))
}

/// What a file that is not a regular file is, in words.
fn file_kind(file_type: &std::fs::FileType) -> &'static str {
    if file_type.is_dir() {
        return "a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO";
        }
        if file_type.is_char_device() {
            return "a character device";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    "a special file"
}

/// Reads a whole file of at most `max` bytes; a longer one is `too_large(its size)`, found
/// by its length before a byte is read, and again while reading, as the file may grow.
pub fn read_capped(path: &Path, max: u64, too_large: &dyn Fn(u64) -> anyhow::Error) -> anyhow::Result<Vec<u8>> {
    let metadata = std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
    regular_file(path, &metadata, "perfbudget reads files, not pipes or devices")?;
    let file = std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let size = file.metadata().with_context(|| format!("cannot read {}", path.display()))?.len();
    if size > max {
        return Err(too_large(size));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(max + 1).read_to_end(&mut bytes).with_context(|| format!("cannot read {}", path.display()))?;
    if bytes.len() as u64 > max {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Reads a whole text report ([`read_document`]), which must be UTF-8.
pub fn read_text_document(path: &Path) -> anyhow::Result<String> {
    String::from_utf8(read_document(path)?).map_err(|error| {
        anyhow::anyhow!(
            "{}: not UTF-8 text (an invalid byte at offset {})",
            path.display(),
            error.utf8_error().valid_up_to()
        )
    })
}
