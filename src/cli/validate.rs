//! `accord validate FILE...`

use anstyle::{AnsiColor, Style};
use clap::Args;
use serde_json::json;

use super::{Outcome, OutputFormat, input};
use crate::schema::Schema;

/// Check that each FILE is a valid Avro schema (Avro 1.12 specification) or Arrow schema.
///
/// Prints, for each file, its Rabin fingerprint, or the problem and the JSON path where it is.
/// Exit status: 0 when every file is valid, 1 when one is not, 2 on a wrong command line or an
/// unreadable file.
#[derive(Debug, Args)]
pub(crate) struct ValidateArgs {
    /// Schema files (`.avsc`, or an Arrow form), or `-` for standard input
    #[arg(required = true, value_name = "FILE")]
    files: Vec<String>,
    #[command(flatten)]
    schema_type: input::SchemaTypeArg,
    /// Output format (json adds the Parsing Canonical Form and the normalized form)
    #[arg(long, value_enum, default_value_t)]
    format: OutputFormat,
}

pub(crate) fn run(args: ValidateArgs) -> anyhow::Result<Outcome> {
    input::check_stdin_once(&args.files)?;
    let good = Style::new().fg_color(Some(AnsiColor::Green.into()));
    let bad = Style::new().fg_color(Some(AnsiColor::Red.into())).bold();
    let mut all_valid = true;
    let mut text = String::new();
    let mut results = Vec::new();
    for path in &args.files {
        let name = input::display_name(path);
        let bytes = input::read_bytes(path)?;
        match Schema::from_bytes(args.schema_type.of(path), &bytes) {
            Ok(schema) => {
                let normalized_form = schema.normalized_form();
                let (summary, mut result) = match &schema {
                    Schema::Avro(avro) => {
                        let fingerprint = format!("{:016x}", avro.fingerprint());
                        (
                            format!("fingerprint {fingerprint}"),
                            json!({
                                "fingerprint": fingerprint,
                                "canonical_form": avro.canonical_form(),
                            }),
                        )
                    }
                    Schema::Arrow(arrow) => (
                        format!("Arrow schema, {} top-level fields", arrow.fields().len()),
                        json!({}),
                    ),
                };
                text.push_str(&format!("{good}valid{good:#}    {name}  {summary}\n"));
                result["file"] = json!(name);
                result["valid"] = json!(true);
                result["normalized_form"] = json!(normalized_form);
                results.push(result);
            }
            Err(e) => {
                all_valid = false;
                text.push_str(&format!(
                    "{bad}invalid{bad:#}  {name}: {} at {}\n",
                    e.message, e.location
                ));
                results.push(json!({
                    "file": name,
                    "valid": false,
                    "error": { "message": e.message, "location": e.location },
                }));
            }
        }
    }
    match args.format {
        OutputFormat::Text => super::print(&text)?,
        OutputFormat::Json => super::print(&format!(
            "{:#}\n",
            json!({ "valid": all_valid, "files": results })
        ))?,
    }
    Ok(if all_valid {
        Outcome::Success
    } else {
        Outcome::Findings
    })
}
