//! Reading schema files, with `-` for standard input, in the format their name (or
//! `--schema-type`) says.

use std::io::Read;

use anyhow::{Context, bail};
use clap::Args;
use clap::builder::PossibleValue;

use crate::compat::{Level, Profile, Report};
use crate::schema::{CheckError, Format, Schema};

/// Reads a file, or standard input for `-`.
pub(crate) fn read(path: &str) -> anyhow::Result<String> {
    String::from_utf8(read_bytes(path)?)
        .with_context(|| format!("`{}` is not UTF-8 text", display_name(path)))
}

/// Reads a file's bytes, or standard input for `-`.
pub(crate) fn read_bytes(path: &str) -> anyhow::Result<Vec<u8>> {
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

/// `--schema-type`, declared once for every command that reads schema files.
#[derive(Debug, Clone, Copy, Args)]
pub(crate) struct SchemaTypeArg {
    /// The files' format, instead of deciding by extension: `arrow` for `.arrow.json`, `.arrow`,
    /// `.arrows`, `.ipc`, `.feather` and `.parquet` (JSON when the file starts with `{`, else
    /// binary or base64), `avro` for anything else
    #[arg(long = "schema-type", value_name = "FORMAT")]
    schema_type: Option<Format>,
}

impl SchemaTypeArg {
    /// The format of a file: the one given, else by its extension.
    pub(crate) fn of(self, path: &str) -> Format {
        self.schema_type.unwrap_or_else(|| Format::of_path(path))
    }
}

impl clap::ValueEnum for Format {
    fn value_variants<'a>() -> &'a [Self] {
        &Format::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.dir()))
    }
}

/// Reads and parses a schema in its format; the error names the file, the problem and its path.
pub(crate) fn schema(path: &str, schema_type: SchemaTypeArg) -> anyhow::Result<Schema> {
    let bytes = read_bytes(path)?;
    Schema::from_bytes(schema_type.of(path), &bytes)
        .map_err(|e| anyhow::anyhow!("`{}`: {e}", display_name(path)))
}

/// Reads and parses several schemas, in argument order, on as many threads as there are cores:
/// a wide schema takes milliseconds to parse, and `diff` reads two. The first error in argument
/// order is the one reported.
pub(crate) fn schemas(paths: &[&str], schema_type: SchemaTypeArg) -> anyhow::Result<Vec<Schema>> {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let per_thread = paths.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let parsing: Vec<_> = paths
            .chunks(per_thread)
            .map(|chunk| {
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|path| schema(path, schema_type))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        parsing
            .into_iter()
            .flat_map(|thread| {
                thread
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

/// Checks `new` against `history` at `level` (and a table format's `profile`).
pub(crate) fn check(
    new: &Schema,
    history: &[Schema],
    level: Level,
    profile: Option<Profile>,
) -> anyhow::Result<Report> {
    let history: Vec<&Schema> = history.iter().collect();
    new.check_history(&history, level, profile)
        .map_err(|e| match e {
            CheckError::FormatsDiffer { .. } => anyhow::anyhow!(
                "cannot compare an Avro schema with an Arrow schema; give files of one format (`--schema-type` overrides the extension)"
            ),
            CheckError::ProfileNeedsArrow(_) => anyhow::anyhow!(
                "`--profile` judges Arrow schemas for a table format; these are Avro schemas"
            ),
        })
}

/// The file a report is about, for placing findings: its name and, when it is JSON text read
/// from a file, its text. Standard input has neither.
pub(crate) fn source(path: &str) -> anyhow::Result<super::report_format::Source> {
    if path == "-" {
        return Ok(super::report_format::Source::new(None, None));
    }
    let bytes = read_bytes(path)?;
    let text = std::str::from_utf8(&bytes)
        .ok()
        .filter(|_| crate::schema::is_json(&bytes));
    Ok(super::report_format::Source::new(
        Some(path.to_string()),
        text,
    ))
}
