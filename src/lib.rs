//! accord: a schema registry and compatibility gate for data products.
//!
//! # Design
//!
//! Modules depend one way only:
//!
//! ```text
//! cli -> api -> registry -> {schema, compat, store}
//! {cli, api} -> contract -> {registry, schema}
//! schema -> {compat, avro, arrow, schema_json}      compat -> {avro, arrow}
//! {avro, arrow} -> schema_json
//! ```
//!
//! - [`avro`] parses and validates `.avsc` text into a [`avro::Schema`], with the JSON path of
//!   every problem, and computes canonical forms and fingerprints.
//! - [`arrow`] parses Arrow's JSON schema form and binary forms into an
//!   [`arrow_schema::Schema`], with the JSON path of every problem, and writes the normalized
//!   form identity is decided on.
//!   Both share `schema_json`: the [`schema::ParseError`] type, how JSON errors are told, a
//!   borrowing JSON tree the Avro parser reads, and the position of every value of a text by
//!   its JSON path ([`schema::positions`], where CI annotations go). Everything else reaches it
//!   through [`schema`] only.
//! - [`schema`] is the format's one home: [`schema::Format`] (Confluent's `schemaType`, file
//!   extensions), and [`schema::Schema`], which dispatches parsing (telling Arrow's JSON form
//!   from its binary forms), the normalized form and compatibility checks to its format. Only
//!   `schema` and `compat` name a format module.
//! - [`compat`] is the compatibility engine: pure functions over two parsed schemas that return
//!   a [`compat::Report`] of classified changes; incompatibility is data, never an error. Every
//!   rule it can report is declared once in [`compat::catalog`].
//! - [`store`] is storage behind one small trait over bytes ([`store::Store`]), with a RocksDB
//!   backend and an in-memory one that pass the same conformance suite; it knows no domain type.
//! - [`registry`] is the domain: subjects, versions, global schema ids, configuration and modes
//!   with Confluent Schema Registry's semantics, and data products with their consumers, the
//!   events they hear about (a durable outbox written with each decision) and the governance
//!   findings a publication carries; it owns the key encoding, calls [`schema`] to judge a new
//!   version and the store to keep it, serves reads from memory, and exports and imports
//!   itself as a portable stream.
//! - [`contract`] reads contracts as teams write them (accord's manifest, the seeds'
//!   `data-platform/v1`, `data_product.yaml` and `datamesh/v1`, DCS and ODCS): tells a
//!   manifest's form by its content ([`contract::Form`]), maps it onto the one product model, and
//!   turns its columns, typed in SQL, warehouse or the standards' spellings
//!   ([`contract::parse_type`]), into an Arrow schema whose constraints the contract rules judge;
//!   [`contract::governance`] holds the platform's rules on manifests (built-in and Rego).
//! - [`api`] is the HTTP API (axum): Confluent Schema Registry's REST API, the native `/v1/`
//!   API over the registry and the platform registration API, and the thread that delivers
//!   events to consumers' webhooks.
//! - [`cli`] is the command line: argument parsing, file reading (git revisions too),
//!   rendering in the formats CI systems read, exit codes.

pub mod api;
pub mod arrow;
pub mod avro;
pub mod cli;
pub mod compat;
pub mod contract;
pub mod registry;
pub mod schema;
mod schema_json;
pub mod store;
