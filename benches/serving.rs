//! `cargo bench --bench serving`: what a fleet of Kafka clients sees. Fills a data dir with
//! 10,000 subjects x 10 versions through the registry, then
//!
//! 1. restarts the real `accord serve` binary on it and times from launch to the first answer;
//! 2. loads `GET /schemas/ids/{id}` (random ids) over loopback with `wrk`, alternating with a
//!    trivial axum server that returns a fixed body of the same size on the same route: the
//!    ceiling of this machine, measured in the same run.
//!
//! Needs `wrk` (Debian package `wrk`). Under `cargo test --benches` it runs a small data dir and
//! skips the load when `wrk` is missing.

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use accord::registry::{Import, NewSchema, Registry, SubjectName, SystemClock};
use accord::store::RocksStore;
use process::{spawn, stop};
use wrk::{load, random_ids};

mod process;
mod wrk;

/// Set in the ceiling server's environment: the body it returns.
const CEILING_BODY: &str = "ACCORD_BENCH_CEILING_BODY";

fn main() {
    if let Ok(body) = std::env::var(CEILING_BODY) {
        return ceiling(body);
    }
    let quick = !std::env::args().any(|a| a == "--bench");
    let (subjects, versions, rounds, seconds) = if quick {
        (50, 3, 1, 1)
    } else {
        (10_000, 10, 3, 10)
    };
    let dir = tempfile::tempdir().unwrap();
    let max_id = populate(dir.path(), subjects, versions);

    let launched = Instant::now();
    let (mut accord, url) = spawn(
        Command::new(env!("CARGO_BIN_EXE_accord"))
            .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(dir.path()),
    );
    let body = loop {
        match ureq::get(format!("{url}/schemas/ids/{max_id}")).call() {
            Ok(mut reply) => break reply.body_mut().read_to_string().unwrap(),
            Err(_) => std::thread::sleep(Duration::from_millis(1)),
        }
    };
    println!(
        "restart with {} stored versions: first answer {:.2?} after launch",
        subjects * versions,
        launched.elapsed()
    );

    if Command::new("wrk").arg("--version").output().is_err() {
        stop(&mut accord);
        assert!(quick, "`wrk` is needed: apt-get install wrk");
        println!("wrk is not installed: load test skipped");
        return;
    }
    let (mut ceiling, ceiling_url) =
        spawn(Command::new(std::env::current_exe().unwrap()).env(CEILING_BODY, &body));
    let script = random_ids(dir.path(), max_id);
    println!(
        "GET /schemas/ids/{{random id of {max_id}}}, {} byte body, wrk -t1 -c32 -d{seconds}s, {rounds} alternating rounds:",
        body.len()
    );
    let mut ratios = Vec::new();
    let mut p99s = Vec::new();
    for round in 1..=rounds {
        let ours = load(&url, &script, seconds);
        let top = load(&ceiling_url, &script, seconds);
        ratios.push(ours.requests_per_second / top.requests_per_second);
        p99s.push((ours.p99_ms, top.p99_ms));
        println!(
            "  round {round}: accord {:.0} req/s, p99 {:.2} ms | ceiling {:.0} req/s, p99 {:.2} ms | ratio {:.0}%",
            ours.requests_per_second,
            ours.p99_ms,
            top.requests_per_second,
            top.p99_ms,
            100.0 * ours.requests_per_second / top.requests_per_second
        );
    }
    let median = |mut values: Vec<f64>| {
        values.sort_by(f64::total_cmp);
        values[values.len() / 2]
    };
    println!(
        "  median: {:.0}% of the ceiling; p99 {:.2} ms (ceiling {:.2} ms)",
        100.0 * median(ratios),
        median(p99s.iter().map(|p| p.0).collect()),
        median(p99s.iter().map(|p| p.1).collect()),
    );
    stop(&mut ceiling);
    stop(&mut accord);
}

/// Registers `versions` compatible versions under each of `subjects` subjects, all distinct
/// schemas, through the registry (unsynced writes: the data dir is thrown away). Returns the
/// largest id.
fn populate(dir: &std::path::Path, subjects: usize, versions: usize) -> u32 {
    let started = Instant::now();
    let store = Arc::new(RocksStore::open_for_bulk_load(dir).unwrap());
    let registry = Registry::open(store, Arc::new(SystemClock)).unwrap();
    for s in 0..subjects {
        let subject = SubjectName::new(format!("topic-{s}-value")).unwrap();
        for v in 0..versions {
            let fields: Vec<String> = (0..=v + 2)
                .map(|f| format!(r#"{{"name":"field{f}","type":"long","default":0}}"#))
                .collect();
            let schema = NewSchema {
                schema: format!(
                    r#"{{"type":"record","name":"Event{s}","namespace":"bench","fields":[{}]}}"#,
                    fields.join(",")
                ),
                ..NewSchema::default()
            };
            registry
                .register(&subject, &schema, Import::default())
                .unwrap();
        }
    }
    println!(
        "stored {subjects} subjects x {versions} versions in {:.1?}",
        started.elapsed()
    );
    registry.max_id().0
}

/// The ceiling: the same route and body size, no registry behind it.
fn ceiling(body: String) {
    use axum::routing::get;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let body: &'static str = body.leak();
        let app = axum::Router::new().route(
            "/schemas/ids/{id}",
            get(move || async move {
                (
                    [("content-type", "application/vnd.schemaregistry.v1+json")],
                    body,
                )
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        println!(
            "ceiling listening on http://{}",
            listener.local_addr().unwrap()
        );
        axum::serve(listener, app).await.unwrap();
    });
}
