//! Data product manifests: one YAML file per product, versioned with the pipeline's code, in
//! accord's own form (below) or a form that lists columns (see [`crate::contract`]), told apart
//! by content.
//!
//! ```yaml
//! name: payments.transactions
//! domain: payments
//! owner: payments-engineering
//! version: 1.1.0
//! notice_days: 14          # optional, 14 by default
//! overlap_days: 30         # optional, 30 by default
//! compatibility: BACKWARD  # optional, BACKWARD by default
//! schemas:
//!   - subject: payments.transactions-value
//!     format: avro         # optional: avro (the default) or arrow
//!     file: schemas/transaction.avsc   # relative to the manifest
//! ```

use std::path::{Path, PathBuf};

use anyhow::Context;
use semver::Version as Semver;
use serde::Deserialize;

use crate::api::types::{PublishRequest, SchemaRequest, SubjectSchema};
use crate::compat::Level;
use crate::contract::{Form, tabular};
use crate::registry::DataProduct;
use crate::schema::{Format, Schema};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    name: String,
    domain: String,
    owner: String,
    version: String,
    notice_days: Option<u32>,
    overlap_days: Option<u32>,
    compatibility: Option<String>,
    schemas: Vec<RawSchema>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSchema {
    subject: String,
    format: Option<String>,
    file: PathBuf,
}

/// Every problem of a manifest, in one error.
fn refused(path: &Path, problems: &[String]) -> anyhow::Error {
    anyhow::anyhow!(
        "`{}` has {} problem{}:\n  {}",
        path.display(),
        problems.len(),
        if problems.len() == 1 { "" } else { "s" },
        problems.join("\n  ")
    )
}

/// A manifest read and checked: its definition, version, and each subject's schema text.
#[derive(Debug)]
pub(crate) struct Manifest {
    pub product: DataProduct,
    pub version: Semver,
    pub schemas: Vec<ManifestSchema>,
}

#[derive(Debug)]
pub(crate) struct ManifestSchema {
    pub subject: String,
    /// `AVRO` or `ARROW`.
    pub format: Format,
    pub text: String,
}

impl Manifest {
    /// Reads a manifest and everything it names. Every problem is collected, each naming the
    /// field or file it is about; the error lists them all.
    pub fn load(path: &Path) -> anyhow::Result<Manifest> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read `{}`", path.display()))?;
        let document: serde_json::Value = yaml_serde::from_str(&text)
            .map_err(|e| anyhow::anyhow!("`{}`: {e}", path.display()))?;
        let form = Form::of(&document).map_err(|e| anyhow::anyhow!("`{}`: {e}", path.display()))?;
        if form != Form::Accord {
            return Self::from_columns(path, form, &document);
        }
        let raw: Raw = yaml_serde::from_str(&text)
            .map_err(|e| anyhow::anyhow!("`{}`: {e}", path.display()))?;
        let mut problems = Vec::new();
        let version = Semver::parse(raw.version.trim())
            .map_err(|e| {
                problems.push(format!(
                    "`version`: `{}` is not a semantic version ({e}); expected e.g. 1.2.0",
                    raw.version
                ))
            })
            .unwrap_or_else(|()| Semver::new(0, 0, 0));
        let compatibility = match raw.compatibility.as_deref() {
            None => Level::Backward,
            Some(text) => text.parse().unwrap_or_else(|e| {
                problems.push(format!("`compatibility`: {e}"));
                Level::Backward
            }),
        };
        let base = path.parent().unwrap_or(Path::new("."));
        let mut schemas = Vec::new();
        for (i, schema) in raw.schemas.iter().enumerate() {
            let at = format!("`schemas[{i}]` ({})", schema.subject);
            let format = schema.format.as_deref().map(str::to_ascii_lowercase);
            let format = match format.as_deref() {
                None | Some("avro") => Format::Avro,
                Some("arrow") => Format::Arrow,
                Some(other) => {
                    problems.push(format!(
                        "{at}: format `{other}` is not supported; use `avro` or `arrow`"
                    ));
                    continue;
                }
            };
            let file = base.join(&schema.file);
            match std::fs::read_to_string(&file) {
                Err(e) => problems.push(format!("{at}: cannot read `{}`: {e}", file.display())),
                Ok(text) => {
                    if let Err(e) = Schema::parse(format, &text) {
                        problems.push(format!("{at}: `{}`: {e}", file.display()));
                    }
                    schemas.push(ManifestSchema {
                        subject: schema.subject.clone(),
                        format,
                        text,
                    });
                }
            }
        }
        let product = DataProduct {
            name: raw.name,
            domain: raw.domain,
            owner: raw.owner,
            notice_days: raw.notice_days.unwrap_or(DataProduct::DEFAULT_NOTICE_DAYS),
            overlap_days: raw
                .overlap_days
                .unwrap_or(DataProduct::DEFAULT_OVERLAP_DAYS),
            compatibility,
            subjects: raw.schemas.iter().map(|s| s.subject.clone()).collect(),
        };
        if let Err(e) = product.validate() {
            problems.push(e.to_string());
        }
        if !problems.is_empty() {
            return Err(refused(path, &problems));
        }
        Ok(Manifest {
            product,
            version,
            schemas,
        })
    }

    /// A manifest that lists columns: its one subject, named as the product, carries the
    /// columns as an Arrow schema.
    fn from_columns(path: &Path, form: Form, document: &serde_json::Value) -> anyhow::Result<Self> {
        let contract =
            tabular::read(form, document).map_err(|problems| refused(path, &problems))?;
        let schemas = vec![ManifestSchema {
            subject: contract.product.name.clone(),
            format: Format::Arrow,
            text: contract.schema_text(),
        }];
        Ok(Manifest {
            product: contract.product,
            version: contract.version,
            schemas,
        })
    }

    /// The publication request for the native API.
    pub fn publication(&self) -> PublishRequest {
        PublishRequest {
            version: self.version.to_string(),
            schemas: self
                .schemas
                .iter()
                .map(|s| SubjectSchema {
                    subject: s.subject.clone(),
                    schema: SchemaRequest {
                        schema: Some(s.text.clone()),
                        schema_type: Some(s.format.schema_type().to_string()),
                        ..SchemaRequest::default()
                    },
                })
                .collect(),
        }
    }
}
