//! `product check` in the formats CI systems read: each subject's changes placed in the file
//! that holds its schema (a contract's columns at their entry in the manifest), the governance
//! policy's findings and the refusal beside them.

use std::collections::HashMap;
use std::path::Path;

use super::Outcome;
use super::manifest::Manifest;
use super::report_format::{self, FileReport, Note, ReportFormat, Source, TreeReport};
use crate::api::types::EvaluationView;
use crate::contract::{Source as SchemaSource, positions};
use crate::registry::{PolicyFinding, Severity};

/// A path as a CI system names files: relative to the working directory, `/`-separated.
fn shown(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

pub(super) fn emit(
    manifest: &Manifest,
    evaluation: &EvaluationView,
    format: ReportFormat,
) -> anyhow::Result<Outcome> {
    let manifest_file = shown(&manifest.path);
    let placed = positions::positions(&manifest.text);
    let base = manifest.path.parent().unwrap_or(Path::new("."));
    let mut files = Vec::new();
    for subject in &evaluation.subjects {
        let schema = manifest
            .contract
            .schemas
            .iter()
            .find(|s| s.subject == subject.subject);
        let source = match schema.map(|s| (&s.source, &s.field_keys)) {
            Some((SchemaSource::Columns(_), keys)) => {
                let positions: HashMap<_, _> = keys
                    .iter()
                    .enumerate()
                    .filter_map(|(i, key)| Some((format!("$.fields[{i}]"), *placed.get(key)?)))
                    .collect();
                Source::placed(Some(manifest_file.clone()), positions)
            }
            Some((SchemaSource::File { path, .. }, _)) => {
                let file = base.join(path);
                let text = std::fs::read_to_string(&file).ok();
                Source::new(Some(shown(&file)), text.as_deref())
            }
            // A subject's schema from the registry is in no file of the repository.
            _ => Source::new(None, None),
        };
        files.push(FileReport {
            source,
            view: subject.report.clone(),
        });
    }
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
    placed: &HashMap<String, crate::schema_json::Position>,
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
