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
use crate::store::{Keyspace, Store};

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
                .by_subject
                .entry(subject)
                .or_default()
                .insert(version, record);
        }
        // References name subject versions, so schemas are built once those are known; a referenced
        // schema is built before the schemas that import it.
        add_schemas(&mut state, stored_schemas)?;
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
            let mode =
                Mode::parse(&String::from_utf8_lossy(&value)).map_err(|e| corrupt("mode", e))?;
            state.modes.insert(scope_of(&key), mode);
        }
        Ok(state)
    }
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
