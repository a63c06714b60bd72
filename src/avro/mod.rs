//! Avro schemas: parsing and validation with JSON paths, the Parsing Canonical Form, its Rabin
//! fingerprint, and a normalized form for identity.
//!
//! `apache-avro` supplies the Rabin fingerprint and serves as a test oracle; parsing is ours
//! because its errors carry no location and it does not check defaults.

mod canonical;
mod default;
mod parse;
mod schema;

pub use crate::schema_json::{MAX_DEPTH, ParseError};
pub use canonical::rabin;
pub use parse::{parse, parse_importing, parse_with_references};
pub use schema::{
    Field, Kind, Logical, Name, NamedId, NamedKind, NamedType, Node, Order, Primitive, Schema,
};
