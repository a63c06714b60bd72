//! accord: a schema registry and compatibility gate for data products.
//!
//! # Design
//!
//! Modules depend one way only:
//!
//! ```text
//! cli -> compat -> avro
//! ```
//!
//! - [`avro`] parses and validates `.avsc` text into a [`avro::Schema`], with the JSON path of
//!   every problem, and computes canonical forms and fingerprints.
//! - [`compat`] is the compatibility engine: pure functions over two parsed schemas that return
//!   a [`compat::Diff`] of classified changes; incompatibility is data, never an error. Every rule
//!   it can report is declared once in [`compat::catalog`].
//! - [`cli`] is the command line: argument parsing, file reading, rendering, exit codes.
//!
//! Later layers (the registry domain, storage and the HTTP API) slot in as
//! `cli -> api -> registry -> {compat, store}`.

pub mod avro;
pub mod cli;
pub mod compat;
