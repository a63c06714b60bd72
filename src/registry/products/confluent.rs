//! A product's subjects as Confluent clients see them: registrations held to the product's
//! policy, and the latest schema of a major line.

use std::sync::Arc;

use semver::Version as Semver;

use super::publish::{implicit_breaking_change, required_bump};
use crate::compat::Bump;
use crate::registry::policy::{Line, ProductError, Publication, PublishedSchema, minimum_version};
use crate::registry::{
    MAJOR_VERSION_PROPERTY, PRODUCT_VERSION_PROPERTY, Prepared, Registered, Registry,
    RegistryError, SchemaEntry, Submission,
};

impl Registry {
    /// Registers one subject's schema through the Confluent API into the product the subject
    /// belongs to: the product version comes from the schema's metadata, or is the next minor
    /// (patch for doc-only changes) of the line.
    pub(in crate::registry) fn register_in_product(
        &self,
        product: &str,
        subject: &str,
        prepared: Prepared,
        actor: Option<&str>,
    ) -> Result<Registered, RegistryError> {
        let actor = actor.unwrap_or("confluent-api");
        let property = |key: &str| {
            prepared
                .content
                .metadata
                .as_ref()
                .and_then(|m| m.get("properties"))
                .and_then(|p| p.get(key))
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        // The version is derived from the product's state: hold the products lock from here to
        // the publication, so concurrent registrations each get the next version.
        let _products = self.product_guard()?;
        // Registered meanwhile (the same schema from another producer): nothing to publish.
        if let Some(registered) = self.read().subjects.registered(subject, &prepared) {
            return Ok(registered);
        }
        let ps = self.product_state(product)?;
        let wanted = (
            property(PRODUCT_VERSION_PROPERTY),
            property(MAJOR_VERSION_PROPERTY),
        );
        let items = vec![(subject.to_string(), prepared)];
        let version = match wanted {
            (Some(text), _) => {
                Semver::parse(text.trim()).map_err(|e| ProductError::InvalidVersion {
                    version: text.clone(),
                    reason: e.to_string(),
                })?
            }
            (None, major) => {
                let line = match major {
                    Some(text) => {
                        let major: u64 =
                            text.trim()
                                .parse()
                                .map_err(|_| ProductError::InvalidVersion {
                                    version: text.clone(),
                                    reason: format!("`{MAJOR_VERSION_PROPERTY}` must be a number"),
                                })?;
                        ps.lines()
                            .into_iter()
                            .rfind(|l| l.major == major)
                            .unwrap_or(Line { major, minor: None })
                    }
                    None => ps
                        .latest()
                        .map_or(Line::of(&Semver::new(1, 0, 0)), |p| Line::of(&p.version)),
                };
                match ps.latest_in(line) {
                    None if ps.publications.is_empty() => Semver::new(1, 0, 0),
                    None => Line {
                        major: line.major.saturating_sub(1),
                        minor: None,
                    }
                    .next_start(),
                    Some(base) => {
                        let checks = self.subject_checks(&ps, line, &items)?;
                        let required = required_bump(&checks);
                        if required == Bump::Major {
                            let refusal =
                                implicit_breaking_change(&ps, line, &checks, self.clock.now());
                            let error = RegistryError::from(refusal);
                            let findings = checks
                                .iter()
                                .flat_map(super::SubjectCheck::findings)
                                .collect();
                            let next = line.next_start();
                            self.audit_refusal(&ps, actor, &next, &error, findings)?;
                            return Err(error);
                        }
                        minimum_version(&base.version, required.max(Bump::Patch))
                    }
                }
            }
        };
        if let Err(e) = self.check_subjects(&ps, &items) {
            self.audit_refusal(&ps, actor, &version, &e, Vec::new())?;
            return Err(e);
        }
        let (_, publication) =
            self.publish_locked(&ps, &version, items, Submission::default(), actor)?;
        let published = publication.schemas[subject];
        Ok(Registered {
            id: published.id,
            version: published.version,
        })
    }

    /// A compatibility check of one subject's schema against the latest line of its product.
    pub(in crate::registry) fn check_in_product(
        &self,
        product: &str,
        subject: &str,
        prepared: Prepared,
    ) -> Result<super::Verdict, RegistryError> {
        let ps = self.product_state(product)?;
        let Some(latest) = ps.latest() else {
            return Ok(super::Verdict::nothing_to_check());
        };
        let line = Line::of(&latest.version);
        let checks = self.subject_checks(&ps, line, &[(subject.to_string(), prepared)])?;
        // One subject, one check.
        let Some(check) = checks.into_iter().next() else {
            return Ok(super::Verdict::nothing_to_check());
        };
        Ok(super::Verdict {
            compatible: check.report.compatible,
            report: Some(check.report),
            against: check.against,
            mismatch: None,
        })
    }

    /// The subject version a product version holds for a subject.
    pub fn published_schema(
        &self,
        name: &str,
        version: &Semver,
        subject: &str,
    ) -> Result<(PublishedSchema, Arc<SchemaEntry>), RegistryError> {
        let ps = self.product_state(name)?;
        let publication = ps
            .publications
            .iter()
            .find(|p| p.version == *version)
            .ok_or_else(|| RegistryError::VersionNotFound(version.to_string()))?;
        let published =
            *publication
                .schemas
                .get(subject)
                .ok_or_else(|| ProductError::SubjectNotInProduct {
                    subject: subject.to_string(),
                    product: name.to_string(),
                })?;
        Ok((published, self.schema(published.id)?))
    }

    /// The latest version of a subject whose metadata property `key` is `value` (Confluent's
    /// `GET /subjects/{s}/metadata`). For a product's subject, `application.major.version` and
    /// `accord.product.version` are answered from its publications: the latest schema of a major.
    pub fn latest_with_metadata(
        &self,
        subject: &str,
        key: &str,
        value: &str,
        include_deleted: bool,
    ) -> Result<super::SubjectVersion, RegistryError> {
        let state = self.read();
        let published = state
            .bound
            .get(subject)
            .and_then(|name| state.products.get(name))
            .and_then(|ps| {
                let matches = |p: &&Publication| match key {
                    MAJOR_VERSION_PROPERTY => p.version.major.to_string() == value.trim(),
                    PRODUCT_VERSION_PROPERTY => p.version.to_string() == value.trim(),
                    _ => false,
                };
                ps.publications
                    .iter()
                    .filter(matches)
                    .max_by(|a, b| a.version.cmp(&b.version))
                    .and_then(|p| p.schemas.get(subject))
                    .map(|s| s.version)
            });
        let subjects = &state.subjects;
        let property = |record: &super::VersionRecord| {
            subjects
                .schema(record.id)
                .and_then(|entry| entry.stored.metadata.as_ref())
                .and_then(|m| m.get("properties"))
                .and_then(|p| p.get(key))
                .and_then(|v| v.as_str())
                == Some(value)
        };
        let found = subjects
            .versions(subject)
            .filter(|(_, r)| include_deleted || !r.deleted)
            .filter(|(v, r)| published == Some(*v) || property(r))
            .filter_map(|(version, record)| Some((version, record, subjects.schema(record.id)?)))
            .last();
        match found {
            Some((version, record, schema)) => Ok(super::SubjectVersion {
                subject: subject.to_string(),
                version,
                schema: schema.clone(),
                deleted: record.deleted,
            }),
            None if subjects.versions(subject).next().is_none() => {
                Err(RegistryError::SubjectNotFound(subject.to_string()))
            }
            None => Err(RegistryError::SchemaNotFoundUnderSubject),
        }
    }
}
