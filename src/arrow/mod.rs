//! Apache Arrow schemas: Arrow's cross-language JSON form (the one its integration tests use)
//! to an [`arrow_schema::Schema`], validated with the JSON path of every problem, and back to
//! a normalized form for identity; and the binary forms (IPC schema messages, raw or base64,
//! IPC files and streams, Parquet footers).

mod ipc;
mod json;

pub use ipc::parse_binary;
pub use json::{normalized_form, parse, parse_value, resolution_form};

/// Why a text is not a valid Arrow schema, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} at {location}")]
pub struct ParseError {
    /// What is wrong, e.g. "`bitWidth` must be 8, 16, 32 or 64".
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
