//! Registering a schema under a subject, and finding one already registered.

use std::sync::Arc;

use crate::compat::Level;
use crate::registry::SubjectName;
use crate::registry::parsed::Parsed;
use crate::registry::{
    Mode, Reference, Registry, RegistryError, SchemaEntry, SchemaId, State, StoredSchema,
    SubjectVersion, Version, VersionRecord, json, keys,
};
use crate::schema::Format;
use crate::store::{Keyspace, Scope, WriteBatch};

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
    /// Who registers, recorded in a data product's audit history (the API reads the
    /// `X-Accord-Actor` header); a Confluent client that names no one is `confluent-api`.
    pub actor: Option<String>,
}

/// Ids a client in IMPORT mode asks for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Import {
    pub id: Option<SchemaId>,
    pub version: Option<Version>,
}

/// What a registration produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Registered {
    pub id: SchemaId,
    pub version: Version,
}

/// A submitted schema, parsed with its references and reduced to what identity is decided on.
pub(in crate::registry) struct Prepared {
    pub(in crate::registry) parsed: Parsed,
    pub(in crate::registry) content: StoredSchema,
    pub(in crate::registry) references: Vec<Arc<SchemaEntry>>,
    pub(in crate::registry) identity: u64,
}

impl Registry {
    pub(in crate::registry) fn prepare(&self, new: &NewSchema) -> Result<Prepared, RegistryError> {
        if new.schema.trim().is_empty() {
            return Err(RegistryError::InvalidSchema("empty schema".into()));
        }
        let invalid = |e: &dyn std::fmt::Display| RegistryError::InvalidSchema(e.to_string());
        let format =
            Format::from_schema_type(new.schema_type.as_deref()).map_err(|e| invalid(&e))?;
        let references = self.read().subjects.resolve(&new.references)?;
        let parsed = self
            .parsed
            .parse(format, &new.schema, &references)
            .map_err(|e| invalid(&e))?;
        let normalized = parsed.schema.normalized_form();
        let original = Some(crate::schema::compact(&new.schema)).filter(|t| *t != normalized);
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
            references,
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
            if let Some(registered) = state.subjects.registered(subject, &prepared) {
                return Ok(registered);
            }
            let mode = state.subjects.effective::<Mode>(subject);
            drop(state);
            if mode != Mode::Import {
                if mode.is_read_only() {
                    return Err(RegistryError::OperationNotPermitted(format!(
                        "Subject {subject} is in read-only mode"
                    )));
                }
                return self.register_in_product(&product, subject, prepared, new.actor.as_deref());
            }
        }
        let lock = self.subject_lock(subject);
        let _subject_guard = lock.lock().unwrap_or_else(|e| e.into_inner());
        let _shared = self.hold(&[Scope::Subject(subject), Scope::Identity(prepared.identity)])?;

        // Content already registered under this subject: its id, no new version, no checks.
        let (mode, level, history) = {
            let state = self.read();
            if let Some(registered) = state.subjects.registered(subject, &prepared) {
                return Ok(registered);
            }
            let history: Vec<(Version, Arc<SchemaEntry>)> = state
                .subjects
                .live_versions(subject)
                .map(|(v, r)| (v, state.subjects.schemas[&r.id].clone()))
                .collect();
            (
                state.subjects.effective::<Mode>(subject),
                state.subjects.effective::<Level>(subject),
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
            let verdict = self.judge(&prepared.parsed.schema, &history, level);
            if !verdict.compatible {
                return Err(RegistryError::Incompatible {
                    subject: subject.to_string(),
                    level,
                    verdict: Box::new(verdict),
                });
            }
        }
        let registered = self.commit(vec![(subject, prepared, import)], |_, _| {}, |_, _| {})?;
        Ok(registered[0])
    }

    /// Allocates ids and versions for new subject versions, writes them durably in one batch
    /// with whatever `extra` adds, then shows them to readers (`apply` updates the rest of the
    /// state under the same write lock). Each item's subject lock must be held, and with a shared
    /// store its subject's and its content's scopes ([`Registry::hold`]).
    pub(in crate::registry) fn commit(
        &self,
        items: Vec<(&str, Prepared, Import)>,
        extra: impl FnOnce(&[Registered], &mut WriteBatch),
        apply: impl FnOnce(&mut State, &[Registered]),
    ) -> Result<Vec<Registered>, RegistryError> {
        // One process: one commit at a time. Several sharing the store: their callers hold each
        // content's scope, so that it gets one id.
        let shared = self.store.shared().is_some();
        let _commit = (!shared).then(|| self.commit.lock().unwrap_or_else(|e| e.into_inner()));
        let mut planned: Vec<(&str, Prepared, Registered, bool)> = Vec::new();
        let last_id = {
            let state = self.read();
            let mut last_id = state.subjects.last_id;
            for (subject, prepared, import) in items {
                // Content new to the store but repeated within this batch gets one id.
                let fresh = planned
                    .iter()
                    .find(|(_, p, _, is_new)| *is_new && p.content.same_content(&prepared.content))
                    .map(|(_, _, r, _)| r.id);
                let existing = state
                    .subjects
                    .id_of(prepared.identity, &prepared.content)
                    .or(fresh);
                let id = match (import.id, existing) {
                    (Some(wanted), _) => {
                        if let Some(entry) = state.subjects.schemas.get(&wanted)
                            && !entry.stored.same_content(&prepared.content)
                        {
                            return Err(RegistryError::IdConflict(wanted));
                        }
                        if let Some(shared) = self.store.shared() {
                            shared.schema_ids_past(wanted.0)?;
                        }
                        wanted
                    }
                    (None, Some(id)) => id,
                    (None, None) => self.next_schema_id(last_id)?,
                };
                let next_version = state
                    .subjects
                    .versions(subject)
                    .map(|(v, _)| v)
                    .max()
                    .unwrap_or_default()
                    .next();
                let version = import.version.unwrap_or(next_version);
                if state.subjects.versions(subject).any(|(v, _)| v == version) {
                    return Err(RegistryError::OperationNotPermitted(format!(
                        "Subject {subject} already has a version {version}"
                    )));
                }
                let is_new = !state.subjects.schemas.contains_key(&id) && fresh != Some(id);
                last_id = last_id.max(id);
                planned.push((subject, prepared, Registered { id, version }, is_new));
            }
            last_id
        };
        let registered: Vec<Registered> = planned.iter().map(|(_, _, r, _)| *r).collect();
        let ts = self.clock.now();
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
        // A shared store hands ids out from its sequence; a counter row would make every
        // process's commits wait for each other.
        if !shared && planned.iter().any(|(_, _, _, is_new)| *is_new) {
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
                    .subjects
                    .identities
                    .entry(prepared.identity)
                    .or_default()
                    .push(r.id);
                let entry = SchemaEntry {
                    id: r.id,
                    stored: prepared.content,
                    references: prepared.references,
                };
                self.parsed.insert(r.id, prepared.parsed);
                state.subjects.schemas.insert(r.id, Arc::new(entry));
            }
            let record = VersionRecord {
                id: r.id,
                deleted: false,
                ts,
            };
            state
                .subjects
                .by_subject
                .entry(subject.to_string())
                .or_default()
                .insert(r.version, record);
        }
        state.subjects.last_id = state.subjects.last_id.max(last_id);
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
            .subjects
            .versions(subject)
            .filter(|(_, r)| include_deleted || !r.deleted)
            .collect();
        if visible.is_empty() {
            return Err(RegistryError::SubjectNotFound(subject.to_string()));
        }
        let id = state
            .subjects
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
            schema: state.subjects.schemas[&id].clone(),
            deleted: record.deleted,
        })
    }
}
