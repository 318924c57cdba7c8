//! Units of measured values and how they print.
//!
//! Every value compares in the base unit of its dimension (nanoseconds, bytes, a fraction,
//! per second, a plain number), so a budget written as `2.5s` and a Lighthouse value in
//! milliseconds meet on the same scale without either side losing precision.

use serde::{Deserialize, Serialize};

/// What a number measures. Values of different dimensions never compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dimension {
    Time,
    Size,
    Ratio,
    Rate,
    Number,
}

impl Dimension {
    /// The noun used in messages ("lcp is a time").
    pub fn noun(self) -> &'static str {
        match self {
            Dimension::Time => "a time",
            Dimension::Size => "a size",
            Dimension::Ratio => "a ratio",
            Dimension::Rate => "a rate",
            Dimension::Number => "a plain number",
        }
    }
}

/// The unit a measurement's `value` is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
pub enum Unit {
    #[serde(rename = "ns")]
    Ns,
    #[serde(rename = "us", alias = "µs", alias = "μs")]
    Us,
    #[serde(rename = "ms")]
    Ms,
    #[serde(rename = "s")]
    S,
    #[serde(rename = "B")]
    Bytes,
    /// A fraction between 0 and 1 (k6 rates, error ratios).
    #[serde(rename = "ratio")]
    Ratio,
    /// Events per second (throughput).
    #[serde(rename = "/s")]
    PerSecond,
    /// A unitless number (CLS, a score, a count).
    #[serde(rename = "number")]
    Number,
}

impl Unit {
    pub fn dimension(self) -> Dimension {
        match self {
            Unit::Ns | Unit::Us | Unit::Ms | Unit::S => Dimension::Time,
            Unit::Bytes => Dimension::Size,
            Unit::Ratio => Dimension::Ratio,
            Unit::PerSecond => Dimension::Rate,
            Unit::Number => Dimension::Number,
        }
    }

    /// How many base units (ns for time) one of this unit is.
    fn factor(self) -> f64 {
        match self {
            Unit::Ns => 1.0,
            Unit::Us => 1e3,
            Unit::Ms => 1e6,
            Unit::S => 1e9,
            Unit::Bytes | Unit::Ratio | Unit::PerSecond | Unit::Number => 1.0,
        }
    }

    pub fn to_base(self, value: f64) -> f64 {
        value * self.factor()
    }

    pub fn from_base(self, base: f64) -> f64 {
        base / self.factor()
    }

    /// The spelling used in JSON (`"ms"`, `"B"`, `"/s"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Ns => "ns",
            Unit::Us => "us",
            Unit::Ms => "ms",
            Unit::S => "s",
            Unit::Bytes => "B",
            Unit::Ratio => "ratio",
            Unit::PerSecond => "/s",
            Unit::Number => "number",
        }
    }

    /// Prints a value given in this unit the way a person reads it (`2.4 s`, `150 kB`, `1.2%`).
    pub fn format(self, value: f64) -> String {
        format_base(self.dimension(), self.to_base(value))
    }
}

/// Prints a base-unit value with a unit chosen by magnitude, as criterion prints times
/// (ps, ns, µs, ms, s) and as size-limit prints sizes (B, kB, MB: powers of 1000).
pub fn format_base(dimension: Dimension, base: f64) -> String {
    let magnitude = base.abs();
    match dimension {
        Dimension::Time => {
            let (scaled, unit) = if magnitude == 0.0 {
                (base, "ms")
            } else if magnitude < 1.0 {
                (base * 1e3, "ps")
            } else if magnitude < 1e3 {
                (base, "ns")
            } else if magnitude < 1e6 {
                (base / 1e3, "µs")
            } else if magnitude < 1e9 {
                (base / 1e6, "ms")
            } else {
                (base / 1e9, "s")
            };
            format!("{} {unit}", significant(scaled))
        }
        Dimension::Size => {
            let (scaled, unit) = if magnitude < 1e3 {
                (base, "B")
            } else if magnitude < 1e6 {
                (base / 1e3, "kB")
            } else if magnitude < 1e9 {
                (base / 1e6, "MB")
            } else {
                (base / 1e9, "GB")
            };
            format!("{} {unit}", significant(scaled))
        }
        Dimension::Ratio => format!("{}%", significant(base * 100.0)),
        Dimension::Rate => format!("{}/s", significant(base)),
        Dimension::Number => significant(base),
    }
}

/// Up to four significant digits, no trailing zeros: 2.5, 123.4, 1235, 0.1.
pub fn significant(value: f64) -> String {
    if !value.is_finite() {
        return value.to_string();
    }
    if value == 0.0 {
        return "0".to_owned();
    }
    let digits_before_point = value.abs().log10().floor() as i32 + 1;
    let decimals = (4 - digits_before_point).clamp(0, 6) as usize;
    trim_zeros(format!("{value:.decimals$}"))
}

/// A relative change printed for messages: 24%, 4.5%, 0.12%. Never `100%` or `0%` for a
/// change that is not exactly that ("100% under the limit" is a value of 0): such a value
/// gets the decimals that tell it apart, up to four (99.95%, 0.0012%).
pub fn percent(fraction: f64) -> String {
    let pct = fraction.abs() * 100.0;
    let mut decimals = if pct >= 10.0 {
        0
    } else if pct >= 1.0 {
        1
    } else {
        2
    };
    let mut text = trim_zeros(format!("{pct:.decimals$}"));
    let misleads = |text: &str| {
        let shown: f64 = text.parse().unwrap_or(pct);
        (shown == 100.0 && pct != 100.0) || (shown == 0.0 && pct != 0.0)
    };
    while misleads(&text) && decimals < 4 {
        decimals += 1;
        text = trim_zeros(format!("{pct:.decimals$}"));
    }
    format!("{text}%")
}

/// A signed relative change for tables: +12%, -3.4%, 0%.
pub fn signed_percent(fraction: f64) -> String {
    let text = percent(fraction);
    if text == "0%" {
        text
    } else if fraction > 0.0 {
        format!("+{text}")
    } else {
        format!("-{text}")
    }
}

fn trim_zeros(text: String) -> String {
    if text.contains('.') {
        let trimmed = text.trim_end_matches('0').trim_end_matches('.');
        if trimmed == "-0" { "0".to_owned() } else { trimmed.to_owned() }
    } else {
        text
    }
}

/// `1 file`, `3 files`: a count with its noun in the right number.
pub fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{n} {many}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_print_with_the_unit_of_their_magnitude() {
        assert_eq!(Unit::Ms.format(2400.0), "2.4 s");
        assert_eq!(Unit::Ms.format(123.44), "123.4 ms");
        assert_eq!(Unit::Ms.format(0.25), "250 µs");
        assert_eq!(Unit::Ns.format(1234.6), "1.235 µs");
        assert_eq!(Unit::Ns.format(0.5), "500 ps");
        assert_eq!(Unit::Ns.format(12.0), "12 ns");
        assert_eq!(Unit::S.format(90.0), "90 s");
        assert_eq!(Unit::Ms.format(0.0), "0 ms");
        assert_eq!(Unit::Ms.format(-401.453365), "-401.5 ms");
    }

    #[test]
    fn sizes_ratios_rates_and_numbers_print_plainly() {
        assert_eq!(Unit::Bytes.format(150_000.0), "150 kB");
        assert_eq!(Unit::Bytes.format(153_600.0), "153.6 kB");
        assert_eq!(Unit::Bytes.format(999.0), "999 B");
        assert_eq!(Unit::Bytes.format(2_500_000.0), "2.5 MB");
        assert_eq!(Unit::Ratio.format(0.0123), "1.23%");
        assert_eq!(Unit::PerSecond.format(1200.0), "1200/s");
        assert_eq!(Unit::Number.format(0.1), "0.1");
        assert_eq!(Unit::Number.format(87.0), "87");
    }

    #[test]
    fn percentages_keep_meaningful_digits() {
        assert_eq!(percent(0.24), "24%");
        assert_eq!(percent(0.045), "4.5%");
        assert_eq!(percent(0.0012), "0.12%");
        assert_eq!(signed_percent(0.12), "+12%");
        assert_eq!(signed_percent(-0.034), "-3.4%");
        assert_eq!(signed_percent(0.0), "0%");
    }

    #[test]
    fn conversions_go_through_the_base_unit() {
        assert_eq!(Unit::Ms.to_base(2.5), 2_500_000.0);
        assert_eq!(Unit::S.from_base(2_500_000_000.0), 2.5);
        assert_eq!(Unit::Us.dimension(), Dimension::Time);
    }
}
