//! Every input format in one table: its id (what `--input-format` takes), its description
//! for messages, its help line, and the adapter that detects and reads it. Adding a format
//! is one file in `src/ingest/` and one row here.

use std::fmt;

use crate::ingest::format::Adapter;
use crate::ingest::{
    ab, artillery, autocannon, aws_logs, bencher, cargo_criterion, criterion, crux, gatling_log, gatling_report,
    hyperfine, jmeter, junit, k6, k6_stream, lighthouse, locust, locust_failures, locust_history, locust_json,
    measurements, pagespeed, prometheus, webpagetest,
};

/// One input format.
#[derive(Debug)]
pub struct Format {
    /// The `--input-format` value, and the id tests name.
    pub id: &'static str,
    /// Names the format in messages and lists of what perfbudget reads.
    pub description: &'static str,
    /// The `--input-format` help line.
    pub help: &'static str,
    pub adapter: &'static dyn Adapter,
}

impl fmt::Debug for dyn Adapter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Adapter")
    }
}

/// Every format. Detection takes the most confident; between equally confident ones (a
/// bug, see the fixture test) the first here.
pub(crate) const FORMATS: &[Format] = &[
    Format {
        id: "measurements",
        description: "perfbudget measurements JSON (`perfbudget measure --format json`)",
        help: "perfbudget's own measurements JSON, as `perfbudget measure --format json` prints it",
        adapter: &measurements::MeasurementsJson,
    },
    Format {
        id: "lighthouse",
        description: "Lighthouse report JSON (`lighthouse --output=json`, `.lighthouseci/lhr-*.json`) or user-flow result",
        help: "A Lighthouse report (LHR JSON) or user-flow result",
        adapter: &lighthouse::Lighthouse,
    },
    Format {
        id: "pagespeed",
        description: "PageSpeed Insights API v5 response (runPagespeed)",
        help: "A PageSpeed Insights API v5 response",
        adapter: &pagespeed::PageSpeed,
    },
    Format {
        id: "crux",
        description: "Chrome UX Report API response (records:queryRecord)",
        help: "A Chrome UX Report API records:queryRecord response",
        adapter: &crux::Crux,
    },
    Format {
        id: "k6-summary",
        description: "k6 summary JSON (`k6 run --summary-export=FILE`, or handleSummary's data as JSON)",
        help: "A k6 summary: `--summary-export` JSON or handleSummary's data as JSON",
        adapter: &k6::K6Summary,
    },
    Format {
        id: "k6-stream",
        description: "k6 JSON stream (`k6 run --out json=FILE`, also .gz)",
        help: "k6's `--out json` stream (NDJSON, also gzip)",
        adapter: &k6_stream::K6Stream,
    },
    Format {
        id: "autocannon",
        description: "autocannon result JSON (`autocannon --json URL`)",
        help: "autocannon's `--json` result",
        adapter: &autocannon::Autocannon,
    },
    Format {
        id: "artillery",
        description: "Artillery report JSON (`artillery run --output report.json`)",
        help: "Artillery 2.x's `run --output` report",
        adapter: &artillery::Artillery,
    },
    Format {
        id: "gatling-log",
        description: "Gatling simulation.log (the text log of Gatling 2.2 to 3.12, also .gz)",
        help: "Gatling's simulation.log, 2.2 to 3.12 (raw requests; Gatling's own percentiles)",
        adapter: &gatling_log::GatlingLog,
    },
    Format {
        id: "gatling",
        description: "Gatling report numbers (js/stats.json, js/global_stats.json or js/stats.js; a report folder is one run)",
        help: "Gatling's report: js/stats.json, js/global_stats.json or js/stats.js, or the report folder",
        adapter: &gatling_report::GatlingReport,
    },
    Format {
        id: "criterion",
        description: "criterion results folder (`target/criterion`)",
        help: "A criterion results folder (`target/criterion`)",
        adapter: &criterion::CriterionTree,
    },
    Format {
        id: "cargo-criterion",
        description: "cargo-criterion JSON lines (`cargo criterion --message-format=json`)",
        help: "cargo-criterion's `--message-format=json` lines",
        adapter: &cargo_criterion::CargoCriterion,
    },
    Format {
        id: "bencher",
        description: "libtest or criterion bencher text (`test NAME ... bench: N ns/iter (+/- M)`)",
        help: "libtest or criterion `--output-format bencher` text",
        adapter: &bencher::BencherText,
    },
    Format {
        id: "hyperfine",
        description: "hyperfine export (`hyperfine --export-json FILE` or `--export-csv FILE`)",
        help: "hyperfine's `--export-json` or `--export-csv` file",
        adapter: &hyperfine::Hyperfine,
    },
    Format {
        id: "ab",
        description: "ApacheBench standard output (`ab -n N -c C URL > FILE`, with or without `-k`) or its `-e` CSV or `-g` TSV",
        help: "ApacheBench (`ab`) standard output, or its `-e` CSV or `-g` TSV",
        adapter: &ab::ApacheBench,
    },
    Format {
        id: "locust",
        description: "Locust request statistics CSV (`locust --headless --csv PREFIX`: `PREFIX_stats.csv`)",
        help: "Locust's `--csv PREFIX` request statistics, `PREFIX_stats.csv`",
        adapter: &locust::Locust,
    },
    Format {
        id: "locust-history",
        description: "Locust per-second history CSV (`locust --headless --csv PREFIX`: `PREFIX_stats_history.csv`)",
        help: "Locust's `PREFIX_stats_history.csv`, each row a `period` (windows with `--csv-full-history`)",
        adapter: &locust_history::LocustHistory,
    },
    Format {
        id: "locust-failures",
        description: "Locust failures CSV (`locust --headless --csv PREFIX`: `PREFIX_failures.csv`)",
        help: "Locust's `PREFIX_failures.csv`: each error's occurrences",
        adapter: &locust_failures::LocustFailures,
    },
    Format {
        id: "locust-json",
        description: "Locust JSON stats (`locust --headless --json > FILE` or `--json-file NAME`)",
        help: "Locust's `--json` request entries (raw buckets; percentiles computed as Locust does)",
        adapter: &locust_json::LocustJson,
    },
    Format {
        id: "jmeter-jtl",
        description: "JMeter JTL in CSV (`jmeter -n -t plan.jmx -l results.jtl`, with or without a header, also .gz)",
        help: "A JMeter CSV JTL: raw samples, summarised by the HTML dashboard's rules (also gzip)",
        adapter: &jmeter::jtl_csv::JtlCsv,
    },
    Format {
        id: "jmeter-xml",
        description: "JMeter JTL in XML (`jmeter.save.saveservice.output_format=xml`: <testResults>, also .gz)",
        help: "A JMeter XML JTL (<testResults>): raw samples, summarised by the HTML dashboard's rules",
        adapter: &jmeter::jtl_xml::JtlXml,
    },
    Format {
        id: "jmeter-dashboard",
        description: "JMeter HTML dashboard statistics (`jmeter -g results.jtl -o DIR`: DIR/statistics.json)",
        help: "The JMeter HTML dashboard's statistics.json",
        adapter: &jmeter::statistics::Statistics,
    },
    Format {
        id: "webpagetest",
        description: "WebPageTest result JSON (`jsonResult.php`, `webpagetest results ID`)",
        help: "A WebPageTest result (jsonResult.php): each run's first and repeat view",
        adapter: &webpagetest::WebPageTest,
    },
    Format {
        id: "junit",
        description: "JUnit XML test report (pytest, jest-junit, vitest, Surefire, gotestsum, nextest, mocha, ...)",
        help: "A JUnit XML test report: total and per-suite test time and count",
        adapter: &junit::Junit,
    },
    Format {
        id: "aws-logs",
        description: "CloudWatch Logs: EMF documents and AWS Lambda REPORT lines or platform.report records \
                      (a log file, stdout, or a subscription payload)",
        help: "CloudWatch Logs: Embedded Metric Format lines and Lambda REPORT / platform.report records",
        adapter: &aws_logs::AwsLogs,
    },
    Format {
        id: "prometheus",
        description: "Prometheus text exposition or OpenMetrics scrape (`curl http://host/metrics > FILE`)",
        help: "A Prometheus `/metrics` scrape: the text format 0.0.4, or OpenMetrics 1.0 (ends with `# EOF`)",
        adapter: &prometheus::Prometheus,
    },
];

/// A format named with `--input-format`: a row of [`FORMATS`].
#[derive(Debug, Clone, Copy)]
pub struct InputFormat(pub &'static Format);

impl PartialEq for InputFormat {
    fn eq(&self, other: &InputFormat) -> bool {
        self.0.id == other.0.id
    }
}

impl Eq for InputFormat {}

impl InputFormat {
    /// The format with this id.
    pub fn by_id(id: &str) -> Option<InputFormat> {
        FORMATS.iter().find(|format| format.id == id).map(InputFormat)
    }
}

impl fmt::Display for InputFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.description)
    }
}

/// Every row of [`FORMATS`] as a value clap offers.
static INPUT_FORMATS: std::sync::LazyLock<Vec<InputFormat>> =
    std::sync::LazyLock::new(|| FORMATS.iter().map(InputFormat).collect());

impl clap::ValueEnum for InputFormat {
    fn value_variants<'a>() -> &'a [InputFormat] {
        &INPUT_FORMATS
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.0.id).help(self.0.help))
    }
}

/// The formats detection knows, named for messages.
pub fn known_formats() -> Vec<&'static str> {
    FORMATS.iter().map(|format| format.description).collect()
}
