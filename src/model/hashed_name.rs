//! Content hashes out of built file names, so a file keeps its name from build to build:
//! `assets/index-3f2a9c1b.js` is `assets/index.js`. The patterns are those bundlers use:
//! webpack's `[name].[contenthash].js` and `[id].[contenthash].chunk.js` (hex, after a
//! dot), Vite and Rollup's `[name]-[hash].js` (hex before Rollup 3, then 8 base64url
//! characters), and hex after `-`, `_` or `~` in general. One hash per name is removed,
//! the last one. A name without a hash is left as it is.
//!
//! This is a heuristic: a word that looks random enough (`use-Z3tAbQ9x.js`) is taken for
//! a hash. A build manifest names files exactly and needs none of it.

use std::borrow::Cow;

/// The file's path with the content hash of its name removed.
pub fn logical_name(path: &str) -> Cow<'_, str> {
    let name_start = path.rfind('/').map_or(0, |slash| slash + 1);
    let name = &path[name_start..];
    let segments: Vec<&str> = name.split('.').collect();
    if segments.len() < 2 {
        return Cow::Borrowed(path);
    }
    // A whole dot-separated segment (never the first, never the extension).
    for index in (1..segments.len() - 1).rev() {
        if is_hex_hash(segments[index]) {
            let mut kept = segments.clone();
            kept.remove(index);
            return Cow::Owned(format!("{}{}", &path[..name_start], kept.join(".")));
        }
    }
    // The end of a segment, after `-`, `_` or `~`.
    let mut starts = Vec::with_capacity(segments.len());
    let mut start = name_start;
    for segment in &segments {
        starts.push(start);
        start += segment.len() + 1;
    }
    for index in (0..segments.len() - 1).rev() {
        if let Some(hash_len) = suffix_hash_len(segments[index]) {
            let end = starts[index] + segments[index].len();
            return Cow::Owned(format!("{}{}", &path[..end - hash_len - 1], &path[end..]));
        }
    }
    Cow::Borrowed(path)
}

/// The length of a hash ending this segment after a separator, if there is one.
fn suffix_hash_len(segment: &str) -> Option<usize> {
    // Hex after any separator: `index-3f2a9c1b`, `_app-1a2b3c4d5e6f7a8b`, `vendors~4f3e2d1c`.
    if let Some(separator) = segment.rfind(['-', '_', '~'])
        && separator > 0
        && is_hex_hash(&segment[separator + 1..])
    {
        return Some(segment.len() - separator - 1);
    }
    // Rollup 3+ and Vite: `-` then 8 base64url characters, which may hold `-` and `_`.
    let bytes = segment.as_bytes();
    if bytes.len() > 9 && bytes[bytes.len() - 9] == b'-' && looks_like_base64_hash(&segment[segment.len() - 8..]) {
        return Some(8);
    }
    None
}

/// Lowercase hex of 5 to 64 digits with both a digit and a letter (`3f2a9c1b`), or 8 or
/// more digits alone (a timestamp cache-buster); `deface` or `787` are not hashes.
fn is_hex_hash(token: &str) -> bool {
    let len = token.len();
    if !(5..=64).contains(&len) || !token.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return false;
    }
    let digits = token.bytes().filter(u8::is_ascii_digit).count();
    (digits > 0 && digits < len) || (digits == len && len >= 8)
}

/// Eight base64url characters that look random: a digit, or two capitals (`BmX3k9Qa`,
/// `DlRbNwWs`); `carousel` and `Carousel` are words.
fn looks_like_base64_hash(token: &str) -> bool {
    token.len() == 8
        && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        && (token.bytes().any(|b| b.is_ascii_digit()) || token.bytes().filter(u8::is_ascii_uppercase).count() >= 2)
}

#[cfg(test)]
mod tests {
    use super::logical_name;

    #[test]
    fn strips_the_hashes_bundlers_write() {
        for (built, logical) in [
            ("assets/index-3f2a9c1b.js", "assets/index.js"),
            ("static/js/main.8d1f0a2b3c4d5e6f7a8b.js", "static/js/main.js"),
            ("static/js/787.1a2b3c4d.chunk.js", "static/js/787.chunk.js"),
            ("static/css/main.5f2c1a3b.css", "static/css/main.css"),
            ("assets/preact-BmX3k9Qa.js", "assets/preact.js"),
            ("assets/index-B_x3-k9Q.js", "assets/index.js"),
            ("assets/index-4f3e2d1c.js.LICENSE.txt", "assets/index.js.LICENSE.txt"),
            ("assets/popper-0a1b2c3d.js.map", "assets/popper.js.map"),
            ("_next/static/chunks/pages/_app-1a2b3c4d5e6f7a8b.js", "_next/static/chunks/pages/_app.js"),
            ("vendors~main.4f3e2d1c.js", "vendors~main.js"),
            ("app.20240101.js", "app.js"),
        ] {
            assert_eq!(logical_name(built), logical, "{built}");
        }
    }

    #[test]
    fn leaves_names_without_a_hash() {
        for name in [
            "vendor/react-dom.production.min.js",
            "assets/normalize.css",
            "assets/my-carousel.js",
            "assets/use-Carousel.js",
            "static/js/787.chunk.js",
            "facade.deface.js",
            "index.js",
            "README",
            "dist/v1.2.3/app.js",
            ".hidden",
            "a-1234.js",
        ] {
            assert_eq!(logical_name(name), name);
        }
    }
}
