//! CloudWatch Embedded Metric Format documents: `{"_aws": {"CloudWatchMetrics": [...]}, ...}`.
//!
//! Each directive names a namespace, dimension sets and metrics; each metric's value is a
//! root member of the document, a number or an array of numbers. Every dimension set is a
//! metric of its own in CloudWatch (a document with sets `[["Service","Operation"],
//! ["Service"]]` stores each value twice), so values are kept per namespace, dimension set
//! and metric, and never pooled across sets.

use serde_json::{Map, Value};

use crate::model::Subject;
use crate::model::vocabulary::NAMESPACE_TAG;
use crate::quantity::Unit;

/// One metric's values from one document, in `unit`.
#[derive(Debug)]
pub(super) struct Datapoints {
    pub(super) subject: Subject,
    pub(super) metric: String,
    pub(super) unit: Unit,
    pub(super) values: Vec<f64>,
}

/// Whether a JSON object is an EMF document.
pub(super) fn is_emf(document: &Map<String, Value>) -> bool {
    document.get("_aws").and_then(|aws| aws.get("CloudWatchMetrics")).is_some()
}

/// Every metric's values of an EMF document, or what is wrong with it. A metric the
/// directive names without a value in the document, a value that is not a number, or a
/// dimension missing from the document is an error: CloudWatch drops such a document, and a
/// gate reading it would judge a metric that has none of its datapoints.
pub(super) fn datapoints(document: &Map<String, Value>) -> Result<Vec<Datapoints>, String> {
    let directives = document["_aws"]["CloudWatchMetrics"]
        .as_array()
        .ok_or("`_aws.CloudWatchMetrics` is not an array of directives")?;
    let mut found = Vec::new();
    for directive in directives {
        let namespace = directive
            .get("Namespace")
            .and_then(Value::as_str)
            .ok_or("a directive of `_aws.CloudWatchMetrics` has no `Namespace`")?;
        let sets: Vec<Vec<&str>> = match directive.get("Dimensions") {
            None => vec![Vec::new()],
            Some(Value::Array(sets)) if sets.is_empty() => vec![Vec::new()],
            Some(Value::Array(sets)) => sets
                .iter()
                .map(|set| {
                    set.as_array()
                        .and_then(|keys| keys.iter().map(Value::as_str).collect::<Option<Vec<&str>>>())
                        .ok_or_else(|| format!("namespace `{namespace}`: a dimension set is not an array of names"))
                })
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(format!("namespace `{namespace}`: `Dimensions` is not an array of sets")),
        };
        let metrics = directive
            .get("Metrics")
            .and_then(Value::as_array)
            .ok_or_else(|| format!("namespace `{namespace}`: the directive has no `Metrics` array"))?;
        for definition in metrics {
            let name = definition
                .get("Name")
                .and_then(Value::as_str)
                .ok_or_else(|| format!("namespace `{namespace}`: a metric definition has no `Name`"))?;
            let unit_name = definition.get("Unit").and_then(Value::as_str).unwrap_or("None");
            let (unit, factor) =
                unit(unit_name).ok_or_else(|| format!("metric `{name}`: `{unit_name}` is not a CloudWatch unit"))?;
            let values = values(document.get(name))
                .map_err(|why| format!("metric `{name}` (namespace `{namespace}`): {why}"))?;
            let values: Vec<f64> = values.into_iter().map(|value| value * factor).collect();
            for set in &sets {
                let mut subject = Subject::from([(NAMESPACE_TAG, namespace)]);
                for key in set {
                    let value = match document.get(*key) {
                        Some(Value::String(value)) => value,
                        Some(_) => return Err(format!("dimension `{key}` of metric `{name}` is not a string")),
                        None => return Err(format!("dimension `{key}` of metric `{name}` is not in the document")),
                    };
                    subject.insert((*key).to_owned(), value.clone());
                }
                found.push(Datapoints { subject, metric: name.to_owned(), unit, values: values.clone() });
            }
        }
    }
    Ok(found)
}

/// A metric target's values: a number, or a non-empty array of numbers.
fn values(target: Option<&Value>) -> Result<Vec<f64>, String> {
    let number = |value: &Value| value.as_f64().filter(|number| number.is_finite());
    match target {
        None => Err("the document has no value for it".into()),
        Some(Value::Array(items)) if items.is_empty() => Err("its value is an empty array".into()),
        Some(Value::Array(items)) => {
            items.iter().map(|item| number(item).ok_or_else(|| format!("the value {item} is not a number"))).collect()
        }
        Some(value) => number(value).map(|n| vec![n]).ok_or_else(|| format!("the value {value} is not a number")),
    }
}

/// perfbudget's unit of a CloudWatch unit and the factor to it. CloudWatch does not define
/// its byte multiples; they are read as AWS's own memory figures use them, in powers of
/// 1024 (Lambda Insights' `total_memory` of 256 Megabytes is a 256 MiB function). A percent
/// is a share (50 Percent is 0.5, written `50%` in a budget). Rates other than
/// Count/Second, and bits, are kept as plain numbers.
fn unit(name: &str) -> Option<(Unit, f64)> {
    const KIB: f64 = 1024.0;
    Some(match name {
        "Seconds" => (Unit::S, 1.0),
        "Microseconds" => (Unit::Us, 1.0),
        "Milliseconds" => (Unit::Ms, 1.0),
        "Bytes" => (Unit::Bytes, 1.0),
        "Kilobytes" => (Unit::Bytes, KIB),
        "Megabytes" => (Unit::Bytes, KIB * KIB),
        "Gigabytes" => (Unit::Bytes, KIB * KIB * KIB),
        "Terabytes" => (Unit::Bytes, KIB * KIB * KIB * KIB),
        "Percent" => (Unit::Ratio, 0.01),
        "Count" | "None" => (Unit::Number, 1.0),
        "Count/Second" => (Unit::PerSecond, 1.0),
        "Bits" | "Kilobits" | "Megabits" | "Gigabits" | "Terabits" | "Bytes/Second" | "Kilobytes/Second"
        | "Megabytes/Second" | "Gigabytes/Second" | "Terabytes/Second" | "Bits/Second" | "Kilobits/Second"
        | "Megabits/Second" | "Gigabits/Second" | "Terabits/Second" => (Unit::Number, 1.0),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document(text: &str) -> Map<String, Value> {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn each_dimension_set_is_a_metric_of_its_own() {
        let doc = document(
            r#"{"_aws":{"CloudWatchMetrics":[{"Namespace":"Shop","Dimensions":[["Service","Operation"],["Service"]],
            "Metrics":[{"Name":"Latency","Unit":"Milliseconds"}]}]},"Service":"orders","Operation":"Get","Latency":[1,2.5]}"#,
        );
        let found = datapoints(&doc).unwrap();
        assert_eq!(found.len(), 2);
        assert_eq!(
            found[0].subject,
            Subject::from([("namespace", "Shop"), ("Service", "orders"), ("Operation", "Get")])
        );
        assert_eq!(found[1].subject, Subject::from([("namespace", "Shop"), ("Service", "orders")]));
        assert_eq!((found[1].unit, found[1].values.clone()), (Unit::Ms, vec![1.0, 2.5]));
    }

    #[test]
    fn units_convert_and_a_missing_unit_is_a_number() {
        let doc = document(
            r#"{"_aws":{"CloudWatchMetrics":[{"Namespace":"N","Metrics":[{"Name":"m","Unit":"Megabytes"},{"Name":"p","Unit":"Percent"},{"Name":"c"}]}]},"m":2,"p":24,"c":3}"#,
        );
        let found = datapoints(&doc).unwrap();
        assert_eq!((found[0].unit, found[0].values[0]), (Unit::Bytes, 2.0 * 1024.0 * 1024.0));
        assert_eq!((found[1].unit, found[1].values[0]), (Unit::Ratio, 0.24));
        assert_eq!((found[2].unit, found[2].values[0]), (Unit::Number, 3.0));
    }

    #[test]
    fn a_metric_without_a_value_is_an_error() {
        let base = r#"{"_aws":{"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[["D"]],"Metrics":[{"Name":"m","Unit":"Milliseconds"}]}]}"#;
        for (rest, why) in [
            (r#","D":"x"}"#, "metric `m` (namespace `N`): the document has no value for it"),
            (r#","D":"x","m":[]}"#, "metric `m` (namespace `N`): its value is an empty array"),
            (r#","D":"x","m":"12"}"#, "metric `m` (namespace `N`): the value \"12\" is not a number"),
            (r#","D":"x","m":[1,null]}"#, "metric `m` (namespace `N`): the value null is not a number"),
            (r#","m":1}"#, "dimension `D` of metric `m` is not in the document"),
            (r#","D":7,"m":1}"#, "dimension `D` of metric `m` is not a string"),
        ] {
            let doc = document(&format!("{base}{rest}"));
            assert_eq!(datapoints(&doc).unwrap_err(), why);
        }
    }
}
