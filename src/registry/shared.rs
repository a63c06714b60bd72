//! Several registries over one shared store (see [`crate::store::Shared`]): each serves reads
//! from memory and keeps that memory current from the store's change feed; each write holds
//! its scopes across the processes and catches up first, so that it is decided on what is
//! really committed.
//!
//! How stale a read can be: a commit is announced once it is durable, and a follower reads the
//! feed when it hears of one, or after [`FOLLOW_INTERVAL`] if the announcement was lost. A read
//! of a schema id not yet known catches up before it answers "not found".

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

use crate::registry::model::keys;
use crate::registry::products::{install_product, load_product};
use crate::registry::{Clock, Registry, RegistryError, load};
use crate::store::{Change, Keyspace, Scope, SharedLock};

/// The longest a follower goes without reading the feed.
pub const FOLLOW_INTERVAL: Duration = Duration::from_secs(1);
/// How long the follower waits after a failure (the database restarting, say).
const RETRY_INTERVAL: Duration = Duration::from_millis(200);
/// How often the clock is set again from the database's.
const CLOCK_INTERVAL: Duration = Duration::from_secs(10);

impl Registry {
    /// Holds `scopes` against every other process sharing the store, then catches up with
    /// what they committed. Nothing to do when the store is this process's alone: its own
    /// locks suffice.
    pub(in crate::registry) fn hold(
        &self,
        scopes: &[Scope],
    ) -> Result<Option<SharedLock>, RegistryError> {
        let Some(shared) = self.store.shared() else {
            return Ok(None);
        };
        let held = shared.lock(scopes)?;
        self.catch_up()?;
        Ok(Some(held))
    }

    /// Brings what this registry serves up to what every process sharing its store has
    /// committed.
    pub(in crate::registry) fn catch_up(&self) -> Result<(), RegistryError> {
        let Some(shared) = self.store.shared() else {
            return Ok(());
        };
        let _applying = self.applying.lock().unwrap_or_else(|e| e.into_inner());
        let changed = shared.changes();
        let result = match changed {
            Ok(Some(changed)) if !self.stale.load(Ordering::SeqCst) => self.refresh(&changed),
            Ok(_) => {
                let state = load(self.store.as_ref())?;
                *self.write_state() = state;
                Ok(())
            }
            Err(e) => Err(e.into()),
        };
        // Keys read from the feed and not applied are not read again: all is read instead.
        self.stale.store(result.is_err(), Ordering::SeqCst);
        result
    }

    /// Shows what other processes changed: subjects' versions as the feed gives them, data
    /// products read again from the store (they are few, and change rarely).
    fn refresh(&self, changes: &[Change]) -> Result<(), RegistryError> {
        if changes.is_empty() {
            return Ok(());
        }
        let store = self.store.as_ref();
        let mut products = BTreeSet::new();
        for Change { keyspace, key, .. } in changes {
            let product = match keyspace {
                Keyspace::Products => Some(String::from_utf8_lossy(key).into_owned()),
                Keyspace::ProductVersions
                | Keyspace::Notices
                | Keyspace::Audit
                | Keyspace::Consumers => key
                    .iter()
                    .position(|b| *b == 0)
                    .map(|end| String::from_utf8_lossy(&key[..end]).into_owned()),
                Keyspace::Counters => key
                    .strip_prefix(keys::audit_len("").as_slice())
                    .map(|name| String::from_utf8_lossy(name).into_owned()),
                Keyspace::Deliveries => {
                    self.deliveries_written.fetch_add(1, Ordering::SeqCst);
                    None
                }
                _ => None,
            };
            products.extend(product);
        }
        let subjects = self.read().subjects.read_changes(store, changes)?;
        let products = products
            .into_iter()
            .map(|name| Ok((load_product(store, &name)?, name)))
            .collect::<Result<Vec<_>, RegistryError>>()?;
        let mut state = self.write_state();
        state.subjects.apply(subjects)?;
        for (product, name) in products {
            install_product(&mut state, &name, product);
        }
        Ok(())
    }

    /// Whether this process does the work exactly one of those sharing the store must do
    /// (sending webhooks); a process with a store of its own always does.
    pub fn leads(&self) -> bool {
        self.store.shared().is_none_or(|shared| shared.leads())
    }

    /// Ids come from the shared store's sequence, else after the last one.
    pub(in crate::registry) fn next_schema_id(
        &self,
        last: crate::registry::SchemaId,
    ) -> Result<crate::registry::SchemaId, RegistryError> {
        match self.store.shared() {
            Some(shared) => Ok(crate::registry::SchemaId(shared.next_schema_id()?)),
            None => Ok(last.next()),
        }
    }

    /// Keeps this registry current with the other processes sharing its store, in a thread of
    /// its own, and sets `clock` to the database's time; nothing to do for a store of its own.
    pub fn follow(self: &Arc<Self>, clock: Arc<SharedClock>) {
        if self.store.shared().is_none() {
            return;
        }
        let registry = Arc::downgrade(self);
        std::thread::Builder::new()
            .name("accord-follower".into())
            .spawn(move || {
                let mut clock_set_at: Option<Instant> = None;
                while let Some(registry) = registry.upgrade() {
                    let shared = registry.store.shared().expect("checked above");
                    if clock_set_at.is_none_or(|at| at.elapsed() >= CLOCK_INTERVAL) {
                        match shared.now() {
                            Ok(now) => {
                                clock.set(now);
                                clock_set_at = Some(Instant::now());
                            }
                            Err(e) => tracing::warn!(error = %e, "cannot read the database's clock"),
                        }
                    }
                    let waited = registry.catch_up().map_err(|e| e.to_string()).and_then(|()| {
                        shared
                            .wait_for_change(FOLLOW_INTERVAL)
                            .map_err(|e| e.to_string())
                    });
                    drop(registry);
                    if let Err(e) = waited {
                        tracing::warn!(error = %e, "cannot follow the other accord processes' commits; retrying");
                        std::thread::sleep(RETRY_INTERVAL);
                    }
                }
            })
            .expect("the follower thread starts");
    }
}

/// The system's clock moved to agree with the shared database's, so that every process judges
/// notices and sunsets by one time.
#[derive(Debug, Default)]
pub struct SharedClock {
    /// Database time minus system time, in microseconds.
    offset: AtomicI64,
}

impl SharedClock {
    /// Agrees with the database's time from now on (until set again).
    pub fn set(&self, database: jiff::Timestamp) {
        let offset = database.as_microsecond() - jiff::Timestamp::now().as_microsecond();
        self.offset.store(offset, Ordering::SeqCst);
    }
}

impl Clock for SharedClock {
    fn now(&self) -> jiff::Timestamp {
        let micros = jiff::Timestamp::now().as_microsecond() + self.offset.load(Ordering::SeqCst);
        jiff::Timestamp::from_microsecond(micros).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shared_clock_reads_the_database_s_time_not_the_machine_s() {
        let clock = SharedClock::default();
        let database = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(1);
        clock.set(database);
        let apart = clock.now().duration_since(database).abs();
        assert!(apart < jiff::SignedDuration::from_secs(5), "{apart}");
    }
}
