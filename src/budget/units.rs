//! Parsing the quantities written in a budget file: `2.5s`, `150 KB`, `10%`, `1000/s`, `0.1`.
//!
//! Strict on purpose: a bare number on a time or size, or a unit we do not know (`10k`),
//! is an error that lists the units that exist, because a gate that guesses a unit can
//! pass a budget that should have failed.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, Visitor};
use thiserror::Error;

use crate::quantity::Dimension;

/// A limit as written: YAML/JSON number or string.
#[derive(Debug, Clone, PartialEq, schemars::JsonSchema)]
#[serde(untagged)]
pub enum RawQuantity {
    Number(f64),
    Text(String),
}

impl<'de> Deserialize<'de> for RawQuantity {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(QuantityVisitor)
    }
}

/// Reads a scalar as a [`RawQuantity`] inside the scalar's own visitor, so errors raised
/// on it (a quantity that overflows its unit) carry its position.
struct QuantityVisitor;

impl Visitor<'_> for QuantityVisitor {
    type Value = RawQuantity;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number or a quantity with a unit, such as 2.5s, 150 kB or 10%")
    }
    fn visit_f64<E: de::Error>(self, value: f64) -> Result<RawQuantity, E> {
        Ok(RawQuantity::Number(value))
    }
    fn visit_i64<E: de::Error>(self, value: i64) -> Result<RawQuantity, E> {
        Ok(RawQuantity::Number(value as f64))
    }
    fn visit_u64<E: de::Error>(self, value: u64) -> Result<RawQuantity, E> {
        Ok(RawQuantity::Number(value as f64))
    }
    fn visit_str<E: de::Error>(self, value: &str) -> Result<RawQuantity, E> {
        let raw = RawQuantity::Text(value.to_owned());
        check_fits_base(&raw).map_err(E::custom)?;
        Ok(raw)
    }
}

impl fmt::Display for RawQuantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RawQuantity::Number(n) => write!(f, "{n}"),
            RawQuantity::Text(t) => f.write_str(t),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Error)]
pub enum UnitError {
    #[error("`{text}` is not a number with a unit; {dimension} is written like {example}")]
    NotANumber { text: String, dimension: &'static str, example: &'static str },
    #[error("`{text}` has no unit; {what} is {dimension} and needs one of: {units}")]
    MissingUnit { text: String, what: String, dimension: &'static str, units: &'static str },
    #[error("`{text}`: unknown unit `{unit}`; {dimension} takes one of: {units}")]
    UnknownUnit { text: String, unit: String, dimension: &'static str, units: &'static str },
    #[error("`{text}`: {what} is a plain number without a unit (write {example})")]
    UnexpectedUnit { text: String, what: String, example: String },
    #[error("`{text}` is not a finite number")]
    NotFinite { text: String },
    /// Finite as written, infinite once its unit's factor brings it to base units: a limit
    /// no value can cross.
    #[error("`{text}` is too large for {dimension} (it overflows in {base})")]
    TooLarge { text: String, dimension: &'static str, base: &'static str },
    #[error("`{text}` is negative; {dimension} cannot be below zero")]
    Negative { text: String, dimension: &'static str },
    #[error("`{text}`: a fraction must be between 0 and 1; write a percentage such as `150%` for more")]
    FractionOutOfRange { text: String },
}

pub const TIME_UNITS: &str = "ns, us (or µs), ms, s";
pub const SIZE_UNITS: &str = "B, kB (= KB = kb, 1000 B), KiB (1024 B), MB (= mb), MiB, GB (= gb), GiB";
const RATIO_UNITS: &str = "% (or a plain fraction such as 0.05)";
const RATE_UNITS: &str = "/s (such as 1000/s)";

/// Splits `"2.5 s"` into `(2.5, "s")`. The number part is an optional sign, digits, an
/// optional fraction and an optional exponent; whatever follows (after spaces) is the unit.
fn split_number(text: &str) -> Option<(f64, &str)> {
    let trimmed = text.trim();
    let bytes = trimmed.as_bytes();
    let mut end = 0;
    if end < bytes.len() && (bytes[end] == b'-' || bytes[end] == b'+') {
        end += 1;
    }
    let digits_start = end;
    while end < bytes.len() && (bytes[end].is_ascii_digit() || bytes[end] == b'.') {
        end += 1;
    }
    if end == digits_start {
        return None;
    }
    // An exponent only when digits follow, so `5e` is not swallowed and `1e3ms` works.
    if end < bytes.len() && (bytes[end] == b'e' || bytes[end] == b'E') {
        let mut exp_end = end + 1;
        if exp_end < bytes.len() && (bytes[exp_end] == b'-' || bytes[exp_end] == b'+') {
            exp_end += 1;
        }
        let exp_digits = exp_end;
        while exp_end < bytes.len() && bytes[exp_end].is_ascii_digit() {
            exp_end += 1;
        }
        if exp_end > exp_digits {
            end = exp_end;
        }
    }
    let number: f64 = trimmed[..end].parse().ok()?;
    Some((number, trimmed[end..].trim_start()))
}

fn check_finite_and_sign(value: f64, text: &str, dimension: Dimension) -> Result<f64, UnitError> {
    if !value.is_finite() {
        return Err(UnitError::NotFinite { text: text.to_owned() });
    }
    if value < 0.0 {
        return Err(UnitError::Negative { text: text.to_owned(), dimension: dimension.noun() });
    }
    Ok(value)
}

/// Parses a limit for a metric of the given dimension into the dimension's base unit
/// (ns, bytes, fraction, per second, number). `what` names the metric for messages.
pub fn parse(raw: &RawQuantity, dimension: Dimension, what: &str) -> Result<f64, UnitError> {
    let text = raw.to_string();
    let (number, unit) = match raw {
        RawQuantity::Number(n) => (*n, ""),
        RawQuantity::Text(t) => match split_number(t) {
            Some(split) => split,
            None if is_non_finite_word(t) => return Err(UnitError::NotFinite { text }),
            None => {
                return Err(UnitError::NotANumber { text, dimension: dimension.noun(), example: example(dimension) });
            }
        },
    };
    let number = check_finite_and_sign(number, &text, dimension)?;
    let base = match dimension {
        Dimension::Time => number * time_factor(unit, &text, what)?,
        Dimension::Size => number * size_factor(unit, &text, what)?,
        Dimension::Ratio => match unit {
            "%" => number / 100.0,
            "" if number <= 1.0 => number,
            "" => return Err(UnitError::FractionOutOfRange { text }),
            other => {
                return Err(UnitError::UnknownUnit {
                    text: text.clone(),
                    unit: other.to_owned(),
                    dimension: dimension.noun(),
                    units: RATIO_UNITS,
                });
            }
        },
        Dimension::Rate => match unit {
            "/s" | "" => number,
            other => {
                return Err(UnitError::UnknownUnit {
                    text: text.clone(),
                    unit: other.to_owned(),
                    dimension: dimension.noun(),
                    units: RATE_UNITS,
                });
            }
        },
        Dimension::Number => match unit {
            "" => number,
            _ => {
                return Err(UnitError::UnexpectedUnit {
                    text: text.clone(),
                    what: what.to_owned(),
                    example: format!("`{}`", crate::quantity::significant(number)),
                });
            }
        },
    };
    in_base(base, text, dimension)
}

/// `value` (already in base units) when it is finite; `text` is how it was written.
pub fn in_base(value: f64, text: String, dimension: Dimension) -> Result<f64, UnitError> {
    if value.is_finite() {
        return Ok(value);
    }
    Err(UnitError::TooLarge { text, dimension: dimension.noun(), base: base_unit(dimension) })
}

/// What base values count: the unit every limit is compared in.
fn base_unit(dimension: Dimension) -> &'static str {
    match dimension {
        Dimension::Time => "nanoseconds",
        Dimension::Size => "bytes",
        Dimension::Ratio => "fractions",
        Dimension::Rate => "events per second",
        Dimension::Number => "plain numbers",
    }
}

/// Whether a quantity stays finite once its unit is applied, whatever the metric it is
/// for: only time and size units multiply. Checked where the quantity is written, so the
/// error carries its position even before the entry's metric is known.
pub fn check_fits_base(raw: &RawQuantity) -> Result<(), UnitError> {
    let RawQuantity::Text(text) = raw else { return Ok(()) };
    let Some((number, unit)) = split_number(text) else { return Ok(()) };
    let scaled = [(Dimension::Time, nanoseconds_per(unit)), (Dimension::Size, bytes_per(unit))];
    for (dimension, factor) in scaled {
        if let Some(factor) = factor {
            in_base(number * factor, text.clone(), dimension)?;
        }
    }
    Ok(())
}

/// Parses a quantity whose dimension comes from its unit (`300ms` is a time, `5%` a ratio,
/// `1000/s` a rate, a bare number a plain number): used where the metric does not fix the
/// dimension, such as a `k6` budget on a custom metric.
pub fn parse_any(raw: &RawQuantity, what: &str) -> Result<(Dimension, f64), UnitError> {
    let text = raw.to_string();
    let unit = match raw {
        RawQuantity::Number(_) => "",
        RawQuantity::Text(t) => split_number(t).map(|(_, unit)| unit).unwrap_or(""),
    };
    let dimension = if unit.is_empty() {
        Dimension::Number
    } else if unit == "%" {
        Dimension::Ratio
    } else if unit == "/s" {
        Dimension::Rate
    } else if nanoseconds_per(unit).is_some() {
        Dimension::Time
    } else if bytes_per(unit).is_some() {
        Dimension::Size
    } else {
        return Err(UnitError::UnknownUnit {
            text,
            unit: unit.to_owned(),
            dimension: "a k6 limit",
            units: "a time (ns, us, ms, s), a size (B, kB, KiB, MB, MiB), % or /s",
        });
    };
    Ok((dimension, parse(raw, dimension, what)?))
}

/// A percentage (`10%`) or plain fraction (`0.1`), as used by `warn:` bands and `regression:`.
pub fn parse_fraction(raw: &RawQuantity, what: &str) -> Result<f64, UnitError> {
    parse(raw, Dimension::Ratio, what)
}

/// Whether the text carries a percent sign: `warn: 10%` is relative to the limit while
/// `warn: 1.8s` is absolute.
pub fn is_percentage(raw: &RawQuantity) -> bool {
    matches!(raw, RawQuantity::Text(t) if t.trim_end().ends_with('%'))
}

fn is_non_finite_word(text: &str) -> bool {
    let word = text.trim().trim_start_matches(['+', '-']).to_ascii_lowercase();
    matches!(word.as_str(), "nan" | "inf" | "infinity" | ".nan" | ".inf")
}

fn example(dimension: Dimension) -> &'static str {
    match dimension {
        Dimension::Time => "`2.5s` or `300ms`",
        Dimension::Size => "`150 kB` or `50 KiB`",
        Dimension::Ratio => "`5%` or `0.05`",
        Dimension::Rate => "`1000/s`",
        Dimension::Number => "`0.1`",
    }
}

/// Nanoseconds per time unit.
fn nanoseconds_per(unit: &str) -> Option<f64> {
    match unit {
        "ns" => Some(1.0),
        "us" | "µs" | "μs" => Some(1e3),
        "ms" => Some(1e6),
        "s" => Some(1e9),
        _ => None,
    }
}

/// Bytes per size unit. `kB`, `KB` and `kb` are all 1000 (the seed budgets write `150kb`
/// and size-limit's `kB` is decimal); binary sizes must say `KiB`.
fn bytes_per(unit: &str) -> Option<f64> {
    match unit {
        "B" => Some(1.0),
        "kB" | "KB" | "kb" => Some(1e3),
        "KiB" => Some(1024.0),
        "MB" | "mb" => Some(1e6),
        "MiB" => Some(1024.0 * 1024.0),
        "GB" | "gb" => Some(1e9),
        "GiB" => Some(1024.0 * 1024.0 * 1024.0),
        _ => None,
    }
}

/// The factor of a time or size unit, or the error that names the units there are.
fn factor(
    unit: &str,
    text: &str,
    what: &str,
    dimension: Dimension,
    units: &'static str,
    per: fn(&str) -> Option<f64>,
) -> Result<f64, UnitError> {
    match (per(unit), unit) {
        (Some(factor), _) => Ok(factor),
        (None, "") => Err(UnitError::MissingUnit {
            text: text.to_owned(),
            what: what.to_owned(),
            dimension: dimension.noun(),
            units,
        }),
        (None, other) => Err(UnitError::UnknownUnit {
            text: text.to_owned(),
            unit: other.to_owned(),
            dimension: dimension.noun(),
            units,
        }),
    }
}

fn time_factor(unit: &str, text: &str, what: &str) -> Result<f64, UnitError> {
    factor(unit, text, what, Dimension::Time, TIME_UNITS, nanoseconds_per)
}

fn size_factor(unit: &str, text: &str, what: &str) -> Result<f64, UnitError> {
    factor(unit, text, what, Dimension::Size, SIZE_UNITS, bytes_per)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(t: &str) -> RawQuantity {
        RawQuantity::Text(t.to_owned())
    }

    #[test]
    fn every_time_unit_converts_to_nanoseconds() {
        let cases = [
            ("2.5s", 2.5e9),
            ("300ms", 3e8),
            ("300 ms", 3e8),
            ("40us", 4e4),
            ("40µs", 4e4),
            ("40μs", 4e4),
            ("12ns", 12.0),
            ("1e3ms", 1e9),
            ("0s", 0.0),
        ];
        for (input, want) in cases {
            assert_eq!(parse(&text(input), Dimension::Time, "lcp"), Ok(want), "{input}");
        }
    }

    #[test]
    fn every_size_unit_converts_to_bytes() {
        let cases = [
            ("512B", 512.0),
            ("150kb", 150_000.0),
            ("150 KB", 150_000.0),
            ("150kB", 150_000.0),
            ("50 KiB", 51_200.0),
            ("1MB", 1e6),
            ("1mb", 1e6),
            ("1MiB", 1_048_576.0),
            ("2GB", 2e9),
            ("1GiB", 1_073_741_824.0),
        ];
        for (input, want) in cases {
            assert_eq!(parse(&text(input), Dimension::Size, "bundle_size"), Ok(want), "{input}");
        }
    }

    #[test]
    fn ratios_rates_and_numbers() {
        assert_eq!(parse(&text("5%"), Dimension::Ratio, "error_rate"), Ok(0.05));
        assert_eq!(parse(&RawQuantity::Number(0.05), Dimension::Ratio, "error_rate"), Ok(0.05));
        assert_eq!(parse(&text("1000/s"), Dimension::Rate, "throughput"), Ok(1000.0));
        assert_eq!(parse(&RawQuantity::Number(1000.0), Dimension::Rate, "throughput"), Ok(1000.0));
        assert_eq!(parse(&RawQuantity::Number(0.1), Dimension::Number, "cls"), Ok(0.1));
        assert_eq!(parse(&text("0.1"), Dimension::Number, "cls"), Ok(0.1));
    }

    #[test]
    fn a_bare_number_on_a_time_or_size_names_the_units() {
        let err = parse(&RawQuantity::Number(2.5), Dimension::Time, "lcp").unwrap_err();
        assert_eq!(err.to_string(), "`2.5` has no unit; lcp is a time and needs one of: ns, us (or µs), ms, s");
        let err = parse(&text("150"), Dimension::Size, "bundle_size").unwrap_err();
        assert!(err.to_string().starts_with("`150` has no unit; bundle_size is a size and needs one of: B, kB"));
    }

    #[test]
    fn unknown_units_are_errors_that_list_the_real_ones() {
        let err = parse(&text("10k"), Dimension::Size, "bundle_size").unwrap_err();
        assert_eq!(
            err.to_string(),
            "`10k`: unknown unit `k`; a size takes one of: B, kB (= KB = kb, 1000 B), KiB (1024 B), MB (= mb), MiB, GB (= gb), GiB"
        );
        let err = parse(&text("5 parsecs"), Dimension::Time, "lcp").unwrap_err();
        assert_eq!(err.to_string(), "`5 parsecs`: unknown unit `parsecs`; a time takes one of: ns, us (or µs), ms, s");
        let err = parse(&text("0.1px"), Dimension::Number, "cls").unwrap_err();
        assert_eq!(err.to_string(), "`0.1px`: cls is a plain number without a unit (write `0.1`)");
        let err = parse(&text("3 per s"), Dimension::Rate, "throughput").unwrap_err();
        assert!(err.to_string().contains("unknown unit `per s`"));
    }

    #[test]
    fn impossible_values_are_rejected() {
        assert_eq!(
            parse(&text("-1s"), Dimension::Time, "lcp").unwrap_err().to_string(),
            "`-1s` is negative; a time cannot be below zero"
        );
        assert!(matches!(parse(&text("NaN"), Dimension::Number, "cls"), Err(UnitError::NotFinite { .. })));
        assert!(matches!(parse(&text("inf"), Dimension::Time, "lcp"), Err(UnitError::NotFinite { .. })));
        assert!(matches!(
            parse(&RawQuantity::Number(f64::NAN), Dimension::Number, "cls"),
            Err(UnitError::NotFinite { .. })
        ));
        assert!(matches!(parse(&text("1e400s"), Dimension::Time, "lcp"), Err(UnitError::NotFinite { .. })));
        assert!(matches!(parse(&text("fast"), Dimension::Time, "lcp"), Err(UnitError::NotANumber { .. })));
        assert!(matches!(
            parse(&RawQuantity::Number(5.0), Dimension::Ratio, "error_rate"),
            Err(UnitError::FractionOutOfRange { .. })
        ));
    }

    #[test]
    fn values_that_overflow_their_base_unit_are_rejected() {
        assert_eq!(
            parse(&text("1e300s"), Dimension::Time, "lcp").unwrap_err().to_string(),
            "`1e300s` is too large for a time (it overflows in nanoseconds)"
        );
        assert_eq!(
            parse(&text("1e300 GB"), Dimension::Size, "bundle_size").unwrap_err().to_string(),
            "`1e300 GB` is too large for a size (it overflows in bytes)"
        );
        assert!(matches!(parse_any(&text("1e305ms"), "k6"), Err(UnitError::TooLarge { .. })));
        assert!(parse(&text("1e299s"), Dimension::Time, "lcp").is_ok_and(f64::is_finite));
        assert!(check_fits_base(&text("1e300s")).is_err());
        assert!(check_fits_base(&text("1e301 GiB")).is_err());
        for fits in ["1e300", "1e300%", "1e300/s", "1e299s", "fast", "1e300 parsecs"] {
            assert_eq!(check_fits_base(&text(fits)), Ok(()), "{fits}");
        }
        assert_eq!(check_fits_base(&RawQuantity::Number(f64::MAX)), Ok(()));
    }

    #[test]
    fn dimension_follows_the_unit_where_the_metric_does_not_fix_it() {
        assert_eq!(parse_any(&text("300ms"), "k6"), Ok((Dimension::Time, 3e8)));
        assert_eq!(parse_any(&text("2%"), "k6"), Ok((Dimension::Ratio, 0.02)));
        assert_eq!(parse_any(&text("100/s"), "k6"), Ok((Dimension::Rate, 100.0)));
        assert_eq!(parse_any(&text("1 MB"), "k6"), Ok((Dimension::Size, 1e6)));
        assert_eq!(parse_any(&RawQuantity::Number(42.0), "k6"), Ok((Dimension::Number, 42.0)));
        assert!(parse_any(&text("3 parsecs"), "k6").is_err());
    }

    #[test]
    fn percentages_are_recognised_for_warn_bands() {
        assert!(is_percentage(&text("10%")));
        assert!(!is_percentage(&text("1.8s")));
        assert_eq!(parse_fraction(&text("10%"), "warn"), Ok(0.1));
    }
}
