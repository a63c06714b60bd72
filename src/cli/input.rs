//! Reading schema files, with `-` for standard input.

use std::io::Read;

use anyhow::{Context, bail};
use clap::ValueEnum;

use crate::arrow;
use crate::avro::{self, Schema};
use crate::compat::{self, Level, Report};

/// Reads a file, or standard input for `-`.
pub(crate) fn read(path: &str) -> anyhow::Result<String> {
    if path == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("cannot read standard input")?;
        Ok(text)
    } else {
        std::fs::read_to_string(path).with_context(|| format!("cannot read `{path}`"))
    }
}

/// Reads and parses a schema; the error names the file, the problem and its path.
pub(crate) fn schema(path: &str) -> anyhow::Result<Schema> {
    let text = read(path)?;
    avro::parse(&text).map_err(|e| anyhow::anyhow!("`{}`: {e}", display_name(path)))
}

/// Rejects more than one `-` among the inputs: standard input can be read once.
pub(crate) fn check_stdin_once<'a>(
    paths: impl IntoIterator<Item = &'a String>,
) -> anyhow::Result<()> {
    if paths.into_iter().filter(|p| *p == "-").count() > 1 {
        bail!("`-` (standard input) can be given only once");
    }
    Ok(())
}

pub(crate) fn display_name(path: &str) -> &str {
    if path == "-" { "<stdin>" } else { path }
}

/// The schema formats files may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum SchemaType {
    /// An Avro schema (`.avsc`)
    Avro,
    /// Arrow's JSON schema form (`.arrow.json`)
    Arrow,
}

/// Extensions of files holding an Arrow schema: its JSON form, IPC files and streams, Feather,
/// Parquet.
const ARROW_EXTENSIONS: &[&str] = &[
    ".arrow.json",
    ".arrow",
    ".arrows",
    ".ipc",
    ".feather",
    ".parquet",
];

/// The format of a file: the one given, else Arrow for the Arrow extensions, else Avro.
pub(crate) fn schema_type(path: &str, given: Option<SchemaType>) -> SchemaType {
    given.unwrap_or(if ARROW_EXTENSIONS.iter().any(|ext| path.ends_with(ext)) {
        SchemaType::Arrow
    } else {
        SchemaType::Avro
    })
}

/// Reads a file's bytes, or standard input for `-`.
fn read_bytes(path: &str) -> anyhow::Result<Vec<u8>> {
    if path == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("cannot read standard input")?;
        Ok(bytes)
    } else {
        std::fs::read(path).with_context(|| format!("cannot read `{path}`"))
    }
}

/// A schema of either format.
pub(crate) enum AnySchema {
    Avro(Schema),
    Arrow(arrow_schema::Schema),
}

/// Reads and parses a schema in its format; the error names the file, the problem and its path.
pub(crate) fn any_schema(path: &str, given: Option<SchemaType>) -> anyhow::Result<AnySchema> {
    match schema_type(path, given) {
        SchemaType::Avro => schema(path).map(AnySchema::Avro),
        SchemaType::Arrow => arrow_schema(path).map(AnySchema::Arrow),
    }
}

/// Reads an Arrow schema in any of its forms: the JSON form (an object), or a binary form (IPC
/// file, stream or schema message, Parquet, base64).
pub(crate) fn arrow_schema(path: &str) -> anyhow::Result<arrow_schema::Schema> {
    let bytes = read_bytes(path)?;
    let is_json = bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    let parsed = if is_json {
        let text = String::from_utf8(bytes)
            .with_context(|| format!("`{}` is not UTF-8 JSON", display_name(path)))?;
        arrow::parse(&text)
    } else {
        arrow::parse_binary(&bytes)
    };
    parsed.map_err(|e| anyhow::anyhow!("`{}`: {e}", display_name(path)))
}

/// Checks `new` against `history` at `level`, and for Arrow schemas against a table format's
/// `profile`; every schema must be of one format.
pub(crate) fn check_any(
    new: &AnySchema,
    history: &[AnySchema],
    level: Level,
    profile: Option<compat::Profile>,
) -> anyhow::Result<Report> {
    match new {
        AnySchema::Avro(_) if profile.is_some() => {
            bail!("`--profile` judges Arrow schemas for a table format; these are Avro schemas")
        }
        AnySchema::Avro(new) => {
            let history: Vec<&Schema> = history
                .iter()
                .map(|s| match s {
                    AnySchema::Avro(s) => Ok(s),
                    AnySchema::Arrow(_) => Err(mixed()),
                })
                .collect::<anyhow::Result<_>>()?;
            Ok(compat::check_history(new, &history, level))
        }
        AnySchema::Arrow(new) => {
            let history: Vec<&arrow_schema::Schema> = history
                .iter()
                .map(|s| match s {
                    AnySchema::Arrow(s) => Ok(s),
                    AnySchema::Avro(_) => Err(mixed()),
                })
                .collect::<anyhow::Result<_>>()?;
            Ok(match profile {
                None => compat::check_history(new, &history, level),
                Some(profile) => {
                    let profiled = |schema| compat::Profiled { schema, profile };
                    let history: Vec<compat::Profiled> =
                        history.into_iter().map(profiled).collect();
                    let history: Vec<&compat::Profiled> = history.iter().collect();
                    compat::check_history(&profiled(new), &history, level)
                }
            })
        }
    }
}

fn mixed() -> anyhow::Error {
    anyhow::anyhow!(
        "cannot compare an Avro schema with an Arrow schema; give files of one format (`--schema-type` overrides the `.arrow.json` / `.avsc` rule)"
    )
}
