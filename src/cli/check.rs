//! `accord check NEW OLD1 [OLD2 ...]`

use clap::Args;

use super::{Outcome, OutputFormat, input};
use crate::avro::Schema;
use crate::compat::{self, Level, Report};

/// Check NEW against a history of earlier versions, oldest first.
///
/// The transitive levels check NEW against every version given; the others against the last
/// one. Findings name the version (1 = OLD1) they break against.
///
/// Exit status: 0 when compatible, 1 when not, 2 on an unreadable or invalid input or a wrong
/// command line.
#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// The new schema, or `-` for standard input
    new: String,
    /// Earlier versions, oldest first
    #[arg(required = true, value_name = "OLD")]
    history: Vec<String>,
    /// Compatibility level: NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE,
    /// FULL, FULL_TRANSITIVE (case-insensitive)
    #[arg(long, default_value = "BACKWARD")]
    level: Level,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    format: OutputFormat,
}

pub(crate) fn run(args: CheckArgs) -> anyhow::Result<Outcome> {
    input::check_stdin_once(std::iter::once(&args.new).chain(&args.history))?;
    let new = input::schema(&args.new)?;
    let history = args
        .history
        .iter()
        .map(|path| input::schema(path))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let history: Vec<&Schema> = history.iter().collect();
    let report = compat::check_history(&new, &history, args.level);
    emit(&report, args.format)
}

/// Prints a report and turns its verdict into an outcome.
pub(crate) fn emit(report: &Report, format: OutputFormat) -> anyhow::Result<Outcome> {
    match format {
        OutputFormat::Text => super::print(&report.to_text())?,
        OutputFormat::Json => super::print(&format!("{:#}\n", report.to_json()))?,
    }
    Ok(if report.compatible {
        Outcome::Success
    } else {
        Outcome::Findings
    })
}
