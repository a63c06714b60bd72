//! Judging a schema against a subject's versions, and the verdict's findings.

use std::sync::Arc;

use crate::compat::{self, Level};
use crate::registry::{NewSchema, Registry, RegistryError, SchemaEntry, Version, VersionSpec};
use crate::schema::Schema;

/// The verdict of a compatibility check, with one line per finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub compatible: bool,
    pub messages: Vec<String>,
}

/// Checks `new` against live versions (oldest first) at `level`; findings name the versions.
pub(in crate::registry) fn judge(
    new: &Schema,
    history: &[(Version, Arc<SchemaEntry>)],
    level: Level,
) -> Verdict {
    let schemas: Vec<&Schema> = history.iter().map(|(_, entry)| entry.parsed()).collect();
    match new.check_history(&schemas, level, None) {
        Ok(report) => {
            let labels: Vec<String> = history.iter().map(|(v, _)| v.to_string()).collect();
            Verdict {
                compatible: report.compatible,
                messages: finding_lines(&report, &labels),
            }
        }
        Err(mismatch) => Verdict {
            compatible: false,
            messages: vec![mismatch.to_string()],
        },
    }
}

/// One line per finding, naming the versions (by `labels`, one per history entry) it breaks
/// against.
pub(in crate::registry) fn finding_lines(
    report: &compat::Report,
    labels: &[String],
) -> Vec<String> {
    report
        .findings
        .iter()
        .map(|f| {
            let versions: Vec<&str> = f.against.iter().map(|&i| labels[i - 1].as_str()).collect();
            format!(
                "{} {} at {} ({}): {}; {} against version {}",
                f.rule.code,
                f.rule.name,
                f.location,
                f.path,
                f.message,
                f.breach.describe(),
                versions.join(", ")
            )
        })
        .collect()
}

impl Registry {
    /// Checks a schema against one version (`Some`) or against the subject's history at its level
    /// (`None`), as registration would, without registering anything.
    pub fn check_compatibility(
        &self,
        subject: &str,
        against: Option<VersionSpec>,
        new: &NewSchema,
    ) -> Result<Verdict, RegistryError> {
        let prepared = self.prepare(new)?;
        // A data product's subject is judged as a registration would be: against the latest
        // line of the product, at the product's level.
        if against.is_none()
            && let Some(product) = self.product_of(subject)
        {
            return self.check_in_product(&product, subject, prepared);
        }
        let (level, history) = {
            let state = self.read();
            let level = state.effective::<Level>(subject);
            let history: Vec<(Version, Arc<SchemaEntry>)> = match against {
                None => state
                    .live_versions(subject)
                    .map(|(v, r)| (v, state.schemas[&r.id].clone()))
                    .collect(),
                Some(VersionSpec::Latest) => state
                    .latest_live(subject)
                    .map(|(v, r)| (v, state.schemas[&r.id].clone()))
                    .into_iter()
                    .collect(),
                Some(VersionSpec::Number(n)) => {
                    let (v, r) = state
                        .live_versions(subject)
                        .find(|(v, _)| *v == n)
                        .ok_or_else(|| RegistryError::VersionNotFound(n.to_string()))?;
                    vec![(v, state.schemas[&r.id].clone())]
                }
            };
            (level, history)
        };
        Ok(judge(&prepared.parsed, &history, level))
    }
}
