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

impl<const N: usize> From<[(&str, &str); N]> for Subject {
    fn from(tags: [(&str, &str); N]) -> Subject {
        let mut subject = Subject::new();
        for (tag, value) in tags {
            subject.insert(tag.to_owned(), value.to_owned());
        }
        subject
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
                let mut subject = Subject::new();
                while let Some((tag, value)) = map.next_entry::<String, String>()? {
                    if subject.get(&tag).is_some() {
                        return Err(serde::de::Error::custom(format!("subject tag `{tag}` is given twice")));
                    }
                    subject.insert(tag, value);
                }
                Ok(subject)
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
    fn reads_and_writes_a_json_object() {
        let subject: Subject = serde_json::from_str(r#"{"url":"https://a/","form_factor":"mobile"}"#).unwrap();
        assert_eq!(serde_json::to_string(&subject).unwrap(), r#"{"form_factor":"mobile","url":"https://a/"}"#);
        let err = serde_json::from_str::<Subject>(r#"{"url":"a","url":"b"}"#).unwrap_err();
        assert!(err.to_string().starts_with("subject tag `url` is given twice"));
        assert!(serde_json::from_str::<Subject>(r#"{"status":200}"#).is_err(), "values are strings");
    }
}
