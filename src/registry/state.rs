//! What the registry serves, in memory: every schema by id and identity, every subject's
//! versions, settings and data products, and the lookups over them.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, OnceLock};

use crate::compat::Level;
use crate::registry::policy::ProductState;
use crate::registry::{
    Mode, Normalize, Prepared, Reference, Registered, RegistryError, SchemaId, Setting,
    StoredSchema, Version, VersionRecord,
};
use crate::schema::{Format, Schema};

/// A stored schema, with its parsed form built on first use (a restart reads texts only).
#[derive(Debug)]
pub struct SchemaEntry {
    pub id: SchemaId,
    pub stored: StoredSchema,
    /// The schemas its references resolve to, theirs included, in dependency order.
    pub(in crate::registry) imports: Vec<Arc<SchemaEntry>>,
    pub(in crate::registry) parsed: OnceLock<Schema>,
}

impl SchemaEntry {
    pub(in crate::registry) fn new(
        id: SchemaId,
        stored: StoredSchema,
        imports: Vec<Arc<SchemaEntry>>,
    ) -> Self {
        SchemaEntry {
            id,
            stored,
            imports,
            parsed: OnceLock::new(),
        }
    }

    /// The parsed schema, referenced types included. Stored texts are our own normalized forms
    /// and their references cannot be deleted, so they always parse.
    pub fn parsed(&self) -> &Schema {
        self.parsed.get_or_init(|| {
            let format = Format::from_schema_type(Some(&self.stored.schema_type))
                .expect("a stored schema type is one we register");
            parse_with_imports(format, &self.stored.schema, &self.imports)
                .expect("a stored normalized form parses")
        })
    }
}

/// Parses a schema text with the types of the schemas its references resolve to.
pub(in crate::registry) fn parse_with_imports(
    format: Format,
    text: &str,
    imports: &[Arc<SchemaEntry>],
) -> Result<Schema, crate::schema::ParseError> {
    let labels: Vec<String> = imports.iter().map(|e| format!("schema {}", e.id)).collect();
    let references: Vec<(&str, &str)> = labels
        .iter()
        .zip(imports)
        .map(|(label, e)| (label.as_str(), e.stored.schema.as_str()))
        .collect();
    Schema::parse_with_references(format, text, &references)
}

#[derive(Default)]
pub(in crate::registry) struct State {
    pub(in crate::registry) schemas: HashMap<SchemaId, Arc<SchemaEntry>>,
    pub(in crate::registry) identities: HashMap<u64, Vec<SchemaId>>,
    pub(in crate::registry) subjects: BTreeMap<String, BTreeMap<Version, VersionRecord>>,
    pub(in crate::registry) config: HashMap<Option<String>, Level>,
    pub(in crate::registry) normalize: HashMap<Option<String>, Normalize>,
    pub(in crate::registry) modes: HashMap<Option<String>, Mode>,
    pub(in crate::registry) last_id: SchemaId,
    pub(in crate::registry) products: BTreeMap<String, ProductState>,
    /// Subject -> the data product it belongs to.
    pub(in crate::registry) bound: HashMap<String, String>,
}

impl State {
    /// The id of a schema with the same content, if one is stored.
    pub(in crate::registry) fn id_of(
        &self,
        identity: u64,
        content: &StoredSchema,
    ) -> Option<SchemaId> {
        self.identities
            .get(&identity)?
            .iter()
            .copied()
            .find(|id| self.schemas[id].stored.same_content(content))
    }

    /// The live version of a subject that already holds this content, if one does: registering
    /// it again returns that version and creates nothing.
    pub(in crate::registry) fn registered(
        &self,
        subject: &str,
        prepared: &Prepared,
    ) -> Option<Registered> {
        let id = self.id_of(prepared.identity, &prepared.content)?;
        let (version, _) = self.live_versions(subject).find(|(_, r)| r.id == id)?;
        Some(Registered { id, version })
    }

    /// The id a subject's version holds, soft-deleted or not.
    pub(in crate::registry) fn id_at(&self, subject: &str, version: Version) -> Option<SchemaId> {
        Some(self.subjects.get(subject)?.get(&version)?.id)
    }

    /// The schemas `references` resolve to, with their own imports first, each once.
    pub(in crate::registry) fn resolve(
        &self,
        references: &[Reference],
    ) -> Result<Vec<Arc<SchemaEntry>>, RegistryError> {
        let mut imports: Vec<Arc<SchemaEntry>> = Vec::new();
        for reference in references {
            let entry = self
                .id_at(&reference.subject, reference.version)
                .and_then(|id| self.schemas.get(&id))
                .ok_or_else(|| {
                    RegistryError::InvalidSchema(format!(
                        "reference `{}` points to subject `{}` version {}, which does not exist",
                        reference.name, reference.subject, reference.version
                    ))
                })?;
            for import in entry.imports.iter().chain([entry]) {
                if !imports.iter().any(|known| known.id == import.id) {
                    imports.push(import.clone());
                }
            }
        }
        Ok(imports)
    }

    /// Refuses to delete a subject version a data product published: product versions stay
    /// readable for good.
    pub(in crate::registry) fn ensure_unpublished(
        &self,
        subject: &str,
        version: Version,
    ) -> Result<(), RegistryError> {
        let Some(ps) = self.bound.get(subject).and_then(|p| self.products.get(p)) else {
            return Ok(());
        };
        match ps
            .publications
            .iter()
            .find(|p| p.schemas.get(subject).is_some_and(|s| s.version == version))
        {
            Some(publication) => Err(RegistryError::OperationNotPermitted(format!(
                "Subject {subject} version {version} is part of data product {} version {}; published versions are never deleted",
                ps.product.name, publication.version
            ))),
            None => Ok(()),
        }
    }

    /// Ids of schemas whose references name this subject version and that some version holds
    /// (a live one, unless `include_deleted`), ascending.
    pub(in crate::registry) fn referrers(
        &self,
        subject: &str,
        version: Version,
        include_deleted: bool,
    ) -> Vec<SchemaId> {
        let mut ids: Vec<SchemaId> = self
            .schemas
            .values()
            .filter(|e| {
                e.stored
                    .references
                    .iter()
                    .any(|r| r.subject == subject && r.version == version)
            })
            .map(|e| e.id)
            .filter(|id| {
                self.subjects.values().any(|versions| {
                    versions
                        .values()
                        .any(|r| r.id == *id && (include_deleted || !r.deleted))
                })
            })
            .collect();
        ids.sort_unstable();
        ids
    }

    pub(in crate::registry) fn versions(
        &self,
        subject: &str,
    ) -> impl Iterator<Item = (Version, VersionRecord)> + '_ {
        self.subjects
            .get(subject)
            .into_iter()
            .flat_map(|versions| versions.iter().map(|(v, r)| (*v, *r)))
    }

    pub(in crate::registry) fn live_versions(
        &self,
        subject: &str,
    ) -> impl Iterator<Item = (Version, VersionRecord)> + '_ {
        self.versions(subject).filter(|(_, r)| !r.deleted)
    }

    pub(in crate::registry) fn latest_live(
        &self,
        subject: &str,
    ) -> Option<(Version, VersionRecord)> {
        self.live_versions(subject).last()
    }

    /// Forgets a permanently deleted subject's configuration and mode.
    pub(in crate::registry) fn forget_subject_settings(&mut self, subject: &str) {
        let scope = Some(subject.to_string());
        self.config.remove(&scope);
        self.normalize.remove(&scope);
        self.modes.remove(&scope);
    }

    /// A subject's setting, else the global one, else the default.
    pub(in crate::registry) fn effective<S: Setting>(&self, subject: &str) -> S {
        let map = S::map(self);
        map.get(&Some(subject.to_string()))
            .or_else(|| map.get(&None))
            .copied()
            .unwrap_or_default()
    }
}
