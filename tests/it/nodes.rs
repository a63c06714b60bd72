//! Several `accord serve` processes over one PostgreSQL: all accept writes, each decides on
//! what is committed, and each serves what the others committed within the staleness bound.
//! PostgreSQL is a real server the test starts in a temporary directory.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::server::Server;
use crate::test_postgres::TestPostgres;

/// How long a node may take to serve another's commit in these tests: the follower's interval
/// and then some; the measured figure is in BENCHMARKS.md.
const BOUND: Duration = Duration::from_secs(3);

fn node(pg: &TestPostgres) -> Server {
    Server::start_with(Path::new("unused"), &["--store", &pg.url])
}

/// A record whose every field has a default: any two are compatible both ways.
fn record(name: &str, fields: &[String]) -> String {
    let fields: Vec<Value> = fields
        .iter()
        .map(|f| json!({"name": f, "type": "long", "default": 0}))
        .collect();
    json!({"type": "record", "name": name, "fields": fields}).to_string()
}

fn register(server: &Server, subject: &str, schema: &str) -> (u16, Value) {
    server.call(
        "POST",
        &format!("/subjects/{subject}/versions"),
        Some(json!({"schema": schema})),
    )
}

/// One acknowledged registration: subject, schema, id, version.
type Ack = (String, String, u64, u64);

fn versions_of(server: &Server, subject: &str) -> Vec<u64> {
    let (status, body) = server.call("GET", &format!("/subjects/{subject}/versions"), None);
    if status != 200 {
        return Vec::new();
    }
    serde_json::from_value(body).unwrap()
}

/// Waits until every node serves `expected` for `subject`, within the bound.
fn converge(nodes: &[&Server], subject: &str, expected: &[u64]) {
    let deadline = Instant::now() + BOUND;
    for server in nodes {
        loop {
            let served = versions_of(server, subject);
            if served == expected {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{} serves {served:?} for {subject}, not {expected:?}",
                server.url
            );
            std::thread::yield_now();
        }
    }
}

#[test]
fn three_nodes_accept_concurrent_writes_and_agree() {
    let pg = TestPostgres::start();
    let nodes: Vec<Server> = (0..3).map(|_| node(&pg)).collect();
    let acks: Mutex<Vec<Ack>> = Mutex::new(Vec::new());
    const ROUNDS: usize = 12;
    std::thread::scope(|scope| {
        for (n, server) in nodes.iter().enumerate() {
            for t in 0..3 {
                let acks = &acks;
                scope.spawn(move || {
                    for i in 0..ROUNDS {
                        let own: Vec<String> = (0..=i).map(|f| format!("f{f}")).collect();
                        let work = [
                            // A subject of its own: versions 1, 2, ...
                            (format!("own-{n}-{t}"), record("Own", &own)),
                            // One subject every thread adds to at once.
                            (
                                "contended".to_string(),
                                record("C", &[format!("n{n}t{t}i{i}")]),
                            ),
                            // The same schema, through every node at the same moment.
                            (
                                format!("same-{}", i % 3),
                                record("Same", &[format!("s{i}")]),
                            ),
                            // The same schema under different subjects: one id.
                            (format!("twin-{n}-{t}"), record("Same", &[format!("s{i}")])),
                        ];
                        for (subject, schema) in work {
                            let (status, body) = register(server, &subject, &schema);
                            assert_eq!(status, 200, "{subject}: {body}");
                            let (status, found) = server.call(
                                "POST",
                                &format!("/subjects/{subject}"),
                                Some(json!({"schema": schema})),
                            );
                            assert_eq!(status, 200, "{subject}: {found}");
                            assert_eq!(found["id"], body["id"]);
                            acks.lock().unwrap().push((
                                subject,
                                schema,
                                body["id"].as_u64().unwrap(),
                                found["version"].as_u64().unwrap(),
                            ));
                        }
                    }
                });
            }
        }
    });
    let acks = acks.into_inner().unwrap();

    // One id per content, one content per id.
    let mut id_of: BTreeMap<&str, u64> = BTreeMap::new();
    let mut content_of: BTreeMap<u64, &str> = BTreeMap::new();
    for (_, schema, id, _) in &acks {
        assert_eq!(*id_of.entry(schema).or_insert(*id), *id, "{schema}");
        assert_eq!(*content_of.entry(*id).or_insert(schema), schema, "id {id}");
    }

    // Every subject gapless, the same on every node, each version the one acknowledged.
    let subjects: BTreeSet<&str> = acks.iter().map(|(s, ..)| s.as_str()).collect();
    let all: Vec<&Server> = nodes.iter().collect();
    for subject in &subjects {
        let mut versions: BTreeMap<u64, u64> = BTreeMap::new();
        for (_, _, id, version) in acks.iter().filter(|(s, ..)| s == subject) {
            assert_eq!(*versions.entry(*version).or_insert(*id), *id);
        }
        let expected: Vec<u64> = (1..=versions.len() as u64).collect();
        assert_eq!(versions.keys().copied().collect::<Vec<_>>(), expected);
        converge(&all, subject, &expected);
    }
    assert_eq!(versions_of(&nodes[0], "contended").len(), 3 * 3 * ROUNDS);
    assert_eq!(versions_of(&nodes[1], "same-0").len(), ROUNDS / 3);

    // Each version of the contended subject is compatible with its predecessor at BACKWARD.
    for version in 2..=(3 * 3 * ROUNDS) {
        let (_, body) = nodes[version % 3].call(
            "GET",
            &format!("/subjects/contended/versions/{version}"),
            None,
        );
        let schema = body["schema"].as_str().unwrap();
        let (status, verdict) = nodes[(version + 1) % 3].call(
            "POST",
            &format!("/compatibility/subjects/contended/versions/{}", version - 1),
            Some(json!({"schema": schema})),
        );
        assert_eq!(status, 200);
        assert_eq!(verdict["is_compatible"], true, "version {version}");
    }

    // A schema id registered through one node is served at once by another (it catches up on
    // a miss): a consumer may read the id a producer just got.
    let schema = record("Fresh", &["x".to_string()]);
    let (_, body) = register(&nodes[0], "fresh", &schema);
    let (status, _) = nodes[2].call("GET", &format!("/schemas/ids/{}", body["id"]), None);
    assert_eq!(status, 200);
}

#[test]
fn a_killed_node_loses_no_acknowledged_write_and_a_database_restart_is_survived() {
    let pg = TestPostgres::start();
    let nodes: Vec<Server> = (0..3).map(|_| node(&pg)).collect();
    let acks: Mutex<Vec<Ack>> = Mutex::new(Vec::new());
    let killed = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| {
        for (n, server) in nodes.iter().enumerate() {
            let (acks, killed) = (&acks, &killed);
            scope.spawn(move || {
                for i in 0..40 {
                    let fields: Vec<String> = (0..=i).map(|f| format!("f{f}")).collect();
                    let subject = format!("node-{n}");
                    let schema = record("Row", &fields);
                    let response = std::panic::catch_unwind(|| register(server, &subject, &schema));
                    match response {
                        Ok((200, body)) => acks.lock().unwrap().push((
                            subject,
                            schema,
                            body["id"].as_u64().unwrap(),
                            i as u64 + 1,
                        )),
                        // The killed node's clients see their connection go.
                        _ if n == 2 && killed.load(std::sync::atomic::Ordering::SeqCst) => break,
                        other => panic!("node {n}: {other:?}"),
                    }
                }
            });
        }
        // Mid-run, node 2 dies without a chance to finish anything.
        while acks.lock().unwrap().len() < 30 {
            std::thread::yield_now();
        }
        killed.store(true, std::sync::atomic::Ordering::SeqCst);
        nodes[2].kill();
    });
    let acks = acks.into_inner().unwrap();
    assert!(acks.iter().any(|(s, ..)| s == "node-2"));
    let alive: Vec<&Server> = nodes[..2].iter().collect();
    for (subject, _, id, version) in &acks {
        let (status, body) = alive[0].call(
            "GET",
            &format!("/subjects/{subject}/versions/{version}"),
            None,
        );
        assert_eq!(status, 200, "{subject} {version} lost: {body}");
        assert_eq!(body["id"].as_u64(), Some(*id));
    }

    // PostgreSQL restarts: requests in the gap fail as server errors, never as wrong answers;
    // then the nodes reconnect, take writes again and hear of each other's.
    pg.restart();
    let schema = record("After", &["a".to_string()]);
    let deadline = Instant::now() + Duration::from_secs(30);
    let id = loop {
        let (status, body) = register(alive[0], "after-restart", &schema);
        if status == 200 {
            break body["id"].as_u64().unwrap();
        }
        assert!(status >= 500, "{status} {body}");
        assert!(Instant::now() < deadline, "no recovery: {status} {body}");
        std::thread::sleep(Duration::from_millis(50));
    };
    converge(&alive, "after-restart", &[1]);
    let (status, body) = alive[1].call("GET", "/subjects/after-restart/versions/1", None);
    assert_eq!(status, 200);
    assert_eq!(body["id"].as_u64(), Some(id));
    // The killed node's place is taken by a new one, which finds everything.
    let replacement = node(&pg);
    converge(&[&replacement], "node-2", &versions_of(alive[0], "node-2"));
}

/// The same product version published through two nodes at once: one publication, one version
/// of its subject; every node then serves it.
#[test]
fn a_product_published_through_two_nodes_at_once_is_published_once() {
    let pg = TestPostgres::start();
    let nodes: Vec<Server> = (0..3).map(|_| node(&pg)).collect();
    let publish = [
        "product",
        "publish",
        "testdata/products/payments/transactions-1.0.0.yaml",
    ];
    let outcomes: Vec<(i32, String, String)> = std::thread::scope(|scope| {
        let runs: Vec<_> = nodes[..2]
            .iter()
            .map(|server| scope.spawn(move || crate::contracts::accord(Some(server), &publish)))
            .collect();
        runs.into_iter().map(|run| run.join().unwrap()).collect()
    });
    assert!(outcomes.iter().any(|(code, ..)| *code == 0), "{outcomes:?}");
    let all: Vec<&Server> = nodes.iter().collect();
    converge(&all, "payments.transactions-value", &[1]);
    for server in &nodes {
        let deadline = Instant::now() + BOUND;
        loop {
            let (status, body) =
                server.call("GET", "/v1/products/payments.transactions/versions", None);
            if status == 200 {
                let versions: Vec<&str> = body
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p["version"].as_str().unwrap())
                    .collect();
                assert_eq!(versions, ["1.0.0"], "{body}");
                break;
            }
            assert!(Instant::now() < deadline, "{status} {body}");
            std::thread::yield_now();
        }
    }
}

/// Of the nodes, one sends consumers' webhooks: each event arrives once. When the nodes that
/// could lead are killed, the one left takes over.
#[test]
fn webhooks_are_sent_once_by_one_node_and_another_takes_over() {
    let pg = TestPostgres::start();
    let options = ["--store", &pg.url, "--webhook-poll-ms", "20"];
    let nodes: Vec<Server> = (0..3)
        .map(|_| Server::start_with(Path::new("unused"), &options))
        .collect();
    let (url, received) = crate::consumers::receiver(3);
    let publish = [
        "product",
        "publish",
        "testdata/products/payments/transactions-1.0.0.yaml",
    ];
    let (code, out, err) = crate::contracts::accord(Some(&nodes[0]), &publish);
    assert_eq!(code, 0, "{out}{err}");
    let consumer = json!({"major": 1, "domain": "finance", "contact": "#finance", "webhook": url});
    let (status, body) = nodes[1].call(
        "PUT",
        "/v1/products/payments.transactions/consumers/finance.report",
        Some(consumer),
    );
    assert_eq!(status, 200, "{body}");
    let notice = |server: &Server, args: &[&str]| {
        let (code, out, err) = crate::contracts::accord(Some(server), args);
        assert_eq!(code, 0, "{out}{err}");
    };
    notice(
        &nodes[2],
        &[
            "notice",
            "announce",
            "payments.transactions",
            "--major",
            "2",
            "--summary",
            "cents",
        ],
    );
    let event = received.recv_timeout(Duration::from_secs(20)).unwrap();
    assert_eq!(event["type"], "notice.announced");
    // 25 polls of every node later, no second copy.
    assert!(received.recv_timeout(Duration::from_millis(500)).is_err());

    nodes[0].kill();
    nodes[1].kill();
    notice(
        &nodes[2],
        &[
            "notice",
            "withdraw",
            "payments.transactions",
            "--major",
            "2",
        ],
    );
    let event = received.recv_timeout(Duration::from_secs(20)).unwrap();
    assert_eq!(event["type"], "notice.withdrawn");
}

/// `accord migrate` moves a stopped server's data dir with every id kept, and refuses what it
/// must, changing nothing: a database that holds a registry, a data dir in use, a directory
/// that is no data dir.
#[test]
fn migrate_moves_a_data_dir_once_and_refuses_what_it_must() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let migrate = |from: &Path, to: &str| {
        crate::contracts::accord(
            None,
            &["migrate", "--from", from.to_str().unwrap(), "--to", to],
        )
    };
    let pg = TestPostgres::start();
    {
        let server = Server::start(&data);
        // Ids 1 and 2, then a third version holding id 1 again under another subject.
        assert_eq!(
            server.register("a-value", r#"{"name":"x","type":"int"}"#).0,
            200
        );
        assert_eq!(
            server.register("b-value", r#"{"name":"y","type":"int"}"#).0,
            200
        );
        assert_eq!(
            server.register("c-value", r#"{"name":"x","type":"int"}"#).0,
            200
        );
        let (code, _, err) = migrate(&data, &pg.url);
        assert_eq!(code, 2, "a data dir in use: {err}");
        assert!(err.contains("in use"), "{err}");
    }
    let (code, out, err) = migrate(&data, &pg.url);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.starts_with("moved 2 schemas (ids up to 2), 3 subjects"),
        "{out}"
    );
    let (code, _, err) = migrate(&data, &pg.url);
    assert_eq!(code, 2);
    assert!(
        err.contains("an import goes into an empty registry"),
        "{err}"
    );
    let (code, _, err) = migrate(dir.path(), &pg.url);
    assert_eq!(code, 2);
    assert!(err.contains("is not a data dir"), "{err}");
    // The ids came along, and the next new schema gets the next id.
    let server = node(&pg);
    let (_, body) = server.call("GET", "/subjects/c-value/versions/1", None);
    assert_eq!(body["id"], 1);
    assert_eq!(
        server.register("d-value", r#"{"name":"z","type":"int"}"#),
        (200, json!({"id": 3}))
    );
}
