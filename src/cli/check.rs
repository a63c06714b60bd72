//! `accord check NEW OLD1 [OLD2 ...]`

use clap::Args;

use super::report_format::{self, ReportFormat};
use super::{Outcome, input};
use crate::compat::Level;

/// Check NEW against a history of earlier versions, oldest first: files, or with `--subject`
/// the live versions of a subject in a running registry (the CI gate).
///
/// The transitive levels check NEW against every version; the others against the last one.
/// Findings name the version they break against (v1 = the first one checked).
///
/// Exit status: 0 when compatible, 1 when not, 2 on an unreadable or invalid input, an
/// unreachable registry, or a wrong command line.
#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// The new schema, or `-` for standard input
    new: String,
    /// Earlier versions, oldest first
    #[arg(
        value_name = "OLD",
        required_unless_present = "subject",
        conflicts_with = "subject"
    )]
    history: Vec<String>,
    /// Take the history from this subject in the registry (`--registry`)
    #[arg(long)]
    subject: Option<String>,
    #[command(flatten)]
    registry: super::client::RegistryArgs,
    /// Compatibility level: NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE,
    /// FULL, FULL_TRANSITIVE (case-insensitive). Default: BACKWARD, or with `--subject` the
    /// subject's level in the registry
    #[arg(long)]
    level: Option<Level>,
    #[command(flatten)]
    schema_type: input::SchemaTypeArg,
    #[command(flatten)]
    policy: super::config::PolicyArgs,
    /// Also flag what this table format refuses (Arrow schemas): iceberg-v2, iceberg-v3,
    /// delta, bigquery
    #[arg(long)]
    profile: Option<crate::compat::Profile>,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    format: ReportFormat,
}

pub(crate) fn run(args: CheckArgs) -> anyhow::Result<Outcome> {
    input::check_stdin_once(std::iter::once(&args.new).chain(&args.history))?;
    let config = args.policy.config()?;
    let configured = config.as_ref().and_then(|c| c.level_for(Some(&args.new)));
    let (new, history, level) = match &args.subject {
        Some(subject) => {
            let new = input::schema(&args.new, args.schema_type)?;
            let (history, level) = super::client::history(&args.registry, subject)?;
            (new, history, args.level.or(configured).unwrap_or(level))
        }
        None => {
            let paths: Vec<&str> = std::iter::once(&args.new)
                .chain(&args.history)
                .map(String::as_str)
                .collect();
            let mut schemas = input::schemas(&paths, args.schema_type)?;
            let new = schemas.remove(0);
            (new, schemas, args.level.or(configured).unwrap_or_default())
        }
    };
    let mut report = input::check(&new, &history, level, args.profile)?;
    args.policy.apply(config.as_ref(), &mut report, &args.new);
    report_format::emit(&report, args.format, &input::source(&args.new)?)
}
