//! What the registry serves about subjects, in memory: every schema by id and by identity,
//! every subject's versions, and the settings. Its fields are the subjects' own; data products
//! read it through the methods marked `pub(in crate::registry)`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use crate::compat::Level;
use crate::registry::load::corrupt;
use crate::registry::model::keys;
use crate::registry::{
    Mode, Normalize, Prepared, Reference, Registered, RegistryError, SchemaEntry, SchemaId,
    Setting, StoredSchema, Version, VersionRecord,
};
use crate::store::{Change, Keyspace, Store};

#[derive(Default)]
pub(in crate::registry) struct SubjectState {
    pub(in crate::registry::subjects) schemas: HashMap<SchemaId, Arc<SchemaEntry>>,
    pub(in crate::registry::subjects) identities: HashMap<u64, Vec<SchemaId>>,
    pub(in crate::registry::subjects) by_subject:
        BTreeMap<String, BTreeMap<Version, VersionRecord>>,
    pub(in crate::registry::subjects) config: HashMap<Option<String>, Level>,
    pub(in crate::registry::subjects) normalize: HashMap<Option<String>, Normalize>,
    pub(in crate::registry::subjects) modes: HashMap<Option<String>, Mode>,
    pub(in crate::registry::subjects) last_id: SchemaId,
}

impl SubjectState {
    /// The largest schema id handed out so far.
    pub(in crate::registry) fn last_id(&self) -> SchemaId {
        self.last_id
    }

    /// How many schemas are stored.
    pub(in crate::registry) fn schema_count(&self) -> usize {
        self.schemas.len()
    }

    /// The stored schema with this id.
    pub(in crate::registry) fn schema(&self, id: SchemaId) -> Option<&Arc<SchemaEntry>> {
        self.schemas.get(&id)
    }

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
        Some(self.by_subject.get(subject)?.get(&version)?.id)
    }

    /// The schemas `references` name, in the order they are declared.
    pub(in crate::registry) fn resolve(
        &self,
        references: &[Reference],
    ) -> Result<Vec<Arc<SchemaEntry>>, RegistryError> {
        references
            .iter()
            .map(|reference| {
                self.id_at(&reference.subject, reference.version)
                    .and_then(|id| self.schemas.get(&id))
                    .cloned()
                    .ok_or_else(|| {
                        RegistryError::InvalidSchema(format!(
                            "reference `{}` points to subject `{}` version {}, which does not exist",
                            reference.name, reference.subject, reference.version
                        ))
                    })
            })
            .collect()
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
                self.by_subject.values().any(|versions| {
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
        self.by_subject
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

    /// Reads the subjects' state from the store.
    pub(in crate::registry) fn load(store: &dyn Store) -> Result<SubjectState, RegistryError> {
        let mut state = SubjectState::default();
        if let Some(bytes) = store.get(Keyspace::Counters, keys::LAST_SCHEMA_ID)? {
            let bytes: [u8; 4] = bytes
                .as_slice()
                .try_into()
                .map_err(|_| corrupt("counter", "bad length"))?;
            state.last_id = SchemaId::from_be_bytes(bytes);
        }
        for (key, _) in store.scan_prefix(Keyspace::SchemaIdentity, b"")? {
            let (hash, id) = parse_identity(&key)?;
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
                .by_subject
                .entry(subject)
                .or_default()
                .insert(version, record);
        }
        // References name subject versions, so schemas are built once those are known; a referenced
        // schema is built before the schemas that import it.
        add_schemas(&mut state, stored_schemas)?;
        for keyspace in [Keyspace::Config, Keyspace::Mode] {
            for (key, value) in store.scan_prefix(keyspace, b"")? {
                state.set(keyspace, &key, Some(&value))?;
            }
        }
        state.last_id = state
            .schemas
            .keys()
            .copied()
            .fold(state.last_id, SchemaId::max);
        Ok(state)
    }

    /// A setting as stored under `key` in the config or mode keyspace (`None`: deleted).
    fn set(
        &mut self,
        keyspace: Keyspace,
        key: &[u8],
        value: Option<&[u8]>,
    ) -> Result<(), RegistryError> {
        let value = value.map(String::from_utf8_lossy);
        match keyspace {
            Keyspace::Config => match key.strip_prefix(keys::NORMALIZE) {
                Some(scope) => match value {
                    Some(v) => {
                        let normalize = v.parse().map_err(|e| corrupt("config", e))?;
                        self.normalize.insert(scope_of(scope), Normalize(normalize));
                    }
                    None => drop(self.normalize.remove(&scope_of(scope))),
                },
                None => match value {
                    Some(v) => {
                        let level: Level = v.parse().map_err(|e| corrupt("config", e))?;
                        self.config.insert(scope_of(key), level);
                    }
                    None => drop(self.config.remove(&scope_of(key))),
                },
            },
            Keyspace::Mode => match value {
                Some(v) => {
                    let mode = Mode::parse(&v).map_err(|e| corrupt("mode", e))?;
                    self.modes.insert(scope_of(key), mode);
                }
                None => drop(self.modes.remove(&scope_of(key))),
            },
            _ => {}
        }
        Ok(())
    }

    /// What other processes' commits change here: versions, schemas and identities as they
    /// wrote them; settings as the store holds them now (written without a lock, two writes of
    /// one setting may commit in either order).
    pub(in crate::registry) fn read_changes(
        &self,
        store: &dyn Store,
        changes: &[Change],
    ) -> Result<SubjectChanges, RegistryError> {
        let mut out = SubjectChanges::default();
        for Change {
            keyspace,
            key,
            value,
        } in changes
        {
            match keyspace {
                Keyspace::SubjectVersions => {
                    let (subject, version) = keys::parse_subject_version(key)
                        .ok_or_else(|| corrupt("subject version", "bad key"))?;
                    let record = value
                        .as_deref()
                        .map(serde_json::from_slice::<VersionRecord>)
                        .transpose()
                        .map_err(|e| corrupt("subject version", e))?;
                    out.versions.push((subject, version, record));
                }
                Keyspace::Schemas => {
                    let id = SchemaId::from_be_bytes(
                        key.as_slice()
                            .try_into()
                            .map_err(|_| corrupt("schema", "bad key"))?,
                    );
                    if let Some(value) = value
                        && !self.schemas.contains_key(&id)
                    {
                        let stored: StoredSchema =
                            serde_json::from_slice(value).map_err(|e| corrupt("schema", e))?;
                        out.schemas.insert(id, stored);
                    }
                }
                Keyspace::SchemaIdentity if value.is_some() => {
                    out.identities.push(parse_identity(key)?);
                }
                Keyspace::Config | Keyspace::Mode => {
                    let now = store.get(*keyspace, key)?;
                    out.settings.push((*keyspace, key.clone(), now));
                }
                _ => {}
            }
        }
        Ok(out)
    }

    /// Applies what [`read_changes`](Self::read_changes) read.
    pub(in crate::registry) fn apply(
        &mut self,
        changes: SubjectChanges,
    ) -> Result<(), RegistryError> {
        for (subject, version, record) in changes.versions {
            let versions = self.by_subject.entry(subject.clone()).or_default();
            match record {
                Some(record) => drop(versions.insert(version, record)),
                None => drop(versions.remove(&version)),
            }
            if versions.is_empty() {
                self.by_subject.remove(&subject);
            }
        }
        for (hash, id) in changes.identities {
            let ids = self.identities.entry(hash).or_default();
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        for (keyspace, key, value) in changes.settings {
            self.set(keyspace, &key, value.as_deref())?;
        }
        self.last_id = changes
            .schemas
            .keys()
            .copied()
            .fold(self.last_id, SchemaId::max);
        add_schemas(self, changes.schemas)
    }
}

/// What other processes changed of the subjects (see [`SubjectState::read_changes`]).
#[derive(Default)]
pub(in crate::registry) struct SubjectChanges {
    /// Versions written (`Some`) or deleted, in the order they were.
    versions: Vec<(String, Version, Option<VersionRecord>)>,
    /// Schemas not held yet.
    schemas: HashMap<SchemaId, StoredSchema>,
    identities: Vec<(u64, SchemaId)>,
    /// Config or mode keys and their values now (`None`: deleted).
    settings: Vec<(Keyspace, Vec<u8>, Option<Vec<u8>>)>,
}

fn parse_identity(key: &[u8]) -> Result<(u64, SchemaId), RegistryError> {
    let bad = || corrupt("identity", "bad key");
    let (hash, id) = key.split_first_chunk::<8>().ok_or_else(bad)?;
    let id: [u8; 4] = id.try_into().map_err(|_| bad())?;
    Ok((u64::from_be_bytes(*hash), SchemaId::from_be_bytes(id)))
}

/// Builds the entry of every stored schema, each after the schemas it references. Depth-first
/// by an explicit stack: anything registration acknowledged loads, however long its chain of
/// references (an IMPORT can make one of any length, in any id order).
fn add_schemas(
    state: &mut SubjectState,
    mut pending: HashMap<SchemaId, StoredSchema>,
) -> Result<(), RegistryError> {
    let mut ids: Vec<SchemaId> = pending.keys().copied().collect();
    ids.sort_unstable();
    for root in ids {
        // (id, its references are on the stack already); a schema stays on the path until built.
        let mut stack = vec![(root, false)];
        let mut on_path: HashSet<SchemaId> = HashSet::new();
        while let Some((id, expanded)) = stack.pop() {
            if expanded {
                let Some(stored) = pending.remove(&id) else {
                    continue;
                };
                let references = state
                    .resolve(&stored.references)
                    .map_err(|e| corrupt("schema references", format!("schema {id}: {e}")))?;
                let entry = SchemaEntry {
                    id,
                    stored,
                    references,
                };
                state.schemas.insert(id, Arc::new(entry));
                on_path.remove(&id);
                continue;
            }
            let Some(stored) = pending.get(&id) else {
                continue; // built already
            };
            on_path.insert(id);
            stack.push((id, true));
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
                if on_path.contains(&target) {
                    return Err(corrupt(
                        "schema references",
                        format!("schema {id} is part of a cycle of references"),
                    ));
                }
                if pending.contains_key(&target) {
                    stack.push((target, false));
                }
            }
        }
    }
    Ok(())
}

fn scope_of(key: &[u8]) -> Option<String> {
    (key != keys::GLOBAL).then(|| String::from_utf8_lossy(key).into_owned())
}
