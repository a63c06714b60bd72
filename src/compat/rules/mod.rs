//! Every rule, one module each, grouped by format.

pub mod arrow;
pub mod avro;
