//! `accord validate FILE...`

use anstyle::{AnsiColor, Style};
use clap::Args;
use serde_json::json;

use super::{Outcome, OutputFormat, input};
use crate::avro;

/// Check that each FILE is a valid Avro schema (Avro 1.12 specification) or Arrow schema.
///
/// Prints, for each file, its Rabin fingerprint, or the problem and the JSON path where it is.
/// Exit status: 0 when every file is valid, 1 when one is not, 2 on a wrong command line or an
/// unreadable file.
#[derive(Debug, Args)]
pub(crate) struct ValidateArgs {
    /// Schema files (`.avsc`), or `-` for standard input
    #[arg(required = true, value_name = "FILE")]
    files: Vec<String>,
    /// The files' format, instead of deciding by extension (Arrow: `.arrow.json`, `.arrow`,
    /// `.arrows`, `.ipc`, `.feather`, `.parquet`)
    #[arg(long, value_enum)]
    schema_type: Option<input::SchemaType>,
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
        if input::schema_type(path, args.schema_type) == input::SchemaType::Arrow {
            match input::arrow_schema(path) {
                Ok(schema) => {
                    let columns = schema.fields().len();
                    text.push_str(&format!(
                        "{good}valid{good:#}    {name}  Arrow schema, {columns} top-level fields\n"
                    ));
                    results.push(json!({
                        "file": name,
                        "valid": true,
                        "normalized_form": crate::arrow::normalized_form(&schema),
                    }));
                }
                Err(e) => {
                    all_valid = false;
                    text.push_str(&format!("{bad}invalid{bad:#}  {e:#}\n"));
                    results.push(json!({"file": name, "valid": false, "error": {"message": format!("{e:#}")}}));
                }
            }
            continue;
        }
        let source = input::read(path)?;
        match avro::parse(&source) {
            Ok(schema) => {
                let fingerprint = format!("{:016x}", schema.fingerprint());
                text.push_str(&format!(
                    "{good}valid{good:#}    {name}  fingerprint {fingerprint}\n"
                ));
                results.push(json!({
                    "file": name,
                    "valid": true,
                    "fingerprint": fingerprint,
                    "canonical_form": schema.canonical_form(),
                    "normalized_form": schema.normalized_form(),
                }));
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
