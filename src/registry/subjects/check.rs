//! Judging a schema against a subject's versions, and the verdict's findings.

use std::sync::Arc;

use crate::compat::{self, Level, Report};
use crate::registry::{NewSchema, Registry, RegistryError, SchemaEntry, Version, VersionSpec};
use crate::schema::Schema;

/// The verdict of a compatibility check: the engine's report, with the name of each version it
/// was checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub compatible: bool,
    /// `None` when there was nothing to check against, or the schemas could not be compared.
    pub report: Option<Report>,
    /// The name of each version of the history, oldest first (a subject or product version).
    pub against: Vec<String>,
    /// Why the schemas could not be compared (they are of two formats).
    pub mismatch: Option<String>,
}

impl Verdict {
    /// Compatible, with nothing checked.
    pub(in crate::registry) fn nothing_to_check() -> Self {
        Verdict {
            compatible: true,
            report: None,
            against: Vec::new(),
            mismatch: None,
        }
    }

    /// One line per finding, naming the versions it breaks against.
    pub fn messages(&self) -> Vec<String> {
        match (&self.report, &self.mismatch) {
            (_, Some(mismatch)) => vec![mismatch.clone()],
            (Some(report), None) => finding_lines(report, &self.against),
            (None, None) => Vec::new(),
        }
    }
}

impl Registry {
    /// Checks `new` against live versions (oldest first) at `level`; findings name the versions.
    pub(in crate::registry) fn judge(
        &self,
        new: &Schema,
        history: &[(Version, Arc<SchemaEntry>)],
        level: Level,
    ) -> Verdict {
        let parsed: Vec<Arc<Schema>> = history.iter().map(|(_, e)| self.parsed.get(e)).collect();
        let schemas: Vec<&Schema> = parsed.iter().map(Arc::as_ref).collect();
        let against = history.iter().map(|(v, _)| v.to_string()).collect();
        match new.check_history(&schemas, level, None) {
            Ok(report) => Verdict {
                compatible: report.compatible,
                report: Some(report),
                against,
                mismatch: None,
            },
            Err(mismatch) => Verdict {
                compatible: false,
                report: None,
                against,
                mismatch: Some(mismatch.to_string()),
            },
        }
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
            let level = state.subjects.effective::<Level>(subject);
            let history: Vec<(Version, Arc<SchemaEntry>)> = match against {
                None => state
                    .subjects
                    .live_versions(subject)
                    .map(|(v, r)| (v, state.subjects.schemas[&r.id].clone()))
                    .collect(),
                Some(VersionSpec::Latest) => state
                    .subjects
                    .latest_live(subject)
                    .map(|(v, r)| (v, state.subjects.schemas[&r.id].clone()))
                    .into_iter()
                    .collect(),
                Some(VersionSpec::Number(n)) => {
                    let (v, r) = state
                        .subjects
                        .live_versions(subject)
                        .find(|(v, _)| *v == n)
                        .ok_or_else(|| RegistryError::VersionNotFound(n.to_string()))?;
                    vec![(v, state.subjects.schemas[&r.id].clone())]
                }
            };
            (level, history)
        };
        Ok(self.judge(&prepared.parsed.schema, &history, level))
    }
}
