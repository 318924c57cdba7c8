//! Which format a file is in, by its content, never by its name.

use std::path::Path;

use anyhow::bail;

use crate::ingest::format::{Detection, Head};
use crate::ingest::registry::{FORMATS, Format, known_formats};

/// The most confident format of a head, if any is.
pub(super) fn most_confident<'f>(head: &Head, formats: impl Iterator<Item = &'f Format>) -> Option<&'f Format> {
    let mut best: Option<(&Format, Detection)> = None;
    for format in formats {
        let detection = format.adapter.detect(head);
        if detection > best.map_or(Detection::No, |(_, best)| best) {
            best = Some((format, detection));
        }
    }
    best.map(|(format, _)| format)
}

/// Picks the format of a file by its first bytes; a file no format claims is an error
/// that says what it looks like, where a format knows.
pub fn detect(path: &Path) -> anyhow::Result<&'static Format> {
    let head = Head::read(path)?;
    if let Some(format) = most_confident(&head, FORMATS.iter()) {
        return Ok(format);
    }
    if let Some(message) = FORMATS.iter().find_map(|format| format.adapter.near_miss(path, &head)) {
        bail!("{}: {message}", path.display());
    }
    let known = known_formats().join(", ");
    if head.is_blank() {
        bail!("{}: the file is empty; perfbudget reads: {known}", path.display());
    }
    bail!(
        "{}: not an input perfbudget can read (detected by content, not by name); perfbudget reads: {known}",
        path.display()
    )
}
