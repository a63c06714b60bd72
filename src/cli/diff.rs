//! `accord diff OLD NEW`

use clap::Args;

use super::report_format::{self, ReportFormat};
use super::{Outcome, input};
use crate::compat::Level;

/// Classify every change from OLD to NEW and check NEW against OLD at a compatibility level.
///
/// Exit status: 0 when NEW is compatible with OLD at the level, 1 when it is not, 2 when an
/// input is unreadable or not a valid schema, or the command line is wrong.
#[derive(Debug, Args)]
pub(crate) struct DiffArgs {
    /// The previous schema (`.avsc`, or Arrow's JSON form in `.arrow.json`), or `-` for
    /// standard input
    old: String,
    /// The new schema, in the same format, or `-` for standard input
    new: String,
    #[command(flatten)]
    schema_type: input::SchemaTypeArg,
    /// Also flag what this table format refuses (Arrow schemas): iceberg-v2, iceberg-v3,
    /// delta, bigquery
    #[arg(long)]
    profile: Option<crate::compat::Profile>,
    /// Compatibility level: NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE,
    /// FULL, FULL_TRANSITIVE (case-insensitive)
    /// (default: the repository policy's level for NEW, else BACKWARD)
    #[arg(long)]
    level: Option<Level>,
    #[command(flatten)]
    policy: super::config::PolicyArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    format: ReportFormat,
}

pub(crate) fn run(args: DiffArgs) -> anyhow::Result<Outcome> {
    input::check_stdin_once([&args.old, &args.new])?;
    let mut schemas = input::schemas(&[&args.old, &args.new], args.schema_type)?;
    let new = schemas.pop().expect("two schemas read");
    let config = args.policy.config()?;
    let level = args
        .level
        .or_else(|| config.as_ref().and_then(|c| c.level_for(Some(&args.new))))
        .unwrap_or_default();
    let mut report = input::check(&new, &schemas, level, args.profile)?;
    args.policy.apply(config.as_ref(), &mut report, &args.new);
    report_format::emit(&report, args.format, &input::source(&args.new)?)
}
