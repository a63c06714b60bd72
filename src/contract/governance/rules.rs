//! The built-in governance rules, each declared once: code, name, summary, default severity, the
//! prose in `compat-rules/governance/<CODE>-<name>.md`, and the check. Fixtures are in
//! `testdata/governance/<CODE>-<name>/`.

use super::Catalog;
use super::facts::Facts;
use crate::registry::Severity;

/// What a check reports: where, and why.
pub(crate) struct Hit {
    pub path: String,
    pub message: String,
}

/// The parameters a policy sets for the rules that take some.
#[derive(Debug, Clone)]
pub(crate) struct Parameters {
    /// GV107's floor, in percent.
    pub minimum_availability: f64,
    /// GV102's list; the rule is quiet without one.
    pub domains: Option<Vec<String>>,
}

impl Default for Parameters {
    fn default() -> Self {
        Parameters {
            minimum_availability: 99.0,
            domains: None,
        }
    }
}

type Check = fn(&Facts, &Parameters, Option<&dyn Catalog>) -> Vec<Hit>;

pub struct GovernanceRule {
    pub code: &'static str,
    pub name: &'static str,
    pub summary: &'static str,
    pub default_severity: Severity,
    pub doc: &'static str,
    check: Check,
}

impl std::fmt::Debug for GovernanceRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code)
    }
}

impl GovernanceRule {
    pub(crate) fn check(
        &self,
        facts: &Facts,
        parameters: &Parameters,
        catalog: Option<&dyn Catalog>,
    ) -> Vec<Hit> {
        (self.check)(facts, parameters, catalog)
    }

    pub fn doc_path(&self) -> String {
        format!("compat-rules/governance/{}-{}.md", self.code, self.name)
    }
}

macro_rules! rule {
    ($code:literal, $name:literal, $severity:ident, $summary:literal, $check:expr) => {
        GovernanceRule {
            code: $code,
            name: $name,
            summary: $summary,
            default_severity: Severity::$severity,
            doc: include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/compat-rules/governance/",
                $code,
                "-",
                $name,
                ".md"
            )),
            check: $check,
        }
    };
}

fn hit(path: &str, message: String) -> Vec<Hit> {
    vec![Hit {
        path: path.to_string(),
        message,
    }]
}

/// Every built-in governance rule, in documentation order.
pub static RULES: &[GovernanceRule] = &[
    rule!(
        "GV101",
        "owner-contact-required",
        Error,
        "A product names how to reach its owner: a chat channel or an email.",
        |facts, _, _| {
            match &facts.contact {
            Some(_) => Vec::new(),
            None => hit(
                "",
                "no way to reach the owner: add a chat channel (`metadata.slack`, `info.contact`) or an email".into(),
            ),
        }
        }
    ),
    rule!(
        "GV102",
        "domain-unknown",
        Error,
        "A product belongs to a domain the platform's policy lists.",
        |facts, parameters, _| match &parameters.domains {
            Some(domains) if !domains.contains(&facts.domain) => hit(
                "",
                format!(
                    "domain `{}` is not one the policy lists ({})",
                    facts.domain,
                    domains.join(", ")
                ),
            ),
            _ => Vec::new(),
        }
    ),
    rule!(
        "GV103",
        "description-required",
        Warning,
        "A product says what its data is, so that consumers can find and trust it.",
        |facts, _, _| match &facts.description {
            Some(_) => Vec::new(),
            None => hit(
                "",
                "no description: say what one row is and where the data comes from".into()
            ),
        }
    ),
    rule!(
        "GV104",
        "pii-column-without-access-tier",
        Warning,
        "A PII column has an access tier: its own, or the product's rule for PII columns.",
        |facts, _, _| {
            if facts.pii_access.is_some() {
                return Vec::new();
            }
            facts
                .pii_columns
                .iter()
                .filter(|c| c.access_tier.is_none())
                .map(|c| Hit {
                    path: c.key.clone(),
                    message: format!(
                        "PII column `{}` has no access tier: set the column's `access_tier`, or the product's rule for PII columns (`access.pii_columns`)",
                        c.name
                    ),
                })
                .collect()
        }
    ),
    rule!(
        "GV105",
        "pii-column-without-classification",
        Warning,
        "A PII column has a classification (`confidential`, `restricted`, ...).",
        |facts, _, _| facts
            .pii_columns
            .iter()
            .filter(|c| c.classification.is_none())
            .map(|c| Hit {
                path: c.key.clone(),
                message: format!("PII column `{}` has no classification", c.name),
            })
            .collect()
    ),
    rule!(
        "GV106",
        "freshness-sla-required",
        Warning,
        "A product promises how fresh its data is.",
        |facts, _, _| match &facts.freshness {
            Some(_) => Vec::new(),
            None => hit(
                "",
                "no freshness SLA: say how soon data arrives (`sla.freshness`)".into()
            ),
        }
    ),
    rule!(
        "GV107",
        "availability-below-minimum",
        Error,
        "A product's availability SLA is at least the platform's minimum (99% unless the policy says otherwise).",
        |facts, parameters, _| {
            let Some(found) = &facts.availability else {
                return Vec::new();
            };
            let text = found.value.trim().trim_end_matches('%').trim();
            match text.parse::<f64>() {
                Ok(percent) if percent >= parameters.minimum_availability => Vec::new(),
                Ok(percent) => hit(
                    &found.path,
                    format!(
                        "availability {percent}% is below the platform's minimum of {}%",
                        parameters.minimum_availability
                    ),
                ),
                Err(_) => hit(
                    &found.path,
                    format!(
                        "availability `{}` is not a percentage, e.g. 99.9%",
                        found.value
                    ),
                ),
            }
        }
    ),
    rule!(
        "GV108",
        "reference-not-found",
        Error,
        "A reference names a product, and a column of it, that this registry holds.",
        |facts, _, catalog| {
            let Some(catalog) = catalog else {
                return Vec::new();
            };
            facts
                .references
                .iter()
                .filter_map(|found| {
                    let message = catalog.missing(&found.value)?;
                    Some(Hit {
                        path: found.path.clone(),
                        message,
                    })
                })
                .collect()
        }
    ),
];

/// The rule with this code (any case) or name.
pub fn find(code_or_name: &str) -> Option<&'static GovernanceRule> {
    RULES
        .iter()
        .find(|r| r.code.eq_ignore_ascii_case(code_or_name) || r.name == code_or_name)
}

/// The governance section of `compat-rules/README.md`, generated like the compatibility index.
pub fn render_index() -> String {
    let mut out = String::from(
        "\n## Governance rules\n\n\
         The platform's global rules on a manifest, run by `accord product lint --policy` and, on a\n\
         server started with `--policy`, at every publication. A policy file sets each rule's\n\
         severity: `error` refuses a publication, `warning` reports, `off`.\n\n\
         | Code | Name | Default | Summary |\n\
         |---|---|---|---|\n",
    );
    for rule in RULES {
        out.push_str(&format!(
            "| {} | [{}](governance/{}-{}.md) | {} | {} |\n",
            rule.code,
            rule.name,
            rule.code,
            rule.name,
            rule.default_severity.name(),
            rule.summary
        ));
    }
    out
}
