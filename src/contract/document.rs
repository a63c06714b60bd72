//! Reading a parsed manifest: values at key paths, each problem collected with the path it is
//! about, so one reading reports every problem of a document.

use semver::Version as Semver;
use serde_json::{Map, Value};

/// A document being read, and the problems found so far.
pub(crate) struct Reader<'a> {
    pub root: &'a Value,
    /// The document as parsed from its text, whose mappings keep the order they were written
    /// in (serde_json's sort their keys): where order matters, the order of a model's fields.
    pub written: Option<&'a yaml_serde::Value>,
    pub problems: Vec<String>,
}

/// The entries of a mapping in the order the document wrote them, when known.
pub(crate) fn in_written_order<'a>(
    map: &'a Map<String, Value>,
    written: Option<&yaml_serde::Value>,
) -> Vec<(&'a String, &'a Value)> {
    let mut entries: Vec<_> = map.iter().collect();
    if let Some(yaml_serde::Value::Mapping(mapping)) = written {
        let position = |key: &str| {
            mapping
                .keys()
                .position(|k| k.as_str() == Some(key))
                .unwrap_or(usize::MAX)
        };
        entries.sort_by_cached_key(|(key, _)| position(key));
    }
    entries
}

/// A key path as the document's author writes it: `spec.columns[2].type`.
pub(crate) fn shown(path: &[&str]) -> String {
    path.join(".")
}

pub(crate) fn at<'a>(value: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(value, |value, key| value.get(key))
}

impl<'a> Reader<'a> {
    pub fn new(root: &'a Value, written: Option<&'a yaml_serde::Value>) -> Self {
        Reader {
            root,
            written,
            problems: Vec::new(),
        }
    }

    pub fn problem(&mut self, problem: String) {
        self.problems.push(problem);
    }

    /// Text at `path`, if there is any; a value of another kind is a problem.
    pub fn optional_text(&mut self, path: &[&str]) -> Option<String> {
        match at(self.root, path) {
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
            Some(Value::Number(n)) => Some(n.to_string()),
            Some(Value::String(_) | Value::Null) | None => None,
            Some(other) => {
                self.problem(format!("`{}` must be text, not `{other}`", shown(path)));
                None
            }
        }
    }

    /// Text at the first of `paths` that holds some; missing from all is a problem naming the
    /// first.
    pub fn text(&mut self, paths: &[&[&str]]) -> String {
        for path in paths {
            if let Some(text) = self.optional_text(path) {
                return text;
            }
        }
        self.problem(format!("`{}` is missing", shown(paths[0])));
        String::new()
    }

    /// A semantic version at the first of `paths` that holds one.
    pub fn version(&mut self, paths: &[&[&str]]) -> Option<Semver> {
        let (path, text) = paths
            .iter()
            .find_map(|path| Some((path, self.optional_text(path)?)))?;
        match Semver::parse(text.trim_start_matches('v')) {
            Ok(version) => Some(version),
            Err(e) => {
                self.problem(format!(
                    "`{}`: `{text}` is not a semantic version ({e}); expected e.g. 1.2.0",
                    shown(path)
                ));
                None
            }
        }
    }

    /// A whole number of days at `path`, if set.
    pub fn days(&mut self, path: &[&str]) -> Option<u32> {
        let value = at(self.root, path)?;
        match value.as_u64().and_then(|n| u32::try_from(n).ok()) {
            Some(days) => Some(days),
            None => {
                self.problem(format!(
                    "`{}` must be a whole number of days, not `{value}`",
                    shown(path)
                ));
                None
            }
        }
    }

    /// An ISO-8601 duration at `path` in whole days (`P30D`, `P4W`, `P1M`), if set. Months
    /// count 30 days and years 365: a notice window is a count of days.
    pub fn duration_days(&mut self, path: &[&str]) -> Option<u32> {
        let text = self.optional_text(path)?;
        match iso_days(&text) {
            Ok(days) => Some(days),
            Err(problem) => {
                self.problem(format!("`{}`: `{text}` {problem}", shown(path)));
                None
            }
        }
    }
}

fn iso_days(text: &str) -> Result<u32, String> {
    let span: jiff::Span = text
        .parse()
        .map_err(|e| format!("is not an ISO-8601 duration ({e}); expected e.g. P30D"))?;
    if span.is_negative() {
        return Err("is negative".into());
    }
    if span.get_hours() != 0
        || span.get_minutes() != 0
        || span.get_seconds() != 0
        || span.get_milliseconds() != 0
    {
        return Err("has a time part; a notice window is whole days, e.g. P30D".into());
    }
    let days = i64::from(span.get_years()) * 365
        + i64::from(span.get_months()) * 30
        + i64::from(span.get_weeks()) * 7
        + i64::from(span.get_days());
    u32::try_from(days).map_err(|_| "is too long".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_durations_count_whole_days() {
        assert_eq!(iso_days("P30D"), Ok(30));
        assert_eq!(iso_days("P2W"), Ok(14));
        assert_eq!(iso_days("P1M"), Ok(30));
        assert_eq!(iso_days("P1Y2D"), Ok(367));
        assert!(iso_days("PT12H").unwrap_err().contains("time part"));
        assert!(
            iso_days("thirty days")
                .unwrap_err()
                .contains("not an ISO-8601")
        );
    }
}
