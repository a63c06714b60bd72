//! Contracts as domain teams write them: the manifest forms accord reads, and the column lists
//! they hold, which become Arrow schemas the compatibility engine judges.

pub mod columns;
pub mod forms;
pub mod tabular;

pub use columns::{ColumnType, TypeError, parse_type};
pub use forms::Form;
pub use tabular::TableContract;
