//! The client commands against the real server: `register`, `subjects`, `versions`, `get`,
//! `config` and the CI gate `check --subject`.

use std::process::Command;

use crate::server::Server;

fn accord(server: &Server, args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(args)
        .env("ACCORD_REGISTRY", format!("http://{}", server.address))
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

fn example(name: &str) -> String {
    crate::root()
        .join("testdata/examples")
        .join(name)
        .to_string_lossy()
        .to_string()
}

#[test]
fn register_list_get_config_and_gate_against_a_running_registry() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let (code, out, err) = accord(
        &server,
        &["register", "team/orders-value", &example("orders-v1.avsc")],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("id 1"), "{out}");
    assert_eq!(
        accord(
            &server,
            &["register", "team/orders-value", &example("orders-v2.avsc")]
        )
        .0,
        0
    );

    let (code, out, _) = accord(
        &server,
        &["register", "team/orders-value", &example("orders-v3.avsc")],
    );
    assert_eq!(code, 1, "an incompatible registration exits 1");
    assert!(out.contains("AV102"), "{out}");

    assert_eq!(accord(&server, &["subjects"]).1, "team/orders-value\n");
    assert_eq!(
        accord(&server, &["versions", "team/orders-value"]).1,
        "1\n2\n"
    );
    let (_, schema, _) = accord(&server, &["get", "team/orders-value", "1"]);
    let schema: serde_json::Value = serde_json::from_str(&schema).unwrap();
    // Served as registered: its own name and namespace, not the normalized full name.
    assert_eq!(schema["name"], "Order");
    assert_eq!(schema["namespace"], "com.acme.orders");
    let (_, json, _) = accord(&server, &["get", "team/orders-value", "--format", "json"]);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&json).unwrap()["version"],
        2
    );

    assert_eq!(
        accord(&server, &["config", "team/orders-value"]).1,
        "BACKWARD\n"
    );
    assert_eq!(
        accord(
            &server,
            &["config", "team/orders-value", "--set", "full_transitive"]
        )
        .1,
        "FULL_TRANSITIVE\n"
    );

    // The CI gate: the registry's history and the subject's level (FULL_TRANSITIVE now).
    let (code, out, err) = accord(
        &server,
        &[
            "check",
            &example("orders-v3.avsc"),
            "--subject",
            "team/orders-value",
        ],
    );
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("incompatible at FULL_TRANSITIVE"), "{out}");
    assert!(out.contains("against v1, v2"), "{out}");
    let (code, out, _) = accord(
        &server,
        &[
            "check",
            &example("orders-v2.avsc"),
            "--subject",
            "team/orders-value",
            "--level",
            "backward",
        ],
    );
    assert_eq!(code, 0, "{out}");
    // A subject the registry does not have is an empty history: compatible.
    assert_eq!(
        accord(
            &server,
            &[
                "check",
                &example("orders-v3.avsc"),
                "--subject",
                "new-value"
            ]
        )
        .0,
        0
    );
}

#[test]
fn an_unreachable_registry_is_an_error_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let address = server.address.clone();
    drop(server);
    let output = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(["subjects", "--registry", &format!("http://{address}")])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot reach the registry"));
}

/// Dates in an output (the server's clock is the real one) as `YYYY-MM-DD`.
fn without_dates(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let shape = b"dddd-dd-dd";
        let is_date = bytes.len() >= i + shape.len()
            && shape.iter().zip(&bytes[i..]).all(|(s, b)| match s {
                b'd' => b.is_ascii_digit(),
                _ => s == b,
            });
        if is_date {
            out.push_str("YYYY-MM-DD");
            i += shape.len();
        } else {
            let c = text[i..].chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

#[test]
fn product_publish_check_and_status_print_what_they_decided() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let manifest = |version: &str| {
        crate::root()
            .join(format!(
                "testdata/products/payments/transactions-{version}.yaml"
            ))
            .to_string_lossy()
            .to_string()
    };
    let mut transcript = String::new();
    for args in [
        vec!["product", "publish", &manifest("1.0.0"), "--actor", "alice"],
        vec!["product", "check", &manifest("1.1.0")],
        vec!["product", "publish", &manifest("1.1.0"), "--actor", "alice"],
        vec!["product", "check", &manifest("2.0.0")],
        vec!["product", "status", "payments.transactions"],
    ] {
        let (code, out, err) = accord(&server, &args);
        let shown: Vec<&str> = args
            .iter()
            .map(|a| a.rsplit('/').next().unwrap_or(a))
            .collect();
        transcript.push_str(&format!(
            "$ accord {}\nexit {code}\n{out}{err}\n",
            shown.join(" ")
        ));
    }
    insta::assert_snapshot!(without_dates(&transcript));
}
