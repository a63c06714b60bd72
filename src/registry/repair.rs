//! Repairing a damaged data dir, in the registry's terms: what each entry a repair drops was,
//! and keeping the schema ids the lost writes handed out from being handed out again.

use crate::registry::{RegistryError, SchemaId, VersionRecord, keys};
use crate::store::{Dropped, Keyspace, Store, WriteBatch};

/// What a dropped entry was, for the operator deciding on a repair; `None` for the entries
/// that follow from others (indexes, counters, the data dir's own facts).
pub fn describe(entry: &Dropped) -> Option<String> {
    let key = entry.key.as_slice();
    let named = match entry.keyspace {
        Keyspace::Schemas => schema_id(key).map(|id| format!("schema id {id}")),
        Keyspace::SubjectVersions => keys::parse_subject_version(key).map(|(subject, version)| {
            let record = entry
                .value
                .as_deref()
                .and_then(|v| serde_json::from_slice::<VersionRecord>(v).ok());
            match record {
                Some(r) if r.deleted => format!(
                    "subject `{subject}` version {version} (schema id {}, soft-deleted)",
                    r.id
                ),
                Some(r) => format!("subject `{subject}` version {version} (schema id {})", r.id),
                None => format!("subject `{subject}` version {version}"),
            }
        }),
        Keyspace::Config => Some(match key.strip_prefix(keys::NORMALIZE) {
            Some(scope) => format!("the normalize setting of {}", scope_name(scope)),
            None => format!("the compatibility level of {}", scope_name(key)),
        }),
        Keyspace::Mode => Some(format!("the mode of {}", scope_name(key))),
        Keyspace::Products => Some(format!(
            "the definition of product `{}`",
            String::from_utf8_lossy(key)
        )),
        Keyspace::ProductVersions => keys::parse_product_seq(key)
            .map(|(product, seq)| format!("publication {seq} of product `{product}`")),
        Keyspace::Notices => keys::parse_product_seq(key)
            .map(|(product, major)| format!("the notice for major {major} of product `{product}`")),
        Keyspace::Audit => keys::parse_product_seq(key)
            .map(|(product, seq)| format!("audit entry {seq} of product `{product}`")),
        Keyspace::Consumers => key.iter().position(|b| *b == 0).map(|at| {
            format!(
                "consumer `{}` of product `{}`",
                String::from_utf8_lossy(&key[at + 1..]),
                String::from_utf8_lossy(&key[..at])
            )
        }),
        Keyspace::Events => key
            .try_into()
            .ok()
            .map(|id: [u8; 8]| format!("event {}", u64::from_be_bytes(id))),
        Keyspace::Deliveries => key
            .get(..8)
            .and_then(|id| id.try_into().ok())
            .map(|id: [u8; 8]| format!("a delivery of event {}", u64::from_be_bytes(id))),
        Keyspace::SchemaIdentity | Keyspace::Counters | Keyspace::Meta => return None,
    };
    // A key this build cannot read is still named, never hidden.
    let named = named.unwrap_or_else(|| format!("an entry of `{}`", entry.keyspace.name()));
    Some(match entry.value {
        Some(_) => named,
        None => format!("the removal of {named}"),
    })
}

/// Raises the schema id counter past every id the dropped entries handed out, and past
/// `through` (an id the operator knows was handed out, such as the highest seen in Kafka), so
/// that an id already inside messages never names another schema. The new counter, if raised.
pub fn retire_ids(
    store: &dyn Store,
    dropped: &[Dropped],
    through: Option<SchemaId>,
) -> Result<Option<SchemaId>, RegistryError> {
    let handed_out = dropped
        .iter()
        .filter_map(|d| match d.keyspace {
            Keyspace::Schemas => schema_id(&d.key),
            Keyspace::Counters if d.key == keys::LAST_SCHEMA_ID => schema_id(d.value.as_deref()?),
            _ => None,
        })
        .chain(through)
        .max();
    let last = store
        .get(Keyspace::Counters, keys::LAST_SCHEMA_ID)?
        .and_then(|bytes| schema_id(&bytes))
        .unwrap_or_default();
    match handed_out {
        Some(highest) if highest > last => {
            let mut batch = WriteBatch::new();
            batch.put(
                Keyspace::Counters,
                keys::LAST_SCHEMA_ID,
                highest.to_be_bytes(),
            );
            store.write(batch)?;
            Ok(Some(highest))
        }
        _ => Ok(None),
    }
}

fn schema_id(bytes: &[u8]) -> Option<SchemaId> {
    Some(SchemaId::from_be_bytes(bytes.try_into().ok()?))
}

fn scope_name(scope: &[u8]) -> String {
    if scope == keys::GLOBAL {
        "the registry".into()
    } else {
        format!("subject `{}`", String::from_utf8_lossy(scope))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemStore;

    fn dropped(keyspace: Keyspace, key: Vec<u8>, value: Option<&[u8]>) -> Dropped {
        Dropped {
            keyspace,
            key,
            value: value.map(<[u8]>::to_vec),
        }
    }

    #[test]
    fn dropped_entries_are_named_in_the_registry_s_terms() {
        let version = br#"{"id":7,"ts":0}"#;
        let cases = [
            (
                dropped(Keyspace::Schemas, keys::schema(SchemaId(7)), Some(b"{}")),
                Some("schema id 7"),
            ),
            (
                dropped(
                    Keyspace::SubjectVersions,
                    keys::subject_version("orders-value", crate::registry::Version(2)),
                    Some(version),
                ),
                Some("subject `orders-value` version 2 (schema id 7)"),
            ),
            (
                dropped(Keyspace::Config, keys::scope(None), Some(b"\"FULL\"")),
                Some("the compatibility level of the registry"),
            ),
            (
                dropped(Keyspace::Mode, keys::scope(Some("s")), None),
                Some("the removal of the mode of subject `s`"),
            ),
            (
                dropped(Keyspace::Audit, keys::product_seq("p", 3), Some(b"{}")),
                Some("audit entry 3 of product `p`"),
            ),
            (
                dropped(Keyspace::Schemas, b"odd".to_vec(), Some(b"{}")),
                Some("an entry of `schemas`"),
            ),
            (
                dropped(Keyspace::Counters, keys::LAST_SCHEMA_ID.to_vec(), None),
                None,
            ),
        ];
        for (entry, expected) in cases {
            assert_eq!(describe(&entry).as_deref(), expected, "{entry:?}");
        }
    }

    #[test]
    fn ids_the_lost_writes_handed_out_are_not_handed_out_again() {
        let store = MemStore::new();
        let mut batch = WriteBatch::new();
        batch.put(
            Keyspace::Counters,
            keys::LAST_SCHEMA_ID,
            SchemaId(100).to_be_bytes(),
        );
        store.write(batch).unwrap();
        let lost = [
            dropped(Keyspace::Schemas, keys::schema(SchemaId(150)), Some(b"{}")),
            dropped(
                Keyspace::Counters,
                keys::LAST_SCHEMA_ID.to_vec(),
                Some(&SchemaId(200).to_be_bytes()),
            ),
        ];
        assert_eq!(
            retire_ids(&store, &lost, None).unwrap(),
            Some(SchemaId(200))
        );
        // Already retired: nothing to raise, unless the operator names a higher id.
        assert_eq!(retire_ids(&store, &lost, None).unwrap(), None);
        assert_eq!(retire_ids(&store, &[], Some(SchemaId(150))).unwrap(), None);
        assert_eq!(
            retire_ids(&store, &[], Some(SchemaId(250))).unwrap(),
            Some(SchemaId(250))
        );
        let counter = store
            .get(Keyspace::Counters, keys::LAST_SCHEMA_ID)
            .unwrap()
            .unwrap();
        assert_eq!(schema_id(&counter), Some(SchemaId(250)));
    }
}
