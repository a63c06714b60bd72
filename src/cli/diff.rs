//! `accord diff OLD NEW`

use clap::Args;

use super::{Outcome, OutputFormat, input};
use crate::compat::{self, Level};

/// Classify every change from OLD to NEW and check NEW against OLD at a compatibility level.
///
/// Exit status: 0 when NEW is compatible with OLD at the level, 1 when it is not, 2 when an
/// input is unreadable or not a valid schema, or the command line is wrong.
#[derive(Debug, Args)]
pub(crate) struct DiffArgs {
    /// The previous schema (`.avsc`), or `-` for standard input
    old: String,
    /// The new schema (`.avsc`), or `-` for standard input
    new: String,
    /// Compatibility level: NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE,
    /// FULL, FULL_TRANSITIVE (case-insensitive)
    #[arg(long, default_value = "BACKWARD")]
    level: Level,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    format: OutputFormat,
}

pub(crate) fn run(args: DiffArgs) -> anyhow::Result<Outcome> {
    input::check_stdin_once([&args.old, &args.new])?;
    let old = input::schema(&args.old)?;
    let new = input::schema(&args.new)?;
    let report = compat::check_history(&new, &[&old], args.level);
    super::check::emit(&report, args.format)
}
