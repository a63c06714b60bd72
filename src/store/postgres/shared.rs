//! What PostgreSQL gives the processes that share it: advisory locks, the schema id sequence,
//! the change feed with `LISTEN/NOTIFY`, the database's clock, and a leader's lock.
//!
//! The feed is read by transaction id rather than by sequence number: sequence numbers are
//! drawn before commit, so a reader that only remembered the highest one seen would skip a
//! slower transaction's row. A reader remembers instead the oldest transaction still running
//! at its last read (`pg_snapshot_xmin`): every row of an older transaction was visible then,
//! and rows of newer ones are read again (those already seen are skipped by number).

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use postgres::fallible_iterator::FallibleIterator;
use postgres::{Client, NoTls};

use super::{Pooled, PostgresStore, backend, blocking};
use crate::store::{Change, Keyspace, Scope, Shared, SharedLock, StoreError};

/// The notification channel commits are announced on.
pub(super) const CHANNEL: &str = "accord_changes";

/// How long the change feed keeps a commit (`PRUNE_FEED`); a process that has not read the feed
/// for half of it reads everything again.
const FEED_TRUSTED: Duration = Duration::from_secs(30 * 60);
/// How often old feed rows are removed.
const FEED_PRUNED_EVERY: Duration = Duration::from_secs(10 * 60);

const PRUNE_FEED: &str = "DELETE FROM accord_changes WHERE at < now() - interval '1 hour'";
/// Locks the names in the order given (a function scan's), in one round trip.
const LOCK: &str = "SELECT count(pg_advisory_lock(hashtextextended(name, 0)))
                    FROM unnest($1::text[]) AS name";
/// The feed since a transaction id, and the oldest transaction running now: one statement,
/// so one snapshot. The snapshot's row is the one without a change (`seq` null).
const READ_FEED: &str = "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint,
                                NULL::bigint, NULL::bigint, NULL::text[], NULL::bytea[],
                                NULL::bytea[]
                         UNION ALL
                         (SELECT NULL, seq, xid::text::bigint, keyspaces, keys, vals
                          FROM accord_changes
                          WHERE xid >= $1::bigint::text::xid8 AND origin <> $2 ORDER BY seq)";

/// Where this process is in the change feed.
#[derive(Default)]
pub(super) struct Feed {
    /// The oldest transaction running at the last read; `None` before the first.
    xmin: Option<i64>,
    /// Rows read of transactions at or after `xmin`, by sequence number: read again, skipped.
    seen: HashMap<i64, i64>,
    read_at: Option<Instant>,
    pruned_at: Option<Instant>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared for PostgresStore {
    fn lock(&self, scopes: &[Scope]) -> Result<SharedLock, StoreError> {
        let mut names: Vec<String> = scopes.iter().map(Scope::name).collect();
        // One order everywhere, so that two processes locking the same scopes cannot each hold
        // what the other waits for.
        names.sort_unstable();
        names.dedup();
        let ((), connection) = self.run_on(|connection| {
            connection.query(LOCK, &[&names])?;
            Ok(())
        })?;
        Ok(SharedLock::new(Held(connection)))
    }

    fn next_schema_id(&self) -> Result<u32, StoreError> {
        let id: i64 = self.run(|connection| {
            Ok(connection.query("SELECT nextval('accord_schema_ids')", &[])?[0].get(0))
        })?;
        u32::try_from(id).map_err(|_| StoreError::Backend("schema ids are exhausted".into()))
    }

    fn schema_ids_past(&self, id: u32) -> Result<(), StoreError> {
        self.run(|connection| {
            connection.query(
                "SELECT setval('accord_schema_ids', $1)
                 WHERE $1 > (SELECT CASE WHEN is_called THEN last_value ELSE 0 END
                             FROM accord_schema_ids)",
                &[&i64::from(id)],
            )?;
            Ok(())
        })
    }

    fn changes(&self) -> Result<Option<Vec<Change>>, StoreError> {
        let mut feed = lock(&self.feed);
        if feed
            .pruned_at
            .is_none_or(|at| at.elapsed() > FEED_PRUNED_EVERY)
        {
            self.run(|connection| connection.query(PRUNE_FEED, &[]))?;
            feed.pruned_at = Some(Instant::now());
        }
        let trusted = feed.read_at.is_some_and(|at| at.elapsed() < FEED_TRUSTED);
        let since = feed.xmin.filter(|_| trusted);
        // Nothing to read from before the first call: only the snapshot is wanted.
        let rows = self.run(|connection| {
            connection.query(READ_FEED, &[&since.unwrap_or(i64::MAX), &self.origin])
        })?;
        let xmin: i64 = rows
            .iter()
            .find_map(|row| row.get::<_, Option<i64>>(0))
            .ok_or_else(|| {
                StoreError::Backend("the change feed's snapshot row is missing".into())
            })?;
        let mut changes = Vec::new();
        let mut seen = HashMap::new();
        for row in &rows {
            let (Some(seq), Some(xid)) = (row.get::<_, Option<i64>>(1), row.get(2)) else {
                continue;
            };
            if !feed.seen.contains_key(&seq) {
                let keyspaces: Vec<String> = row.get(3);
                let keys: Vec<Vec<u8>> = row.get(4);
                let values: Vec<Option<Vec<u8>>> = row.get(5);
                for ((keyspace, key), value) in keyspaces.iter().zip(keys).zip(values) {
                    let keyspace = Keyspace::ALL
                        .into_iter()
                        .find(|k| k.name() == keyspace)
                        .ok_or_else(|| {
                            StoreError::Backend(
                                format!("the change feed names keyspace `{keyspace}`").into(),
                            )
                        })?;
                    changes.push(Change {
                        keyspace,
                        key,
                        value,
                    });
                }
            }
            if xid >= xmin {
                seen.insert(seq, xid);
            }
        }
        feed.xmin = Some(xmin);
        feed.seen = seen;
        feed.read_at = Some(Instant::now());
        Ok(since.map(|_| changes))
    }

    fn wait_for_change(&self, timeout: Duration) -> Result<(), StoreError> {
        blocking(|| {
            let mut listener = lock(&self.listener);
            if listener.as_ref().is_none_or(Client::is_closed) {
                let mut client = self.config.connect(NoTls).map_err(backend)?;
                client
                    .batch_execute(&format!("LISTEN {CHANNEL}"))
                    .map_err(backend)?;
                *listener = Some(client);
            }
            let client = listener.as_mut().expect("connected above");
            let waited = {
                let mut notifications = client.notifications();
                let waited = notifications.timeout_iter(timeout).next().map(|_| ());
                // Many commits, one look.
                while let Ok(Some(_)) = notifications.iter().next() {}
                waited
            };
            waited.map_err(|e| {
                *listener = None;
                backend(e)
            })
        })
    }

    fn now(&self) -> Result<jiff::Timestamp, StoreError> {
        let micros: i64 = self.run(|connection| {
            Ok(connection.query(
                "SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint",
                &[],
            )?[0]
                .get(0))
        })?;
        jiff::Timestamp::from_microsecond(micros).map_err(backend)
    }

    fn leads(&self) -> bool {
        blocking(|| {
            let mut leader = lock(&self.leader);
            if leader.as_ref().is_none_or(|(client, _)| client.is_closed()) {
                // A lost connection took the lock with it: ask again on a new one.
                *leader = self
                    .config
                    .connect(NoTls)
                    .ok()
                    .map(|client| (client, false));
            }
            let Some((client, leads)) = leader.as_mut() else {
                return false;
            };
            if !*leads {
                *leads = client
                    .query_one(
                        "SELECT pg_try_advisory_lock(hashtextextended('accord:leader', 0))",
                        &[],
                    )
                    .is_ok_and(|row| row.get::<_, bool>(0));
            }
            *leads
        })
    }
}

/// A pooled connection holding advisory locks, released when it is dropped.
struct Held(Pooled);

impl Drop for Held {
    fn drop(&mut self) {
        blocking(|| {
            if let Err(e) = self
                .0
                .client
                .batch_execute("SELECT pg_advisory_unlock_all()")
            {
                tracing::warn!(error = %e, "cannot release locks in PostgreSQL (its connection is lost with them)");
            }
        })
    }
}
