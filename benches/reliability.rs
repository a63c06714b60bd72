//! `cargo bench --bench reliability`: the heavy probes of issue 11, bounded, on the real
//! RocksDB and the real binary.
//!
//! 1. **A chain of references**: 10,000 schemas, each referencing the one before it, registered
//!    through the registry with synced writes; the registration time at the start and the end of
//!    the chain, the process's resident memory, and the time to open the registry again at half
//!    and at full length.
//! 2. **`/health` under load**: the real `accord serve`, while two clients keep it busy with
//!    compatibility checks of a large union against its reversal, answers `/health`; prints its
//!    p50, p99 and max.
//! 3. **Large schemas at once**: twelve clients register a 14 MiB schema each, at the same
//!    time, to the real `accord serve`; prints the server's peak resident memory.
//! 4. **A large listing**: `GET /schemas` of a registry of 100,000 subjects, read by a client as
//!    it arrives; prints the time, the answer's size and the server's memory before and at peak.
//!
//! (A plain timing binary: each step changes the state, which criterion's repeated iterations
//! do not fit.)

use std::path::Path;
use std::process::{Child, Command};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use std::sync::Arc;

use std::time::{Duration, Instant};

use accord::registry::{Import, NewSchema, Reference, Registry, SubjectName, SystemClock, Version};
use accord::store::RocksStore;
use process::{spawn, stop};

mod process;

// The binary's allocator, so that memory is measured as the server holds it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = !args.iter().any(|a| a == "--bench");
    // `cargo bench --bench reliability -- listing` runs the probes whose name holds `listing`.
    let filters: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let wanted =
        |name: &str| filters.is_empty() || filters.iter().any(|f| name.contains(f.as_str()));
    if wanted("chain") {
        chain(if quick { 200 } else { 10_000 });
    }
    if wanted("health") {
        health(
            if quick { 2_000 } else { 100_000 },
            if quick { 20 } else { 1_000 },
        );
    }
    if wanted("large") {
        large_at_once(
            if quick { 2 } else { 12 },
            if quick { 1 << 20 } else { 14 << 20 },
        );
    }
    if wanted("listing") {
        large_listing(if quick { 2_000 } else { 100_000 });
    }
}

/// Link `n` of the chain: a record with an optional field of the type before it.
fn link(n: usize) -> NewSchema {
    if n == 0 {
        return NewSchema {
            schema: r#"{"type":"record","name":"L0","fields":[]}"#.into(),
            ..NewSchema::default()
        };
    }
    NewSchema {
        schema: format!(
            r#"{{"type":"record","name":"L{n}","fields":[{{"name":"previous","type":["null","L{}"],"default":null}}]}}"#,
            n - 1
        ),
        references: vec![Reference {
            name: format!("L{}", n - 1),
            subject: format!("link-{}", n - 1),
            version: Version(1),
        }],
        ..NewSchema::default()
    }
}

fn open(dir: &Path) -> Registry {
    let store = Arc::new(RocksStore::open(dir).unwrap());
    Registry::open(store, Arc::new(SystemClock)).unwrap()
}

fn chain(length: usize) {
    let dir = tempfile::tempdir().unwrap();
    let window = (length / 20).max(10);
    let mut first = Vec::new();
    let mut last = Vec::new();
    let mut restart_at_half = None;
    let started = Instant::now();
    {
        let mut registry = open(dir.path());
        for n in 0..length {
            if n == length / 2 {
                drop(registry);
                let opened = Instant::now();
                registry = open(dir.path());
                restart_at_half = Some(opened.elapsed());
            }
            let subject = SubjectName::new(format!("link-{n}")).unwrap();
            let schema = link(n);
            let one = Instant::now();
            registry
                .register(&subject, &schema, Import::default())
                .unwrap();
            if n < window {
                first.push(one.elapsed());
            } else if n >= length - window {
                last.push(one.elapsed());
            }
        }
    }
    let registered = started.elapsed();
    let peak_registering = status_kib("VmHWM") / 1024;
    let opened = Instant::now();
    let registry = open(dir.path());
    let restart = opened.elapsed();
    let last_id = accord::registry::SchemaId(length as u32);
    let checked = Instant::now();
    let parsed = registry.parsed(&registry.schema(last_id).unwrap());
    let types = parsed.as_avro().unwrap().named_types().len();
    let parse_last = checked.elapsed();
    println!(
        "chain of {length} references: registered in {registered:.2?}; one registration: median {:.2?} for the first {window}, {:.2?} for the last {window}",
        median(&mut first),
        median(&mut last)
    );
    println!(
        "  restart: {:.2?} at {} links, {restart:.2?} at {length}; parsing the last link ({types} types) after restart: {parse_last:.2?}",
        restart_at_half.unwrap(),
        length / 2
    );
    println!(
        "  resident memory: at most {peak_registering} MiB while registering, {} MiB at the end (parsed schemas kept: {} MiB by the estimate)",
        status_kib("VmRSS") / 1024,
        registry.parsed_bytes() >> 20
    );
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// A field of `/proc/self/status`, in KiB.
fn status_kib(field: &str) -> u64 {
    kib_in(
        &std::fs::read_to_string("/proc/self/status").unwrap(),
        field,
    )
}

fn kib_in(status: &str, field: &str) -> u64 {
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|value| value.trim().trim_end_matches(" kB").parse().ok())
        .unwrap_or(0)
}

/// A union of `n` records, in order or reversed.
fn union(n: usize, reversed: bool) -> String {
    let mut branches: Vec<String> = (0..n)
        .map(|i| {
            format!(r#"{{"type":"record","name":"R{i}","fields":[{{"name":"a","type":"int"}}]}}"#)
        })
        .collect();
    if reversed {
        branches.reverse();
    }
    format!("[{}]", branches.join(","))
}

/// The body Confluent's API takes for a schema.
fn schema_body(schema: &str) -> String {
    serde_json::json!({ "schema": schema }).to_string()
}

fn health(branches: usize, probes: usize) {
    let dir = tempfile::tempdir().unwrap();
    let (mut server, url) = serve(dir.path());
    post(
        &url,
        "/subjects/union/versions",
        &schema_body(&union(branches, false)),
    );
    let reversed = Arc::new(schema_body(&union(branches, true)));
    let busy = Arc::new(AtomicBool::new(true));
    let checks = Arc::new(AtomicUsize::new(0));
    let clients: Vec<_> = (0..2)
        .map(|_| {
            let (url, body, busy, checks) =
                (url.clone(), reversed.clone(), busy.clone(), checks.clone());
            std::thread::spawn(move || {
                while busy.load(Ordering::SeqCst) {
                    post(&url, "/compatibility/subjects/union/versions/latest", &body);
                    checks.fetch_add(1, Ordering::SeqCst);
                }
            })
        })
        .collect();
    // Let both checks be in flight before probing.
    std::thread::sleep(Duration::from_millis(200));
    let mut latencies = Vec::with_capacity(probes);
    for _ in 0..probes {
        let started = Instant::now();
        ureq::get(format!("{url}/health")).call().unwrap();
        latencies.push(started.elapsed());
        std::thread::sleep(Duration::from_millis(5));
    }
    busy.store(false, Ordering::SeqCst);
    for client in clients {
        client.join().unwrap();
    }
    stop(&mut server);
    latencies.sort();
    println!(
        "/health while two clients check a {branches}-branch union against its reversal ({} checks done): p50 {:.2?}, p99 {:.2?}, max {:.2?} over {probes} probes",
        checks.load(Ordering::SeqCst),
        latencies[probes / 2],
        latencies[(probes - 1) * 99 / 100],
        latencies[probes - 1]
    );
}

fn large_at_once(clients: usize, bytes: usize) {
    let dir = tempfile::tempdir().unwrap();
    let (mut server, url) = serve(dir.path());
    let field = |client: usize, i: usize| {
        format!(r#"{{"name":"c{client}_field_{i}","type":["null","string"],"default":null}}"#)
    };
    let bodies: Vec<String> = (0..clients)
        .map(|client| {
            // Escaped in the JSON body, a field's text grows by its 8 quotes.
            let per_field = field(client, 0).len() + 9;
            let fields: Vec<String> = (0..bytes / per_field).map(|i| field(client, i)).collect();
            let schema = format!(
                r#"{{"type":"record","name":"Large","fields":[{}]}}"#,
                fields.join(",")
            );
            schema_body(&schema)
        })
        .collect();
    let before = process_kib(server.id(), "VmRSS");
    let started = Instant::now();
    let senders: Vec<_> = bodies
        .into_iter()
        .enumerate()
        .map(|(client, body)| {
            let url = url.clone();
            std::thread::spawn(move || {
                post(&url, &format!("/subjects/large-{client}/versions"), &body)
            })
        })
        .collect();
    for sender in senders {
        sender.join().unwrap();
    }
    let took = started.elapsed();
    let peak = process_kib(server.id(), "VmHWM");
    stop(&mut server);
    println!(
        "{clients} clients register a {} MiB request each at once: all done in {took:.2?}; server memory {} MiB before, {} MiB at peak",
        bytes >> 20,
        before / 1024,
        peak / 1024
    );
}

fn large_listing(subjects: usize) {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Arc::new(RocksStore::open_for_bulk_load(dir.path()).unwrap());
        let registry = Registry::open(store, Arc::new(SystemClock)).unwrap();
        for n in 0..subjects {
            let schema = NewSchema {
                schema: format!(
                    r#"{{"type":"record","name":"Order{n}","namespace":"com.example.orders","fields":[{{"name":"id","type":"long"}},{{"name":"amount","type":"double"}},{{"name":"note","type":["null","string"],"default":null}}]}}"#
                ),
                ..NewSchema::default()
            };
            let subject = SubjectName::new(format!("orders-{n}-value")).unwrap();
            registry
                .register(&subject, &schema, Import::default())
                .unwrap();
        }
    }
    let (mut server, url) = serve(dir.path());
    // Read before the answer: the peak so far is the registry's loading.
    let (before, loading_peak) = (
        process_kib(server.id(), "VmRSS"),
        process_kib(server.id(), "VmHWM"),
    );
    let started = Instant::now();
    let mut response = ureq::get(format!("{url}/schemas"))
        .call()
        .unwrap_or_else(|e| panic!("GET /schemas: {e}"));
    let bytes = std::io::copy(&mut response.body_mut().as_reader(), &mut std::io::sink()).unwrap();
    let took = started.elapsed();
    let peak = process_kib(server.id(), "VmHWM");
    stop(&mut server);
    println!(
        "GET /schemas of {subjects} subjects: {} MiB in {took:.2?}; server memory {} MiB before (peak {} MiB while loading), {} MiB at peak",
        bytes >> 20,
        before / 1024,
        loading_peak / 1024,
        peak / 1024
    );
}

fn post(url: &str, path: &str, body: &str) -> String {
    ureq::post(format!("{url}{path}"))
        .header("Content-Type", "application/vnd.schemaregistry.v1+json")
        .send(body)
        .unwrap_or_else(|e| panic!("POST {path}: {e}"))
        .body_mut()
        .with_config()
        .limit(u64::MAX)
        .read_to_string()
        .unwrap()
}

/// Starts the real server on a data dir; returns it and its URL.
fn serve(dir: &Path) -> (Child, String) {
    spawn(
        Command::new(env!("CARGO_BIN_EXE_accord"))
            .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(dir),
    )
}

/// A field of another process's `/proc/PID/status`, in KiB.
fn process_kib(pid: u32, field: &str) -> u64 {
    kib_in(
        &std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap(),
        field,
    )
}
