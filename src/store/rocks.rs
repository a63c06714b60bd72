//! The RocksDB backend: one column family per keyspace, every batch synced to the WAL.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{RwLock, RwLockReadGuard};

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

/// Written and removed in one batch to learn whether writes succeed again after one failed.
const PROBE_KEY: &[u8] = b"write_probe";
const PROBE_BYTES: usize = 1 << 20;

/// Present while a process has the data dir open: written to the table files at start and
/// removed by a clean close.
const OPEN_KEY: &[u8] = b"open";

/// A RocksDB database in a data dir.
pub struct RocksStore {
    /// `None` only after a failed write, while the data dir cannot be opened again.
    db: RwLock<Option<DB>>,
    path: PathBuf,
    sync: bool,
    recovery: LogRecovery,
    /// Whether this open created the data dir.
    created: bool,
    /// The last write failed (a full disk, say): RocksDB refuses every write after one fails,
    /// so the next write, or a readiness check, opens the data dir again first. Cleared by a
    /// write that succeeds.
    failing: AtomicBool,
}

impl std::fmt::Debug for RocksStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RocksStore")
            .field("path", &self.path)
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
        Self::open_with(path, true, LogRecovery::Strict)
    }

    /// Opens a data dir that [`RocksStore::damage`] found damaged, dropping what it listed:
    /// the writes after damage in the write-ahead log, or a lost log's. Only for an operator
    /// who chose that loss over a backup (`accord repair`).
    pub fn open_repairing(path: &Path) -> Result<Self, StoreError> {
        Self::open_with(path, true, LogRecovery::StopAtDamage)
    }

    /// What opening the data dir with [`RocksStore::open_repairing`] would drop. Reads only:
    /// the data dir is opened read-only, once replaying its log up to the damage (what a repair
    /// keeps) and once replaying every readable record past it (what was written).
    pub fn damage(path: &Path) -> Result<Damage, StoreError> {
        refuse_incomplete(path)?;
        match open_db(path, LogRecovery::Strict, Access::ReadOnly) {
            Ok(_) if lost_log(path)? => Ok(Damage::LostLog),
            Ok(_) => Ok(Damage::None),
            Err(StoreError::Damaged { .. }) => {
                // Fails in turn when the damage is not (only) in the log: a repair cannot help.
                let kept = open_db(path, LogRecovery::StopAtDamage, Access::ReadOnly)?;
                let written = open_db(path, LogRecovery::SkipDamage, Access::ReadOnly)?;
                let mut dropped = Vec::new();
                for keyspace in Keyspace::ALL {
                    dropped_entries(&kept, &written, keyspace, &mut dropped)?;
                }
                Ok(Damage::Log { dropped })
            }
            Err(e) => Err(e),
        }
    }

    /// Opens the data dir for a bulk load: writes are not synced, so a power loss may lose
    /// writes that were acknowledged. Only for filling a data dir that can be rebuilt, such as a
    /// benchmark's; a clean close still persists everything.
    pub fn open_for_bulk_load(path: &Path) -> Result<Self, StoreError> {
        Self::open_with(path, false, LogRecovery::Strict)
    }

    fn open_with(path: &Path, sync: bool, recovery: LogRecovery) -> Result<Self, StoreError> {
        refuse_incomplete(path)?;
        if recovery != LogRecovery::StopAtDamage && lost_log(path)? {
            return Err(StoreError::Damaged {
                path: path.display().to_string(),
                detail: "its write-ahead log is missing: the last server stopped without closing the data dir, and no `*.log` file is left".into(),
            });
        }
        let mut store = RocksStore {
            db: RwLock::new(Some(open_db(path, recovery, Access::ReadWrite)?)),
            path: path.to_path_buf(),
            sync,
            recovery,
            created: false,
            failing: AtomicBool::new(false),
        };
        store.created = store.check_format(path)?;
        store.mark_open()?;
        Ok(store)
    }

    /// The open database, or an error saying the data dir cannot be used right now.
    fn db(&self) -> Result<DbGuard<'_>, StoreError> {
        let guard = self.db.read().unwrap_or_else(|e| e.into_inner());
        if guard.is_none() {
            return Err(self.unwritable());
        }
        Ok(DbGuard(guard))
    }

    fn unwritable(&self) -> StoreError {
        StoreError::Unwritable {
            path: self.path.display().to_string(),
        }
    }

    /// After a failed write, opens the data dir again (RocksDB refuses every write after one
    /// fails), so that writes resume once their cause (a full disk, say) is gone.
    fn reopen_if_failing(&self) -> Result<(), StoreError> {
        let mut db = self.db.write().unwrap_or_else(|e| e.into_inner());
        if !self.failing.load(Ordering::SeqCst) {
            return Ok(()); // another caller recovered it
        }
        // RocksDB holds the data dir's lock until the old database is closed.
        drop(db.take());
        match open_db(&self.path, self.recovery, Access::ReadWrite) {
            Ok(reopened) => {
                *db = Some(reopened);
                Ok(())
            }
            Err(e) => {
                tracing::warn!(error = %e, "the data dir cannot be opened again yet");
                Err(self.unwritable())
            }
        }
    }

    /// Whether writes succeed again after one failed: a write the size of a large registration
    /// succeeds (and is removed).
    fn probe(&self) -> Result<(), StoreError> {
        if !self.failing.load(Ordering::SeqCst) {
            return Ok(());
        }
        let mut probe = WriteBatch::new();
        probe.put(Keyspace::Meta, PROBE_KEY, vec![0u8; PROBE_BYTES]);
        probe.delete(Keyspace::Meta, PROBE_KEY);
        self.write(probe).map_err(|_| self.unwritable())?;
        tracing::info!(data_dir = %self.path.display(), "writes resumed");
        Ok(())
    }

    /// Marks the data dir open, in the table files, until a clean close (see [`lost_log`]).
    fn mark_open(&self) -> Result<(), StoreError> {
        let mut batch = WriteBatch::new();
        batch.put(Keyspace::Meta, OPEN_KEY, *b"1");
        self.write(batch)?;
        self.flush()
    }

    /// Checks the storage format; a new data dir gets one, and an identity. True when new.
    fn check_format(&self, path: &Path) -> Result<bool, StoreError> {
        match self.get(Keyspace::Meta, FORMAT_KEY)? {
            Some(bytes) => {
                let found = <[u8; 4]>::try_from(bytes.as_slice()).map_or(0, u32::from_be_bytes);
                if found != FORMAT_VERSION {
                    return Err(StoreError::FormatVersion {
                        place: "data dir",
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
    fn flush(&self) -> Result<(), StoreError> {
        let db = self.db()?;
        for keyspace in Keyspace::ALL {
            db.flush_cf(db.family(keyspace)).map_err(backend)?;
        }
        Ok(())
    }
}

/// The open database, read-locked: a recovery waits until it is let go.
struct DbGuard<'s>(RwLockReadGuard<'s, Option<DB>>);

impl DbGuard<'_> {
    fn family(&self, keyspace: Keyspace) -> &rocksdb::ColumnFamily {
        family(self, keyspace)
    }
}

fn family(db: &DB, keyspace: Keyspace) -> &rocksdb::ColumnFamily {
    db.cf_handle(keyspace.name())
        .expect("every keyspace's column family is opened by open_db")
}

impl std::ops::Deref for DbGuard<'_> {
    type Target = DB;

    fn deref(&self) -> &DB {
        self.0.as_ref().expect("checked when the guard was made")
    }
}

/// How opening treats damage in the write-ahead log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LogRecovery {
    /// Every write is synced before it is acknowledged, so only a torn last record can be
    /// dropped: damage anywhere else fails the open instead of forgetting what follows it.
    Strict,
    /// Replaying stops at the damage, and what follows it is dropped: a repair.
    StopAtDamage,
    /// Every readable record is replayed, the damaged ones skipped: only to see, read-only,
    /// what a repair drops (the records may depend on the skipped ones).
    SkipDamage,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    ReadWrite,
    ReadOnly,
}

/// What a repair of a data dir drops (see [`RocksStore::damage`]).
#[derive(Debug)]
pub enum Damage {
    /// Nothing: the data dir opens as it is.
    None,
    /// The write-ahead log is damaged before its end. A repair drops what follows the damage:
    /// the damaged records, which cannot be read, and these entries, readable past them.
    Log { dropped: Vec<Dropped> },
    /// The last server did not close the data dir, and its write-ahead log is gone since: the
    /// writes that lived only in the log are lost, and what they were cannot be known.
    LostLog,
}

/// One entry a repair drops: the value written past the damage, or `None` for a deletion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dropped {
    pub keyspace: Keyspace,
    pub key: Vec<u8>,
    pub value: Option<Vec<u8>>,
}

/// The entries of `keyspace` that `written` holds and `kept` lacks or holds otherwise, by one
/// merge of the two in key order.
fn dropped_entries(
    kept: &DB,
    written: &DB,
    keyspace: Keyspace,
    dropped: &mut Vec<Dropped>,
) -> Result<(), StoreError> {
    // A data dir written by an older build may lack a keyspace: it holds nothing.
    let entries = |db: &DB| -> Result<Vec<Entry>, StoreError> {
        let Some(family) = db.cf_handle(keyspace.name()) else {
            return Ok(Vec::new());
        };
        db.iterator_cf(family, IteratorMode::Start)
            .map(|item| {
                item.map(|(k, v)| (k.into_vec(), v.into_vec()))
                    .map_err(backend)
            })
            .collect()
    };
    let (kept, written) = (entries(kept)?, entries(written)?);
    let (mut k, mut w) = (kept.iter().peekable(), written.iter().peekable());
    loop {
        let order = match (k.peek(), w.peek()) {
            (None, None) => return Ok(()),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (Some((kk, _)), Some((wk, _))) => kk.cmp(wk),
        };
        let change = match order {
            // Kept but deleted past the damage.
            std::cmp::Ordering::Less => k.next().map(|(key, _)| (key, None)),
            // Written past the damage.
            std::cmp::Ordering::Greater => w.next().map(|(key, value)| (key, Some(value))),
            std::cmp::Ordering::Equal => {
                let (key, old) = k.next().expect("peeked");
                let (_, new) = w.next().expect("peeked");
                (old != new).then_some((key, Some(new)))
            }
        };
        if let Some((key, value)) = change {
            dropped.push(Dropped {
                keyspace,
                key: key.clone(),
                value: value.cloned(),
            });
        }
    }
}

/// Opens the database in a data dir, creating it if absent (unless read-only).
fn open_db(path: &Path, recovery: LogRecovery, access: Access) -> Result<DB, StoreError> {
    // No space reserved ahead (the crate has no setter for it): on a full disk, what is free is
    // what the disk says. Space RocksDB had reserved, let go of when it reopened after a failed
    // write, made a full disk look writable for a moment.
    let mut options = Options::default()
        .get_options_from_string("allow_fallocate=false")
        .map_err(backend)?;
    options.create_if_missing(true);
    options.create_missing_column_families(true);
    options.set_compression_type(rocksdb::DBCompressionType::Lz4);
    options.set_wal_recovery_mode(match recovery {
        LogRecovery::Strict => DBRecoveryMode::TolerateCorruptedTailRecords,
        LogRecovery::StopAtDamage => DBRecoveryMode::PointInTime,
        LogRecovery::SkipDamage => DBRecoveryMode::SkipAnyCorruptedRecord,
    });
    // Keep families a newer build may have added, so opening does not fail on them. A
    // read-only open cannot create the missing ones.
    let mut families: Vec<String> = DB::list_cf(&options, path).unwrap_or_default();
    for keyspace in Keyspace::ALL {
        if access == Access::ReadWrite && !families.iter().any(|f| f == keyspace.name()) {
            families.push(keyspace.name().to_string());
        }
    }
    let descriptors = families
        .iter()
        .map(|name| ColumnFamilyDescriptor::new(name, Options::default()));
    match access {
        Access::ReadWrite => DB::open_cf_descriptors(&options, path, descriptors),
        Access::ReadOnly => DB::open_cf_descriptors_read_only(&options, path, descriptors, false),
    }
    .map_err(|e| {
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
    })
}

/// A clean close flushes: what was written since the last start no longer lives in the
/// write-ahead log alone (an operator "cleaning up" `*.log` files after a stop loses nothing),
/// and the data dir is marked closed.
impl Drop for RocksStore {
    fn drop(&mut self) {
        let mut closed = WriteBatch::new();
        closed.delete(Keyspace::Meta, OPEN_KEY);
        if let Err(e) = self.write(closed).and_then(|()| self.flush()) {
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

/// Whether the last server stopped without closing the data dir (a crash, SIGKILL, a power
/// loss) and its write-ahead log is gone since: the writes after the last flush lived in that
/// log alone, and starting would hand their ids out again. Read-only, so that a refused start
/// leaves no new log behind to hide the loss from the next one.
fn lost_log(path: &Path) -> Result<bool, StoreError> {
    if !path.join("CURRENT").exists() || has_log(path) {
        return Ok(false);
    }
    let db = open_db(path, LogRecovery::Strict, Access::ReadOnly)?;
    let Some(meta) = db.cf_handle(Keyspace::Meta.name()) else {
        return Ok(false); // written before the mark was kept
    };
    Ok(db.get_cf(meta, OPEN_KEY).map_err(backend)?.is_some())
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
    fn checkpoint(&self, to: &Path) -> Result<(), StoreError> {
        let refused = |detail: String| StoreError::Backup {
            path: to.display().to_string(),
            detail,
        };
        if !to.is_absolute() {
            return Err(refused(
                "give an absolute path on the server's machine".into(),
            ));
        }
        if to.exists() {
            return Err(refused(
                "it exists; a backup goes into a new directory".into(),
            ));
        }
        let guard = self.db()?;
        let Some(db) = guard.0.as_ref() else {
            return Err(self.unwritable());
        };
        // RocksDB flushes what is in memory, then hard-links (or copies) every file into `to`:
        // one consistent point across every keyspace.
        rocksdb::checkpoint::Checkpoint::new(db)
            .and_then(|c| c.create_checkpoint(to))
            .map_err(|e| refused(e.to_string()))
    }

    fn get(&self, keyspace: Keyspace, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        let db = self.db()?;
        db.get_cf(db.family(keyspace), key).map_err(backend)
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
        let db = self.db()?;
        for item in db.iterator_cf(db.family(keyspace), mode) {
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
        if self.failing.load(Ordering::SeqCst) {
            self.reopen_if_failing()?;
        }
        let db = self.db()?;
        let mut rocks_batch = rocksdb::WriteBatch::default();
        for op in batch.ops {
            match op {
                Op::Put(ks, key, value) => rocks_batch.put_cf(db.family(ks), key, value),
                Op::Delete(ks, key) => rocks_batch.delete_cf(db.family(ks), key),
            }
        }
        // Synced: an acknowledged write survives a power loss, not only a process crash.
        let mut options = WriteOptions::default();
        options.set_sync(self.sync);
        match db.write_opt(rocks_batch, &options) {
            Ok(()) => {
                self.failing.store(false, Ordering::SeqCst);
                Ok(())
            }
            Err(e) => {
                self.failing.store(true, Ordering::SeqCst);
                Err(backend(e))
            }
        }
    }

    fn writable(&self) -> Result<(), StoreError> {
        self.probe()
    }
}
