//! `product check` in the formats CI systems read: each subject's changes placed in the file
//! that holds its schema (a contract's columns at their entry in the manifest), the governance
//! policy's findings and the refusal beside them.

use std::collections::HashMap;
use std::path::Path;

use super::Outcome;
use super::manifest::Manifest;
use super::report_format::{self, FileReport, Note, ReportFormat, Source, TreeReport};
use crate::api::types::EvaluationView;
use crate::compat::{Bump, ReportView};
use crate::contract::{Source as SchemaSource, positions};
use crate::registry::{Line, declared_bump, minimum_version};
use crate::registry::{PolicyFinding, Severity};
use crate::schema::Schema;

/// A path as a CI system names files: relative to the working directory, `/`-separated.
fn shown(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// The file holding a subject's schema, with its elements placed: a contract's columns at
/// their entries in the manifest, a schema file's own elements; none for a schema the
/// registry holds.
fn source_of(
    manifest: &Manifest,
    subject: &str,
    placed: &HashMap<String, crate::schema::Position>,
) -> Source {
    let base = manifest.path.parent().unwrap_or(Path::new("."));
    let schema = manifest
        .contract
        .schemas
        .iter()
        .find(|s| s.subject == subject);
    match schema.map(|s| (&s.source, &s.field_keys)) {
        Some((SchemaSource::Columns(_), keys)) => {
            let positions: HashMap<_, _> = keys
                .iter()
                .enumerate()
                .filter_map(|(i, key)| Some((format!("$.fields[{i}]"), *placed.get(key)?)))
                .collect();
            Source::placed(Some(shown(&manifest.path)), positions)
        }
        Some((SchemaSource::File { path, .. }, _)) => {
            let file = base.join(path);
            let text = std::fs::read_to_string(&file).ok();
            Source::new(Some(shown(&file)), text.as_deref())
        }
        _ => Source::new(None, None),
    }
}

pub(super) fn emit(
    manifest: &Manifest,
    evaluation: &EvaluationView,
    format: ReportFormat,
) -> anyhow::Result<Outcome> {
    let manifest_file = shown(&manifest.path);
    let placed = positions::positions(&manifest.text);
    let files = evaluation
        .subjects
        .iter()
        .map(|subject| FileReport {
            source: source_of(manifest, &subject.subject, &placed),
            view: subject.report.clone(),
        })
        .collect();
    let mut notes = policy_notes(&manifest_file, &placed, &evaluation.policy);
    if let Some(refusal) = &evaluation.refusal
        && refusal.code != "policy_violated"
    {
        notes.push(Note {
            file: Some(manifest_file.clone()),
            at: None,
            code: refusal.code.clone(),
            title: format!("refused ({})", refusal.code),
            message: refusal.message.clone(),
            failing: true,
        });
    }
    if !evaluation.affected.is_empty() {
        let names: Vec<String> = evaluation
            .affected
            .iter()
            .map(|a| format!("{} (major {}, {})", a.consumer, a.major, a.contact))
            .collect();
        notes.push(Note {
            file: Some(manifest_file.clone()),
            at: None,
            code: "consumers-affected".to_string(),
            title: "affected consumers".to_string(),
            message: names.join(", "),
            failing: false,
        });
    }
    let tree = TreeReport {
        compatible: evaluation.accepted,
        summary: format!(
            "{} {}: would be {}; required bump: {}",
            evaluation.product,
            evaluation.version,
            match &evaluation.refusal {
                None => "accepted".to_string(),
                Some(refusal) => format!("refused ({})", refusal.code),
            },
            evaluation.required_bump.as_deref().unwrap_or("none")
        ),
        files,
        added: Vec::new(),
        notes,
    };
    report_format::emit_tree(&tree, format)
}

/// The governance policy's findings, each at its key in the manifest where it names one.
fn policy_notes(
    manifest_file: &str,
    placed: &HashMap<String, crate::schema::Position>,
    findings: &[PolicyFinding],
) -> Vec<Note> {
    findings
        .iter()
        .map(|f| Note {
            file: Some(manifest_file.to_string()),
            at: placed.get(&f.path).copied(),
            code: f.code.clone(),
            title: format!("{} {}", f.code, f.name),
            message: f.message.clone(),
            failing: f.severity == Severity::Error,
        })
        .collect()
}

/// `product lint` in a CI format: the policy's findings on the manifest.
pub(super) fn emit_lint(
    manifest: &Manifest,
    findings: &[PolicyFinding],
    valid: String,
    format: ReportFormat,
) -> anyhow::Result<Outcome> {
    let manifest_file = shown(&manifest.path);
    let placed = positions::positions(&manifest.text);
    let tree = TreeReport {
        compatible: !findings.iter().any(|f| f.severity == Severity::Error),
        summary: valid,
        files: Vec::new(),
        added: Vec::new(),
        notes: policy_notes(&manifest_file, &placed, findings),
    };
    report_format::emit_tree(&tree, format)
}

/// `product check --against REF`: the manifest against its own previous version in git, when
/// no registry is at hand. Each subject's schema is judged against the one the manifest at REF
/// gave it, at the product's level, and the version bump against what the changes need; a new
/// major's notice is the registry's to judge.
pub(super) fn against(
    manifest: &Manifest,
    reference: &str,
    format: ReportFormat,
) -> anyhow::Result<Outcome> {
    let placed = positions::positions(&manifest.text);
    let version = manifest.version()?;
    let product = &manifest.contract.product;
    let Some(old_text) = super::against::file_at(reference, &manifest.path)? else {
        let tree = TreeReport {
            compatible: true,
            summary: format!(
                "{} {version}: `{}` is new since {reference}; nothing to compare",
                product.name,
                shown(&manifest.path)
            ),
            files: Vec::new(),
            added: vec![shown(&manifest.path)],
            notes: Vec::new(),
        };
        return report_format::emit_tree(&tree, format);
    };
    let old_text = String::from_utf8(old_text).map_err(|_| {
        anyhow::anyhow!(
            "`{}` at {reference} is not UTF-8 text",
            manifest.path.display()
        )
    })?;
    let old = crate::contract::read_text(&old_text).map_err(|problems| {
        anyhow::anyhow!(
            "`{}` at {reference}: {}",
            manifest.path.display(),
            problems.join("; ")
        )
    })?;
    let base = manifest.path.parent().unwrap_or(Path::new("."));
    let mut files = Vec::new();
    let mut notes = Vec::new();
    let mut required = Bump::None;
    for schema in &manifest.schemas {
        let Some(text) = &schema.text else {
            notes.push(Note {
                file: Some(shown(&manifest.path)),
                at: None,
                code: "registered-schema".to_string(),
                title: "not compared".to_string(),
                message: format!(
                    "`{}` binds the registry's current schema; check it against the registry",
                    schema.subject
                ),
                failing: false,
            });
            continue;
        };
        let new = Schema::parse(schema.format, text)
            .map_err(|e| anyhow::anyhow!("subject `{}`: {e}", schema.subject))?;
        let previous = old.schemas.iter().find(|s| s.subject == schema.subject);
        let old_text = match previous.map(|s| &s.source) {
            Some(SchemaSource::Columns(_)) => previous
                .and_then(|s| s.source.columns_text())
                .map(String::into_bytes),
            Some(SchemaSource::File { path, .. }) => {
                super::against::file_at(reference, &base.join(path))?
            }
            _ => None,
        };
        let Some(old_text) = old_text else {
            notes.push(Note {
                file: Some(shown(&manifest.path)),
                at: None,
                code: "subject-added".to_string(),
                title: "added".to_string(),
                message: format!("subject `{}` is new since {reference}", schema.subject),
                failing: false,
            });
            continue;
        };
        let old_schema = Schema::from_bytes(schema.format, &old_text)
            .map_err(|e| anyhow::anyhow!("subject `{}` at {reference}: {e}", schema.subject))?;
        let report = super::input::check(&new, &[old_schema], product.compatibility, None)?;
        required = required.max(if report.compatible {
            report.bump
        } else {
            Bump::Major
        });
        files.push(FileReport {
            source: source_of(manifest, &schema.subject, &placed),
            view: ReportView::from(&report),
        });
    }
    let refusal = match &old.version {
        Some(before) if version <= before => Some(format!(
            "version {version} is not greater than {before}, the version at {reference}"
        )),
        Some(before) => {
            let declared = if Line::of(version) > Line::of(before) {
                Bump::Major
            } else {
                declared_bump(before, version)
            };
            (declared < required).then(|| {
                format!(
                    "the changes need a {} bump from {before}: publish {} or later",
                    required.name(),
                    minimum_version(before, required)
                )
            })
        }
        None => None,
    };
    if let Some(message) = &refusal {
        notes.push(Note {
            file: Some(shown(&manifest.path)),
            at: None,
            code: "version".to_string(),
            title: "refused".to_string(),
            message: message.clone(),
            failing: true,
        });
    }
    let tree = TreeReport {
        compatible: refusal.is_none(),
        summary: format!(
            "{} {version} against {reference}{}: would be {}; required bump: {}",
            product.name,
            old.version
                .as_ref()
                .map_or(String::new(), |v| format!(" ({v})")),
            if refusal.is_none() {
                "accepted"
            } else {
                "refused"
            },
            required.name()
        ),
        files,
        added: Vec::new(),
        notes,
    };
    report_format::emit_tree(&tree, format)
}
