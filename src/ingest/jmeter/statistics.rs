//! The JMeter HTML dashboard's `statistics.json` (`jmeter -g results.jtl -o DIR`, or `-e -o
//! DIR`; JMeter 3.0 and later): one entry per label and `Total`, each with `sampleCount`,
//! `errorCount`, `meanResTime`, `medianResTime` (5.0 and later), `minResTime`, `maxResTime`,
//! `pct1ResTime`..`pct3ResTime` and `throughput`. Read as the same measurements a JTL gives
//! ([`super`]): `pct1..3` are `p(90)`, `p(95)` and `p(99)`, the dashboard's default
//! `aggregate_rpt_pct1..3` (a dashboard made with other settings names other percentiles
//! under the same keys, which the file does not say). The error rate is `errorCount` over
//! `sampleCount` (`errorPct` is rounded to a float). The file holds no Apdex: the dashboard
//! writes that table into `content/js/dashboard.js`.

use std::path::Path;

use serde::Deserialize;

use super::SOURCE;
use crate::ingest::{Adapter, Detection, Error, Head, Located, Measurement, Options, Subject};
use crate::model::vocabulary::{HTTP_REQ_DURATION, HTTP_REQ_FAILED, HTTP_REQS, NAME_TAG, RATE};
use crate::quantity::Unit;

#[derive(Debug)]
pub struct Statistics;

impl Adapter for Statistics {
    fn detect(&self, head: &Head) -> Detection {
        let Some(text) = head.object() else { return Detection::No };
        let has = |key: &str| text.contains(&format!("\"{key}\""));
        Detection::from(has("sampleCount") && has("meanResTime") && has("pct1ResTime"), false)
    }

    fn read(&self, path: &Path, _options: &Options) -> Result<Vec<Measurement>, Error> {
        let bytes = crate::ingest::read_document(path).map_err(Error::Named)?;
        parse(crate::ingest::utf8(&bytes)?)
    }
}

/// One row of the statistics table.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Row {
    transaction: String,
    sample_count: u64,
    error_count: u64,
    mean_res_time: f64,
    median_res_time: Option<f64>,
    min_res_time: f64,
    max_res_time: f64,
    pct1_res_time: f64,
    pct2_res_time: f64,
    pct3_res_time: f64,
    throughput: f64,
}

/// The key of the whole run's row.
const TOTAL: &str = "Total";

/// Reads `statistics.json` into measurements: the whole run (no tags), then each label.
pub fn parse(text: &str) -> Result<Vec<Measurement>, Error> {
    let rows: rows::Rows = serde_json::from_str(text).map_err(|error| Error::At(Located::from_json(&error, 1, 1)))?;
    if !rows.0.iter().any(|(key, _)| key == TOTAL) {
        return Err(Error::Refused("no `Total` entry: not a JMeter dashboard's statistics.json".into()));
    }
    let mut out = Vec::new();
    let mut ordered: Vec<&(String, Row)> = rows.0.iter().filter(|(key, _)| key == TOTAL).collect();
    ordered.extend(rows.0.iter().filter(|(key, _)| key != TOTAL));
    for (key, row) in ordered {
        if key != TOTAL && row.transaction != *key {
            return Err(Error::Refused(format!("entry {key:?} names the transaction {:?}", row.transaction)));
        }
        let subject: Subject = match key == TOTAL {
            true => Subject::new(),
            false => [(NAME_TAG.to_owned(), key.clone())].into_iter().collect(),
        };
        push_row(row, &subject, &mut out);
    }
    Ok(out)
}

fn push_row(row: &Row, subject: &Subject, out: &mut Vec<Measurement>) {
    let samples = Some(row.sample_count);
    let some = row.sample_count > 0;
    let mut push = |metric: &str, stat: &str, value: f64, unit: Unit, valid: bool| {
        let mut measurement = Measurement::new(SOURCE, metric, Some(stat), subject.clone(), value, unit);
        measurement.samples = samples;
        if !(valid && value.is_finite()) {
            measurement.value = None;
            measurement.no_data = Some("the dashboard has no value here (no sample, or no time spanned)".into());
        }
        out.push(measurement);
    };
    // JMeter 3.x and 4.0 wrote no median.
    if let Some(median) = row.median_res_time {
        push(HTTP_REQ_DURATION, "med", median, Unit::Ms, some);
    }
    push(HTTP_REQ_DURATION, "p(90)", row.pct1_res_time, Unit::Ms, some);
    push(HTTP_REQ_DURATION, "p(95)", row.pct2_res_time, Unit::Ms, some);
    push(HTTP_REQ_DURATION, "p(99)", row.pct3_res_time, Unit::Ms, some);
    push(HTTP_REQ_DURATION, "avg", row.mean_res_time, Unit::Ms, some);
    push(HTTP_REQ_DURATION, "min", row.min_res_time, Unit::Ms, some);
    push(HTTP_REQ_DURATION, "max", row.max_res_time, Unit::Ms, some);
    let failed = row.error_count as f64 / row.sample_count as f64;
    push(HTTP_REQ_FAILED, RATE, failed, Unit::Ratio, some);
    push(HTTP_REQS, "count", row.sample_count as f64, Unit::Number, true);
    push(HTTP_REQS, RATE, row.throughput, Unit::PerSecond, some);
}

/// The rows in file order (serde_json's map would sort them).
mod rows {
    use std::fmt;

    use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};

    use super::Row;

    pub(super) struct Rows(pub(super) Vec<(String, Row)>);

    impl<'de> Deserialize<'de> for Rows {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Rows, D::Error> {
            struct RowsVisitor;
            impl<'de> Visitor<'de> for RowsVisitor {
                type Value = Rows;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("an object of statistics rows by label")
                }
                fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Rows, A::Error> {
                    let mut rows = Vec::new();
                    while let Some((key, row)) = map.next_entry::<String, Row>()? {
                        rows.push((key, row));
                    }
                    Ok(Rows(rows))
                }
            }
            deserializer.deserialize_map(RowsVisitor)
        }
    }
}
