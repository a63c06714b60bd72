//! `cargo bench --bench registry`: registration latency on the real RocksDB, synced writes
//! included. A subject with 1,000 versions at FULL_TRANSITIVE takes 100 more compatible
//! versions; prints p50, p90, p99 and max, for two histories: a 30-field record whose versions
//! differ by their doc, and one that gains a field in every version (up to 1,130 fields).
//! (A plain timing binary: each registration changes the state, which criterion's repeated
//! iterations do not fit.)

use std::sync::Arc;
use std::time::{Duration, Instant};

use accord::compat::Level;
use accord::registry::{Config, Import, NewSchema, Registry, SubjectName, SystemClock};
use accord::store::RocksStore;

/// Version `n` of a 30-field record: with `growing`, plus `n` optional fields; otherwise the
/// same fields with the doc `version n`. Each is compatible with every version before it.
fn version(n: usize, growing: bool) -> NewSchema {
    let mut fields: Vec<String> = (0..30)
        .map(|i| format!(r#"{{"name":"base{i}","type":["null","string"],"default":null}}"#))
        .collect();
    if growing {
        fields.extend((0..n).map(|i| format!(r#"{{"name":"x{i}","type":"long","default":0}}"#)));
    }
    let doc = if growing { 0 } else { n };
    NewSchema {
        schema: format!(
            r#"{{"type":"record","name":"Evolving","doc":"version {doc}","fields":[{}]}}"#,
            fields.join(",")
        ),
        ..NewSchema::default()
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn run(label: &str, growing: bool, history: usize, measured: usize) {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(RocksStore::open(dir.path()).unwrap());
    let registry = Registry::open(store, Arc::new(SystemClock)).unwrap();
    let subject = SubjectName::new("evolving-value").unwrap();
    registry
        .set_config(
            Some(&SubjectName::new("evolving-value").unwrap()),
            Config::level(Level::FullTransitive),
        )
        .unwrap();
    let started = Instant::now();
    for n in 0..history {
        registry
            .register(&subject, &version(n, growing), Import::default())
            .unwrap();
    }
    eprintln!(
        "{label}: stored {history} versions in {:.1?}",
        started.elapsed()
    );

    let mut latencies = Vec::with_capacity(measured);
    for n in history..history + measured {
        let schema = version(n, growing);
        let started = Instant::now();
        registry
            .register(&subject, &schema, Import::default())
            .unwrap();
        latencies.push(started.elapsed());
    }
    latencies.sort();
    println!(
        "{label}: register a compatible version against {history} versions at FULL_TRANSITIVE ({measured} runs): p50 {:.2?}, p90 {:.2?}, p99 {:.2?}, max {:.2?}",
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.9),
        percentile(&latencies, 0.99),
        latencies[latencies.len() - 1],
    );
}

fn main() {
    // `cargo test --benches` runs bench binaries without `--bench` to check that they work:
    // keep that run short.
    let quick = !std::env::args().any(|a| a == "--bench");
    let (history, measured) = if quick { (20, 5) } else { (1000, 100) };
    run(
        "30 fields, versions differ by doc",
        false,
        history,
        measured,
    );
    run("a field more in every version", true, history, measured);
}
