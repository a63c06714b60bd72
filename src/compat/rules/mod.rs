//! Every rule, one module each, grouped by format.

pub mod avro;
