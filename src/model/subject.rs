//! What a measurement is about: tag name -> value, such as `url` (+ `form_factor`) for
//! Lighthouse, k6's request tags, `id` for criterion, `file` for a bundle.
//!
//! A subject has one to a handful of tags, so it is a sorted vector rather than a map: a
//! B-tree node holds room for eleven entries, and a gate holds tens of thousands of
//! subjects. It reads and writes as a JSON object, ordered by tag, so output is the same
//! on every run.

use std::fmt;

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Subject(Vec<(String, String)>);

impl Subject {
    pub fn new() -> Subject {
        Subject(Vec::new())
    }

    /// Sets a tag, replacing its value if it is there.
    pub fn insert(&mut self, tag: String, value: String) {
        match self.0.binary_search_by(|(existing, _)| existing.as_str().cmp(&tag)) {
            Ok(at) => self.0[at].1 = value,
            Err(at) => self.0.insert(at, (tag, value)),
        }
    }

    pub fn get(&self, tag: &str) -> Option<&str> {
        self.0.binary_search_by(|(existing, _)| existing.as_str().cmp(tag)).ok().map(|at| self.0[at].1.as_str())
    }

    /// Tags and values in tag order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(tag, value)| (tag.as_str(), value.as_str()))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Tags in any order; a tag given more than once keeps its last value, as with
/// [`Subject::insert`]. Sorted once rather than inserted one by one: inserting into a
/// sorted vector is quadratic in the number of tags, which an input controls (200,000
/// tags took 40 s).
impl FromIterator<(String, String)> for Subject {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(tags: I) -> Subject {
        let mut tags: Vec<(String, String)> = tags.into_iter().collect();
        // Stable, so the values of one tag stay in the order they were given.
        tags.sort_by(|(a, _), (b, _)| a.cmp(b));
        let mut unique: Vec<(String, String)> = Vec::with_capacity(tags.len());
        for (tag, value) in tags {
            match unique.last_mut() {
                Some(last) if last.0 == tag => last.1 = value,
                _ => unique.push((tag, value)),
            }
        }
        Subject(unique)
    }
}

impl<const N: usize> From<[(&str, &str); N]> for Subject {
    fn from(tags: [(&str, &str); N]) -> Subject {
        tags.into_iter().map(|(tag, value)| (tag.to_owned(), value.to_owned())).collect()
    }
}

/// `subject["url"]` in tests; code uses [`Subject::get`], which cannot panic.
#[cfg(test)]
impl std::ops::Index<&str> for Subject {
    type Output = str;
    fn index(&self, tag: &str) -> &str {
        match self.get(tag) {
            Some(value) => value,
            None => panic!("subject has no tag `{tag}`"),
        }
    }
}

impl Serialize for Subject {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (tag, value) in &self.0 {
            map.serialize_entry(tag, value)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Subject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SubjectVisitor;
        impl<'de> Visitor<'de> for SubjectVisitor {
            type Value = Subject;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of tag -> string value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Subject, A::Error> {
                // A repeated tag is refused where it is read, so the error points at it;
                // the tags are sorted once at the end.
                let mut seen = std::collections::HashSet::new();
                let mut tags = Vec::with_capacity(map.size_hint().unwrap_or(0).min(1024));
                while let Some((tag, value)) = map.next_entry::<String, String>()? {
                    if !seen.insert(tag.clone()) {
                        return Err(serde::de::Error::custom(format!("subject tag `{tag}` is given twice")));
                    }
                    tags.push((tag, value));
                }
                Ok(tags.into_iter().collect())
            }
        }
        deserializer.deserialize_map(SubjectVisitor)
    }
}

impl schemars::JsonSchema for Subject {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Subject".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "object", "additionalProperties": { "type": "string" } })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_tags_sorted_and_unique() {
        let mut subject = Subject::from([("url", "https://a/"), ("form_factor", "mobile")]);
        subject.insert("url".into(), "https://b/".into());
        assert_eq!(subject.iter().collect::<Vec<_>>(), vec![("form_factor", "mobile"), ("url", "https://b/")]);
        assert_eq!(subject.get("url"), Some("https://b/"));
        assert_eq!(&subject["form_factor"], "mobile");
        assert_eq!(subject.get("name"), None);
    }

    #[test]
    fn collected_tags_are_sorted_and_the_last_value_wins() {
        let tags = [("url", "https://a/"), ("data", "lab"), ("url", "https://b/"), ("a", "1"), ("url", "https://c/")];
        let collected: Subject = tags.iter().map(|(tag, value)| ((*tag).to_owned(), (*value).to_owned())).collect();
        let mut inserted = Subject::new();
        for (tag, value) in tags {
            inserted.insert(tag.to_owned(), value.to_owned());
        }
        assert_eq!(collected, inserted);
        assert_eq!(collected.iter().collect::<Vec<_>>(), vec![("a", "1"), ("data", "lab"), ("url", "https://c/")]);
        assert_eq!(Subject::from([("b", "1"), ("a", "2")]).iter().next(), Some(("a", "2")));
    }

    #[test]
    fn many_tags_in_reverse_order() {
        let json =
            format!("{{{}}}", (0..50_000).rev().map(|i| format!("\"t{i:05}\":\"{i}\"")).collect::<Vec<_>>().join(","));
        let subject: Subject = serde_json::from_str(&json).unwrap();
        assert_eq!(subject.len(), 50_000);
        assert_eq!(subject.iter().next(), Some(("t00000", "0")));
        assert_eq!(subject.get("t49999"), Some("49999"));
    }

    #[test]
    fn a_repeated_tag_is_refused_where_it_is_read() {
        let err = serde_json::from_str::<Subject>(r#"{"b":"1","a":"2","b":"3","c":4}"#).unwrap_err();
        assert_eq!(err.to_string(), "subject tag `b` is given twice at line 1 column 24");
    }

    #[test]
    fn reads_and_writes_a_json_object() {
        let subject: Subject = serde_json::from_str(r#"{"url":"https://a/","form_factor":"mobile"}"#).unwrap();
        assert_eq!(serde_json::to_string(&subject).unwrap(), r#"{"form_factor":"mobile","url":"https://a/"}"#);
        let err = serde_json::from_str::<Subject>(r#"{"url":"a","url":"b"}"#).unwrap_err();
        assert!(err.to_string().starts_with("subject tag `url` is given twice"));
        assert!(serde_json::from_str::<Subject>(r#"{"status":200}"#).is_err(), "values are strings");
    }
}
