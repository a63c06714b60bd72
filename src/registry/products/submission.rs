//! What comes with a publication's schemas: the manifest as the team wrote it, and the platform
//! governance policy's findings on it. The caller that holds the policy judges the manifest
//! (`crate::governance`); the registry refuses a publication with an error among the findings,
//! in the same decision, and the same audit entry, as its own rules.

use serde::{Deserialize, Serialize};

/// How much a policy finding weighs: an error blocks a publication, a warning is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A finding of the governance policy on a manifest: the rule, its weight, where, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyFinding {
    /// `GV103`, or `REGO` for a Rego policy's message.
    pub code: String,
    /// `description-required`, or the Rego rule (`data.datamesh.governance.deny`).
    pub name: String,
    pub severity: Severity,
    /// Where in the manifest, as its author writes keys: `spec.columns[3]`.
    pub path: String,
    pub message: String,
}

impl PolicyFinding {
    /// One line, for people and for refusal messages.
    pub fn line(&self) -> String {
        let at = if self.path.is_empty() {
            String::new()
        } else {
            format!(" at `{}`", self.path)
        };
        format!(
            "{} {} ({}){at}: {}",
            self.code,
            self.name,
            self.severity.name(),
            self.message
        )
    }
}

/// What a publication brings besides its schemas.
#[derive(Debug, Clone, Default)]
pub struct Submission {
    pub manifest: Option<String>,
    pub findings: Vec<PolicyFinding>,
    /// The products the manifest's input ports read, when it has any: the product is
    /// registered as their consumer, in the publication's own write.
    pub upstream: Option<Vec<super::consumers::Upstream>>,
}

impl Submission {
    /// The findings that block a publication.
    pub fn errors(&self) -> Vec<String> {
        blocking(&self.findings)
    }
}

pub(in crate::registry) fn blocking(findings: &[PolicyFinding]) -> Vec<String> {
    findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(PolicyFinding::line)
        .collect()
}
