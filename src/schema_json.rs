//! What reading a schema from JSON text needs in every format: the error naming the problem and
//! its place, and how JSON syntax errors and value kinds are described.

use std::borrow::Cow;

use serde_json::{Map, Value};

/// Why a text is not a valid schema, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} at {location}")]
pub struct ParseError {
    /// What is wrong, e.g. "duplicate enum symbol `RED`".
    pub message: String,
    /// A JSON path such as `$.fields[2].type`, or `line 3, column 7` for a JSON syntax error.
    pub location: String,
}

impl ParseError {
    pub(crate) fn at(path: &str, message: impl Into<String>) -> Self {
        ParseError {
            message: message.into(),
            location: path.to_string(),
        }
    }
}

/// The deepest JSON nesting accepted: `serde_json`'s own limit.
pub const MAX_DEPTH: usize = 128;

/// A JSON syntax error, located by line and column.
pub(crate) fn json_error(e: &serde_json::Error) -> ParseError {
    let location = format!("line {}, column {}", e.line(), e.column());
    let text = e.to_string();
    let message = if text.starts_with("recursion limit exceeded") {
        format!("invalid JSON: nested more than {MAX_DEPTH} levels deep")
    } else {
        // serde_json appends " at line L column C"; the location is reported separately.
        format!(
            "invalid JSON: {}",
            text.split(" at line ").next().unwrap_or(&text)
        )
    };
    ParseError { message, location }
}

/// What kind of JSON value something is, for messages: "a number", "an array", ...
pub(crate) fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A schema text without the whitespace outside JSON strings: the same document, key order and
/// all, in fewer bytes. Base64 text (an Arrow IPC schema) holds no strings and loses only its
/// line breaks.
pub(crate) fn compact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut escaped = false;
    for c in text.chars() {
        if in_string {
            out.push(c);
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
        } else if !c.is_ascii_whitespace() {
            in_string = c == '"';
            out.push(c);
        }
    }
    out
}

/// A JSON document read for a parser: strings borrowed from the text where they have no escapes,
/// objects as their entries in order. Building it costs a fraction of a [`Value`] (no map per
/// object, no copy per string); a parser converts to [`Value`] only what it keeps (defaults,
/// custom attributes).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json<'a> {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(Cow<'a, str>),
    Array(Vec<Json<'a>>),
    Object(Object<'a>),
}

/// A JSON object's entries in document order. A key given twice means its last value, as
/// `serde_json` reads it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Object<'a>(Vec<(Cow<'a, str>, Json<'a>)>);

impl<'a> Json<'a> {
    /// Reads a JSON text; a syntax error or nesting deeper than [`MAX_DEPTH`] is located.
    pub(crate) fn parse(text: &'a str) -> Result<Json<'a>, ParseError> {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let json =
            serde::Deserialize::deserialize(&mut deserializer).map_err(|e| json_error(&e))?;
        deserializer.end().map_err(|e| json_error(&e))?;
        Ok(json)
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn as_u64(&self) -> Option<u64> {
        match self {
            Json::Number(n) => n.as_u64(),
            _ => None,
        }
    }

    /// What kind of JSON value this is, for messages (as [`json_kind`] says it).
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Number(_) => "a number",
            Json::String(_) => "a string",
            Json::Array(_) => "an array",
            Json::Object(_) => "an object",
        }
    }

    /// The same value as a [`Value`], for what a parser keeps.
    pub(crate) fn to_value(&self) -> Value {
        match self {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => Value::Number(n.clone()),
            Json::String(s) => Value::String(s.to_string()),
            Json::Array(items) => Value::Array(items.iter().map(Json::to_value).collect()),
            Json::Object(object) => Value::Object(
                object
                    .0
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_value()))
                    .collect(),
            ),
        }
    }
}

/// The JSON text of the value, as [`Value`] writes it.
impl std::fmt::Display for Json<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.to_value().fmt(f)
    }
}

impl<'a> Object<'a> {
    pub(crate) fn get(&self, key: &str) -> Option<&Json<'a>> {
        self.0.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The entries whose keys are not in `reserved`, as a [`Map`] (sorted, last value wins).
    pub(crate) fn to_map_without(&self, reserved: &[&str]) -> Map<String, Value> {
        let kept = |(k, _): &&(Cow<str>, Json)| !reserved.contains(&k.as_ref());
        // Most objects have nothing but reserved keys.
        if !self.0.iter().any(|entry| kept(&entry)) {
            return Map::new();
        }
        self.0
            .iter()
            .filter(kept)
            .map(|(k, v)| (k.to_string(), v.to_value()))
            .collect()
    }
}

impl<'de> serde::Deserialize<'de> for Json<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> serde::de::Visitor<'de> for JsonVisitor {
    type Value = Json<'de>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E>(self) -> Result<Json<'de>, E> {
        Ok(Json::Null)
    }

    fn visit_bool<E>(self, b: bool) -> Result<Json<'de>, E> {
        Ok(Json::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Json<'de>, E> {
        Ok(Json::Number(n.into()))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Json<'de>, E> {
        Ok(Json::Number(n.into()))
    }

    fn visit_f64<E>(self, n: f64) -> Result<Json<'de>, E> {
        // serde_json never hands over a non-finite number.
        Ok(serde_json::Number::from_f64(n).map_or(Json::Null, Json::Number))
    }

    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Borrowed(s)))
    }

    fn visit_str<E>(self, s: &str) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Owned(s.to_string())))
    }

    fn visit_string<E>(self, s: String) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Owned(s)))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Json<'de>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Json<'de>, A::Error> {
        let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0));
        while let Some(key) = map.next_key::<Key<'de>>()? {
            entries.push((key.0, map.next_value()?));
        }
        Ok(Json::Object(Object(entries)))
    }
}

/// An object key, borrowed when it has no escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Json::deserialize(deserializer)? {
            Json::String(s) => Ok(Key(s)),
            other => Err(serde::de::Error::custom(format!(
                "an object key must be a string, found {}",
                other.kind()
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::compact;

    #[test]
    fn compact_keeps_strings_and_key_order() {
        let text = "{ \"type\" : \"record\",\n  \"name\": \"a b\\\" c\", \"namespace\":\"x\" }";
        assert_eq!(
            compact(text),
            "{\"type\":\"record\",\"name\":\"a b\\\" c\",\"namespace\":\"x\"}"
        );
        assert_eq!(compact("QUJD\nREVG\n"), "QUJDREVG");
    }
}

/// Where a value starts in a text: line and column, both from 1, the column in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// The position of every value of a JSON text by its JSON path (`$`, `$.fields[1]`,
/// `$.fields[1].type`), as the findings name elements: read while scanning the text, so an
/// annotation points where the element is written. A text that is not JSON gives what was
/// read before the problem.
pub fn positions(text: &str) -> std::collections::HashMap<String, Position> {
    enum Frame {
        Object { key: Option<String> },
        Array { index: usize },
    }
    let mut found = std::collections::HashMap::new();
    let mut stack: Vec<(String, Frame)> = Vec::new();
    let (mut line, mut column) = (1, 1);
    let mut chars = text.chars().peekable();
    // The path of the value about to start, from the innermost container.
    let value_path = |stack: &[(String, Frame)]| -> Option<String> {
        match stack.last() {
            None => Some("$".to_string()),
            Some((path, Frame::Object { key: Some(key) })) => Some(format!("{path}.{key}")),
            Some((path, Frame::Array { index })) => Some(format!("{path}[{index}]")),
            Some((_, Frame::Object { key: None })) => None,
        }
    };
    while let Some(c) = chars.next() {
        let here = Position { line, column };
        if c == '\n' {
            line += 1;
            column = 1;
        } else {
            column += 1;
        }
        match c {
            c if c.is_whitespace() || c == ':' => {}
            ',' => {
                if let Some((_, frame)) = stack.last_mut() {
                    match frame {
                        Frame::Object { key } => *key = None,
                        Frame::Array { index } => *index += 1,
                    }
                }
            }
            '}' | ']' => {
                stack.pop();
            }
            _ => {
                let path = value_path(&stack);
                // A string is a key when its object awaits one.
                let is_key = path.is_none();
                if let Some(path) = &path {
                    found.entry(path.clone()).or_insert(here);
                }
                match c {
                    '{' => stack.push((path.unwrap_or_default(), Frame::Object { key: None })),
                    '[' => stack.push((path.unwrap_or_default(), Frame::Array { index: 0 })),
                    '"' => {
                        let mut string = String::new();
                        while let Some(c) = chars.next() {
                            column += 1;
                            match c {
                                '"' => break,
                                '\\' => {
                                    if let Some(escaped) = chars.next() {
                                        column += 1;
                                        string.push(escaped);
                                    }
                                }
                                '\n' => {
                                    line += 1;
                                    column = 1;
                                }
                                c => string.push(c),
                            }
                        }
                        if is_key && let Some((_, Frame::Object { key })) = stack.last_mut() {
                            *key = Some(string);
                        }
                    }
                    // A number or a literal: the rest of it.
                    _ => {
                        while chars
                            .peek()
                            .is_some_and(|c| !c.is_whitespace() && !",]}".contains(*c))
                        {
                            chars.next();
                            column += 1;
                        }
                    }
                }
            }
        }
    }
    found
}

/// The position of `path`, or of its nearest enclosing element that `positions` holds (a
/// removed element is annotated where its parent is).
pub fn position_of(
    positions: &std::collections::HashMap<String, Position>,
    path: &str,
) -> Option<Position> {
    let mut path = path;
    loop {
        if let Some(position) = positions.get(path) {
            return Some(*position);
        }
        let cut = path.rfind(['.', '['])?;
        path = &path[..cut];
    }
}

#[cfg(test)]
mod position_tests {
    use super::*;

    #[test]
    fn every_value_is_found_by_its_path() {
        let text = "{\n  \"type\": \"record\",\n  \"name\": \"Order\",\n  \"fields\": [\n    {\"name\": \"id\", \"type\": \"string\"},\n    {\"name\": \"note\", \"type\": [\"null\", \"string\"], \"doc\": \"a \\\"quoted\\\" é\"}\n  ]\n}\n";
        let found = positions(text);
        let at = |path: &str| found.get(path).map(|p| (p.line, p.column));
        assert_eq!(at("$"), Some((1, 1)));
        assert_eq!(at("$.type"), Some((2, 11)));
        assert_eq!(at("$.fields"), Some((4, 13)));
        assert_eq!(at("$.fields[0]"), Some((5, 5)));
        assert_eq!(at("$.fields[1]"), Some((6, 5)));
        assert_eq!(at("$.fields[1].type"), Some((6, 30)));
        assert_eq!(at("$.fields[1].type[1]"), Some((6, 39)));
        assert_eq!(at("$.fields[1].doc"), Some((6, 57)));
        assert_eq!(at("$.fields[2]"), None);
        assert_eq!(
            position_of(&found, "$.fields[1].type[1].items").map(|p| p.column),
            Some(39)
        );
        assert_eq!(position_of(&found, "$.fields[7]").map(|p| p.line), Some(4));
    }
}
