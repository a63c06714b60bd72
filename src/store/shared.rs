//! What a store shared by several accord processes adds to [`Store`](super::Store): locks that
//! hold across the processes, schema ids from one sequence, one clock, and a feed of the keys
//! the others' commits wrote, from which each process keeps its in-memory state current.

use std::time::Duration;

use super::{Keyspace, StoreError};

/// Something only one process may change at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope<'a> {
    /// A subject's versions: the next version is decided against the committed ones.
    Subject(&'a str),
    /// A schema content, by its identity hash: it gets one id, whoever registers it first.
    Identity(u64),
    /// Every data product: definitions, publications, notices, consumers.
    Products,
}

impl Scope<'_> {
    /// The name the lock is taken under.
    pub fn name(&self) -> String {
        match self {
            Scope::Subject(subject) => format!("subject:{subject}"),
            Scope::Identity(hash) => format!("identity:{hash:016x}"),
            Scope::Products => "products".to_string(),
        }
    }
}

/// A key another process's commit wrote (`value` is what it wrote) or deleted (`None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub keyspace: Keyspace,
    pub key: Vec<u8>,
    pub value: Option<Vec<u8>>,
}

/// Scopes held across processes until dropped.
pub struct SharedLock {
    _held: Box<dyn Send>,
}

impl SharedLock {
    /// Holds what releases the scopes when dropped.
    pub fn new(held: impl Send + 'static) -> Self {
        SharedLock {
            _held: Box::new(held),
        }
    }
}

/// A store several accord processes use at once.
pub trait Shared: Send + Sync {
    /// Holds `scopes` against every other process (and every other caller in this one) until
    /// the lock is dropped. Waits while another holds one of them.
    fn lock(&self, scopes: &[Scope]) -> Result<SharedLock, StoreError>;

    /// A schema id never handed out before, by any process.
    fn next_schema_id(&self) -> Result<u32, StoreError>;

    /// Makes sure `next_schema_id` never hands out `id` or a smaller one: an id was given
    /// explicitly (IMPORT mode, an import).
    fn schema_ids_past(&self, id: u32) -> Result<(), StoreError>;

    /// What every other process's commits wrote since the last call, each commit once and the
    /// commits to any one key in the order they were made; `None` when the feed no longer
    /// reaches back that far and everything must be read again (the first call, or after a
    /// long disconnection).
    fn changes(&self) -> Result<Option<Vec<Change>>, StoreError>;

    /// Waits until another process may have committed, or `timeout` passes.
    fn wait_for_change(&self, timeout: Duration) -> Result<(), StoreError>;

    /// The database's time: the one clock every process judges notices and sunsets by.
    fn now(&self) -> Result<jiff::Timestamp, StoreError>;

    /// Whether this process leads, for work exactly one process must do (sending consumers'
    /// webhooks): the first to ask becomes the leader and stays it while it lives.
    fn leads(&self) -> bool;
}
