//! Subjects and their versions, with Confluent Schema Registry's semantics.

mod check;
mod delete;
mod read;
mod register;
mod settings;
mod state;

pub use check::Verdict;
pub(super) use check::finding_lines;
pub use read::{Holdings, SubjectVersion};
pub(super) use register::Prepared;
pub use register::{Import, NewSchema, Registered};
pub use settings::Config;
pub(super) use settings::{Normalize, Setting};
pub(super) use state::SubjectState;
