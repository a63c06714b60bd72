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

mod process;

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
    let script = dir.path().join("random-ids.lua");
    std::fs::write(
        &script,
        format!(
            "request = function() return wrk.format(\"GET\", \"/schemas/ids/\" .. math.random(1, {max_id})) end\n"
        ),
    )
    .unwrap();
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

/// Starts a server that prints `... listening on http://ADDR`, and returns it with its URL.
struct Load {
    requests_per_second: f64,
    p99_ms: f64,
}

fn load(url: &str, script: &std::path::Path, seconds: u32) -> Load {
    let output = Command::new("wrk")
        .args(["-t1", "-c32", &format!("-d{seconds}s"), "--latency", "-s"])
        .arg(script)
        .arg(url)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    let field = |prefix: &str| {
        text.lines()
            .map(str::trim)
            .find_map(|l| l.strip_prefix(prefix))
            .unwrap_or_else(|| panic!("no `{prefix}` in wrk's output:\n{text}"))
            .trim()
            .to_string()
    };
    assert!(!text.contains("Non-2xx"), "some requests failed:\n{text}");
    Load {
        requests_per_second: field("Requests/sec:").parse().unwrap(),
        p99_ms: milliseconds(&field("99%")),
    }
}

/// wrk's durations: `850.00us`, `1.23ms`, `1.01s`.
fn milliseconds(text: &str) -> f64 {
    let split = text.find(|c: char| c.is_ascii_alphabetic()).unwrap();
    let (number, unit) = text.split_at(split);
    let value: f64 = number.parse().unwrap();
    match unit {
        "us" => value / 1000.0,
        "ms" => value,
        "s" => value * 1000.0,
        other => panic!("unknown unit `{other}` in wrk's output"),
    }
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
