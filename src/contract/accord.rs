//! accord's own manifest: the product's definition, its version, and the schema file of each
//! subject (relative to the manifest).
//!
//! ```yaml
//! name: payments.transactions
//! domain: payments
//! owner: payments-engineering
//! version: 1.1.0
//! notice_days: 14          # optional, 14 by default
//! overlap_days: 30         # optional, 30 by default
//! compatibility: BACKWARD  # optional, BACKWARD by default
//! sunset_waits_for_consumers: true  # optional: no retirement while consumers remain
//! schemas:
//!   - subject: payments.transactions-value
//!     format: avro         # optional: avro (the default) or arrow
//!     file: schemas/transaction.avsc   # relative to the manifest
//! # optional, for the catalog and the governance policy:
//! description: One row per payment attempt.
//! contact: "#payments-eng"  # a chat channel or an email
//! tags: [payments, finance]
//! sla: {freshness: 5 minutes, availability: 99.9%}
//! access: {pii_columns: requires_approval}
//! input_ports: [growth.users@1]  # the products it reads: registers it as their consumer
//! ```

use semver::Version as Semver;
use serde::Deserialize;

use super::forms::Form;
use super::{Contract, ContractSchema, Source};
use crate::compat::Level;
use crate::registry::DataProduct;
use crate::schema::Format;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Raw {
    name: String,
    domain: String,
    owner: String,
    version: String,
    notice_days: Option<u32>,
    overlap_days: Option<u32>,
    compatibility: Option<String>,
    #[serde(default)]
    sunset_waits_for_consumers: bool,
    schemas: Vec<RawSchema>,
    // Read by the catalog and the governance policy from the document.
    #[serde(rename = "description")]
    _description: Option<String>,
    #[serde(rename = "contact")]
    _contact: Option<String>,
    #[serde(rename = "tags")]
    _tags: Option<Vec<String>>,
    #[serde(rename = "sla")]
    _sla: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(rename = "access")]
    _access: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(rename = "input_ports")]
    _input_ports: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSchema {
    subject: String,
    format: Option<String>,
    file: String,
}

/// A schema's `format`, `avro` when not given.
pub(crate) fn format(text: Option<&str>) -> Result<Format, String> {
    match text.map(str::to_ascii_lowercase).as_deref() {
        None | Some("avro") => Ok(Format::Avro),
        Some("arrow") => Ok(Format::Arrow),
        Some(other) => Err(format!(
            "format `{other}` is not supported; use `avro` or `arrow`"
        )),
    }
}

pub(crate) fn read(raw: Raw, document: serde_json::Value, problems: &mut Vec<String>) -> Contract {
    let version = match Semver::parse(raw.version.trim()) {
        Ok(version) => Some(version),
        Err(e) => {
            problems.push(format!(
                "`version`: `{}` is not a semantic version ({e}); expected e.g. 1.2.0",
                raw.version
            ));
            None
        }
    };
    let compatibility = match raw.compatibility.as_deref() {
        None => Level::Backward,
        Some(text) => text.parse().unwrap_or_else(|e| {
            problems.push(format!("`compatibility`: {e}"));
            Level::Backward
        }),
    };
    let mut schemas = Vec::new();
    for (i, schema) in raw.schemas.iter().enumerate() {
        match format(schema.format.as_deref()) {
            Ok(format) => schemas.push(ContractSchema {
                subject: schema.subject.clone(),
                source: Source::File {
                    format,
                    path: schema.file.clone(),
                    key: format!("`schemas[{i}]` ({})", schema.subject),
                },
                field_keys: Vec::new(),
            }),
            Err(e) => problems.push(format!("`schemas[{i}]` ({}): {e}", schema.subject)),
        }
    }
    let contract = Contract {
        form: Form::Accord,
        product: DataProduct {
            name: raw.name,
            domain: raw.domain,
            owner: raw.owner,
            notice_days: raw.notice_days.unwrap_or(DataProduct::DEFAULT_NOTICE_DAYS),
            overlap_days: raw
                .overlap_days
                .unwrap_or(DataProduct::DEFAULT_OVERLAP_DAYS),
            compatibility,
            subjects: raw.schemas.iter().map(|s| s.subject.clone()).collect(),
            sunset_waits_for_consumers: raw.sunset_waits_for_consumers,
            manifest: None,
        },
        version,
        schemas,
        document,
        upstream: None,
    };
    // accord's own keys are all known once parsed: the definition is checked with them.
    if let Err(e) = contract.product.validate() {
        problems.push(e.to_string());
    }
    contract
}
