//! The store in PostgreSQL: one table of records keyed by keyspace and key, `bytea` compared
//! byte by byte as RocksDB compares keys, each batch one transaction. The table is created by
//! accord itself, with a schema version it checks at every start.

use std::sync::Mutex;

use postgres::{Client, NoTls};

use super::{Entry, Keyspace, Op, Store, StoreError, WriteBatch};

/// The version of the tables this build writes; a database at another one is refused.
const SCHEMA_VERSION: i32 = 1;

/// A store over a PostgreSQL database.
pub struct PostgresStore {
    client: Mutex<Client>,
    url: String,
}

fn backend(e: postgres::Error) -> StoreError {
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

impl PostgresStore {
    /// Connects to `url` (`postgres://user@host/db`), creating accord's tables the first time
    /// and refusing tables another version wrote.
    pub fn open(url: &str) -> Result<Self, StoreError> {
        let mut client = Client::connect(url, NoTls).map_err(backend)?;
        client
            .batch_execute(
                "CREATE TABLE IF NOT EXISTS accord_schema_version (version integer NOT NULL);
                 CREATE TABLE IF NOT EXISTS accord_records (
                     keyspace text NOT NULL,
                     key bytea NOT NULL,
                     value bytea NOT NULL,
                     PRIMARY KEY (keyspace, key)
                 );",
            )
            .map_err(backend)?;
        let found: Option<i32> = client
            .query_opt("SELECT version FROM accord_schema_version", &[])
            .map_err(backend)?
            .map(|row| row.get(0));
        match found {
            None => {
                client
                    .execute(
                        "INSERT INTO accord_schema_version (version) VALUES ($1)",
                        &[&SCHEMA_VERSION],
                    )
                    .map_err(backend)?;
            }
            Some(SCHEMA_VERSION) => {}
            Some(other) => {
                return Err(StoreError::FormatVersion {
                    path: url.to_string(),
                    found: other as u32,
                    expected: SCHEMA_VERSION as u32,
                });
            }
        }
        Ok(PostgresStore {
            client: Mutex::new(client),
            url: url.to_string(),
        })
    }

    fn client(&self) -> std::sync::MutexGuard<'_, Client> {
        self.client.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Where it is, for messages.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Store for PostgresStore {
    fn get(&self, keyspace: Keyspace, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .client()
            .query_opt(
                "SELECT value FROM accord_records WHERE keyspace = $1 AND key = $2",
                &[&keyspace.name(), &key],
            )
            .map_err(backend)?
            .map(|row| row.get(0)))
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
        let rows = self
            .client()
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
    }

    fn write(&self, batch: WriteBatch) -> Result<(), StoreError> {
        let mut client = self.client();
        let mut transaction = client.transaction().map_err(backend)?;
        for op in &batch.ops {
            match op {
                Op::Put(keyspace, key, value) => transaction.execute(
                    "INSERT INTO accord_records (keyspace, key, value) VALUES ($1, $2, $3)
                     ON CONFLICT (keyspace, key) DO UPDATE SET value = excluded.value",
                    &[&keyspace.name(), key, value],
                ),
                Op::Delete(keyspace, key) => transaction.execute(
                    "DELETE FROM accord_records WHERE keyspace = $1 AND key = $2",
                    &[&keyspace.name(), key],
                ),
            }
            .map_err(backend)?;
        }
        transaction.commit().map_err(backend)
    }
}
