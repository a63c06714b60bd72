//! Reading subjects, versions and schemas.

use std::sync::Arc;

use crate::registry::{Registry, RegistryError, SchemaEntry, SchemaId, Version, VersionSpec};

/// A version of a subject, as clients see it.
#[derive(Debug, Clone)]
pub struct SubjectVersion {
    pub subject: String,
    pub version: Version,
    pub schema: Arc<SchemaEntry>,
    pub deleted: bool,
}

/// How much a registry holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Holdings {
    pub schemas: usize,
    pub subjects: usize,
    pub products: usize,
    pub max_id: SchemaId,
}

impl Registry {
    /// Subjects with at least one live version (or any version, with `include_deleted`), sorted.
    pub fn subjects(&self, include_deleted: bool, deleted_only: bool) -> Vec<String> {
        let state = self.read();
        state
            .subjects
            .by_subject
            .iter()
            .filter(|(_, versions)| {
                let live = versions.values().any(|r| !r.deleted);
                if deleted_only {
                    !live && !versions.is_empty()
                } else {
                    live || (include_deleted && !versions.is_empty())
                }
            })
            .map(|(name, _)| name.clone())
            .collect()
    }

    /// A subject's version numbers, ascending.
    pub fn versions(
        &self,
        subject: &str,
        include_deleted: bool,
    ) -> Result<Vec<Version>, RegistryError> {
        let state = self.read();
        let versions: Vec<Version> = state
            .subjects
            .versions(subject)
            .filter(|(_, r)| include_deleted || !r.deleted)
            .map(|(v, _)| v)
            .collect();
        if versions.is_empty() {
            return Err(RegistryError::SubjectNotFound(subject.to_string()));
        }
        Ok(versions)
    }

    /// One version of a subject; `latest` is the highest live version.
    pub fn version(
        &self,
        subject: &str,
        spec: VersionSpec,
        include_deleted: bool,
    ) -> Result<SubjectVersion, RegistryError> {
        let state = self.read();
        let found = match spec {
            VersionSpec::Latest => state.subjects.latest_live(subject),
            VersionSpec::Number(n) => state
                .subjects
                .versions(subject)
                .find(|(v, r)| *v == n && (include_deleted || !r.deleted)),
        };
        match found {
            Some((version, record)) => Ok(SubjectVersion {
                subject: subject.to_string(),
                version,
                schema: state.subjects.schemas[&record.id].clone(),
                deleted: record.deleted,
            }),
            None if state
                .subjects
                .versions(subject)
                .any(|(_, r)| include_deleted || !r.deleted) =>
            {
                Err(RegistryError::VersionNotFound(spec.to_string()))
            }
            None => Err(RegistryError::SubjectNotFound(subject.to_string())),
        }
    }

    /// A schema by its id; soft-deleted schemas stay readable.
    pub fn schema(&self, id: SchemaId) -> Result<Arc<SchemaEntry>, RegistryError> {
        let held = || self.read().subjects.schemas.get(&id).cloned();
        if let Some(entry) = held() {
            return Ok(entry);
        }
        // Another process sharing the store may have just handed it out: a producer's
        // serializer registers through one node, its consumers read the id through another.
        if self.store.shared().is_some() {
            self.catch_up()?;
        }
        held().ok_or(RegistryError::SchemaNotFound(id))
    }

    /// The subject-versions holding a schema id.
    pub fn uses_of(
        &self,
        id: SchemaId,
        include_deleted: bool,
    ) -> Result<Vec<(String, Version)>, RegistryError> {
        let state = self.read();
        if !state.subjects.schemas.contains_key(&id) {
            return Err(RegistryError::SchemaNotFound(id));
        }
        Ok(state
            .subjects
            .by_subject
            .iter()
            .flat_map(|(subject, versions)| {
                versions
                    .iter()
                    .filter(|(_, r)| r.id == id && (include_deleted || !r.deleted))
                    .map(move |(v, _)| (subject.clone(), *v))
            })
            .collect())
    }

    /// The subject-version that best answers "the schema with this id, for this subject".
    pub fn preferred_use(&self, id: SchemaId, subject: Option<&str>) -> Option<(String, Version)> {
        let uses = self.uses_of(id, true).ok()?;
        uses.iter()
            .find(|(s, _)| Some(s.as_str()) == subject)
            .or_else(|| uses.first())
            .cloned()
    }

    /// Ids of the schemas that reference a subject version (`GET .../referencedby`).
    pub fn referenced_by(
        &self,
        subject: &str,
        spec: VersionSpec,
        include_deleted: bool,
    ) -> Result<Vec<SchemaId>, RegistryError> {
        let found = self.version(subject, spec, true)?;
        Ok(self
            .read()
            .subjects
            .referrers(subject, found.version, include_deleted))
    }

    /// The largest schema id handed out so far.
    pub fn max_id(&self) -> SchemaId {
        self.read().subjects.last_id
    }

    /// Writes a consistent copy of the registry into the new directory `to` (on this machine)
    /// while it goes on serving, and says what the copy holds.
    pub fn backup(&self, to: &std::path::Path) -> Result<Holdings, RegistryError> {
        // What the copy holds is at least what was committed before it started.
        let holdings = self.holdings();
        self.store.checkpoint(to)?;
        Ok(holdings)
    }

    /// How much the registry holds: for a backup's summary, and a restore's.
    pub fn holdings(&self) -> Holdings {
        let state = self.read();
        Holdings {
            schemas: state.subjects.schema_count(),
            subjects: self.subjects(true, false).len(),
            products: state.products.len(),
            max_id: state.subjects.last_id,
        }
    }

    /// Whether writes can succeed now (after a write failed on a full disk, say, they cannot
    /// until the store recovers, which this tries).
    pub fn writable(&self) -> Result<(), RegistryError> {
        Ok(self.store.writable()?)
    }
}
