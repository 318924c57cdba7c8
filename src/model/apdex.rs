//! Apdex (Application Performance Index) over raw request samples: a sample is satisfied
//! when it took at most T, tolerated when at most F, frustrated otherwise, and the score is
//! (satisfied + tolerated / 2) / total.
//!
//! Failed samples are counted as JMeter's dashboard counts them
//! (`report/processor/ApdexSummaryConsumer.java`, apache/jmeter@bb30edfe8c): they are in
//! the total but never satisfied or tolerated, whatever their time, so a failure weighs as a
//! frustrated request. Every raw-sample reader (JMeter JTL, the k6 stream, and any later
//! request log such as Gatling's `simulation.log`) feeds [`ApdexCounts::add`] with a
//! sample's time in ms and whether it succeeded, so the rule is the same for every tool.

/// JMeter's dashboard defaults (`jmeter.reportgenerator.apdex_satisfied_threshold=500`,
/// `apdex_tolerated_threshold=1500`), the only load tool here that defines Apdex thresholds.
pub(crate) const JMETER_SATISFIED_MS: f64 = 500.0;
pub(crate) const JMETER_TOLERATED_MS: f64 = 1500.0;

/// The measured metric that Apdex scores are read as; its stat names the thresholds.
pub(crate) const APDEX: &str = "apdex";

/// The stat of an Apdex score with JMeter's default thresholds.
pub(crate) const DEFAULT_STAT: &str = "apdex(T=500ms,F=1500ms)";

/// The satisfied (T) and tolerated (F) thresholds, in ms.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    pub satisfied_ms: f64,
    pub tolerated_ms: f64,
}

impl Default for Thresholds {
    fn default() -> Thresholds {
        Thresholds { satisfied_ms: JMETER_SATISFIED_MS, tolerated_ms: JMETER_TOLERATED_MS }
    }
}

impl Thresholds {
    /// T and F as a budget gives them: F defaults to 4T (the Apdex standard), and without T
    /// both are JMeter's dashboard defaults.
    pub fn from_budget(satisfied_ms: Option<f64>, tolerated_ms: Option<f64>) -> Result<Thresholds, String> {
        let thresholds = match (satisfied_ms, tolerated_ms) {
            (None, None) => Thresholds::default(),
            (Some(t), f) => Thresholds { satisfied_ms: t, tolerated_ms: f.unwrap_or(4.0 * t) },
            (None, Some(_)) => return Err("`apdex_f` needs `apdex_t`: the satisfied threshold".into()),
        };
        if !(thresholds.satisfied_ms.is_finite() && thresholds.satisfied_ms >= 0.0) {
            return Err("`apdex_t` must be a time of 0 ms or more".into());
        }
        if !(thresholds.tolerated_ms.is_finite() && thresholds.tolerated_ms >= thresholds.satisfied_ms) {
            return Err("`apdex_f` must be at least `apdex_t`".into());
        }
        Ok(thresholds)
    }

    /// The measurement stat that names these thresholds: `apdex(T=500ms,F=1500ms)`.
    pub fn stat(&self) -> String {
        format!("apdex(T={}ms,F={}ms)", self.satisfied_ms, self.tolerated_ms)
    }

    /// The thresholds a stat written by [`Thresholds::stat`] names.
    pub fn from_stat(stat: &str) -> Option<Thresholds> {
        let inner = stat.strip_prefix("apdex(T=")?.strip_suffix("ms)")?;
        let (t, f) = inner.split_once("ms,F=")?;
        Some(Thresholds { satisfied_ms: t.parse().ok()?, tolerated_ms: f.parse().ok()? })
    }
}

/// Satisfied, tolerated and all samples for one set of thresholds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ApdexCounts {
    pub thresholds: Thresholds,
    pub satisfied: u64,
    pub tolerated: u64,
    pub total: u64,
}

impl ApdexCounts {
    pub fn new(thresholds: Thresholds) -> ApdexCounts {
        ApdexCounts { thresholds, satisfied: 0, tolerated: 0, total: 0 }
    }

    /// Counts one sample: `elapsed_ms` long, failed unless `success`.
    pub fn add(&mut self, elapsed_ms: f64, success: bool) {
        self.total += 1;
        if success {
            if elapsed_ms <= self.thresholds.satisfied_ms {
                self.satisfied += 1;
            } else if elapsed_ms <= self.thresholds.tolerated_ms {
                self.tolerated += 1;
            }
        }
    }

    /// Adds another count of the same thresholds.
    pub fn merge(&mut self, other: &ApdexCounts) {
        self.satisfied += other.satisfied;
        self.tolerated += other.tolerated;
        self.total += other.total;
    }

    /// The score, as JMeter computes it (`(satisfied + tolerated / 2.0) / total`); `None`
    /// without samples.
    pub fn score(&self) -> Option<f64> {
        (self.total > 0).then(|| (self.satisfied as f64 + self.tolerated as f64 / 2.0) / self.total as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_count_as_frustrated_and_the_score_is_jmeters() {
        let mut counts = ApdexCounts::new(Thresholds::default());
        for (elapsed, success) in [(100.0, true), (500.0, true), (501.0, true), (1500.0, true), (1501.0, true)] {
            counts.add(elapsed, success);
        }
        counts.add(10.0, false);
        assert_eq!((counts.satisfied, counts.tolerated, counts.total), (2, 2, 6));
        assert_eq!(counts.score(), Some(0.5));
        assert_eq!(ApdexCounts::new(Thresholds::default()).score(), None);
    }

    #[test]
    fn thresholds_default_as_the_tools_and_the_standard_say() {
        assert_eq!(Thresholds::from_budget(None, None).unwrap().stat(), DEFAULT_STAT);
        assert_eq!(Thresholds::from_budget(Some(300.0), None).unwrap().tolerated_ms, 1200.0);
        assert!(Thresholds::from_budget(None, Some(100.0)).is_err());
        assert!(Thresholds::from_budget(Some(300.0), Some(100.0)).is_err());
        let odd = Thresholds { satisfied_ms: 0.5, tolerated_ms: 2.0 };
        assert_eq!(Thresholds::from_stat(&odd.stat()), Some(odd));
        assert_eq!(Thresholds::from_stat("p(95)"), None);
    }
}
