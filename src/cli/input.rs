//! Reading schema files, with `-` for standard input.

use std::io::Read;

use anyhow::{Context, bail};

use crate::avro::{self, Schema};

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
