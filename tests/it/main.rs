//! Integration tests: one binary, one module per area.

mod action;
mod against;
mod arrow;
mod backup;
#[path = "../support/browser.rs"]
mod browser;
mod canonical;
mod catalog;
mod ci_formats;
mod cli;
pub mod consumers;
mod contracts;
mod data_dir;
mod docker;
mod engine;
mod governance;
mod nodes;
mod outputs;
mod parse;
mod properties;
mod readme;
mod registration;
mod registry_cli;
#[path = "../support/scenario.rs"]
mod scenario;
mod server;
#[path = "../support/postgres.rs"]
mod test_postgres;
mod tls;
mod ui;

/// The repository root, where `testdata/` and `compat-rules/` live.
pub fn root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.avsc` file of the compatibility fixtures (all valid schemas).
pub fn fixture_schemas() -> Vec<std::path::PathBuf> {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "avsc") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&root().join("testdata/compat"), &mut out);
    out.sort();
    out
}
