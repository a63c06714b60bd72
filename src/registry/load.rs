//! Reading everything the registry serves from the store at start, and the stored forms.

use std::collections::HashMap;
use std::sync::Arc;

use crate::compat::Level;
use crate::registry::{
    Mode, Normalize, RegistryError, SchemaEntry, SchemaId, State, StoredSchema, VersionRecord,
    keys, load_products,
};
use crate::store::{Keyspace, Store, StoreError};

pub(in crate::registry) fn json<T: serde::Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("registry records serialize")
}

pub(in crate::registry) fn corrupt(what: &str, detail: impl std::fmt::Display) -> RegistryError {
    RegistryError::Store(StoreError::Backend(
        format!("stored {what} is unreadable: {detail}").into(),
    ))
}

/// Reads everything the registry serves from the store.
pub(in crate::registry) fn load(store: &dyn Store) -> Result<State, RegistryError> {
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
    load_products(store, &mut state)?;
    Ok(state)
}

/// Builds the entry of a stored schema after those it references.
pub(in crate::registry) fn add_schema(
    state: &mut State,
    pending: &mut HashMap<SchemaId, StoredSchema>,
    id: SchemaId,
    depth: usize,
) -> Result<(), RegistryError> {
    let Some(stored) = pending.remove(&id) else {
        return Ok(()); // already built
    };
    if depth > crate::schema::MAX_DEPTH {
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

pub(in crate::registry) fn scope_of(key: &[u8]) -> Option<String> {
    (key != keys::GLOBAL).then(|| String::from_utf8_lossy(key).into_owned())
}
