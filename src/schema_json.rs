//! What reading a schema from JSON text needs in every format: the error naming the problem and
//! its place, and how JSON syntax errors and value kinds are described.

use serde_json::Value;

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
