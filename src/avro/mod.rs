//! Avro schemas: parsing and validation with JSON paths, the Parsing Canonical Form, its Rabin
//! fingerprint, and a normalized form for identity.
//!
//! `apache-avro` supplies the Rabin fingerprint and serves as a test oracle; parsing is ours
//! because its errors carry no location and it does not check defaults.

mod canonical;
mod default;
mod parse;
mod schema;

pub use canonical::rabin;
pub use parse::{MAX_DEPTH, parse, parse_value, parse_with_references};
pub use schema::{
    Field, Kind, Logical, Name, NamedId, NamedKind, NamedType, Node, Order, Primitive, Schema,
};

/// Why a text is not a valid Avro schema, and where.
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
