//! The names adapters emit and later stages read: metrics, statistics and subject tags.
//! They are the contract between the input formats and the budget metrics, so every format
//! that reports the same thing uses the same words (see the README's "Canonical names").

use serde::{Deserialize, Serialize};

// The canonical HTTP vocabulary. Every load-test tool maps its numbers to these, so
// `api_p95`, `error_rate` and `throughput` read any of them; they are k6's own names, as k6
// was the first load tool perfbudget read.

/// Request duration (time to the last byte) in ms, with the statistics `p(N)`, `med`,
/// `avg`, `min` and `max`.
pub(crate) const HTTP_REQ_DURATION: &str = "http_req_duration";
/// Failed requests: their share, stat [`RATE`] (0 to 1), or how many failed of one kind
/// of error (`count`, tagged `error`, where a tool counts kinds: Locust's failures).
pub(crate) const HTTP_REQ_FAILED: &str = "http_req_failed";
/// Requests: stat [`RATE`] (per second over the run) and `count`.
pub(crate) const HTTP_REQS: &str = "http_reqs";
/// A fraction or a per-second rate.
pub(crate) const RATE: &str = "rate";
/// The tool's label of an endpoint or request (k6's `name` tag, Artillery's endpoint key,
/// Locust's name, JMeter's label, Gatling's request name). The whole run is the subject
/// with none of these tags, as k6's overall metric is.
pub(crate) const NAME_TAG: &str = "name";
// Further tags, written as each tool reports them: `method`, `status`, `scenario` (the
// README's "Canonical names").
/// One period of a run (Artillery's 10 s `intermediate` entries, the rows of Locust's
/// `_stats_history.csv`), as the tool stamps it. The run's own numbers are read without it.
pub(crate) const PERIOD_TAG: &str = "period";

/// A period's [`PERIOD_TAG`] value: its start, `epoch_seconds` after 1970-01-01 UTC, as
/// ISO 8601 in UTC (`2026-12-01T16:46:50Z`), so periods of every tool read and sort alike.
pub(crate) fn period_stamp(epoch_seconds: i64) -> String {
    let (days, second_of_day) = (epoch_seconds.div_euclid(86_400), epoch_seconds.rem_euclid(86_400));
    // The proleptic Gregorian date of a day count, by 400-year eras of 146,097 days that
    // start on 1 March (so the leap day ends a year).
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted.rem_euclid(146_097);
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 { month_from_march + 3 } else { month_from_march - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    let (hour, minute, second) = (second_of_day / 3600, second_of_day / 60 % 60, second_of_day % 60);
    format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}Z")
}

/// Tags a budget reads only when it selects on them: a subject with one is a slice of a run
/// whose whole is a subject of its own, so a budget without the tag keeps judging the whole
/// run, as it did before the slices were read. A JUnit suite is a slice of its report.
pub(crate) const SELECTED_ONLY_BY_NAME: &[&str] = &[PERIOD_TAG, SUITE_TAG];

// JUnit XML test reports.

/// The tests' time in s: a report's total (stat: the rule that gave it, `root`, `suites`
/// or `cases`) or one suite's (tagged [`SUITE_TAG`]).
pub(crate) const TEST_TIME: &str = "test_time";
/// How many test cases a report or a suite lists.
pub(crate) const TEST_COUNT: &str = "test_count";
/// A suite's name (a test file, class or package, as its producer names suites).
pub(crate) const SUITE_TAG: &str = "suite";
/// The report file a total is of.
pub(crate) const REPORT_TAG: &str = "report";
/// The scrape file (or `before → after` pair) of a Prometheus series that scrapes of
/// several targets report.
pub(crate) const SCRAPE_TAG: &str = "scrape";

// AWS Lambda's platform reports (REPORT lines, `platform.report` records), in ms, MB and
// shares; `cold_start` reads the init durations' `max`.

/// The source of Lambda report measurements.
pub(crate) const LAMBDA_SOURCE: &str = "lambda";
/// The names `lambda_metric:` takes, each the measured metric `lambda_<name>`.
pub(crate) const LAMBDA_METRICS: &[&str] =
    &["duration", "billed_duration", "max_memory_used", "memory_used_share", "init_duration", "cold_starts"];
pub(crate) const LAMBDA_DURATION: &str = "lambda_duration";
pub(crate) const LAMBDA_BILLED_DURATION: &str = "lambda_billed_duration";
pub(crate) const LAMBDA_MAX_MEMORY_USED: &str = "lambda_max_memory_used";
/// Max Memory Used / Memory Size, per invocation.
pub(crate) const LAMBDA_MEMORY_USED_SHARE: &str = "lambda_memory_used_share";
/// Init Duration, of the invocations that had one (cold starts).
pub(crate) const LAMBDA_INIT_DURATION: &str = "lambda_init_duration";
/// Cold starts: `count`, and `rate` their share of the invocations.
pub(crate) const LAMBDA_COLD_STARTS: &str = "lambda_cold_starts";
/// The function a log is of, where the log names it (`/aws/lambda/NAME` log groups).
pub(crate) const FUNCTION_TAG: &str = "function";

/// The source of CloudWatch Embedded Metric Format measurements, each named as its metric.
pub(crate) const EMF_SOURCE: &str = "emf";
/// The EMF namespace of a metric; its dimensions are tags of their own names.
pub(crate) const NAMESPACE_TAG: &str = "namespace";

/// The statistics of a list of raw values (EMF metrics, Lambda reports), percentiles by
/// nearest rank.
pub(crate) const VALUE_STATS: &[&str] = &["count", "sum", "avg", "min", "max", "p(50)", "p(90)", "p(95)", "p(99)"];

/// Whether a check with selectors on `selected` tags reads a subject: every
/// [`SELECTED_ONLY_BY_NAME`] tag the subject has is among them.
pub(crate) fn reads_subject(subject: &crate::model::Subject, mut selected: impl FnMut(&str) -> bool) -> bool {
    SELECTED_ONLY_BY_NAME.iter().all(|tag| subject.get(tag).is_none() || selected(tag))
}

/// The `source` of bundle measurements.
pub const BUNDLE_SOURCE: &str = "bundle";
/// Their `metric`.
pub const BUNDLE_METRIC: &str = "bundle_size";
/// The subject tag holding the file's name.
pub const FILE_TAG: &str = "file";

/// The measurement metric of k6's own threshold verdicts (1 passed, 0 failed), with the
/// threshold's expression as stat and its metric in the subject tag below.
pub const THRESHOLD: &str = "k6_threshold";
pub const THRESHOLD_METRIC_TAG: &str = "k6_metric";

/// criterion's own comparison with its previous run: the mean's relative change, with its
/// 95% interval.
pub(crate) const CRITERION_CHANGE: &str = "criterion_change";
/// criterion's noise threshold (`--noise-threshold`, 1% by default): a change whose whole
/// 95% interval is beyond it is, in criterion's words, regressed or improved.
pub(crate) const CRITERION_NOISE_THRESHOLD: f64 = 0.01;

/// Whether criterion calls a change with this interval's lower end regressed.
pub(crate) fn criterion_regressed(lower: f64) -> bool {
    lower > CRITERION_NOISE_THRESHOLD
}

/// `page_weight` and one name per resource type of Lighthouse's `resource-summary` audit.
pub(crate) const PAGE_WEIGHT_METRICS: &[&str] = &[
    "page_weight",
    "page_weight.document",
    "page_weight.script",
    "page_weight.stylesheet",
    "page_weight.image",
    "page_weight.media",
    "page_weight.font",
    "page_weight.other",
    "page_weight.third-party",
    "page_weight.total",
];

/// Which size of a bundle file is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    None,
    Gzip,
    #[default]
    Brotli,
}

impl Compression {
    pub const ALL: [Compression; 3] = [Compression::None, Compression::Gzip, Compression::Brotli];

    /// The measurement `stat` of this size: `raw`, `gzip`, `brotli`.
    pub fn stat(self) -> &'static str {
        match self {
            Compression::None => "raw",
            Compression::Gzip => "gzip",
            Compression::Brotli => "brotli",
        }
    }

    /// [`Compression::stat`] as the list of stats a check accepts.
    pub fn stats(self) -> &'static [&'static str] {
        match self {
            Compression::None => &["raw"],
            Compression::Gzip => &["gzip"],
            Compression::Brotli => &["brotli"],
        }
    }

    /// The compression a measurement `stat` names.
    pub fn from_stat(stat: &str) -> Option<Compression> {
        Compression::ALL.into_iter().find(|compression| compression.stat() == stat)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn period_stamps_are_utc_dates() {
        assert_eq!(period_stamp(0), "1970-01-01T00:00:00Z");
        // Artillery's first period of tests/fixtures/artillery/periods.json (epoch ms / 1000).
        assert_eq!(period_stamp(1_796_143_610), "2026-12-01T16:46:50Z");
        assert_eq!(period_stamp(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(period_stamp(-1), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn a_period_is_read_only_where_selected() {
        let whole = crate::model::Subject::from([("name", "/a")]);
        let period = crate::model::Subject::from([("name", "/a"), (PERIOD_TAG, "2026-12-01T16:46:50Z")]);
        assert!(reads_subject(&whole, |_| false));
        assert!(!reads_subject(&period, |tag| tag == "name"));
        assert!(reads_subject(&period, |tag| tag == PERIOD_TAG));
    }
}
