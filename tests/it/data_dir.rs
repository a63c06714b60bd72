//! A damaged data dir: the server refuses it, and `accord repair` says what it drops before it
//! drops anything. The real binary on real RocksDB data dirs.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::server::{Server, refused_start};

/// A data dir holding `count` acknowledged registrations (subject `s0` with schema id 1, `s1`
/// with 2, ...), left as a crash leaves it: the server killed, the writes in its log alone.
fn crashed_with_registrations(count: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    for i in 0..count {
        let field = format!(r#"{{"name":"f{i}","type":"long"}}"#);
        let (_, id) = server.register(&format!("s{i}"), &field);
        assert_eq!(id["id"], i + 1);
    }
    drop(server); // SIGKILL
    dir
}

fn logs(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "log"))
        .collect()
}

/// `accord repair` on the data dir: its exit code and what it printed.
fn repair(dir: &Path, options: &[&str]) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_accord"))
        .arg("repair")
        .arg("--data-dir")
        .arg(dir)
        .args(options)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    (output.status.code().unwrap(), text)
}

fn subjects(server: &Server) -> usize {
    server
        .call("GET", "/subjects", None)
        .1
        .as_array()
        .unwrap()
        .len()
}

/// Issue 11, item 9: damage in the middle of the write-ahead log silently dropped every
/// acknowledged write after it, and the server handed their ids out again.
#[test]
fn a_log_damaged_before_its_end_is_refused_and_repair_says_what_it_drops() {
    let dir = crashed_with_registrations(200);
    let log = logs(dir.path())
        .into_iter()
        .max_by_key(|p| std::fs::metadata(p).unwrap().len())
        .expect("a write-ahead log");
    let mut bytes = std::fs::read(&log).unwrap();
    // Damage in the log's first 32 KiB block: what follows that block stays readable.
    assert!(bytes.len() > 48 << 10, "{} bytes", bytes.len());
    bytes[16 << 10..(16 << 10) + 64].fill(0xAB);
    std::fs::write(&log, &bytes).unwrap();

    let (status, message) = refused_start(dir.path());
    assert_eq!(status.code(), Some(2), "{message}");
    assert!(message.contains("is damaged"), "{message}");
    assert!(message.contains("accord repair"), "{message}");

    // The report names what a repair drops, and changes nothing.
    let (code, report) = repair(dir.path(), &[]);
    assert_eq!(code, 1, "{report}");
    assert!(report.contains("damaged before its end"), "{report}");
    assert!(
        report.contains("subject `s199` version 1 (schema id 200)"),
        "{report}"
    );
    assert!(report.contains("schema id 200\n"), "{report}");
    assert!(report.contains("Nothing was changed"), "{report}");
    assert_eq!(
        std::fs::read(&log).unwrap(),
        bytes,
        "the report wrote the log"
    );
    let (status, _) = refused_start(dir.path());
    assert_eq!(status.code(), Some(2));

    // Accepting the loss keeps what precedes the damage, and retires the lost ids.
    let (code, report) = repair(dir.path(), &["--accept-loss"]);
    assert_eq!(code, 0, "{report}");
    assert!(
        report.contains("Schema ids up to 200 stay retired"),
        "{report}"
    );
    let server = Server::start(dir.path());
    let kept = subjects(&server);
    assert!(kept > 0 && kept < 200, "{kept} of 200 subjects kept");
    let (status, id) = server.register("after-repair", r#"{"name":"id","type":"int"}"#);
    assert_eq!(status, 200);
    assert_eq!(id["id"], 201, "a lost id was handed out again");
    drop(server);
    // Repaired for good: the next start and repair find nothing wrong.
    let (code, report) = repair(dir.path(), &[]);
    assert_eq!(code, 0, "{report}");
    assert!(report.contains("nothing to repair"), "{report}");
}

/// Issue 11, item 8: the write-ahead log removed after a crash (a "cleanup", or a restore that
/// left it out) started an empty registry that handed out the lost ids again.
#[test]
fn a_data_dir_missing_its_log_is_refused_until_repaired_with_the_ids_in_use() {
    let dir = crashed_with_registrations(20);
    for log in logs(dir.path()) {
        std::fs::remove_file(log).unwrap();
    }
    let (status, message) = refused_start(dir.path());
    assert_eq!(status.code(), Some(2), "{message}");
    assert!(message.contains("is damaged"), "{message}");

    let (code, report) = repair(dir.path(), &[]);
    assert_eq!(code, 1, "{report}");
    assert!(
        report.contains("write-ahead log (`*.log`) is gone"),
        "{report}"
    );
    assert!(report.contains("--retire-ids-through"), "{report}");

    // What the log held is unknown; the operator says which ids are in use.
    let (code, report) = repair(dir.path(), &["--accept-loss", "--retire-ids-through", "20"]);
    assert_eq!(code, 0, "{report}");
    assert!(
        report.contains("the next schema registered gets id 21"),
        "{report}"
    );
    let server = Server::start(dir.path());
    let (status, id) = server.register("after-repair", r#"{"name":"id","type":"int"}"#);
    assert_eq!(status, 200);
    assert_eq!(id["id"], 21);
}

#[test]
fn repair_refuses_a_directory_that_holds_no_data_dir_and_a_data_dir_in_use() {
    let empty = tempfile::tempdir().unwrap();
    let (code, report) = repair(empty.path(), &["--accept-loss"]);
    assert_eq!(code, 2, "{report}");
    assert!(report.contains("holds no data dir"), "{report}");
    assert_eq!(std::fs::read_dir(empty.path()).unwrap().count(), 0);

    let dir = tempfile::tempdir().unwrap();
    let _server = Server::start(dir.path());
    let (code, report) = repair(dir.path(), &["--accept-loss", "--retire-ids-through", "5"]);
    assert_eq!(code, 2, "{report}");
    assert!(report.contains("in use by another process"), "{report}");
}
