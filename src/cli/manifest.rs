//! A data product's manifest, in any form [`crate::contract`] reads, with the schema files it
//! names read from beside it: what `product lint | check | publish` send.

use std::path::{Path, PathBuf};

use anyhow::Context;
use semver::Version as Semver;

use crate::api::types::{PublishRequest, SchemaRequest, SubjectSchema};
use crate::contract::{self, Contract, Source};
use crate::schema::{Format, Schema};

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

/// A manifest read and checked: its definition, version, and each subject's schema.
#[derive(Debug)]
pub(crate) struct Manifest {
    pub path: PathBuf,
    /// The contract as read: its form, product and document.
    pub contract: Contract,
    pub version: Option<Semver>,
    pub schemas: Vec<ManifestSchema>,
    /// The document as the team wrote it, stored with the publication.
    pub text: String,
}

#[derive(Debug)]
pub(crate) struct ManifestSchema {
    pub subject: String,
    pub format: Format,
    /// `None`: the subject's current schema in the registry.
    pub text: Option<String>,
}

impl Manifest {
    /// Reads a manifest and every file it names. Every problem is collected, each naming the
    /// key, column or file it is about; the error lists them all. `version` gives the version
    /// where the manifest has none, and must agree where it has one.
    pub fn load(path: &Path, version: Option<&Semver>) -> anyhow::Result<Manifest> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read `{}`", path.display()))?;
        let (contract, mut problems) = contract::read_text_with_problems(&text)
            .map_err(|problems| refused(path, &problems))?;
        let version = match (contract.version.clone(), version) {
            (Some(written), Some(given)) if written != *given => {
                problems.push(format!(
                    "the manifest says version {written}, `--product-version` says {given}"
                ));
                Some(written)
            }
            (written, given) => written.or_else(|| given.cloned()),
        };
        let base = path.parent().unwrap_or(Path::new("."));
        let mut schemas = Vec::new();
        for schema in &contract.schemas {
            let (format, text) = match &schema.source {
                Source::Columns(_) => (Format::Arrow, schema.source.columns_text()),
                Source::Registered { format } => (*format, None),
                Source::File {
                    format,
                    path: file,
                    key: at,
                } => {
                    let file = base.join(file);
                    match std::fs::read_to_string(&file) {
                        Err(e) => {
                            problems.push(format!("{at}: cannot read `{}`: {e}", file.display()));
                            continue;
                        }
                        Ok(text) => {
                            if let Err(e) = Schema::parse(*format, &text) {
                                problems.push(format!("{at}: `{}`: {e}", file.display()));
                            }
                            (*format, Some(text))
                        }
                    }
                }
            };
            schemas.push(ManifestSchema {
                subject: schema.subject.clone(),
                format,
                text,
            });
        }
        let contract =
            contract::checked(contract, problems).map_err(|problems| refused(path, &problems))?;
        Ok(Manifest {
            path: path.to_path_buf(),
            contract,
            version,
            schemas,
            text,
        })
    }

    /// The version to publish, which a manifest without one must be given.
    pub fn version(&self) -> anyhow::Result<&Semver> {
        self.version.as_ref().ok_or_else(|| {
            anyhow::anyhow!(
                "`{}` declares no version: add `metadata.version`, or give `--product-version`",
                self.path.display()
            )
        })
    }

    /// The publication request for the native API.
    pub fn publication(&self) -> anyhow::Result<PublishRequest> {
        Ok(PublishRequest {
            version: self.version()?.to_string(),
            schemas: self
                .schemas
                .iter()
                .map(|s| SubjectSchema {
                    subject: s.subject.clone(),
                    schema: SchemaRequest {
                        schema: s.text.clone(),
                        schema_type: Some(s.format.schema_type().to_string()),
                        ..SchemaRequest::default()
                    },
                })
                .collect(),
            manifest: Some(self.text.clone()),
        })
    }
}
