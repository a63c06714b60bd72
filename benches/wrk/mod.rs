//! wrk, the HTTP load tool (Debian package `wrk`), driven by the benchmarks.

use std::process::Command;

/// What one run of wrk measured.
pub struct Load {
    pub requests_per_second: f64,
    pub p99_ms: f64,
}

/// Loads `url` with the requests `script` makes: one thread, 32 connections.
pub fn load(url: &str, script: &std::path::Path, seconds: u32) -> Load {
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

/// A wrk script in `dir` that asks for `GET /schemas/ids/{id}` of random ids up to `max_id`.
pub fn random_ids(dir: &std::path::Path, max_id: u32) -> std::path::PathBuf {
    let script = dir.join("random-ids.lua");
    std::fs::write(
        &script,
        format!(
            "request = function() return wrk.format(\"GET\", \"/schemas/ids/\" .. math.random(1, {max_id})) end\n"
        ),
    )
    .unwrap();
    script
}
