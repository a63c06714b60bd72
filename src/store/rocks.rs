//! The RocksDB backend: one column family per keyspace, every batch synced to the WAL.

use std::path::Path;

use rocksdb::{
    ColumnFamilyDescriptor, DB, DBRecoveryMode, Direction, IteratorMode, Options, WriteOptions,
};

use super::{Entry, Keyspace, Op, Store, StoreError, WriteBatch};

/// The on-disk format this build writes and reads. Bump it when the meaning of stored keys or
/// values changes, and say in the release notes how to migrate.
pub const FORMAT_VERSION: u32 = 1;

const FORMAT_KEY: &[u8] = b"format_version";

/// A name for this data dir, chosen when it is created: logs name it, so that a server started
/// on the wrong volume (an empty one) says it created a new registry rather than serve one.
const REGISTRY_ID_KEY: &[u8] = b"registry_id";

/// Present while a process has the data dir open: written to the table files at start and
/// removed by a clean close.
const OPEN_KEY: &[u8] = b"open";

/// A RocksDB database in a data dir.
pub struct RocksStore {
    db: DB,
    sync: bool,
    /// Whether this open created the data dir.
    created: bool,
}

impl std::fmt::Debug for RocksStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RocksStore")
            .field("path", &self.db.path())
            .finish()
    }
}

fn backend(e: rocksdb::Error) -> StoreError {
    StoreError::Backend(Box::new(e))
}

impl RocksStore {
    /// Opens the data dir, creating it when it does not exist. A data dir written in another
    /// storage format is refused with [`StoreError::FormatVersion`], never read silently.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Self::open_with(path, true, false)
    }

    /// Opens a data dir whose write-ahead log is damaged, keeping the writes before the damage
    /// and dropping the rest: only for an operator who chose that loss over a backup.
    pub fn open_dropping_damaged_log(path: &Path) -> Result<Self, StoreError> {
        Self::open_with(path, true, true)
    }

    /// Opens the data dir for a bulk load: writes are not synced, so a power loss may lose
    /// writes that were acknowledged. Only for filling a data dir that can be rebuilt, such as a
    /// benchmark's; a clean close still persists everything.
    pub fn open_for_bulk_load(path: &Path) -> Result<Self, StoreError> {
        Self::open_with(path, false, false)
    }

    fn open_with(path: &Path, sync: bool, drop_damaged_log: bool) -> Result<Self, StoreError> {
        refuse_incomplete(path)?;
        let has_log = has_log(path);
        let mut options = Options::default();
        options.create_if_missing(true);
        options.create_missing_column_families(true);
        options.set_compression_type(rocksdb::DBCompressionType::Lz4);
        // Every write is synced before it is acknowledged, so only a torn last record can be
        // dropped: damage anywhere else fails the open instead of forgetting what follows it.
        options.set_wal_recovery_mode(if drop_damaged_log {
            DBRecoveryMode::PointInTime
        } else {
            DBRecoveryMode::TolerateCorruptedTailRecords
        });
        // Keep families a newer build may have added, so opening does not fail on them.
        let mut families: Vec<String> = DB::list_cf(&options, path).unwrap_or_default();
        for keyspace in Keyspace::ALL {
            if !families.iter().any(|f| f == keyspace.name()) {
                families.push(keyspace.name().to_string());
            }
        }
        let descriptors = families
            .iter()
            .map(|name| ColumnFamilyDescriptor::new(name, Options::default()));
        let db = DB::open_cf_descriptors(&options, path, descriptors).map_err(|e| {
            let path = path.display().to_string();
            match e.kind() {
                rocksdb::ErrorKind::Corruption => StoreError::Damaged {
                    path,
                    detail: e.to_string(),
                },
                rocksdb::ErrorKind::IOError if e.to_string().contains("LOCK") => {
                    StoreError::InUse { path }
                }
                _ => backend(e),
            }
        })?;
        let mut store = RocksStore {
            db,
            sync,
            created: false,
        };
        store.created = store.check_format(path)?;
        store.check_last_close(path, has_log || drop_damaged_log)?;
        Ok(store)
    }

    /// Refuses a data dir whose last process stopped without closing it (a crash, SIGKILL, a
    /// power loss) and whose write-ahead log is gone since: the writes after the last flush
    /// lived in that log alone, and starting would hand their ids out again. Then marks the
    /// data dir open, in the table files, until a clean close.
    fn check_last_close(&self, path: &Path, has_log: bool) -> Result<(), StoreError> {
        if self.get(Keyspace::Meta, OPEN_KEY)?.is_some() && !has_log {
            return Err(StoreError::Damaged {
                path: path.display().to_string(),
                detail: "its write-ahead log is missing: the last server stopped without closing the data dir, and no `*.log` file is left".into(),
            });
        }
        let mut batch = WriteBatch::new();
        batch.put(Keyspace::Meta, OPEN_KEY, *b"1");
        self.write(batch)?;
        self.flush().map_err(backend)
    }

    /// Checks the storage format; a new data dir gets one, and an identity. True when new.
    fn check_format(&self, path: &Path) -> Result<bool, StoreError> {
        match self.get(Keyspace::Meta, FORMAT_KEY)? {
            Some(bytes) => {
                let found = <[u8; 4]>::try_from(bytes.as_slice()).map_or(0, u32::from_be_bytes);
                if found != FORMAT_VERSION {
                    return Err(StoreError::FormatVersion {
                        path: path.display().to_string(),
                        found,
                        expected: FORMAT_VERSION,
                    });
                }
                Ok(false)
            }
            None => {
                let mut batch = WriteBatch::new();
                batch.put(Keyspace::Meta, FORMAT_KEY, FORMAT_VERSION.to_be_bytes());
                batch.put(Keyspace::Meta, REGISTRY_ID_KEY, new_registry_id());
                self.write(batch)?;
                Ok(true)
            }
        }
    }

    /// The data dir's identity, chosen when it was created (`-` for one created before
    /// accord kept one).
    pub fn registry_id(&self) -> Result<String, StoreError> {
        Ok(self.get(Keyspace::Meta, REGISTRY_ID_KEY)?.map_or_else(
            || "-".into(),
            |id| String::from_utf8_lossy(&id).into_owned(),
        ))
    }

    /// Whether opening created this data dir (it was absent or empty).
    pub fn created(&self) -> bool {
        self.created
    }

    /// Writes the memtables to table files, so that the data no longer depends on the log.
    fn flush(&self) -> Result<(), rocksdb::Error> {
        for keyspace in Keyspace::ALL {
            self.db.flush_cf(self.family(keyspace))?;
        }
        Ok(())
    }

    fn family(&self, keyspace: Keyspace) -> &rocksdb::ColumnFamily {
        self.db
            .cf_handle(keyspace.name())
            .expect("every keyspace's column family is opened in RocksStore::open")
    }
}

/// A clean close flushes: what was written since the last start no longer lives in the
/// write-ahead log alone (an operator "cleaning up" `*.log` files after a stop loses nothing),
/// and the data dir is marked closed.
impl Drop for RocksStore {
    fn drop(&mut self) {
        let mut closed = WriteBatch::new();
        closed.delete(Keyspace::Meta, OPEN_KEY);
        let closed = self.write(closed).map_err(|e| e.to_string());
        if let Err(e) = closed.and_then(|()| self.flush().map_err(|e| e.to_string())) {
            tracing::warn!(error = %e, "flush on close failed; the write-ahead log still holds the writes");
        }
    }
}

/// A database is created only in an absent or empty directory.
/// A fresh identity: the creation time and the process's random hash seed, in hex.
fn new_registry_id() -> String {
    use std::hash::{BuildHasher, Hasher};
    let random = std::hash::RandomState::new().build_hasher().finish();
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    format!("{millis:012x}-{random:016x}")
}

/// Whether the directory holds a write-ahead log file.
fn has_log(path: &Path) -> bool {
    std::fs::read_dir(path).is_ok_and(|entries| {
        entries
            .filter_map(|e| e.ok())
            .any(|e| e.path().extension().is_some_and(|x| x == "log"))
    })
}

fn refuse_incomplete(path: &Path) -> Result<(), StoreError> {
    let Ok(entries) = std::fs::read_dir(path) else {
        return Ok(()); // absent (created), or not a directory (RocksDB names the problem)
    };
    if path.join("CURRENT").exists() {
        return Ok(());
    }
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    if names.is_empty() {
        return Ok(());
    }
    names.sort();
    let shown = names.len().min(5);
    let mut found = names[..shown].join(", ");
    if names.len() > shown {
        found.push_str(&format!(" and {} more", names.len() - shown));
    }
    Err(StoreError::NotADataDir {
        path: path.display().to_string(),
        found,
    })
}

impl Store for RocksStore {
    fn get(&self, keyspace: Keyspace, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        self.db.get_cf(self.family(keyspace), key).map_err(backend)
    }

    fn scan_page(
        &self,
        keyspace: Keyspace,
        prefix: &[u8],
        from: &[u8],
        limit: usize,
    ) -> Result<Vec<Entry>, StoreError> {
        let start = if from > prefix { from } else { prefix };
        let mut entries = Vec::new();
        let mode = IteratorMode::From(start, Direction::Forward);
        for item in self.db.iterator_cf(self.family(keyspace), mode) {
            if entries.len() == limit {
                break;
            }
            let (key, value) = item.map_err(backend)?;
            if !key.starts_with(prefix) {
                break;
            }
            entries.push((key.into_vec(), value.into_vec()));
        }
        Ok(entries)
    }

    fn write(&self, batch: WriteBatch) -> Result<(), StoreError> {
        let mut rocks_batch = rocksdb::WriteBatch::default();
        for op in batch.ops {
            match op {
                Op::Put(ks, key, value) => rocks_batch.put_cf(self.family(ks), key, value),
                Op::Delete(ks, key) => rocks_batch.delete_cf(self.family(ks), key),
            }
        }
        // Synced: an acknowledged write survives a power loss, not only a process crash.
        let mut options = WriteOptions::default();
        options.set_sync(self.sync);
        self.db.write_opt(rocks_batch, &options).map_err(backend)
    }
}
