//! Governance as code: the platform's global rules on every manifest, in `product lint`,
//! `product check`, and at every publication on the server (`accord serve --policy FILE`), so
//! that no team can skip them. A policy file sets each built-in rule's severity (`error` blocks a
//! publication, `warning` reports, `off`), lets domains override the rules it allows them to,
//! and lists Rego files evaluated against the manifest.
//!
//! ```yaml
//! rules:
//!   description-required: error                 # a code (GV103) or a name
//!   availability-below-minimum: {severity: error, minimum: 99.5}
//!   freshness-sla-required: {severity: warning, domains_may_override: true}
//! domains: [payments, marketing, order]         # GV102: the domains products may name
//! overrides:                                    # per domain, rules that allow it
//!   marketing:
//!     freshness-sla-required: off
//! rego:
//!   - policy/data_product_policy.rego           # relative to this file
//! ```

mod facts;
mod rego;
pub mod rules;

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use crate::contract::Contract;
use crate::registry::{PolicyFinding, PublicationSpec, Registry, Severity};
use facts::Facts;
use rego::RegoPolicy;
use rules::Parameters;
pub use rules::{GovernanceRule, RULES, find, render_index};

/// What the governance rules look up in the registry: whether a reference names a product and
/// a column it holds.
pub trait Catalog {
    /// Why `reference` (`product` or `product.column`) names nothing here, or `None`.
    fn missing(&self, reference: &str) -> Option<String>;
}

impl Catalog for Registry {
    fn missing(&self, reference: &str) -> Option<String> {
        // Product names hold dots too: the longest prefix that names a product wins.
        let splits = std::iter::once((reference, None)).chain(
            reference
                .rmatch_indices('.')
                .map(|(i, _)| (&reference[..i], Some(&reference[i + 1..]))),
        );
        for (product, column) in splits {
            let Ok(publication) =
                self.publication(product, &PublicationSpec::Latest { major: None })
            else {
                continue;
            };
            // A reference to the product itself is found.
            let column = column?;
            let mut columns = Vec::new();
            for published in publication.schemas.values() {
                if let Ok(entry) = self.schema(published.id) {
                    columns.extend(self.parsed(&entry).top_level_fields());
                }
            }
            return (!columns.iter().any(|c| c == column)).then(|| {
                format!(
                    "product `{product}` has no column `{column}` in {} (columns: {})",
                    publication.version,
                    columns.join(", ")
                )
            });
        }
        Some(format!(
            "no product in this registry is named by `{reference}`"
        ))
    }
}

/// A rule's setting in the policy file: a severity, or a severity with options.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawSetting {
    Severity(String),
    Detailed(RawDetailed),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDetailed {
    severity: Option<String>,
    minimum: Option<f64>,
    #[serde(default)]
    domains_may_override: bool,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawRego {
    File(String),
    Detailed {
        file: String,
        severity: Option<String>,
    },
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    #[serde(default)]
    rules: BTreeMap<String, RawSetting>,
    domains: Option<Vec<String>>,
    #[serde(default)]
    overrides: BTreeMap<String, BTreeMap<String, String>>,
    #[serde(default)]
    rego: Vec<RawRego>,
}

/// `error`, `warning` or `off` (`None`).
fn severity(text: &str) -> Result<Option<Severity>, String> {
    match text.to_ascii_lowercase().as_str() {
        "error" => Ok(Some(Severity::Error)),
        "warning" | "warn" => Ok(Some(Severity::Warning)),
        "off" => Ok(None),
        other => Err(format!("severity `{other}` is not error, warning or off")),
    }
}

/// A rule as the policy sets it.
#[derive(Debug, Clone)]
struct Setting {
    severity: Option<Severity>,
    domains_may_override: bool,
}

/// A governance policy, loaded and checked.
#[derive(Debug, Clone)]
pub struct Policy {
    settings: BTreeMap<&'static str, Setting>,
    overrides: BTreeMap<String, BTreeMap<&'static str, Option<Severity>>>,
    parameters: Parameters,
    rego: Vec<RegoPolicy>,
}

impl Default for Policy {
    /// Every built-in rule at its default severity, no Rego.
    fn default() -> Self {
        Policy {
            settings: RULES
                .iter()
                .map(|r| {
                    (
                        r.code,
                        Setting {
                            severity: Some(r.default_severity),
                            domains_may_override: false,
                        },
                    )
                })
                .collect(),
            overrides: BTreeMap::new(),
            parameters: Parameters::default(),
            rego: Vec::new(),
        }
    }
}

impl Policy {
    /// Reads a policy file; every problem is named, with the key it is about.
    pub fn load(path: &Path) -> Result<Policy, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read policy `{}`: {e}", path.display()))?;
        let raw: RawPolicy =
            yaml_serde::from_str(&text).map_err(|e| format!("policy `{}`: {e}", path.display()))?;
        Policy::from_raw(raw, path.parent().unwrap_or(Path::new(".")))
            .map_err(|problems| format!("policy `{}`: {}", path.display(), problems.join("; ")))
    }

    fn from_raw(raw: RawPolicy, base: &Path) -> Result<Policy, Vec<String>> {
        let mut policy = Policy::default();
        let mut problems = Vec::new();
        let rule = |key: &str, problems: &mut Vec<String>| {
            let found = find(key);
            if found.is_none() {
                problems.push(format!(
                    "`{key}` is not a governance rule; the rules are {}",
                    RULES
                        .iter()
                        .map(|r| format!("{} {}", r.code, r.name))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            found
        };
        for (key, setting) in &raw.rules {
            let Some(found) = rule(key, &mut problems) else {
                continue;
            };
            let entry = policy
                .settings
                .get_mut(found.code)
                .expect("every rule has a setting");
            let (text, detailed) = match setting {
                RawSetting::Severity(text) => (Some(text.as_str()), None),
                RawSetting::Detailed(d) => (d.severity.as_deref(), Some(d)),
            };
            if let Some(text) = text {
                match severity(text) {
                    Ok(severity) => entry.severity = severity,
                    Err(e) => problems.push(format!("`rules.{key}`: {e}")),
                }
            }
            if let Some(detailed) = detailed {
                entry.domains_may_override = detailed.domains_may_override;
                if let Some(minimum) = detailed.minimum {
                    if found.code == "GV107" && (0.0..=100.0).contains(&minimum) {
                        policy.parameters.minimum_availability = minimum;
                    } else if found.code == "GV107" {
                        problems.push(format!(
                            "`rules.{key}.minimum`: {minimum} is not a percentage"
                        ));
                    } else {
                        problems.push(format!(
                            "`rules.{key}`: only availability-below-minimum takes a `minimum`"
                        ));
                    }
                }
            }
        }
        for (domain, rules) in &raw.overrides {
            let mut domain_settings = BTreeMap::new();
            for (key, text) in rules {
                let Some(found) = rule(key, &mut problems) else {
                    continue;
                };
                if !policy.settings[found.code].domains_may_override {
                    problems.push(format!(
                        "`overrides.{domain}.{key}`: the policy does not let domains override {} {} (set `domains_may_override: true` on it)",
                        found.code, found.name
                    ));
                    continue;
                }
                match severity(text) {
                    Ok(severity) => {
                        domain_settings.insert(found.code, severity);
                    }
                    Err(e) => problems.push(format!("`overrides.{domain}.{key}`: {e}")),
                }
            }
            policy.overrides.insert(domain.clone(), domain_settings);
        }
        policy.parameters.domains = raw.domains;
        for entry in &raw.rego {
            let (file, text) = match entry {
                RawRego::File(file) => (file, None),
                RawRego::Detailed { file, severity } => (file, severity.as_deref()),
            };
            let severity = match text.map(severity).transpose() {
                Ok(severity) => severity.flatten().unwrap_or(Severity::Error),
                Err(e) => {
                    problems.push(format!("`rego` `{file}`: {e}"));
                    continue;
                }
            };
            match RegoPolicy::load(base, file, severity) {
                Ok(policy_file) => policy.rego.push(policy_file),
                Err(e) => problems.push(e),
            }
        }
        if problems.is_empty() {
            Ok(policy)
        } else {
            Err(problems)
        }
    }

    /// The policy's findings on a manifest: the built-in rules at the severity set for the
    /// product's domain, then each Rego file's messages. `catalog` answers references; without
    /// one (offline), GV108 does not run.
    pub fn judge(
        &self,
        contract: &Contract,
        document: &Value,
        catalog: Option<&dyn Catalog>,
    ) -> Vec<PolicyFinding> {
        let facts = Facts::of(contract, document);
        let domain_overrides = self.overrides.get(&contract.product.domain);
        let mut findings = Vec::new();
        for rule in RULES {
            let severity = domain_overrides
                .and_then(|o| o.get(rule.code).copied())
                .unwrap_or(self.settings[rule.code].severity);
            let Some(severity) = severity else { continue };
            for hit in rule.check(&facts, &self.parameters, catalog) {
                findings.push(PolicyFinding {
                    code: rule.code.to_string(),
                    name: rule.name.to_string(),
                    severity,
                    path: hit.path,
                    message: hit.message,
                });
            }
        }
        for rego in &self.rego {
            findings.extend(rego.judge(document));
        }
        findings
    }
}
#[cfg(test)]
mod tests;
