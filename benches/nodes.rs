//! `cargo bench --bench nodes`: three `accord serve` processes over one PostgreSQL on this
//! machine (durable commits; the server is started in a temporary directory as the tests start
//! it). Measures
//!
//! 1. registrations per second across subjects, through all three nodes at once;
//! 2. cross-node staleness while they run: a version registered through one node, acknowledged,
//!    then polled for on the next node until it serves it;
//! 3. reads per node (`GET /schemas/ids/{random id}` with wrk), against one `accord serve` on
//!    RocksDB holding the same registry (imported from the first), alternating.
//!
//! Needs PostgreSQL and `wrk` (Debian packages; `scripts/setup.sh` installs them). Under `cargo
//! test --benches` it runs briefly and skips the reads when `wrk` is missing.

use std::process::{Child, Command};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use process::{spawn, stop};
use wrk::{load, random_ids};

mod process;
#[path = "../tests/support/postgres.rs"]
mod test_postgres;
mod wrk;

/// Client threads registering through each node.
const WRITERS_PER_NODE: usize = 4;

fn main() {
    let quick = !std::env::args().any(|a| a == "--bench");
    let (seconds, rounds) = if quick { (1, 1) } else { (10, 3) };
    let pg = test_postgres::TestPostgres::start();
    let mut nodes: Vec<(Child, String)> = (0..3)
        .map(|_| {
            spawn(Command::new(env!("CARGO_BIN_EXE_accord")).args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--store",
                &pg.url,
            ]))
        })
        .collect();
    let urls: Vec<&str> = nodes.iter().map(|(_, url)| url.as_str()).collect();

    let (registered, staleness) = registrations(&urls, Duration::from_secs(seconds));
    println!(
        "registrations across subjects, 3 nodes x {WRITERS_PER_NODE} clients, {seconds} s: {registered} acknowledged, {:.0}/s",
        registered as f64 / seconds as f64
    );
    report_staleness("while registering", staleness);
    report_staleness("idle", probe_staleness(&urls, &AtomicBool::new(true), 200));

    if Command::new("wrk").arg("--version").output().is_err() {
        assert!(quick, "`wrk` is needed: apt-get install wrk");
        println!("wrk is not installed: reads skipped");
    } else {
        reads(urls[0], rounds, seconds as u32);
    }
    for (child, _) in &mut nodes {
        stop(child);
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// Registers a new version of `subject` whose one field is named `field` (every version is
/// compatible with every other: the field has a default). Returns whether it was acknowledged.
fn register(agent: &ureq::Agent, url: &str, subject: &str, field: &str) -> bool {
    let schema = format!(
        r#"{{"type":"record","name":"Row","fields":[{{"name":"{field}","type":"long","default":0}}]}}"#
    );
    let body = serde_json::json!({ "schema": schema }).to_string();
    agent
        .post(format!("{url}/subjects/{subject}/versions"))
        .header("content-type", "application/vnd.schemaregistry.v1+json")
        .send(body)
        .is_ok_and(|reply| reply.status() == 200)
}

/// Registrations through every node for `duration`, with a staleness probe running alongside.
fn registrations(urls: &[&str], duration: Duration) -> (u64, Vec<Duration>) {
    let acknowledged = AtomicU64::new(0);
    let done = AtomicBool::new(false);
    let staleness = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for (n, url) in urls.iter().enumerate() {
            for t in 0..WRITERS_PER_NODE {
                let (acknowledged, done) = (&acknowledged, &done);
                scope.spawn(move || {
                    let agent = agent();
                    let mut i = 0u64;
                    while !done.load(Ordering::SeqCst) {
                        // Across subjects: each client cycles through 20 of its own.
                        let subject = format!("load-{n}-{t}-{}", i % 20);
                        assert!(register(&agent, url, &subject, &format!("f{i}")));
                        acknowledged.fetch_add(1, Ordering::SeqCst);
                        i += 1;
                    }
                });
            }
        }
        let (done, staleness) = (&done, &staleness);
        scope.spawn(move || *staleness.lock().unwrap() = probe_staleness(urls, done, usize::MAX));
        std::thread::sleep(duration);
        done.store(true, Ordering::SeqCst);
    });
    (acknowledged.into_inner(), staleness.into_inner().unwrap())
}

/// Registers through node i, then polls node i+1 until it serves the new version: the time
/// from the acknowledgement to the first read that has it. Stops after `count` probes, or when
/// `done` is set (if it is set from the start, runs `count`).
fn probe_staleness(urls: &[&str], done: &AtomicBool, count: usize) -> Vec<Duration> {
    let agent = agent();
    let mut samples = Vec::new();
    let idle = done.load(Ordering::SeqCst);
    for k in 0..count {
        if !idle && done.load(Ordering::SeqCst) {
            break;
        }
        let (writer, reader) = (urls[k % urls.len()], urls[(k + 1) % urls.len()]);
        let subject = format!("probe-{}-{k}", if idle { "idle" } else { "load" });
        assert!(register(&agent, writer, &subject, "p"));
        let acknowledged = Instant::now();
        // Versions are listed from memory: no catching up on a miss, unlike an id.
        let versions = format!("{reader}/subjects/{subject}/versions");
        while agent
            .get(&versions)
            .call()
            .map_or(true, |reply| reply.status() != 200)
        {}
        samples.push(acknowledged.elapsed());
    }
    samples
}

fn report_staleness(label: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)];
    println!(
        "cross-node staleness, {label}: {} probes, p50 {:.1?}, p99 {:.1?}, max {:.1?}",
        samples.len(),
        at(0.5),
        at(0.99),
        samples.last().unwrap()
    );
}

/// wrk on one node of the three, against one server on RocksDB holding the same registry.
fn reads(node: &str, rounds: usize, seconds: u32) {
    let dir = tempfile::tempdir().unwrap();
    let (mut rocks, rocks_url) = spawn(
        Command::new(env!("CARGO_BIN_EXE_accord"))
            .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(dir.path().join("data")),
    );
    let export = ureq::get(format!("{node}/v1/export"))
        .call()
        .unwrap()
        .body_mut()
        .with_config()
        .limit(1 << 30)
        .read_to_string()
        .unwrap();
    ureq::post(format!("{rocks_url}/v1/import"))
        .header("content-type", "application/x-ndjson")
        .send(&export)
        .unwrap();
    let max_id: u32 = ureq::get(format!("{node}/schemas?latestOnly=false"))
        .call()
        .unwrap()
        .body_mut()
        .read_json::<Vec<serde_json::Value>>()
        .unwrap()
        .iter()
        .filter_map(|s| s["id"].as_u64())
        .max()
        .unwrap() as u32;
    let script = random_ids(dir.path(), max_id);
    println!("GET /schemas/ids/{{random id of {max_id}}}, wrk -t1 -c32 -d{seconds}s:");
    for round in 1..=rounds {
        let shared = load(node, &script, seconds);
        let alone = load(&rocks_url, &script, seconds);
        println!(
            "  round {round}: node on PostgreSQL {:.0} req/s (p99 {:.2} ms) | on RocksDB {:.0} req/s (p99 {:.2} ms) | {:.0}%",
            shared.requests_per_second,
            shared.p99_ms,
            alone.requests_per_second,
            alone.p99_ms,
            100.0 * shared.requests_per_second / alone.requests_per_second
        );
    }
    stop(&mut rocks);
}
