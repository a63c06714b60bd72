//! An in-memory backend, for fast tests of the layers above.

use std::collections::BTreeMap;
use std::sync::RwLock;

use super::{Entry, Keyspace, Op, Store, StoreError, WriteBatch};

/// Every entry, ordered by keyspace then key.
type Entries = BTreeMap<(Keyspace, Vec<u8>), Vec<u8>>;

/// Everything in one ordered map; writes are atomic, nothing is durable.
#[derive(Debug, Default)]
pub struct MemStore {
    data: RwLock<Entries>,
}

impl MemStore {
    pub fn new() -> Self {
        MemStore::default()
    }
}

impl Store for MemStore {
    fn get(&self, keyspace: Keyspace, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        let data = self.data.read().unwrap_or_else(|e| e.into_inner());
        Ok(data.get(&(keyspace, key.to_vec())).cloned())
    }

    fn scan_page(
        &self,
        keyspace: Keyspace,
        prefix: &[u8],
        from: &[u8],
        limit: usize,
    ) -> Result<Vec<Entry>, StoreError> {
        let data = self.data.read().unwrap_or_else(|e| e.into_inner());
        let start = if from > prefix { from } else { prefix };
        Ok(data
            .range((keyspace, start.to_vec())..)
            .take_while(|((ks, key), _)| *ks == keyspace && key.starts_with(prefix))
            .take(limit)
            .map(|((_, key), value)| (key.clone(), value.clone()))
            .collect())
    }

    fn write(&self, batch: WriteBatch) -> Result<(), StoreError> {
        // One write lock for the whole batch: readers see all of it or none of it.
        let mut data = self.data.write().unwrap_or_else(|e| e.into_inner());
        for op in batch.ops {
            match op {
                Op::Put(ks, key, value) => {
                    data.insert((ks, key), value);
                }
                Op::Delete(ks, key) => {
                    data.remove(&(ks, key));
                }
            }
        }
        Ok(())
    }
}
