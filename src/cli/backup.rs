//! `accord backup` and `accord restore`: a running registry copied consistently into a new
//! directory on its machine, and such a copy brought back as a data dir, offline; `accord
//! export` and `accord import`: the registry as a portable NDJSON stream; `accord migrate`: a
//! data dir moved into PostgreSQL.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Args;

use super::client::{RegistryArgs, RegistryClient};
use super::{Outcome, print};
use crate::api::types::{BackupAnswer, BackupRequest};
use crate::registry::{Holdings, Registry, SystemClock};
use crate::store::{PostgresStore, RocksStore, redact};

/// Ask a running registry for a consistent backup, written while it serves into a new
/// directory on the server's machine (admins only).
///
/// Exit status: 0 written, 2 otherwise (the directory exists, the path is relative, ...).
#[derive(Debug, Args)]
pub(crate) struct BackupArgs {
    /// A new directory on the server's machine, as an absolute path
    #[arg(long, value_name = "PATH")]
    to: String,
    #[command(flatten)]
    registry: RegistryArgs,
}

/// Bring a backup back as a data dir, offline: copies it into a new (or empty) directory,
/// then opens it to check it is whole and says what it holds.
///
/// Exit status: 0 restored, 2 otherwise.
#[derive(Debug, Args)]
pub(crate) struct RestoreArgs {
    /// The backup: a directory `accord backup` wrote
    #[arg(long, value_name = "PATH")]
    from: PathBuf,
    /// The data dir to create; `accord serve --data-dir` opens it
    #[arg(long, value_name = "DIR")]
    data_dir: PathBuf,
}

/// Move a registry from a data dir into PostgreSQL, offline: every record, id and version
/// kept; then `accord serve --store URL` (on as many nodes as wanted) serves it. The data dir
/// is only read, and the database must hold no registry yet.
///
/// Exit status: 0 moved, 2 otherwise (the data dir is in use or missing, the database holds a
/// registry, ...).
#[derive(Debug, Args)]
pub(crate) struct MigrateArgs {
    /// The data dir (stop the server using it first)
    #[arg(long, value_name = "DIR")]
    from: PathBuf,
    /// The PostgreSQL database (`postgres://user:password@host/db`)
    #[arg(long, value_name = "URL")]
    to: String,
}

/// Write a running registry's whole content as a versioned NDJSON stream (admins only): every
/// schema with its id, subject version, configuration, mode, product, publication, notice,
/// audit entry and consumer.
#[derive(Debug, Args)]
pub(crate) struct ExportArgs {
    /// Where to write the stream (default: standard output)
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    #[command(flatten)]
    registry: RegistryArgs,
}

/// Load an export into a running registry that holds nothing yet, every id and version kept
/// (admins only); or, with `--from-confluent URL`, copy a running Confluent-compatible registry
/// through its REST API: every version with its id, references, soft-deleted versions,
/// levels and modes, resuming where an interrupted copy stopped.
#[derive(Debug, Args)]
pub(crate) struct ImportArgs {
    /// The stream `accord export` wrote
    #[arg(
        required_unless_present = "from_confluent",
        conflicts_with = "from_confluent"
    )]
    file: Option<PathBuf>,
    /// The URL of a Confluent-compatible registry to copy
    #[arg(long, value_name = "URL")]
    from_confluent: Option<String>,
    #[command(flatten)]
    registry: RegistryArgs,
}

pub(crate) fn export(args: ExportArgs) -> anyhow::Result<Outcome> {
    let client = RegistryClient::new(&args.registry)?;
    let stream = client
        .send("GET", "/v1/export", None)?
        .map_err(anyhow::Error::msg)?;
    match &args.output {
        Some(path) => {
            std::fs::write(path, &stream)
                .with_context(|| format!("cannot write `{}`", path.display()))?;
            eprintln!(
                "exported {} records into `{}`",
                stream.lines().count().saturating_sub(1),
                path.display()
            );
        }
        None => print(&stream)?,
    }
    Ok(Outcome::Success)
}

pub(crate) fn import(args: ImportArgs) -> anyhow::Result<Outcome> {
    let file = match (&args.from_confluent, &args.file) {
        (Some(url), _) => return super::confluent_import::run(url, &args.registry),
        (None, Some(file)) => file,
        (None, None) => bail!("give the export's FILE, or --from-confluent URL"),
    };
    let stream = std::fs::read_to_string(file)
        .with_context(|| format!("cannot read `{}`", file.display()))?;
    let client = RegistryClient::new(&args.registry)?;
    let answer = client
        .send("POST", "/v1/import", Some(("application/x-ndjson", stream)))?
        .map_err(anyhow::Error::msg)?;
    let carried: crate::registry::Carried = serde_json::from_str(&answer)
        .with_context(|| format!("the registry's answer to the import is unexpected: {answer}"))?;
    print(&format!(
        "imported {} records from `{}`\n",
        carried.records,
        file.display()
    ))?;
    Ok(Outcome::Success)
}

fn summary(holdings: &Holdings) -> String {
    format!(
        "{} schemas (ids up to {}), {} subjects, {} data products",
        holdings.schemas, holdings.max_id, holdings.subjects, holdings.products
    )
}

pub(crate) fn backup(args: BackupArgs) -> anyhow::Result<Outcome> {
    let client = RegistryClient::new(&args.registry)?;
    let request = serde_json::to_value(BackupRequest { path: args.to })?;
    let answer: BackupAnswer = client
        .call_as("POST", "/v1/backups", Some(request))?
        .map_err(anyhow::Error::msg)?;
    print(&format!(
        "backed up {} into `{}` on the server's machine in {} ms\n",
        summary(&answer.holdings),
        answer.path,
        answer.millis
    ))?;
    Ok(Outcome::Success)
}

pub(crate) fn restore(args: RestoreArgs) -> anyhow::Result<Outcome> {
    let (from, to) = (&args.from, &args.data_dir);
    if !from.join("CURRENT").is_file() {
        bail!(
            "`{}` is not a backup accord wrote (no `CURRENT` file)",
            from.display()
        );
    }
    if to.exists()
        && std::fs::read_dir(to)
            .with_context(|| format!("cannot read `{}`", to.display()))?
            .next()
            .is_some()
    {
        bail!(
            "`{}` is not empty; restore into a new directory, then point --data-dir at it",
            to.display()
        );
    }
    copy_dir(from, to)?;
    let store = RocksStore::open(to)
        .with_context(|| format!("the restored data dir `{}` does not open", to.display()))?;
    let registry = Registry::open(std::sync::Arc::new(store), std::sync::Arc::new(SystemClock))
        .with_context(|| format!("the restored data dir `{}` does not load", to.display()))?;
    print(&format!(
        "restored {} into `{}`; start it with `accord serve --data-dir {}`\n",
        summary(&registry.holdings()),
        to.display(),
        to.display()
    ))?;
    Ok(Outcome::Success)
}

pub(crate) fn migrate(args: MigrateArgs) -> anyhow::Result<Outcome> {
    if !args.from.join("CURRENT").is_file() {
        bail!(
            "`{}` is not a data dir (no `CURRENT` file)",
            args.from.display()
        );
    }
    let clock = std::sync::Arc::new(SystemClock);
    let store = RocksStore::open(&args.from)
        .with_context(|| format!("cannot open the data dir `{}`", args.from.display()))?;
    let source = Registry::open(std::sync::Arc::new(store), clock.clone())
        .with_context(|| format!("cannot load the data dir `{}`", args.from.display()))?;
    let (stream, _) = source.export()?;
    let to = redact(&args.to);
    let store =
        PostgresStore::open(&args.to).with_context(|| format!("cannot open the store `{to}`"))?;
    let target = Registry::open(std::sync::Arc::new(store), clock)
        .with_context(|| format!("cannot load the store `{to}`"))?;
    let carried = target
        .import(&stream)
        .with_context(|| format!("cannot move the registry into `{to}`"))?;
    let (before, after) = (source.holdings(), target.holdings());
    if before != after {
        bail!(
            "moved {} records, but `{to}` holds {} where the data dir holds {}",
            carried.records,
            summary(&after),
            summary(&before)
        );
    }
    print(&format!(
        "moved {} ({} records) from `{}` into `{to}`; serve it with `accord serve --store URL`\n",
        summary(&after),
        carried.records,
        args.from.display()
    ))?;
    Ok(Outcome::Success)
}

fn copy_dir(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(to).with_context(|| format!("cannot create `{}`", to.display()))?;
    for entry in
        std::fs::read_dir(from).with_context(|| format!("cannot read `{}`", from.display()))?
    {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target).with_context(|| {
                format!(
                    "cannot copy `{}` to `{}`",
                    entry.path().display(),
                    target.display()
                )
            })?;
        }
    }
    Ok(())
}
