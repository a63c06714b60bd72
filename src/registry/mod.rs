//! The registry domain: subjects, versions, global schema ids, compatibility configuration and
//! modes, with Confluent Schema Registry's semantics. It calls `compat` to judge a new version
//! and the `store` to keep it, and serves every read from memory.
//!
//! Concurrency: registrations and deletes take their subject's lock, so each accepted version is
//! checked against what was really there; the compatibility check runs without any global lock,
//! so different subjects proceed in parallel; allocation and the synced write share one short
//! commit lock; readers only ever wait for the brief swap of the in-memory state.
//!
//! Layout: `state` (what is served, in memory), `load` (reading it from the store at start),
//! `model` (stored records and their keys), `error`; `subjects/` (register, read, delete,
//! settings, check); `policy` (what a data product allows) and `products/` (publish,
//! Confluent registrations to a product's subjects, notices, audit); `repair` (what
//! repairing a damaged data dir drops).

mod clock;
mod error;
mod load;
mod model;
mod parsed;
mod policy;
mod portable;
mod products;
pub mod repair;
mod shared;
mod state;
mod subjects;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

pub use clock::{Clock, FixedClock, SystemClock};
pub use error::RegistryError;
use load::{corrupt, json, load};
use model::keys;
pub use model::{
    Mode, Reference, SchemaId, StoredSchema, SubjectName, Version, VersionRecord, VersionSpec,
};
use parsed::ParsedCache;
pub use policy::{
    AuditEntry, DataProduct, Line, LineState, Notice, ProductError, ProductState, Publication,
    PublishedSchema, Step, capped, date, days, days_until, declared_bump, minimum_version,
};
pub use portable::{Carried, EXPORT_VERSION, hex};
use products::load_products;
pub use products::{
    Affected, Consumer, Delivery, DueDelivery, Evaluation, Event, EventKind, Impact, LineStatus,
    MAJOR_VERSION_PROPERTY, PRODUCT_VERSION_PROPERTY, PolicyFinding, PublicationSpec, Severity,
    SubjectCheck, Submission, Upstream,
};
pub use shared::{FOLLOW_INTERVAL, SharedClock};
pub use state::SchemaEntry;
use state::State;
pub use subjects::{Config, Holdings, Import, NewSchema, Registered, SubjectVersion, Verdict};
use subjects::{Normalize, Prepared, Setting, SubjectState, finding_lines};

use crate::store::Store;

/// A registry over a store.
pub struct Registry {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    state: RwLock<State>,
    /// Parsed forms of stored schemas, within a memory budget.
    parsed: ParsedCache,
    subject_locks: Mutex<HashMap<String, Arc<Mutex<()>>>>,
    commit: Mutex<()>,
    /// Serializes changes to data products (definitions, publications, notices).
    products_lock: Mutex<()>,
    /// Event deliveries written so far, and how many had been when a look for due ones found
    /// none pending: the webhook thread reads the outbox only when something may be pending.
    deliveries_written: std::sync::atomic::AtomicU64,
    deliveries_idle_at: std::sync::atomic::AtomicU64,
    /// Serializes catching up with other processes sharing the store.
    applying: Mutex<()>,
    /// Whether keys read from the change feed were not applied: then all is read again.
    stale: std::sync::atomic::AtomicBool,
}

impl Registry {
    /// Opens the registry over a store, loading what it serves into memory.
    pub fn open(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Result<Self, RegistryError> {
        if let Some(shared) = store.shared() {
            // The feed is followed from before the load: what commits meanwhile is read again.
            shared.changes()?;
        }
        let state = load(store.as_ref())?;
        if let Some(shared) = store.shared() {
            // Ids written without the sequence (a data dir migrated in) are never handed out.
            shared.schema_ids_past(state.subjects.last_id().0)?;
        }
        Ok(Registry {
            store,
            clock,
            state: RwLock::new(state),
            parsed: ParsedCache::new(parsed::DEFAULT_BUDGET),
            subject_locks: Mutex::new(HashMap::new()),
            commit: Mutex::new(()),
            products_lock: Mutex::new(()),
            deliveries_written: std::sync::atomic::AtomicU64::new(0),
            // Unknown at start: the first look reads the outbox.
            deliveries_idle_at: std::sync::atomic::AtomicU64::new(u64::MAX),
            applying: Mutex::new(()),
            stale: std::sync::atomic::AtomicBool::new(false),
        })
    }

    /// Now, by the registry's clock: what notices, sunsets and the API's cool-downs read.
    pub fn now(&self) -> jiff::Timestamp {
        self.clock.now()
    }

    /// Keeps at most about `bytes` of parsed schemas in memory (the default is 256 MiB).
    pub fn with_parsed_budget(mut self, bytes: u64) -> Self {
        self.parsed = ParsedCache::new(bytes);
        self
    }

    /// The parsed form of a stored schema, referenced types included.
    pub fn parsed(&self, entry: &SchemaEntry) -> Arc<crate::schema::Schema> {
        self.parsed.get(entry)
    }

    /// The estimated memory of the parsed schemas kept.
    pub fn parsed_bytes(&self) -> u64 {
        self.parsed.weight()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write_state(&self) -> std::sync::RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(|e| e.into_inner())
    }

    fn subject_lock(&self, subject: &str) -> Arc<Mutex<()>> {
        let mut locks = self.subject_locks.lock().unwrap_or_else(|e| e.into_inner());
        locks.entry(subject.to_string()).or_default().clone()
    }
}

#[cfg(test)]
mod product_tests;
#[cfg(test)]
mod tests;
