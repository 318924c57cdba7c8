//! The Prometheus text exposition format (0.0.4) and OpenMetrics 1.0, read into families of
//! samples. Byte-level, one line at a time, with the line and column of the first problem.
//!
//! Which of the two a file is decides the rules, so it is decided first: OpenMetrics ends with
//! `# EOF`, the classic format does not. OpenMetrics is read as strictly as its conformance
//! suite asks; the classic format as Prometheus reads it (comments, blank lines, trailing
//! commas, counters without `_total`, integer millisecond timestamps). In both, what would
//! make a number wrong is an error: a last line without its line feed (a scrape cut off), a
//! series given twice, a histogram without its `+Inf` bucket, with counts that decrease or a
//! `_count` that is not its `+Inf` bucket.

use std::collections::HashMap;

use crate::model::diagnostic::Located;

/// Which of the two formats a file is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Syntax {
    /// The classic text format, `text/plain; version=0.0.4`.
    Classic,
    /// OpenMetrics 1.0, `application/openmetrics-text`.
    OpenMetrics,
}

impl Syntax {
    /// OpenMetrics when the text's last line is `# EOF`.
    pub(crate) fn of(text: &str) -> Syntax {
        let last = text.strip_suffix('\n').unwrap_or(text).rsplit('\n').next().unwrap_or("");
        match last == "# EOF" {
            true => Syntax::OpenMetrics,
            false => Syntax::Classic,
        }
    }
}

/// A metric family's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Counter,
    Gauge,
    Histogram,
    GaugeHistogram,
    Summary,
    Info,
    StateSet,
    /// `untyped` (classic) or `unknown` (OpenMetrics), and samples with no `# TYPE`.
    Unknown,
}

impl Kind {
    fn parse(word: &str, syntax: Syntax) -> Option<Kind> {
        Some(match (word, syntax) {
            ("counter", _) => Kind::Counter,
            ("gauge", _) => Kind::Gauge,
            ("histogram", _) => Kind::Histogram,
            ("summary", _) => Kind::Summary,
            ("untyped", Syntax::Classic) | ("unknown", Syntax::OpenMetrics) => Kind::Unknown,
            ("gaugehistogram", Syntax::OpenMetrics) => Kind::GaugeHistogram,
            ("info", Syntax::OpenMetrics) => Kind::Info,
            ("stateset", Syntax::OpenMetrics) => Kind::StateSet,
            _ => return None,
        })
    }

    /// The suffixes the samples of family `name` may carry after its name, `""` for the
    /// name itself.
    fn suffixes(self, syntax: Syntax, name: &str) -> &'static [&'static str] {
        match (self, syntax) {
            // Prometheus's own scrapes, in its test data, declare `# TYPE x_total counter`
            // and end with `# EOF`: the sample then carries the family's name.
            (Kind::Counter, Syntax::OpenMetrics) if name.ends_with("_total") => &["", "_total", "_created"],
            (Kind::Counter, Syntax::OpenMetrics) => &["_total", "_created"],
            // A classic counter is declared by its sample's own name (`# TYPE x_total
            // counter`), or as OpenMetrics names it.
            (Kind::Counter, Syntax::Classic) => &["", "_total", "_created"],
            (Kind::Histogram, _) => &["_bucket", "_count", "_sum", "_created"],
            (Kind::GaugeHistogram, _) => &["_bucket", "_gcount", "_gsum"],
            (Kind::Summary, _) => &["", "_count", "_sum", "_created"],
            (Kind::Info, _) => &["_info"],
            (Kind::Gauge | Kind::StateSet | Kind::Unknown, _) => &[""],
        }
    }
}

/// One sample line.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Sample {
    /// What follows the family name in the sample's name: `_bucket`, `_total`, or `""`.
    pub suffix: &'static str,
    /// The labels in the order written, `le` and `quantile` included.
    pub labels: Vec<(String, String)>,
    pub value: f64,
    /// Seconds since 1970 (classic milliseconds are converted).
    pub timestamp: Option<f64>,
    pub line: usize,
}

impl Sample {
    pub(crate) fn label(&self, name: &str) -> Option<&str> {
        self.labels.iter().find(|(label, _)| label == name).map(|(_, value)| value.as_str())
    }
}

/// A metric family: its name, type, unit and samples in the order written.
#[derive(Debug, Clone)]
pub(crate) struct Family {
    pub name: String,
    pub kind: Kind,
    /// `# UNIT` (OpenMetrics).
    pub unit: Option<String>,
    /// The line of its first metadata or sample.
    pub line: usize,
    pub samples: Vec<Sample>,
    has_type: bool,
    has_help: bool,
}

/// One scrape, parsed.
#[derive(Debug, Clone)]
pub(crate) struct Scrape {
    pub families: Vec<Family>,
}

impl Scrape {
    /// The latest sample timestamp, in seconds, when samples carry them.
    pub(crate) fn latest_timestamp(&self) -> Option<f64> {
        self.families.iter().flat_map(|family| &family.samples).filter_map(|sample| sample.timestamp).reduce(f64::max)
    }
}

/// Parses a scrape in the syntax its last line says ([`Syntax::of`]).
pub(crate) fn parse(text: &str) -> Result<Scrape, Located> {
    parse_as(text, Syntax::of(text))
}

/// Parses a scrape as `syntax`.
pub(crate) fn parse_as(text: &str, syntax: Syntax) -> Result<Scrape, Located> {
    let mut parser = Parser { syntax, families: Vec::new(), by_name: HashMap::new(), sample_names: HashMap::new() };
    let mut rest = text;
    let mut line = 0;
    let mut ended = false;
    while !rest.is_empty() {
        line += 1;
        let (current, has_newline) = match rest.find('\n') {
            Some(end) => {
                let current = &rest[..end];
                rest = &rest[end + 1..];
                (current, true)
            }
            None => (std::mem::take(&mut rest), false),
        };
        if ended {
            return Err(at(line, 1, "text after `# EOF`, which ends an OpenMetrics exposition"));
        }
        if current == "# EOF" && syntax == Syntax::OpenMetrics {
            ended = true;
            continue;
        }
        if !has_newline {
            return Err(at(
                line,
                current.len() + 1,
                match syntax {
                    Syntax::Classic => "the last line has no line feed: the scrape was cut off mid-line",
                    Syntax::OpenMetrics => "the exposition was cut off before `# EOF`",
                },
            ));
        }
        parser.line(current, line)?;
    }
    if syntax == Syntax::OpenMetrics && !ended {
        return Err(at(line.max(1), 1, "an OpenMetrics exposition ends with `# EOF`; this one was cut off"));
    }
    parser.finish()?;
    Ok(Scrape { families: parser.families })
}

fn at(line: usize, column: usize, message: impl Into<String>) -> Located {
    Located { line, column, message: message.into() }
}

struct Parser {
    syntax: Syntax,
    families: Vec<Family>,
    /// Family index by family name.
    by_name: HashMap<String, usize>,
    /// Family index by every sample name its type allows (OpenMetrics clash checks and
    /// classic lookups).
    sample_names: HashMap<String, usize>,
}

impl Parser {
    fn line(&mut self, text: &str, line: usize) -> Result<(), Located> {
        let om = self.syntax == Syntax::OpenMetrics;
        if text.is_empty() || (!om && text.bytes().all(|b| b == b' ' || b == b'\t')) {
            return match om {
                true => Err(at(line, 1, "a blank line (OpenMetrics has none)")),
                false => Ok(()),
            };
        }
        if let Some(comment) = text.strip_prefix('#') {
            return self.comment(comment, line);
        }
        self.sample(text, line)
    }

    fn comment(&mut self, comment: &str, line: usize) -> Result<(), Located> {
        let om = self.syntax == Syntax::OpenMetrics;
        let (keyword, rest) = match comment.strip_prefix(' ') {
            Some(after) => after.split_once(' ').unwrap_or((after, "")),
            None if om => return Err(at(line, 2, "a `#` line is `# HELP`, `# TYPE`, `# UNIT` or `# EOF`")),
            None => return Ok(()),
        };
        let has_argument = comment.len() > 1 + keyword.len();
        match keyword {
            "HELP" | "TYPE" => {}
            "UNIT" if om => {}
            _ if om => {
                return Err(at(
                    line,
                    3,
                    format!("`# {keyword}` is not OpenMetrics metadata (HELP, TYPE, UNIT or EOF)"),
                ));
            }
            _ => return Ok(()),
        }
        let column = 3 + keyword.len() + 1;
        if !has_argument {
            return Err(at(line, column, format!("`# {keyword}` needs a metric name")));
        }
        let (name, text) = match om {
            true => match rest.split_once(' ') {
                Some((name, text)) => (name, Some(text)),
                None => (rest, None),
            },
            false => {
                let rest = rest.trim_start_matches([' ', '\t']);
                match rest.split_once([' ', '\t']) {
                    Some((name, text)) => (name, Some(text.trim_matches([' ', '\t']))),
                    None => (rest, None),
                }
            }
        };
        if !is_metric_name(name) {
            return Err(at(line, column, format!("`{name}` is not a metric name")));
        }
        let column = column + name.len() + 1;
        match keyword {
            "HELP" => {
                // The classic format allows `# HELP name` with no text.
                if om && text.is_none() {
                    return Err(at(line, column, "`# HELP name` needs a space and the text (which may be empty)"));
                }
                let family = self.metadata_family(name, line, "HELP")?;
                if family.has_help {
                    return Err(at(line, 1, format!("a second `# HELP` for `{name}`")));
                }
                family.has_help = true;
            }
            "TYPE" => {
                let word = text.unwrap_or("");
                let Some(kind) = Kind::parse(word, self.syntax) else {
                    let known = match om {
                        true => "counter, gauge, histogram, gaugehistogram, summary, info, stateset or unknown",
                        false => "counter, gauge, histogram, summary or untyped",
                    };
                    return Err(at(line, column, format!("`{word}` is not a metric type ({known})")));
                };
                let typed = self.by_name.get(name).is_some_and(|&index| self.families[index].has_type);
                if typed {
                    return Err(at(line, 1, format!("a second `# TYPE` for `{name}`")));
                }
                let index = self.metadata_index(name, line, "TYPE")?;
                self.families[index].kind = kind;
                self.families[index].has_type = true;
                self.register_sample_names(index, line)?;
            }
            _ => {
                let unit = text.unwrap_or("");
                if text.is_none() {
                    return Err(at(line, column, "`# UNIT name` needs a space and the unit (which may be empty)"));
                }
                if !unit.is_empty() && !name.ends_with(&format!("_{unit}")) {
                    return Err(at(line, column, format!("the unit `{unit}` is not the end of the name `{name}`")));
                }
                let family = self.metadata_family(name, line, "UNIT")?;
                if matches!(family.kind, Kind::Info | Kind::StateSet) {
                    return Err(at(line, 1, "info and stateset metrics have no unit"));
                }
                if family.unit.is_some() {
                    return Err(at(line, 1, format!("a second `# UNIT` for `{name}`")));
                }
                family.unit = Some(unit.to_owned());
            }
        }
        Ok(())
    }

    fn metadata_family(&mut self, name: &str, line: usize, keyword: &str) -> Result<&mut Family, Located> {
        let index = self.metadata_index(name, line, keyword)?;
        Ok(&mut self.families[index])
    }

    /// The family metadata names, created if new; metadata after its samples, or (in
    /// OpenMetrics) for a family another one has followed, is an error.
    fn metadata_index(&mut self, name: &str, line: usize, keyword: &str) -> Result<usize, Located> {
        let index = match self.by_name.get(name) {
            Some(&index) => index,
            None => return Ok(self.new_family(name, Kind::Unknown, line)),
        };
        let family = &self.families[index];
        if !family.samples.is_empty() {
            return Err(at(
                line,
                1,
                format!("`# {keyword}` for `{name}` comes after its samples (line {})", family.samples[0].line),
            ));
        }
        if self.syntax == Syntax::OpenMetrics && index + 1 != self.families.len() {
            return Err(at(line, 1, format!("`# {keyword}` for `{name}`, whose family was interrupted by another")));
        }
        Ok(index)
    }

    fn new_family(&mut self, name: &str, kind: Kind, line: usize) -> usize {
        let index = self.families.len();
        self.families.push(Family {
            name: name.to_owned(),
            kind,
            unit: None,
            line,
            samples: Vec::new(),
            has_type: false,
            has_help: false,
        });
        self.by_name.insert(name.to_owned(), index);
        index
    }

    /// Records the sample names a family's type gives it; in OpenMetrics one another family
    /// already has is a clash (`# TYPE a_created gauge` then `# TYPE a counter`).
    fn register_sample_names(&mut self, index: usize, line: usize) -> Result<(), Located> {
        let family = &self.families[index];
        for suffix in family.kind.suffixes(self.syntax, &family.name) {
            let sample_name = format!("{}{suffix}", family.name);
            match self.sample_names.get(&sample_name) {
                Some(&other) if other != index && self.syntax == Syntax::OpenMetrics => {
                    return Err(at(
                        line,
                        1,
                        format!(
                            "`{}` clashes with `{}` (line {}): both would write `{sample_name}`",
                            family.name, self.families[other].name, self.families[other].line
                        ),
                    ));
                }
                _ => {
                    self.sample_names.insert(sample_name, index);
                }
            }
        }
        Ok(())
    }

    fn sample(&mut self, text: &str, line: usize) -> Result<(), Located> {
        let om = self.syntax == Syntax::OpenMetrics;
        let bytes = text.as_bytes();
        let mut cursor = Cursor { bytes, at: 0, line };
        let mut name = std::borrow::Cow::Borrowed(cursor.metric_name());
        let mut labels = Vec::new();
        if cursor.peek() == Some(b'{') {
            let quoted_name = cursor.labels(&mut labels, om)?;
            if let Some(quoted) = quoted_name {
                if !name.is_empty() {
                    return Err(at(line, 1, "a metric name both before and inside the braces"));
                }
                name = std::borrow::Cow::Owned(quoted);
            }
        }
        if name.is_empty() {
            return Err(at(line, 1, "a sample line starts with a metric name"));
        }
        let value = cursor.separated_token(om, "the value")?;
        let value_column = cursor.at - value.len() + 1;
        let value = number(value, true).ok_or_else(|| at(line, value_column, format!("`{value}` is not a number")))?;
        let mut timestamp = None;
        let mut exemplar = false;
        if !cursor.done(om) {
            if om && cursor.rest().starts_with(" # ") {
                exemplar = true;
            } else {
                let token = cursor.separated_token(om, "the timestamp")?;
                let column = cursor.at - token.len() + 1;
                timestamp = Some(timestamp_seconds(token, self.syntax).ok_or_else(|| {
                    let expected = match om {
                        true => "a timestamp in seconds",
                        false => "a timestamp in integer milliseconds",
                    };
                    at(line, column, format!("`{token}` is not {expected}"))
                })?);
                if !cursor.done(om) {
                    match om && cursor.rest().starts_with(" # ") {
                        true => exemplar = true,
                        false => return Err(at(line, cursor.at + 1, "text after the sample's timestamp")),
                    }
                }
            }
        }
        if exemplar {
            cursor.at += 3;
            cursor.exemplar()?;
        }
        self.add_sample(&name, labels, value, timestamp, exemplar, line)
    }

    fn family_of(&mut self, name: &str, line: usize) -> Result<(usize, &'static str), Located> {
        if self.syntax == Syntax::OpenMetrics {
            if let Some(current) = self.families.len().checked_sub(1) {
                let family = &self.families[current];
                if let Some(suffix) = family
                    .kind
                    .suffixes(self.syntax, &family.name)
                    .iter()
                    .find(|suffix| name.strip_prefix(family.name.as_str()) == Some(**suffix))
                {
                    return Ok((current, suffix));
                }
            }
            if let Some(&earlier) = self.sample_names.get(name).or(self.by_name.get(name)) {
                return Err(at(
                    line,
                    1,
                    format!(
                        "`{name}` belongs to `{}` (line {}), interrupted by another family; a family's samples \
                         are written together",
                        self.families[earlier].name, self.families[earlier].line
                    ),
                ));
            }
            let index = self.new_family(name, Kind::Unknown, line);
            self.register_sample_names(index, line)?;
            return Ok((index, ""));
        }
        if let Some(&index) = self.sample_names.get(name) {
            let family = &self.families[index];
            let rest = name.strip_prefix(family.name.as_str());
            let suffix = family.kind.suffixes(self.syntax, &family.name).iter().find(|s| rest == Some(**s));
            if let Some(suffix) = suffix {
                return Ok((index, suffix));
            }
        }
        match self.by_name.get(name) {
            Some(&index) => Ok((index, "")),
            None => {
                let index = self.new_family(name, Kind::Unknown, line);
                self.register_sample_names(index, line)?;
                Ok((index, ""))
            }
        }
    }

    fn add_sample(
        &mut self,
        name: &str,
        labels: Vec<(String, String)>,
        value: f64,
        timestamp: Option<f64>,
        exemplar: bool,
        line: usize,
    ) -> Result<(), Located> {
        let om = self.syntax == Syntax::OpenMetrics;
        let (index, suffix) = self.family_of(name, line)?;
        let family = &mut self.families[index];
        if exemplar {
            let allowed = match family.kind {
                Kind::Counter => suffix == "_total",
                Kind::Histogram | Kind::GaugeHistogram => suffix == "_bucket",
                _ => false,
            };
            if !allowed {
                return Err(at(
                    line,
                    1,
                    "an exemplar on a sample that takes none (only counters' `_total` and buckets)",
                ));
            }
        }
        if om {
            value_rule(family, suffix, value).map_err(|message| at(line, 1, message))?;
        }
        match (family.kind, suffix) {
            (Kind::Histogram | Kind::GaugeHistogram, "_bucket") => {
                let Some(le) = labels.iter().find(|(label, _)| label == "le").map(|(_, v)| v.as_str()) else {
                    return Err(at(line, 1, format!("`{name}` is a histogram bucket without an `le` label")));
                };
                if bucket_bound(le, self.syntax).is_none() {
                    return Err(at(line, 1, format!("`le=\"{le}\"` is not a bucket bound")));
                }
            }
            (Kind::Summary, "") => {
                let quantile = labels.iter().find(|(label, _)| label == "quantile").map(|(_, v)| v.as_str());
                match quantile.and_then(|q| number(q, false)) {
                    Some(q) if (0.0..=1.0).contains(&q) => {}
                    _ => {
                        return Err(at(
                            line,
                            1,
                            format!("`{name}` is a summary quantile without a `quantile` label from 0 to 1"),
                        ));
                    }
                }
            }
            (Kind::StateSet, _) if !labels.iter().any(|(label, _)| *label == family.name) => {
                return Err(at(line, 1, format!("a stateset sample has a label named `{}`", family.name)));
            }
            _ => {}
        }
        family.samples.push(Sample { suffix, labels, value, timestamp, line });
        Ok(())
    }

    /// Checks every family as a whole: series given once, histograms complete.
    fn finish(&mut self) -> Result<(), Located> {
        for family in &self.families {
            check_series(family, self.syntax)?;
            if matches!(family.kind, Kind::Histogram | Kind::GaugeHistogram) {
                check_histogram(family, self.syntax)?;
            }
        }
        Ok(())
    }
}

/// OpenMetrics' rules on values by type: counts are not negative and not NaN, infos are 1,
/// statesets 0 or 1.
fn value_rule(family: &Family, suffix: &str, value: f64) -> Result<(), String> {
    let count = |what: &str| match value.is_nan() || value < 0.0 {
        true => Err(format!("{what} {value} is not a count (NaN and negative numbers are not)")),
        false => Ok(()),
    };
    match (family.kind, suffix) {
        (Kind::Counter, _) => count("the counter value"),
        (Kind::Histogram | Kind::GaugeHistogram, "_bucket" | "_count" | "_gcount") => count("the bucket count"),
        // Negative only with negative buckets, checked with the whole histogram.
        (Kind::Histogram | Kind::GaugeHistogram, "_sum" | "_gsum") if value.is_nan() => {
            Err("the histogram's sum is NaN".into())
        }
        (Kind::Summary, "_count") => count("the summary's count"),
        // A sum of negative observations is negative; the Go client writes one.
        (Kind::Summary, "_sum") if value.is_nan() => Err("the summary's sum is NaN".into()),
        // OpenMetrics forbids negative quantile values; the Go client writes them for negative
        // observations (alltypes.5mfs.om.txt), and they are read.
        (Kind::Info, _) if value != 1.0 => Err(format!("an info sample's value is 1, not {value}")),
        (Kind::StateSet, _) if value != 0.0 && value != 1.0 => {
            Err(format!("a stateset sample's value is 0 or 1, not {value}"))
        }
        _ => Ok(()),
    }
}

/// A series (its sample name and labels) is given once, or (OpenMetrics) again only with a
/// timestamp that does not go back.
fn check_series(family: &Family, syntax: Syntax) -> Result<(), Located> {
    /// A series: its suffix and sorted labels.
    type SeriesKey<'s> = (&'s str, Vec<(&'s str, &'s str)>);
    let mut seen: HashMap<SeriesKey<'_>, &Sample> = HashMap::with_capacity(family.samples.len());
    for sample in &family.samples {
        let mut labels: Vec<(&str, &str)> = sample.labels.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        labels.sort_unstable();
        if let Some(earlier) = seen.insert((sample.suffix, labels), sample) {
            let name = format!("{}{}", family.name, sample.suffix);
            let problem = match (earlier.timestamp, sample.timestamp) {
                (Some(before), Some(now)) if now >= before && syntax == Syntax::OpenMetrics => continue,
                (Some(before), Some(now)) if now < before => "with an earlier timestamp",
                (Some(_), None) | (None, Some(_)) => "once with and once without a timestamp",
                _ => "twice: a duplicate series",
            };
            return Err(at(
                sample.line,
                1,
                format!(
                    "the series `{name}{}` is given {problem} (line {})",
                    show_labels(&sample.labels),
                    earlier.line
                ),
            ));
        }
    }
    Ok(())
}

/// `{a="1",b="2"}`, or nothing without labels.
pub(crate) fn show_labels(labels: &[(String, String)]) -> String {
    if labels.is_empty() {
        return String::new();
    }
    let shown: Vec<String> = labels.iter().map(|(k, v)| format!("{k}=\"{v}\"")).collect();
    format!("{{{}}}", shown.join(","))
}

/// The labels of a histogram or summary series without `le` and `quantile`, sorted: its key.
pub(crate) fn series_key(labels: &[(String, String)]) -> Vec<(&str, &str)> {
    let mut series: Vec<(&str, &str)> = labels
        .iter()
        .filter(|(name, _)| name != "le" && name != "quantile")
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    series.sort_unstable();
    series
}

/// A [`series_key`] as owned labels.
pub(crate) fn owned(key: &[(&str, &str)]) -> Vec<(String, String)> {
    key.iter().map(|(name, value)| ((*name).to_owned(), (*value).to_owned())).collect()
}

/// Each histogram series: a `+Inf` bucket, counts that never decrease, `_count` equal to
/// the `+Inf` bucket, one bound given once. OpenMetrics also wants the buckets in order,
/// `_sum` and `_count` together, a negative sum only with negative buckets and each series' lines
/// together.
fn check_histogram(family: &Family, syntax: Syntax) -> Result<(), Located> {
    let om = syntax == Syntax::OpenMetrics;
    let gauge = family.kind == Kind::GaugeHistogram;
    let (count_suffix, sum_suffix) = if gauge { ("_gcount", "_gsum") } else { ("_count", "_sum") };
    /// A series' labels without `le`, and its samples.
    type Group<'s> = (Vec<(&'s str, &'s str)>, Vec<&'s Sample>);
    let mut groups: Vec<Group<'_>> = Vec::new();
    let mut group_of: HashMap<Vec<(&str, &str)>, usize> = HashMap::new();
    for sample in &family.samples {
        let key = series_key(&sample.labels);
        let index = match group_of.get(&key) {
            Some(&index) => {
                if om && index + 1 != groups.len() {
                    return Err(at(
                        sample.line,
                        1,
                        format!(
                            "the histogram series `{}{}` continues after another series began",
                            family.name,
                            show_labels(&owned(&key))
                        ),
                    ));
                }
                index
            }
            None => {
                group_of.insert(key.clone(), groups.len());
                groups.push((key, Vec::new()));
                groups.len() - 1
            }
        };
        groups[index].1.push(sample);
    }
    for (key, samples) in &groups {
        let series = format!("{}{}", family.name, show_labels(&owned(key)));
        let first_line = samples.first().map_or(family.line, |sample| sample.line);
        let mut buckets: Vec<(f64, &Sample)> = Vec::new();
        let (mut count, mut sum) = (None, None);
        for sample in samples {
            match sample.suffix {
                "_bucket" => {
                    if om && (count.is_some() || sum.is_some()) {
                        return Err(at(sample.line, 1, format!("a bucket of `{series}` after its count or sum")));
                    }
                    let le = sample.label("le").and_then(|le| bucket_bound(le, syntax)).unwrap_or(f64::NAN);
                    buckets.push((le, sample));
                }
                suffix if suffix == count_suffix => count = Some(*sample),
                suffix if suffix == sum_suffix => sum = Some(*sample),
                _ => {}
            }
        }
        if om && count.is_some() != sum.is_some() {
            return Err(at(first_line, 1, format!("`{series}` has a count or a sum but not both")));
        }
        if om && buckets.windows(2).any(|pair| pair[0].0 >= pair[1].0) {
            let line = buckets.windows(2).find(|pair| pair[0].0 >= pair[1].0).map_or(first_line, |pair| pair[1].1.line);
            return Err(at(line, 1, format!("the buckets of `{series}` are not in increasing order of `le`")));
        }
        let infinite = buckets.iter().find(|(le, _)| *le == f64::INFINITY).map(|(_, sample)| *sample);
        let Some(infinite) = infinite else {
            let message = match buckets.is_empty() {
                true => format!("the histogram `{series}` has no buckets"),
                false => format!("the histogram `{series}` has no `le=\"+Inf\"` bucket: the scrape may be cut short"),
            };
            return Err(at(first_line, 1, message));
        };
        if om && infinite.label("le") != Some("+Inf") {
            return Err(at(infinite.line, 1, "the last bucket is written `le=\"+Inf\"`"));
        }
        buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
        for pair in buckets.windows(2) {
            let ((low, below), (high, above)) = (pair[0], pair[1]);
            if low == high {
                return Err(at(
                    above.line,
                    1,
                    format!(
                        "the bucket `le=\"{}\"` of `{series}` is given twice (line {})",
                        show_bound(high),
                        below.line
                    ),
                ));
            }
            if above.value < below.value {
                return Err(at(
                    above.line,
                    1,
                    format!(
                        "the bucket counts of `{series}` decrease: {} at le={} after {} at le={} (line {}); bucket \
                         counts are cumulative",
                        above.value,
                        show_bound(high),
                        below.value,
                        show_bound(low),
                        below.line
                    ),
                ));
            }
        }
        if let Some(count) = count
            && count.value != infinite.value
        {
            return Err(at(
                count.line,
                1,
                format!(
                    "the count of `{series}` is {} but its `+Inf` bucket holds {} (line {})",
                    count.value, infinite.value, infinite.line
                ),
            ));
        }
        // OpenMetrics 1.0 forbids a `_sum` beside negative buckets, but Prometheus's own Go
        // client writes one (tests/fixtures/prometheus/prometheus-repo/alltypes.5mfs.om.txt),
        // so a sum is read, and is negative only when some bucket is.
        let negative = buckets.first().is_some_and(|(le, _)| *le < 0.0);
        if om
            && let Some(sum) = sum
            && sum.value < 0.0
            && !negative
        {
            return Err(at(sum.line, 1, format!("the sum of `{series}` is negative, but none of its buckets is")));
        }
    }
    Ok(())
}

fn show_bound(bound: f64) -> String {
    match bound {
        f64::INFINITY => "+Inf".to_owned(),
        _ => format!("{bound}"),
    }
}

/// A bucket bound: a number, compared as a number (`1`, `1.0` and `1e0` are one bound).
pub(crate) fn bucket_bound(le: &str, _syntax: Syntax) -> Option<f64> {
    number(le, true).filter(|bound| !bound.is_nan())
}

/// `[a-zA-Z_:][a-zA-Z0-9_:]*`.
pub(crate) fn is_metric_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphabetic() || b == b'_' || b == b':')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b':')
}

/// A number as both formats write it: decimal with an optional exponent, `NaN`, `+Inf`,
/// `-Inf` (any case, also `Infinity`). Hexadecimal floats and `_` separators are refused.
/// `special` allows NaN and infinities.
pub(crate) fn number(text: &str, special: bool) -> Option<f64> {
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    if unsigned.eq_ignore_ascii_case("nan") {
        return (special && unsigned.len() == text.len()).then_some(f64::NAN);
    }
    if unsigned.eq_ignore_ascii_case("inf") || unsigned.eq_ignore_ascii_case("infinity") {
        return special.then(|| if text.starts_with('-') { f64::NEG_INFINITY } else { f64::INFINITY });
    }
    let bytes = unsigned.as_bytes();
    let mut at = 0;
    let digits = |at: &mut usize| {
        let start = *at;
        while bytes.get(*at).is_some_and(u8::is_ascii_digit) {
            *at += 1;
        }
        *at - start
    };
    let mut mantissa = digits(&mut at);
    if bytes.get(at) == Some(&b'.') {
        at += 1;
        mantissa += digits(&mut at);
    }
    if mantissa == 0 {
        return None;
    }
    if matches!(bytes.get(at), Some(b'e' | b'E')) {
        at += 1;
        if matches!(bytes.get(at), Some(b'+' | b'-')) {
            at += 1;
        }
        if digits(&mut at) == 0 {
            return None;
        }
    }
    if at != bytes.len() {
        return None;
    }
    text.parse().ok()
}

/// A sample timestamp in seconds: OpenMetrics writes seconds (a decimal), the classic
/// format integer milliseconds.
fn timestamp_seconds(text: &str, syntax: Syntax) -> Option<f64> {
    match syntax {
        Syntax::OpenMetrics => number(text, false),
        Syntax::Classic => {
            let digits = text.strip_prefix('-').unwrap_or(text);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            text.parse::<i64>().ok().map(|ms| ms as f64 / 1000.0)
        }
    }
}

/// Reads the tokens of one sample line.
struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
    line: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn rest(&self) -> &'a str {
        // Every position the cursor stops at is after an ASCII byte.
        std::str::from_utf8(&self.bytes[self.at..]).unwrap_or("")
    }

    fn error(&self, message: impl Into<String>) -> Located {
        at(self.line, self.at + 1, message)
    }

    /// Whether nothing (OpenMetrics) or only white space (classic) is left.
    fn done(&self, om: bool) -> bool {
        match om {
            true => self.at == self.bytes.len(),
            false => self.bytes[self.at..].iter().all(|b| *b == b' ' || *b == b'\t'),
        }
    }

    fn metric_name(&mut self) -> &'a str {
        let start = self.at;
        if self.peek().is_some_and(|b| b.is_ascii_alphabetic() || b == b'_' || b == b':') {
            self.at += 1;
            while self.peek().is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b':') {
                self.at += 1;
            }
        }
        // ASCII only, so whole UTF-8.
        std::str::from_utf8(&self.bytes[start..self.at]).unwrap_or("")
    }

    fn label_name(&mut self) -> Option<String> {
        let start = self.at;
        if self.peek().is_some_and(|b| b.is_ascii_alphabetic() || b == b'_') {
            self.at += 1;
            while self.peek().is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_') {
                self.at += 1;
            }
            return Some(String::from_utf8_lossy(&self.bytes[start..self.at]).into_owned());
        }
        None
    }

    fn skip_blanks(&mut self, om: bool) {
        if !om {
            while matches!(self.peek(), Some(b' ' | b'\t')) {
                self.at += 1;
            }
        }
    }

    /// A quoted string with `\\`, `\"` and `\n` escapes; other backslashes stay as written.
    fn quoted(&mut self) -> Result<String, Located> {
        if self.peek() != Some(b'"') {
            return Err(self.error("a label value is written in double quotes"));
        }
        self.at += 1;
        let mut value = Vec::new();
        loop {
            match self.peek() {
                None => return Err(self.error("the label value has no closing quote")),
                Some(b'"') => {
                    self.at += 1;
                    break;
                }
                Some(b'\\') => {
                    match self.bytes.get(self.at + 1) {
                        Some(b'\\') => value.push(b'\\'),
                        Some(b'"') => value.push(b'"'),
                        Some(b'n') => value.push(b'\n'),
                        Some(other) => value.extend_from_slice(&[b'\\', *other]),
                        None => return Err(self.error("the label value has no closing quote")),
                    }
                    self.at += 2;
                }
                Some(byte) => {
                    value.push(byte);
                    self.at += 1;
                }
            }
        }
        // The line is UTF-8 and escapes only replace ASCII.
        Ok(String::from_utf8_lossy(&value).into_owned())
    }

    /// `{name="value",...}`, into `labels`; returns the metric name when the braces hold it
    /// quoted (`{"my.metric",a="1"}`, classic only).
    fn labels(&mut self, labels: &mut Vec<(String, String)>, om: bool) -> Result<Option<String>, Located> {
        self.at += 1;
        let mut quoted_name = None;
        self.skip_blanks(om);
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Ok(None);
        }
        loop {
            self.skip_blanks(om);
            let start = self.at;
            let name = match self.peek() {
                Some(b'"') if !om => {
                    let name = self.quoted()?;
                    self.skip_blanks(om);
                    if matches!(self.peek(), Some(b',' | b'}')) {
                        if quoted_name.is_some() || !labels.is_empty() {
                            return Err(at(self.line, start + 1, "a quoted metric name comes first in the braces"));
                        }
                        quoted_name = Some(name);
                        None
                    } else {
                        Some(name)
                    }
                }
                _ => Some(self.label_name().ok_or_else(|| self.error("a label name ([a-zA-Z_][a-zA-Z0-9_]*)"))?),
            };
            if let Some(name) = name {
                self.skip_blanks(om);
                if self.peek() != Some(b'=') {
                    return Err(self.error(format!("`=` after the label name `{name}`")));
                }
                self.at += 1;
                self.skip_blanks(om);
                let value = self.quoted()?;
                if labels.iter().any(|(existing, _)| *existing == name) {
                    return Err(at(self.line, start + 1, format!("the label `{name}` is given twice")));
                }
                labels.push((name, value));
            }
            self.skip_blanks(om);
            match self.peek() {
                Some(b'}') => {
                    self.at += 1;
                    return Ok(quoted_name);
                }
                Some(b',') => {
                    self.at += 1;
                    self.skip_blanks(om);
                    if self.peek() == Some(b'}') {
                        if om {
                            return Err(self.error("a comma before `}` (OpenMetrics has no trailing comma)"));
                        }
                        self.at += 1;
                        return Ok(quoted_name);
                    }
                }
                _ => return Err(self.error("`,` or `}` after a label")),
            }
        }
    }

    /// The separator, then a token up to the next blank. OpenMetrics separates by exactly
    /// one space.
    fn separated_token(&mut self, om: bool, what: &str) -> Result<&'a str, Located> {
        match self.peek() {
            Some(b' ') => self.at += 1,
            Some(b'\t') if !om => self.at += 1,
            _ => return Err(self.error(format!("a space and {what}"))),
        }
        self.skip_blanks(om);
        let start = self.at;
        while self.peek().is_some_and(|b| b != b' ' && b != b'\t') {
            self.at += 1;
        }
        if start == self.at {
            return Err(self.error(format!("{what} after one space")));
        }
        // Tokens end at ASCII blanks, so they are whole UTF-8.
        Ok(std::str::from_utf8(&self.bytes[start..self.at]).unwrap_or(""))
    }

    /// An OpenMetrics exemplar after ` # `: `{labels} value [timestamp]`, its labels at most
    /// 128 characters together.
    fn exemplar(&mut self) -> Result<(), Located> {
        if self.peek() != Some(b'{') {
            return Err(self.error("an exemplar starts with `{`"));
        }
        let mut labels = Vec::new();
        self.labels(&mut labels, true)?;
        let length: usize = labels.iter().map(|(k, v)| k.chars().count() + v.chars().count()).sum();
        if length > 128 {
            return Err(self.error(format!("the exemplar's labels are {length} characters; at most 128")));
        }
        let value = self.separated_token(true, "the exemplar's value")?;
        if number(value, true).is_none() {
            return Err(self.error(format!("`{value}` is not a number")));
        }
        if !self.done(true) {
            let timestamp = self.separated_token(true, "the exemplar's timestamp")?;
            if number(timestamp, false).is_none() {
                return Err(self.error(format!("`{timestamp}` is not a timestamp")));
            }
        }
        match self.done(true) {
            true => Ok(()),
            false => Err(self.error("text after the exemplar")),
        }
    }
}
