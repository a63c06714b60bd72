//! Backups of a running registry: registrations go on while `accord backup` writes its copy,
//! and the copy, restored into a new data dir, holds every version acknowledged before the
//! backup began.

use std::process::Command;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::contracts::accord;
use crate::server::Server;

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
        let (code, out, err) = accord(Some(&server), &["backup", "--to", backup.to_str().unwrap()]);
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
    let (code, _, err) = accord(Some(&server), &["backup", "--to", backup.to_str().unwrap()]);
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

/// Export, import into an empty registry, export again: the same bytes, every id kept.
#[test]
fn an_export_imported_exports_the_same_stream() {
    let dir = tempfile::tempdir().unwrap();
    let source = Server::start(&dir.path().join("source"));
    // Subjects with versions, a soft-deleted one, a reference, settings, a product with a
    // notice and a consumer.
    for n in 0..3 {
        let fields: Vec<String> = (0..=n)
            .map(|i| format!(r#"{{"name":"f{i}","type":"long","default":0}}"#))
            .collect();
        let (status, body) = source.register("orders-value", &fields.join(","));
        assert_eq!(status, 200, "{body}");
    }
    let (status, _) = source.call("DELETE", "/subjects/orders-value/versions/2", None);
    assert_eq!(status, 200);
    let (status, body) = source.call(
        "PUT",
        "/config/orders-value",
        Some(serde_json::json!({"compatibility": "FULL"})),
    );
    assert_eq!(status, 200, "{body}");
    for args in [
        vec![
            "product",
            "publish",
            "testdata/products/payments/transactions-1.0.0.yaml",
        ],
        vec![
            "notice",
            "announce",
            "payments.transactions",
            "--major",
            "2",
            "--summary",
            "cents",
        ],
        vec![
            "consumer",
            "add",
            "payments.transactions",
            "finance.report",
            "--major",
            "1",
            "--domain",
            "finance",
            "--contact",
            "#finance",
        ],
    ] {
        let (code, _, err) = accord(Some(&source), &args);
        assert_eq!(code, 0, "{args:?}: {err}");
    }
    let first = dir.path().join("first.ndjson");
    let (code, _, err) = accord(Some(&source), &["export", "-o", first.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let stream = std::fs::read_to_string(&first).unwrap();
    assert!(
        stream.starts_with("{\"format\":\"accord-export\",\"version\":1}\n"),
        "{stream}"
    );

    let target = Server::start(&dir.path().join("target"));
    let (code, out, err) = accord(Some(&target), &["import", first.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("imported "), "{out}");
    let (code, again, _) = accord(Some(&target), &["export"]);
    assert_eq!(code, 0);
    assert_eq!(
        again, stream,
        "export, import, export gives the same stream"
    );
    // The target serves what the source did: the ids, the soft-deleted version, the product.
    let (_, versions) = target.call("GET", "/subjects/orders-value/versions?deleted=true", None);
    assert_eq!(versions, serde_json::json!([1, 2, 3]));
    let (_, live) = target.call("GET", "/subjects/orders-value/versions", None);
    assert_eq!(live, serde_json::json!([1, 3]));
    let (_, status) = target.call("GET", "/v1/products/payments.transactions", None);
    assert_eq!(status["latest"], "1.0.0", "{status}");
    let (_, consumers) = target.call("GET", "/v1/products/payments.transactions/consumers", None);
    assert_eq!(consumers[0]["name"], "finance.report");
    // Only into an empty registry; a damaged stream names its line and writes nothing.
    let (code, _, err) = accord(Some(&target), &["import", first.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("an import goes into an empty registry"),
        "{err}"
    );
    let damaged = dir.path().join("damaged.ndjson");
    let mut lines: Vec<&str> = stream.lines().collect();
    lines[3] = "{\"keyspace\":\"nowhere\",\"key\":\"00\",\"hex\":\"00\"}";
    std::fs::write(&damaged, lines.join("\n")).unwrap();
    let fresh = Server::start(&dir.path().join("fresh"));
    let (code, _, err) = accord(Some(&fresh), &["import", damaged.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("the export's line 4: unknown keyspace `nowhere`"),
        "{err}"
    );
    let (_, subjects) = fresh.call("GET", "/subjects", None);
    assert_eq!(
        subjects,
        serde_json::json!([]),
        "a refused import writes nothing"
    );
}

/// `import --from-confluent` against a second `accord serve` standing in for the source:
/// every version with its id (references and a soft-deleted one too), levels, and a second run
/// that resumes, finding everything there.
#[test]
fn a_confluent_compatible_registry_is_copied_with_its_ids() {
    let dir = tempfile::tempdir().unwrap();
    let source = Server::start(&dir.path().join("source"));
    // Ids on the source start past 1: the copy must keep them, not renumber.
    let (status, _) = source.call(
        "POST",
        "/subjects/filler-value/versions",
        Some(serde_json::json!({"schema": "\"int\""})),
    );
    assert_eq!(status, 200);
    let customer = r#"{"type":"record","name":"Customer","namespace":"shop","fields":[{"name":"id","type":"string"}]}"#;
    let (_, body) = source.call(
        "POST",
        "/subjects/customer-value/versions",
        Some(serde_json::json!({"schema": customer})),
    );
    let customer_id = body["id"].as_u64().unwrap();
    let order = r#"{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"buyer","type":"shop.Customer"}]}"#;
    let (status, body) = source.call(
        "POST",
        "/subjects/order-value/versions",
        Some(serde_json::json!({
            "schema": order,
            "references": [{"name": "shop.Customer", "subject": "customer-value", "version": 1}],
        })),
    );
    assert_eq!(status, 200, "{body}");
    let order_id = body["id"].as_u64().unwrap();
    for n in 1..=2 {
        let fields: Vec<String> = (0..n)
            .map(|i| format!(r#"{{"name":"f{i}","type":"long","default":0}}"#))
            .collect();
        source.register("events-value", &fields.join(","));
    }
    assert_eq!(
        source
            .call("DELETE", "/subjects/events-value/versions/1", None)
            .0,
        200
    );
    source.call(
        "PUT",
        "/config/order-value",
        Some(serde_json::json!({"compatibility": "FULL_TRANSITIVE"})),
    );

    let target = Server::start(&dir.path().join("target"));
    let (code, out, err) = accord(Some(&target), &["import", "--from-confluent", &source.url]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("source: 4 subjects, 5 versions (1 soft-deleted)\ntarget: 4 subjects, 5 versions (1 soft-deleted)"), "{out}");
    let (_, by_id) = target.call("GET", &format!("/schemas/ids/{order_id}"), None);
    assert_eq!(
        by_id["references"][0]["subject"], "customer-value",
        "{by_id}"
    );
    let (_, by_id) = target.call("GET", &format!("/schemas/ids/{customer_id}"), None);
    assert!(
        by_id["schema"].as_str().unwrap().contains("Customer"),
        "{by_id}"
    );
    let (_, live) = target.call("GET", "/subjects/events-value/versions", None);
    assert_eq!(live, serde_json::json!([2]));
    let (_, level) = target.call("GET", "/config/order-value", None);
    assert_eq!(level["compatibilityLevel"], "FULL_TRANSITIVE");
    let (_, mode) = target.call("GET", "/mode", None);
    assert_eq!(
        mode["mode"], "READWRITE",
        "the target writes again once copied"
    );
    // An interrupted copy resumes: what is there is skipped.
    let (code, out, _) = accord(Some(&target), &["import", "--from-confluent", &source.url]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with("copied 0 versions (5 already there)"),
        "{out}"
    );
}
