//! Storage: one small, synchronous trait over bytes, and its backends.
//!
//! The trait never names RocksDB and knows nothing of subjects or schemas: keys and values are
//! bytes, and the registry owns their encoding. Every backend passes the same conformance suite
//! (`conformance.rs`).

mod mem;
mod postgres;
mod rocks;
mod shared;

#[cfg(test)]
mod conformance;

pub use mem::MemStore;
pub use postgres::{PostgresStore, redact};
pub use rocks::{Damage, Dropped, RocksStore};
pub use shared::{Change, Scope, Shared, SharedLock};

/// A separate key space (a column family in RocksDB).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Keyspace {
    /// Schema id -> the stored schema.
    Schemas,
    /// Identity of a schema's content -> its id.
    SchemaIdentity,
    /// Subject and version -> the version's record.
    SubjectVersions,
    /// Subject (or the global scope) -> compatibility configuration.
    Config,
    /// Subject (or the global scope) -> mode.
    Mode,
    /// Named counters, such as the last schema id handed out.
    Counters,
    /// Facts about the data dir itself, such as its format version.
    Meta,
    /// Data product name -> its definition.
    Products,
    /// Data product name and sequence -> a published product version.
    ProductVersions,
    /// Data product name and major -> a breaking-change notice.
    Notices,
    /// Data product name and sequence -> one decision of its audit history.
    Audit,
    /// Data product name and consumer name -> a registered consumer.
    Consumers,
    /// Event id -> an event a product's consumers hear about.
    Events,
    /// Event id, product and consumer -> the event's delivery to the consumer's webhook.
    Deliveries,
}

impl Keyspace {
    /// Every keyspace, each one column family.
    pub const ALL: [Keyspace; 14] = [
        Keyspace::Schemas,
        Keyspace::SchemaIdentity,
        Keyspace::SubjectVersions,
        Keyspace::Config,
        Keyspace::Mode,
        Keyspace::Counters,
        Keyspace::Meta,
        Keyspace::Products,
        Keyspace::ProductVersions,
        Keyspace::Notices,
        Keyspace::Audit,
        Keyspace::Consumers,
        Keyspace::Events,
        Keyspace::Deliveries,
    ];

    /// The column family name.
    pub fn name(self) -> &'static str {
        match self {
            Keyspace::Schemas => "schemas",
            Keyspace::SchemaIdentity => "schema_identity",
            Keyspace::SubjectVersions => "subject_versions",
            Keyspace::Config => "config",
            Keyspace::Mode => "mode",
            Keyspace::Counters => "counters",
            Keyspace::Meta => "meta",
            Keyspace::Products => "products",
            Keyspace::ProductVersions => "product_versions",
            Keyspace::Notices => "notices",
            Keyspace::Audit => "audit",
            Keyspace::Consumers => "consumers",
            Keyspace::Events => "events",
            Keyspace::Deliveries => "deliveries",
        }
    }
}

/// Writes applied together or not at all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteBatch {
    ops: Vec<Op>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Op {
    Put(Keyspace, Vec<u8>, Vec<u8>),
    Delete(Keyspace, Vec<u8>),
}

impl WriteBatch {
    pub fn new() -> Self {
        WriteBatch::default()
    }

    pub fn put(&mut self, keyspace: Keyspace, key: impl Into<Vec<u8>>, value: impl Into<Vec<u8>>) {
        self.ops.push(Op::Put(keyspace, key.into(), value.into()));
    }

    pub fn delete(&mut self, keyspace: Keyspace, key: impl Into<Vec<u8>>) {
        self.ops.push(Op::Delete(keyspace, key.into()));
    }

    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// The keys it writes or deletes, in order.
    pub fn keys(&self) -> impl Iterator<Item = (Keyspace, &[u8])> {
        self.ops.iter().map(|op| match op {
            Op::Put(keyspace, key, _) | Op::Delete(keyspace, key) => (*keyspace, key.as_slice()),
        })
    }
}

/// A key and its value.
pub type Entry = (Vec<u8>, Vec<u8>);

/// A storage backend.
pub trait Store: Send + Sync {
    /// The value stored under `key`, if any.
    fn get(&self, keyspace: Keyspace, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError>;

    /// Every entry whose key starts with `prefix`, in key order.
    fn scan_prefix(&self, keyspace: Keyspace, prefix: &[u8]) -> Result<Vec<Entry>, StoreError> {
        self.scan_page(keyspace, prefix, prefix, usize::MAX)
    }

    /// At most `limit` entries whose key starts with `prefix`, in key order, from the first key
    /// at or after `from`: a page of a long listing, read without reading the rest.
    fn scan_page(
        &self,
        keyspace: Keyspace,
        prefix: &[u8],
        from: &[u8],
        limit: usize,
    ) -> Result<Vec<Entry>, StoreError>;

    /// Every entry of each keyspace, in key order, as of one moment: what an export reads. A
    /// store one process owns reads them one after the other (its registry holds every write
    /// meanwhile); a shared one reads them in one snapshot, whatever the others commit.
    fn snapshot(&self, keyspaces: &[Keyspace]) -> Result<Vec<Vec<Entry>>, StoreError> {
        keyspaces
            .iter()
            .map(|keyspace| self.scan_prefix(*keyspace, b""))
            .collect()
    }

    /// Applies the batch atomically across keyspaces; when this returns `Ok`, the writes survive
    /// a crash of the process or of the machine.
    fn write(&self, batch: WriteBatch) -> Result<(), StoreError>;

    /// Whether writes can succeed now; a store whose last write failed tries to recover first.
    fn writable(&self) -> Result<(), StoreError> {
        Ok(())
    }

    /// What the store adds when other accord processes share it: `None` for a store one
    /// process owns.
    fn shared(&self) -> Option<&dyn Shared> {
        None
    }

    /// Writes a consistent copy of every keyspace into the new directory `to`, while the store
    /// goes on serving: a backup.
    fn checkpoint(&self, to: &std::path::Path) -> Result<(), StoreError> {
        Err(StoreError::Backup {
            path: to.display().to_string(),
            detail: "this store keeps nothing on disk to copy".into(),
        })
    }
}

/// Why the store could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The data dir (or database) was written in a format this build does not read.
    #[error(
        "{place} `{path}` has storage format version {found}, but this build of accord reads version {expected}"
    )]
    FormatVersion {
        /// "data dir" or "database".
        place: &'static str,
        path: String,
        found: u32,
        expected: u32,
    },
    /// The data dir is damaged: a file's checksum fails, or the write-ahead log is damaged
    /// before its last record (acknowledged writes follow the damage, and opening anyway would
    /// silently forget them).
    #[error(
        "data dir `{path}` is damaged ({detail}); the registry does not start rather than forget acknowledged writes. Restore the data dir from a backup; if the damage is in the write-ahead log (`*.log`), the loss can be accepted explicitly: keep a copy of the data dir, then run `accord repair`, which says what it drops before it drops anything"
    )]
    Damaged { path: String, detail: String },
    /// A directory that holds files but no database: a data dir with its `CURRENT` file lost
    /// (a partial restore, say), or the wrong directory. Creating a database there would start
    /// an empty registry (and RocksDB would delete the data files it does not know).
    #[error(
        "`{path}` is not empty but holds no complete data dir (no `CURRENT` file; found {found}); refusing to create a new registry over it. Point --data-dir at the data dir, restore it whole, or use an empty directory for a new registry"
    )]
    NotADataDir { path: String, found: String },
    /// A backup cannot be written where it was asked to go.
    #[error("cannot back up into `{path}`: {detail}")]
    Backup { path: String, detail: String },
    /// A write failed (a full disk, say) and the data dir cannot be opened again yet; writes
    /// resume on their own once it can.
    #[error(
        "data dir `{path}` cannot be written now (is its disk full?); writes resume on their own once it can"
    )]
    Unwritable { path: String },
    /// Another process has the data dir open.
    #[error(
        "data dir `{path}` is in use by another process (another `accord serve`?); one server per data dir"
    )]
    InUse { path: String },
    /// The backend failed; the details are the backend's own. They are the message, not a
    /// source as well, so that an error chain does not print them twice.
    #[error("storage backend failed: {0}")]
    Backend(Box<dyn std::error::Error + Send + Sync>),
}
