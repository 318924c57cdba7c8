//! Plain numerics for the regression rule and the history view: sample moments, Student's t
//! quantiles, and prediction limits. No I/O and nothing of perfbudget's own types, so every
//! function is checked against published tables.

pub mod change_points;

/// The arithmetic mean; `None` for no values.
pub fn mean(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    Some(values.iter().sum::<f64>() / values.len() as f64)
}

/// The sample standard deviation with Bessel's correction (÷ n − 1); `None` below two values.
pub fn sample_sd(values: &[f64]) -> Option<f64> {
    let n = values.len();
    if n < 2 {
        return None;
    }
    let mean = mean(values)?;
    let squares: f64 = values.iter().map(|value| (value - mean).powi(2)).sum();
    Some((squares / (n - 1) as f64).sqrt())
}

/// The `p` quantile of Student's t distribution with `df` degrees of freedom; `None` for a
/// `df` that is not positive or a `p` outside (0, 1).
pub fn t_quantile(df: f64, p: f64) -> Option<f64> {
    use statrs::distribution::ContinuousCDF;
    if !(p > 0.0 && p < 1.0) {
        return None;
    }
    let t = statrs::distribution::StudentsT::new(0.0, 1.0, df).ok()?;
    Some(t.inverse_cdf(p))
}

/// The cumulative probability of `x` under Student's t with `df` degrees of freedom.
pub fn t_cdf(df: f64, x: f64) -> Option<f64> {
    use statrs::distribution::ContinuousCDF;
    let t = statrs::distribution::StudentsT::new(0.0, 1.0, df).ok()?;
    Some(t.cdf(x))
}

/// A one-sided prediction limit for the next value of a log-normal series that may have
/// changed level: the logarithms are split into segments at the given change points, the
/// noise is their pooled standard deviation `s` around each segment's own mean (df = n − k
/// for k segments), and the limit is `exp(m ± t(df, 1−α)·s·√(1 + 1/c))` around the mean `m`
/// of the newest segment's `c` values — above it for `upper`, below it otherwise. Without
/// change points this is the textbook prediction interval of the next value (df = n − 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogPrediction {
    /// How many values the noise was estimated from.
    pub n: usize,
    /// How many values are at the newest level (after the last change point).
    pub current: usize,
    /// The geometric mean of the newest level, `exp(m)`.
    pub typical: f64,
    /// The prediction limit.
    pub limit: f64,
    /// The pooled standard deviation of the logarithms.
    pub log_sd: f64,
}

/// The prediction limit at one-sided level `alpha` of the next value after `values`
/// (oldest first), whose levels change at the indices `starts` (each the first index of a
/// new level); `None` below one degree of freedom or for a value that is not positive and
/// finite.
pub fn log_prediction(values: &[f64], starts: &[usize], alpha: f64, upper: bool) -> Option<LogPrediction> {
    if values.iter().any(|value| !(*value > 0.0 && value.is_finite())) {
        return None;
    }
    let logs: Vec<f64> = values.iter().map(|value| value.ln()).collect();
    let mut bounds: Vec<usize> =
        std::iter::once(0).chain(starts.iter().copied().filter(|start| *start > 0 && *start < logs.len())).collect();
    bounds.dedup();
    bounds.push(logs.len());
    let segments: Vec<&[f64]> = bounds.windows(2).map(|pair| &logs[pair[0]..pair[1]]).collect();
    let n = logs.len();
    let df = n.checked_sub(segments.len()).filter(|df| *df >= 1)?;
    let squares: f64 = segments
        .iter()
        .map(|segment| {
            let mean = mean(segment).unwrap_or(0.0);
            segment.iter().map(|value| (value - mean).powi(2)).sum::<f64>()
        })
        .sum();
    let s = (squares / df as f64).sqrt();
    let newest = segments.last()?;
    let m = mean(newest)?;
    let k = t_quantile(df as f64, 1.0 - alpha)? * (1.0 + 1.0 / newest.len() as f64).sqrt();
    let limit = if upper { (m + k * s).exp() } else { (m - k * s).exp() };
    Some(LogPrediction { n, current: newest.len(), typical: m.exp(), limit, log_sd: s })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() <= tolerance
    }

    #[test]
    fn t_quantiles_match_the_published_table() {
        // One-sided 0.99 quantiles from the standard t table (df = 1, 7, 29, 63).
        for (df, expected) in [(1.0, 31.821), (7.0, 2.998), (29.0, 2.462), (63.0, 2.387)] {
            let t = t_quantile(df, 0.99).unwrap();
            assert!(close(t, expected, 5e-4), "df {df}: {t}");
        }
        assert!(close(t_cdf(10.0, 0.0).unwrap(), 0.5, 1e-12));
        assert_eq!(t_quantile(0.0, 0.99), None);
        assert_eq!(t_quantile(5.0, 1.0), None);
    }

    #[test]
    fn bessel_sd_and_the_prediction_multipliers_bencher_quotes() {
        assert_eq!(sample_sd(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]).unwrap(), (32.0f64 / 7.0).sqrt());
        assert_eq!(sample_sd(&[1.0]), None);
        // t(n−1, 0.99)·√(1 + 1/n): n = 8 ≈ 3.18, n = 30 ≈ 2.50 (peers-wave2 §1.1).
        for (n, expected) in [(8usize, 3.18), (16, 2.68), (30, 2.50)] {
            let k = t_quantile((n - 1) as f64, 0.99).unwrap() * (1.0 + 1.0 / n as f64).sqrt();
            assert!(close(k, expected, 0.005), "n {n}: {k}");
        }
    }

    #[test]
    fn the_log_prediction_limit_is_multiplicative_around_the_geometric_mean() {
        let values = [100.0, 110.0, 90.0, 105.0, 95.0, 100.0, 102.0, 98.0];
        let upper = log_prediction(&values, &[], 0.01, true).unwrap();
        let lower = log_prediction(&values, &[], 0.01, false).unwrap();
        assert_eq!((upper.n, upper.current), (8, 8));
        assert!(close(upper.typical * upper.typical, upper.limit * lower.limit, 1e-9));
        assert!(upper.limit > 110.0 && lower.limit < 90.0, "{upper:?} {lower:?}");
        assert_eq!(log_prediction(&[1.0, 0.0, 2.0], &[], 0.01, true), None);
        assert_eq!(log_prediction(&[1.0], &[], 0.01, true), None);
    }

    #[test]
    fn a_change_of_level_moves_the_typical_value_but_not_the_noise() {
        // The same wiggle at 100 and then at 200: the pooled noise is the wiggle's, the
        // typical value the new level's.
        let wiggle = [0.99, 1.01, 1.0, 0.98, 1.02, 1.0];
        let values: Vec<f64> = wiggle.iter().map(|w| 100.0 * w).chain(wiggle.iter().map(|w| 200.0 * w)).collect();
        let split = log_prediction(&values, &[6], 0.01, true).unwrap();
        let alone = log_prediction(&values[6..], &[], 0.01, true).unwrap();
        assert_eq!((split.n, split.current), (12, 6));
        assert!(close(split.typical, alone.typical, 1e-9));
        assert!(close(split.log_sd, alone.log_sd, 1e-12), "{split:?} {alone:?}");
        assert!(split.limit < alone.limit, "more degrees of freedom, a tighter limit");
        assert_eq!(log_prediction(&[1.0, 2.0], &[1], 0.01, true), None, "no degree of freedom left");
    }
}
