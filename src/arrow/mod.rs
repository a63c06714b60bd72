//! Apache Arrow schemas: Arrow's cross-language JSON form (the one its integration tests use)
//! to an [`arrow_schema::Schema`], validated with the JSON path of every problem, and back to
//! a normalized form for identity; and the binary forms (IPC schema messages, raw or base64,
//! IPC files and streams, Parquet footers).

mod ipc;
mod json;

pub use crate::schema_json::ParseError;
pub use ipc::parse_binary;
pub use json::{normalized_form, parse, parse_value, resolution_form};
