//! Backups of a running registry: registrations go on while `accord backup` writes its copy,
//! and the copy, restored into a new data dir, holds every version acknowledged before the
//! backup began.

use std::process::Command;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::server::Server;

fn accord(args: &[&str], registry: &Server) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(args)
        .env("ACCORD_REGISTRY", &registry.url)
        .output()
        .unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn a_backup_under_load_restores_every_acknowledged_version() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"));
    let acknowledged: Mutex<Vec<(String, u64)>> = Mutex::new(Vec::new());
    let stop = AtomicBool::new(false);
    let backup = dir.path().join("backup");
    let before = std::thread::scope(|scope| {
        scope.spawn(|| {
            let mut n = 0;
            while !stop.load(Ordering::SeqCst) {
                let subject = format!("s{}", n % 5);
                let fields: Vec<String> = (0..=n / 5)
                    .map(|i| format!(r#"{{"name":"f{i}","type":"long","default":0}}"#))
                    .collect();
                let (status, body) = server.register(&subject, &fields.join(","));
                assert_eq!(status, 200, "{body}");
                acknowledged
                    .lock()
                    .unwrap()
                    .push((subject, body["id"].as_u64().unwrap()));
                n += 1;
            }
        });
        // Registrations are under way; everything acknowledged so far must be in the backup.
        while acknowledged.lock().unwrap().len() < 60 {
            std::thread::yield_now();
        }
        let before = acknowledged.lock().unwrap().clone();
        let (code, out, err) = accord(&["backup", "--to", backup.to_str().unwrap()], &server);
        stop.store(true, Ordering::SeqCst);
        assert_eq!(code, 0, "{out}{err}");
        assert!(out.starts_with("backed up "), "{out}");
        before
    });
    let restored = dir.path().join("restored");
    let output = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args([
            "restore",
            "--from",
            backup.to_str().unwrap(),
            "--data-dir",
            restored.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    drop(server);
    let server = Server::start(&restored);
    for (subject, id) in &before {
        let (status, body) = server.call("GET", &format!("/schemas/ids/{id}/versions"), None);
        assert_eq!(status, 200, "id {id} lost: {body}");
        assert!(
            body.as_array()
                .unwrap()
                .iter()
                .any(|v| v["subject"] == subject.as_str()),
            "{body}"
        );
    }
    // A backup is never written over something.
    let (code, _, err) = accord(&["backup", "--to", backup.to_str().unwrap()], &server);
    assert_eq!(code, 2);
    assert!(
        err.contains("it exists; a backup goes into a new directory"),
        "{err}"
    );
}

#[test]
fn a_restore_refuses_what_is_not_a_backup_and_a_directory_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let run = |from: &std::path::Path, to: &std::path::Path| {
        let output = Command::new(env!("CARGO_BIN_EXE_accord"))
            .args([
                "restore",
                "--from",
                from.to_str().unwrap(),
                "--data-dir",
                to.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        (
            output.status.code().unwrap(),
            String::from_utf8(output.stderr).unwrap(),
        )
    };
    let (code, err) = run(dir.path(), &dir.path().join("x"));
    assert_eq!(code, 2);
    assert!(
        err.contains("is not a backup accord wrote (no `CURRENT` file)"),
        "{err}"
    );
}
