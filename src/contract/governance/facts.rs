//! What the governance rules ask of a manifest, found where each form keeps it: the contact, the
//! description, the SLA, the PII columns and their access tier and classification, and the
//! references to other products.

use serde_json::Value;

use crate::compat::constraints::{self, CLASSIFICATION, PII};
use crate::contract::document::at;
use crate::contract::{Contract, Source};

/// A value found in a manifest, with the key path it was found at.
#[derive(Debug, Clone)]
pub(crate) struct Found<T> {
    pub path: String,
    pub value: T,
}

#[derive(Debug, Clone)]
pub(crate) struct PiiColumn {
    pub name: String,
    /// Where the manifest writes it (`spec.columns[3]`), or its name when no key says.
    pub key: String,
    pub classification: Option<String>,
    pub access_tier: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Facts {
    pub domain: String,
    pub contact: Option<Found<String>>,
    pub description: Option<Found<String>>,
    pub freshness: Option<Found<String>>,
    pub availability: Option<Found<String>>,
    pub pii_columns: Vec<PiiColumn>,
    /// The product-wide rule for PII columns (`access.pii_columns: requires_approval`).
    pub pii_access: Option<Found<String>>,
    /// `product.column` or `product` names the manifest refers to.
    pub references: Vec<Found<String>>,
}

/// Text at the first of `paths` that holds some (a number or `true` counts as its text).
fn first(document: &Value, paths: &[&str]) -> Option<Found<String>> {
    paths.iter().find_map(|path| {
        let keys: Vec<&str> = path.split('.').collect();
        let text = match at(document, &keys)? {
            Value::String(s) if !s.trim().is_empty() => s.trim().to_string(),
            Value::Number(n) => n.to_string(),
            Value::Bool(true) => "true".to_string(),
            Value::Object(map) if !map.is_empty() => Value::Object(map.clone()).to_string(),
            _ => return None,
        };
        Some(Found {
            path: path.to_string(),
            value: text,
        })
    })
}

/// ODCS keeps SLAs as a list of `{property, value}`.
fn odcs_sla(document: &Value, properties: &[&str]) -> Option<Found<String>> {
    let list = document.get("slaProperties")?.as_array()?;
    list.iter().enumerate().find_map(|(i, entry)| {
        let property = entry.get("property")?.as_str()?;
        properties.contains(&property).then(|| Found {
            path: format!("slaProperties[{i}]"),
            value: entry.get("value").map_or(String::new(), |v| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            }),
        })
    })
}

impl Facts {
    pub fn of(contract: &Contract, document: &Value) -> Facts {
        let product = &contract.product;
        let contact = first(
            document,
            &[
                "metadata.slack",
                "slack_channel",
                "metadata.contact",
                "info.contact.email",
                "info.contact.slack",
                "info.contact.url",
                "contact",
            ],
        )
        .or_else(|| {
            // ODCS lists its support channels.
            let channel = document.get("support")?.as_array()?.first()?;
            let text = ["channel", "url", "email"]
                .iter()
                .find_map(|key| channel.get(*key)?.as_str())?;
            Some(Found {
                path: "support[0]".to_string(),
                value: text.to_string(),
            })
        })
        .or_else(|| {
            product.owner.contains('@').then(|| Found {
                path: "owner".to_string(),
                value: product.owner.clone(),
            })
        });
        let description = first(document, &crate::contract::DESCRIPTION_PATHS);
        let freshness = first(
            document,
            &[
                "spec.sla.freshness",
                "spec.sla.freshness_minutes",
                "sla.freshness",
                "sla.freshness_minutes",
                "servicelevels.freshness.threshold",
                "servicelevels.latency.threshold",
            ],
        )
        .or_else(|| odcs_sla(document, &["freshness", "latency", "frequency"]));
        let availability = first(
            document,
            &[
                "spec.sla.availability",
                "spec.sla.availability_percent",
                "sla.availability",
                "sla.availability_percent",
                "servicelevels.availability.percentage",
            ],
        )
        .or_else(|| odcs_sla(document, &["availability"]));
        let pii_access = first(
            document,
            &[
                "spec.access.pii_columns",
                "access_policy.pii_columns",
                "access.pii_columns",
                "access.pii",
                "spec.access_control.encryption",
            ],
        )
        .filter(|found| found.value != "none");
        let mut pii_columns = Vec::new();
        for schema in &contract.schemas {
            if let Source::Columns(columns) = &schema.source {
                for (i, field) in columns.fields().iter().enumerate() {
                    if constraints::flag(field, PII) {
                        pii_columns.push(PiiColumn {
                            name: field.name().clone(),
                            key: schema
                                .field_keys
                                .get(i)
                                .cloned()
                                .unwrap_or_else(|| field.name().clone()),
                            classification: field.metadata().get(CLASSIFICATION).cloned(),
                            access_tier: field.metadata().get("access_tier").cloned(),
                        });
                    }
                }
            }
        }
        // `datamesh/v1` lists its PII columns beside the subject that holds them.
        if let Some(Value::Array(names)) = at(document, &["spec", "access_control", "pii_columns"])
        {
            let classification = first(document, &["spec.access_control.classification"]);
            for (i, name) in names.iter().enumerate() {
                let Some(name) = name.as_str() else { continue };
                pii_columns.push(PiiColumn {
                    name: name.to_string(),
                    key: format!("spec.access_control.pii_columns[{i}]"),
                    classification: classification.as_ref().map(|c| c.value.clone()),
                    access_tier: None,
                });
            }
        }
        Facts {
            domain: product.domain.clone(),
            contact,
            description,
            freshness,
            availability,
            pii_columns,
            pii_access,
            references: references(document),
        }
    }
}

/// Every `references:` in the manifest: the seeds' `quality_checks[].references`, and a
/// column's or a DCS field's own.
fn references(document: &Value) -> Vec<Found<String>> {
    let mut found = Vec::new();
    fn walk(value: &Value, path: &str, found: &mut Vec<Found<String>>) {
        match value {
            Value::Object(map) => {
                for (key, value) in map {
                    let here = if path.is_empty() {
                        key.clone()
                    } else {
                        format!("{path}.{key}")
                    };
                    match (key.as_str(), value) {
                        ("references", Value::String(target)) => found.push(Found {
                            path: here,
                            value: target.clone(),
                        }),
                        _ => walk(value, &here, found),
                    }
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    walk(item, &format!("{path}[{i}]"), found);
                }
            }
            _ => {}
        }
    }
    walk(document, "", &mut found);
    found
}
