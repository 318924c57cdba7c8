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
/// The share of failed requests, stat [`RATE`] (0 to 1).
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
