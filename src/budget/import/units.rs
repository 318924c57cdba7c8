//! The byte-size parsers of the peer tools, as they read a limit: `bytes-iec` 3.1.1
//! (size-limit: `kB` = 1000, `KiB` = 1024) and `bytes` 3.1.2 (bundlewatch and bundlesize:
//! `kB` = 1024, anything else read by `parseInt`, so `"40 KiB"` is 40 bytes).

/// A number as JavaScript's `/(-|\+)?\d+(\.\d+)?/` takes it from the front of `text`:
/// the value, and the rest of the text after it. `None` without a digit.
fn leading_decimal(text: &str) -> Option<(f64, &str)> {
    let bytes = text.as_bytes();
    let mut end = usize::from(matches!(bytes.first(), Some(b'-' | b'+')));
    let digits_start = end;
    while bytes.get(end).is_some_and(u8::is_ascii_digit) {
        end += 1;
    }
    if end == digits_start {
        return None;
    }
    if bytes.get(end) == Some(&b'.') && bytes.get(end + 1).is_some_and(u8::is_ascii_digit) {
        end += 1;
        while bytes.get(end).is_some_and(u8::is_ascii_digit) {
            end += 1;
        }
    }
    Some((text[..end].parse().ok()?, &text[end..]))
}

/// `bytes-iec.parse(text)` in its default (metric) mode: a number, spaces, and an optional
/// unit `B`, `kB` ... `YB` (powers of 1000) or `KiB` ... `YiB` (powers of 1024), any case,
/// floored to whole bytes. `None` where bytes-iec returns null (`"10 k"`, `"ten kB"`).
pub fn bytes_iec(text: &str) -> Option<f64> {
    let (value, rest) = leading_decimal(text)?;
    let unit = rest.trim_start_matches(' ').to_ascii_lowercase();
    let prefixes = ["", "k", "m", "g", "t", "p", "e", "z", "y"];
    let factor = if unit.is_empty() || unit == "b" {
        1.0
    } else if let Some(prefix) = unit.strip_suffix("ib") {
        1024f64.powi(i32::try_from(prefixes.iter().position(|p| *p == prefix).filter(|at| *at > 0)?).ok()?)
    } else {
        let prefix = unit.strip_suffix('b')?;
        1000f64.powi(i32::try_from(prefixes.iter().position(|p| *p == prefix)?).ok()?)
    };
    Some((factor * value).floor())
}

/// `bytes.parse(text)` of bytes 3.1.2: a number, spaces and `kb`/`mb`/`gb`/`tb`/`pb` (any
/// case, powers of 1024); any other text is read by JavaScript's `parseInt` as bytes
/// (`"40 KiB"` is 40, `"10k"` is 10). `None` where it returns null (no leading digit).
pub fn bytes(text: &str) -> Option<f64> {
    if let Some((value, rest)) = leading_decimal(text) {
        let unit = rest.trim_start_matches(' ').to_ascii_lowercase();
        let power = ["b", "kb", "mb", "gb", "tb", "pb"].iter().position(|u| *u == unit).filter(|at| *at > 0);
        if let Some(power) = power {
            return Some((1024f64.powi(i32::try_from(power).ok()?) * value).floor());
        }
    }
    parse_int(text)
}

/// JavaScript's `parseInt(text, 10)`: leading whitespace, a sign, then the digits up to the
/// first other character.
fn parse_int(text: &str) -> Option<f64> {
    let text = text.trim_start_matches([' ', '\t', '\n', '\r', '\u{b}', '\u{c}', '\u{a0}', '\u{feff}']);
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let end = digits.bytes().take_while(u8::is_ascii_digit).count();
    let value: f64 = digits[..end].parse().ok()?;
    Some(if negative { -value } else { value })
}

/// Whether size-limit reads a limit as a time: its unanchored `/ ?ms/i`, else `/ ?s/i`,
/// so any `s` makes it one.
pub fn size_limit_is_time(text: &str) -> bool {
    text.to_ascii_lowercase().contains('s')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table of peers-wave2.md §4.6, verified there with node and the real packages.
    #[test]
    fn both_parsers_read_limits_as_their_packages_do() {
        let cases: &[(&str, Option<f64>, Option<f64>)] = &[
            ("10 kB", Some(10_000.0), Some(10_240.0)),
            ("10kB", Some(10_000.0), Some(10_240.0)),
            ("10 KB", Some(10_000.0), Some(10_240.0)),
            ("10 kb", Some(10_000.0), Some(10_240.0)),
            ("1.5 kB", Some(1_500.0), Some(1_536.0)),
            ("10 KiB", Some(10_240.0), Some(10.0)),
            ("1 MB", Some(1_000_000.0), Some(1_048_576.0)),
            ("1 MiB", Some(1_048_576.0), Some(1.0)),
            ("1 GB", Some(1e9), Some(1_073_741_824.0)),
            ("10 k", None, Some(10.0)),
            ("10K", None, Some(10.0)),
            ("10", Some(10.0), Some(10.0)),
            ("10 B", Some(10.0), Some(10.0)),
            ("0", Some(0.0), Some(0.0)),
            ("ten kB", None, None),
            ("10 ib", None, Some(10.0)),
        ];
        for (text, iec, plain) in cases {
            assert_eq!(bytes_iec(text), *iec, "bytes-iec {text:?}");
            assert_eq!(bytes(text), *plain, "bytes {text:?}");
        }
    }

    #[test]
    fn any_s_makes_a_size_limit_limit_a_time() {
        assert!(size_limit_is_time("500 ms"));
        assert!(size_limit_is_time("1 s"));
        assert!(size_limit_is_time("5 bytes"));
        assert!(!size_limit_is_time("10 kB"));
        assert!(!size_limit_is_time("1 MiB"));
    }
}
