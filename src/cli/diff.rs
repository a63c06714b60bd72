//! `accord diff OLD NEW`, and `accord diff --against REF [PATH...]`

use clap::Args;

use super::report_format::{self, FileReport, Note, ReportFormat, Source, TreeReport};
use super::{Outcome, against, input};
use crate::compat::Level;
use crate::compat::ReportView;
use crate::schema::Schema;

/// Classify every change from OLD to NEW and check NEW against OLD at a compatibility level;
/// or, with `--against REF`, every schema file of the working tree against the same path at
/// a git revision.
///
/// Exit status: 0 when NEW is compatible with OLD at the level (with `--against`: every file,
/// and none deleted), 1 when it is not, 2 when an input is unreadable or not a valid schema, or
/// the command line is wrong.
#[derive(Debug, Args)]
pub(crate) struct DiffArgs {
    /// OLD and NEW (`.avsc`, or Arrow's JSON form in `.arrow.json`; `-` for standard input);
    /// with `--against`, the files and directories to compare (default: the whole tree)
    #[arg(value_name = "FILE")]
    paths: Vec<String>,
    /// Compare the working tree's schema files with the same paths at this git revision
    /// (`main`, `origin/main`, a tag, a commit)
    #[arg(long, value_name = "REF")]
    against: Option<String>,
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
    if let Some(reference) = &args.against {
        return against_revision(&args, reference);
    }
    let [old, new] = args.paths.as_slice() else {
        anyhow::bail!(
            "give OLD and NEW ({} given), or `--against REF` to compare the working tree with a git revision",
            args.paths.len()
        );
    };
    input::check_stdin_once([old, new])?;
    let config = args.policy.config()?;
    let level = args
        .level
        .or_else(|| config.as_ref().and_then(|c| c.level_for(Some(new))))
        .unwrap_or_default();
    let mut schemas = input::schemas(&[old, new], args.schema_type)?;
    let new_schema = schemas.pop().expect("two schemas read");
    let mut report = input::check(&new_schema, &schemas, level, args.profile)?;
    args.policy.apply(config.as_ref(), &mut report, new);
    report_format::emit(&report, args.format, &input::source(new)?)
}

fn against_revision(args: &DiffArgs, reference: &str) -> anyhow::Result<Outcome> {
    let config = args.policy.config()?;
    let pairing = against::pair(reference, &args.paths)?;
    let mut files = Vec::new();
    for (path, on_disk, old) in &pairing.changed {
        let disk = on_disk.to_string_lossy();
        let format = args.schema_type.of(path);
        let old = Schema::from_bytes(format, old)
            .map_err(|e| anyhow::anyhow!("`{path}` at {reference}: {e}"))?;
        let new = input::schema(&disk, args.schema_type)?;
        let level = args
            .level
            .or_else(|| config.as_ref().and_then(|c| c.level_for(Some(&disk))))
            .unwrap_or_default();
        let mut report = input::check(&new, &[old], level, args.profile)?;
        args.policy.apply(config.as_ref(), &mut report, &disk);
        let text = std::fs::read_to_string(on_disk).ok();
        files.push(FileReport {
            source: Source::new(Some(path.clone()), text.as_deref()),
            view: ReportView::from(&report),
        });
    }
    let notes: Vec<Note> = pairing
        .removed
        .iter()
        .map(|(path, _)| Note {
            file: Some(path.clone()),
            at: None,
            code: "schema-removed".to_string(),
            title: "removed".to_string(),
            message: format!(
                "`{path}` was deleted since {reference}: a removed schema breaks its subject's consumers"
            ),
            failing: true,
        })
        .collect();
    let incompatible = files.iter().filter(|f| !f.view.compatible).count();
    let tree = TreeReport {
        compatible: incompatible == 0 && notes.is_empty(),
        summary: format!(
            "{} file{} compared with {reference}: {incompatible} incompatible, {} added, {} removed",
            files.len(),
            if files.len() == 1 { "" } else { "s" },
            pairing.added.len(),
            notes.len()
        ),
        files,
        added: pairing.added,
        notes,
    };
    report_format::emit_tree(&tree, args.format)
}
