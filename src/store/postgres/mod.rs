//! The store in PostgreSQL, shared by any number of accord processes: one table of records
//! keyed by keyspace and key (`bytea`, compared byte by byte as RocksDB compares keys), each
//! batch one transaction that also appends what it wrote to a change feed. The tables are
//! created and migrated by accord itself, under a version it checks at every start. What the
//! processes share beyond the records (the feed, locks, ids, the clock, a leader) is in
//! `shared`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use postgres::{Client, NoTls, Statement};

use super::{Entry, Keyspace, Op, Shared, Store, StoreError, WriteBatch};

mod shared;

use shared::{CHANNEL, Feed};

/// The tables, one migration per version: a database at version N has had the first N applied.
const MIGRATIONS: &[&str] = &[
    // 1: the records.
    "CREATE TABLE IF NOT EXISTS accord_records (
         keyspace text NOT NULL,
         key bytea NOT NULL,
         value bytea NOT NULL,
         PRIMARY KEY (keyspace, key)
     );",
    // 2: the change feed other processes follow (each commit's writes, by the process that
    // made it), and schema ids from a sequence.
    "CREATE TABLE accord_changes (
         seq bigserial PRIMARY KEY,
         xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
         at timestamptz NOT NULL DEFAULT now(),
         origin bigint NOT NULL,
         keyspaces text[] NOT NULL,
         keys bytea[] NOT NULL,
         vals bytea[] NOT NULL
     );
     CREATE INDEX accord_changes_xid ON accord_changes (xid);
     CREATE SEQUENCE accord_schema_ids;",
];

/// A batch, and its entry in the feed, in one statement: one round trip, one transaction.
const WRITE: &str = "WITH ops AS (
                         SELECT * FROM unnest($1::text[], $2::bytea[], $3::bytea[])
                             AS o(keyspace, key, value)
                     ), puts AS (
                         INSERT INTO accord_records (keyspace, key, value)
                         SELECT keyspace, key, value FROM ops WHERE value IS NOT NULL
                         ON CONFLICT (keyspace, key) DO UPDATE SET value = excluded.value
                     ), deletes AS (
                         DELETE FROM accord_records r USING ops
                         WHERE ops.value IS NULL AND r.keyspace = ops.keyspace AND r.key = ops.key
                     )
                     INSERT INTO accord_changes (origin, keyspaces, keys, vals)
                     VALUES ($4, $1, $2, $3)";
const GET: &str = "SELECT value FROM accord_records WHERE keyspace = $1 AND key = $2";
const SCAN: &str = "SELECT key, value FROM accord_records
                    WHERE keyspace = $1 AND key >= $2 AND ($3::bytea IS NULL OR key < $3)
                    ORDER BY key LIMIT $4";
/// A connection and the statements prepared on it: each is parsed once per connection, not
/// once per use.
struct Connection {
    client: Client,
    statements: HashMap<&'static str, Statement>,
}

impl Connection {
    /// A statement, prepared the first time this connection needs it.
    fn prepared(&mut self, sql: &'static str) -> Result<Statement, StoreError> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.client.prepare(sql).map_err(backend)?;
        self.statements.insert(sql, statement.clone());
        Ok(statement)
    }

    /// Runs a statement, prepared the first time this connection runs it.
    fn query(
        &mut self,
        sql: &'static str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
    ) -> Result<Vec<postgres::Row>, StoreError> {
        let statement = self.prepared(sql)?;
        self.client.query(&statement, params).map_err(backend)
    }
}

struct Manager(postgres::Config);

impl r2d2::ManageConnection for Manager {
    type Connection = Connection;
    type Error = postgres::Error;

    fn connect(&self) -> Result<Connection, postgres::Error> {
        Ok(Connection {
            client: self.0.connect(NoTls)?,
            statements: HashMap::new(),
        })
    }

    fn is_valid(&self, connection: &mut Connection) -> Result<(), postgres::Error> {
        connection.client.simple_query("").map(drop)
    }

    fn has_broken(&self, connection: &mut Connection) -> bool {
        connection.client.is_closed()
    }
}

type Pool = r2d2::Pool<Manager>;
/// Connections per process, opened as needed. A write holds one for its locks while it uses
/// another, and the server runs two per core at once (`WorkQueue::for_this_machine`); reads
/// that catch up run on the async workers (one per core); the data products' lock is one more,
/// and the follower one: with fewer, writes could each hold one and all wait for a second.
fn pool_size() -> u32 {
    let cores = std::thread::available_parallelism().map_or(1, usize::from) as u32;
    5 * cores + 4
}
type Pooled = r2d2::PooledConnection<Manager>;

/// A store over a PostgreSQL database.
pub struct PostgresStore {
    pool: Pool,
    /// This process's mark on its commits in the feed: it applied them as it made them.
    origin: i64,
    config: postgres::Config,
    url: String,
    feed: Mutex<Feed>,
    /// The connection that listens for other processes' commits.
    listener: Mutex<Option<Client>>,
    /// The connection that asks for the leader's lock, and whether it holds it.
    leader: Mutex<Option<(Client, bool)>>,
}

/// The error with its causes: PostgreSQL's client says "error connecting to server" and keeps
/// the why ("Connection refused") in its source.
fn backend(e: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    let mut message = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        message.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    StoreError::Backend(message.into())
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

/// A batch as the write statement's arrays: keyspaces, keys, values (`None`: delete).
#[derive(Default)]
struct Columns<'a> {
    keyspaces: Vec<&'static str>,
    keys: Vec<&'a [u8]>,
    values: Vec<Option<&'a [u8]>>,
}

impl<'a> Columns<'a> {
    /// Later operations on a key replace earlier ones, as when a batch is applied in order: one
    /// statement may touch a row only once.
    fn of(batch: &'a WriteBatch) -> Self {
        let mut last: HashMap<(Keyspace, &[u8]), usize> = HashMap::new();
        for (i, op) in batch.ops.iter().enumerate() {
            let (Op::Put(keyspace, key, _) | Op::Delete(keyspace, key)) = op;
            last.insert((*keyspace, key.as_slice()), i);
        }
        let mut kept: Vec<usize> = last.into_values().collect();
        kept.sort_unstable();
        let mut columns = Columns::default();
        for op in kept.into_iter().map(|i| &batch.ops[i]) {
            let (keyspace, key, value) = match op {
                Op::Put(keyspace, key, value) => (keyspace, key, Some(value.as_slice())),
                Op::Delete(keyspace, key) => (keyspace, key, None),
            };
            columns.keyspaces.push(keyspace.name());
            columns.keys.push(key.as_slice());
            columns.values.push(value);
        }
        columns
    }
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
                .max_size(pool_size())
                .min_idle(Some(1))
                // A broken connection is noticed when a query fails, and dropped then.
                .test_on_check_out(false)
                .connection_timeout(Duration::from_secs(10))
                .build(Manager(config.clone()))
                .map_err(backend)?;
            let mut origin = [0; 8];
            getrandom::fill(&mut origin).map_err(|e| StoreError::Backend(e.to_string().into()))?;
            Ok(PostgresStore {
                pool,
                origin: i64::from_ne_bytes(origin),
                config,
                url: redact(url),
                feed: Mutex::new(Feed::default()),
                listener: Mutex::new(None),
                leader: Mutex::new(None),
            })
        })
    }

    /// Runs `op` on a pooled connection, where blocking is allowed. A connection found closed
    /// (the server restarted, say) is let go and `op` runs again on another, so every `op` here
    /// may run twice: writes are upserts and deletes, and a feed row read twice is skipped.
    fn run<T>(
        &self,
        op: impl FnMut(&mut Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.run_on(op).map(|(value, _)| value)
    }

    /// [`run`](Self::run), keeping the connection.
    fn run_on<T>(
        &self,
        mut op: impl FnMut(&mut Connection) -> Result<T, StoreError>,
    ) -> Result<(T, Pooled), StoreError> {
        blocking(|| {
            let mut attempts = 0;
            loop {
                let mut connection = self.pool.get().map_err(backend)?;
                match op(&mut connection) {
                    Ok(value) => return Ok((value, connection)),
                    // Dropped, the closed connection leaves the pool.
                    Err(_) if connection.client.is_closed() && attempts < self.pool.max_size() => {
                        attempts += 1;
                    }
                    Err(e) => return Err(e),
                }
            }
        })
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
            place: "database",
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

impl Store for PostgresStore {
    fn get(&self, keyspace: Keyspace, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        self.run(|connection| {
            let rows = connection.query(GET, &[&keyspace.name(), &key])?;
            Ok(rows.first().map(|row| row.get(0)))
        })
    }

    fn scan_page(
        &self,
        keyspace: Keyspace,
        prefix: &[u8],
        from: &[u8],
        limit: usize,
    ) -> Result<Vec<Entry>, StoreError> {
        let start = from.max(prefix);
        let end = successor(prefix);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.run(|connection| {
            let rows = connection.query(SCAN, &[&keyspace.name(), &start, &end, &limit])?;
            Ok(rows
                .into_iter()
                .map(|row| (row.get(0), row.get(1)))
                .collect())
        })
    }

    fn write(&self, batch: WriteBatch) -> Result<(), StoreError> {
        if batch.is_empty() {
            return Ok(());
        }
        let columns = Columns::of(&batch);
        self.run(|connection| {
            connection.query(
                WRITE,
                &[
                    &columns.keyspaces,
                    &columns.keys,
                    &columns.values,
                    &self.origin,
                ],
            )?;
            // Announced after the commit rather than in it: a notifying transaction holds a
            // lock on the notification queue through its commit, which would make every commit
            // wait for the one before it. A lost announcement only delays the others until
            // they look.
            if let Err(e) = connection.client.batch_execute(&format!("NOTIFY {CHANNEL}")) {
                tracing::warn!(error = %e, "cannot announce a commit to the other accord processes");
            }
            Ok(())
        })
    }

    fn snapshot(&self, keyspaces: &[Keyspace]) -> Result<Vec<Vec<Entry>>, StoreError> {
        self.run(|connection| {
            let scan = connection.prepared(SCAN)?;
            let mut transaction = connection
                .client
                .build_transaction()
                .isolation_level(postgres::IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()
                .map_err(backend)?;
            let mut all = Vec::new();
            for keyspace in keyspaces {
                let rows = transaction
                    .query(
                        &scan,
                        &[&keyspace.name(), &&b""[..], &None::<Vec<u8>>, &i64::MAX],
                    )
                    .map_err(backend)?;
                all.push(
                    rows.into_iter()
                        .map(|row| (row.get(0), row.get(1)))
                        .collect(),
                );
            }
            transaction.commit().map_err(backend)?;
            Ok(all)
        })
    }

    fn shared(&self) -> Option<&dyn Shared> {
        Some(self)
    }
}
