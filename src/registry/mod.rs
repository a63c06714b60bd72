//! The registry domain: subjects, versions, global schema ids, compatibility configuration and
//! modes, with Confluent Schema Registry's semantics. It calls `compat` to judge a new version
//! and the `store` to keep it, and serves every read from memory.
//!
//! Concurrency: registrations and deletes take their subject's lock, so each accepted version is
//! checked against what was really there; the compatibility check runs without any global lock,
//! so different subjects proceed in parallel; allocation and the synced write share one short
//! commit lock; readers only ever wait for the brief swap of the in-memory state.

mod clock;
mod model;
mod product;
mod products;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, OnceLock, RwLock};

pub use clock::{Clock, FixedClock, SystemClock};
use model::keys;
pub use model::{
    Mode, Reference, SchemaId, StoredSchema, SubjectName, Version, VersionRecord, VersionSpec,
};
pub use product::{
    AuditEntry, DAY_MILLIS, DataProduct, Line, LineState, Notice, ProductError, ProductState,
    Publication, PublishedSchema, Step, date,
};
pub use products::{
    Evaluation, LineStatus, MAJOR_VERSION_PROPERTY, PRODUCT_VERSION_PROPERTY, SubjectCheck,
};

use crate::compat::{self, Level};
use crate::schema::{Format, Schema};
use crate::store::{Keyspace, Store, StoreError, WriteBatch};

/// A registry over a store.
pub struct Registry {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    state: RwLock<State>,
    subject_locks: Mutex<HashMap<String, Arc<Mutex<()>>>>,
    commit: Mutex<()>,
    /// Serializes changes to data products (definitions, publications, notices).
    products_lock: Mutex<()>,
}

/// A stored schema, with its parsed form built on first use (a restart reads texts only).
#[derive(Debug)]
pub struct SchemaEntry {
    pub id: SchemaId,
    pub stored: StoredSchema,
    /// The schemas its references resolve to, theirs included, in dependency order.
    imports: Vec<Arc<SchemaEntry>>,
    parsed: OnceLock<Schema>,
}

impl SchemaEntry {
    fn new(id: SchemaId, stored: StoredSchema, imports: Vec<Arc<SchemaEntry>>) -> Self {
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
fn parse_with_imports(
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
struct State {
    schemas: HashMap<SchemaId, Arc<SchemaEntry>>,
    identities: HashMap<u64, Vec<SchemaId>>,
    subjects: BTreeMap<String, BTreeMap<Version, VersionRecord>>,
    config: HashMap<Option<String>, Level>,
    normalize: HashMap<Option<String>, Normalize>,
    modes: HashMap<Option<String>, Mode>,
    last_id: SchemaId,
    products: BTreeMap<String, ProductState>,
    /// Subject -> the data product it belongs to.
    bound: HashMap<String, String>,
}

impl State {
    /// The id of a schema with the same content, if one is stored.
    fn id_of(&self, identity: u64, content: &StoredSchema) -> Option<SchemaId> {
        self.identities
            .get(&identity)?
            .iter()
            .copied()
            .find(|id| self.schemas[id].stored.same_content(content))
    }

    /// The live version of a subject that already holds this content, if one does: registering
    /// it again returns that version and creates nothing.
    fn registered(&self, subject: &str, prepared: &Prepared) -> Option<Registered> {
        let id = self.id_of(prepared.identity, &prepared.content)?;
        let (version, _) = self.live_versions(subject).find(|(_, r)| r.id == id)?;
        Some(Registered { id, version })
    }

    /// The id a subject's version holds, soft-deleted or not.
    fn id_at(&self, subject: &str, version: Version) -> Option<SchemaId> {
        Some(self.subjects.get(subject)?.get(&version)?.id)
    }

    /// The schemas `references` resolve to, with their own imports first, each once.
    fn resolve(&self, references: &[Reference]) -> Result<Vec<Arc<SchemaEntry>>, RegistryError> {
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
    fn ensure_unpublished(&self, subject: &str, version: Version) -> Result<(), RegistryError> {
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
    fn referrers(&self, subject: &str, version: Version, include_deleted: bool) -> Vec<SchemaId> {
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

    fn versions(&self, subject: &str) -> impl Iterator<Item = (Version, VersionRecord)> + '_ {
        self.subjects
            .get(subject)
            .into_iter()
            .flat_map(|versions| versions.iter().map(|(v, r)| (*v, *r)))
    }

    fn live_versions(&self, subject: &str) -> impl Iterator<Item = (Version, VersionRecord)> + '_ {
        self.versions(subject).filter(|(_, r)| !r.deleted)
    }

    fn latest_live(&self, subject: &str) -> Option<(Version, VersionRecord)> {
        self.live_versions(subject).last()
    }

    /// Forgets a permanently deleted subject's configuration and mode.
    fn forget_subject_settings(&mut self, subject: &str) {
        let scope = Some(subject.to_string());
        self.config.remove(&scope);
        self.normalize.remove(&scope);
        self.modes.remove(&scope);
    }

    /// A subject's setting, else the global one, else the default.
    fn effective<S: Setting>(&self, subject: &str) -> S {
        let map = S::map(self);
        map.get(&Some(subject.to_string()))
            .or_else(|| map.get(&None))
            .copied()
            .unwrap_or_default()
    }
}

/// A schema a client submits.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewSchema {
    pub schema: String,
    /// `None` means AVRO.
    pub schema_type: Option<String>,
    pub references: Vec<Reference>,
    pub metadata: Option<serde_json::Value>,
    pub rule_set: Option<serde_json::Value>,
    /// Serve the normalized form rather than the text as written (Confluent's `normalize=true`).
    pub normalize: bool,
}

/// Ids a client in IMPORT mode asks for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Import {
    pub id: Option<SchemaId>,
    pub version: Option<Version>,
}

/// A version of a subject, as clients see it.
#[derive(Debug, Clone)]
pub struct SubjectVersion {
    pub subject: String,
    pub version: Version,
    pub schema: Arc<SchemaEntry>,
    pub deleted: bool,
}

/// What a registration produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Registered {
    pub id: SchemaId,
    pub version: Version,
}

/// The verdict of a compatibility check, with one line per finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub compatible: bool,
    pub messages: Vec<String>,
}

/// What went wrong, in the registry's words; the API maps each to Confluent's status and code.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("Subject '{0}' not found.")]
    SubjectNotFound(String),
    #[error("Version {0} not found.")]
    VersionNotFound(String),
    #[error("Schema {0} not found")]
    SchemaNotFound(SchemaId),
    #[error("Schema not found")]
    SchemaNotFoundUnderSubject,
    #[error("Subject '{0}' was soft deleted.Set permanent=true to delete permanently")]
    SubjectSoftDeleted(String),
    #[error("Subject '{0}' was not deleted first before being permanently deleted")]
    SubjectNotSoftDeleted(String),
    #[error("Subject '{0}' Version {1} was soft deleted.Set permanent=true to delete permanently")]
    VersionSoftDeleted(String, Version),
    #[error("Subject '{0}' Version {1} was not deleted first before being permanently deleted")]
    VersionNotSoftDeleted(String, Version),
    #[error("Subject '{0}' does not have subject-level compatibility configured")]
    SubjectConfigNotFound(String),
    #[error("Subject '{0}' does not have subject-level mode configured")]
    SubjectModeNotFound(String),
    #[error(
        "Schema being registered is incompatible with an earlier schema for subject \"{subject}\" at {level}, details: [{}]",
        findings.join("; ")
    )]
    Incompatible {
        subject: String,
        level: Level,
        findings: Vec<String>,
    },
    #[error("Invalid schema: {0}")]
    InvalidSchema(String),
    #[error(
        "The specified version '{0}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\""
    )]
    InvalidVersion(String),
    #[error(
        "Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive"
    )]
    InvalidCompatibilityLevel(String),
    #[error("Invalid mode. Valid values are READWRITE, READONLY, READONLY_OVERRIDE and IMPORT.")]
    InvalidMode(String),
    #[error("{0}")]
    OperationNotPermitted(String),
    #[error(
        "One or more references exist to the schema {{magic=1,keytype=SCHEMA,subject={0},version={1}}}."
    )]
    ReferenceExists(String, Version),
    #[error("Schema id {0} is already registered with different content")]
    IdConflict(SchemaId),
    #[error("The specified subject '{0}' is not a valid.")]
    InvalidSubject(String),
    /// Boxed: product refusals carry findings and dates, and every `Result` would pay for them.
    #[error(transparent)]
    Product(Box<ProductError>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<ProductError> for RegistryError {
    fn from(error: ProductError) -> Self {
        RegistryError::Product(Box::new(error))
    }
}

/// A submitted schema, parsed with its references and reduced to what identity is decided on.
struct Prepared {
    parsed: Schema,
    content: StoredSchema,
    imports: Vec<Arc<SchemaEntry>>,
    identity: u64,
}

impl Registry {
    /// Opens the registry over a store, loading what it serves into memory.
    pub fn open(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Result<Self, RegistryError> {
        let state = load(store.as_ref())?;
        Ok(Registry {
            store,
            clock,
            state: RwLock::new(state),
            subject_locks: Mutex::new(HashMap::new()),
            commit: Mutex::new(()),
            products_lock: Mutex::new(()),
        })
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write_state(&self) -> std::sync::RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(|e| e.into_inner())
    }

    fn subject_lock(&self, subject: &str) -> Arc<Mutex<()>> {
        let mut locks = self.subject_locks.lock().unwrap_or_else(|e| e.into_inner());
        locks.entry(subject.to_string()).or_default().clone()
    }

    fn prepare(&self, new: &NewSchema) -> Result<Prepared, RegistryError> {
        if new.schema.trim().is_empty() {
            return Err(RegistryError::InvalidSchema("empty schema".into()));
        }
        let invalid = |e: &dyn std::fmt::Display| RegistryError::InvalidSchema(e.to_string());
        let format =
            Format::from_schema_type(new.schema_type.as_deref()).map_err(|e| invalid(&e))?;
        let imports = self.read().resolve(&new.references)?;
        let parsed = parse_with_imports(format, &new.schema, &imports).map_err(|e| invalid(&e))?;
        let normalized = parsed.normalized_form();
        let original = Some(crate::schema_json::compact(&new.schema)).filter(|t| *t != normalized);
        let content = StoredSchema {
            schema: normalized,
            original,
            schema_type: format.schema_type().into(),
            references: new.references.clone(),
            metadata: new.metadata.clone(),
            rule_set: new.rule_set.clone(),
        };
        Ok(Prepared {
            identity: content.identity(),
            parsed,
            content,
            imports,
        })
    }

    /// Registers a schema under a subject (Confluent's `POST /subjects/{s}/versions`).
    pub fn register(
        &self,
        subject: &SubjectName,
        new: &NewSchema,
        import: Import,
    ) -> Result<Registered, RegistryError> {
        let mut prepared = self.prepare(new)?;
        let subject = subject.as_str();
        if self.normalizes(subject, new.normalize) {
            prepared.content.original = None;
        }
        // A subject of a data product takes new versions as product versions, under the
        // product's rules; IMPORT mode still copies versions as they are.
        if let Some(product) = self.product_of(subject) {
            let state = self.read();
            if let Some(registered) = state.registered(subject, &prepared) {
                return Ok(registered);
            }
            let mode = state.effective::<Mode>(subject);
            drop(state);
            if mode != Mode::Import {
                if mode.is_read_only() {
                    return Err(RegistryError::OperationNotPermitted(format!(
                        "Subject {subject} is in read-only mode"
                    )));
                }
                return self.register_in_product(&product, subject, prepared);
            }
        }
        let lock = self.subject_lock(subject);
        let _subject_guard = lock.lock().unwrap_or_else(|e| e.into_inner());

        // Content already registered under this subject: its id, no new version, no checks.
        let (mode, level, history) = {
            let state = self.read();
            if let Some(registered) = state.registered(subject, &prepared) {
                return Ok(registered);
            }
            let history: Vec<(Version, Arc<SchemaEntry>)> = state
                .live_versions(subject)
                .map(|(v, r)| (v, state.schemas[&r.id].clone()))
                .collect();
            (
                state.effective::<Mode>(subject),
                state.effective::<Level>(subject),
                history,
            )
        };
        match mode {
            Mode::ReadOnly | Mode::ReadOnlyOverride => {
                return Err(RegistryError::OperationNotPermitted(format!(
                    "Subject {subject} is in read-only mode"
                )));
            }
            Mode::Import if import.id.is_none() => {
                return Err(RegistryError::OperationNotPermitted(format!(
                    "Subject {subject} is in import mode: a registration must give its schema id"
                )));
            }
            Mode::ReadWrite if import.id.is_some() || import.version.is_some() => {
                return Err(RegistryError::OperationNotPermitted(format!(
                    "Subject {subject} is not in import mode"
                )));
            }
            _ => {}
        }
        if mode != Mode::Import {
            let verdict = judge(&prepared.parsed, &history, level);
            if !verdict.compatible {
                return Err(RegistryError::Incompatible {
                    subject: subject.to_string(),
                    level,
                    findings: verdict.messages,
                });
            }
        }
        let registered = self.commit(vec![(subject, prepared, import)], |_, _| {}, |_, _| {})?;
        Ok(registered[0])
    }

    /// Allocates ids and versions for new subject versions, writes them durably in one batch
    /// with whatever `extra` adds, then shows them to readers (`apply` updates the rest of the
    /// state under the same write lock). Each item's subject lock must be held.
    fn commit(
        &self,
        items: Vec<(&str, Prepared, Import)>,
        extra: impl FnOnce(&[Registered], &mut WriteBatch),
        apply: impl FnOnce(&mut State, &[Registered]),
    ) -> Result<Vec<Registered>, RegistryError> {
        let _commit = self.commit.lock().unwrap_or_else(|e| e.into_inner());
        let mut planned: Vec<(&str, Prepared, Registered, bool)> = Vec::new();
        let last_id = {
            let state = self.read();
            let mut last_id = state.last_id;
            for (subject, prepared, import) in items {
                // Content new to the store but repeated within this batch gets one id.
                let fresh = planned
                    .iter()
                    .find(|(_, p, _, is_new)| *is_new && p.content.same_content(&prepared.content))
                    .map(|(_, _, r, _)| r.id);
                let existing = state.id_of(prepared.identity, &prepared.content).or(fresh);
                let id = match (import.id, existing) {
                    (Some(wanted), _) => {
                        if let Some(entry) = state.schemas.get(&wanted)
                            && !entry.stored.same_content(&prepared.content)
                        {
                            return Err(RegistryError::IdConflict(wanted));
                        }
                        wanted
                    }
                    (None, Some(id)) => id,
                    (None, None) => last_id + 1,
                };
                let next_version = state.versions(subject).map(|(v, _)| v).max().unwrap_or(0) + 1;
                let version = import.version.unwrap_or(next_version);
                if state.versions(subject).any(|(v, _)| v == version) {
                    return Err(RegistryError::OperationNotPermitted(format!(
                        "Subject {subject} already has a version {version}"
                    )));
                }
                let is_new = !state.schemas.contains_key(&id) && fresh != Some(id);
                last_id = last_id.max(id);
                planned.push((subject, prepared, Registered { id, version }, is_new));
            }
            last_id
        };
        let registered: Vec<Registered> = planned.iter().map(|(_, _, r, _)| *r).collect();
        let ts = self.clock.now_millis();
        let mut batch = WriteBatch::new();
        for (subject, prepared, r, is_new) in &planned {
            if *is_new {
                batch.put(
                    Keyspace::Schemas,
                    keys::schema(r.id),
                    json(&prepared.content),
                );
                batch.put(
                    Keyspace::SchemaIdentity,
                    keys::identity(prepared.identity, r.id),
                    Vec::new(),
                );
            }
            let record = VersionRecord {
                id: r.id,
                deleted: false,
                ts,
            };
            batch.put(
                Keyspace::SubjectVersions,
                keys::subject_version(subject, r.version),
                json(&record),
            );
        }
        if planned.iter().any(|(_, _, _, is_new)| *is_new) {
            batch.put(
                Keyspace::Counters,
                keys::LAST_SCHEMA_ID,
                last_id.to_be_bytes(),
            );
        }
        extra(&registered, &mut batch);
        self.store.write(batch)?;

        let mut state = self.write_state();
        for (subject, prepared, r, is_new) in planned {
            if is_new {
                state
                    .identities
                    .entry(prepared.identity)
                    .or_default()
                    .push(r.id);
                let entry = SchemaEntry::new(r.id, prepared.content, prepared.imports);
                let _ = entry.parsed.set(prepared.parsed);
                state.schemas.insert(r.id, Arc::new(entry));
            }
            let record = VersionRecord {
                id: r.id,
                deleted: false,
                ts,
            };
            state
                .subjects
                .entry(subject.to_string())
                .or_default()
                .insert(r.version, record);
        }
        state.last_id = state.last_id.max(last_id);
        apply(&mut state, &registered);
        Ok(registered)
    }

    /// The version of a subject holding this schema (`POST /subjects/{s}`).
    pub fn lookup(
        &self,
        subject: &SubjectName,
        new: &NewSchema,
        include_deleted: bool,
    ) -> Result<SubjectVersion, RegistryError> {
        let prepared = self.prepare(new)?;
        let subject = subject.as_str();
        let state = self.read();
        let visible: Vec<(Version, VersionRecord)> = state
            .versions(subject)
            .filter(|(_, r)| include_deleted || !r.deleted)
            .collect();
        if visible.is_empty() {
            return Err(RegistryError::SubjectNotFound(subject.to_string()));
        }
        let id = state
            .id_of(prepared.identity, &prepared.content)
            .ok_or(RegistryError::SchemaNotFoundUnderSubject)?;
        let (version, record) = visible
            .into_iter()
            .rev()
            .find(|(_, r)| r.id == id)
            .ok_or(RegistryError::SchemaNotFoundUnderSubject)?;
        Ok(SubjectVersion {
            subject: subject.to_string(),
            version,
            schema: state.schemas[&id].clone(),
            deleted: record.deleted,
        })
    }

    /// Subjects with at least one live version (or any version, with `include_deleted`), sorted.
    pub fn subjects(&self, include_deleted: bool, deleted_only: bool) -> Vec<String> {
        let state = self.read();
        state
            .subjects
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
            VersionSpec::Latest => state.latest_live(subject),
            VersionSpec::Number(n) => state
                .versions(subject)
                .find(|(v, r)| *v == n && (include_deleted || !r.deleted)),
        };
        match found {
            Some((version, record)) => Ok(SubjectVersion {
                subject: subject.to_string(),
                version,
                schema: state.schemas[&record.id].clone(),
                deleted: record.deleted,
            }),
            None if state
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
        self.read()
            .schemas
            .get(&id)
            .cloned()
            .ok_or(RegistryError::SchemaNotFound(id))
    }

    /// The subject-versions holding a schema id.
    pub fn uses_of(
        &self,
        id: SchemaId,
        include_deleted: bool,
    ) -> Result<Vec<(String, Version)>, RegistryError> {
        let state = self.read();
        if !state.schemas.contains_key(&id) {
            return Err(RegistryError::SchemaNotFound(id));
        }
        Ok(state
            .subjects
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
            .referrers(subject, found.version, include_deleted))
    }

    /// The largest schema id handed out so far.
    pub fn max_id(&self) -> SchemaId {
        self.read().last_id
    }

    fn ensure_writable(&self, subject: &str) -> Result<(), RegistryError> {
        if self.read().effective::<Mode>(subject).is_read_only() {
            return Err(RegistryError::OperationNotPermitted(format!(
                "Subject {subject} is in read-only mode"
            )));
        }
        Ok(())
    }

    /// Deletes one version: soft first, then permanently.
    pub fn delete_version(
        &self,
        subject: &str,
        spec: VersionSpec,
        permanent: bool,
    ) -> Result<Version, RegistryError> {
        let lock = self.subject_lock(subject);
        let _guard = lock.lock().unwrap_or_else(|e| e.into_inner());
        self.ensure_writable(subject)?;
        let (version, record) = {
            let state = self.read();
            if state.versions(subject).next().is_none() {
                return Err(RegistryError::SubjectNotFound(subject.to_string()));
            }
            let found = match spec {
                VersionSpec::Latest => state.latest_live(subject),
                VersionSpec::Number(n) => state.versions(subject).find(|(v, _)| *v == n),
            };
            found.ok_or_else(|| RegistryError::VersionNotFound(spec.to_string()))?
        };
        self.read().ensure_unpublished(subject, version)?;
        // A permanent delete would leave even soft-deleted referrers unreadable.
        if !self
            .read()
            .referrers(subject, version, permanent)
            .is_empty()
        {
            return Err(RegistryError::ReferenceExists(subject.into(), version));
        }
        let key = keys::subject_version(subject, version);
        let mut batch = WriteBatch::new();
        let last = self.read().versions(subject).count() == 1;
        match (permanent, record.deleted) {
            (false, true) => {
                return Err(RegistryError::VersionSoftDeleted(subject.into(), version));
            }
            (true, false) => {
                return Err(RegistryError::VersionNotSoftDeleted(
                    subject.into(),
                    version,
                ));
            }
            (false, false) => {
                batch.put(
                    Keyspace::SubjectVersions,
                    key,
                    json(&VersionRecord {
                        deleted: true,
                        ..record
                    }),
                );
            }
            (true, true) => {
                batch.delete(Keyspace::SubjectVersions, key);
                if last {
                    self.forget_subject_settings(subject, &mut batch);
                }
            }
        }
        self.store.write(batch)?;
        let mut state = self.write_state();
        let versions = state.subjects.entry(subject.to_string()).or_default();
        if permanent {
            versions.remove(&version);
            if versions.is_empty() {
                state.subjects.remove(subject);
                state.forget_subject_settings(subject);
            }
        } else if let Some(r) = versions.get_mut(&version) {
            r.deleted = true;
        }
        Ok(version)
    }

    /// Deletes every version of a subject: soft first, then permanently.
    pub fn delete_subject(
        &self,
        subject: &str,
        permanent: bool,
    ) -> Result<Vec<Version>, RegistryError> {
        let lock = self.subject_lock(subject);
        let _guard = lock.lock().unwrap_or_else(|e| e.into_inner());
        self.ensure_writable(subject)?;
        let versions: Vec<(Version, VersionRecord)> = self.read().versions(subject).collect();
        if versions.is_empty() {
            return Err(RegistryError::SubjectNotFound(subject.to_string()));
        }
        {
            let state = self.read();
            for (version, _) in &versions {
                state.ensure_unpublished(subject, *version)?;
            }
            if let Some((version, _)) = versions
                .iter()
                .find(|(v, _)| !state.referrers(subject, *v, permanent).is_empty())
            {
                return Err(RegistryError::ReferenceExists(subject.into(), *version));
            }
        }
        let live: Vec<(Version, VersionRecord)> = versions
            .iter()
            .copied()
            .filter(|(_, r)| !r.deleted)
            .collect();
        let mut batch = WriteBatch::new();
        let deleted: Vec<Version> = if permanent {
            if !live.is_empty() {
                return Err(RegistryError::SubjectNotSoftDeleted(subject.to_string()));
            }
            for (v, _) in &versions {
                batch.delete(
                    Keyspace::SubjectVersions,
                    keys::subject_version(subject, *v),
                );
            }
            self.forget_subject_settings(subject, &mut batch);
            versions.iter().map(|(v, _)| *v).collect()
        } else {
            if live.is_empty() {
                return Err(RegistryError::SubjectSoftDeleted(subject.to_string()));
            }
            for (v, r) in &live {
                batch.put(
                    Keyspace::SubjectVersions,
                    keys::subject_version(subject, *v),
                    json(&VersionRecord {
                        deleted: true,
                        ..*r
                    }),
                );
            }
            live.iter().map(|(v, _)| *v).collect()
        };
        self.store.write(batch)?;
        let mut state = self.write_state();
        if permanent {
            state.subjects.remove(subject);
            state.forget_subject_settings(subject);
        } else if let Some(versions) = state.subjects.get_mut(subject) {
            for r in versions.values_mut() {
                r.deleted = true;
            }
        }
        Ok(deleted)
    }

    fn forget_subject_settings(&self, subject: &str, batch: &mut WriteBatch) {
        batch.delete(Keyspace::Config, Level::key(Some(subject)));
        batch.delete(Keyspace::Config, Normalize::key(Some(subject)));
        batch.delete(Keyspace::Mode, Mode::key(Some(subject)));
    }

    /// Checks a schema against one version (`Some`) or against the subject's history at its level
    /// (`None`), as registration would, without registering anything.
    pub fn check_compatibility(
        &self,
        subject: &str,
        against: Option<VersionSpec>,
        new: &NewSchema,
    ) -> Result<Verdict, RegistryError> {
        let prepared = self.prepare(new)?;
        // A data product's subject is judged as a registration would be: against the latest
        // line of the product, at the product's level.
        if against.is_none()
            && let Some(product) = self.product_of(subject)
        {
            return self.check_in_product(&product, subject, prepared);
        }
        let (level, history) = {
            let state = self.read();
            let level = state.effective::<Level>(subject);
            let history: Vec<(Version, Arc<SchemaEntry>)> = match against {
                None => state
                    .live_versions(subject)
                    .map(|(v, r)| (v, state.schemas[&r.id].clone()))
                    .collect(),
                Some(VersionSpec::Latest) => state
                    .latest_live(subject)
                    .map(|(v, r)| (v, state.schemas[&r.id].clone()))
                    .into_iter()
                    .collect(),
                Some(VersionSpec::Number(n)) => {
                    let (v, r) = state
                        .live_versions(subject)
                        .find(|(v, _)| *v == n)
                        .ok_or_else(|| RegistryError::VersionNotFound(n.to_string()))?;
                    vec![(v, state.schemas[&r.id].clone())]
                }
            };
            (level, history)
        };
        Ok(judge(&prepared.parsed, &history, level))
    }

    /// The configuration of a subject (an error when it has none, unless `default_to_global`,
    /// which merges it over the global one), or with `None` the global one.
    pub fn config(
        &self,
        subject: Option<&str>,
        default_to_global: bool,
    ) -> Result<Config, RegistryError> {
        let state = self.read();
        let own = Config {
            level: Level::map(&state)
                .get(&subject.map(str::to_string))
                .copied(),
            normalize: Normalize::map(&state)
                .get(&subject.map(str::to_string))
                .map(|n| n.0),
        };
        match subject {
            None => Ok(Config {
                level: Some(own.level.unwrap_or_default()),
                ..own
            }),
            Some(s) if default_to_global => Ok(Config {
                level: Some(state.effective::<Level>(s)),
                normalize: own
                    .normalize
                    .or_else(|| Normalize::map(&state).get(&None).map(|n| n.0)),
            }),
            Some(s) if own.is_empty() => Err(Level::not_configured(s)),
            Some(_) => Ok(own),
        }
    }

    /// Sets what `config` gives of a subject's configuration or, with `None`, the global one.
    pub fn set_config(&self, subject: Option<&str>, config: Config) -> Result<(), RegistryError> {
        let mut batch = WriteBatch::new();
        if let Some(level) = config.level {
            stage_setting(&mut batch, subject, level);
        }
        if let Some(normalize) = config.normalize {
            stage_setting(&mut batch, subject, Normalize(normalize));
        }
        self.store.write(batch)?;
        let mut state = self.write_state();
        let scope = subject.map(str::to_string);
        if let Some(level) = config.level {
            Level::map_mut(&mut state).insert(scope.clone(), level);
        }
        if let Some(normalize) = config.normalize {
            Normalize::map_mut(&mut state).insert(scope, Normalize(normalize));
        }
        Ok(())
    }

    /// Removes a configuration and returns it; the global level reverts to BACKWARD. A subject
    /// without one is 40401, as in Confluent.
    pub fn delete_config(&self, subject: Option<&str>) -> Result<Config, RegistryError> {
        let previous = match subject {
            Some(s) => self
                .config(Some(s), false)
                .map_err(|_| RegistryError::SubjectNotFound(s.to_string()))?,
            None => self.config(None, false)?,
        };
        let mut batch = WriteBatch::new();
        batch.delete(Keyspace::Config, Level::key(subject));
        batch.delete(Keyspace::Config, Normalize::key(subject));
        self.store.write(batch)?;
        let mut state = self.write_state();
        Level::map_mut(&mut state).remove(&subject.map(str::to_string));
        Normalize::map_mut(&mut state).remove(&subject.map(str::to_string));
        Ok(previous)
    }

    /// Whether a registration under `subject` stores the normalized form as the served text:
    /// asked for by the request, or configured for the subject or globally.
    fn normalizes(&self, subject: &str, requested: bool) -> bool {
        requested || self.read().effective::<Normalize>(subject).0
    }

    /// The mode of a subject, or the global one.
    pub fn mode(
        &self,
        subject: Option<&str>,
        default_to_global: bool,
    ) -> Result<Mode, RegistryError> {
        self.setting(subject, default_to_global)
    }

    /// Sets a mode. IMPORT is refused while the scope holds live versions, unless forced.
    pub fn set_mode(
        &self,
        subject: Option<&str>,
        mode: Mode,
        force: bool,
    ) -> Result<(), RegistryError> {
        if mode == Mode::Import && !force {
            let state = self.read();
            let occupied = match subject {
                None => state
                    .subjects
                    .keys()
                    .any(|s| state.live_versions(s).next().is_some()),
                Some(s) => state.live_versions(s).next().is_some(),
            };
            if occupied {
                return Err(RegistryError::OperationNotPermitted(
                    "Cannot import since found existing subjects".into(),
                ));
            }
        }
        self.set_setting(subject, mode)
    }

    /// Removes a mode and returns it; the global mode reverts to READWRITE.
    pub fn delete_mode(&self, subject: Option<&str>) -> Result<Mode, RegistryError> {
        self.delete_setting(subject)
    }

    /// A subject's own setting (an error when it has none, unless `default_to_global`), or
    /// with `None` the global one (the default when none is stored).
    fn setting<S: Setting>(
        &self,
        subject: Option<&str>,
        default_to_global: bool,
    ) -> Result<S, RegistryError> {
        let state = self.read();
        match subject {
            None => Ok(S::map(&state).get(&None).copied().unwrap_or_default()),
            Some(s) => match S::map(&state).get(&Some(s.to_string())) {
                Some(value) => Ok(*value),
                None if default_to_global => Ok(state.effective(s)),
                None => Err(S::not_configured(s)),
            },
        }
    }

    fn set_setting<S: Setting>(
        &self,
        subject: Option<&str>,
        value: S,
    ) -> Result<(), RegistryError> {
        let mut batch = WriteBatch::new();
        stage_setting(&mut batch, subject, value);
        self.store.write(batch)?;
        S::map_mut(&mut self.write_state()).insert(subject.map(str::to_string), value);
        Ok(())
    }

    /// Removes a setting and returns it; a subject without one is 40401, as in Confluent.
    fn delete_setting<S: Setting>(&self, subject: Option<&str>) -> Result<S, RegistryError> {
        let previous = match subject {
            Some(s) => S::map(&self.read())
                .get(&Some(s.to_string()))
                .copied()
                .ok_or_else(|| RegistryError::SubjectNotFound(s.to_string()))?,
            None => self.setting(None, false)?,
        };
        let mut batch = WriteBatch::new();
        batch.delete(S::KEYSPACE, S::key(subject));
        self.store.write(batch)?;
        S::map_mut(&mut self.write_state()).remove(&subject.map(str::to_string));
        Ok(previous)
    }
}

fn stage_setting<S: Setting>(batch: &mut WriteBatch, subject: Option<&str>, value: S) {
    batch.put(S::KEYSPACE, S::key(subject), value.name());
}

/// A scope's compatibility configuration, as Confluent's `/config` shows it: the fields set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Config {
    pub level: Option<Level>,
    /// Store the normalized form as the served text (Confluent's `normalize`).
    pub normalize: Option<bool>,
}

impl Config {
    /// A configuration of a level alone.
    pub fn level(level: Level) -> Self {
        Config {
            level: Some(level),
            normalize: None,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.level.is_none() && self.normalize.is_none()
    }
}

/// Whether registrations store the normalized form as the text they serve.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Normalize(bool);

/// A per-subject setting with a global fallback: the compatibility level or the mode.
trait Setting: Copy + Default {
    const KEYSPACE: Keyspace;
    /// Before the scope in the setting's key: settings sharing a keyspace differ by it.
    const KEY_PREFIX: &'static [u8] = b"";
    fn name(self) -> &'static str;
    fn key(subject: Option<&str>) -> Vec<u8> {
        [Self::KEY_PREFIX, &keys::scope(subject)].concat()
    }
    fn map(state: &State) -> &HashMap<Option<String>, Self>;
    fn map_mut(state: &mut State) -> &mut HashMap<Option<String>, Self>;
    /// The error for a subject without its own setting (40408 or 40409).
    fn not_configured(subject: &str) -> RegistryError;
}

impl Setting for Level {
    const KEYSPACE: Keyspace = Keyspace::Config;
    fn name(self) -> &'static str {
        Level::name(self)
    }
    fn map(state: &State) -> &HashMap<Option<String>, Self> {
        &state.config
    }
    fn map_mut(state: &mut State) -> &mut HashMap<Option<String>, Self> {
        &mut state.config
    }
    fn not_configured(subject: &str) -> RegistryError {
        RegistryError::SubjectConfigNotFound(subject.to_string())
    }
}

impl Setting for Normalize {
    const KEYSPACE: Keyspace = Keyspace::Config;
    /// Subjects hold no control characters, so no level key starts with it.
    const KEY_PREFIX: &'static [u8] = keys::NORMALIZE;
    fn name(self) -> &'static str {
        if self.0 { "true" } else { "false" }
    }
    fn map(state: &State) -> &HashMap<Option<String>, Self> {
        &state.normalize
    }
    fn map_mut(state: &mut State) -> &mut HashMap<Option<String>, Self> {
        &mut state.normalize
    }
    fn not_configured(subject: &str) -> RegistryError {
        RegistryError::SubjectConfigNotFound(subject.to_string())
    }
}

impl Setting for Mode {
    const KEYSPACE: Keyspace = Keyspace::Mode;
    fn name(self) -> &'static str {
        Mode::name(self)
    }
    fn map(state: &State) -> &HashMap<Option<String>, Self> {
        &state.modes
    }
    fn map_mut(state: &mut State) -> &mut HashMap<Option<String>, Self> {
        &mut state.modes
    }
    fn not_configured(subject: &str) -> RegistryError {
        RegistryError::SubjectModeNotFound(subject.to_string())
    }
}

/// Checks `new` against live versions (oldest first) at `level`; findings name the versions.
fn judge(new: &Schema, history: &[(Version, Arc<SchemaEntry>)], level: Level) -> Verdict {
    let schemas: Vec<&Schema> = history.iter().map(|(_, entry)| entry.parsed()).collect();
    match new.check_history(&schemas, level, None) {
        Ok(report) => {
            let labels: Vec<String> = history.iter().map(|(v, _)| v.to_string()).collect();
            Verdict {
                compatible: report.compatible,
                messages: finding_lines(&report, &labels),
            }
        }
        Err(mismatch) => Verdict {
            compatible: false,
            messages: vec![mismatch.to_string()],
        },
    }
}

/// One line per finding, naming the versions (by `labels`, one per history entry) it breaks
/// against.
fn finding_lines(report: &compat::Report, labels: &[String]) -> Vec<String> {
    report
        .findings
        .iter()
        .map(|f| {
            let versions: Vec<&str> = f.against.iter().map(|&i| labels[i - 1].as_str()).collect();
            format!(
                "{} {} at {} ({}): {}; {} against version {}",
                f.rule.code,
                f.rule.name,
                f.location,
                f.path,
                f.message,
                f.breach.describe(),
                versions.join(", ")
            )
        })
        .collect()
}

fn json<T: serde::Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("registry records serialize")
}

fn corrupt(what: &str, detail: impl std::fmt::Display) -> RegistryError {
    RegistryError::Store(StoreError::Backend(
        format!("stored {what} is unreadable: {detail}").into(),
    ))
}

/// Reads everything the registry serves from the store.
fn load(store: &dyn Store) -> Result<State, RegistryError> {
    let mut state = State::default();
    if let Some(bytes) = store.get(Keyspace::Counters, keys::LAST_SCHEMA_ID)? {
        let bytes: [u8; 4] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| corrupt("counter", "bad length"))?;
        state.last_id = SchemaId::from_be_bytes(bytes);
    }
    for (key, _) in store.scan_prefix(Keyspace::SchemaIdentity, b"")? {
        let (hash, id) = key
            .split_at_checked(8)
            .ok_or_else(|| corrupt("identity", "bad key"))?;
        let hash = u64::from_be_bytes(
            hash.try_into()
                .map_err(|_| corrupt("identity", "bad key"))?,
        );
        let id =
            SchemaId::from_be_bytes(id.try_into().map_err(|_| corrupt("identity", "bad key"))?);
        state.identities.entry(hash).or_default().push(id);
    }
    let mut stored_schemas = HashMap::new();
    for (key, value) in store.scan_prefix(Keyspace::Schemas, b"")? {
        let id = SchemaId::from_be_bytes(
            key.as_slice()
                .try_into()
                .map_err(|_| corrupt("schema", "bad key"))?,
        );
        let stored: StoredSchema =
            serde_json::from_slice(&value).map_err(|e| corrupt("schema", e))?;
        stored_schemas.insert(id, stored);
    }
    for (key, value) in store.scan_prefix(Keyspace::SubjectVersions, b"")? {
        let (subject, version) = keys::parse_subject_version(&key)
            .ok_or_else(|| corrupt("subject version", "bad key"))?;
        let record: VersionRecord =
            serde_json::from_slice(&value).map_err(|e| corrupt("subject version", e))?;
        state
            .subjects
            .entry(subject)
            .or_default()
            .insert(version, record);
    }
    // References name subject versions, so schemas are built once those are known; a referenced
    // schema is built before the schemas that import it.
    let mut ids: Vec<SchemaId> = stored_schemas.keys().copied().collect();
    ids.sort_unstable();
    for id in ids {
        add_schema(&mut state, &mut stored_schemas, id, 0)?;
    }
    for (key, value) in store.scan_prefix(Keyspace::Config, b"")? {
        let value = String::from_utf8_lossy(&value);
        if let Some(scope) = key.strip_prefix(keys::NORMALIZE) {
            let normalize = value.parse().map_err(|e| corrupt("config", e))?;
            state
                .normalize
                .insert(scope_of(scope), Normalize(normalize));
        } else {
            let level: Level = value.parse().map_err(|e| corrupt("config", e))?;
            state.config.insert(scope_of(&key), level);
        }
    }
    for (key, value) in store.scan_prefix(Keyspace::Mode, b"")? {
        let mode = Mode::parse(&String::from_utf8_lossy(&value)).map_err(|e| corrupt("mode", e))?;
        state.modes.insert(scope_of(&key), mode);
    }
    products::load_products(store, &mut state)?;
    Ok(state)
}

/// Builds the entry of a stored schema after those it references.
fn add_schema(
    state: &mut State,
    pending: &mut HashMap<SchemaId, StoredSchema>,
    id: SchemaId,
    depth: usize,
) -> Result<(), RegistryError> {
    let Some(stored) = pending.remove(&id) else {
        return Ok(()); // already built
    };
    if depth > crate::schema_json::MAX_DEPTH {
        return Err(corrupt("schema references", "a cycle or a chain too deep"));
    }
    for reference in &stored.references {
        let target = state
            .id_at(&reference.subject, reference.version)
            .ok_or_else(|| {
                corrupt(
                    "schema references",
                    format!(
                        "schema {id} references `{}` version {}, which is not stored",
                        reference.subject, reference.version
                    ),
                )
            })?;
        add_schema(state, pending, target, depth + 1)?;
    }
    let imports = state
        .resolve(&stored.references)
        .map_err(|e| corrupt("schema references", format!("schema {id}: {e}")))?;
    state
        .schemas
        .insert(id, Arc::new(SchemaEntry::new(id, stored, imports)));
    Ok(())
}

fn scope_of(key: &[u8]) -> Option<String> {
    (key != keys::GLOBAL).then(|| String::from_utf8_lossy(key).into_owned())
}

#[cfg(test)]
mod product_tests;
#[cfg(test)]
mod tests;
