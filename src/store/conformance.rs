//! The behaviour every backend must have, run against each of them.

use super::{Keyspace, MemStore, RocksStore, Store, StoreError, WriteBatch};

/// A put (`Some` value) or a delete (`None`).
type TestOp<'a> = (Keyspace, &'a [u8], Option<&'a [u8]>);

fn batch(ops: &[TestOp]) -> WriteBatch {
    let mut batch = WriteBatch::new();
    for (ks, key, value) in ops {
        match value {
            Some(v) => batch.put(*ks, *key, *v),
            None => batch.delete(*ks, *key),
        }
    }
    batch
}

fn get_put_delete(store: &dyn Store) {
    assert_eq!(store.get(Keyspace::Schemas, b"k").unwrap(), None);
    store
        .write(batch(&[(Keyspace::Schemas, b"k", Some(b"v1"))]))
        .unwrap();
    assert_eq!(
        store.get(Keyspace::Schemas, b"k").unwrap(),
        Some(b"v1".to_vec())
    );
    store
        .write(batch(&[(Keyspace::Schemas, b"k", Some(b"v2"))]))
        .unwrap();
    assert_eq!(
        store.get(Keyspace::Schemas, b"k").unwrap(),
        Some(b"v2".to_vec())
    );
    store
        .write(batch(&[(Keyspace::Schemas, b"k", None)]))
        .unwrap();
    assert_eq!(store.get(Keyspace::Schemas, b"k").unwrap(), None);
}

fn keyspaces_are_separate(store: &dyn Store) {
    store
        .write(batch(&[(Keyspace::Config, b"same", Some(b"config"))]))
        .unwrap();
    store
        .write(batch(&[(Keyspace::Mode, b"same", Some(b"mode"))]))
        .unwrap();
    assert_eq!(
        store.get(Keyspace::Config, b"same").unwrap(),
        Some(b"config".to_vec())
    );
    assert_eq!(
        store.get(Keyspace::Mode, b"same").unwrap(),
        Some(b"mode".to_vec())
    );
    assert!(
        store
            .scan_prefix(Keyspace::Counters, b"same")
            .unwrap()
            .is_empty()
    );
}

fn scan_prefix_is_ordered_and_bounded(store: &dyn Store) {
    let ks = Keyspace::SubjectVersions;
    let keys: [&[u8]; 6] = [
        b"a\x00\x02",
        b"a\x00\x01",
        b"ab\x00\x01",
        b"a\x00\x0a",
        b"b\x00\x01",
        b"a",
    ];
    for key in keys {
        store.write(batch(&[(ks, key, Some(key))])).unwrap();
    }
    let found: Vec<Vec<u8>> = store
        .scan_prefix(ks, b"a\x00")
        .unwrap()
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert_eq!(
        found,
        [
            b"a\x00\x01".to_vec(),
            b"a\x00\x02".to_vec(),
            b"a\x00\x0a".to_vec()
        ]
    );
    assert_eq!(store.scan_prefix(ks, b"").unwrap().len(), 6);
    assert!(store.scan_prefix(ks, b"c").unwrap().is_empty());
}

fn batches_apply_across_keyspaces(store: &dyn Store) {
    store
        .write(batch(&[
            (Keyspace::Schemas, b"1", Some(b"schema")),
            (Keyspace::SchemaIdentity, b"hash", Some(b"1")),
            (Keyspace::Counters, b"next_id", Some(b"2")),
            (Keyspace::Schemas, b"gone", None),
        ]))
        .unwrap();
    assert_eq!(
        store.get(Keyspace::Schemas, b"1").unwrap(),
        Some(b"schema".to_vec())
    );
    assert_eq!(
        store.get(Keyspace::SchemaIdentity, b"hash").unwrap(),
        Some(b"1".to_vec())
    );
    assert_eq!(
        store.get(Keyspace::Counters, b"next_id").unwrap(),
        Some(b"2".to_vec())
    );
    // Later operations in one batch win over earlier ones.
    store
        .write(batch(&[
            (Keyspace::Meta, b"x", Some(b"1")),
            (Keyspace::Meta, b"x", None),
            (Keyspace::Meta, b"y", Some(b"1")),
            (Keyspace::Meta, b"y", Some(b"2")),
        ]))
        .unwrap();
    assert_eq!(store.get(Keyspace::Meta, b"x").unwrap(), None);
    assert_eq!(
        store.get(Keyspace::Meta, b"y").unwrap(),
        Some(b"2".to_vec())
    );
    store.write(WriteBatch::new()).unwrap();
}

fn concurrent_writers_lose_nothing(store: &dyn Store) {
    std::thread::scope(|scope| {
        for t in 0..4u8 {
            scope.spawn(move || {
                for i in 0..50u8 {
                    store
                        .write(batch(&[(Keyspace::Counters, &[b'c', t, i], Some(&[i]))]))
                        .unwrap();
                }
            });
        }
    });
    assert_eq!(
        store.scan_prefix(Keyspace::Counters, b"c").unwrap().len(),
        200
    );
}

fn scan_page_reads_one_page(store: &dyn Store) {
    let keys: Vec<Vec<u8>> = (0u8..10).map(|i| vec![b'p', i]).collect();
    let mut batch = WriteBatch::new();
    for key in &keys {
        batch.put(Keyspace::Audit, key.clone(), b"v".to_vec());
    }
    batch.put(Keyspace::Audit, b"q0".to_vec(), b"other".to_vec());
    store.write(batch).unwrap();
    let page = |from: &[u8], limit| -> Vec<Vec<u8>> {
        store
            .scan_page(Keyspace::Audit, b"p", from, limit)
            .unwrap()
            .into_iter()
            .map(|(k, _)| k)
            .collect()
    };
    assert_eq!(page(b"", 3), keys[..3]);
    assert_eq!(page(&keys[3], 4), keys[3..7]);
    assert_eq!(
        page(&keys[8], 10),
        keys[8..],
        "stops at the end of the prefix"
    );
    assert!(page(b"p\xff", 10).is_empty());
}

fn conformance(store: &dyn Store) {
    get_put_delete(store);
    keyspaces_are_separate(store);
    scan_prefix_is_ordered_and_bounded(store);
    scan_page_reads_one_page(store);
    batches_apply_across_keyspaces(store);
    concurrent_writers_lose_nothing(store);
    a_snapshot_reads_each_keyspace_whole(store);
}

fn a_snapshot_reads_each_keyspace_whole(store: &dyn Store) {
    let keyspaces = [Keyspace::Mode, Keyspace::Schemas, Keyspace::Audit];
    let snapshot = store.snapshot(&keyspaces).unwrap();
    assert_eq!(snapshot.len(), keyspaces.len());
    for (keyspace, entries) in keyspaces.iter().zip(&snapshot) {
        assert_eq!(
            *entries,
            store.scan_prefix(*keyspace, b"").unwrap(),
            "{keyspace:?}"
        );
    }
    assert!(!snapshot[1].is_empty());
}

#[test]
fn mem_store_conforms() {
    conformance(&MemStore::new());
}

#[path = "../../tests/support/postgres.rs"]
mod test_postgres;
use test_postgres::TestPostgres;

#[test]
fn postgres_store_conforms() {
    let server = TestPostgres::start();
    let store = super::PostgresStore::open(&server.url).unwrap();
    conformance(&store);
    // Opened again, it finds its tables and what they hold.
    let held = store.scan_prefix(Keyspace::Schemas, b"").unwrap();
    assert!(!held.is_empty());
    drop(store);
    let again = super::PostgresStore::open(&server.url).unwrap();
    assert_eq!(again.scan_prefix(Keyspace::Schemas, b"").unwrap(), held);
    // Tables a newer accord migrated further are refused, by name.
    let mut client = postgres::Client::connect(&server.url, postgres::NoTls).unwrap();
    client
        .execute("UPDATE accord_schema_version SET version = 99", &[])
        .unwrap();
    match super::PostgresStore::open(&server.url) {
        Err(e @ StoreError::FormatVersion { found: 99, .. }) => {
            assert!(e.to_string().starts_with("database `postgres"), "{e}");
            assert!(e.to_string().contains("storage format version 99"), "{e}")
        }
        Err(e) => panic!("{e}"),
        Ok(_) => panic!("a newer version opened"),
    }
}

/// Two processes' stores over one database: each hears what the other wrote, with the values,
/// and not its own; locks exclude across them; ids come from one sequence.
#[test]
fn postgres_stores_share_one_database() {
    use super::{Change, Scope};
    let server = TestPostgres::start();
    let (a, b) = (
        super::PostgresStore::open(&server.url).unwrap(),
        super::PostgresStore::open(&server.url).unwrap(),
    );
    let (a_feed, b_feed) = (a.shared().unwrap(), b.shared().unwrap());
    // The first read places each in the feed; everything before it is to be loaded.
    assert_eq!(a_feed.changes().unwrap(), None);
    assert_eq!(b_feed.changes().unwrap(), None);
    a.write(batch(&[
        (Keyspace::Schemas, b"k", Some(b"v1")),
        (Keyspace::Config, b"gone", None),
        // A key written twice in a batch: the last write counts, as in order.
        (Keyspace::Schemas, b"twice", Some(b"first")),
        (Keyspace::Schemas, b"twice", Some(b"last")),
    ]))
    .unwrap();
    assert_eq!(
        a.get(Keyspace::Schemas, b"twice").unwrap(),
        Some(b"last".to_vec())
    );
    assert_eq!(a_feed.changes().unwrap(), Some(Vec::new()));
    let heard = b_feed.changes().unwrap().unwrap();
    let change = |key: &[u8], value: Option<&[u8]>, keyspace| Change {
        keyspace,
        key: key.to_vec(),
        value: value.map(<[u8]>::to_vec),
    };
    assert_eq!(
        heard,
        [
            change(b"k", Some(b"v1"), Keyspace::Schemas),
            change(b"gone", None, Keyspace::Config),
            change(b"twice", Some(b"last"), Keyspace::Schemas),
        ]
    );
    // Each commit is heard once.
    assert_eq!(b_feed.changes().unwrap(), Some(Vec::new()));

    // A scope one holds, the other waits for.
    let held = a_feed
        .lock(&[Scope::Subject("s"), Scope::Products])
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let _waited = b_feed.lock(&[Scope::Subject("s")]).unwrap();
            tx.send(()).unwrap();
        });
        assert!(
            rx.recv_timeout(std::time::Duration::from_millis(300))
                .is_err()
        );
        drop(held);
        rx.recv_timeout(std::time::Duration::from_secs(10)).unwrap();
    });

    // One sequence; an id given explicitly is never handed out after.
    let first = a_feed.next_schema_id().unwrap();
    assert_eq!(b_feed.next_schema_id().unwrap(), first + 1);
    b_feed.schema_ids_past(first + 10).unwrap();
    a_feed.schema_ids_past(first + 5).unwrap();
    assert_eq!(a_feed.next_schema_id().unwrap(), first + 11);

    // One leads, and stays the leader.
    assert!(a_feed.leads());
    assert!(!b_feed.leads());
    assert!(a_feed.leads());
}

#[test]
fn postgres_urls_are_shown_without_their_password() {
    assert_eq!(
        super::redact("postgres://accord:s3cret@db.internal:5432/registry?sslmode=require"),
        "postgres://accord:***@db.internal:5432/registry?sslmode=require"
    );
    assert_eq!(
        super::redact("postgres://accord@localhost/postgres?host=/tmp/x"),
        "postgres://accord@localhost/postgres?host=/tmp/x"
    );
    assert_eq!(
        super::redact("host=db user=accord password=s3cret"),
        "host=db user=accord password=***"
    );
}

#[test]
fn rocks_store_conforms() {
    let dir = tempfile::tempdir().unwrap();
    conformance(&RocksStore::open(dir.path()).unwrap());
}

#[test]
fn rocks_store_keeps_writes_across_reopen() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = RocksStore::open(dir.path()).unwrap();
        store
            .write(batch(&[(Keyspace::Schemas, b"1", Some(b"kept"))]))
            .unwrap();
    }
    let store = RocksStore::open(dir.path()).unwrap();
    assert_eq!(
        store.get(Keyspace::Schemas, b"1").unwrap(),
        Some(b"kept".to_vec())
    );
}

/// Issue 11, item 8: a data dir has an identity from its creation on, and says whether this
/// open created it (a server on the wrong, empty volume warns that it created a registry).
#[test]
fn rocks_store_keeps_its_identity_and_says_when_it_was_created() {
    let dir = tempfile::tempdir().unwrap();
    let first = {
        let store = RocksStore::open(dir.path()).unwrap();
        assert!(store.created());
        store.registry_id().unwrap()
    };
    let store = RocksStore::open(dir.path()).unwrap();
    assert!(!store.created());
    assert_eq!(store.registry_id().unwrap(), first);
    let other = tempfile::tempdir().unwrap();
    assert_ne!(
        RocksStore::open(other.path())
            .unwrap()
            .registry_id()
            .unwrap(),
        first
    );
}

#[test]
fn rocks_store_refuses_another_format_version_by_name() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = RocksStore::open(dir.path()).unwrap();
        store
            .write(batch(&[(
                Keyspace::Meta,
                b"format_version",
                Some(&99u32.to_be_bytes()),
            )]))
            .unwrap();
    }
    let err = RocksStore::open(dir.path()).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::FormatVersion {
                found: 99,
                expected: 1,
                ..
            }
        ),
        "{err}"
    );
    assert!(
        err.to_string().contains("storage format version 99"),
        "{err}"
    );
}

/// Issue 11, item 8: after a clean stop, removing the `*.log` files emptied the registry; with
/// `CURRENT` removed too, RocksDB created a new database and deleted the table files.
#[test]
fn rocks_store_survives_a_log_cleanup_and_refuses_an_incomplete_dir() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = RocksStore::open(dir.path()).unwrap();
        store
            .write(batch(&[(Keyspace::Schemas, b"1", Some(b"kept"))]))
            .unwrap();
    }
    let remove = |extension: &str| {
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == extension) {
                std::fs::remove_file(path).unwrap();
            }
        }
    };
    remove("log");
    {
        let store = RocksStore::open(dir.path()).unwrap();
        assert_eq!(
            store.get(Keyspace::Schemas, b"1").unwrap(),
            Some(b"kept".to_vec()),
            "flushed on close, so the logs were not needed"
        );
    }
    remove("log");
    std::fs::remove_file(dir.path().join("CURRENT")).unwrap();
    let tables = |dir: &std::path::Path| {
        std::fs::read_dir(dir)
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .path()
                    .extension()
                    .is_some_and(|x| x == "sst")
            })
            .count()
    };
    let before = tables(dir.path());
    assert!(before > 0);
    let err = RocksStore::open(dir.path()).unwrap_err();
    assert!(matches!(err, StoreError::NotADataDir { .. }), "{err}");
    assert!(err.to_string().contains("no `CURRENT` file"), "{err}");
    assert_eq!(tables(dir.path()), before, "no table file was deleted");
    // An empty directory is where a new registry starts.
    let empty = tempfile::tempdir().unwrap();
    RocksStore::open(empty.path()).unwrap();
}

#[test]
fn rocks_store_reports_a_path_that_is_not_a_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("file");
    std::fs::write(&file, "not a database").unwrap();
    let err = RocksStore::open(&file).unwrap_err();
    assert!(
        err.to_string().starts_with("storage backend failed"),
        "{err}"
    );
}
