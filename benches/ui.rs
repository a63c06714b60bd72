//! `cargo bench --bench ui`: the web UI's page weight and time to first render, in a real
//! headless Chromium against the release binary. For each page: the bytes of the page and of
//! everything it loads (a fresh browser, nothing cached), and the first contentful paint from
//! the start of navigation, the median of several loads. The pages hold a registry with a data
//! product through a major change, and the diff of the 10,000-field pair the other benchmarks
//! use.
//!
//! Needs chromium, chromedriver and axe-core as the tests do (`scripts/setup-tests.sh`).

use std::process::Command;

use serde_json::{Value, json};

use process::{spawn, stop};

#[path = "../tests/support/browser.rs"]
mod browser;
mod process;
#[path = "../tests/support/scenario.rs"]
mod scenario;
mod wide;

fn main() {
    let quick = !std::env::args().any(|a| a == "--bench");
    let loads = if quick { 1 } else { 9 };
    let dir = tempfile::tempdir().unwrap();
    let (mut server, url) = spawn(
        Command::new(env!("CARGO_BIN_EXE_accord"))
            .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(dir.path().join("data")),
    );
    populate(&url, quick);
    let pages = [
        ("subjects", "/ui/"),
        (
            "a version's schema, 10,000 fields",
            "/ui/subjects/wide-value/versions/2",
        ),
        (
            "diff of 10,000-field versions",
            "/ui/subjects/wide-value/diff?from=1&to=2&level=FULL",
        ),
        ("product", "/ui/products/shop.orders"),
        ("notices", "/ui/notices"),
        ("rules", "/ui/rules"),
    ];
    println!("{loads} loads per page; weight from a fresh browser, first paint the median:");
    println!(
        "{:<36} {:>12} {:>12} {:>14}",
        "page", "html KiB", "total KiB", "first paint"
    );
    for (label, path) in pages {
        // A fresh browser: the first load fetches the stylesheet and script too.
        let browser = browser::Browser::start();
        let mut paints = Vec::new();
        let mut weight = None;
        for _ in 0..loads {
            browser.go(&format!("{url}{path}"));
            let measured = browser.command(
                "POST",
                "/execute/async",
                Some(json!({"script": MEASURE, "args": []})),
            );
            weight.get_or_insert_with(|| measured.clone());
            paints.push(measured["paint"].as_f64().unwrap_or(f64::NAN));
        }
        paints.sort_by(f64::total_cmp);
        let weight = weight.unwrap();
        println!(
            "{label:<36} {:>12.1} {:>12.1} {:>11.0} ms",
            weight["html"].as_f64().unwrap() / 1024.0,
            weight["total"].as_f64().unwrap() / 1024.0,
            paints[paints.len() / 2]
        );
    }
    stop(&mut server);
}

/// The page's own bytes, with what it loaded, and its first contentful paint, once the browser
/// has recorded it (paint entries arrive after the frame).
const MEASURE: &str = "
    const done = arguments[arguments.length - 1];
    const measure = () => {
        const nav = performance.getEntriesByType('navigation')[0];
        const paint = performance.getEntriesByType('paint').find(p => p.name === 'first-contentful-paint');
        if (!paint) return setTimeout(measure, 10);
        const loaded = performance.getEntriesByType('resource').reduce((s, r) => s + r.encodedBodySize, 0);
        done({html: nav.encodedBodySize, total: nav.encodedBodySize + loaded, paint: paint.startTime});
    };
    measure();
";

fn post(url: &str, path: &str, body: Value) {
    let reply = ureq::post(format!("{url}{path}"))
        .header("content-type", "application/vnd.schemaregistry.v1+json")
        .send(body.to_string())
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    assert_eq!(reply.status(), 200, "{path}");
}

fn accord(url: &str, args: &[&str]) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let status = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(args)
        .current_dir(root)
        .env("ACCORD_REGISTRY", url)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "accord {args:?}");
}

/// The 10,000-field pair under one subject (judged at NONE, so both register), a few small
/// subjects, and the web UI tests' data product through its major change.
fn populate(url: &str, quick: bool) {
    let (old, new) = wide::wide_pair(if quick { 100 } else { 10_000 }, true);
    ureq::put(format!("{url}/config/wide-value"))
        .header("content-type", "application/vnd.schemaregistry.v1+json")
        .send(json!({"compatibility": "NONE"}).to_string())
        .unwrap();
    for schema in [old, new] {
        post(
            url,
            "/subjects/wide-value/versions",
            json!({ "schema": schema }),
        );
    }
    for i in 0..20 {
        let schema =
            json!({"type": "record", "name": "R", "fields": [{"name": "id", "type": "string"}]});
        post(
            url,
            &format!("/subjects/topic-{i}-value/versions"),
            json!({"schema": schema.to_string()}),
        );
    }
    for args in scenario::PRODUCT_THROUGH_A_MAJOR {
        accord(url, args);
    }
}
