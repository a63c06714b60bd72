//! `cargo bench --bench cli`: the CLI as a user times it, whole processes of the real `accord`
//! binary on the 10,000-field pair of `benches/wide` written to files:
//!
//! - `accord --version` (process start);
//! - `accord validate OLD`;
//! - `accord diff --level full OLD NEW`.
//!
//! Each command runs 5 times to warm the page cache, then 50 times; it prints the median and
//! the fastest run. Under `cargo test --benches` each command runs once.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use wide::wide_pair;

mod wide;

fn main() {
    let quick = !std::env::args().any(|a| a == "--bench");
    let (warmup, runs) = if quick { (0, 1) } else { (5, 50) };
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = wide_pair(10_000, true);
    let (old_path, new_path) = (dir.path().join("old.avsc"), dir.path().join("new.avsc"));
    std::fs::write(&old_path, &old).unwrap();
    std::fs::write(&new_path, &new).unwrap();
    let (old_path, new_path) = (old_path.to_str().unwrap(), new_path.to_str().unwrap());
    println!(
        "10,000-field pair: {} and {} bytes; {warmup} warm-up runs, {runs} timed",
        old.len(),
        new.len()
    );
    let commands: [(&str, Vec<&str>, i32); 3] = [
        ("accord --version", vec!["--version"], 0),
        ("accord validate OLD", vec!["validate", old_path], 0),
        (
            "accord diff --level full OLD NEW",
            vec!["diff", "--level", "full", old_path, new_path],
            1,
        ),
    ];
    for (label, args, expected_code) in commands {
        let mut times: Vec<Duration> = (0..warmup + runs)
            .map(|_| {
                let started = Instant::now();
                let status = Command::new(env!("CARGO_BIN_EXE_accord"))
                    .args(&args)
                    .stdout(Stdio::null())
                    .status()
                    .unwrap();
                let elapsed = started.elapsed();
                assert_eq!(status.code(), Some(expected_code), "{label}");
                elapsed
            })
            .skip(warmup)
            .collect();
        times.sort();
        println!(
            "{label:<36} median {:>7.2} ms   fastest {:>7.2} ms",
            times[times.len() / 2].as_secs_f64() * 1e3,
            times[0].as_secs_f64() * 1e3
        );
    }
}
