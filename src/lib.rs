//! accord: a schema registry and compatibility gate for data products.
//!
//! # Design
//!
//! Modules depend one way only:
//!
//! ```text
//! cli -> api -> registry -> {compat, store}      compat -> {avro, arrow}
//! ```
//!
//! - [`avro`] parses and validates `.avsc` text into a [`avro::Schema`], with the JSON path of
//!   every problem, and computes canonical forms and fingerprints.
//! - [`arrow`] parses Arrow's JSON schema form into an [`arrow_schema::Schema`], with the JSON
//!   path of every problem, and writes the normalized form identity is decided on.
//!   Both share `schema_json`: the [`avro::ParseError`] type and how JSON errors are told.
//! - [`compat`] is the compatibility engine: pure functions over two parsed schemas that return
//!   a [`compat::Diff`] of classified changes; incompatibility is data, never an error. Every rule
//!   it can report is declared once in [`compat::catalog`].
//! - [`store`] is storage behind one small trait over bytes ([`store::Store`]), with a RocksDB
//!   backend and an in-memory one that pass the same conformance suite; it knows no domain type.
//! - [`registry`] is the domain: subjects, versions, global schema ids, configuration and modes
//!   with Confluent Schema Registry's semantics; it owns the key encoding, calls [`compat`] to
//!   judge a new version and the store to keep it, and serves reads from memory.
//! - [`cli`] is the command line: argument parsing, file reading, rendering, exit codes.
//!
//! - [`api`] is the HTTP API (axum): Confluent Schema Registry's REST API over the registry;
//!   `cli -> api -> registry`.

pub mod api;
pub mod arrow;
pub mod avro;
pub mod cli;
pub mod compat;
pub mod registry;
pub mod schema;
mod schema_json;
pub mod store;
