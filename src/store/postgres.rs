//! The store in PostgreSQL, shared by any number of accord processes: one table of records
//! keyed by keyspace and key (`bytea`, compared byte by byte as RocksDB compares keys), each
//! batch one transaction that also appends the keys it wrote to a change feed. The tables are
//! created and migrated by accord itself, under a version it checks at every start.
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
use r2d2_postgres::PostgresConnectionManager;

use super::{
    ChangedKey, Entry, Keyspace, Op, Scope, Shared, SharedLock, Store, StoreError, WriteBatch,
};

/// The tables, one migration per version: a database at version N has had the first N applied.
const MIGRATIONS: &[&str] = &[
    // 1: the records.
    "CREATE TABLE IF NOT EXISTS accord_records (
         keyspace text NOT NULL,
         key bytea NOT NULL,
         value bytea NOT NULL,
         PRIMARY KEY (keyspace, key)
     );",
    // 2: the change feed other processes follow, and schema ids from a sequence.
    "CREATE TABLE accord_changes (
         seq bigserial PRIMARY KEY,
         xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
         at timestamptz NOT NULL DEFAULT now(),
         keys bytea NOT NULL
     );
     CREATE INDEX accord_changes_xid ON accord_changes (xid);
     CREATE SEQUENCE accord_schema_ids;",
];

/// The notification channel commits are announced on.
const CHANNEL: &str = "accord_changes";

/// How long the change feed keeps a commit's keys; a process that has not read the feed for
/// half of it reads everything again.
const FEED_KEPT: &str = "1 hour";
const FEED_TRUSTED: Duration = Duration::from_secs(30 * 60);
/// How often old feed rows are removed.
const FEED_PRUNED_EVERY: Duration = Duration::from_secs(10 * 60);

type Pool = r2d2::Pool<PostgresConnectionManager<NoTls>>;

/// A store over a PostgreSQL database.
pub struct PostgresStore {
    pool: Pool,
    config: postgres::Config,
    url: String,
    feed: Mutex<Feed>,
    /// The connection that listens for other processes' commits.
    listener: Mutex<Option<Client>>,
    /// The connection that asks for the leader's lock, and whether it holds it.
    leader: Mutex<Option<(Client, bool)>>,
}

/// Where this process is in the change feed.
#[derive(Default)]
struct Feed {
    /// The oldest transaction running at the last read; `None` before the first.
    xmin: Option<i64>,
    /// Rows read of transactions at or after `xmin`, by sequence number: read again, skipped.
    seen: HashMap<i64, i64>,
    read_at: Option<Instant>,
    pruned_at: Option<Instant>,
}

fn backend(e: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::Backend(Box::new(e))
}

/// The smallest key greater than every key starting with `prefix`, if there is one.
fn successor(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < u8::MAX {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

/// A batch's keys as one feed row: per key, its keyspace's index, its length, its bytes.
fn encode_keys(batch: &WriteBatch) -> Vec<u8> {
    let mut out = Vec::new();
    for (keyspace, key) in batch.keys() {
        let index = Keyspace::ALL.iter().position(|k| *k == keyspace);
        out.push(index.expect("every keyspace is listed") as u8);
        out.extend_from_slice(&(key.len() as u32).to_be_bytes());
        out.extend_from_slice(key);
    }
    out
}

fn decode_keys(mut bytes: &[u8], out: &mut Vec<ChangedKey>) -> Result<(), StoreError> {
    let bad = || StoreError::Backend("a change feed row is unreadable".into());
    while let Some((&index, rest)) = bytes.split_first() {
        let keyspace = *Keyspace::ALL.get(index as usize).ok_or_else(bad)?;
        let (len, rest) = rest.split_first_chunk::<4>().ok_or_else(bad)?;
        let len = u32::from_be_bytes(*len) as usize;
        let key = rest.get(..len).ok_or_else(bad)?;
        out.push((keyspace, key.to_vec()));
        bytes = &rest[len..];
    }
    Ok(())
}

/// A connection URL (or key=value settings) with its password hidden, for messages and logs.
pub fn redact(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://") {
        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        if let Some(at) = rest[..authority_end].rfind('@')
            && let Some(colon) = rest[..at].find(':')
        {
            return format!("{scheme}://{}:***{}", &rest[..colon], &rest[at..]);
        }
        return url.to_string();
    }
    url.split_whitespace()
        .map(|setting| match setting.split_once('=') {
            Some(("password", _)) => "password=***".to_string(),
            _ => setting.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

impl PostgresStore {
    /// Connects to `url` (`postgres://user:password@host:port/database`, or key=value
    /// settings), creating accord's tables the first time, migrating older ones, and refusing
    /// tables a newer accord wrote.
    pub fn open(url: &str) -> Result<Self, StoreError> {
        blocking(|| {
            let config: postgres::Config = url.parse().map_err(backend)?;
            let mut client = config.connect(NoTls).map_err(backend)?;
            migrate(&mut client, url)?;
            drop(client);
            let pool = r2d2::Pool::builder()
                .max_size(16)
                .min_idle(Some(1))
                // A broken connection is noticed when a query fails, and dropped then.
                .test_on_check_out(false)
                .connection_timeout(Duration::from_secs(10))
                .build(PostgresConnectionManager::new(config.clone(), NoTls))
                .map_err(backend)?;
            Ok(PostgresStore {
                pool,
                config,
                url: redact(url),
                feed: Mutex::new(Feed::default()),
                listener: Mutex::new(None),
                leader: Mutex::new(None),
            })
        })
    }

    fn client(
        &self,
    ) -> Result<r2d2::PooledConnection<PostgresConnectionManager<NoTls>>, StoreError> {
        self.pool.get().map_err(backend)
    }

    /// Where it is, for messages.
    pub fn url(&self) -> &str {
        &self.url
    }
}

/// Brings the tables to this build's version, one process at a time.
fn migrate(client: &mut Client, url: &str) -> Result<(), StoreError> {
    let mut transaction = client.transaction().map_err(backend)?;
    transaction
        .batch_execute(
            "SELECT pg_advisory_xact_lock(hashtextextended('accord:migrate', 0));
             CREATE TABLE IF NOT EXISTS accord_schema_version (version integer NOT NULL);",
        )
        .map_err(backend)?;
    let found: Option<i32> = transaction
        .query_opt("SELECT version FROM accord_schema_version", &[])
        .map_err(backend)?
        .map(|row| row.get(0));
    let found = found.unwrap_or(0) as usize;
    if found > MIGRATIONS.len() {
        return Err(StoreError::FormatVersion {
            path: redact(url),
            found: found as u32,
            expected: MIGRATIONS.len() as u32,
        });
    }
    for migration in &MIGRATIONS[found..] {
        transaction.batch_execute(migration).map_err(backend)?;
    }
    let version = MIGRATIONS.len() as i32;
    transaction
        .execute("DELETE FROM accord_schema_version", &[])
        .map_err(backend)?;
    transaction
        .execute(
            "INSERT INTO accord_schema_version (version) VALUES ($1)",
            &[&version],
        )
        .map_err(backend)?;
    transaction.commit().map_err(backend)
}

/// Runs `f`, which blocks on PostgreSQL, where blocking is allowed: the synchronous client
/// drives its own runtime, which cannot start on a thread driving the server's.
fn blocking<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(handle) if handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(f)
        }
        _ => f(),
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl Store for PostgresStore {
    fn get(&self, keyspace: Keyspace, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        blocking(|| {
            Ok(self
                .client()?
                .query_opt(
                    "SELECT value FROM accord_records WHERE keyspace = $1 AND key = $2",
                    &[&keyspace.name(), &key],
                )
                .map_err(backend)?
                .map(|row| row.get(0)))
        })
    }

    fn scan_page(
        &self,
        keyspace: Keyspace,
        prefix: &[u8],
        from: &[u8],
        limit: usize,
    ) -> Result<Vec<Entry>, StoreError> {
        blocking(|| {
            let start = from.max(prefix);
            let end = successor(prefix);
            let limit = i64::try_from(limit).unwrap_or(i64::MAX);
            let rows = self
                .client()?
                .query(
                    "SELECT key, value FROM accord_records
                     WHERE keyspace = $1 AND key >= $2 AND ($3::bytea IS NULL OR key < $3)
                     ORDER BY key LIMIT $4",
                    &[&keyspace.name(), &start, &end, &limit],
                )
                .map_err(backend)?;
            Ok(rows
                .into_iter()
                .map(|row| (row.get(0), row.get(1)))
                .collect())
        })
    }

    fn write(&self, batch: WriteBatch) -> Result<(), StoreError> {
        blocking(|| {
            if batch.is_empty() {
                return Ok(());
            }
            let mut client = self.client()?;
            let mut transaction = client.transaction().map_err(backend)?;
            let put = transaction
                .prepare(
                    "INSERT INTO accord_records (keyspace, key, value) VALUES ($1, $2, $3)
                     ON CONFLICT (keyspace, key) DO UPDATE SET value = excluded.value",
                )
                .map_err(backend)?;
            for op in &batch.ops {
                match op {
                    Op::Put(keyspace, key, value) => {
                        transaction.execute(&put, &[&keyspace.name(), key, value])
                    }
                    Op::Delete(keyspace, key) => transaction.execute(
                        "DELETE FROM accord_records WHERE keyspace = $1 AND key = $2",
                        &[&keyspace.name(), key],
                    ),
                }
                .map_err(backend)?;
            }
            transaction
                .execute(
                    "INSERT INTO accord_changes (keys) VALUES ($1)",
                    &[&encode_keys(&batch)],
                )
                .map_err(backend)?;
            transaction.commit().map_err(backend)?;
            // Announced after the commit rather than in it: a notifying transaction holds a lock
            // on the notification queue through its commit, which would make every commit wait
            // for the one before it. A lost announcement only delays the others until they look.
            if let Err(e) = client.batch_execute(&format!("NOTIFY {CHANNEL}")) {
                tracing::warn!(error = %e, "cannot announce a commit to the other accord processes");
            }
            Ok(())
        })
    }

    fn shared(&self) -> Option<&dyn Shared> {
        Some(self)
    }
}

impl Shared for PostgresStore {
    fn lock(&self, scopes: &[Scope]) -> Result<SharedLock, StoreError> {
        blocking(|| {
            let mut names: Vec<String> = scopes.iter().map(Scope::name).collect();
            // One order everywhere, so that two processes locking the same scopes cannot each
            // hold what the other waits for.
            names.sort_unstable();
            names.dedup();
            let mut client = self.client()?;
            let take = client
                .prepare("SELECT pg_advisory_lock(hashtextextended($1, 0))")
                .map_err(backend)?;
            for name in &names {
                client.execute(&take, &[name]).map_err(backend)?;
            }
            Ok(SharedLock::new(Held(client)))
        })
    }

    fn next_schema_id(&self) -> Result<u32, StoreError> {
        blocking(|| {
            let id: i64 = self
                .client()?
                .query_one("SELECT nextval('accord_schema_ids')", &[])
                .map_err(backend)?
                .get(0);
            u32::try_from(id).map_err(|_| StoreError::Backend("schema ids are exhausted".into()))
        })
    }

    fn schema_ids_past(&self, id: u32) -> Result<(), StoreError> {
        blocking(|| {
            self.client()?
                .execute(
                    "SELECT setval('accord_schema_ids', $1)
                     WHERE $1 > (SELECT CASE WHEN is_called THEN last_value ELSE 0 END
                                 FROM accord_schema_ids)",
                    &[&i64::from(id)],
                )
                .map_err(backend)?;
            Ok(())
        })
    }

    fn changes(&self) -> Result<Option<Vec<ChangedKey>>, StoreError> {
        blocking(|| {
            let mut feed = lock(&self.feed);
            let mut client = self.client()?;
            if feed
                .pruned_at
                .is_none_or(|at| at.elapsed() > FEED_PRUNED_EVERY)
            {
                client
                    .execute(
                        &format!(
                            "DELETE FROM accord_changes WHERE at < now() - interval '{FEED_KEPT}'"
                        ),
                        &[],
                    )
                    .map_err(backend)?;
                feed.pruned_at = Some(Instant::now());
            }
            let mut transaction = client
                .build_transaction()
                .isolation_level(postgres::IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()
                .map_err(backend)?;
            // Both statements see one snapshot.
            let xmin: i64 = transaction
                .query_one(
                    "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint",
                    &[],
                )
                .map_err(backend)?
                .get(0);
            let trusted = feed.read_at.is_some_and(|at| at.elapsed() < FEED_TRUSTED);
            let Some(since) = feed.xmin.filter(|_| trusted) else {
                transaction.commit().map_err(backend)?;
                *feed = Feed {
                    xmin: Some(xmin),
                    seen: HashMap::new(),
                    read_at: Some(Instant::now()),
                    pruned_at: feed.pruned_at,
                };
                return Ok(None);
            };
            let rows = transaction
                .query(
                    "SELECT seq, xid::text::bigint, keys FROM accord_changes
                     WHERE xid >= $1::bigint::text::xid8 ORDER BY seq",
                    &[&since],
                )
                .map_err(backend)?;
            transaction.commit().map_err(backend)?;
            let mut keys = Vec::new();
            let mut seen = HashMap::new();
            for row in rows {
                let (seq, xid): (i64, i64) = (row.get(0), row.get(1));
                if !feed.seen.contains_key(&seq) {
                    decode_keys(row.get(2), &mut keys)?;
                }
                if xid >= xmin {
                    seen.insert(seq, xid);
                }
            }
            feed.xmin = Some(xmin);
            feed.seen = seen;
            feed.read_at = Some(Instant::now());
            Ok(Some(keys))
        })
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
        blocking(|| {
            let micros: i64 = self
                .client()?
                .query_one(
                    "SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint",
                    &[],
                )
                .map_err(backend)?
                .get(0);
            jiff::Timestamp::from_microsecond(micros).map_err(backend)
        })
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
struct Held(r2d2::PooledConnection<PostgresConnectionManager<NoTls>>);

impl Drop for Held {
    fn drop(&mut self) {
        blocking(|| {
            if let Err(e) = self.0.batch_execute("SELECT pg_advisory_unlock_all()") {
                tracing::warn!(error = %e, "cannot release locks in PostgreSQL (its connection is lost with them)");
            }
        })
    }
}
